//! Two counters of two stores and head office, through the real central
//! server on a loopback port (SQLite and PostgreSQL), each counter on its
//! own real SQLite file: enrolment, push, pull, a customer edited at both
//! stores, web orders imported, the link cut and back, changes refused on
//! either side, a revoked counter.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::Db;
use comptoir_client::{enrol, sync_once, SyncReport};
use comptoir_core::customer::CustomerPatch;

use comptoir_core::ids::DossierId;
use comptoir_core::views::SyncActivity;
use comptoir_demo::showcase;
use comptoir_server::app::{launch, Running};
use comptoir_server::storage::Storage;
use comptoir_store::Store;

const SHOPIFY: &[u8] = include_bytes!("../../server/tests/fixtures/shopify-orders.csv");

/// One sync; the counter's file is checked after each (every page).
async fn sync(store: &Store) -> SyncReport {
    let r = sync_once(store, &mut |_| {}).await.unwrap();
    if let Err(e) = store.verify_integrity().await {
        panic!(
            "{} damaged after a sync that did {r:?}: {e}",
            store.path().display()
        );
    }
    r
}

/// Syncs until `done` holds (PostgreSQL serves a commit once every older
/// transaction of the cluster has ended: a moment, never a skip).
async fn sync_until<F, Fut>(store: &Store, what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        sync(store).await;
        if done().await {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "never synced: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn serve_at(storage: Arc<dyn Storage>, addr: &str) -> Running {
    let listener = std::net::TcpListener::bind(addr).unwrap();
    launch(storage, common::test_settings(), listener)
        .await
        .unwrap()
}

async fn events_of(store: &Store, id: DossierId) -> usize {
    store.dossier_detail(id).await.unwrap().dossier.events.len()
}

async fn two_counters_and_head_office(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let storage = db.storage().await;
    let server = serve_at(Arc::clone(&storage), "127.0.0.1:0").await;
    let addr = server.addr;
    let url = server.url();
    let lyon = support::counter(dir.path(), "LYO1", 80).await;
    let paris = support::counter(dir.path(), "PAR1", 80).await;
    support::enrolled(&*storage, &url, &lyon, "LYO1").await;
    support::enrolled(&*storage, &url, &paris, "PAR1").await;

    // The token is in a file of its own, the owner's only; not in the base.
    let token = comptoir_client::credential::load(lyon.path()).unwrap();
    assert!(token.starts_with("cpt1_"));
    let base = std::fs::read(lyon.path()).unwrap();
    assert!(!base.windows(token.len()).any(|w| w == token.as_bytes()));

    // Lyon opens a dossier and creates a customer; they reach Paris.
    let (helene_id, line) = support::helene(&lyon).await;
    let dossier = lyon
        .open_dossier(&support::intake(helene_id, line), Utc::now())
        .await
        .unwrap();
    let nadia = support::nadia(&lyon, "Julie M.").await;
    assert_eq!(lyon.outbox_len().await.unwrap(), 2);
    let r = sync(&lyon).await;
    // The server takes 50 a batch in the tests: the client halved its 200.
    assert_eq!(
        (r.pushed, r.duplicates, r.rejected, r.outbox_left),
        (2, 0, 0, 0)
    );
    sync_until(&paris, "Lyon's dossier and customer", || async {
        paris.dossier_detail(dossier).await.is_ok() && paris.customer_card(nadia).await.is_ok()
    })
    .await;
    let at_paris = paris.dossier_detail(dossier).await.unwrap().dossier;
    assert_eq!(
        at_paris.store.as_ref().map(|s| s.code.as_str()),
        Some("LYO1")
    );
    assert!(paris
        .customer_card(helene_id)
        .await
        .unwrap()
        .dossiers
        .iter()
        .any(|d| d.id == dossier));
    let found = paris.search("Benali Nadia").await.unwrap();
    assert_eq!(found.hits.first().map(|h| h.customer_id), Some(nadia));
    // Received changes are not sent back: Paris's outbox stays empty.
    assert_eq!(paris.outbox_len().await.unwrap(), 0);

    // Both stores correct Nadia while apart; per field, the later wins.
    let patch = |first: &str| CustomerPatch {
        first_name: Some(first.into()),
        ..CustomerPatch::default()
    };
    lyon.edit_customer(nadia, &patch("Nadïa"), "Julie M.", false, Utc::now())
        .await
        .unwrap();
    lyon.edit_customer(
        nadia,
        &CustomerPatch {
            phones: Some(vec!["07 80 11 22 33".into()]),
            ..CustomerPatch::default()
        },
        "Julie M.",
        false,
        Utc::now(),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    paris
        .edit_customer(nadia, &patch("Nadia-Lina"), "Paul R.", false, Utc::now())
        .await
        .unwrap();
    sync(&paris).await;
    sync(&lyon).await;
    sync_until(&paris, "Lyon's phone", || async {
        paris
            .customer_card(nadia)
            .await
            .unwrap()
            .customer
            .contacts
            .iter()
            .any(|c| c.value == "07 80 11 22 33")
    })
    .await;
    let at_lyon = lyon.customer_card(nadia).await.unwrap().customer;
    let at_paris = paris.customer_card(nadia).await.unwrap().customer;
    assert_eq!(at_lyon.first_name, "Nadia-Lina", "Paris edited last");
    assert_eq!(at_lyon, at_paris, "one customer, the same at both stores");

    // Head office imports web orders; the counters get them. Hélène's
    // e-mail is one Paris knows: the order lands on her card, not a twin's.
    let report = comptoir_server::import::run(
        &*storage,
        comptoir_server::import::Source::ShopifyCsv,
        SHOPIFY,
        Default::default(),
    )
    .await
    .unwrap();
    assert!(report.totals.imported > 0);
    sync_until(&paris, "the web orders", || async {
        paris.search("#1002").await.unwrap().direct.is_some()
    })
    .await;
    let card = paris.customer_card(helene_id).await.unwrap();
    assert!(
        card.orders.iter().any(|o| o.number == "#1001"),
        "{:?}",
        card.orders.iter().map(|o| &o.number).collect::<Vec<_>>()
    );
    let helenes = paris.search("helene.dupre@example.fr").await.unwrap().hits;
    assert_eq!(
        helenes.iter().map(|h| h.customer_id).collect::<Vec<_>>(),
        vec![helene_id],
        "one Hélène, not two"
    );
    // Importing again changes nothing anywhere.
    let again = comptoir_server::import::run(
        &*storage,
        comptoir_server::import::Source::ShopifyCsv,
        SHOPIFY,
        Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(again.totals.imported + again.totals.updated, 0);
    assert_eq!(sync(&paris).await.received, 0);

    // Head office publishes a new return policy; every counter installs it.
    // One below the legal floor is refused and reaches no one.
    let text = comptoir_core::policy::DEFAULT_POLICY_TOML
        .replace("version = \"2026.1\"", "version = \"2026.12\"")
        .replace("effective_from = 2026-01-01", "effective_from = 2026-11-01");
    assert_ne!(text, comptoir_core::policy::DEFAULT_POLICY_TOML);
    let below = text.replace("withdrawal_days = 14", "withdrawal_days = 10");
    let e = comptoir_server::admin::publish_policy(&*storage, &below, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "policy_invalid", "{e}");
    assert!(
        e.message_fr().contains("rien n'a été publié"),
        "{}",
        e.message_fr()
    );
    assert_eq!(sync(&paris).await.received, 0, "nothing was published");
    sync(&lyon).await; // Lyon catches up with the web orders first.
    let published = comptoir_server::admin::publish_policy(&*storage, &text, Utc::now())
        .await
        .unwrap();
    assert_eq!(published.version, "2026.12");
    for counter in [&lyon, &paris] {
        assert_eq!(
            counter.current_policy(Utc::now()).await.unwrap().version,
            "2026.1"
        );
        assert_eq!(sync(counter).await.received, 1);
        assert_eq!(
            counter.current_policy(Utc::now()).await.unwrap().version,
            "2026.12"
        );
    }
    // The same version published again with another text: each counter
    // keeps the one it has and sets the other aside, with the reason.
    let other = text.replace("withdrawal_days = 14", "withdrawal_days = 30");
    assert_ne!(other, text);
    let again = comptoir_server::admin::publish_policy(&*storage, &other, Utc::now())
        .await
        .unwrap();
    let r = sync(&paris).await;
    assert_eq!(r.received, 1, "{r:?}");
    let st = paris.sync_status().await.unwrap();
    let aside = st
        .rejected
        .iter()
        .find(|x| x.id == again.change_id)
        .expect("set aside");
    assert_eq!(
        (aside.direction.as_str(), aside.code.as_str()),
        ("pull", "policy_version_conflict")
    );
    assert_eq!(
        paris.current_policy(Utc::now()).await.unwrap().version,
        "2026.12"
    );
    paris.drop_rejected(again.change_id).await.unwrap();
    sync(&lyon).await;
    lyon.drop_rejected(again.change_id).await.unwrap();

    // The link is cut: Lyon keeps working, the change waits, then goes.
    server.shutdown().await.unwrap();
    lyon.add_note(dossier, "Julie M.", "Client rappelé", Utc::now())
        .await
        .unwrap();
    let e = sync_once(&lyon, &mut |_| {}).await.unwrap_err();
    assert_eq!(e.code(), "offline");
    assert!(e.is_transient());
    let st = lyon.sync_status().await.unwrap();
    assert_eq!(st.activity, SyncActivity::Offline);
    assert_eq!(st.activity_label, "hors ligne");
    assert_eq!(st.outbox, 1);
    assert_eq!(st.last_error_code.as_deref(), Some("offline"));
    let server = serve_at(Arc::clone(&storage), &addr.to_string()).await;
    assert_eq!(sync(&lyon).await.pushed, 1);
    let st = lyon.sync_status().await.unwrap();
    assert_eq!(
        (st.activity, st.outbox, st.last_error),
        (SyncActivity::Online, 0, None)
    );
    assert!(st.last_success_at.is_some());
    let before = events_of(&lyon, dossier).await;
    sync_until(&paris, "the note", || async {
        events_of(&paris, dossier).await == before
    })
    .await;

    // A change the server refuses does not hold up the one behind it.
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", lyon.path().display()))
        .await
        .unwrap();
    lyon.add_note(dossier, "Julie M.", "Avant", Utc::now())
        .await
        .unwrap();
    let bogus = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO outbox (id, kind, entity_id, store_code, device_id, hlc, payload, created_at)
         SELECT ?, 'dossier.teleported', entity_id, store_code, device_id, hlc || 'x', payload, created_at
         FROM outbox LIMIT 1",
    )
    .bind(bogus)
    .execute(&raw)
    .await
    .unwrap();
    lyon.add_note(dossier, "Julie M.", "Après", Utc::now())
        .await
        .unwrap();
    let r = sync(&lyon).await;
    assert_eq!((r.pushed, r.rejected, r.outbox_left), (2, 1, 0));
    let st = lyon.sync_status().await.unwrap();
    assert_eq!(st.rejected.len(), 1);
    assert_eq!(st.rejected[0].id, bogus);
    assert_eq!(st.rejected[0].direction, "push");
    assert_eq!(st.rejected[0].code, "unknown_kind");
    // Retried, it is refused again; dropped, it is gone.
    lyon.retry_rejected(bogus, Utc::now()).await.unwrap();
    assert_eq!(lyon.outbox_len().await.unwrap(), 1);
    assert_eq!(sync(&lyon).await.rejected, 1);
    lyon.drop_rejected(bogus).await.unwrap();
    assert!(lyon.sync_status().await.unwrap().rejected.is_empty());
    raw.close().await;

    // A change Paris cannot apply is kept aside; the feed goes on. The
    // server refuses it when pushed (it decodes dossier events)…
    let token_paris = comptoir_client::credential::load(paris.path()).unwrap();
    let c = common::Client::with_token(&server.url(), &token_paris);
    let mut garbage = common::change(
        "PAR1",
        uuid::Uuid::now_v7(),
        "store.setting",
        serde_json::json!({}),
    );
    garbage.kind = "dossier.event".into();
    garbage.payload = serde_json::json!({"event": "?"});
    garbage.hlc = comptoir_core::hlc::Hlc::at(Utc::now()).to_string();
    let (status, v) = c.push(std::slice::from_ref(&garbage)).await;
    assert_eq!(status, 200);
    assert_eq!(v["results"][0]["code"], "payload_invalid", "{v}");
    // …so it reaches the feed only as an older server accepted it: written
    // to the server's storage directly.
    storage
        .insert_changes(&[comptoir_server::storage::NewChange {
            envelope: garbage.clone(),
            scope: comptoir_server::storage::Scope::Chain,
            pushed_by: None,
        }])
        .await
        .unwrap();
    lyon.add_note(dossier, "Julie M.", "Pièce reçue", Utc::now())
        .await
        .unwrap();
    sync(&lyon).await;
    let want = events_of(&lyon, dossier).await;
    sync_until(&paris, "the note after the garbage", || async {
        events_of(&paris, dossier).await == want
    })
    .await;
    let st = paris.sync_status().await.unwrap();
    assert_eq!(st.rejected.len(), 1, "{:?}", st.rejected);
    assert_eq!(
        (st.rejected[0].id, st.rejected[0].direction.as_str()),
        (garbage.id, "pull")
    );
    assert_eq!(st.rejected[0].code, "change_payload_invalid");

    // Revoked, Lyon is refused at its next sync and says so.
    let lyon_device = lyon.sync_link().await.unwrap().unwrap().device_id;
    storage
        .revoke_device(lyon_device, Utc::now())
        .await
        .unwrap();
    let e = sync_once(&lyon, &mut |_| {}).await.unwrap_err();
    assert_eq!(e.code(), "device_revoked");
    assert!(!e.is_transient());
    assert_eq!(
        lyon.sync_status().await.unwrap().activity,
        SyncActivity::Failing
    );

    // Both files are sound.
    lyon.verify_integrity().await.unwrap();
    paris.verify_integrity().await.unwrap();
    assert!(lyon.verify_dossiers().await.unwrap().is_empty());
    assert!(paris.verify_dossiers().await.unwrap().is_empty());
    server.shutdown().await.unwrap();
    lyon.close().await;
    paris.close().await;
}
both!(two_counters_and_head_office);

#[tokio::test]
async fn enrolment_refusals_write_nothing() {
    let db = Db::sqlite().await;
    let storage = db.storage().await;
    let server = serve_at(Arc::clone(&storage), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().unwrap();
    let lyon = support::counter(dir.path(), "LYO1", 80).await;
    // Not enrolled: sync says so, and records nothing.
    let e = sync_once(&lyon, &mut |_| {}).await.unwrap_err();
    assert_eq!(e.code(), "sync_not_enrolled");
    assert!(!lyon.sync_status().await.unwrap().enrolled);
    // A wrong address, an unknown code, a code of another store.
    let e = enrol(&lyon, "http://sav.example.fr", "AAAA-BBBB-CCCC", "x")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "server_url_invalid");
    let e = enrol(&lyon, &server.url(), "AAAA-BBBB-CCCC", "x")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "enrol_code_unknown");
    storage
        .add_store("PAR1", "Paris", false, Utc::now())
        .await
        .unwrap();
    let other = comptoir_server::admin::enrol_code(&*storage, "PAR1", 3600, Utc::now())
        .await
        .unwrap();
    let e = enrol(&lyon, &server.url(), &other.code, "x")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "sync_store_mismatch");
    assert!(e.message_fr().contains("PAR1"));
    assert!(!lyon.sync_status().await.unwrap().enrolled);
    assert!(!comptoir_client::credential::path_for(lyon.path()).exists());
    // Nobody listening: offline, not enrolled.
    let e = enrol(&lyon, "http://127.0.0.1:9", "AAAA-BBBB-CCCC", "x")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "offline");
    server.shutdown().await.unwrap();
    lyon.close().await;
}

