//! Issue 11 through the central server, on SQLite and PostgreSQL, with real
//! counters on real files and the real server on a loopback port: the
//! audit log reaches head office whole and once (entries written before
//! enrolment too), and a customer's erasure leaves no trace of the identity
//! on the server nor at a counter that bootstraps afterwards.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::sync::Arc;

use chrono::Utc;
use common::Db;
use comptoir_client::{sync_once, SyncReport};
use comptoir_core::customer::{AddressInput, CustomerPatch, NewCustomer};
use comptoir_core::workflow::DossierAction;
use comptoir_server::app::launch;
use comptoir_store::Store;
use sqlx::{Column, Row};

async fn sync(store: &Store) -> SyncReport {
    let r = sync_once(store, &mut |_| {}).await.unwrap();
    store.verify_integrity().await.unwrap();
    r
}

async fn raw(store: &Store) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", store.path().display()))
        .await
        .unwrap()
}

/// The counter's own entries: number and hash, in order.
async fn counter_chain(store: &Store) -> Vec<(i64, Vec<u8>)> {
    let pool = raw(store).await;
    let rows = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows
}

async fn audit_reaches_head_office(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let storage = db.storage().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = launch(Arc::clone(&storage), common::test_settings(), listener)
        .await
        .unwrap();
    let url = server.url();
    let lyon = support::counter(dir.path(), "LYO1", 20).await;
    // Written before this counter was linked: sent too (the backfill).
    lyon.sign_in("julie.m", "1234", Utc::now()).await.unwrap();
    lyon.set_setting_as("printer", "Brother QL", "sophie.r")
        .await
        .unwrap();
    support::enrolled(&*storage, &url, &lyon, "LYO1").await;
    lyon.sign_in("sophie.r", "4826", Utc::now()).await.unwrap();
    lyon.set_setting_as("printer", "Zebra", "sophie.r")
        .await
        .unwrap();
    let mine = counter_chain(&lyon).await;
    assert!(mine.len() >= 4, "{mine:?}");

    let r = sync(&lyon).await;
    assert_eq!(
        (r.audit_sent, r.audit_duplicates, r.audit_refused.as_deref()),
        (mine.len(), 0, None)
    );
    let stored = storage.audit_chain("LYO1").await.unwrap();
    let at_head_office: Vec<(i64, Vec<u8>)> =
        stored.iter().map(|e| (e.seq, e.hash.clone())).collect();
    assert_eq!(
        at_head_office, mine,
        "the same entries, in order, same hashes"
    );
    let link = lyon.sync_link().await.unwrap().unwrap();
    assert!(stored.iter().all(|e| e.device_id == link.device_id));
    let check = comptoir_server::audit::verify_store(&*storage, "LYO1")
        .await
        .unwrap();
    assert!(check.ok, "{check:?}");
    // Not in the feed: another counter never receives them.
    let paris = support::counter(dir.path(), "PAR1", 20).await;
    support::enrolled(&*storage, &url, &paris, "PAR1").await;
    sync(&paris).await;
    let theirs = counter_chain(&paris).await;
    assert!(
        !theirs.iter().any(|e| mine.contains(e)),
        "Lyon's entries never reach Paris"
    );

    // The answer lost (the cursor as it was before it): sent again, acknowledged, stored once.
    let pool = raw(&lyon).await;
    sqlx::query("UPDATE sync_link SET audit_pushed = 0")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    lyon.set_setting_as("printer", "Brother QL", "sophie.r")
        .await
        .unwrap();
    let r = sync(&lyon).await;
    assert_eq!((r.audit_sent, r.audit_duplicates), (1, mine.len()), "{r:?}");
    let stored = storage.audit_chain("LYO1").await.unwrap();
    assert_eq!(stored.len(), mine.len() + 1);
    assert_eq!(counter_chain(&lyon).await.len(), stored.len());
    let r = sync(&lyon).await;
    assert_eq!((r.audit_sent, r.audit_duplicates), (0, 0));
    let state = lyon.audit_push_state().await.unwrap().unwrap();
    assert_eq!((state.waiting, state.error_code), (0, None));

    // An entry altered in the counter's file behind its trigger, sent again
    // (its answer lost): head office has it, but its content no longer has
    // its hash — refused, kept with the reason; the sync itself goes on.
    let pool = raw(&lyon).await;
    let last: i64 = sqlx::query_scalar("SELECT max(seq) FROM audit_log")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE sync_link SET audit_pushed = ?")
        .bind(last - 1)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'paul.r' WHERE seq = ?")
        .bind(last)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let r = sync(&lyon).await;
    assert_eq!(
        r.audit_refused.as_deref(),
        Some("audit_hash_mismatch"),
        "{r:?}"
    );
    let state = lyon.audit_push_state().await.unwrap().unwrap();
    assert_eq!(state.pushed, last - 1);
    assert!(state.error.unwrap().contains(&format!("n° {last}")));
    assert_eq!(
        storage.audit_chain("LYO1").await.unwrap().len(),
        stored.len()
    );
    server.shutdown().await.unwrap();
}

