//! A counter database written by the release before typed events
//! (`tests/fixtures/counter-v3.sqlite`, made by that release's own code:
//! see `make_v3_fixture` in the history) migrates: backup first, every
//! timeline becomes typed events whose fold equals the old row, column by
//! column.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use std::collections::BTreeMap;
use std::path::Path;

use comptoir_core::model::DossierStatus;
use comptoir_store::{OpenMode, Store};
use sqlx::Row;

/// The counter's database of an older release (read where the test runs:
/// cargo sets `CARGO_MANIFEST_DIR` at run time too).
fn fixture() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
        .join("tests/fixtures/counter-v3.sqlite")
}

/// Every column of every dossier, as SQLite quotes it (exact text).
async fn rows(path: &Path, columns: &[String]) -> BTreeMap<String, Vec<String>> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .unwrap();
    let select = columns
        .iter()
        .map(|c| format!("quote({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let found = sqlx::query(&format!("SELECT quote(id), {select} FROM dossiers"))
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    found
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            (
                id,
                (1..=columns.len()).map(|i| r.get::<String, _>(i)).collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_v3_counter_database_migrates_to_typed_events_whose_fold_is_the_old_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comptoir.sqlite");
    std::fs::copy(fixture(), &path).unwrap();
    let old_copy = dir.path().join("old.sqlite");
    std::fs::copy(fixture(), &old_copy).unwrap();

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", old_copy.display()))
        .await
        .unwrap();
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('dossiers')")
        .fetch_all(&pool)
        .await
        .unwrap();
    let (dossiers, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossier_events)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert!(
        dossiers >= 5 && events > dossiers,
        "{dossiers} dossiers, {events} events"
    );
    let before = rows(&old_copy, &columns).await;

    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    // A backup was taken before migrating.
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".before-v"))
        .collect();
    assert_eq!(backups.len(), 1);

    // The fold of each migrated timeline equals the stored row, column by
    // column (typed: JSON columns decoded)...
    let differences = store.verify_dossiers().await.unwrap();
    assert!(differences.is_empty(), "{differences:?}");
    // ...and the stored rows are the old rows, untouched, to the byte.
    store.close().await;
    let after = rows(&path, &columns).await;
    assert_eq!(before.len(), after.len());
    for (id, old) in &before {
        let new = &after[id];
        for (i, c) in columns.iter().enumerate() {
            assert_eq!(&old[i], &new[i], "dossier {id}, column {c}");
        }
    }

    // Every event has its typed body and HLC; the outbox is empty (the
    // past is not re-sent); the clock moved past every event.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .unwrap();
    let untyped: i64 =
        sqlx::query_scalar("SELECT count(*) FROM dossier_events WHERE body IS NULL OR hlc IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(untyped, 0);
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(outbox, 0);
    let (clock, max): (String, String) = sqlx::query_as(
        "SELECT (SELECT value FROM settings WHERE key = 'hlc_last'), (SELECT max(hlc) FROM dossier_events)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(clock >= max, "{clock} >= {max}");
    // The deadline moved by a wait for the customer is now an event.
    let moved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM dossier_events WHERE kind = 'deadline_recomputed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(moved, 1, "the scenario's one resumed wait");
    pool.close().await;

    // The whole-life dossier reads as before, and takes new events.
    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    let r = store
        .search(comptoir_demo::showcase::WEB_ORDER)
        .await
        .unwrap();
    let card = store.customer_card(r.hits[0].customer_id).await.unwrap();
    let closed = card
        .dossiers
        .iter()
        .find(|d| d.csat_score == Some(4))
        .expect("the scenario's closed dossier");
    assert_eq!(closed.status, DossierStatus::Closed);
    assert!(
        closed.decision.is_some() && closed.resolution.is_some() && closed.follow_up_due.is_some()
    );
    assert_eq!(closed.assignee.as_deref(), Some("Léa Bernard"));
    let waiting = card
        .dossiers
        .iter()
        .find(|d| d.status == DossierStatus::WaitingCustomer)
        .expect("the dossier still waiting");
    store
        .dossier_action(
            waiting.id,
            comptoir_core::workflow::DossierAction::Resume,
            "Marc",
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert!(store.verify_dossiers().await.unwrap().is_empty());
    // Opening the migrated file again converts nothing more.
    store.close().await;
    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    assert!(store.verify_dossiers().await.unwrap().is_empty());
}
