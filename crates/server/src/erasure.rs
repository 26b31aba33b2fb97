//! Erasure on the server (RGPD, art. 17): what a counter's
//! `customer.erased` makes head office redact, in the transaction that
//! stores it (`storage::*::apply_erasure`), and the check of every change
//! stored afterwards. The redaction itself is comptoir-core's
//! `erasure::redact_payload`, the rule a counter applies to the changes it
//! still holds: customer records become the tombstone, field edits the
//! tombstone's value, dossier events lose every free text. Feed positions
//! and change ids stay, so counters that already applied a change are not
//! sent it again, and one that bootstraps later never receives the identity.

use chrono::{DateTime, Utc};
use comptoir_core::changes::{
    Change, KIND_CUSTOMER_CREATED, KIND_CUSTOMER_ERASED, KIND_CUSTOMER_FIELD,
    KIND_CUSTOMER_IMPORTED, KIND_DOSSIER_EVENT,
};
use comptoir_sync::ChangeEnvelope;
use uuid::Uuid;

use crate::error::{ApiError, Result};

/// A customer erased, as the server applies it.
#[derive(Debug, Clone)]
pub struct Erasure {
    pub customer_id: Uuid,
    pub change_id: Uuid,
    pub store_code: String,
    pub device_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
}

/// What applying one erasure redacted (the server's audit entry says it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Redacted {
    /// Customer changes (created, imported, field edits) rewritten.
    pub customer_changes: u32,
    /// Dossier events whose free texts were replaced.
    pub dossier_events: u32,
    /// Rows of the import's matching table rewritten as the tombstone.
    pub import_matches: u32,
}

impl Redacted {
    pub fn detail(&self, x: &Erasure) -> serde_json::Value {
        serde_json::json!({
            "change_id": x.change_id,
            "device_id": x.device_id,
            "customer_changes_redacted": self.customer_changes,
            "dossier_events_redacted": self.dossier_events,
            "import_matches_redacted": self.import_matches,
        })
    }
}

/// The erasure a change is, if it is one.
pub fn erasure_of(e: &ChangeEnvelope) -> Option<Erasure> {
    if e.kind != KIND_CUSTOMER_ERASED {
        return None;
    }
    match Change::from_envelope(e).ok()? {
        Change::CustomerErased(x) => Some(Erasure {
            customer_id: x.customer_id.0,
            change_id: x.id,
            store_code: e.store_code.clone(),
            device_id: x.device_id,
            at: x.at,
            actor: x.actor,
        }),
        _ => None,
    }
}

/// The kinds whose entity is a customer and that may hold its identity.
pub const CUSTOMER_KINDS: [&str; 3] = [
    KIND_CUSTOMER_CREATED,
    KIND_CUSTOMER_IMPORTED,
    KIND_CUSTOMER_FIELD,
];

/// The customer a change is about, when its own payload says so: the
/// entity of a customer change, the customer of a dossier's opening.
/// `None` for a later dossier event (the caller looks up its opening).
pub fn customer_of(e: &ChangeEnvelope) -> Option<Uuid> {
    if CUSTOMER_KINDS.contains(&e.kind.as_str()) {
        return Some(e.entity_id);
    }
    if e.kind == KIND_DOSSIER_EVENT && e.payload["event"]["type"] == "opened" {
        return e.payload["event"]["customer_id"]
            .as_str()
            .and_then(|s| s.parse().ok());
    }
    None
}

/// The payload a change keeps once its customer is erased (`None`: nothing
/// of the identity in it).
pub fn redacted(e: &ChangeEnvelope, erased_at: DateTime<Utc>) -> Result<Option<serde_json::Value>> {
    comptoir_core::erasure::redact_payload(e, erased_at).map_err(|err| {
        ApiError::BadJson(format!(
            "changement {} ({}) illisible pendant un effacement : {}",
            e.id,
            e.kind,
            err.message_fr()
        ))
    })
}

/// The import's matching row of an erased customer, as the tombstone (no
/// e-mail or phone to match on).
pub fn tombstone_record(
    record: &serde_json::Value,
    at: DateTime<Utc>,
) -> Option<serde_json::Value> {
    let c: comptoir_core::records::CustomerRecord = serde_json::from_value(record.clone()).ok()?;
    serde_json::to_value(comptoir_core::erasure::tombstone(c.id, c.created_at, at)).ok()
}