const FIRST: &str = "Zéphirine";
const LAST: &str = "Quarteron";
const PHONE: &str = "06 98 76 54 32";
const PHONE_DIGITS: &str = "698765432";
const EMAIL: &str = "zephirine.quarteron@example.org";
const STREET: &str = "17 rue des Capucins";

/// Every text and blob of every table of a counter's (or the server's)
/// SQLite file that holds one of the identity's strings (without case).
async fn traces_sqlite(pool: &sqlx::SqlitePool) -> Vec<String> {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut found = Vec::new();
    for t in tables {
        let rows = sqlx::query(&format!("SELECT * FROM \"{t}\""))
            .fetch_all(pool)
            .await
            .unwrap();
        for r in &rows {
            for (i, col) in r.columns().iter().enumerate() {
                let text = match r.try_get::<Option<String>, _>(i) {
                    Ok(s) => s.unwrap_or_default(),
                    Err(_) => r
                        .try_get::<Option<Vec<u8>>, _>(i)
                        .ok()
                        .flatten()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default(),
                };
                let low = text.to_lowercase();
                for s in [FIRST, LAST, PHONE, PHONE_DIGITS, EMAIL, STREET] {
                    if low.contains(&s.to_lowercase()) {
                        found.push(format!("{t}.{}: {s}", col.name()));
                    }
                }
            }
        }
    }
    found
}

/// The same on PostgreSQL: every row of every table as text.
async fn traces_pg(url: &str) -> Vec<String> {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut found = Vec::new();
    for t in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT x::text FROM \"{t}\" x"))
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in rows {
            let low = row.to_lowercase();
            for s in [FIRST, LAST, PHONE, PHONE_DIGITS, EMAIL, STREET] {
                if low.contains(&s.to_lowercase()) {
                    found.push(format!("{t}: {s}"));
                }
            }
        }
    }
    pool.close().await;
    found
}

async fn server_traces(db: &Db) -> Vec<String> {
    match db {
        Db::Sqlite { path, .. } => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            let t = traces_sqlite(&pool).await;
            pool.close().await;
            t
        }
        Db::Postgres { url } => traces_pg(url).await,
    }
}

