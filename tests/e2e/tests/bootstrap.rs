//! A new counter's first load through the real window (issue 10): the
//! central server (in this test's process, on a loopback port) holds a demo
//! chain of several thousand customers; a counter set up with only its
//! store, catalogue and users is enrolled, then the app starts on it. The
//! top bar shows the bootstrap's progress bar with its counts while the
//! chain arrives (a count strictly between 0 and the total, read on
//! screen), then the bar goes and the counter finds a customer of the
//! chain, and the header counts its customers. Runs on a database of its
//! own (`--db`).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use comptoir_demo::DemoConfig;
use comptoir_e2e::{
    eventually, search_field_after_f2, shot, sign_in, text_containing, with_app_args, SOPHIE,
};
use comptoir_server::app::launch;
use comptoir_server::settings::Settings;
use comptoir_server::storage::sqlite::SqliteStorage;
use comptoir_server::storage::Storage;
use comptoir_store::{OpenMode, Store};
use fantoccini::{Client, Locator};

/// How many customers the chain has: enough for the load to take several
/// seconds in a debug build (the bar is seen between batches of 10,000).
const CUSTOMERS: u64 = 6_000;

/// The bar's numbers as written on screen (« Chargement initial : 12 000 /
/// 38 512 »), when it is there.
async fn progress(c: &Client) -> Option<(u64, u64)> {
    let bar = c.find(Locator::Css("#sync-bootstrap")).await.ok()?;
    let text = bar.text().await.ok()?;
    let numbers: Vec<u64> = text
        .split(['/', ':'])
        .skip(1)
        .map(|part| {
            part.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect();
    match numbers[..] {
        [done, total] => Some((done, total)),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_new_counter_shows_the_progress_of_its_first_load_then_finds_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DemoConfig {
        customers: CUSTOMERS,
        seed: 2026,
        as_of: Utc::now(),
        local_store: "LYO1".into(),
    };
    let storage: Arc<dyn Storage> = Arc::new(
        SqliteStorage::open(&dir.path().join("server.sqlite"))
            .await
            .unwrap(),
    );
    let loaded = comptoir_server::demo::load(&*storage, &cfg, |_, _| {})
        .await
        .unwrap();
    assert!(loaded.changes > 20_000, "{} changes", loaded.changes);
    let customers = i64::try_from(loaded.summary.customers).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Settings::default()
    };
    let server = launch(Arc::clone(&storage), settings, listener)
        .await
        .unwrap();

    // The counter: its store, catalogue and users, no customer; enrolled.
    let db = dir.path().join("lyon.sqlite");
    let store = Store::open(&db, OpenMode::CreateIfMissing).await.unwrap();
    comptoir_demo::setup_counter(&store, &cfg).await.unwrap();
    let code = comptoir_server::admin::enrol_code(&*storage, "LYO1", 600, Utc::now())
        .await
        .unwrap()
        .code;
    comptoir_client::enrol(&store, &server.url(), &code, "Comptoir Lyon 1")
        .await
        .unwrap();
    assert_eq!(store.customer_count().await.unwrap(), 0);
    store.close().await;

    let args = vec!["--db".to_owned(), db.display().to_string()];
    with_app_args(&args, move |c| async move {
        sign_in(&c, SOPHIE).await;
        // The bar, part way: a count between 0 and the total, on screen.
        let started = Instant::now();
        let (done, total) = loop {
            if let Some((done, total)) = progress(&c).await {
                if done > 0 && done < total {
                    break (done, total);
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no bootstrap progress seen part way"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        shot(&c, "60-bootstrap-progress").await;
        assert!(total > 20_000, "{done} / {total}");
        // Then the bar goes: the chain is here.
        loop {
            if c.find(Locator::Css("#sync-bootstrap")).await.is_err() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(150),
                "the bootstrap did not end"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // The header counts the customers received.
        let header = customers.to_string();
        let c2 = c.clone();
        eventually("the header's count of the customers received", move || {
            let (c, header) = (c2.clone(), header.clone());
            async move {
                let text = c
                    .find(Locator::Css(".topbar-info"))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                (digits == header).then_some(())
            }
        })
        .await;
        let search = search_field_after_f2(&c).await;
        search
            .send_keys(comptoir_demo::showcase::HELENE_LYON_EMAIL)
            .await
            .unwrap();
        text_containing(&c, "#results", &["Dupré"]).await;
        shot(&c, "61-bootstrap-done").await;
    })
    .await;

    let store = Store::open(&db, OpenMode::MustExist).await.unwrap();
    assert_eq!(store.customer_count().await.unwrap(), customers);
    store.close().await;
    drop(server);
}
