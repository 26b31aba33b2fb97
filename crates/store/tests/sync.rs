//! The one write path and its outbox, received changes, conflicts between
//! counters, dossier numbers of two offline counters — on real SQLite files.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use comptoir_core::changes::ChangeEnvelope;
use comptoir_core::dossier::*;
use comptoir_core::ids::*;
use comptoir_core::model::DossierStatus;
use comptoir_core::workflow::DossierAction;
use comptoir_demo::showcase;
use comptoir_store::{OpenMode, Store};

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

async fn helene(store: &Store) -> (CustomerId, OrderLineId) {
    let r = store.search(showcase::WEB_ORDER).await.unwrap();
    let customer = r.hits[0].customer_id;
    let card = store.customer_card(customer).await.unwrap();
    let web = card
        .orders
        .iter()
        .find(|o| o.number == showcase::WEB_ORDER)
        .unwrap();
    (customer, web.lines[0].id)
}

fn intake(customer: CustomerId, line: Option<OrderLineId>) -> OpenDossierInput {
    OpenDossierInput {
        customer_id: customer,
        order_line_id: line,
        declared_product: None,
        reason_code: "defect.no_power".into(),
        customer_words: "Le robot ne démarre plus.".into(),
        condition: ItemCondition::Good,
        condition_note: None,
        accessories: vec!["Base".into()],
        serial_number: None,
        actor: "Julie M.".into(),
        assignee: None,
        sealed: false,
        severity: comptoir_core::policy::Severity::Major,
        decision: None,
        defect_noticed_on: None,
        approval: None,
    }
}

/// (events, outbox rows) — read through a separate connection on the file.
async fn counts(path: &std::path::Path) -> (i64, i64) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let c = sqlx::query_as(
        "SELECT (SELECT count(*) FROM dossier_events), (SELECT count(*) FROM outbox)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    c
}

#[tokio::test]
async fn every_change_writes_one_outbox_row_and_a_refused_one_writes_nothing() {
    let (dir, store) = common::demo_store(60).await;
    let path = common::db_path(&dir);
    let (customer, line) = helene(&store).await;
    let (events0, outbox0) = counts(&path).await;
    assert_eq!(outbox0, 0, "a bulk load is no local change");

    let id = store
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    assert_eq!(counts(&path).await, (events0 + 1, 1));
    store
        .dossier_action(
            id,
            DossierAction::Diagnose,
            "Marc",
            Some("Carte HS"),
            monday() + Duration::hours(1),
        )
        .await
        .unwrap();
    store
        .add_note(id, "Marc", "Pièce commandée", monday() + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(counts(&path).await, (events0 + 3, 3));

    // Refused: an illegal transition, a note too long, an unknown dossier.
    let before = counts(&path).await;
    let e = store
        .dossier_action(
            id,
            DossierAction::HandBack,
            "Marc",
            None,
            monday() + Duration::hours(3),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "transition_not_allowed");
    let e = store
        .add_note(id, "Marc", &"x".repeat(3_000), monday())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "text_too_long");
    let e = store
        .add_note(DossierId::new(), "Marc", "?", monday())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
    assert_eq!(
        counts(&path).await,
        before,
        "nothing written, no outbox row"
    );

    // The outbox holds the envelopes, in HLC order, for this store.
    let out = store.outbox(100).await.unwrap();
    assert_eq!(out.len(), 3);
    assert!(out
        .iter()
        .all(|e| e.kind == "dossier.event" && e.store_code == "LYO1" && e.entity_id == id.0));
    assert!(
        out.windows(2).all(|w| w[0].hlc < w[1].hlc),
        "{:?}",
        out.iter().map(|e| &e.hlc).collect::<Vec<_>>()
    );
    let device = out[0].device_id;
    assert!(out.iter().all(|e| e.device_id == device));
    assert_eq!(device.get_version_num(), 7, "the device id is a UUIDv7");
}

/// Two counter databases of one store with the same demo data (the same
/// ids), as after a bootstrap.
async fn two_counters() -> (tempfile::TempDir, Store, Store) {
    let dir = tempfile::tempdir().unwrap();
    let a = common::demo_store_at(&dir.path().join("a.sqlite"), 60, 42).await;
    let b = common::demo_store_at(&dir.path().join("b.sqlite"), 60, 42).await;
    (dir, a, b)
}

