//! Store business calendars: opening hours, closures, holiday region.

use comptoir_core::calendar::{BusinessCalendar, CalendarConfig};
use comptoir_core::ids::StoreId;
use sqlx::SqliteConnection;

use crate::{Result, Store, StoreError};

impl Store {
    /// The business calendar of a store (its own, or the default one).
    pub(crate) async fn calendar_of(
        conn: &mut SqliteConnection,
        store: Option<StoreId>,
    ) -> Result<BusinessCalendar> {
        let config: Option<String> = match store {
            Some(id) => {
                sqlx::query_scalar("SELECT config FROM store_calendars WHERE store_id = ?")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        calendar_from(config.as_deref())
    }

    /// Sets a store's business calendar (validated before it is stored).
    pub async fn set_store_calendar(
        &self,
        store_code: &str,
        config: &CalendarConfig,
    ) -> Result<()> {
        BusinessCalendar::new(config.clone())?;
        let json = crate::projection::encode("calendrier du magasin", config)?;
        let done = sqlx::query(
            "INSERT INTO store_calendars (store_id, config) SELECT id, ? FROM stores WHERE code = ?
             ON CONFLICT (store_id) DO UPDATE SET config = excluded.config",
        )
        .bind(json)
        .bind(store_code)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "magasin" });
        }
        Ok(())
    }

    /// The calendar of a store by its code (for `comptoir-ctl calendar`).
    pub async fn store_calendar(&self, store_code: &str) -> Result<BusinessCalendar> {
        let mut conn = self.pool.acquire().await?;
        let id: Option<StoreId> = sqlx::query_scalar("SELECT id FROM stores WHERE code = ?")
            .bind(store_code)
            .fetch_optional(&mut *conn)
            .await?;
        let id = id.ok_or(StoreError::NotFound { what: "magasin" })?;
        Self::calendar_of(&mut conn, Some(id)).await
    }

    pub(crate) async fn local_calendar(conn: &mut SqliteConnection) -> Result<BusinessCalendar> {
        // This counter's store and its calendar in one query.
        let config: Option<Option<String>> = sqlx::query_scalar(
            "SELECT c.config FROM stores s
             JOIN settings k ON k.key = 'store_code' AND k.value = s.code
             LEFT JOIN store_calendars c ON c.store_id = s.id",
        )
        .fetch_optional(&mut *conn)
        .await?;
        calendar_from(config.flatten().as_deref())
    }
}

/// A stored calendar configuration (JSON), or the default one.
fn calendar_from(json: Option<&str>) -> Result<BusinessCalendar> {
    let config: CalendarConfig = match json {
        Some(json) => crate::projection::decode("calendrier du magasin", json)?,
        None => CalendarConfig::default(),
    };
    Ok(BusinessCalendar::new(config)?)
}
