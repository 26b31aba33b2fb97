//! `comptoir-ctl sync enrol|once|status|retry|drop` against the real
//! central server on a loopback port (in this test's process).
#![allow(clippy::unwrap_used)]

mod common;
use common::{ctl, ok_json};

#[path = "../../client/tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};
use std::sync::Arc;

use chrono::Utc;
use comptoir_server::storage::sqlite::SqliteStorage;
use comptoir_server::storage::Storage;
use serde_json::Value;

fn err_code(out: &Output) -> String {
    assert!(!out.status.success());
    let line = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("JSON error: {line}"));
    assert!(!v["message"].as_str().unwrap().is_empty());
    v["code"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_enrols_syncs_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(
        SqliteStorage::open(&dir.path().join("server.sqlite"))
            .await
            .unwrap(),
    );
    storage
        .add_store("LYO1", "Lyon Part-Dieu", false, Utc::now())
        .await
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = comptoir_server::app::launch(
        Arc::clone(&storage),
        comptoir_server::settings::Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Default::default()
        },
        listener,
    )
    .await
    .unwrap();
    let url = server.url();

    let db = dir.path().join("counter.sqlite").display().to_string();
    ok_json(&ctl(&[
        "demo-data",
        "--customers",
        "60",
        "--db",
        &db,
        "--as-of",
        "2026-11-23",
    ]));
    let st = ok_json(&ctl(&["sync", "status", "--db", &db]));
    assert_eq!(st["enrolled"], false);
    assert_eq!(st["activity"], "not_enrolled");
    assert_eq!(
        err_code(&ctl(&["sync", "once", "--db", &db])),
        "sync_not_enrolled"
    );
    assert_eq!(
        err_code(&ctl(&[
            "sync",
            "enrol",
            "--db",
            &db,
            "--server",
            &url,
            "--code",
            "AAAA-BBBB-CCCC"
        ])),
        "enrol_code_unknown"
    );

    let code = comptoir_server::admin::enrol_code(&*storage, "LYO1", 600, Utc::now())
        .await
        .unwrap();
    let st = ok_json(&ctl(&[
        "sync", "enrol", "--db", &db, "--server", &url, "--code", &code.code, "--name", "SAV 1",
    ]));
    assert_eq!(st["enrolled"], true);
    assert_eq!(st["store_code"], "LYO1");
    assert_eq!(st["server_url"], url.as_str());
    // Single use.
    let again = dir.path().join("other.sqlite").display().to_string();
    std::fs::copy(&db, &again).unwrap();
    assert_eq!(
        err_code(&ctl(&[
            "sync", "enrol", "--db", &again, "--server", &url, "--code", &code.code
        ])),
        "enrol_code_used"
    );

    // A customer created here is pushed; the report and status say so.
    let new = dir.path().join("new.json");
    std::fs::write(
        &new,
        r#"{"first_name": "Inès", "last_name": "Caron", "phones": ["06 44 55 66 77"]}"#,
    )
    .unwrap();
    ok_json(&ctl(&[
        "customer",
        "add",
        "--db",
        &db,
        "--actor",
        "Julie",
        new.to_str().unwrap(),
    ]));
    let out = ctl(&["sync", "once", "--db", &db]);
    let r = ok_json(&out);
    assert_eq!(r["pushed"], 1);
    assert_eq!(r["outbox_left"], 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("envoyés 1"));
    let st = ok_json(&ctl(&["sync", "status", "--db", &db]));
    assert_eq!(st["activity"], "online");
    assert_eq!(st["activity_label"], "en ligne");
    assert_eq!(st["outbox"], 0);
    assert!(st["last_success_at"].is_string());
    assert!(
        st["received"].as_u64().unwrap() >= 1,
        "its own change comes back in the feed"
    );

    // Retry / drop of what is not there; an id that is not one.
    assert_eq!(
        err_code(&ctl(&["sync", "drop", "--db", &db, "zz"])),
        "invalid_id"
    );
    assert_eq!(
        err_code(&ctl(&[
            "sync",
            "retry",
            "--db",
            &db,
            &uuid::Uuid::now_v7().to_string()
        ])),
        "not_found"
    );

    // The server gone: offline, recorded.
    server.shutdown().await.unwrap();
    assert_eq!(err_code(&ctl(&["sync", "once", "--db", &db])), "offline");
    let st = ok_json(&ctl(&["sync", "status", "--db", &db]));
    assert_eq!(st["activity"], "offline");
    assert_eq!(st["last_error_code"], "offline");
}

