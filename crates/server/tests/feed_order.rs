//! No change is ever skipped by a puller, even when push transactions commit
//! out of order and two server instances write to one database.
//!
//! On PostgreSQL, each push transaction is held open before its commit by a
//! hook (some for 20–40 ms, a few for 400–700 ms), while six stores push
//! through two server instances (two pools) and three counters pull in small
//! pages, alternating between the instances. A naive observer that follows
//! `seq` alone is run alongside: it must miss changes (the commits really
//! were out of order), while every real puller must end with every change
//! it is entitled to, exactly once, in strictly increasing cursor order.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use comptoir_server::storage::postgres::PgStorage;
use comptoir_server::storage::{CommitHook, Cursor, Storage};
use serde_json::json;
use sqlx::Row;

const STORES: usize = 6;
const BATCHES: usize = 15;
const CHAIN_PER_BATCH: usize = 4;

fn hook() -> CommitHook {
    Arc::new(|changes| {
        let slow = changes
            .iter()
            .filter_map(|c| c.envelope.payload["slow_ms"].as_u64())
            .max();
        let wait = slow.unwrap_or_else(|| {
            20 + changes
                .first()
                .map_or(0, |c| u64::from(c.envelope.id.as_bytes()[15] % 20))
        });
        Duration::from_millis(wait)
    })
}

async fn no_change_skipped(db: Db) {
    let (sa, sb): (Arc<dyn Storage>, Arc<dyn Storage>) = match db.pg_url() {
        Some(url) => (
            Arc::new(
                PgStorage::connect(url, 8)
                    .await
                    .unwrap()
                    .with_commit_hook(hook()),
            ),
            Arc::new(
                PgStorage::connect(url, 8)
                    .await
                    .unwrap()
                    .with_commit_hook(hook()),
            ),
        ),
        None => (db.storage().await, db.storage().await),
    };
    let a = serve(sa.clone(), test_settings()).await;
    let b = serve(sb.clone(), test_settings()).await;
    let urls = [a.url(), b.url()];

    let mut devices = Vec::new();
    for i in 0..STORES {
        devices.push(enrol(sa.as_ref(), &urls[i % 2], &format!("MAG{i}")).await);
    }

    let done = Arc::new(AtomicBool::new(false));

    // The naive observer: follows seq alone, straight from the database.
    let naive = db.pg_url().map(|url| {
        let url = url.to_owned();
        let done = done.clone();
        tokio::spawn(async move {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            let mut last = 0i64;
            let mut seen = HashSet::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let rows = sqlx::query("SELECT seq, id FROM changes WHERE seq > $1 ORDER BY seq")
                    .bind(last)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                for r in rows {
                    last = r.get(0);
                    seen.insert(r.get::<uuid::Uuid, _>(1));
                }
                if finished {
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    });

    // Pullers: three counters, small pages, alternating instances.
    let mut pullers = Vec::new();
    for &i in &[0usize, 3, 5] {
        let dev = devices[i].clone_token();
        let urls = urls.clone();
        let done = done.clone();
        pullers.push(tokio::spawn(async move {
            let clients = [
                Client::with_token(&urls[0], &dev.0),
                Client::with_token(&urls[1], &dev.0),
            ];
            let mut cursor = String::new();
            let mut last = Cursor::default();
            let mut got: Vec<(String, String, String)> = Vec::new();
            let mut turn = 0;
            let deadline = Instant::now() + Duration::from_secs(90);
            loop {
                let finished = done.load(Ordering::SeqCst);
                let (s, v) = clients[turn % 2]
                    .get(&format!("/v1/pull?after={cursor}&limit=7"))
                    .await;
                turn += 1;
                assert_eq!(s, 200, "{v}");
                for c in v["changes"].as_array().unwrap() {
                    let pos: Cursor = c["cursor"].as_str().unwrap().parse().unwrap();
                    assert!(pos > last, "cursor strictly increasing");
                    last = pos;
                    got.push((
                        c["change"]["id"].as_str().unwrap().to_owned(),
                        c["change"]["store_code"].as_str().unwrap().to_owned(),
                        c["scope"].as_str().unwrap().to_owned(),
                    ));
                }
                cursor = v["cursor"].as_str().unwrap().to_owned();
                if finished && !v["more"].as_bool().unwrap() {
                    return (dev.1, got);
                }
                assert!(Instant::now() < deadline, "pullers finish");
                if !v["more"].as_bool().unwrap() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }));
    }

    // Pushers: every store at once, each batch to the other instance.
    let mut pushers = Vec::new();
    for (i, dev) in devices.iter().enumerate() {
        let dev = dev.clone_token();
        let urls = urls.clone();
        let store = format!("MAG{i}");
        pushers.push(tokio::spawn(async move {
            let mut pushed = Vec::new();
            for batch in 0..BATCHES {
                let mut changes: Vec<_> = (0..CHAIN_PER_BATCH)
                    .map(|k| change(&store, dev.2, "dossier.event", json!({"b": batch, "k": k})))
                    .collect();
                let mut setting = change(&store, dev.2, "store.setting", json!({"b": batch}));
                // A few transactions stay open long while others commit (the
                // hook reads it from the batch's store setting: the dossier
                // events are typed and carry no test field).
                if batch % 5 == 1 {
                    setting.payload["slow_ms"] = json!(400 + 60 * i);
                }
                changes.push(setting);
                let c = Client::with_token(&urls[(i + batch) % 2], &dev.0);
                let (s, v) = c.push(&changes).await;
                assert_eq!(s, 200, "{v}");
                assert!(v["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| r["outcome"] == "applied"));
                pushed.extend(
                    changes
                        .into_iter()
                        .map(|c| (c.id.to_string(), c.store_code, c.kind)),
                );
            }
            pushed
        }));
    }
    let mut all = Vec::new();
    for p in pushers {
        all.extend(p.await.unwrap());
    }
    done.store(true, Ordering::SeqCst);

    for p in pullers {
        let (store, got) = p.await.unwrap();
        let ids: Vec<&String> = got.iter().map(|g| &g.0).collect();
        let unique: HashSet<&String> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{store}: no change twice");
        let expected: HashSet<&String> = all
            .iter()
            .filter(|(_, s, kind)| kind == "dossier.event" || *s == store)
            .map(|(id, _, _)| id)
            .collect();
        assert_eq!(expected.len(), STORES * BATCHES * CHAIN_PER_BATCH + BATCHES);
        let missing = expected.difference(&unique).count();
        assert_eq!(missing, 0, "{store}: every change it may see, none skipped");
        assert_eq!(
            unique, expected,
            "{store}: nothing of another store's own data"
        );
        assert!(got.iter().all(|g| g.2 == "chain" || g.1 == store));
    }

    if let Some(naive) = naive {
        let seen = naive.await.unwrap();
        let total: HashSet<uuid::Uuid> = all.iter().map(|(id, _, _)| id.parse().unwrap()).collect();
        let skipped = total.difference(&seen).count();
        eprintln!(
            "a seq-only cursor would have skipped {skipped} of {} changes",
            total.len()
        );
        assert!(
            skipped > 0,
            "the commits really were out of order (else this test proves nothing)"
        );
    }
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}
both!(no_change_skipped);

trait CloneToken {
    fn clone_token(&self) -> (String, String, uuid::Uuid);
}

impl CloneToken for comptoir_sync::EnrolResponse {
    fn clone_token(&self) -> (String, String, uuid::Uuid) {
        (self.token.clone(), self.store_code.clone(), self.device_id)
    }
}
