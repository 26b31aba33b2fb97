//! Changes as they travel: every local change (a dossier event, a customer
//! created or one of its fields edited) is written to the outbox as one
//! [`ChangeEnvelope`], the sync wire format the central server consumes,
//! and every change received from elsewhere arrives as one.
//!
//! The envelope's own fields say what and where (id, kind, entity, store,
//! device, HLC); `payload` carries the rest as JSON. [`Change`] is the typed
//! form; converting an envelope with an unknown kind or a payload that does
//! not decode is a named error, never a silent default.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::customer::CustomerField;
pub use crate::erasure::CustomerErased;
use crate::events::{DossierEvent, EventRecord};
use crate::fulfilment::ShipmentRecord;
use crate::hlc::Hlc;
use crate::ids::{CustomerId, DossierEventId, DossierId};
use crate::records::{CustomerRecord, OrderRecord, ProductRecord};
use crate::{CoreError, Result};

/// `kind` of a dossier event.
pub const KIND_DOSSIER_EVENT: &str = "dossier.event";
/// `kind` of a customer created (at a counter, or anywhere in the chain).
pub const KIND_CUSTOMER_CREATED: &str = "customer.created";
/// `kind` of one field of a customer edited.
pub const KIND_CUSTOMER_FIELD: &str = "customer.field";
/// `kind` of a customer erased on request (RGPD): wins over every edit.
pub const KIND_CUSTOMER_ERASED: &str = "customer.erased";
/// `kind` of a customer imported by head office (web orders import).
pub const KIND_CUSTOMER_IMPORTED: &str = "customer.imported";
/// `kind` of a product imported by head office.
pub const KIND_PRODUCT_IMPORTED: &str = "product.imported";
/// `kind` of an order imported by head office (web shop, marketplace).
pub const KIND_ORDER_IMPORTED: &str = "order.imported";
/// A return policy published by head office (`comptoir-server policy publish`).
pub const KIND_POLICY_PUBLISHED: &str = "policy.published";

/// One change on the wire (and in the outbox): what a counter pushes to the
/// central server and the server serves back in its feed (`comptoir-sync`
/// re-exports it; its OpenAPI schema comes from here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEnvelope {
    /// The change's id (UUIDv7, born at the counter): applying or pushing
    /// the same id twice is a no-op.
    pub id: Uuid,
    /// `dossier.event`, `customer.created`, `customer.field`,
    /// `customer.erased`.
    #[schema(example = "dossier.event")]
    pub kind: String,
    /// The dossier or the customer the change is about.
    pub entity_id: Uuid,
    /// The store of the counter where the change was made (`LYO1`).
    #[schema(example = "LYO1")]
    pub store_code: String,
    /// The device (counter) that made it.
    pub device_id: Uuid,
    /// HLC timestamp as text: sorts lexicographically in HLC order.
    pub hlc: String,
    /// The typed change itself, as JSON.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// One field of a customer edited, with its own HLC timestamp: concurrent
/// edits of one field merge last writer wins, field by field
/// (`crate::customer::fold_customer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFieldChange {
    pub id: Uuid,
    pub customer_id: CustomerId,
    pub hlc: Hlc,
    pub device_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `first_name`, `phones`, `email_marketing`…
    pub field: CustomerField,
    /// The value before, where the change was made (for the history).
    pub old: serde_json::Value,
    /// The new value (`crate::customer::field_value`'s shape for the field).
    pub value: serde_json::Value,
}

/// A customer created, with its HLC timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCreated {
    pub id: Uuid,
    pub hlc: Hlc,
    pub device_id: Uuid,
    pub actor: String,
    pub customer: CustomerRecord,
}

