//! What the `store` and `device` subcommands do, callable from tests.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::auth;
use crate::error::Result;
use crate::storage::Storage;

#[derive(Debug, Clone, Serialize)]
pub struct EnrolCode {
    pub store_code: String,
    /// Shown once; only its hash is stored.
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// A one-time enrolment code for a store, valid `ttl_secs`.
pub async fn enrol_code(
    storage: &dyn Storage,
    store_code: &str,
    ttl_secs: i64,
    now: DateTime<Utc>,
) -> Result<EnrolCode> {
    let code = auth::new_enrol_code();
    let expires_at = now + Duration::seconds(ttl_secs);
    storage
        .create_enrolment(
            store_code,
            &auth::hash_secret(&auth::normalize_enrol_code(&code)),
            now,
            expires_at,
        )
        .await?;
    Ok(EnrolCode {
        store_code: store_code.to_owned(),
        code,
        expires_at,
    })
}
