//! Audit entries at head office, through the real server on a loopback port
//! and the real `comptoir-server audit` binary, on both backends: a chain
//! stored once and in order, duplicates acknowledged, every bad entry
//! refused with its reason and nothing stored, another store's device
//! refused, the table append-only, and a row altered behind the trigger's
//! back named by `audit verify`.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::*;
use comptoir_core::audit::{entry_hash, hex, AuditRecord, GENESIS};
use serde_json::{json, Value};

fn run(db: &Db, args: &[&str]) -> (bool, Value, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_comptoir-server"))
        .env_remove("COMPTOIR_SERVER_CONFIG")
        .args(args)
        .args(db.cli_args())
        .output()
        .unwrap();
    let parse = |b: &[u8]| serde_json::from_slice(b).unwrap_or(Value::Null);
    (out.status.success(), parse(&out.stdout), parse(&out.stderr))
}

/// A chain of `n` entries as a counter writes them, after `prev`.
fn chain(first: i64, n: i64, prev: &[u8]) -> Vec<AuditRecord> {
    let mut prev = prev.to_vec();
    (first..first + n)
        .map(|seq| {
            let at = format!("2026-12-01T10:{:02}:00.000000Z", seq % 60);
            let detail = json!({"role": "clerk", "n": seq}).to_string();
            let hash = entry_hash(&prev, seq, &at, "julie.m", "sign_in", "julie.m", &detail);
            let r = AuditRecord {
                seq,
                at,
                actor: "julie.m".into(),
                kind: "sign_in".into(),
                subject: "julie.m".into(),
                detail,
                prev_hash: hex(&prev),
                hash: hex(&hash),
            };
            prev = hash;
            r
        })
        .collect()
}

async fn send(c: &Client, store: &str, entries: &[AuditRecord]) -> (u16, Value) {
    c.post_json(
        "/v1/audit",
        &json!({"store_code": store, "entries": entries}),
    )
    .await
}

fn outcomes(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let o = r["outcome"].as_str().unwrap();
            match r["code"].as_str() {
                Some(code) => format!("{o}:{code}"),
                None => o.to_owned(),
            }
        })
        .collect()
}

async fn count(db: &Db) -> i64 {
    let (ok, v, err) = run(db, &["audit", "list", "--store", "LYO1", "--limit", "1000"]);
    assert!(ok, "{err}");
    i64::try_from(v.as_array().unwrap().len()).unwrap()
}

