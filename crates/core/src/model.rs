//! Domain enumerations shared by the store, the app and (later) the server.
//! Each has a stable snake_case code (database, JSON, TypeScript) and a French
//! label for people.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A domain enumeration with a stable snake_case code and a French label.
macro_rules! labelled_enum {
    (
        $(#[$doc:meta])* $name:ident, $field:literal {
            $($(#[$vdoc:meta])* $variant:ident = $code:literal => $label:literal),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable code used in the database and over the wire.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// What a clerk or a customer reads.
            pub fn label_fr(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::CoreError;
            fn from_str(s: &str) -> crate::Result<Self> {
                match s {
                    $($code => Ok($name::$variant),)+
                    other => Err(crate::CoreError::UnknownValue { field: $field, value: other.to_owned() }),
                }
            }
        }
    };
}

pub(crate) use labelled_enum;

labelled_enum!(
    /// Where an order was placed.
    Channel, "channel" {
        /// At a store's till (the receipt is the order).
        Store = "store" => "Magasin",
        /// On the chain's web shop (home delivery or click & collect).
        Web = "web" => "Site web",
        /// On a marketplace (the marketplace's name is kept on the order).
        Marketplace = "marketplace" => "Marketplace",
    }
);

impl Channel {
    /// Distance sales carry the legal withdrawal right (Code de la consommation, L221-18).
    pub fn is_distance_sale(self) -> bool {
        matches!(self, Channel::Web | Channel::Marketplace)
    }
}

labelled_enum!(
    /// How a product is sold: it changes the legal presumption period.
    SoldAs, "sold_as" {
        New = "new" => "Neuf",
        Used = "used" => "Occasion",
        Refurbished = "refurbished" => "Reconditionné",
    }
);

labelled_enum!(
    /// Kind of a customer contact.
    ContactKind, "contact_kind" {
        Phone = "phone" => "Téléphone",
        Email = "email" => "E-mail",
    }
);

labelled_enum!(
    /// Where a dossier was opened.
    DossierOrigin, "dossier_origin" {
        Store = "store" => "En magasin",
        Web = "web" => "En ligne",
        Phone = "phone" => "Par téléphone",
    }
);

labelled_enum!(
    /// A dossier's state. The state is the fold of the dossier's events; the
    /// store keeps it as a projection for lists. The workflow rules that move
    /// between states live with the dossier workflow.
    DossierStatus, "dossier_status" {
        Opened = "opened" => "Ouvert",
        Diagnosed = "diagnosed" => "Diagnostiqué",
        WaitingPart = "waiting_part" => "En attente de pièce",
        WaitingManufacturer = "waiting_manufacturer" => "Chez le fabricant",
        WaitingCustomer = "waiting_customer" => "En attente du client",
        Ready = "ready" => "Prêt à restituer",
        HandedBack = "handed_back" => "Restitué",
        Closed = "closed" => "Clos",
        Cancelled = "cancelled" => "Annulé",
    }
);

impl DossierStatus {
    /// Still needs work or a handover at the counter.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            DossierStatus::HandedBack | DossierStatus::Closed | DossierStatus::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn codes_round_trip_for_every_variant() {
        for s in DossierStatus::ALL {
            assert_eq!(DossierStatus::from_str(s.code()).unwrap(), *s);
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.code()));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::from_str(c.code()).unwrap(), *c);
        }
        assert_eq!(
            Channel::from_str("fax").unwrap_err(),
            crate::CoreError::UnknownValue {
                field: "channel",
                value: "fax".into()
            }
        );
    }

    #[test]
    fn open_and_distance_rules() {
        assert!(DossierStatus::WaitingCustomer.is_open());
        assert!(!DossierStatus::Closed.is_open());
        assert!(!DossierStatus::Cancelled.is_open());
        assert!(Channel::Marketplace.is_distance_sale());
        assert!(!Channel::Store.is_distance_sale());
    }
}
