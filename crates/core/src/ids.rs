//! Newtype identifiers. Every record gets a UUIDv7 where it is born, so a
//! store can create records offline without collisions, and ids sort by time.
//! A `DossierId` can never be passed where an `OrderId` is expected.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

macro_rules! define_id {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[ts(export)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh time-ordered id (UUIDv7), for a record born now.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Parses the canonical text form.
            pub fn parse(s: &str) -> crate::Result<Self> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| crate::CoreError::InvalidId(s.to_owned()))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    )+};
}

define_id!(
    /// A store of the chain.
    StoreId,
    /// A customer (one person, across every channel).
    CustomerId,
    /// A customer's phone number or e-mail address.
    ContactId,
    /// A product (SKU) of the catalogue.
    ProductId,
    /// An order from any channel (store receipt, web shop, marketplace).
    OrderId,
    /// One line of an order.
    OrderLineId,
    /// An SAV dossier.
    DossierId,
    /// One event on a dossier's timeline.
    DossierEventId,
    /// A counter user (clerk or manager).
    UserId,
);

define_id!(
    /// One delivery of part (or all) of an order.
    ShipmentId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_time_ordered() {
        let a = DossierId::new();
        let b = DossierId::new();
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b, "UUIDv7 created later must sort later");
    }

    #[test]
    fn parse_round_trips_and_rejects_garbage() {
        let id = CustomerId::new();
        assert_eq!(CustomerId::parse(&id.to_string()).unwrap(), id);
        assert_eq!(
            CustomerId::parse("not-a-uuid").unwrap_err().code(),
            "invalid_id"
        );
    }

    #[test]
    fn serializes_as_plain_string() {
        let id = OrderId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
    }
}
