//! Records as they are born (at a till, on the web shop, at the counter) and
//! as they travel: what the store writes, what sync will carry. Each carries
//! its UUIDv7, created where the record is born.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::model::*;
use crate::Cents;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRecord {
    pub id: StoreId,
    /// Short code used in dossier numbers (`LYO1`).
    pub code: String,
    pub name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: Option<String>,
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    pub id: ContactId,
    pub kind: ContactKind,
    /// As the customer gave it.
    pub value: String,
    pub label: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub id: CustomerId,
    pub title: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub email_marketing: bool,
    pub sms_marketing: bool,
    pub consents_updated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub contacts: Vec<ContactRecord>,
}

impl CustomerRecord {
    /// "Mme Hélène Dupré".
    pub fn display_name(&self) -> String {
        display_name(self.title.as_deref(), &self.first_name, &self.last_name)
    }
}

/// How a customer is named on screens and tickets.
pub fn display_name(title: Option<&str>, first_name: &str, last_name: &str) -> String {
    let mut s = String::new();
    for part in [title.unwrap_or(""), first_name, last_name] {
        if !part.is_empty() {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(part);
        }
    }
    s
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRecord {
    pub id: ProductId,
    pub sku: String,
    pub ean: Option<String>,
    pub name: String,
    pub brand: String,
    pub category: String,
    pub sold_as: SoldAs,
    pub price: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRecord {
    pub id: OrderLineId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: u32,
    pub unit_price: Cents,
    pub serial_numbers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub id: OrderId,
    /// The number printed on the receipt or the confirmation e-mail.
    pub number: String,
    pub channel: Channel,
    pub marketplace: Option<String>,
    pub store_id: Option<StoreId>,
    pub customer_id: CustomerId,
    pub ordered_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub total: Cents,
    pub shipping: Cents,
    pub payment_method: String,
    pub lines: Vec<OrderLineRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierEventRecord {
    pub id: DossierEventId,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `opened`, `status_changed`, `note`, `message_sent`…
    pub kind: String,
    /// The state the dossier is in after this event, when it changes it.
    pub status_after: Option<DossierStatus>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierRecord {
    pub id: DossierId,
    /// `SAV-<store>-<year>-<sequence>`.
    pub number: String,
    pub store_id: Option<StoreId>,
    pub origin: DossierOrigin,
    pub customer_id: CustomerId,
    pub order_line_id: Option<OrderLineId>,
    pub product_id: Option<ProductId>,
    /// A product declared by the customer when there is no purchase record.
    pub product_label: Option<String>,
    pub reason_code: String,
    pub customer_words: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub events: Vec<DossierEventRecord>,
}

/// The dossier's state is the fold of its events: the last state any event
/// set, in time order (ties broken by event id, which is time-ordered too).
pub fn fold_status(events: &[DossierEventRecord]) -> DossierStatus {
    let mut sorted: Vec<&DossierEventRecord> = events.iter().collect();
    sorted.sort_by_key(|e| (e.at, e.id));
    sorted
        .iter()
        .rev()
        .find_map(|e| e.status_after)
        .unwrap_or(DossierStatus::Opened)
}

/// When the dossier left the counter's hands (closed, cancelled or handed
/// back for good), if it has.
pub fn closed_at(events: &[DossierEventRecord]) -> Option<DateTime<Utc>> {
    let mut sorted: Vec<&DossierEventRecord> = events.iter().collect();
    sorted.sort_by_key(|e| (e.at, e.id));
    let last = sorted.iter().rev().find(|e| e.status_after.is_some())?;
    (!last.status_after?.is_open()).then_some(last.at)
}

/// One timeline line in words.
pub fn event_summary(kind: &str, status_after: Option<DossierStatus>) -> String {
    match (kind, status_after) {
        ("opened", _) => "Dossier ouvert".to_owned(),
        (_, Some(s)) => format!("Statut : {}", s.label_fr()),
        ("note", None) => "Note".to_owned(),
        ("decision", None) => "Décision selon la politique de retour".to_owned(),
        ("approval", None) => "Validation d'un responsable".to_owned(),
        ("message_sent", None) => "Message envoyé au client".to_owned(),
        ("customer_message", None) => "Message du client".to_owned(),
        ("deadline_recomputed", None) => "Délai recalculé (attente du client)".to_owned(),
        ("follow_up_call", None) => "Appel de suivi".to_owned(),
        (other, None) => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ev(min: u32, status: Option<DossierStatus>) -> DossierEventRecord {
        DossierEventRecord {
            id: DossierEventId::new(),
            at: Utc.with_ymd_and_hms(2026, 11, 2, 9, min, 0).unwrap(),
            actor: "test".into(),
            kind: if status.is_some() {
                "status_changed"
            } else {
                "note"
            }
            .into(),
            status_after: status,
            note: None,
        }
    }

    #[test]
    fn status_is_the_fold_of_events_in_time_order() {
        use DossierStatus::*;
        assert_eq!(fold_status(&[]), Opened);
        let events = vec![
            ev(30, Some(Ready)),
            ev(0, Some(Opened)),
            ev(10, Some(WaitingPart)),
            ev(40, None),
        ];
        assert_eq!(
            fold_status(&events),
            Ready,
            "the latest status wins, notes change nothing"
        );
        assert_eq!(closed_at(&events), None);
        let mut closed = events.clone();
        closed.push(ev(50, Some(Closed)));
        assert_eq!(fold_status(&closed), Closed);
        assert_eq!(
            closed_at(&closed),
            Some(Utc.with_ymd_and_hms(2026, 11, 2, 9, 50, 0).unwrap())
        );
    }

    #[test]
    fn display_names_skip_missing_parts() {
        assert_eq!(
            display_name(Some("Mme"), "Hélène", "Dupré"),
            "Mme Hélène Dupré"
        );
        assert_eq!(display_name(None, "Hélène", "Dupré"), "Hélène Dupré");
        assert_eq!(display_name(Some(""), "", "Dupré"), "Dupré");
    }

    #[test]
    fn summaries_are_french() {
        assert_eq!(
            event_summary("opened", Some(DossierStatus::Opened)),
            "Dossier ouvert"
        );
        assert_eq!(
            event_summary("status_changed", Some(DossierStatus::WaitingPart)),
            "Statut : En attente de pièce"
        );
    }
}
