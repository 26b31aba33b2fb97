//! Dossier numbers: `SAV-<store>-<year>-<counter><sequence>`, e.g.
//! `SAV-LYO1-2026-B00042`. The counter code makes two counters of one
//! store, both offline, unable to give the same number; the sequence is per
//! counter and year, starts above every number already known, and a
//! refused intake burns none (it is taken in the intake's transaction).
//! See docs/ARCHITECTURE.md, "Dossier numbers".

use comptoir_core::dossier::{counter_code_from_device, dossier_number, MAX_SEQUENCE};
use sqlx::SqliteConnection;

use crate::{Result, StoreError};

/// This counter's code: the `counter_code` setting (one letter, given
/// when the counter is installed or registered), else two characters
/// derived from its device id.
pub(crate) async fn counter_code(conn: &mut SqliteConnection) -> Result<String> {
    let set: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'counter_code'")
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(code) = set {
        return Ok(code);
    }
    let device = crate::clock::device_id(conn).await?;
    Ok(counter_code_from_device(device))
}

/// The next number for this counter in `store_code` and `year`.
pub(crate) async fn next_number(
    conn: &mut SqliteConnection,
    store_code: &str,
    year: i32,
) -> Result<String> {
    let code = counter_code(conn).await?;
    let prefix = format!("{store_code}-{code}");
    const BUMP: &str =
        "UPDATE dossier_sequences SET last = last + 1 WHERE prefix = ? AND year = ? RETURNING last";
    let mut last: Option<i64> = sqlx::query_scalar(BUMP)
        .bind(&prefix)
        .bind(year)
        .fetch_optional(&mut *conn)
        .await?;
    if last.is_none() {
        // First dossier of this counter and year here: start above every
        // number of this counter already known (a range scan on the unique
        // number index).
        let start = dossier_number(store_code, year, &code, 0);
        let head = &start[..start.len() - 5];
        sqlx::query(
            "INSERT INTO dossier_sequences (prefix, year, last)
             SELECT ?1, ?2, COALESCE(MAX(CAST(substr(number, -5) AS INTEGER)), 0) FROM dossiers
             WHERE number >= ?3 AND number < ?4 AND length(number) = ?5
             ON CONFLICT (prefix, year) DO NOTHING",
        )
        .bind(&prefix)
        .bind(year)
        .bind(head)
        .bind(format!("{head}\u{7f}"))
        .bind(i64::try_from(start.len()).unwrap_or(0))
        .execute(&mut *conn)
        .await?;
        last = sqlx::query_scalar(BUMP)
            .bind(&prefix)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
    }
    let last = last.ok_or(StoreError::NumbersExhausted)?;
    let seq = u32::try_from(last).map_err(|_| StoreError::NumbersExhausted)?;
    if seq > MAX_SEQUENCE {
        return Err(StoreError::NumbersExhausted);
    }
    Ok(dossier_number(store_code, year, &code, seq))
}

impl crate::Store {
    /// Gives this counter its letter in dossier numbers (once, at
    /// installation: changing it later would start a new series).
    pub async fn set_counter_code(&self, code: &str) -> Result<()> {
        comptoir_core::dossier::check_counter_code(code)?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        crate::write::set_setting(&mut tx, "counter_code", code).await?;
        tx.commit().await?;
        Ok(())
    }

    /// This counter's code in dossier numbers.
    pub async fn counter_code(&self) -> Result<String> {
        let mut conn = self.pool.acquire().await?;
        counter_code(&mut conn).await
    }
}
