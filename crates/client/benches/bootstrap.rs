//! A new counter's first load (bootstrap) from the central server on a
//! loopback port (embedded SQLite), next to baselines in the same run:
//!
//! - ours: `sync_once` of an empty counter (set up with the demo chain's
//!   stores and catalogue, no customers) against a server holding the demo
//!   chain: the stream received, gunzipped, decoded and applied through the
//!   counter's one write path (customers with their search index, orders,
//!   lines, parcels, dossiers and their events), a batch a transaction;
//! - raw bulk insert: the very rows ours made, copied into an empty
//!   counter file of the same schema by `INSERT … SELECT` in one
//!   transaction (every index, the full-text index, the triggers, foreign
//!   keys on): what SQLite itself needs for those rows;
//! - raw HTTP: the same stream read to its end, nothing decoded;
//! - raw SQLite: the same changes' payloads inserted into one keyed table
//!   of an empty file, in transactions of 5,000 (no decoding, no index);
//! - the demo's bulk load of the same chain straight into a counter file
//!   (generation included), the store's fastest path.
//!
//! Rows are the counter's rows the load creates: customers, their
//! contacts, orders, order lines, parcels, dossiers and dossier events.
//!
//! ```text
//! COMPTOIR_BENCH_CUSTOMERS=100000 cargo bench -p comptoir-client --bench bootstrap
//! ```
//!
//! `COMPTOIR_BENCH_KEEP=DIR` keeps the loaded server's file in DIR and
//! reuses it in the next run of the same size (the demo load of a large
//! chain takes minutes; the kept chain is the one generated on the day it
//! was kept, migrated when opened), and with it the counter file ours
//! filled and an empty counter file (`counter-N.sqlite`,
//! `counter-empty.sqlite`: for experiments by hand in the sqlite3 shell);
//! `COMPTOIR_BENCH_ONLY=ours` skips the baselines but the raw bulk insert
//! (for `perf`); `COMPTOIR_BENCH_STATEMENTS=1` prints the time SQLite
//! spent on each kind of statement (from sqlx's statement log). The
//! client's own log line at the end (`bootstrap done … writing= waiting=`)
//! says how long it wrote batches and how long it waited for the stream.
#![allow(clippy::unwrap_used)]

// The allocator of the app, comptoir-ctl and the server binaries.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use comptoir_server::settings::Settings;
use comptoir_server::storage::Cursor;
use comptoir_store::{OpenMode, Store};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;

const TABLES: &[&str] = &[
    "customers",
    "customer_contacts",
    "orders",
    "order_lines",
    "shipments",
    "dossiers",
    "dossier_events",
];

async fn rows(path: &std::path::Path) -> u64 {
    let mut c = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let mut n = 0u64;
    for t in TABLES {
        let k: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {t}"))
            .fetch_one(&mut c)
            .await
            .unwrap();
        n += u64::try_from(k).unwrap();
    }
    n
}

/// Time and count per statement kind, from sqlx's `sqlx::query` events.
#[derive(Default, Clone)]
struct Statements(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (f64, u64)>>>);

struct StatementVisitor {
    sql: String,
    summary: String,
    secs: f64,
}

impl tracing::field::Visit for StatementVisitor {
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.secs = value;
        }
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "db.statement" => self.sql = value.to_owned(),
            "summary" => self.summary = value.to_owned(),
            _ => {}
        }
    }
    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, e: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if e.metadata().target() != "sqlx::query" {
            return;
        }
        let mut v = StatementVisitor {
            sql: String::new(),
            summary: String::new(),
            secs: 0.0,
        };
        e.record(&mut v);
        let text = if v.sql.trim().is_empty() {
            v.summary
        } else {
            v.sql
        };
        let key: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let key: String = key.chars().take(110).collect();
        let mut m = self.0.lock().unwrap();
        let slot = m.entry(key).or_default();
        slot.0 += v.secs;
        slot.1 += 1;
    }
}

