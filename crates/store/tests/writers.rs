//! Writers wait their turn: every write transaction takes the write lock when
//! it starts (`BEGIN IMMEDIATE`), so concurrent writers on one file queue
//! under the busy timeout; a real timeout is the named `db_busy`.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use comptoir_core::dossier::OpenDossierInput;
use comptoir_core::ids::{CustomerId, DossierId};
use comptoir_store::{OpenMode, Store};
use sqlx::{Connection, Executor};

/// An intake without a purchase record, built from JSON (as the UI and
/// `comptoir-ctl` send it) so that new optional fields keep it valid.
fn intake(customer: CustomerId, words: &str) -> OpenDossierInput {
    serde_json::from_value(serde_json::json!({
        "customer_id": customer,
        "order_line_id": null,
        "declared_product": "Aspirateur sans fil",
        "reason_code": "defect.no_power",
        "customer_words": words,
        "condition": "good",
        "condition_note": null,
        "accessories": [],
        "serial_number": null,
        "actor": "Julie M.",
        "assignee": null
    }))
    .unwrap()
}

/// 23 November 2026, 9:00 UTC: the tests' "now".
fn at_nine() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A small demo store (seed `seed`) with one dossier opened on it.
async fn store_with_a_dossier(
    seed: u64,
    words: &str,
) -> (tempfile::TempDir, std::path::PathBuf, Store, DossierId) {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    let store = common::demo_store_at(&path, 20, seed).await;
    let customer: CustomerId = sqlx::query_scalar("SELECT id FROM customers LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let id = store
        .open_dossier(&intake(customer, words), at_nine())
        .await
        .unwrap();
    (dir, path, store, id)
}

/// How many notes the dossier's timeline holds.
async fn notes_on(store: &Store, id: DossierId) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM dossier_events WHERE dossier_id = ? AND kind = 'note'")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_on_separate_handles_queue_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::db_path(&dir);
    let first = common::demo_store_at(&path, 50, 11).await;
    let customer: CustomerId = sqlx::query_scalar("SELECT id FROM customers LIMIT 1")
        .fetch_one(first.pool())
        .await
        .unwrap();
    // Four handles: four pools, as four processes would have.
    let mut stores = vec![first];
    for _ in 0..3 {
        stores.push(Store::open(&path, OpenMode::MustExist).await.unwrap());
    }
    let now = at_nine();
    let mut tasks = Vec::new();
    for (w, store) in stores.iter().enumerate() {
        for i in 0..15 {
            let store = store.clone();
            let input = intake(customer, &format!("Ne s'allume plus ({w}/{i})"));
            tasks.push(tokio::spawn(async move {
                let id = store.open_dossier(&input, now).await?;
                // …and, on the same dossier, a read-then-write action.
                store
                    .add_note(id, "Julie M.", "Client rappelé", now)
                    .await?;
                Ok::<_, comptoir_store::StoreError>(id)
            }));
        }
    }
    let mut ids = BTreeSet::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(id) => {
                ids.insert(id);
            }
            Err(e) => panic!("a concurrent writer failed: {} ({e})", e.code()),
        }
    }
    assert_eq!(ids.len(), 60);
    let numbers: Vec<String> = sqlx::query_scalar(
        "SELECT number FROM dossiers WHERE opened_by = 'Julie M.' ORDER BY number",
    )
    .fetch_all(stores[0].pool())
    .await
    .unwrap();
    let distinct: BTreeSet<&String> = numbers.iter().collect();
    assert_eq!(numbers.len(), 60);
    assert_eq!(distinct.len(), 60, "no number given twice");
    for s in stores {
        s.close().await;
    }
}

#[tokio::test]
async fn a_write_lock_held_past_the_busy_timeout_is_the_named_busy_error() {
    let (_dir, path, store, id) = store_with_a_dossier(12, "Ne s'allume plus").await;
    let now = at_nine();

    // Another program holds the write lock and does not let go.
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    other.execute("BEGIN IMMEDIATE").await.unwrap();

    let started = Instant::now();
    let e = store
        .add_note(id, "Julie M.", "Client rappelé", now)
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.code(), "db_busy", "{e}");
    assert!(
        e.message_fr().starts_with("La base est occupée"),
        "{}",
        e.message_fr()
    );
    assert!(
        waited >= Duration::from_secs(4),
        "the writer waited for the busy timeout before giving up ({waited:?})"
    );

    // Once the lock is released the same write goes through.
    other.execute("ROLLBACK").await.unwrap();
    store
        .add_note(id, "Julie M.", "Client rappelé", now)
        .await
        .unwrap();
    let notes = notes_on(&store, id).await;
    assert_eq!(notes, 1, "the refused write left nothing");
    store.close().await;
}

/// Comptoir's writers queue at the database's write gate (`<db>.write-lock`,
/// an advisory file lock): while another Comptoir program holds it, a write
/// waits, and goes through as soon as it is released — not at the next
/// poll of SQLite's busy handler.
#[tokio::test]
async fn a_write_waits_at_the_gate_and_goes_through_once_it_is_released() {
    let (_dir, path, store, id) = store_with_a_dossier(13, "Ne s'allume plus").await;
    let now = at_nine();
    let mut gate = path.as_os_str().to_owned();
    gate.push(".write-lock");
    let gate = std::path::PathBuf::from(gate);
    assert!(gate.exists(), "the first write created the gate file");

    // Another Comptoir program is writing: it holds the gate for 400 ms.
    let held = std::fs::OpenOptions::new().write(true).open(&gate).unwrap();
    held.lock().unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        drop(held);
        Instant::now()
    });
    let started = Instant::now();
    store
        .add_note(id, "Julie M.", "Client rappelé", now)
        .await
        .unwrap();
    let done = Instant::now();
    let released = release.join().unwrap();
    assert!(
        done.duration_since(started) >= Duration::from_millis(400),
        "the write waited for the gate ({:?})",
        done.duration_since(started)
    );
    assert!(
        done.duration_since(released) < Duration::from_millis(200),
        "the write went through right after the release ({:?} later)",
        done.duration_since(released)
    );
    let notes = notes_on(&store, id).await;
    assert_eq!(notes, 1);
    store.close().await;
}

/// Checkpoints run in the background: within a second of a write, the
/// database file alone (without its `-wal`) holds it, though the store is
/// still open and far from SQLite's automatic threshold.
#[tokio::test]
async fn a_write_reaches_the_database_file_itself_within_a_second() {
    let (dir, path, store, id) = store_with_a_dossier(14, "Écran noir au démarrage").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    // The main file only, as a copy taken now would have it.
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(&path, &copy).unwrap();
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?immutable=1", copy.display()))
            .await
            .unwrap();
    let words: Option<String> =
        sqlx::query_scalar("SELECT customer_words FROM dossiers WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
    assert_eq!(words.as_deref(), Some("Écran noir au démarrage"));
    conn.close().await.unwrap();
    store.close().await;
}
