//! Plain SQL on a store's file behind the store's back, as `sqlite3` would:
//! what the tests and benchmarks check, and the faults they inject. The
//! store's own pool is not public; this is a pool of its own per database
//! file (busy timeout 10 s, so it waits for the store's writers).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

pub trait RawPool {
    /// A pool on the same file as the store.
    fn pool(&self) -> &'static SqlitePool;
}

impl RawPool for comptoir_store::Store {
    fn pool(&self) -> &'static SqlitePool {
        static POOLS: OnceLock<Mutex<HashMap<PathBuf, &'static SqlitePool>>> = OnceLock::new();
        let mut pools = POOLS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        pools.entry(self.path().to_owned()).or_insert_with(|| {
            let options = SqliteConnectOptions::new()
                .filename(self.path())
                .busy_timeout(Duration::from_secs(10));
            Box::leak(Box::new(
                SqlitePoolOptions::new()
                    .max_connections(2)
                    .min_connections(0)
                    .idle_timeout(Duration::from_millis(200))
                    .connect_lazy_with(options),
            ))
        })
    }
}
