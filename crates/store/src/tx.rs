//! Write transactions take the write lock when they start (`BEGIN
//! IMMEDIATE`), so the counter's writers (the clerk, the background sync,
//! `comptoir-ctl`) queue on the busy timeout instead of failing halfway.

use sqlx::{Connection, Sqlite, SqliteConnection};

use crate::{Result, StoreError};

/// Begins a write transaction holding the write lock; a lock still held by
/// another writer after the busy timeout is [`StoreError::Busy`].
pub async fn begin_write(conn: &mut SqliteConnection) -> Result<sqlx::Transaction<'_, Sqlite>> {
    conn.begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.code().as_deref() == Some("5") => StoreError::Busy,
            _ => StoreError::Sqlx(e),
        })
}
