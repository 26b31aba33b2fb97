//! The counter side of the sync, through the real server on a loopback
//! port (embedded SQLite, the default deployment), next to a raw baseline
//! in the same run:
//!
//! - drain: 5,000 changes made offline at one counter pushed by
//!   `sync_once` (read from the outbox, sent, acknowledged in the counter's
//!   database) next to the same envelopes POSTed raw in batches of 200;
//! - receive: the other counter's `sync_once` pulling and applying them
//!   next to the same feed pulled raw over HTTP (nothing applied);
//! - visibility: a note at one counter until it is on the other's dossier,
//!   each side doing one `sync_once` (the app adds up to its sync period,
//!   1 s by default, on top);
//! - the same with both counters' background tasks running as in the app.
//!
//! ```text
//! cargo bench -p comptoir-client --bench sync
//! ```
//! `COMPTOIR_BENCH_CHANGES` (default 5000), `COMPTOIR_BENCH_ROUNDS` (50).
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use chrono::Utc;
use comptoir_server::settings::Settings;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let changes = env_usize("COMPTOIR_BENCH_CHANGES", 5_000);
    let rounds = env_usize("COMPTOIR_BENCH_ROUNDS", 50);
    let dir = tempfile::tempdir().unwrap();
    let (storage, running) = support::server(dir.path(), "server", Settings::default()).await;
    let url = running.url();
    let lyon = support::counter(dir.path(), "LYO1", 2_000).await;
    let paris = support::counter(dir.path(), "PAR1", 2_000).await;
    support::enrolled(&*storage, &url, &lyon, "LYO1").await;
    support::enrolled(&*storage, &url, &paris, "PAR1").await;
    let dossiers: Vec<_> = lyon
        .list_dossiers(
            comptoir_core::dossier::DossierList::StoreOpen,
            None,
            Utc::now(),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .take(50)
        .collect();
    let dossiers = if dossiers.is_empty() {
        vec![lyon
            .dossier_by_number(comptoir_demo::showcase::STORE_DOSSIER)
            .await
            .unwrap()]
    } else {
        dossiers
    };

    // Offline work: `changes` notes.
    for i in 0..changes {
        let d = dossiers[i % dossiers.len()];
        lyon.add_note(d, "Julie M.", &format!("Note hors ligne {i}"), Utc::now())
            .await
            .unwrap();
    }
    let envelopes = lyon.outbox(u32::try_from(changes).unwrap()).await.unwrap();
    assert_eq!(envelopes.len(), changes);

    let t = Instant::now();
    let r = comptoir_client::sync_once(&lyon, &mut |_| {})
        .await
        .unwrap();
    let drain = t.elapsed();
    assert_eq!(r.pushed, changes);
    assert_eq!(r.outbox_left, 0);

    // Baseline: the same envelopes raw to a fresh server.
    let dir2 = tempfile::tempdir().unwrap();
    let (storage2, running2) = support::server(dir2.path(), "raw", Settings::default()).await;
    let other = support::counter(dir2.path(), "LYO1", 2_000).await;
    let token = support::enrolled(&*storage2, &running2.url(), &other, "LYO1").await;
    // reqwest has no crypto provider of its own in this workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let t = Instant::now();
    for batch in envelopes.chunks(200) {
        let r = http
            .post(format!("{}/v1/push", running2.url()))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "changes": batch }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let _: serde_json::Value = r.json().await.unwrap();
    }
    let raw_push = t.elapsed();

    let t = Instant::now();
    let r = comptoir_client::sync_once(&paris, &mut |_| {})
        .await
        .unwrap();
    let receive = t.elapsed();
    assert!(r.applied >= changes, "{r:?}");
    let paris_token = comptoir_client::credential::load(paris.path()).unwrap();
    let t = Instant::now();
    let mut cursor = String::new();
    let mut pulled = 0;
    loop {
        let mut q = vec![("limit", "1000".to_owned())];
        if !cursor.is_empty() {
            q.push(("after", cursor.clone()));
        }
        let v: serde_json::Value = http
            .get(format!("{url}/v1/pull"))
            .bearer_auth(&paris_token)
            .query(&q)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pulled += v["changes"].as_array().unwrap().len();
        cursor = v["cursor"].as_str().unwrap().to_owned();
        if !v["more"].as_bool().unwrap() {
            break;
        }
    }
    let raw_pull = t.elapsed();
    assert!(pulled >= changes);

    let mut seen = Vec::new();
    let mut raw_round = Vec::new();
    for i in 0..rounds {
        let d = dossiers[i % dossiers.len()];
        let text = format!("Vue à Paris {i}");
        let t = Instant::now();
        lyon.add_note(d, "Julie M.", &text, Utc::now())
            .await
            .unwrap();
        comptoir_client::sync_once(&lyon, &mut |_| {})
            .await
            .unwrap();
        loop {
            comptoir_client::sync_once(&paris, &mut |_| {})
                .await
                .unwrap();
            if has_note(&paris, d, &text).await {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(30));
        }
        seen.push(t.elapsed());
        // Baseline: one push and one pull over HTTP, nothing written.
        let one = &envelopes[i..=i];
        let t = Instant::now();
        http.post(format!("{}/v1/push", running2.url()))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "changes": one }))
            .send()
            .await
            .unwrap();
        http.get(format!("{}/v1/pull?limit=1", running2.url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        raw_round.push(t.elapsed());
    }

    println!("counter sync, server on loopback (embedded SQLite)");
    println!(
        "drain {changes} offline changes   {:>8.0} ms ({:>6.0}/s)   raw HTTP push of the same: {:>6.0} ms",
        drain.as_secs_f64() * 1e3,
        changes as f64 / drain.as_secs_f64(),
        raw_push.as_secs_f64() * 1e3
    );
    println!(
        "receive and apply them        {:>8.0} ms ({:>6.0}/s)   raw HTTP pull of the feed: {:>6.0} ms",
        receive.as_secs_f64() * 1e3,
        changes as f64 / receive.as_secs_f64(),
        raw_pull.as_secs_f64() * 1e3
    );
    println!(
        "note visible at the other counter (n={rounds}): p50 {:.1} ms, p95 {:.1} ms   raw push+pull: p50 {:.1} ms, p95 {:.1} ms",
        pct(&mut seen, 0.5),
        pct(&mut seen, 0.95),
        pct(&mut raw_round, 0.5),
        pct(&mut raw_round, 0.95)
    );
    // As the app runs it: both counters' background tasks (period 1 s, a
    // local change pushed within 250 ms); the note typed at Lyon, watched
    // for at Paris every 10 ms.
    let lyon_task = comptoir_client::Syncer::spawn(lyon.clone(), Duration::from_secs(1), |_| {});
    let paris_task = comptoir_client::Syncer::spawn(paris.clone(), Duration::from_secs(1), |_| {});
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut live = Vec::new();
    for i in 0..rounds {
        let d = dossiers[i % dossiers.len()];
        let text = format!("En direct {i}");
        let t = Instant::now();
        lyon.add_note(d, "Julie M.", &text, Utc::now())
            .await
            .unwrap();
        loop {
            if has_note(&paris, d, &text).await {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(30));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        live.push(t.elapsed());
        // Not in step with the tasks' periods.
        tokio::time::sleep(Duration::from_millis(137 * (i as u64 % 7))).await;
    }
    lyon_task.stop();
    paris_task.stop();
    println!(
        "note visible at the other counter, background tasks (n={rounds}): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        pct(&mut live, 0.5),
        pct(&mut live, 0.95),
        pct(&mut live, 1.0)
    );
    running.shutdown().await.unwrap();
    running2.shutdown().await.unwrap();
}

/// Whether the dossier's timeline at this counter has a note with this text.
async fn has_note(
    store: &comptoir_store::Store,
    dossier: comptoir_core::ids::DossierId,
    text: &str,
) -> bool {
    let detail = store.dossier_detail(dossier).await.unwrap();
    detail
        .dossier
        .events
        .iter()
        .any(|e| e.note.as_deref() == Some(text))
}
