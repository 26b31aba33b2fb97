//! Request and response bodies of the server's HTTP API. Every error body is
//! [`ApiErrorBody`]: a stable `code` and a French `message`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ChangeEnvelope;

/// Every refusal the server sends: `{"code": "…", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorBody {
    /// Stable, for programs (`unauthorized`, `batch_too_large`…).
    pub code: String,
    /// In French, for the person at the counter.
    pub message: String,
}

/// `POST /v1/enrol`: a counter exchanges a one-time enrolment code for its
/// device credential.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The code printed by `comptoir-server device enrol`.
    pub code: String,
    /// A name for the counter (`Comptoir SAV 1`), shown in `device list`.
    pub device_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrolResponse {
    pub device_id: Uuid,
    pub store_code: String,
    /// The device's bearer token: shown once, kept by the counter; the
    /// server only keeps its hash.
    pub token: String,
}

/// `POST /v1/push`: a batch of the counter's outbox.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub changes: Vec<ChangeEnvelope>,
}

/// What became of one pushed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PushOutcome {
    /// Stored and given a place in the feed.
    Applied,
    /// Seen before (same change id): acknowledged, not applied again.
    Duplicate,
    /// Refused (see `code` and `reason`); the changes after it are not
    /// blocked.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushResult {
    pub id: Uuid,
    pub outcome: PushOutcome,
    /// For a rejection: a stable code (`unknown_kind`, `hlc_ahead`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For a rejection: why, in French.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One result per pushed change, in the order they were pushed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    pub results: Vec<PushResult>,
}

/// One change in the feed, with its position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedChange {
    /// The feed position of this change (opaque; pass it back as `after`).
    pub cursor: String,
    /// `store` (only for its store) or `chain` (for every counter).
    pub scope: String,
    pub change: ChangeEnvelope,
}

/// `GET /v1/pull?after=CURSOR&limit=N`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    pub changes: Vec<FeedChange>,
    /// Where to continue from: the last change's cursor, or the request's
    /// when nothing new is visible.
    pub cursor: String,
    /// True when the batch was full: pull again at once.
    pub more: bool,
}

/// `GET /v1/bootstrap?after=CURSOR`: the first line of the stream (the body
/// is newline-delimited JSON, gzip-compressed when the client accepts it).
/// Then one [`FeedChange`] a line, in feed order, then one
/// [`BootstrapEnd`] line. A stream that stops before its end line was cut:
/// the client keeps what it applied and asks again after its cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BootstrapHeader {
    /// Changes visible after `after` when the stream started (for a
    /// progress bar: the stream may end with a few more or fewer).
    pub total: u64,
    /// Where the stream starts (the request's cursor).
    pub after: String,
}

/// The last line of a complete bootstrap stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BootstrapEnd {
    /// Changes sent in this stream.
    pub sent: u64,
    /// Where to follow the feed from (`GET /v1/pull?after=…`).
    pub cursor: String,
}

/// One line of a bootstrap stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BootstrapLine {
    Header(BootstrapHeader),
    Change(FeedChange),
    End(BootstrapEnd),
}

/// `POST /v1/audit`: a batch of the counter's audit entries, in number
/// order, for its own store. They are kept at head office (one chain per
/// device), never served to other counters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPushRequest {
    /// The counter's store (`LYO1`): another store's is refused (403).
    pub store_code: String,
    pub entries: Vec<crate::AuditRecord>,
}

/// What became of one audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Checked against the entry before it and stored.
    Stored,
    /// Already stored, the same (same number and hash): acknowledged.
    Duplicate,
    /// Refused (see `code` and `reason`): nothing stored for it, and the
    /// entries after it in the batch are refused too (the chain goes on
    /// only from an entry head office holds).
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditResult {
    pub seq: i64,
    pub outcome: AuditOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One result per entry, in the order they were sent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPushResponse {
    pub results: Vec<AuditResult>,
}