/// `comptoir-ctl sync once` killed with SIGKILL again and again, mid-push
/// and mid-pull, then run to its end: every change is at the other store
/// exactly once, the pushing counter's outbox is empty, the feed count
/// matches, and both files are sound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_mid_push_and_mid_pull_loses_and_doubles_nothing() {
    use comptoir_store::{OpenMode, Store};
    const NOTES: usize = 600;
    let dir = tempfile::tempdir().unwrap();
    // Small pages: many of them to be killed in.
    let settings = comptoir_server::settings::Settings {
        max_batch: 50,
        max_pull: 50,
        ..Default::default()
    };
    let (storage, server) = support::server(dir.path(), "server", settings).await;
    let url = server.url();
    let mut dbs = Vec::new();
    for code in ["LYO1", "PAR1"] {
        let db = dir
            .path()
            .join(format!("{code}.sqlite"))
            .display()
            .to_string();
        ok_json(&ctl(&[
            "demo-data",
            "--customers",
            "60",
            "--db",
            &db,
            "--as-of",
            "2026-11-23",
            "--store",
            code,
        ]));
        let once = comptoir_server::admin::enrol_code(&*storage, code, 600, Utc::now())
            .await
            .unwrap();
        ok_json(&ctl(&[
            "sync", "enrol", "--db", &db, "--server", &url, "--code", &once.code,
        ]));
        dbs.push(db);
    }
    let (lyon, paris) = (dbs[0].clone(), dbs[1].clone());
    let dossier_number = comptoir_demo::showcase::STORE_DOSSIER;
    {
        let store = Store::open(std::path::Path::new(&lyon), OpenMode::MustExist)
            .await
            .unwrap();
        let id = store.dossier_by_number(dossier_number).await.unwrap();
        for i in 0..NOTES {
            store
                .add_note(id, "Julie M.", &format!("Note {i:04}"), Utc::now())
                .await
                .unwrap();
        }
        store.close().await;
    }

    let killed = |db: &str, after_ms: u64| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-ctl"))
            .args(["sync", "once", "--db", db])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(after_ms));
        // SIGKILL (or already done: then nothing to kill).
        let _ = child.kill();
        child.wait().unwrap()
    };
    let mut kills = 0;
    for (db, delays) in [
        (&lyon, [30u64, 60, 90, 120, 160, 200]),
        (&paris, [30, 60, 90, 120, 160, 200]),
    ] {
        for ms in delays {
            if !killed(db, ms).success() {
                kills += 1;
            }
        }
        // Then once to the end.
        ok_json(&ctl(&["sync", "once", "--db", db]));
    }
    assert!(
        kills >= 2,
        "only {kills} runs were killed before their end: no test"
    );
    // Lyon: nothing waiting. Paris: each note once, and the feed counted once.
    let st = ok_json(&ctl(&["sync", "status", "--db", &lyon]));
    assert_eq!(st["outbox"], 0);
    assert!(st["rejected"].as_array().unwrap().is_empty());
    let store = Store::open(std::path::Path::new(&paris), OpenMode::MustExist)
        .await
        .unwrap();
    let id = store.dossier_by_number(dossier_number).await.unwrap();
    let mut notes: Vec<String> = store
        .dossier_detail(id)
        .await
        .unwrap()
        .dossier
        .events
        .into_iter()
        .filter_map(|e| e.note)
        .filter(|n| n.starts_with("Note "))
        .collect();
    notes.sort();
    assert_eq!(notes.len(), NOTES, "every note, once");
    notes.dedup();
    assert_eq!(notes.len(), NOTES);
    let st = store.sync_status().await.unwrap();
    assert_eq!(
        st.received, NOTES as u64,
        "each page counted once, with its cursor"
    );
    store.verify_integrity().await.unwrap();
    assert!(store.verify_dossiers().await.unwrap().is_empty());
    store.close().await;
    let store = Store::open(std::path::Path::new(&lyon), OpenMode::MustExist)
        .await
        .unwrap();
    store.verify_integrity().await.unwrap();
    store.close().await;
    server.shutdown().await.unwrap();
}