#[tokio::test]
async fn received_changes_apply_once_write_no_outbox_and_converge() {
    let (dir, a, b) = two_counters().await;
    let (customer, line) = helene(&a).await;
    let id = a
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    a.dossier_action(
        id,
        DossierAction::Diagnose,
        "Marc",
        None,
        monday() + Duration::hours(1),
    )
    .await
    .unwrap();
    let pushed = a.outbox(100).await.unwrap();
    assert_eq!(pushed.len(), 2);

    let (events_b, _) = counts(&dir.path().join("b.sqlite")).await;
    assert_eq!(
        b.apply_received(&pushed, monday() + Duration::hours(2))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        b.apply_received(&pushed, monday() + Duration::hours(2))
            .await
            .unwrap(),
        0,
        "the same changes again: no-op"
    );
    assert_eq!(
        counts(&dir.path().join("b.sqlite")).await,
        (events_b + 2, 0),
        "received changes write no outbox row"
    );
    let da = a.dossier_detail(id).await.unwrap().dossier;
    let db = b.dossier_detail(id).await.unwrap().dossier;
    assert_eq!(
        (db.status, &db.number, db.promised_at),
        (DossierStatus::Diagnosed, &da.number, da.promised_at)
    );

    // Apart: A closes (resolution, message, close) while B, offline, waits
    // for a part. Each then receives the other's changes.
    let resolution = Resolution {
        summary: "Conseil donné".into(),
        parts: vec![],
        cost: comptoir_core::Cents(0),
        gesture: None,
        template: "closing.advice".into(),
    };
    a.close_dossier(id, &resolution, "Julie", 3, monday() + Duration::hours(3))
        .await
        .unwrap();
    b.dossier_action(
        id,
        DossierAction::WaitPart,
        "Marc",
        Some("Pièce commandée"),
        monday() + Duration::hours(4),
    )
    .await
    .unwrap();
    let from_a: Vec<ChangeEnvelope> = a.outbox(100).await.unwrap().into_iter().skip(2).collect();
    let from_b = b.outbox(100).await.unwrap();
    assert_eq!((from_a.len(), from_b.len()), (3, 1));
    a.apply_received(&from_b, monday() + Duration::hours(5))
        .await
        .unwrap();
    b.apply_received(&from_a, monday() + Duration::hours(5))
        .await
        .unwrap();
    let da = a.dossier_detail(id).await.unwrap().dossier;
    let db = b.dossier_detail(id).await.unwrap().dossier;
    assert_eq!(
        da.status,
        DossierStatus::Closed,
        "closing came first in HLC order"
    );
    assert_eq!(db.status, da.status, "both counters agree");
    assert_eq!(da.resolution, db.resolution);
    // The later action is kept on both timelines, marked as a conflict.
    for d in [&da, &db] {
        let waited = d
            .events
            .iter()
            .find(|e| e.kind == "wait_part")
            .expect("kept on the timeline");
        let why = waited.conflict.as_deref().expect("marked as a conflict");
        assert!(why.contains("Conflit entre postes"), "{why}");
        assert_eq!(d.events.iter().filter(|e| e.conflict.is_some()).count(), 1);
    }
    assert!(a.verify_dossiers().await.unwrap().is_empty());
    assert!(b.verify_dossiers().await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_received_changes_are_named_errors_and_write_nothing() {
    let (dir, a, b) = two_counters().await;
    let (customer, line) = helene(&a).await;
    let id = a
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    a.dossier_action(id, DossierAction::Diagnose, "Marc", None, monday())
        .await
        .unwrap();
    let good = a.outbox(10).await.unwrap();
    let path_b = dir.path().join("b.sqlite");
    let before = counts(&path_b).await;

    let unknown = ChangeEnvelope {
        kind: "dossier.teleported".into(),
        ..good[1].clone()
    };
    let mut bad_payload = good[1].clone();
    bad_payload.payload["event"] = serde_json::json!({"type": "action", "action": "fly"});
    let ahead = ChangeEnvelope {
        hlc: comptoir_core::hlc::Hlc::at(monday() + Duration::days(2)).to_string(),
        ..good[1].clone()
    };
    // An event of a dossier this counter does not have (its opening not sent).
    let orphan = vec![good[1].clone()];
    for (batch, code) in [
        (vec![good[0].clone(), unknown], "unknown_change_kind"),
        (vec![good[0].clone(), bad_payload], "change_payload_invalid"),
        (vec![good[0].clone(), ahead], "hlc_too_far_ahead"),
        (orphan, "not_found"),
    ] {
        let e = b.apply_received(&batch, monday()).await.unwrap_err();
        assert_eq!(e.code(), code);
        assert!(!e.message_fr().is_empty());
        assert_eq!(counts(&path_b).await, before, "{code}: nothing written");
    }
}

#[tokio::test]
async fn the_clock_never_goes_back_and_absorbs_what_it_receives() {
    let (dir, a, b) = two_counters().await;
    let (customer, line) = helene(&a).await;
    // Counter A's wall clock is an hour ahead of B's.
    let id = a
        .open_dossier(&intake(customer, Some(line)), monday() + Duration::hours(1))
        .await
        .unwrap();
    b.apply_received(&a.outbox(10).await.unwrap(), monday())
        .await
        .unwrap();
    b.add_note(id, "Marc", "vu", monday()).await.unwrap();
    let from_b = b.outbox(10).await.unwrap();
    assert!(
        from_b[0].hlc > a.outbox(10).await.unwrap()[0].hlc,
        "B's event comes after what it received"
    );
    // Across a restart, with the wall clock set back a day.
    let path = dir.path().join("a.sqlite");
    let last = a.outbox(10).await.unwrap()[0].hlc.clone();
    a.close().await;
    let a = Store::open(&path, OpenMode::MustExist).await.unwrap();
    a.add_note(
        id,
        "Julie",
        "après redémarrage",
        monday() - Duration::days(1),
    )
    .await
    .unwrap();
    let after = a.outbox(10).await.unwrap();
    assert!(after[1].hlc > last, "{} > {last}", after[1].hlc);
}

#[tokio::test]
async fn two_offline_counters_of_one_store_never_give_the_same_number() {
    let (_dir, a, b) = two_counters().await;
    // Before its letter is given, a counter numbers with a code derived
    // from its device id (a digit first, so it never meets a letter).
    let derived = a.counter_code().await.unwrap();
    assert!(
        derived.len() == 3 && derived.as_bytes()[0].is_ascii_digit(),
        "{derived}"
    );
    // Installation gives each counter of the store its letter.
    a.set_counter_code("A").await.unwrap();
    b.set_counter_code("B").await.unwrap();
    let numbers = |file: &'static str| {
        let path = _dir.path().join(file);
        async move {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            let v: Vec<String> =
                sqlx::query_scalar("SELECT number FROM dossiers WHERE opened_by = 'Julie M.'")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            pool.close().await;
            v
        }
    };
    // The demo's own dossiers (its year at the store) are not this test's.
    let (before_a, before_b) = (numbers("a.sqlite").await, numbers("b.sqlite").await);
    let (customer, line) = helene(&a).await;
    let n = 1_000;
    for i in 0..n {
        for s in [&a, &b] {
            s.open_dossier(
                &intake(customer, Some(line)),
                monday() + Duration::seconds(i),
            )
            .await
            .unwrap();
        }
    }
    let (na, nb) = (numbers("a.sqlite").await, numbers("b.sqlite").await);
    let na: Vec<String> = na.into_iter().filter(|n| !before_a.contains(n)).collect();
    let nb: Vec<String> = nb.into_iter().filter(|n| !before_b.contains(n)).collect();
    assert_eq!((na.len(), nb.len()), (1_000, 1_000));
    let all: std::collections::HashSet<&String> = na.iter().chain(nb.iter()).collect();
    assert_eq!(all.len(), 2_000, "no number in common, none given twice");
    assert!(
        nb.contains(&"SAV-LYO1-2026-B01000".to_owned()),
        "short, readable, consecutive per counter"
    );
    assert_eq!(
        a.set_counter_code("b7").await.unwrap_err().code(),
        "unknown_value"
    );
}