async fn audit_at_head_office(db: Db) {
    let storage = db.storage().await;
    let server = serve(storage.clone(), test_settings()).await;
    let lyon = enrol(&*storage, &server.url(), "LYO1").await;
    let paris = enrol(&*storage, &server.url(), "PAR1").await;
    let c = Client::with_token(&server.url(), &lyon.token);

    // Five entries, then the same five again (a lost answer) with two more.
    let entries = chain(1, 7, &GENESIS);
    let (s, v) = send(&c, "LYO1", &entries[..5]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(outcomes(&v), vec!["stored"; 5]);
    let (s, v) = send(&c, "LYO1", &entries).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        outcomes(&v),
        [
            "duplicate",
            "duplicate",
            "duplicate",
            "duplicate",
            "duplicate",
            "stored",
            "stored"
        ]
    );
    assert_eq!(count(&db).await, 7, "nothing stored twice");

    // Stored as the counter computed them, in order.
    let stored = storage.audit_chain("LYO1").await.unwrap();
    assert_eq!(stored.len(), 7);
    for (s, e) in stored.iter().zip(&entries) {
        assert_eq!(
            (s.seq, hex(&s.hash), hex(&s.prev_hash)),
            (e.seq, e.hash.clone(), e.prev_hash.clone())
        );
        assert_eq!(s.device_id, lyon.device_id);
        assert_eq!((&s.at, &s.detail), (&e.at, &e.detail));
    }
    let (ok, v, err) = run(&db, &["audit", "verify", "--store", "LYO1"]);
    assert!(ok, "{v} {err}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["entries"], 7);
    assert_eq!(v["chains"][0]["head"], entries[6].hash.as_str());
    let (ok, v, _) = run(
        &db,
        &[
            "audit", "list", "--store", "LYO1", "--kind", "sign_in", "--limit", "2",
        ],
    );
    assert!(ok);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["seq"], 7, "newest first");

    // Bad input: each refused with its reason, nothing stored.
    let head = hex(&stored[6].hash);
    let next = chain(8, 3, &stored[6].hash);
    let mut bad_detail = next[0].clone();
    bad_detail.detail = "pas du JSON".into();
    let mut bad_hash = next[0].clone();
    bad_hash.hash = "zz".into();
    let mut altered = next[0].clone();
    altered.actor = "paul.r".into();
    let mut bad_link = chain(8, 1, &[7u8; 32]).remove(0);
    assert_ne!(bad_link.prev_hash, head);
    bad_link.seq = 8;
    let mut bad_date = next[0].clone();
    bad_date.at = "hier".into();
    let mut conflict = entries[2].clone();
    conflict.detail = json!({"role": "manager"}).to_string();
    conflict.hash = hex(&entry_hash(
        &comptoir_core::audit::from_hex(&conflict.prev_hash).unwrap(),
        3,
        &conflict.at,
        &conflict.actor,
        &conflict.kind,
        &conflict.subject,
        &conflict.detail,
    ));
    for (what, e, code) in [
        ("detail", &bad_detail, "audit_malformed"),
        ("hash", &bad_hash, "audit_malformed"),
        ("date", &bad_date, "audit_malformed"),
        ("content", &altered, "audit_hash_mismatch"),
        ("link", &bad_link, "audit_link_broken"),
        ("gap", &next[1], "audit_gap"),
        ("conflict", &conflict, "audit_conflict"),
    ] {
        let (s, v) = send(&c, "LYO1", std::slice::from_ref(e)).await;
        assert_eq!(s, 200, "{what}: {v}");
        assert_eq!(outcomes(&v), [format!("rejected:{code}")], "{what}");
        let reason = v["results"][0]["reason"].as_str().unwrap();
        assert!(reason.contains("n°"), "{what}: {reason}");
        assert_eq!(count(&db).await, 7, "{what}: nothing stored");
    }
    // A refusal in a batch: what follows it cannot be stored before it.
    let (s, v) = send(&c, "LYO1", &[altered.clone(), next[1].clone()]).await;
    assert_eq!(s, 200);
    assert_eq!(
        outcomes(&v),
        ["rejected:audit_hash_mismatch", "rejected:audit_gap"]
    );
    let (s, v) = c
        .post_raw(
            "/v1/audit",
            br#"{"store_code":"LYO1","entries":[{"seq":8}]}"#.to_vec(),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("bad_json")), "{v}");
    assert_eq!(count(&db).await, 7);

    // Another store's device cannot push for LYO1; nor LYO1 for PAR1.
    let p = Client::with_token(&server.url(), &paris.token);
    let (s, v) = send(&p, "LYO1", &next).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["code"], "foreign_store");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("Rien n'a été enregistré"));
    let (s, _) = send(&c, "PAR1", &chain(1, 1, &GENESIS)).await;
    assert_eq!(s, 403);
    let (s, v) = Client::new(&server.url())
        .post_json("/v1/audit", &json!({"store_code": "LYO1", "entries": next}))
        .await;
    assert_eq!(s, 401, "{v}");
    assert_eq!(count(&db).await, 7);
    assert!(storage.audit_chain("PAR1").await.unwrap().is_empty());

    // The three that follow are fine.
    let (s, v) = send(&c, "LYO1", &next).await;
    assert_eq!(s, 200);
    assert_eq!(outcomes(&v), vec!["stored"; 3]);

    // Append-only; then a row altered behind the trigger's back is named.
    match &db {
        Db::Sqlite { path, .. } => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            let refused = sqlx::query("UPDATE audit_entries SET actor = 'x' WHERE seq = 3")
                .execute(&pool)
                .await
                .unwrap_err();
            assert!(refused.to_string().contains("append-only"), "{refused}");
            assert!(sqlx::query("DELETE FROM audit_entries")
                .execute(&pool)
                .await
                .is_err());
            sqlx::query("DROP TRIGGER audit_entries_no_update")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_entries SET actor = 'paul.r' WHERE seq = 3")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        Db::Postgres { url } => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let refused = sqlx::query("UPDATE audit_entries SET actor = 'x' WHERE seq = 3")
                .execute(&pool)
                .await
                .unwrap_err();
            assert!(refused.to_string().contains("append-only"), "{refused}");
            assert!(sqlx::query("TRUNCATE audit_entries")
                .execute(&pool)
                .await
                .is_err());
            sqlx::query("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_entries SET actor = 'paul.r' WHERE seq = 3")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
    let (ok, v, err) = run(&db, &["audit", "verify", "--store", "LYO1"]);
    assert!(!ok, "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken"]["seq"], 3);
    assert_eq!(v["first_broken"]["code"], "content_altered");
    assert_eq!(v["first_broken"]["device_id"], lyon.device_id.to_string());
    assert_eq!(err["code"], "audit_chain_broken");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("entrée n° 3") && message.contains("modifié"),
        "{message}"
    );
    let (ok, _, err) = run(&db, &["audit", "verify", "--store", "NOPE"]);
    assert!(!ok);
    assert_eq!(err["code"], "store_unknown");
    server.shutdown().await.unwrap();
}

both!(audit_at_head_office);
