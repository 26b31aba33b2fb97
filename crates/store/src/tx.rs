//! The one way a write transaction starts.
//!
//! `BEGIN IMMEDIATE` takes SQLite's write lock at once, so the busy timeout
//! applies there: concurrent writers (other counters' processes, the app,
//! `comptoir-ctl`, the sync task) queue for the lock instead of failing. A
//! deferred `BEGIN` would read first and then fail at its first write with
//! `SQLITE_BUSY` (or `SQLITE_BUSY_SNAPSHOT`), without waiting, as soon as
//! another writer had committed in between.
//!
//! Before it, a writer takes the database's **write gate**: an advisory lock
//! (`flock`, through `std::fs::File::lock`) on the file `<db>.write-lock`,
//! held until the transaction ends. SQLite's own busy handler polls the
//! write lock with growing sleeps (1, 2, 5, 10 … 100 ms), so under four
//! writers a waiter often slept long after the lock was free; the kernel
//! hands a released `flock` to a waiter at once. The gate is advisory and
//! only orders Comptoir's own writers: a writer that does not take it (the
//! `sqlite3` shell, a migration) still meets SQLite's lock and busy timeout,
//! which stay the rule. If the gate file cannot be opened (a read-only
//! folder), the write goes on without it.

use std::fs::{File, OpenOptions, TryLockError};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

use sqlx::{Connection, Sqlite, SqliteConnection, Transaction};

use crate::open::BUSY_TIMEOUT;
use crate::{Result, StoreError};

/// The write gate of one database file.
#[derive(Debug)]
pub(crate) struct WriteGate {
    path: PathBuf,
}

impl WriteGate {
    pub fn for_database(db: &Path) -> WriteGate {
        let mut name = db.as_os_str().to_owned();
        name.push(".write-lock");
        WriteGate {
            path: PathBuf::from(name),
        }
    }

    /// Waits for the gate, at most the busy timeout (then `db_busy`).
    async fn enter(&self) -> Result<Option<File>> {
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)
        {
            Ok(f) => f,
            Err(e) => {
                tracing::debug!(error = %e, path = %self.path.display(), "write gate unavailable");
                return Ok(None);
            }
        };
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                tracing::debug!(error = %e, "write gate not lockable");
                return Ok(None);
            }
        }
        // Someone writes: wait on a blocking thread. If the wait times out,
        // the thread still gets the lock later and releases it at once (the
        // file is dropped with the result nobody reads).
        let wait = tokio::task::spawn_blocking(move || file.lock().map(|()| file));
        match tokio::time::timeout(BUSY_TIMEOUT, wait).await {
            Ok(Ok(Ok(file))) => Ok(Some(file)),
            Ok(Ok(Err(e))) => {
                tracing::debug!(error = %e, "write gate not lockable");
                Ok(None)
            }
            Ok(Err(join)) => {
                tracing::warn!(error = %join, "write gate wait failed");
                Ok(None)
            }
            Err(_elapsed) => Err(StoreError::Busy),
        }
    }
}

/// A write transaction holding the write lock (and the gate, if any).
/// Derefs to the connection; ends with [`WriteTx::commit`], or rolls back
/// when dropped (sqlx queues the `ROLLBACK` on the connection; the gate is
/// released at once, and the next writer's `BEGIN IMMEDIATE` waits the
/// moment that rollback takes under SQLite's own lock).
pub(crate) struct WriteTx<'c> {
    tx: Transaction<'c, Sqlite>,
    // Released after the transaction ends (fields drop in order).
    _gate: Option<File>,
}

impl WriteTx<'_> {
    pub async fn commit(self) -> Result<()> {
        let WriteTx { tx, _gate } = self;
        tx.commit().await?;
        Ok(())
    }
}

impl Deref for WriteTx<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

/// Starts a write transaction holding the write lock, behind the gate when
/// one is given. Waits up to the busy timeout; a real timeout is
/// [`StoreError::Busy`].
pub(crate) async fn begin_write<'c>(
    gate: Option<&WriteGate>,
    conn: &'c mut SqliteConnection,
) -> Result<WriteTx<'c>> {
    let gate = match gate {
        Some(g) => g.enter().await?,
        None => None,
    };
    let tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    Ok(WriteTx { tx, _gate: gate })
}

/// Where a change comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Made at this counter: validated strictly, and queued in the outbox.
    Local,
    /// Received (from the server): kept even when it conflicts.
    Received,
}
