//! WAL checkpoints off the write path.
//!
//! In WAL mode every commit appends to `<db>-wal`, and a checkpoint copies
//! those pages back into the database file and syncs it. SQLite's automatic
//! checkpoint runs inside the commit that crosses its threshold (1,000 pages
//! by default), so one write in a few dozen waited for the copy and the
//! `fsync`: that was the counter's slowest writes. As SQLite's documentation
//! suggests for applications that care about write latency
//! (<https://www.sqlite.org/wal.html#application_initiated_checkpoints>),
//! a background task of each open store runs a `PASSIVE` checkpoint every
//! [`PERIOD`] — it never takes the write lock, so writers go on meanwhile —
//! and the automatic threshold is raised to [`AUTOCHECKPOINT_PAGES`], a
//! backstop for a store whose task cannot run. `Store::close` still folds
//! the whole WAL back (`TRUNCATE`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;

/// How often the background task checkpoints.
pub(crate) const PERIOD: Duration = Duration::from_millis(500);

/// The automatic checkpoint threshold kept as a backstop (≈ 40 MB of WAL).
pub(crate) const AUTOCHECKPOINT_PAGES: &str = "10000";

/// The background checkpoints of one store.
#[derive(Debug, Default)]
pub(crate) struct Checkpointer {
    stopped: AtomicBool,
    /// Held while a checkpoint runs, so `stop` waits for it.
    running: tokio::sync::Mutex<()>,
}

impl Checkpointer {
    /// Starts the background checkpoints of a pool; they end with
    /// [`Checkpointer::stop`], when the pool is closed, or with the runtime.
    pub fn spawn(pool: SqlitePool) -> Arc<Checkpointer> {
        let me = Arc::new(Checkpointer::default());
        let task = Arc::clone(&me);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PERIOD).await;
                let _running = task.running.lock().await;
                if task.stopped.load(Ordering::Acquire) || pool.is_closed() {
                    break;
                }
                let done: Result<(i64, i64, i64), sqlx::Error> =
                    sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                        .fetch_one(&pool)
                        .await;
                match done {
                    Ok((_busy, log, copied)) => tracing::trace!(log, copied, "WAL checkpoint"),
                    Err(e) => tracing::debug!(error = %e, "WAL checkpoint skipped"),
                }
            }
        });
        me
    }

    /// Stops the task, waiting for a checkpoint in progress.
    pub async fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        let _wait = self.running.lock().await;
    }
}
