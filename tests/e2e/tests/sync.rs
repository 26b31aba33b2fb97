//! The sync through the real window (issue 10): the counter is enrolled
//! from its settings screen with a one-time code of the real central server
//! (in this test's process, on a loopback port) and receives what the server
//! holds (web orders imported by head office); the server stops: the top
//! bar says « hors ligne » and counts the change made meanwhile; the server
//! is back: « Synchroniser maintenant » sends it, and the other store's
//! counter (a second database, synced by the client library) has it.
//!
//! The app runs on a copy of the e2e database (`--db`), so the other tests'
//! database is never enrolled.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use comptoir_e2e::{
    element, eventually, keys, shot, sign_in, text_containing, with_app_args, SOPHIE,
};
use comptoir_server::app::{launch, Running};
use comptoir_server::settings::Settings;
use comptoir_server::storage::sqlite::SqliteStorage;
use comptoir_server::storage::Storage;
use comptoir_store::{OpenMode, Store};
use fantoccini::Locator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

const SHOPIFY: &[u8] = include_bytes!("../../../crates/server/tests/fixtures/shopify-orders.csv");
const DOSSIER: &str = "SAV-WEB-2026-000001";
const NOTE: &str = "Client rappelé pendant la coupure";

async fn copy_of(source: &Path, to: &Path) {
    let mut c = SqliteConnection::connect_with(
        &SqliteConnectOptions::new().filename(source).read_only(true),
    )
    .await
    .unwrap();
    sqlx::query("VACUUM INTO ?")
        .bind(to.display().to_string())
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
}

async fn serve(storage: Arc<dyn Storage>, addr: &str) -> Running {
    let listener = std::net::TcpListener::bind(addr).unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Settings::default()
    };
    launch(storage, settings, listener).await.unwrap()
}

