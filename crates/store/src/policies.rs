//! The return policy documents: installed (checked against the legal floor),
//! versioned and dated; the one in force on a day.

use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use comptoir_core::policy::{Policy, DEFAULT_POLICY_TOML};
use serde::Serialize;
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A policy document installed on this counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PolicyInfo {
    pub id: String,
    pub version: String,
    pub effective_from: NaiveDate,
}

/// A stored policy document, parsed and checked once per process: a
/// published text never changes, and reading it (TOML, then the legal-floor
/// check) was most of the cost of each ruling at the counter.
pub(crate) fn parsed_policy(text: &str) -> Result<Arc<Policy>> {
    static PARSED: OnceLock<Mutex<HashMap<String, Arc<Policy>>>> = OnceLock::new();
    let cache = PARSED.get_or_init(Mutex::default);
    if let Some(p) = cache.lock().ok().and_then(|c| c.get(text).cloned()) {
        return Ok(p);
    }
    let policy = Arc::new(Policy::from_toml(text)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(text.to_owned(), Arc::clone(&policy));
    }
    Ok(policy)
}

impl Store {
    /// Installs a policy document (checked against its format and the legal
    /// floor first). Installing the same version again is a no-op; the same
    /// id and version with another text is refused.
    pub async fn install_policy(&self, text: &str, now: DateTime<Utc>) -> Result<PolicyInfo> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let info = install_policy_in(&mut tx, text, now).await?;
        tx.commit().await?;
        Ok(info)
    }

    /// Installs the policy shipped with the app when the counter has none.
    pub async fn ensure_default_policy(&self, now: DateTime<Utc>) -> Result<()> {
        let any: bool = sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM policies)")
            .fetch_one(&self.pool)
            .await?;
        if !any {
            self.install_policy(DEFAULT_POLICY_TOML, now).await?;
        }
        Ok(())
    }

    /// The policy in force on a date: the latest effective on or before it.
    pub(crate) async fn policy_on(
        conn: &mut SqliteConnection,
        day: NaiveDate,
    ) -> Result<Arc<Policy>> {
        let text: Option<String> = sqlx::query_scalar(
            "SELECT document FROM policies WHERE effective_from <= ?
             ORDER BY effective_from DESC, installed_at DESC LIMIT 1",
        )
        .bind(day)
        .fetch_optional(conn)
        .await?;
        let text = text.ok_or(StoreError::NoPolicy)?;
        parsed_policy(&text)
    }

    /// The policy in force today at this counter.
    pub async fn current_policy(&self, now: DateTime<Utc>) -> Result<PolicyInfo> {
        let mut conn = self.pool.acquire().await?;
        let calendar = Self::local_calendar(&mut conn).await?;
        let p = Self::policy_on(&mut conn, calendar.local_date(now)).await?;
        Ok(PolicyInfo {
            id: p.id.clone(),
            version: p.version.clone(),
            effective_from: p.effective_from,
        })
    }
}

/// [`Store::install_policy`] in the caller's transaction (a policy head
/// office published, received with the sync).
pub(crate) async fn install_policy_in(
    conn: &mut sqlx::SqliteConnection,
    text: &str,
    now: DateTime<Utc>,
) -> Result<PolicyInfo> {
    let policy = Policy::from_toml(text)?;
    let existing: Option<String> =
        sqlx::query_scalar("SELECT document FROM policies WHERE id = ? AND version = ?")
            .bind(&policy.id)
            .bind(&policy.version)
            .fetch_optional(&mut *conn)
            .await?;
    match existing {
        Some(doc) if doc == text => {}
        Some(_) => {
            return Err(StoreError::PolicyVersionConflict {
                id: policy.id.clone(),
                version: policy.version.clone(),
            })
        }
        None => {
            sqlx::query(
                "INSERT INTO policies (id, version, effective_from, document, installed_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&policy.id)
            .bind(&policy.version)
            .bind(policy.effective_from)
            .bind(text)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(PolicyInfo {
        id: policy.id,
        version: policy.version,
        effective_from: policy.effective_from,
    })
}
