//! The counter's reference data and settings: SAV reasons with their
//! promise, closing-message templates, the local store, counter settings.

use crate::{Result, Store, StoreError};
use comptoir_core::calendar::DeadlinePromise;
use comptoir_core::ids::*;
use comptoir_core::session;
use serde::Serialize;

/// The setting holding the idle time (minutes) after which a counter
/// session locks.
pub const IDLE_LOCK_MINUTES: &str = "idle_lock_minutes";

/// A reason of the taxonomy, for the intake form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, sqlx::FromRow)]
#[ts(export)]
pub struct ReasonView {
    pub code: String,
    pub label: String,
    /// "48 heures ouvrées".
    #[sqlx(skip)]
    pub promise_label: String,
    #[serde(skip)]
    #[ts(skip)]
    pub promise_unit: String,
    #[serde(skip)]
    #[ts(skip)]
    pub promise_count: i64,
    pub conformity: bool,
}

impl ReasonView {
    pub(crate) fn promise(&self) -> DeadlinePromise {
        let n = u32::try_from(self.promise_count).unwrap_or(48);
        if self.promise_unit == "working_days" {
            DeadlinePromise::WorkingDays(n)
        } else {
            DeadlinePromise::WorkingHours(n)
        }
    }
}

/// A closing-message template, for the closure form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, sqlx::FromRow)]
#[ts(export)]
pub struct TemplateView {
    pub code: String,
    pub title: String,
    pub body: String,
}

impl Store {
    /// The active reasons, in display order.
    pub async fn reasons(&self) -> Result<Vec<ReasonView>> {
        let mut rows: Vec<ReasonView> = sqlx::query_as(
            "SELECT code, label, promise_unit, promise_count, conformity FROM reasons
             WHERE active = 1 ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &mut rows {
            r.promise_label = r.promise().label_fr();
        }
        Ok(rows)
    }

    /// The closing-message templates.
    pub async fn message_templates(&self) -> Result<Vec<TemplateView>> {
        Ok(
            sqlx::query_as("SELECT code, title, body FROM message_templates ORDER BY code")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// This counter's store with its address (for printed documents).
    pub async fn local_store_record(&self) -> Result<Option<comptoir_core::records::StoreRecord>> {
        type StoreRow = (
            StoreId,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        let row: Option<StoreRow> = sqlx::query_as(
            "SELECT s.id, s.code, s.name, s.address, s.postal_code, s.city, s.phone, s.timezone
                 FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(id, code, name, address, postal_code, city, phone, timezone)| {
                comptoir_core::records::StoreRecord {
                    id,
                    code,
                    name,
                    address,
                    postal_code,
                    city,
                    phone,
                    timezone,
                }
            },
        ))
    }

    /// A counter setting (`printer`, `clerk`, `tracking_url`…).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The idle time after which a counter session locks, in minutes (the
    /// default when unset; a stored value out of bounds is ignored).
    pub async fn idle_lock_minutes(&self) -> Result<u32> {
        let stored = self.setting(IDLE_LOCK_MINUTES).await?;
        Ok(stored
            .as_deref()
            .and_then(|v| {
                session::parse_idle_minutes(v)
                    .inspect_err(|_| tracing::warn!(value = v, "idle lock setting ignored"))
                    .ok()
            })
            .unwrap_or(session::IDLE_LOCK_DEFAULT_MINUTES))
    }

    /// A manager sets the idle time (whole minutes, 1 to 240; anything else
    /// is refused in French, nothing written); audited in their name.
    pub async fn set_idle_lock_minutes(&self, value: &str, actor: &str) -> Result<u32> {
        let minutes = session::parse_idle_minutes(value)?;
        self.set_setting_as(IDLE_LOCK_MINUTES, &minutes.to_string(), actor)
            .await?;
        Ok(minutes)
    }

    /// Sets (or, with an empty value, removes) a counter setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.set_setting_as(key, value, "poste").await
    }

    /// [`Store::set_setting`], the change audited in `actor`'s name.
    pub async fn set_setting_as(&self, key: &str, value: &str, actor: &str) -> Result<()> {
        comptoir_core::bounds::check_short_text("setting", key)?;
        comptoir_core::bounds::check_short_text("setting", value)?;
        if matches!(
            key,
            "store_code" | "device_id" | "hlc_last" | "counter_code"
        ) {
            return Err(StoreError::SettingReserved {
                key: key.to_owned(),
            });
        }
        if key == IDLE_LOCK_MINUTES && !value.trim().is_empty() {
            session::parse_idle_minutes(value)?;
        }
        if key == comptoir_core::signals::THRESHOLDS_SETTING && !value.trim().is_empty() {
            comptoir_core::signals::SignalThresholds::from_json(value)?;
        }
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let before: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        let value = value.trim();
        if value.is_empty() {
            sqlx::query("DELETE FROM settings WHERE key = ?")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        } else {
            crate::write::set_setting(&mut tx, key, value).await?;
        }
        let after = (!value.is_empty()).then_some(value);
        if before.as_deref() != after {
            crate::audit::append(
                &mut tx,
                chrono::Utc::now(),
                actor,
                crate::audit::SETTING_CHANGED,
                key,
                &serde_json::json!({ "before": before, "after": after }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