impl Statements {
    fn print(&self) {
        let m = self.0.lock().unwrap();
        let mut all: Vec<_> = m.iter().collect();
        all.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
        let total: f64 = all.iter().map(|(_, (s, _))| s).sum();
        println!("statements: {total:.2} s in SQLite, by kind:");
        for (k, (s, n)) in all.iter().take(40) {
            println!("  {s:7.2} s {n:8} × {k}");
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // The client's own account of the bootstrap (time writing batches,
    // time waiting for the stream), and on request SQLite's time by
    // statement.
    let statements = std::env::var_os("COMPTOIR_BENCH_STATEMENTS").map(|_| Statements::default());
    {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::Layer;
        let log = tracing_subscriber::fmt::layer().with_filter(
            tracing_subscriber::filter::Targets::new()
                .with_target("comptoir_client", tracing::Level::INFO),
        );
        let sql = statements.clone().map(|s| {
            s.with_filter(
                tracing_subscriber::filter::Targets::new()
                    .with_target("sqlx::query", tracing::Level::DEBUG),
            )
        });
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(log).with(sql))
            .unwrap();
    }
    let customers: u64 = std::env::var("COMPTOIR_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let only_ours = std::env::var("COMPTOIR_BENCH_ONLY").is_ok_and(|v| v == "ours");
    let dir = tempfile::tempdir().unwrap();
    let cfg = comptoir_demo::DemoConfig::new(customers);
    let kept = std::env::var_os("COMPTOIR_BENCH_KEEP")
        .map(|d| std::path::PathBuf::from(d).join(format!("server-{customers}.sqlite")));
    let (storage, running) = match kept.as_ref().filter(|k| k.exists()) {
        Some(k) => {
            std::fs::copy(k, dir.path().join("server.sqlite")).unwrap();
            let storage: std::sync::Arc<dyn comptoir_server::storage::Storage> =
                std::sync::Arc::new(
                    comptoir_server::storage::sqlite::SqliteStorage::open(
                        &dir.path().join("server.sqlite"),
                    )
                    .await
                    .unwrap(),
                );
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let settings = Settings {
                listen: "127.0.0.1:0".parse().unwrap(),
                ..Settings::default()
            };
            let running =
                comptoir_server::app::launch(std::sync::Arc::clone(&storage), settings, listener)
                    .await
                    .unwrap();
            println!(
                "server: the chain loaded by an earlier run ({})",
                k.display()
            );
            (storage, running)
        }
        None => {
            let (storage, running) =
                support::server(dir.path(), "server", Settings::default()).await;
            let t = Instant::now();
            let loaded = comptoir_server::demo::load(&*storage, &cfg, |_, _| {})
                .await
                .unwrap();
            println!(
                "server demo-data: {} customers, {} orders, {} lines, {} dossiers, {} events in {:.1} s",
                loaded.summary.customers, loaded.summary.orders, loaded.summary.order_lines, loaded.summary.dossiers, loaded.summary.events,
                t.elapsed().as_secs_f64()
            );
            if let Some(k) = &kept {
                sqlx::query("VACUUM INTO ?")
                    .bind(k.to_string_lossy().into_owned())
                    .execute(
                        &mut sqlx::sqlite::SqliteConnectOptions::new()
                            .filename(dir.path().join("server.sqlite"))
                            .connect()
                            .await
                            .unwrap(),
                    )
                    .await
                    .unwrap();
            }
            (storage, running)
        }
    };
    let url = running.url();
    let feed = storage.feed_count("LYO1", Cursor::default()).await.unwrap();

    // Ours.
    let path = dir.path().join("LYO1.sqlite");
    let counter = Store::open(&path, OpenMode::CreateIfMissing).await.unwrap();
    comptoir_demo::setup_counter(&counter, &cfg).await.unwrap();
    let token = support::enrolled(&*storage, &url, &counter, "LYO1").await;
    let t = Instant::now();
    let report = comptoir_client::sync_once(&counter, &mut |_| {})
        .await
        .unwrap();
    let ours = t.elapsed().as_secs_f64();
    assert_eq!(report.received as u64, feed);
    counter.close().await;
    let made = rows(&path).await;
    let size = std::fs::metadata(&path).unwrap().len();
    // Raw bulk insert of the same rows: the counter's rows copied from the
    // file ours filled into an empty counter file of the same schema
    // (indexes, full-text index, triggers, foreign keys on), one
    // `INSERT … SELECT` a table in one transaction — the floor of SQLite.
    let floor_path = dir.path().join("floor.sqlite");
    let floor = Store::open(&floor_path, OpenMode::CreateIfMissing)
        .await
        .unwrap();
    comptoir_demo::setup_counter(&floor, &cfg).await.unwrap();
    floor.close().await;
    let mut c = SqliteConnectOptions::new()
        .filename(&floor_path)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("cache_size", "-65536")
        .connect()
        .await
        .unwrap();
    if let Some(k) = &kept {
        // The filled counter and an empty one, for experiments by hand.
        let keep_dir = k.parent().unwrap();
        for (q, to) in [
            (&mut c, keep_dir.join("counter-empty.sqlite")),
            (
                &mut SqliteConnectOptions::new()
                    .filename(&path)
                    .connect()
                    .await
                    .unwrap(),
                keep_dir.join(format!("counter-{customers}.sqlite")),
            ),
        ] {
            std::fs::remove_file(&to).ok();
            sqlx::query("VACUUM INTO ?")
                .bind(to.to_string_lossy().into_owned())
                .execute(q)
                .await
                .unwrap();
        }
    }
    sqlx::query("ATTACH DATABASE ? AS src")
        .bind(path.to_string_lossy().into_owned())
        .execute(&mut c)
        .await
        .unwrap();
    let t = Instant::now();
    let mut tx = sqlx::Connection::begin(&mut c).await.unwrap();
    for copy in [
        "INSERT INTO main.customers SELECT * FROM src.customers",
        "INSERT INTO main.customer_fts (rowid, name, city) SELECT rowid, name, city FROM src.customer_fts",
        "INSERT OR IGNORE INTO main.search_terms SELECT * FROM src.search_terms",
        "INSERT INTO main.customer_contacts SELECT * FROM src.customer_contacts",
        "INSERT OR IGNORE INTO main.products SELECT * FROM src.products",
        "INSERT INTO main.orders SELECT * FROM src.orders",
        "INSERT INTO main.order_lines SELECT * FROM src.order_lines",
        "INSERT INTO main.order_line_serials SELECT * FROM src.order_line_serials",
        "INSERT INTO main.shipments SELECT * FROM src.shipments",
        "INSERT INTO main.shipment_lines SELECT * FROM src.shipment_lines",
        "INSERT INTO main.dossiers SELECT * FROM src.dossiers",
        "INSERT INTO main.dossier_events SELECT * FROM src.dossier_events",
    ] {
        sqlx::query(copy).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let floor_s = t.elapsed().as_secs_f64();
    sqlx::Connection::close(c).await.unwrap();
    let floor_rows = rows(&floor_path).await;
    assert_eq!(floor_rows, made, "the floor copies every row ours made");
    println!(
        "raw bulk insert of the same {floor_rows} rows (INSERT … SELECT, one transaction): {floor_s:.2} s, {:.0} rows/s",
        floor_rows as f64 / floor_s
    );

    if only_ours {
        println!(
            "bootstrap of {customers} customers ({made} rows, {feed} changes): {ours:.1} s, {:.0} rows/s",
            made as f64 / ours
        );
        if let Some(s) = &statements {
            s.print();
        }
        running.shutdown().await.unwrap();
        return;
    }

    // Raw HTTP: the stream read whole, compressed as the counter gets it.
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let t = Instant::now();
    let mut r = http
        .get(format!("{url}/v1/bootstrap"))
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let mut wire = 0usize;
    while let Some(c) = r.chunk().await.unwrap() {
        wire += c.len();
    }
    let raw_http = t.elapsed().as_secs_f64();

    // Raw SQLite: the same payloads into one keyed table.
    let raw_path = dir.path().join("raw.sqlite");
    let mut c = SqliteConnectOptions::new()
        .filename(&raw_path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE raw (id BLOB PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL)")
        .execute(&mut c)
        .await
        .unwrap();
    let mut cursor = Cursor::default();
    let mut pages = Vec::new();
    loop {
        let page = storage.feed("LYO1", cursor, 5_000).await.unwrap();
        let Some(last) = page.last() else { break };
        cursor = last.cursor;
        pages.push(page);
    }
    let t = Instant::now();
    for page in &pages {
        let mut tx = sqlx::Connection::begin(&mut c).await.unwrap();
        for r in page {
            sqlx::query("INSERT INTO raw (id, kind, body) VALUES (?, ?, ?)")
                .bind(r.envelope.id)
                .bind(&r.envelope.kind)
                .bind(r.envelope.payload.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let raw_sql = t.elapsed().as_secs_f64();

    // The demo's bulk load of the same chain.
    let bulk_path = dir.path().join("bulk.sqlite");
    let bulk = Store::open(&bulk_path, OpenMode::CreateIfMissing)
        .await
        .unwrap();
    let t = Instant::now();
    comptoir_demo::generate(&bulk, &cfg, |_, _| {})
        .await
        .unwrap();
    let bulk_s = t.elapsed().as_secs_f64();
    bulk.close().await;
    let bulk_rows = rows(&bulk_path).await;

    println!("bootstrap of {customers} customers ({made} rows, {feed} changes, database {} MB, {} MB on the wire):", size >> 20, wire >> 20);
    println!(
        "  ours (sync_once, applied):      {ours:7.1} s  {:9.0} rows/s  {:9.0} changes/s",
        made as f64 / ours,
        feed as f64 / ours
    );
    println!(
        "  raw bulk insert, same rows:     {floor_s:7.1} s  {:9.0} rows/s",
        floor_rows as f64 / floor_s
    );
    println!(
        "  raw HTTP stream, read only:     {raw_http:7.1} s  {:9.0} changes/s",
        feed as f64 / raw_http
    );
    println!(
        "  raw SQLite insert of payloads:  {raw_sql:7.1} s  {:9.0} changes/s",
        feed as f64 / raw_sql
    );
    println!(
        "  demo bulk load (generation in): {bulk_s:7.1} s  {:9.0} rows/s ({bulk_rows} rows)",
        bulk_rows as f64 / bulk_s
    );
    running.shutdown().await.unwrap();
}
