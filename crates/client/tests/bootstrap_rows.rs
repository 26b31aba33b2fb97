//! The bootstrap's batches write the same rows as the same changes applied
//! one at a time. A chain on the real server (head office's demo data, and
//! a Paris counter's own changes: a customer created, customers edited, a
//! dossier opened, notes on dossiers far back in the feed, an erasure, and
//! a change no counter can apply), then two copies of one enrolled Lyon
//! counter: one bootstraps in batches (an odd size, so dossiers straddle
//! batches), the other one change a transaction. Every table of the two
//! files is then compared row by row, every column.
//!
//! Its own test binary: the batch size is the process's environment.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod support;

use std::path::Path;

use chrono::Utc;
use comptoir_core::customer::CustomerPatch;
use comptoir_core::ids::{CustomerId, DossierId};
use comptoir_server::settings::Settings;
use comptoir_server::storage::{NewChange, Scope};
use comptoir_store::{OpenMode, Store};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};

async fn read_only(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .unwrap()
}

/// Every row of `table`, each as the SQL literals of its columns, sorted.
async fn rows_of(c: &mut SqliteConnection, table: &str, skip: &[&str]) -> Vec<String> {
    let mut cols: Vec<String> =
        sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .fetch_all(&mut *c)
            .await
            .unwrap();
    cols.retain(|c| !skip.contains(&c.as_str()));
    if table == "customer_fts" {
        cols.insert(0, "rowid".to_owned());
    }
    let row = cols
        .iter()
        .map(|c| format!("quote(\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || ' | ' || ");
    sqlx::query_scalar(&format!("SELECT {row} AS r FROM \"{table}\" ORDER BY r"))
        .fetch_all(&mut *c)
        .await
        .unwrap()
}

async fn copy_counter(from: &Path, to: &Path) {
    for suffix in ["", "-wal", ".device-token"] {
        let mut f = from.as_os_str().to_owned();
        f.push(suffix);
        let mut t = to.as_os_str().to_owned();
        t.push(suffix);
        if Path::new(&f).exists() {
            std::fs::copy(&f, &t).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bootstrap_in_batches_writes_the_rows_of_one_change_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, running) = support::server(dir.path(), "server", Settings::default()).await;
    let url = running.url();
    let cfg = comptoir_demo::DemoConfig {
        as_of: "2026-11-23T12:00:00Z".parse().unwrap(),
        ..comptoir_demo::DemoConfig::new(300)
    };
    comptoir_server::demo::load(&*storage, &cfg, |_, _| {})
        .await
        .unwrap();

    // Paris: bootstrapped, then changes of its own, pushed.
    let paris = Store::open(&dir.path().join("PAR1.sqlite"), OpenMode::CreateIfMissing)
        .await
        .unwrap();
    comptoir_demo::setup_counter(
        &paris,
        &comptoir_demo::DemoConfig {
            local_store: "PAR1".into(),
            ..cfg.clone()
        },
    )
    .await
    .unwrap();
    support::enrolled(&*storage, &url, &paris, "PAR1").await;
    comptoir_client::sync_once(&paris, &mut |_| {})
        .await
        .unwrap();
    let (far_back, erased): (Vec<DossierId>, CustomerId) = {
        let mut c = read_only(paris.path()).await;
        let ids: Vec<DossierId> = sqlx::query_scalar("SELECT id FROM dossiers ORDER BY id LIMIT 3")
            .fetch_all(&mut c)
            .await
            .unwrap();
        // A customer whose dossiers are all closed (their timelines are
        // redacted by the erasure).
        let erased: CustomerId = sqlx::query_scalar(
            "SELECT customer_id FROM dossiers GROUP BY customer_id
              HAVING count(*) = count(closed_at) ORDER BY customer_id DESC LIMIT 1",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        (ids, erased)
    };
    assert_eq!(far_back.len(), 3, "the chain has dossiers");
    let (helene, line) = support::helene(&paris).await;
    let opened = paris
        .open_dossier(&support::intake(helene, line), Utc::now())
        .await
        .unwrap();
    paris
        .add_note(opened, "Paul R.", "Reçu au magasin", Utc::now())
        .await
        .unwrap();
    for d in &far_back {
        paris
            .add_note(*d, "Paul R.", "Client rappelé", Utc::now())
            .await
            .unwrap();
    }
    let nadia = support::nadia(&paris, "Paul R.").await;
    for (who, first) in [(nadia, "Nadïa"), (helene, "Hélène-Marie"), (erased, "Jean")] {
        paris
            .edit_customer(
                who,
                &CustomerPatch {
                    first_name: Some(first.into()),
                    ..CustomerPatch::default()
                },
                "Paul R.",
                false,
                Utc::now(),
            )
            .await
            .unwrap();
    }
    paris
        .erase_customer(erased, "sophie.r", true, Utc::now())
        .await
        .unwrap();
    let r = comptoir_client::sync_once(&paris, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((r.rejected, r.outbox_left), (0, 0), "{r:?}");
    // A change no counter can apply, in the feed as an older server let
    // it in: set aside by both paths, the rest applied.
    let garbage = comptoir_core::changes::ChangeEnvelope {
        id: uuid::Uuid::now_v7(),
        kind: "dossier.event".into(),
        entity_id: uuid::Uuid::now_v7(),
        store_code: "PAR1".into(),
        device_id: uuid::Uuid::now_v7(),
        hlc: comptoir_core::hlc::Hlc::at(Utc::now()).to_string(),
        payload: serde_json::json!({"event": "?"}),
    };
    storage
        .insert_changes(&[NewChange {
            envelope: garbage.clone(),
            scope: Scope::Chain,
            pushed_by: None,
        }])
        .await
        .unwrap();
    paris.close().await;

    // One enrolled Lyon counter, copied before its first sync.
    let batched = dir.path().join("LYO1.sqlite");
    let lyon = Store::open(&batched, OpenMode::CreateIfMissing)
        .await
        .unwrap();
    comptoir_demo::setup_counter(&lyon, &cfg).await.unwrap();
    support::enrolled(&*storage, &url, &lyon, "LYO1").await;
    lyon.close().await;
    let single = dir.path().join("LYO1-one-by-one.sqlite");
    copy_counter(&batched, &single).await;

    let mut reports = Vec::new();
    for (path, batch) in [(&batched, "97"), (&single, "1")] {
        std::env::set_var("COMPTOIR_BOOTSTRAP_BATCH", batch);
        let store = Store::open(path, OpenMode::MustExist).await.unwrap();
        let r = comptoir_client::sync_once(&store, &mut |_| {})
            .await
            .unwrap();
        let st = store.sync_status().await.unwrap();
        assert!(st.bootstrapped_at.is_some());
        assert_eq!(
            st.rejected.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![garbage.id],
            "the garbage set aside, nothing else"
        );
        store.verify_integrity().await.unwrap();
        // Erasure won; the search finds what the counter holds.
        assert!(store.customer_erased_at(erased).await.unwrap().is_some());
        let found = store.search("Benali Nadïa").await.unwrap();
        assert_eq!(found.hits.first().map(|h| h.customer_id), Some(nadia));
        store.close().await;
        reports.push(r);
    }
    std::env::remove_var("COMPTOIR_BOOTSTRAP_BATCH");
    assert_eq!(reports[0].received, reports[1].received);
    assert_eq!(reports[0].applied, reports[1].applied);
    assert!(reports[0].received > 2_000, "{:?}", reports[0]);

    // Every table, row by row.
    let mut a = read_only(&batched).await;
    let mut b = read_only(&single).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'customer_fts_%'
           AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut a)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t == "dossier_events"), "{tables:?}");
    let mut compared = 0;
    for t in &tables {
        // When each sync happened differs, and so may the clock that read
        // the wall clock then: checked below.
        let skip: &[&str] = match t.as_str() {
            "sync_link" => &["last_attempt_at", "last_success_at", "bootstrapped_at"],
            "sync_rejected" => &["rejected_at"],
            // A new seq at every write of a dossier: how many writes,
            // not what they wrote (the row's content is compared).
            "dossier_figures" => &["seq"],
            _ => &[],
        };
        let mut ra = rows_of(&mut a, t, skip).await;
        let mut rb = rows_of(&mut b, t, skip).await;
        if t == "settings" {
            ra.retain(|r| !r.starts_with("'hlc_last'"));
            rb.retain(|r| !r.starts_with("'hlc_last'"));
        }
        if ra != rb {
            let only_a: Vec<_> = ra.iter().filter(|r| !rb.contains(r)).take(3).collect();
            let only_b: Vec<_> = rb.iter().filter(|r| !ra.contains(r)).take(3).collect();
            panic!(
                "{t}: {} rows in batches, {} one by one; only in batches {only_a:?}, only one by one {only_b:?}",
                ra.len(),
                rb.len()
            );
        }
        compared += ra.len();
    }
    assert!(compared > 5_000, "{compared} rows compared");
    // The clock moved past everything received, at both.
    for c in [&mut a, &mut b] {
        let (clock, newest): (String, String) = sqlx::query_as(
            "SELECT (SELECT value FROM settings WHERE key = 'hlc_last'),
                    max((SELECT max(hlc) FROM dossier_events), (SELECT max(hlc) FROM customer_changes))",
        )
        .fetch_one(c)
        .await
        .unwrap();
        assert!(clock >= newest, "{clock} < {newest}");
    }
    running.shutdown().await.unwrap();
}