/// The app's background task: a local change leaves within a second (it
/// watches the outbox between periods), the activity says a sync ran, and
/// what another counter did arrives by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_task_pushes_and_pulls_by_itself() {
    let db = Db::sqlite().await;
    let storage = db.storage().await;
    let server = serve_at(Arc::clone(&storage), "127.0.0.1:0").await;
    let dir = tempfile::tempdir().unwrap();
    let lyon = support::counter(dir.path(), "LYO1", 60).await;
    let paris = support::counter(dir.path(), "PAR1", 60).await;
    support::enrolled(&*storage, &server.url(), &lyon, "LYO1").await;
    support::enrolled(&*storage, &server.url(), &paris, "PAR1").await;
    let changed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&changed);
    // A long period: only the outbox watch can make Lyon's change leave fast.
    let lyon_task = comptoir_client::Syncer::spawn(lyon.clone(), Duration::from_secs(30), |_| {});
    let paris_task =
        comptoir_client::Syncer::spawn(paris.clone(), Duration::from_millis(300), move |r| {
            seen.fetch_add(r.applied, std::sync::atomic::Ordering::SeqCst);
        });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let dossier = lyon
        .dossier_by_number(showcase::STORE_DOSSIER)
        .await
        .unwrap();
    let t = std::time::Instant::now();
    lyon.add_note(dossier, "Julie M.", "Par la tâche de fond", Utc::now())
        .await
        .unwrap();
    while lyon.outbox_len().await.unwrap() > 0 {
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "the change did not leave within 3 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pushed_in = t.elapsed();
    assert!(
        pushed_in < Duration::from_millis(1500),
        "pushed after {pushed_in:?}"
    );
    while changed.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "Paris never received it"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let notes = paris.dossier_detail(dossier).await.unwrap().dossier.events;
    assert!(notes
        .iter()
        .any(|e| e.note.as_deref() == Some("Par la tâche de fond")));
    assert!(
        lyon_task.activity().last.is_some(),
        "the activity holds the last report"
    );
    assert_eq!(
        paris.sync_status().await.unwrap().activity,
        SyncActivity::Online
    );
    lyon_task.stop();
    paris_task.stop();
    server.shutdown().await.unwrap();
}