/// The demo chain on the server, a new counter of Lyon set up without
/// customers: its first `sync once` is a bootstrap, killed with SIGKILL
/// again and again while it applies its batches. Each run resumes after
/// the last batch stored — the count of received changes only grows, and
/// ends equal to the feed: nothing applied twice, nothing skipped — and
/// the counter ends with every customer, order and dossier of the chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_killed_again_and_again_resumes_where_it_stopped() {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions;
    let dir = tempfile::tempdir().unwrap();
    let (storage, server) = support::server(
        dir.path(),
        "server",
        comptoir_server::settings::Settings::default(),
    )
    .await;
    let cfg = comptoir_demo::DemoConfig {
        as_of: "2026-11-23T12:00:00Z".parse().unwrap(),
        ..comptoir_demo::DemoConfig::new(1_500)
    };
    let loaded = comptoir_server::demo::load(&*storage, &cfg, |_, _| {})
        .await
        .unwrap();
    let feed = storage
        .feed_count("LYO1", comptoir_server::storage::Cursor::default())
        .await
        .unwrap();
    assert!(feed > 5_000, "a chain worth killing in: {feed} changes");
    let db = dir.path().join("LYO1.sqlite");
    let db_s = db.display().to_string();
    let setup = ok_json(&ctl(&[
        "demo-data",
        "--counter-only",
        "--db",
        &db_s,
        "--as-of",
        "2026-11-23",
    ]));
    assert_eq!(setup["customers"], 0);
    let once = comptoir_server::admin::enrol_code(&*storage, "LYO1", 600, Utc::now())
        .await
        .unwrap();
    ok_json(&ctl(&[
        "sync",
        "enrol",
        "--db",
        &db_s,
        "--server",
        &server.url(),
        "--code",
        &once.code,
    ]));

    let received = || async {
        let mut c = SqliteConnectOptions::new()
            .filename(&db)
            .read_only(true)
            .connect()
            .await
            .unwrap();
        let r: (i64, Option<String>) =
            sqlx::query_as("SELECT received, bootstrapped_at FROM sync_link WHERE id = 1")
                .fetch_one(&mut c)
                .await
                .unwrap();
        (u64::try_from(r.0).unwrap(), r.1)
    };
    let mut seen = Vec::new();
    for _ in 0..6 {
        let before = received().await.0;
        let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-ctl"))
            .args(["sync", "once", "--db", &db_s])
            .env("COMPTOIR_BOOTSTRAP_BATCH", "150")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed once it has stored a batch or two of this run.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while received().await.0 < before + 300 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let _ = child.kill();
        child.wait().unwrap();
        let (n, done) = received().await;
        assert!(done.is_none(), "killed before the end of the stream");
        seen.push(n);
    }
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "each run went on from the last: {seen:?}"
    );
    assert!(*seen.last().unwrap() < feed, "{seen:?} of {feed}");
    let out = ctl(&["sync", "once", "--db", &db_s]);
    let report = ok_json(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("chargement initial"), "{stderr}");
    assert_eq!(
        report["received"].as_u64().unwrap() + seen.last().unwrap(),
        feed,
        "the last run received only what was left"
    );
    let (n, done) = received().await;
    assert_eq!(n, feed, "every change counted once");
    assert!(done.is_some());
    let st = ok_json(&ctl(&["sync", "status", "--db", &db_s]));
    assert!(st["bootstrapped_at"].is_string());
    assert!(st["rejected"].as_array().unwrap().is_empty(), "{st}");

    let store = comptoir_store::Store::open(&db, comptoir_store::OpenMode::MustExist)
        .await
        .unwrap();
    let count = |table: &'static str| {
        let store = &store;
        async move {
            let mut c = SqliteConnectOptions::new()
                .filename(store.path())
                .read_only(true)
                .connect()
                .await
                .unwrap();
            let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&mut c)
                .await
                .unwrap();
            u64::try_from(n).unwrap()
        }
    };
    assert_eq!(count("customers").await, loaded.summary.customers);
    assert_eq!(count("orders").await, loaded.summary.orders);
    assert_eq!(count("order_lines").await, loaded.summary.order_lines);
    assert_eq!(count("dossiers").await, loaded.summary.dossiers);
    assert_eq!(count("dossier_events").await, loaded.summary.events);
    store.verify_integrity().await.unwrap();
    assert!(store.verify_dossiers().await.unwrap().is_empty());
    // Found by the counter's search, as any customer is.
    let found = store.search("helene dupre").await.unwrap();
    assert!(found.hits.len() >= 2, "{:?}", found.hits);
    store.close().await;
    server.shutdown().await.unwrap();
}