async fn type_into(c: &fantoccini::Client, css: &str, text: &str) {
    let input = element(c, css).await;
    comptoir_e2e::fill(&input, text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn enrol_from_settings_work_offline_and_the_change_reaches_the_other_store() {
    let source = PathBuf::from(std::env::var_os("COMPTOIR_DB").expect("COMPTOIR_DB"));
    let dir = tempfile::tempdir().unwrap();
    let lyon_db = dir.path().join("lyon.sqlite");
    let paris_db = dir.path().join("paris.sqlite");
    copy_of(&source, &lyon_db).await;
    copy_of(&source, &paris_db).await;
    {
        // The second copy is the Paris counter's.
        let mut c = SqliteConnection::connect(&format!("sqlite://{}", paris_db.display()))
            .await
            .unwrap();
        // Its own counter: another store, nothing of Lyon's waiting to go.
        sqlx::query("UPDATE settings SET value = 'PAR1' WHERE key = 'store_code'")
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query("DELETE FROM outbox")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }

    let storage: Arc<dyn Storage> = Arc::new(
        SqliteStorage::open(&dir.path().join("server.sqlite"))
            .await
            .unwrap(),
    );
    for (code, name) in [("LYO1", "Lyon Part-Dieu"), ("PAR1", "Paris Opéra")] {
        storage
            .add_store(code, name, false, Utc::now())
            .await
            .unwrap();
    }
    let imported = comptoir_server::import::run(
        &*storage,
        comptoir_server::import::Source::ShopifyCsv,
        SHOPIFY,
        Default::default(),
    )
    .await
    .unwrap();
    let web_changes = imported.totals.imported;
    assert!(web_changes > 0);
    let server = serve(Arc::clone(&storage), "127.0.0.1:0").await;
    let addr = server.addr.to_string();
    let url = server.url();
    let code = comptoir_server::admin::enrol_code(&*storage, "LYO1", 600, Utc::now())
        .await
        .unwrap()
        .code;

    // Paris: enrolled and synced by the library, as another counter would.
    let paris = Store::open(&paris_db, OpenMode::MustExist).await.unwrap();
    let paris_code = comptoir_server::admin::enrol_code(&*storage, "PAR1", 600, Utc::now())
        .await
        .unwrap()
        .code;
    comptoir_client::enrol(&paris, &url, &paris_code, "Comptoir Paris")
        .await
        .unwrap();
    comptoir_client::sync_once(&paris, &mut |_| {})
        .await
        .unwrap();

    let server_slot = Arc::new(tokio::sync::Mutex::new(Some(server)));
    let slot = Arc::clone(&server_slot);
    let store_for_restart = Arc::clone(&storage);
    let args = vec!["--db".to_owned(), lyon_db.display().to_string()];
    with_app_args(&args, move |c| async move {
        // A manager enrols the counter (a clerk is offered no form).
        sign_in(&c, SOPHIE).await;
        // Settings: the counter is not enrolled; enrol it with the code.
        element(&c, "#nav-settings")
            .await
            .click()
            .await
            .expect("settings");
        type_into(&c, "#enrol-server", &url).await;
        type_into(&c, "#enrol-code", &code).await;
        type_into(&c, "#enrol-name", "Comptoir Lyon 1").await;
        shot(&c, "60-enrol").await;
        element(&c, "#enrol-code")
            .await
            .send_keys(keys::ENTER)
            .await
            .expect("submit with Enter");
        text_containing(&c, "#sync-state", &["en ligne"]).await;
        // What the server held arrived (the web orders imported).
        eventually("the web orders received", || {
            let c = c.clone();
            async move {
                let t = c
                    .find(Locator::Css("#sync-received"))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                let n: usize = t
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .ok()?;
                (n >= web_changes).then_some(())
            }
        })
        .await;
        shot(&c, "61-enrolled").await;

        // The server stops; a note is added to a dossier meanwhile.
        slot.lock().await.take().unwrap().shutdown().await.unwrap();
        let input = comptoir_e2e::search_field_after_f2(&c).await;
        comptoir_e2e::fill(&input, DOSSIER).await;
        input.send_keys(keys::ENTER).await.expect("enter");
        text_containing(&c, "#dossier-number", &[DOSSIER]).await;
        let note = element(&c, "#note").await;
        note.send_keys(NOTE).await.expect("type the note");
        note.send_keys(&format!("{}{}{}", keys::CONTROL, keys::ENTER, keys::NULL))
            .await
            .expect("Ctrl+Enter");
        text_containing(&c, "main", &[NOTE]).await;
        element(&c, "#sync-now")
            .await
            .click()
            .await
            .expect("sync now");
        text_containing(
            &c,
            "#sync-state",
            &["hors ligne", "1 changement en attente"],
        )
        .await;
        shot(&c, "62-offline").await;

        // The server is back: « Synchroniser maintenant » sends the change.
        *slot.lock().await = Some(serve(store_for_restart, &addr).await);
        element(&c, "#sync-now")
            .await
            .click()
            .await
            .expect("sync now");
        text_containing(&c, "#sync-state", &["en ligne"]).await;
        eventually("nothing waiting any more", || {
            let c = c.clone();
            async move {
                let t = c
                    .find(Locator::Css("#sync-state"))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                (!t.contains("en attente")).then_some(())
            }
        })
        .await;
        shot(&c, "63-back-online").await;
    })
    .await;

    // At the other store, the note is on the dossier.
    let id = paris.dossier_by_number(DOSSIER).await.unwrap();
    let mut found = false;
    for _ in 0..100 {
        comptoir_client::sync_once(&paris, &mut |_| {})
            .await
            .unwrap();
        let d = paris.dossier_detail(id).await.unwrap().dossier;
        if d.events.iter().any(|e| e.note.as_deref() == Some(NOTE)) {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "the note made offline at Lyon reached Paris");
    // Lyon's base: enrolled, nothing waiting, sound.
    let lyon = Store::open(&lyon_db, OpenMode::MustExist).await.unwrap();
    let st = lyon.sync_status().await.unwrap();
    assert_eq!((st.enrolled, st.outbox), (true, 0));
    assert!(st.received >= u64::try_from(web_changes).unwrap());
    lyon.verify_integrity().await.unwrap();
    lyon.close().await;
    paris.close().await;
    let last = server_slot.lock().await.take();
    if let Some(s) = last {
        s.shutdown().await.unwrap();
    }
}
