#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use comptoir_demo::DemoConfig;
use comptoir_store::{OpenMode, Store};

#[path = "support/raw.rs"]
mod raw;
#[allow(unused_imports)] // not every test file reads behind the store
pub use raw::RawPool;

pub fn as_of() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

/// The wrong PINs in a row counted for a user, read behind the store's back.
pub async fn failures(store: &Store, login: &str) -> i64 {
    sqlx::query_scalar("SELECT failed_attempts FROM users WHERE login = ?")
        .bind(login)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// A real SQLite file in a temporary directory, filled with demo data.
pub async fn demo_store(customers: u64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store_at(&dir.path().join("comptoir.sqlite"), customers, 42).await;
    (dir, store)
}

pub async fn demo_store_at(path: &Path, customers: u64, seed: u64) -> Store {
    let store = Store::open(path, OpenMode::CreateIfMissing).await.unwrap();
    let cfg = DemoConfig {
        customers,
        seed,
        as_of: as_of(),
        local_store: "LYO1".into(),
    };
    comptoir_demo::generate(&store, &cfg, |_, _| {})
        .await
        .unwrap();
    store
}

pub fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("comptoir.sqlite")
}

/// A file of `tests/fixtures`. The package folder is read when the test
/// runs (cargo sets `CARGO_MANIFEST_DIR` then too): a test binary built in
/// another checkout sharing the target folder must not read that one's files.
#[allow(dead_code)]
pub fn fixture(name: &str) -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("tests/fixtures")
        .join(name)
}