/// A change, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    DossierEvent(EventRecord),
    CustomerCreated(Box<CustomerCreated>),
    CustomerField(CustomerFieldChange),
    /// A customer erased on request: nothing of the identity travels, only
    /// the id, who and when.
    CustomerErased(CustomerErased),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerErasedPayload {
    at: DateTime<Utc>,
    actor: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DossierEventPayload {
    at: DateTime<Utc>,
    actor: String,
    note: Option<String>,
    event: DossierEvent,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerCreatedPayload {
    actor: String,
    customer: CustomerRecord,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerFieldPayload {
    at: DateTime<Utc>,
    actor: String,
    field: CustomerField,
    #[serde(default)]
    old: serde_json::Value,
    value: serde_json::Value,
}

fn to_json<T: Serialize>(kind: &str, v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| CoreError::ChangePayload {
        kind: kind.to_owned(),
        detail: e.to_string(),
    })
}

/// Read from the payload in place (not a copy of it first: a bootstrap
/// decodes millions).
fn from_json<T: serde::de::DeserializeOwned>(kind: &str, v: &serde_json::Value) -> Result<T> {
    T::deserialize(v).map_err(|e| CoreError::ChangePayload {
        kind: kind.to_owned(),
        detail: e.to_string(),
    })
}

impl Change {
    /// The change's id.
    pub fn id(&self) -> Uuid {
        match self {
            Change::DossierEvent(e) => e.id.0,
            Change::CustomerCreated(c) => c.id,
            Change::CustomerField(f) => f.id,
            Change::CustomerErased(x) => x.id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Change::DossierEvent(_) => KIND_DOSSIER_EVENT,
            Change::CustomerCreated(_) => KIND_CUSTOMER_CREATED,
            Change::CustomerField(_) => KIND_CUSTOMER_FIELD,
            Change::CustomerErased(_) => KIND_CUSTOMER_ERASED,
        }
    }

    pub fn hlc(&self) -> Hlc {
        match self {
            Change::DossierEvent(e) => e.hlc,
            Change::CustomerCreated(c) => c.hlc,
            Change::CustomerField(f) => f.hlc,
            Change::CustomerErased(x) => x.hlc,
        }
    }

    /// The envelope for the outbox (and the wire).
    pub fn to_envelope(&self, store_code: &str) -> Result<ChangeEnvelope> {
        let kind = self.kind();
        let (entity_id, device_id, payload) = match self {
            Change::DossierEvent(e) => (
                e.dossier_id.0,
                e.device_id,
                to_json(
                    kind,
                    &DossierEventPayload {
                        at: e.at,
                        actor: e.actor.clone(),
                        note: e.note.clone(),
                        event: e.event.clone(),
                    },
                )?,
            ),
            Change::CustomerCreated(c) => (
                c.customer.id.0,
                c.device_id,
                to_json(
                    kind,
                    &CustomerCreatedPayload {
                        actor: c.actor.clone(),
                        customer: c.customer.clone(),
                    },
                )?,
            ),
            Change::CustomerField(f) => (
                f.customer_id.0,
                f.device_id,
                to_json(
                    kind,
                    &CustomerFieldPayload {
                        at: f.at,
                        actor: f.actor.clone(),
                        field: f.field,
                        old: f.old.clone(),
                        value: f.value.clone(),
                    },
                )?,
            ),
            Change::CustomerErased(x) => (
                x.customer_id.0,
                x.device_id,
                to_json(
                    kind,
                    &CustomerErasedPayload {
                        at: x.at,
                        actor: x.actor.clone(),
                    },
                )?,
            ),
        };
        Ok(ChangeEnvelope {
            id: self.id(),
            kind: kind.to_owned(),
            entity_id,
            store_code: store_code.to_owned(),
            device_id,
            hlc: self.hlc().to_string(),
            payload,
        })
    }

    /// The typed change from an envelope; an unknown kind, a bad HLC or a
    /// payload that does not decode is a named error.
    pub fn from_envelope(env: &ChangeEnvelope) -> Result<Change> {
        let hlc: Hlc = env.hlc.parse()?;
        let kind = env.kind.as_str();
        match kind {
            KIND_DOSSIER_EVENT => {
                let p: DossierEventPayload = from_json(kind, &env.payload)?;
                Ok(Change::DossierEvent(EventRecord {
                    id: DossierEventId(env.id),
                    dossier_id: DossierId(env.entity_id),
                    hlc,
                    device_id: env.device_id,
                    at: p.at,
                    actor: p.actor,
                    note: p.note,
                    event: p.event,
                }))
            }
            KIND_CUSTOMER_CREATED => {
                let p: CustomerCreatedPayload = from_json(kind, &env.payload)?;
                if p.customer.id.0 != env.entity_id {
                    return Err(CoreError::ChangePayload {
                        kind: kind.to_owned(),
                        detail: "customer id differs from the envelope's entity".to_owned(),
                    });
                }
                Ok(Change::CustomerCreated(Box::new(CustomerCreated {
                    id: env.id,
                    hlc,
                    device_id: env.device_id,
                    actor: p.actor,
                    customer: p.customer,
                })))
            }
            KIND_CUSTOMER_FIELD => {
                let p: CustomerFieldPayload = from_json(kind, &env.payload)?;
                Ok(Change::CustomerField(CustomerFieldChange {
                    id: env.id,
                    customer_id: CustomerId(env.entity_id),
                    hlc,
                    device_id: env.device_id,
                    at: p.at,
                    actor: p.actor,
                    field: p.field,
                    old: p.old,
                    value: p.value,
                }))
            }
            KIND_CUSTOMER_ERASED => {
                let p: CustomerErasedPayload = from_json(kind, &env.payload)?;
                Ok(Change::CustomerErased(CustomerErased {
                    id: env.id,
                    customer_id: CustomerId(env.entity_id),
                    hlc,
                    device_id: env.device_id,
                    at: p.at,
                    actor: p.actor,
                }))
            }
            other => Err(CoreError::UnknownChangeKind(
                other.chars().take(64).collect(),
            )),
        }
    }
}

/// A record written by head office (the web orders import) and served to
/// every counter in the feed: the whole record, applied as an upsert by its
/// id, so receiving it twice changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadOfficeRecord {
    Customer(Box<CustomerRecord>),
    Product(ProductRecord),
    Order(ImportedOrder),
    Policy(PublishedPolicy),
}

/// A web order as head office imported it: the order, and its parcels when
/// the web shop's export says what left and when (the payload is the
/// order's JSON with a `shipments` array, absent when there are none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedOrder {
    #[serde(flatten)]
    pub order: OrderRecord,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipments: Vec<ShipmentRecord>,
}

