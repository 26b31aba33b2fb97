//! What the client's tests and benchmark share: a counter on its own real
//! SQLite file with the chain's demo data, and its enrolment.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use chrono::Utc;
use comptoir_demo::DemoConfig;
use comptoir_server::storage::Storage;
use comptoir_store::{OpenMode, Store};

/// A counter of `store` with `customers` demo customers (the same seed at
/// every store: the same customers, orders and ids).
pub async fn counter(dir: &Path, store: &str, customers: u64) -> Store {
    let s = Store::open(
        &dir.join(format!("{store}.sqlite")),
        OpenMode::CreateIfMissing,
    )
    .await
    .unwrap();
    let cfg = DemoConfig {
        customers,
        seed: 42,
        as_of: Utc::now(),
        local_store: store.into(),
    };
    comptoir_demo::generate(&s, &cfg, |_, _| {}).await.unwrap();
    s
}

/// Enrols `counter` for `store` (created on the server if needed) with a
/// one-time code, through the client; returns its device token.
pub async fn enrolled(storage: &dyn Storage, url: &str, counter: &Store, store: &str) -> String {
    if !storage
        .list_stores()
        .await
        .unwrap()
        .iter()
        .any(|s| s.code == store)
    {
        storage
            .add_store(store, &format!("Magasin {store}"), false, Utc::now())
            .await
            .unwrap();
    }
    let once = comptoir_server::admin::enrol_code(storage, store, 3600, Utc::now())
        .await
        .unwrap();
    let link = comptoir_client::enrol(counter, url, &once.code, &format!("Comptoir {store}"))
        .await
        .unwrap();
    assert_eq!(link.store_code, store);
    comptoir_client::credential::load(counter.path()).unwrap()
}
