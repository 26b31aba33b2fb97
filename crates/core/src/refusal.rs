//! How an error crosses to whoever reads it — the app's UI, `comptoir-ctl`'s
//! stderr, later the server's HTTP body: `{code, message}`, a stable code for
//! programs and a French message for people. One shape, one mapping
//! ([`ErrorBody::of`]) from every crate's error enum.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An error as the UI (and scripts) receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "CommandError")]
pub struct ErrorBody {
    /// Stable, machine-readable (`db_missing`, `query_too_short`, …).
    pub code: String,
    /// What the clerk reads, in French.
    pub message: String,
}

/// An error with a stable code and a French message.
pub trait Refusal {
    fn code(&self) -> &str;
    fn message_fr(&self) -> String;
}

impl ErrorBody {
    /// The one mapping from an error to `{code, message}`.
    pub fn of(e: &impl Refusal) -> ErrorBody {
        ErrorBody {
            code: e.code().to_owned(),
            message: e.message_fr(),
        }
    }
}

impl Refusal for crate::CoreError {
    fn code(&self) -> &str {
        crate::CoreError::code(self)
    }
    fn message_fr(&self) -> String {
        crate::CoreError::message_fr(self)
    }
}