/// A policy document as head office published it: the TOML text, whole
/// (each counter checks it against the format and the legal floor and
/// installs it; the same version again is a no-op).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedPolicy {
    /// The publication's id (the envelope's entity), born at publication.
    pub id: Uuid,
    pub text: String,
}

impl HeadOfficeRecord {
    /// The kinds of head-office records.
    pub const KINDS: [&'static str; 4] = [
        KIND_CUSTOMER_IMPORTED,
        KIND_PRODUCT_IMPORTED,
        KIND_ORDER_IMPORTED,
        KIND_POLICY_PUBLISHED,
    ];

    pub fn kind(&self) -> &'static str {
        match self {
            HeadOfficeRecord::Customer(_) => KIND_CUSTOMER_IMPORTED,
            HeadOfficeRecord::Product(_) => KIND_PRODUCT_IMPORTED,
            HeadOfficeRecord::Order(_) => KIND_ORDER_IMPORTED,
            HeadOfficeRecord::Policy(_) => KIND_POLICY_PUBLISHED,
        }
    }

    /// The record's id (the envelope's entity).
    pub fn entity_id(&self) -> Uuid {
        match self {
            HeadOfficeRecord::Customer(c) => c.id.0,
            HeadOfficeRecord::Product(p) => p.id.0,
            HeadOfficeRecord::Order(o) => o.order.id.0,
            HeadOfficeRecord::Policy(p) => p.id,
        }
    }

    /// The payload of its envelope: the record as JSON.
    pub fn to_payload(&self) -> Result<serde_json::Value> {
        match self {
            HeadOfficeRecord::Customer(c) => to_json(self.kind(), c),
            HeadOfficeRecord::Product(p) => to_json(self.kind(), p),
            HeadOfficeRecord::Order(o) => to_json(self.kind(), o),
            HeadOfficeRecord::Policy(p) => to_json(self.kind(), p),
        }
    }

    /// The record of an envelope of one of [`Self::KINDS`]; `None` for any
    /// other kind; a payload that does not decode, or whose record is not
    /// the envelope's entity, is a named error.
    pub fn from_envelope(env: &ChangeEnvelope) -> Result<Option<HeadOfficeRecord>> {
        let kind = env.kind.as_str();
        let record = match kind {
            KIND_CUSTOMER_IMPORTED => {
                HeadOfficeRecord::Customer(Box::new(from_json(kind, &env.payload)?))
            }
            KIND_PRODUCT_IMPORTED => HeadOfficeRecord::Product(from_json(kind, &env.payload)?),
            KIND_ORDER_IMPORTED => HeadOfficeRecord::Order(from_json(kind, &env.payload)?),
            KIND_POLICY_PUBLISHED => HeadOfficeRecord::Policy(from_json(kind, &env.payload)?),
            _ => return Ok(None),
        };
        env.hlc.parse::<Hlc>()?;
        if let HeadOfficeRecord::Order(o) = &record {
            if o.shipments.iter().any(|s| s.order_id != o.order.id) {
                return Err(CoreError::ChangePayload {
                    kind: kind.to_owned(),
                    detail: "a shipment belongs to another order".to_owned(),
                });
            }
        }
        if record.entity_id() != env.entity_id {
            return Err(CoreError::ChangePayload {
                kind: kind.to_owned(),
                detail: "record id differs from the envelope's entity".to_owned(),
            });
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::DossierAction;
    use chrono::TimeZone;

    fn event() -> Change {
        Change::DossierEvent(EventRecord {
            id: DossierEventId::new(),
            dossier_id: DossierId::new(),
            hlc: Hlc {
                physical_ms: 1_764_580_000_000,
                logical: 2,
            },
            device_id: Uuid::now_v7(),
            at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
            actor: "Julie".into(),
            note: Some("Carte mère changée".into()),
            event: DossierEvent::Action {
                action: DossierAction::Diagnose,
            },
        })
    }

    #[test]
    fn an_event_round_trips_through_the_envelope_and_its_json() {
        let c = event();
        let env = c.to_envelope("LYO1").unwrap();
        assert_eq!(env.kind, "dossier.event");
        assert_eq!(env.hlc, "0001764580000000-00002");
        assert_eq!(env.store_code, "LYO1");
        let text = serde_json::to_string(&env).unwrap();
        let back: ChangeEnvelope = serde_json::from_str(&text).unwrap();
        assert_eq!(Change::from_envelope(&back).unwrap(), c);
    }

    #[test]
    fn bad_envelopes_are_named_errors() {
        let env = event().to_envelope("LYO1").unwrap();
        let unknown = ChangeEnvelope {
            kind: "dossier.teleported".into(),
            ..env.clone()
        };
        assert_eq!(
            Change::from_envelope(&unknown).unwrap_err().code(),
            "unknown_change_kind"
        );
        let mut bad = env.clone();
        bad.payload["event"] = serde_json::json!({"type": "action", "action": "fly"});
        assert_eq!(
            Change::from_envelope(&bad).unwrap_err().code(),
            "change_payload_invalid"
        );
        let mut missing = env.clone();
        missing.payload.as_object_mut().unwrap().remove("actor");
        assert_eq!(
            Change::from_envelope(&missing).unwrap_err().code(),
            "change_payload_invalid"
        );
        let hlc = ChangeEnvelope {
            hlc: "tomorrow".into(),
            ..env
        };
        assert_eq!(
            Change::from_envelope(&hlc).unwrap_err().code(),
            "invalid_hlc"
        );
    }
}
