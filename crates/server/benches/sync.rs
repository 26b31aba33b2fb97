//! Push and pull latency against two server instances on one PostgreSQL,
//! with concurrent simulated stores over loopback HTTP, next to a raw
//! baseline in the same run: the same INSERTs in one transaction and the
//! same feed SELECT, straight through sqlx on the same database.
//!
//! ```text
//! COMPTOIR_TEST_PG_URL=postgres://… cargo bench -p comptoir-server --bench sync
//! ```
//! `COMPTOIR_BENCH_STORES` (default 50) stores, `COMPTOIR_BENCH_ROUNDS`
//! (default 20) rounds each: push a batch of 10 changes, then pull;
//! `COMPTOIR_BENCH_PERIOD_MS` (default 0: back to back) spaces each
//! store's rounds, the stores spread over the period.
//! Bounded loops, loopback only; a fresh database is created and dropped.
#![allow(clippy::unwrap_used)]

// The server binary's allocator (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use comptoir_server::app::launch;
use comptoir_server::settings::Settings;
use comptoir_server::storage::postgres::PgStorage;
use comptoir_server::storage::Storage;
use comptoir_sync::ChangeEnvelope;
use sqlx::Connection;
use uuid::Uuid;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// This process's resident set size, in kB (Linux).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut v: Vec<Duration>) {
    println!(
        "{name:<28} n={:>6}  p50 {:>7.2} ms  p99 {:>7.2} ms",
        v.len(),
        pct(&mut v, 0.50),
        pct(&mut v, 0.99)
    );
}

/// A note on a dossier, typed as a counter's write path makes it (the
/// server decodes dossier events; anything else would be refused).
fn change(store: &str, device: Uuid, i: usize) -> ChangeEnvelope {
    use comptoir_core::changes::Change;
    use comptoir_core::events::{DossierEvent, EventRecord};
    use comptoir_core::ids::{DossierEventId, DossierId};
    let now = Utc::now();
    Change::DossierEvent(EventRecord {
        id: DossierEventId::new(),
        dossier_id: DossierId::new(),
        hlc: comptoir_core::hlc::Hlc::at(now),
        device_id: device,
        at: now,
        actor: "Julie M.".into(),
        note: Some(format!("Appel client : pièce commandée ({i})")),
        event: DossierEvent::Note,
    })
    .to_envelope(store)
    .expect("a note encodes")
}

