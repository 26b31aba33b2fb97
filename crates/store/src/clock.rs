//! This counter's device id and hybrid logical clock, kept in `settings`
//! so the clock never goes backwards across restarts. The clock is read and
//! written inside each write transaction (which holds the write lock), so
//! the app, the background sync and `comptoir-ctl` share one clock.

use chrono::{DateTime, Utc};
use comptoir_core::hlc::Hlc;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::{Result, StoreError};

const DEVICE_KEY: &str = "device_id";
const HLC_KEY: &str = "hlc_last";

/// Gives the counter its device id (UUIDv7) on first start.
pub(crate) async fn ensure_device(conn: &mut SqliteConnection) -> Result<Uuid> {
    sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
        .bind(DEVICE_KEY)
        .bind(Uuid::now_v7().to_string())
        .execute(&mut *conn)
        .await?;
    device_id(conn).await
}

pub(crate) async fn device_id(conn: &mut SqliteConnection) -> Result<Uuid> {
    let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(DEVICE_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    let text = text.ok_or(StoreError::StoredDataInvalid {
        what: "identifiant du poste",
        detail: "missing device_id".to_owned(),
    })?;
    Uuid::parse_str(&text).map_err(|e| StoreError::StoredDataInvalid {
        what: "identifiant du poste",
        detail: e.to_string(),
    })
}

/// The clock as read at the start of a write transaction.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    pub device_id: Uuid,
    last: Hlc,
    changed: bool,
}

impl Clock {
    pub async fn load(conn: &mut SqliteConnection) -> Result<Clock> {
        let device_id = match device_id(&mut *conn).await {
            Ok(d) => d,
            Err(_) => ensure_device(&mut *conn).await?,
        };
        let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(HLC_KEY)
            .fetch_optional(&mut *conn)
            .await?;
        let last =
            match text {
                Some(t) => t.parse().map_err(|e: comptoir_core::CoreError| {
                    StoreError::StoredDataInvalid {
                        what: "horloge du poste",
                        detail: e.to_string(),
                    }
                })?,
                None => Hlc::ZERO,
            };
        Ok(Clock {
            device_id,
            last,
            changed: false,
        })
    }

    /// A timestamp for a local change made at `now`.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Hlc {
        self.last = self.last.tick(now);
        self.changed = true;
        self.last
    }

    /// Moves past a timestamp seen here (received, or already on a
    /// dossier); refuses one more than a day ahead of `now`.
    pub fn receive(&mut self, seen: Hlc, now: DateTime<Utc>) -> Result<()> {
        if seen > self.last {
            self.last = self.last.receive(seen, now)?;
            self.changed = true;
        }
        Ok(())
    }

    /// Moves past a timestamp already stored here (no future check: it is
    /// ours already).
    pub fn observe(&mut self, seen: Hlc) {
        if seen > self.last {
            self.last = seen;
            self.changed = true;
        }
    }

    pub async fn save(&self, conn: &mut SqliteConnection) -> Result<()> {
        if self.changed {
            crate::rows::set_setting(conn, HLC_KEY, &self.last.to_string()).await?;
        }
        Ok(())
    }
}
