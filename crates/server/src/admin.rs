//! What the `store`, `device` and `policy` subcommands do, callable from
//! tests.

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

/// A policy published to every counter.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyPublished {
    pub id: String,
    pub version: String,
    pub effective_from: chrono::NaiveDate,
    /// The feed change that carries it.
    pub change_id: uuid::Uuid,
}

/// Publishes a return policy: checked here as each counter will check it
/// (the document's format and the legal floor, `Policy::from_toml`), then
/// served to every store in the feed as a `policy.published` record. A
/// refused document is stored nowhere.
pub async fn publish_policy(
    storage: &dyn Storage,
    text: &str,
    now: DateTime<Utc>,
) -> Result<PolicyPublished> {
    use comptoir_core::changes::HeadOfficeRecord;
    let policy = comptoir_core::policy::Policy::from_toml(text)
        .map_err(|e| crate::error::ApiError::PolicyInvalid(e.message_fr()))?;
    let record = HeadOfficeRecord::Policy(comptoir_core::changes::PublishedPolicy {
        id: uuid::Uuid::now_v7(),
        text: text.to_owned(),
    });
    let payload = record
        .to_payload()
        .map_err(|e| crate::error::ApiError::PolicyInvalid(e.message_fr()))?;
    let change =
        crate::import::apply::server_change(record.kind(), record.entity_id(), payload, now);
    let change_id = change.envelope.id;
    storage.insert_changes(&[change]).await?;
    Ok(PolicyPublished {
        id: policy.id,
        version: policy.version,
        effective_from: policy.effective_from,
        change_id,
    })
}
