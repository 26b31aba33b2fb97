//! The sync protocol between a counter and the central server: the change
//! envelope (one outbox row) and the wire types of enrolment, push and pull.
//!
//! The counter's client comes later (issue 10, once the outbox of issue 8
//! lands); the server uses these types today, and `/openapi.json` documents
//! them (utoipa `ToSchema`).
#![forbid(unsafe_code)]

pub mod envelope;
pub mod protocol;

pub use comptoir_core::audit::AuditRecord;
pub use envelope::ChangeEnvelope;
pub use protocol::*;
