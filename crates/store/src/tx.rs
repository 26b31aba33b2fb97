//! The one way a write transaction starts. `BEGIN IMMEDIATE` takes SQLite's
//! write lock at once, so the busy timeout applies there: concurrent writers
//! (other counters' processes, the app, `comptoir-ctl`, the sync task) queue
//! for the lock instead of failing. A deferred `BEGIN` would read first and
//! then fail at its first write with `SQLITE_BUSY` (or `SQLITE_BUSY_SNAPSHOT`),
//! without waiting, as soon as another writer had committed in between.

use sqlx::{Connection, Sqlite, SqliteConnection};

use crate::Result;

/// Starts a write transaction holding the write lock. Waits up to the busy
/// timeout for it; a real timeout is [`crate::StoreError::Busy`].
pub(crate) async fn begin_write(
    conn: &mut SqliteConnection,
) -> Result<sqlx::Transaction<'_, Sqlite>> {
    Ok(conn.begin_with("BEGIN IMMEDIATE").await?)
}

/// Where a change comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Made at this counter: validated strictly, and queued in the outbox.
    Local,
    /// Received (from the server): kept even when it conflicts.
    Received,
}
