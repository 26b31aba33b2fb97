//! The change envelope: one row of a counter's outbox, as pushed to the
//! server and served back in its feed.
//!
//! This struct MIRRORS `comptoir_core`'s `ChangeEnvelope`, which the `sync`
//! branch (issue 8) is adding to comptoir-core. It is defined here, field for
//! field and with the same serde names, so that the server can be built
//! before that lands; it will be replaced by a re-export
//! (`pub use comptoir_core::…::ChangeEnvelope;`) when it does.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeEnvelope {
    /// The change's id (UUIDv7, born at the counter): pushing it twice
    /// applies it once.
    pub id: Uuid,
    /// What the change is: `dossier.event`, `customer.created`,
    /// `customer.field`…
    #[schema(example = "dossier.event")]
    pub kind: String,
    /// The record the change is about (a dossier, a customer…).
    pub entity_id: Uuid,
    /// The store the change was made at (`LYO1`).
    #[schema(example = "LYO1")]
    pub store_code: String,
    /// The device (counter) that made it.
    pub device_id: Uuid,
    /// Hybrid logical clock stamp: opaque, sorts lexicographically in HLC
    /// order.
    pub hlc: String,
    /// The typed change itself, as JSON.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}
