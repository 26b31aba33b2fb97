//! Sign-in at the counter (issue 11), on a real SQLite file: login and PIN
//! with the argon2 hashes and the lockout, the same answer for an unknown
//! login as for a wrong PIN, the idle-lock setting and its bounds, and what
//! the audit log records.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;

use chrono::{DateTime, Duration, Utc};
use comptoir_core::auth::Role;
use comptoir_store::{SessionEvent, Store};

fn now() -> DateTime<Utc> {
    common::as_of() + Duration::hours(1)
}

async fn kinds(store: &Store) -> Vec<String> {
    let mut entries = store.audit_entries(None, 100).await.unwrap();
    entries.reverse();
    entries.into_iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn a_clerk_signs_in_with_login_and_pin_and_it_is_audited() {
    let (_dir, store) = common::demo_store(20).await;
    // The login as typed at the counter: case and spaces do not matter.
    let session = store.sign_in(" Julie.M ", "1234", now()).await.unwrap();
    assert_eq!(session.login, "julie.m");
    assert_eq!(session.display_name, "Julie Martin");
    assert_eq!(session.role, Role::Clerk);
    assert_eq!(session.actor(), "Julie Martin");
    assert_eq!(
        (session.signed_in_at, session.last_activity),
        (now(), now())
    );
    let manager = store.sign_in("sophie.r", "4826", now()).await.unwrap();
    assert!(manager.is_manager());

    let entries = store.audit_entries(Some("sign_in"), 10).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[1].actor.as_str(), entries[1].subject.as_str()),
        ("julie.m", "julie.m")
    );
    assert_eq!(entries[1].detail["role"], "clerk");
    store.verify_audit().await.unwrap();
}

#[tokio::test]
async fn an_unknown_login_gets_the_same_answer_as_a_wrong_pin() {
    let (_dir, store) = common::demo_store(20).await;
    let wrong = store.sign_in("julie.m", "9999", now()).await.unwrap_err();
    let unknown = store.sign_in("personne", "1234", now()).await.unwrap_err();
    let not_a_pin = store.sign_in("karim.b", "12ab", now()).await.unwrap_err();
    for e in [&wrong, &unknown, &not_a_pin] {
        assert_eq!(e.code(), "sign_in_failed");
        assert_eq!(e.message_fr(), "Identifiant ou code incorrect.");
    }
    // The wrong PINs of real accounts count towards the lock and are
    // audited; the unknown login leaves nothing to count.
    assert_eq!(common::failures(&store, "julie.m").await, 1);
    assert_eq!(common::failures(&store, "karim.b").await, 1);
    assert_eq!(kinds(&store).await, ["pin_failed", "pin_failed"]);
    // A right PIN resets the count.
    store.sign_in("julie.m", "1234", now()).await.unwrap();
    assert_eq!(common::failures(&store, "julie.m").await, 0);
}

#[tokio::test]
async fn five_wrong_pins_lock_the_account_then_the_right_one_is_refused_until_the_end() {
    let (_dir, store) = common::demo_store(20).await;
    for _ in 0..4 {
        let e = store.sign_in("karim.b", "0000", now()).await.unwrap_err();
        assert_eq!(e.code(), "sign_in_failed");
    }
    let fifth = store.sign_in("karim.b", "0000", now()).await.unwrap_err();
    assert_eq!(fifth.code(), "account_locked");
    assert!(
        fifth
            .message_fr()
            .starts_with("Compte verrouillé après 5 codes incorrects"),
        "{}",
        fifth.message_fr()
    );
    // Even the right PIN, while locked: nothing counted, nothing signed in.
    let locked = store
        .sign_in("karim.b", "5678", now() + Duration::minutes(14))
        .await
        .unwrap_err();
    assert_eq!(locked.code(), "account_locked");
    assert_eq!(
        kinds(&store).await,
        [vec!["pin_failed"; 5], vec!["account_locked"]].concat()
    );
    // Fifteen minutes later the right PIN works again.
    store
        .sign_in("karim.b", "5678", now() + Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(
        kinds(&store).await.last().map(String::as_str),
        Some("sign_in")
    );
    // An administrator could have lifted it sooner.
    for _ in 0..5 {
        let _ = store.sign_in("karim.b", "0000", now()).await;
    }
    store.unlock_user("karim.b").await.unwrap();
    store.sign_in("karim.b", "5678", now()).await.unwrap();
}

#[tokio::test]
async fn the_idle_lock_is_1_to_240_minutes_5_by_default_and_audited() {
    let (_dir, store) = common::demo_store(20).await;
    assert_eq!(store.idle_lock_minutes().await.unwrap(), 5);
    for bad in ["0", "241", "2,5", "dix", ""] {
        let e = store
            .set_idle_lock_minutes(bad, "sophie.r")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "idle_lock_out_of_range", "{bad:?}");
        assert!(
            e.message_fr().contains("entre 1 et 240"),
            "{}",
            e.message_fr()
        );
    }
    // The generic setting path refuses it too: no bad value reaches the file.
    let e = store
        .set_setting(comptoir_store::IDLE_LOCK_MINUTES, "0")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "idle_lock_out_of_range");
    assert!(kinds(&store).await.is_empty(), "refusals write nothing");
    assert_eq!(store.idle_lock_minutes().await.unwrap(), 5);

    assert_eq!(
        store
            .set_idle_lock_minutes(" 1 ", "sophie.r")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.set_idle_lock_minutes("240", "marc.p").await.unwrap(),
        240
    );
    assert_eq!(store.idle_lock_minutes().await.unwrap(), 240);
    let entries = store
        .audit_entries(Some("setting_changed"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].actor, "marc.p");
    assert_eq!(entries[0].subject, "idle_lock_minutes");
    assert_eq!(entries[0].detail["before"], "1");
    assert_eq!(entries[0].detail["after"], "240");
}

#[tokio::test]
async fn sign_outs_and_locks_are_audited() {
    let (_dir, store) = common::demo_store(20).await;
    store.sign_in("julie.m", "1234", now()).await.unwrap();
    store
        .audit_session(SessionEvent::Locked, "julie.m", "idle", now())
        .await
        .unwrap();
    store
        .audit_session(SessionEvent::SignOut, "julie.m", "switched", now())
        .await
        .unwrap();
    assert_eq!(
        kinds(&store).await,
        ["sign_in", "session_locked", "sign_out"]
    );
    let last = &store.audit_entries(None, 1).await.unwrap()[0];
    assert_eq!(last.detail["why"], "switched");
    store.verify_audit().await.unwrap();
}
