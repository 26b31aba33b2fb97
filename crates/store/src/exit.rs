//! Closing every store when a program ends. A program (the app,
//! `comptoir-ctl`, later the server) calls [`close_on_exit`] once at start;
//! from then on every [`Store`] it opens is remembered, and [`close_all`] —
//! called on normal exit, after an error and on SIGTERM / Ctrl+C — folds
//! each one's WAL back into its file and closes it, so the database file
//! alone holds everything that was reported written. Libraries and tests
//! that never call `close_on_exit` keep nothing here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::Store;

static TRACKING: AtomicBool = AtomicBool::new(false);
static OPENED: Mutex<Vec<Store>> = Mutex::new(Vec::new());

/// From now on, remember every store opened, for [`close_all`].
pub fn close_on_exit() {
    TRACKING.store(true, Ordering::SeqCst);
}

pub(crate) fn register(store: &Store) {
    if TRACKING.load(Ordering::SeqCst) {
        if let Ok(mut opened) = OPENED.lock() {
            opened.retain(|s| !s.pool.is_closed());
            opened.push(store.clone());
        }
    }
}

/// Closes every store opened since [`close_on_exit`] and not closed yet.
pub async fn close_all() {
    let stores: Vec<Store> = match OPENED.lock() {
        Ok(mut opened) => std::mem::take(&mut *opened),
        Err(_) => return,
    };
    for store in stores {
        if !store.pool.is_closed() {
            store.close().await;
        }
    }
}

/// Why a program was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// Ctrl+C (SIGINT).
    Interrupt,
    /// SIGTERM (a service manager, `kill`, the session ending).
    Terminate,
}

/// Resolves when the process is asked to stop (SIGTERM, or Ctrl+C / SIGINT).
/// Every program waits on it next to its work and then calls [`close_all`].
pub async fn stop_requested() -> StopSignal {
    let terminated = async {
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    term.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => StopSignal::Interrupt,
        () = terminated => StopSignal::Terminate,
    }
}
