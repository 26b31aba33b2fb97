//! What the sync's tests and benchmark share (the client's, and
//! comptoir-ctl's through `#[path]`): the central server on a loopback port,
//! a counter on its own real SQLite file with the chain's demo data, and its
//! enrolment.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use comptoir_demo::DemoConfig;
use comptoir_server::app::{launch, Running};
use comptoir_server::settings::Settings;
use comptoir_server::storage::sqlite::SqliteStorage;
use comptoir_server::storage::Storage;
use comptoir_store::{OpenMode, Store};

/// The real server on a loopback port, on `dir/NAME.sqlite`, knowing the
/// stores LYO1 and PAR1. `settings` as given, listening on port 0.
pub async fn server(dir: &Path, name: &str, settings: Settings) -> (Arc<dyn Storage>, Running) {
    let storage: Arc<dyn Storage> = Arc::new(
        SqliteStorage::open(&dir.join(format!("{name}.sqlite")))
            .await
            .unwrap(),
    );
    for code in ["LYO1", "PAR1"] {
        storage
            .add_store(code, code, false, Utc::now())
            .await
            .unwrap();
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..settings
    };
    let running = launch(Arc::clone(&storage), settings, listener)
        .await
        .unwrap();
    (storage, running)
}

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

/// The demo's showcase web order at a counter: its customer and first line.
pub async fn helene(
    store: &Store,
) -> (
    comptoir_core::ids::CustomerId,
    comptoir_core::ids::OrderLineId,
) {
    let r = store
        .search(comptoir_demo::showcase::WEB_ORDER)
        .await
        .unwrap();
    let customer = r.hits[0].customer_id;
    let card = store.customer_card(customer).await.unwrap();
    let web = card
        .orders
        .iter()
        .find(|o| o.number == comptoir_demo::showcase::WEB_ORDER)
        .unwrap();
    (customer, web.lines[0].id)
}

/// A dossier on that line, as a clerk opens it.
pub fn intake(
    customer: comptoir_core::ids::CustomerId,
    line: comptoir_core::ids::OrderLineId,
) -> comptoir_core::dossier::OpenDossierInput {
    comptoir_core::dossier::OpenDossierInput {
        customer_id: customer,
        order_line_id: Some(line),
        declared_product: None,
        reason_code: "defect.no_power".into(),
        customer_words: "Le robot ne démarre plus.".into(),
        condition: comptoir_core::dossier::ItemCondition::Good,
        condition_note: None,
        accessories: vec![],
        serial_number: None,
        actor: "Julie M.".into(),
        assignee: None,
        sealed: false,
        severity: comptoir_core::policy::Severity::Major,
        decision: None,
        defect_noticed_on: None,
        approval: None,
    }
}

/// Nadia Benali, a customer created at a counter by `actor`.
pub async fn nadia(store: &Store, actor: &str) -> comptoir_core::ids::CustomerId {
    store
        .create_customer(
            &comptoir_core::customer::NewCustomer {
                first_name: "Nadia".into(),
                last_name: "Benali".into(),
                phones: vec!["06 71 22 33 44".into()],
                ..comptoir_core::customer::NewCustomer::default()
            },
            actor,
            false,
            Utc::now(),
        )
        .await
        .unwrap()
}

/// The notes of a dossier's timeline that start with `prefix`, in order.
pub async fn notes_of(
    store: &Store,
    id: comptoir_core::ids::DossierId,
    prefix: &str,
) -> Vec<String> {
    store
        .dossier_detail(id)
        .await
        .unwrap()
        .dossier
        .events
        .into_iter()
        .filter_map(|e| e.note)
        .filter(|n| n.starts_with(prefix))
        .collect()
}