#[tokio::main]
async fn main() {
    let Ok(base) = std::env::var("COMPTOIR_TEST_PG_URL") else {
        eprintln!("COMPTOIR_TEST_PG_URL is not set: this benchmark needs PostgreSQL");
        std::process::exit(2);
    };
    let stores = env_usize("COMPTOIR_BENCH_STORES", 50);
    let rounds = env_usize("COMPTOIR_BENCH_ROUNDS", 20);
    // 0: every store syncs again as soon as it is done (the server
    // saturated). N: each store syncs once every N ms, the stores spread
    // over the period, as counters' background tasks do.
    let period = Duration::from_millis(env_usize("COMPTOIR_BENCH_PERIOD_MS", 0) as u64);
    let name = format!("comptoir_bench_{}", Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);

    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Settings::default()
    };
    let mut urls = Vec::new();
    let mut instances = Vec::new();
    let mut storages: Vec<Arc<dyn Storage>> = Vec::new();
    for _ in 0..2 {
        let st: Arc<dyn Storage> = Arc::new(PgStorage::connect(&url, 10).await.unwrap());
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let r = launch(st.clone(), settings.clone(), l).await.unwrap();
        urls.push(r.url());
        instances.push(r);
        storages.push(st);
    }
    // reqwest has no crypto provider of its own in this workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let mut devices = Vec::new();
    for i in 0..stores {
        let code = format!("M{i:03}");
        storages[0]
            .add_store(&code, &code, false, Utc::now())
            .await
            .unwrap();
        let c = comptoir_server::admin::enrol_code(storages[0].as_ref(), &code, 600, Utc::now())
            .await
            .unwrap();
        let v: serde_json::Value = http
            .post(format!("{}/v1/enrol", urls[0]))
            .json(&serde_json::json!({"code": c.code, "device_name": "bench"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        devices.push((
            code,
            v["token"].as_str().unwrap().to_owned(),
            v["device_id"].as_str().unwrap().parse::<Uuid>().unwrap(),
        ));
    }

    // Through the server: every store at once, push 10 then pull. The
    // process's resident memory (both instances and every client) is
    // sampled meanwhile: it must not grow with the rounds.
    let rss_before = rss_kb();
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = tokio::spawn({
        let sampling = Arc::clone(&sampling);
        async move {
            let mut samples = Vec::new();
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                samples.push(rss_kb());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            samples
        }
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (code, token, dev)) in devices.iter().cloned().enumerate() {
        let http = http.clone();
        let urls = urls.clone();
        let offset = period.mul_f64(i as f64 / stores as f64);
        tasks.push(tokio::spawn(async move {
            let (mut push, mut pull) = (Vec::new(), Vec::new());
            let mut cursor = String::new();
            let first = tokio::time::Instant::now() + offset;
            for r in 0..rounds {
                if !period.is_zero() {
                    tokio::time::sleep_until(first + period * r as u32).await;
                }
                let url = &urls[(i + r) % 2];
                let batch: Vec<_> = (0..10).map(|k| change(&code, dev, k)).collect();
                let t = Instant::now();
                let resp = http
                    .post(format!("{url}/v1/push"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"changes": batch}))
                    .send()
                    .await
                    .unwrap();
                assert!(resp.status().is_success());
                let v: serde_json::Value = resp.json().await.unwrap();
                push.push(t.elapsed());
                assert!(
                    v["results"]
                        .as_array()
                        .is_some_and(|r| r.iter().all(|r| r["outcome"] == "applied")),
                    "every change applied: {v}"
                );
                let t = Instant::now();
                let v: serde_json::Value = http
                    .get(format!("{url}/v1/pull?after={cursor}&limit=500"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                pull.push(t.elapsed());
                cursor = v["cursor"].as_str().unwrap().to_owned();
            }
            (push, pull)
        }));
    }
    let (mut push, mut pull) = (Vec::new(), Vec::new());
    for t in tasks {
        let (a, b) = t.await.unwrap();
        push.extend(a);
        pull.extend(b);
    }
    let server_elapsed = started.elapsed();
    if !period.is_zero() {
        println!(
            "each store syncs every {} ms ({:.0} pushes and as many pulls a second in all)",
            period.as_millis(),
            stores as f64 / period.as_secs_f64()
        );
    }
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let samples = sampler.await.unwrap();
    let third = samples.len() / 3;
    let peak = |s: &[u64]| s.iter().copied().max().unwrap_or(0);
    println!(
        "resident memory (MB): before {:.0}; peak over the first third of the run {:.0}, over the last third {:.0}; after {:.0} ({} samples)",
        rss_before as f64 / 1024.0,
        peak(&samples[..third]) as f64 / 1024.0,
        peak(&samples[samples.len() - third..]) as f64 / 1024.0,
        rss_kb() as f64 / 1024.0,
        samples.len()
    );

    // Baseline: the same writes and reads, raw sqlx, same concurrency.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(20)
        .connect(&url)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE raw_changes (id uuid PRIMARY KEY, kind text, entity_id uuid, store_code text, device_id uuid, hlc text, payload jsonb)")
        .execute(&pool).await.unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (code, _, dev)) in devices.iter().cloned().enumerate() {
        let pool = pool.clone();
        let offset = period.mul_f64(i as f64 / stores as f64);
        tasks.push(tokio::spawn(async move {
            let (mut ins, mut sel) = (Vec::new(), Vec::new());
            let first = tokio::time::Instant::now() + offset;
            for r in 0..rounds {
                if !period.is_zero() {
                    tokio::time::sleep_until(first + period * r as u32).await;
                }
                let batch: Vec<_> = (0..10).map(|k| change(&code, dev, k)).collect();
                let t = Instant::now();
                let mut tx = pool.begin().await.unwrap();
                for c in &batch {
                    sqlx::query("INSERT INTO raw_changes VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING")
                        .bind(c.id).bind(&c.kind).bind(c.entity_id).bind(&c.store_code).bind(c.device_id).bind(&c.hlc)
                        .bind(sqlx::types::Json(&c.payload)).execute(&mut *tx).await.unwrap();
                }
                tx.commit().await.unwrap();
                ins.push(t.elapsed());
                let t = Instant::now();
                let rows = sqlx::query("SELECT id, kind, entity_id, store_code, device_id, hlc, payload FROM changes WHERE (xid, seq) > (0, 0) AND (scope = 'chain' OR store_code = $1) ORDER BY xid, seq LIMIT 500")
                    .bind(&code).fetch_all(&pool).await.unwrap();
                std::hint::black_box(rows.len());
                sel.push(t.elapsed());
            }
            (ins, sel)
        }));
    }
    let (mut ins, mut sel) = (Vec::new(), Vec::new());
    for t in tasks {
        let (a, b) = t.await.unwrap();
        ins.extend(a);
        sel.extend(b);
    }
    let raw_elapsed = started.elapsed();

    println!("{stores} stores x {rounds} rounds (push 10 changes, then pull), two instances on one PostgreSQL");
    report("push via server", push);
    report("pull via server", pull);
    report("baseline raw INSERT x10 tx", ins);
    report("baseline raw feed SELECT", sel);
    println!(
        "wall: server {:.2} s, baseline {:.2} s",
        server_elapsed.as_secs_f64(),
        raw_elapsed.as_secs_f64()
    );

    for r in instances {
        r.shutdown().await.unwrap();
    }
    pool.close().await;
    drop(storages);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
}
