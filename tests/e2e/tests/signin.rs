//! Sign-in at the counter (issue 11), through the real window: nobody is
//! signed in at start; a clerk signs in with login and PIN, does not see
//! the manager's settings and is refused the manager's commands by Rust
//! even when called from the page; « Changer d'utilisateur » lets a manager
//! take over, who sets the idle lock (a bad value refused in French). With a
//! short idle time the session locks by itself, refuses commands, and the
//! PIN resumes it where it was. Needs the demo database: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use std::path::PathBuf;

use comptoir_e2e::{
    element, eventually, invoke, keys, shot, sign_in, text_containing, type_sign_in, with_app,
    with_app_args, JULIE, KARIM, SOPHIE,
};
use comptoir_store::{OpenMode, Store};
use fantoccini::{Client, Locator};
use serde_json::json;

async fn absent(c: &Client, css: &str) -> bool {
    c.find_all(Locator::Css(css))
        .await
        .map(|found| found.is_empty())
        .unwrap_or(false)
}

/// The `code` of a command's refusal (panics if it was accepted).
fn refused(answer: Result<serde_json::Value, serde_json::Value>) -> String {
    let err = answer.expect_err("the command must be refused");
    assert!(
        err["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a French message: {err}"
    );
    err["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_clerk_cannot_reach_the_managers_settings_and_a_manager_can() {
    with_app(|c| async move {
        // Nobody signed in: the sign-in screen, and Rust refuses data.
        text_containing(&c, "#signin-title", &["Connexion au comptoir"]).await;
        assert_eq!(
            refused(invoke(&c, "search", json!({ "query": "helene" })).await),
            "not_signed_in"
        );
        shot(&c, "70-sign-in").await;
        // A wrong PIN: the same French answer as an unknown login.
        type_sign_in(&c, JULIE.login, "0000").await;
        text_containing(
            &c,
            ".signin-form [role=alert]",
            &["Identifiant ou code incorrect."],
        )
        .await;
        let pin = element(&c, "#signin-pin").await;
        assert_eq!(pin.prop("value").await.unwrap().as_deref(), Some(""));
        type_sign_in(&c, "personne", "1234").await;
        text_containing(
            &c,
            ".signin-form [role=alert]",
            &["Identifiant ou code incorrect."],
        )
        .await;
        shot(&c, "71-sign-in-refused").await;
        sign_in(&c, JULIE).await;
        text_containing(&c, "#session-user", &["Julie Martin", "Conseiller"]).await;

        // The settings screen has no manager part for a clerk…
        element(&c, "#nav-settings").await.click().await.unwrap();
        text_containing(&c, "#settings-title", &["Réglages du comptoir"]).await;
        assert!(
            absent(&c, "#manager-title").await,
            "no manager settings for a clerk"
        );
        shot(&c, "72-clerk-settings").await;
        // …and Rust refuses the manager's commands, whoever calls them.
        for (command, args) in [
            ("set_idle_lock", json!({ "minutes": "1" })),
            ("unlock_user", json!({ "login": "karim.b" })),
            ("users", json!({})),
        ] {
            assert_eq!(
                refused(invoke(&c, command, args).await),
                "manager_only",
                "{command}"
            );
        }

        // A manager takes over the counter.
        element(&c, "#switch-user").await.click().await.unwrap();
        text_containing(&c, "#lock-title", &["Changer d'utilisateur"]).await;
        shot(&c, "73-switch-user").await;
        sign_in(&c, SOPHIE).await;
        assert!(absent(&c, "#lock-title").await);
        element(&c, "#nav-settings").await.click().await.unwrap();
        text_containing(&c, "#manager-title", &["Réglages du responsable"]).await;
        text_containing(&c, "#user-list", &["Julie Martin", "Karim Benali"]).await;
        // A bad idle time is refused in French; a good one is kept.
        let minutes = element(&c, "#idle-minutes").await;
        comptoir_e2e::fill(&minutes, "0").await;
        minutes.send_keys(keys::ENTER).await.unwrap();
        text_containing(&c, ".manager-panel [role=alert]", &["entre 1 et 240"]).await;
        shot(&c, "74-manager-settings-refused").await;
        comptoir_e2e::fill(&minutes, "5").await;
        minutes.send_keys(keys::ENTER).await.unwrap();
        text_containing(
            &c,
            ".manager-panel [role=status]",
            &["Délai de verrouillage enregistré"],
        )
        .await;
        let settings = invoke(&c, "get_settings", json!({})).await.unwrap();
        assert_eq!(settings["idle_lock_minutes"], 5);
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn the_session_locks_after_the_idle_time_and_the_pin_resumes_it() {
    // The setting counts whole minutes; the test's app locks after 4 s.
    let args = vec!["--idle-secs".to_owned(), "4".to_owned()];
    with_app_args(&args, |c| async move {
        sign_in(&c, KARIM).await;
        let search = element(&c, "#search").await;
        search.send_keys("helene dupre").await.unwrap();
        text_containing(&c, "#results", &["Hélène Dupré"]).await;
        // Nothing happens at the counter: Rust locks the session, the lock
        // screen covers the counter and names who was signed in.
        text_containing(&c, "#lock-title", &["Session verrouillée"]).await;
        text_containing(&c, "#lock-who", &["Karim Benali"]).await;
        shot(&c, "75-session-locked").await;
        assert_eq!(
            refused(invoke(&c, "search", json!({ "query": "helene" })).await),
            "session_locked"
        );
        // A wrong PIN keeps it locked; his PIN resumes it, the screen kept.
        let pin = element(&c, "#signin-pin").await;
        pin.send_keys("0000").await.unwrap();
        pin.send_keys(keys::ENTER).await.unwrap();
        text_containing(
            &c,
            ".lock-panel [role=alert]",
            &["Identifiant ou code incorrect."],
        )
        .await;
        let pin = element(&c, "#signin-pin").await;
        pin.send_keys(KARIM.pin).await.unwrap();
        pin.send_keys(keys::ENTER).await.unwrap();
        let c2 = c.clone();
        eventually("the lock screen goes away", move || {
            let c = c2.clone();
            async move { absent(&c, "#lock-title").await.then_some(()) }
        })
        .await;
        let kept = element(&c, "#search").await.prop("value").await.unwrap();
        assert_eq!(kept.as_deref(), Some("helene dupre"), "the screen is kept");
        invoke(&c, "search", json!({ "query": "helene" }))
            .await
            .expect("resumed: commands work again");
        text_containing(&c, "#session-name", &["Karim Benali"]).await;
    })
    .await;

    // The audit log holds the sign-ins and the idle lock.
    let db = PathBuf::from(std::env::var_os("COMPTOIR_DB").expect("COMPTOIR_DB"));
    let store = Store::open(&db, OpenMode::MustExist).await.unwrap();
    let locks = store
        .audit_entries(Some("session_locked"), 5)
        .await
        .unwrap();
    assert!(
        locks
            .first()
            .is_some_and(|e| e.subject == "karim.b" && e.detail["why"] == "idle"),
        "{locks:?}"
    );
    let sign_ins = store.audit_entries(Some("sign_in"), 5).await.unwrap();
    assert!(sign_ins.iter().filter(|e| e.subject == "karim.b").count() >= 2);
    store.verify_audit().await.unwrap();
    store.close().await;
}