async fn erasure_reaches_the_server(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let storage = db.storage().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = launch(Arc::clone(&storage), common::test_settings(), listener)
        .await
        .unwrap();
    let url = server.url();
    let lyon = support::counter(dir.path(), "LYO1", 20).await;
    support::enrolled(&*storage, &url, &lyon, "LYO1").await;
    let paris = support::counter(dir.path(), "PAR1", 20).await;
    support::enrolled(&*storage, &url, &paris, "PAR1").await;

    // Created at Lyon, corrected, a dossier whose texts name her, closed.
    let now = Utc::now();
    let who = lyon
        .create_customer(
            &NewCustomer {
                first_name: FIRST.into(),
                last_name: "Quartero".into(),
                phones: vec![PHONE.into()],
                emails: vec![EMAIL.into()],
                address: AddressInput {
                    line1: STREET.into(),
                    postal_code: "69001".into(),
                    city: "Lyon".into(),
                    ..AddressInput::default()
                },
                ..NewCustomer::default()
            },
            "Julie M.",
            false,
            now,
        )
        .await
        .unwrap();
    lyon.edit_customer(
        who,
        &CustomerPatch {
            last_name: Some(LAST.into()),
            ..CustomerPatch::default()
        },
        "Julie M.",
        false,
        now,
    )
    .await
    .unwrap();
    let mut intake = support::intake(who, comptoir_core::ids::OrderLineId::new());
    intake.order_line_id = None;
    intake.declared_product = Some("Robot pâtissier".into());
    intake.customer_words = format!("Mme {LAST} dit que le robot ne démarre plus");
    let dossier = lyon.open_dossier(&intake, now).await.unwrap();
    lyon.add_note(
        dossier,
        "Julie M.",
        &format!("Rappeler {FIRST} {LAST} au {PHONE}"),
        now,
    )
    .await
    .unwrap();
    lyon.dossier_action(dossier, DossierAction::Cancel, "Julie M.", None, now)
        .await
        .unwrap();
    let number = lyon.dossier_detail(dossier).await.unwrap().dossier.number;
    let r = sync(&lyon).await;
    assert_eq!((r.rejected, r.outbox_left), (0, 0), "{r:?}");
    sync(&paris).await;
    // The test can fail: before the erasure, head office holds her.
    let before = server_traces(&db).await;
    assert!(
        before.iter().any(|t| t.contains(LAST)) && before.iter().any(|t| t.contains(EMAIL)),
        "{before:?}"
    );
    let feed_before = storage
        .feed("LYO1", Default::default(), 100_000)
        .await
        .unwrap();

    lyon.erase_customer(who, "sophie.r", true, Utc::now())
        .await
        .unwrap();
    sync(&lyon).await;
    // Paris had not heard of it yet and notes the dossier again: its push
    // reaches head office after the erasure and is redacted there.
    paris
        .add_note(dossier, "Paul R.", &format!("{LAST} a rappelé"), Utc::now())
        .await
        .unwrap();
    sync(&paris).await;

    let after = server_traces(&db).await;
    assert!(after.is_empty(), "identity left at head office: {after:?}");
    // The feed kept its changes, ids and places: one erasure and one note more.
    let feed_after = storage
        .feed("LYO1", Default::default(), 100_000)
        .await
        .unwrap();
    assert_eq!(feed_after.len(), feed_before.len() + 2);
    for (b, a) in feed_before.iter().zip(&feed_after) {
        assert_eq!((b.cursor, b.envelope.id), (a.cursor, a.envelope.id));
    }
    let events = feed_after
        .iter()
        .filter(|f| f.envelope.entity_id == dossier.0)
        .count();
    assert_eq!(events, 4, "opened, note, cancel, Paris's note");
    // Head office's record of it: the server's chain of LYO1.
    let chain = storage.audit_chain("LYO1").await.unwrap();
    let erased: Vec<_> = chain
        .iter()
        .filter(|e| e.device_id == comptoir_server::audit::SERVER_CHAIN)
        .collect();
    assert_eq!(erased.len(), 1);
    assert_eq!(
        (erased[0].kind.as_str(), erased[0].actor.as_str()),
        ("customer_erased", "sophie.r")
    );
    assert_eq!(erased[0].subject, who.0.to_string());
    let detail: serde_json::Value = serde_json::from_str(&erased[0].detail).unwrap();
    assert_eq!(detail["dossier_events_redacted"], 2, "{detail}");
    assert!(
        detail["customer_changes_redacted"].as_u64().unwrap() >= 2,
        "{detail}"
    );
    assert_eq!(detail["import_matches_redacted"], 1, "{detail}");
    // The counter's own entry of the erasure came too.
    assert!(chain
        .iter()
        .any(|e| e.device_id != comptoir_server::audit::SERVER_CHAIN
            && e.kind == "customer_erased"
            && e.subject == who.0.to_string()));
    assert!(
        comptoir_server::audit::verify_store(&*storage, "LYO1")
            .await
            .unwrap()
            .ok
    );

    // A counter enrolled afterwards bootstraps: none of it, the dossier kept.
    std::fs::create_dir_all(dir.path().join("late")).unwrap();
    let late = support::counter(&dir.path().join("late"), "PAR1", 20).await;
    support::enrolled(&*storage, &url, &late, "PAR1").await;
    let r = sync(&late).await;
    assert_eq!(r.not_applicable, 0, "{r:?}");
    let d = late.dossier_detail(dossier).await.unwrap().dossier;
    assert_eq!(d.number, number);
    assert_eq!(d.events.len(), 4);
    assert_eq!(
        d.customer_words.as_deref(),
        Some(comptoir_store::ERASED_FREE_TEXT)
    );
    let card = late.customer_card(who).await.unwrap();
    assert_eq!(
        card.customer.display_name,
        comptoir_store::ERASED_CUSTOMER_NAME
    );
    assert!(late.customer_erased_at(who).await.unwrap().is_some());
    late.close().await;
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("late").join("PAR1.sqlite").display()
    ))
    .await
    .unwrap();
    let traces = traces_sqlite(&pool).await;
    pool.close().await;
    assert!(traces.is_empty(), "identity at the new counter: {traces:?}");
    server.shutdown().await.unwrap();
}

both!(audit_reaches_head_office);
both!(erasure_reaches_the_server);
