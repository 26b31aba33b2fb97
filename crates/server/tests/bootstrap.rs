//! `GET /v1/bootstrap`: the feed as one streamed, gzip-compressed body of
//! JSON lines, on both backends, read here as raw bytes (the compression
//! checked, then undone with flate2): a header with the total, every change
//! the device may see in feed order — the same as `pull` serves —, an end
//! line with the cursor; resumed after a cursor it holds only what
//! follows; the bad requests are JSON errors.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;

use common::*;
use serde_json::{json, Value};

/// More than one page of the stream (it reads the feed 2,000 at a time).
const NOTES: usize = 2_050;
/// Changes a push (the test server's limits: 50 a batch, 64 KB a body).
const PUSH: usize = 50;

async fn raw_bootstrap(token: &str, base: &str, after: &str) -> (u16, Option<String>, Vec<u8>) {
    http_client(); // installs the process's crypto provider
                   // Raw: the body as it travels (reqwest would undo the gzip itself).
    let r = reqwest::Client::builder()
        .no_gzip()
        .build()
        .unwrap()
        .get(format!("{base}/v1/bootstrap?after={after}"))
        .bearer_auth(token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let encoding = r
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, encoding, r.bytes().await.unwrap().to_vec())
}

fn lines(gzipped: &[u8]) -> Vec<Value> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gzipped)
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.ends_with('\n'), "every line ends");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn streamed_compressed_and_resumable(db: Db) {
    let storage = db.storage().await;
    let server = serve(storage.clone(), test_settings()).await;
    let base = server.url();
    let lyon = enrol(&*storage, &base, "LYO1").await;
    let paris = enrol(&*storage, &base, "PAR1").await;
    let lyon_c = Client::with_token(&base, &lyon.token);
    for chunk in 0..NOTES.div_ceil(PUSH) {
        let batch: Vec<_> = (chunk * PUSH..((chunk + 1) * PUSH).min(NOTES))
            .map(|i| change("LYO1", lyon.device_id, "dossier.event", json!({ "n": i })))
            .collect();
        let (s, v) = lyon_c.push(&batch).await;
        assert_eq!(s, 200, "{v}");
    }
    // Paris's own store settings: not for Lyon.
    let paris_c = Client::with_token(&base, &paris.token);
    let settings: Vec<_> = (0..3)
        .map(|i| change("PAR1", paris.device_id, "store.setting", json!({ "n": i })))
        .collect();
    assert_eq!(paris_c.push(&settings).await.0, 200);
    // What pull serves Lyon, once everything is visible (PostgreSQL's
    // horizon may hold the last commits back a moment).
    let (pulled, last) = lyon_c.pull_at_least(String::new(), NOTES).await;
    assert_eq!(pulled.len(), NOTES);

    let (status, encoding, body) = raw_bootstrap(&lyon.token, &base, "").await;
    assert_eq!(status, 200);
    assert_eq!(encoding.as_deref(), Some("gzip"), "compressed");
    let all = lines(&body);
    assert!(
        body.len() * 3 < serde_json::to_vec(&all).unwrap().len(),
        "gzip shrinks it"
    );
    assert_eq!(all[0]["header"]["total"], NOTES as u64);
    assert_eq!(all[0]["header"]["after"], "0-0");
    let streamed: Vec<&Value> = all[1..all.len() - 1].iter().map(|l| &l["change"]).collect();
    assert_eq!(streamed.len(), NOTES);
    for (s, p) in streamed.iter().zip(&pulled) {
        assert_eq!(s["cursor"], p["cursor"], "feed order, as pull");
        assert_eq!(s["change"]["id"], p["change"]["id"]);
    }
    let end = &all.last().unwrap()["end"];
    assert_eq!(end["sent"], NOTES as u64);
    assert_eq!(end["cursor"].as_str().unwrap(), last);

    // Resumed after the 1,000th: only what follows.
    let at = streamed[999]["cursor"].as_str().unwrap().to_owned();
    let (status, _, body) = raw_bootstrap(&lyon.token, &base, &at).await;
    assert_eq!(status, 200);
    let rest = lines(&body);
    assert_eq!(rest[0]["header"]["total"], (NOTES - 1_000) as u64);
    assert_eq!(rest.len(), NOTES - 1_000 + 2);
    assert_eq!(rest[1]["change"]["cursor"], streamed[1_000]["cursor"]);
    assert_eq!(
        rest.last().unwrap()["end"]["cursor"].as_str().unwrap(),
        last
    );

    // Paris sees the chain's notes and its own settings, Lyon's none of them.
    let (_, _, body) = raw_bootstrap(&paris.token, &base, "").await;
    let p = lines(&body);
    assert_eq!(p[0]["header"]["total"], (NOTES + 3) as u64);
    let kinds: Vec<&str> = p[1..p.len() - 1]
        .iter()
        .map(|l| l["change"]["change"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "store.setting").count(), 3);

    // At the end of the feed: a header of 0 and the end at the same cursor.
    let (_, _, body) = raw_bootstrap(&lyon.token, &base, &last).await;
    let empty = lines(&body);
    assert_eq!(empty.len(), 2);
    assert_eq!(empty[0]["header"]["total"], 0);
    assert_eq!(empty[1]["end"]["cursor"].as_str().unwrap(), last);

    // Refusals are JSON, never a stream.
    let anon = Client::new(&base);
    let (s, v) = anon.get("/v1/bootstrap").await;
    assert_eq!((s, v["code"].as_str()), (401, Some("credentials_missing")));
    let (s, v) = lyon_c.get("/v1/bootstrap?after=nonsense").await;
    assert_eq!((s, v["code"].as_str()), (400, Some("bad_cursor")));
    assert!(!v["message"].as_str().unwrap().is_empty());
    server.shutdown().await.unwrap();
}
both!(streamed_compressed_and_resumable);

/// `comptoir-server demo-data` into an empty server: the chain's stores,
/// catalogue, customers, orders and dossiers in the feed; refused, with
/// nothing written, on a server that holds data.
async fn demo_data_fills_an_empty_server_once(db: Db) {
    let storage = db.storage().await;
    let cfg = comptoir_demo::DemoConfig::new(300);
    let loaded = comptoir_server::demo::load(&*storage, &cfg, |_, _| {})
        .await
        .unwrap();
    assert_eq!(loaded.summary.customers, 300);
    assert!(
        loaded.summary.orders >= 300 && loaded.summary.dossiers > 0,
        "{loaded:?}"
    );
    let stores = storage.list_stores().await.unwrap();
    assert!(stores.iter().any(|s| s.code == "LYO1" && !s.head_office));
    assert!(stores.iter().any(|s| s.code == "SIEGE" && s.head_office));
    let total = storage
        .feed_count("LYO1", comptoir_server::storage::Cursor::default())
        .await
        .unwrap();
    assert_eq!(total, loaded.changes);
    assert_eq!(
        loaded.changes,
        loaded.summary.products
            + loaded.summary.customers
            + loaded.summary.orders
            + loaded.summary.events
    );
    let again = comptoir_server::demo::load(&*storage, &cfg, |_, _| {}).await;
    assert_eq!(again.err().map(|e| e.code()), Some("demo_not_empty"));
    let after = storage
        .feed_count("LYO1", comptoir_server::storage::Cursor::default())
        .await
        .unwrap();
    assert_eq!(after, total, "nothing written by the refusal");
}
both!(demo_data_fills_an_empty_server_once);
