//! The dossier from intake to closure, on a real SQLite file: numbering,
//! committed deadline, workflow, bad input that writes nothing.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use chrono::{DateTime, Duration, TimeZone, Utc};
use comptoir_core::calendar::{CalendarConfig, DeadlineStatus, WeeklyHours};
use comptoir_core::dossier::*;
use comptoir_core::ids::*;
use comptoir_core::model::DossierStatus;
use comptoir_core::workflow::DossierAction;
use comptoir_core::Cents;
use comptoir_demo::showcase;
use comptoir_store::Store;

/// Monday 23 November 2026, 10:00 in Lyon (09:00 UTC).
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
        customer_words: "Le robot ne démarre plus du tout.".into(),
        condition: ItemCondition::Good,
        condition_note: Some("Rayure sur le capot".into()),
        accessories: vec!["Base de charge".into(), "Télécommande".into()],
        serial_number: Some("ir2609120456".into()),
        actor: "Julie M.".into(),
        assignee: None,
        sealed: false,
        severity: comptoir_core::policy::Severity::Major,
        defect_noticed_on: None,
        decision: None,
        approval: None,
    }
}

async fn counts(store: &Store) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossier_events)")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_dossier_opened_from_a_web_order_gets_a_number_and_a_committed_deadline() {
    let (_dir, store) = common::demo_store(300).await;
    let (customer, line) = helene(&store).await;
    let id = store
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    let detail = store.dossier_detail(id).await.unwrap();
    let d = &detail.dossier;
    assert!(d.number.starts_with("SAV-LYO1-2026-"), "{}", d.number);
    assert_eq!(d.status, DossierStatus::Opened);
    assert_eq!(d.order_number.as_deref(), Some(showcase::WEB_ORDER));
    assert_eq!(detail.order.as_ref().unwrap().number, showcase::WEB_ORDER);
    assert_eq!(d.reason_label, "Panne : l'appareil ne s'allume plus");
    assert_eq!(d.condition_label.as_deref(), Some("Bon état"));
    assert_eq!(
        d.accessories,
        vec!["Base de charge".to_owned(), "Télécommande".to_owned()]
    );
    assert_eq!(d.promise_label.as_deref(), Some("48 heures ouvrées"));
    // Default calendar: Mon–Sat 9:30–19:00 (9.5 h a day) in Europe/Paris.
    // From Monday 10:00: 9 h Monday + 9.5 × 4 (Tue–Fri) = 47 h, +1 h Saturday.
    assert_eq!(
        d.promised_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap())
    );
    // Delivered 5 October 2026: the legal conformity guarantee caps it at 30 days.
    assert_eq!(d.legal_cap_at, Some(monday() + Duration::days(30)));
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].actor, "Julie M.");
    let actions: Vec<DossierAction> = d.allowed_actions.iter().map(|a| a.action).collect();
    assert!(actions.contains(&DossierAction::Diagnose));
    assert!(!actions.contains(&DossierAction::HandBack));

    // Scanning its number back opens it.
    let r = store.search(&d.number).await.unwrap();
    assert!(
        matches!(r.direct, Some(comptoir_core::views::DirectHit::Dossier { dossier_id, .. }) if dossier_id == id)
    );
}

#[tokio::test]
async fn numbers_are_consecutive_and_never_reused() {
    let (_dir, store) = common::demo_store(200).await;
    let (customer, line) = helene(&store).await;
    let mut numbers = Vec::new();
    for i in 0..3 {
        let id = store
            .open_dossier(
                &intake(customer, Some(line)),
                monday() + Duration::minutes(i),
            )
            .await
            .unwrap();
        numbers.push(store.dossier_detail(id).await.unwrap().dossier.number);
    }
    let seqs: Vec<u32> = numbers
        .iter()
        .map(|n| dossier_sequence(n).unwrap())
        .collect();
    assert_eq!(seqs[1], seqs[0] + 1);
    assert_eq!(seqs[2], seqs[1] + 1);
    // This counter's own series (its code in the number): never one the
    // store already had (the demo's `SAV-LYO1-2026-000101`…).
    let code = store.counter_code().await.unwrap();
    assert!(
        numbers[0].starts_with(&format!("SAV-LYO1-2026-{code}")),
        "{}",
        numbers[0]
    );
    let taken: i64 =
        sqlx::query_scalar("SELECT count(*) FROM dossiers WHERE number = ? AND opened_by IS NULL")
            .bind(&numbers[0])
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(taken, 0);
}

#[tokio::test]
async fn a_wrong_serial_a_foreign_line_or_a_huge_note_write_nothing() {
    let (_dir, store) = common::demo_store(200).await;
    let (customer, line) = helene(&store).await;
    let before = counts(&store).await;

    let mut bad = intake(customer, Some(line));
    bad.serial_number = Some("XX000".into());
    let e = store.open_dossier(&bad, monday()).await.unwrap_err();
    assert_eq!(e.code(), "serial_mismatch");
    assert!(e.message_fr().contains("IR2609120456"));

    let other: CustomerId = sqlx::query_scalar("SELECT id FROM customers WHERE id <> ? LIMIT 1")
        .bind(customer)
        .fetch_one(store.pool())
        .await
        .unwrap();
    let e = store
        .open_dossier(&intake(other, Some(line)), monday())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "line_not_customers");

    let mut long = intake(customer, Some(line));
    long.customer_words = "é".repeat(5_000);
    assert_eq!(
        store
            .open_dossier(&long, monday())
            .await
            .unwrap_err()
            .code(),
        "text_too_long"
    );

    let mut unknown = intake(customer, Some(line));
    unknown.reason_code = "defect.unknown".into();
    assert_eq!(
        store
            .open_dossier(&unknown, monday())
            .await
            .unwrap_err()
            .code(),
        "unknown_reason"
    );

    assert_eq!(counts(&store).await, before);
    // …and no number was burnt by the failures.
    let id = store
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    let n = store.dossier_detail(id).await.unwrap().dossier.number;
    let seq: Option<i64> = sqlx::query_scalar(
        "SELECT last FROM dossier_sequences WHERE prefix = 'LYO1-' || ? AND year = 2026",
    )
    .bind(store.counter_code().await.unwrap())
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(seq, Some(i64::from(dossier_sequence(&n).unwrap())));
}

#[tokio::test]
async fn without_a_purchase_record_the_product_is_declared_and_flagged() {
    let (_dir, store) = common::demo_store(100).await;
    let (customer, _) = helene(&store).await;
    let mut i = intake(customer, None);
    i.serial_number = None;
    assert_eq!(
        store.open_dossier(&i, monday()).await.unwrap_err().code(),
        "missing_field"
    );
    i.declared_product = Some("Cafetière Krups achetée en 2023".into());
    let id = store.open_dossier(&i, monday()).await.unwrap();
    let d = store.dossier_detail(id).await.unwrap().dossier;
    assert!(d.without_purchase_record);
    assert_eq!(
        d.product_name.as_deref(),
        Some("Cafetière Krups achetée en 2023")
    );
    assert_eq!(
        d.legal_cap_at, None,
        "no purchase record: no legal cap computed"
    );
}

#[tokio::test]
async fn the_workflow_refuses_steps_out_of_order_and_writes_nothing() {
    let (_dir, store) = common::demo_store(100).await;
    let (customer, line) = helene(&store).await;
    let id = store
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    let before = counts(&store).await;
    let e = store
        .dossier_action(id, DossierAction::HandBack, "Karim B.", None, monday())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "transition_not_allowed");
    assert!(e.message_fr().contains("Ouvert"), "{}", e.message_fr());
    let e = store
        .dossier_action(
            id,
            DossierAction::Diagnose,
            "Karim B.",
            Some(&"x".repeat(5_000)),
            monday(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "text_too_long");
    assert_eq!(counts(&store).await, before);

    let t = monday() + Duration::hours(1);
    assert_eq!(
        store
            .dossier_action(
                id,
                DossierAction::Diagnose,
                "Karim B.",
                Some("Carte mère HS"),
                t
            )
            .await
            .unwrap(),
        DossierStatus::Diagnosed
    );
    assert_eq!(
        store
            .dossier_action(id, DossierAction::WaitPart, "Karim B.", None, t)
            .await
            .unwrap(),
        DossierStatus::WaitingPart
    );
    assert_eq!(
        store
            .dossier_action(id, DossierAction::MarkReady, "Karim B.", None, t)
            .await
            .unwrap(),
        DossierStatus::Ready
    );
    let e = store
        .close_dossier(id, &resolution(), "Julie M.", 3, t)
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        "transition_not_allowed",
        "a ready product must be handed back first"
    );
    store
        .dossier_action(id, DossierAction::HandBack, "Julie M.", None, t)
        .await
        .unwrap();
    let d = store.dossier_detail(id).await.unwrap().dossier;
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["opened", "diagnose", "wait_part", "mark_ready", "hand_back"]
    );
    assert_eq!(d.events[1].note.as_deref(), Some("Carte mère HS"));
    // The stored status is the fold of the events.
    let records: Vec<comptoir_core::records::DossierEventRecord> = d
        .events
        .iter()
        .map(|e| comptoir_core::records::DossierEventRecord {
            id: e.id,
            at: e.at,
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            status_after: e
                .kind
                .parse::<DossierAction>()
                .ok()
                .map(|a| a.target())
                .or(Some(DossierStatus::Opened)),
            note: None,
        })
        .collect();
    assert_eq!(comptoir_core::workflow::replay(&records).unwrap(), d.status);
}

fn resolution() -> Resolution {
    Resolution {
        summary: "Carte électronique remplacée, test de charge OK".into(),
        parts: vec!["Carte mère R-200".into()],
        cost: Cents(4_500),
        // Gestures are decided with the policy (tests/policy.rs).
        gesture: None,
        template: "closing.repaired".into(),
    }
}

#[tokio::test]
async fn waiting_for_the_customer_pauses_the_promise() {
    let (_dir, store) = common::demo_store(100).await;
    let (customer, line) = helene(&store).await;
    let id = store
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    let first = store
        .dossier_detail(id)
        .await
        .unwrap()
        .dossier
        .promised_at
        .unwrap();
    let t = monday() + Duration::hours(1);
    store
        .dossier_action(id, DossierAction::Diagnose, "Karim B.", None, t)
        .await
        .unwrap();
    store
        .dossier_action(
            id,
            DossierAction::WaitCustomer,
            "Karim B.",
            Some("Devis envoyé"),
            t,
        )
        .await
        .unwrap();
    // The customer answers on Tuesday at 11:00 (Paris): 9 + 1.5 = 9.5 working hours waited… minus the
    // hour before the wait started: the wait ran Monday 11:00 → Tuesday 11:00 = 8 h + 1.5 h.
    let answered = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    store
        .dossier_action(id, DossierAction::Resume, "Karim B.", None, answered)
        .await
        .unwrap();
    let after = store
        .dossier_detail(id)
        .await
        .unwrap()
        .dossier
        .promised_at
        .unwrap();
    assert!(after > first, "{first} → {after}");
    assert!(
        after <= monday() + Duration::days(30),
        "never beyond the legal cap"
    );
}

#[tokio::test]
async fn closure_follow_up_and_satisfaction_feed_the_lists() {
    let (_dir, store) = common::demo_store(100).await;
    let (customer, line) = helene(&store).await;
    let id = store
        .open_dossier(&intake(customer, Some(line)), monday())
        .await
        .unwrap();
    // Satisfaction is asked after closure, not while the dossier is open.
    let e = store
        .record_satisfaction(id, 4, None, "Julie M.", monday())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "satisfaction_not_allowed");
    let d = store.dossier_detail(id).await.unwrap().dossier;
    assert_eq!(d.csat_score, None);
    assert!(!d.can_record_satisfaction && d.can_assign);
    let open = store
        .list_dossiers(DossierList::StoreOpen, None, monday())
        .await
        .unwrap();
    assert!(open
        .iter()
        .any(|d| d.id == id && d.deadline_status == Some(DeadlineStatus::OnTime)));
    let mine = store
        .list_dossiers(DossierList::Mine, Some("Julie M."), monday())
        .await
        .unwrap();
    assert!(mine.iter().any(|d| d.id == id));
    let theirs = store
        .list_dossiers(DossierList::Mine, Some("Karim B."), monday())
        .await
        .unwrap();
    assert!(!theirs.iter().any(|d| d.id == id));
    store
        .assign(id, Some("Karim B."), "Julie M.", monday())
        .await
        .unwrap();
    let theirs = store
        .list_dossiers(DossierList::Mine, Some("Karim B."), monday())
        .await
        .unwrap();
    assert!(theirs.iter().any(|d| d.id == id));

    let late = store
        .list_dossiers(DossierList::Late, None, monday() + Duration::days(10))
        .await
        .unwrap();
    assert!(late.iter().any(|d| d.id == id));
    assert!(late
        .iter()
        .all(|d| d.deadline_status == Some(DeadlineStatus::Late)));

    let t = monday() + Duration::hours(2);
    store
        .dossier_action(id, DossierAction::MarkReady, "Karim B.", None, t)
        .await
        .unwrap();
    store
        .dossier_action(id, DossierAction::HandBack, "Julie M.", None, t)
        .await
        .unwrap();
    let message = store
        .close_dossier(id, &resolution(), "Julie M.", 3, t)
        .await
        .unwrap();
    assert!(
        message.starts_with("Bonjour Mme Hélène Dupré,"),
        "{message}"
    );
    assert!(message.contains("Carte électronique remplacée"));
    assert!(
        !message.contains('{'),
        "every placeholder filled: {message}"
    );

    let d = store.dossier_detail(id).await.unwrap().dossier;
    assert_eq!(d.status, DossierStatus::Closed);
    assert_eq!(d.resolution.as_ref().unwrap().cost, Cents(4_500));
    assert!(d.allowed_actions.is_empty());
    assert_eq!(d.follow_up_due, Some(t + Duration::days(3)));

    assert!(!store
        .list_dossiers(DossierList::ToFollowUp, None, t + Duration::days(1))
        .await
        .unwrap()
        .iter()
        .any(|d| d.id == id));
    assert!(store
        .list_dossiers(DossierList::ToFollowUp, None, t + Duration::days(4))
        .await
        .unwrap()
        .iter()
        .any(|d| d.id == id && !d.is_open));

    assert_eq!(
        store
            .record_satisfaction(id, 6, None, "Julie M.", t)
            .await
            .unwrap_err()
            .code(),
        "csat_out_of_range"
    );
    store
        .record_satisfaction(
            id,
            5,
            Some("Très bon accueil"),
            "Julie M.",
            t + Duration::days(4),
        )
        .await
        .unwrap();
    let d = store.dossier_detail(id).await.unwrap().dossier;
    assert_eq!(d.csat_score, Some(5));
    assert!(!d.can_record_satisfaction);
    // Asked once: a second score is refused and the first one kept.
    let e = store
        .record_satisfaction(id, 1, None, "Julie M.", t + Duration::days(4))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "satisfaction_not_allowed");
    assert_eq!(
        store.dossier_detail(id).await.unwrap().dossier.csat_score,
        Some(5)
    );
    assert!(!store
        .list_dossiers(DossierList::ToFollowUp, None, t + Duration::days(5))
        .await
        .unwrap()
        .iter()
        .any(|d| d.id == id));
    // A closed dossier moves no more.
    let e = store
        .dossier_action(id, DossierAction::Reopen, "Julie M.", None, t)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "transition_not_allowed");
}

#[tokio::test]
async fn a_store_without_opening_hours_is_refused_clearly() {
    let (_dir, store) = common::demo_store(20).await;
    let closed = CalendarConfig {
        hours: WeeklyHours::default(),
        ..CalendarConfig::default()
    };
    let e = store.set_store_calendar("LYO1", &closed).await.unwrap_err();
    assert_eq!(e.code(), "no_opening_hours");
    assert!(!e.message_fr().is_empty());
    assert_eq!(
        store
            .set_store_calendar("NOPE", &CalendarConfig::default())
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[tokio::test]
async fn absurd_calendars_users_and_settings_are_refused_and_nothing_is_stored() {
    let (_dir, store) = common::demo_store(10).await;
    let before = store.store_calendar("LYO1").await.unwrap();
    let far = CalendarConfig {
        closures: vec![chrono::NaiveDate::from_ymd_opt(2207, 5, 1).unwrap()],
        ..CalendarConfig::default()
    };
    let e = store.set_store_calendar("LYO1", &far).await.unwrap_err();
    assert_eq!(e.code(), "date_out_of_range", "{e}");
    let many = CalendarConfig {
        closures: (0..5_001)
            .map(|i| chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + Duration::days(i))
            .collect(),
        ..CalendarConfig::default()
    };
    let e = store.set_store_calendar("LYO1", &many).await.unwrap_err();
    assert_eq!(e.code(), "too_many", "{e}");
    assert!(
        e.message_fr().contains("jours de fermeture"),
        "{}",
        e.message_fr()
    );
    let zone = CalendarConfig {
        timezone: "E".repeat(10_000),
        ..CalendarConfig::default()
    };
    assert_eq!(
        store
            .set_store_calendar("LYO1", &zone)
            .await
            .unwrap_err()
            .code(),
        "text_too_long"
    );
    assert_eq!(
        store.store_calendar("LYO1").await.unwrap().config(),
        before.config()
    );
    let unknown = serde_json::from_value::<CalendarConfig>(serde_json::json!({
        "timezone": "Europe/Paris", "hours": {}, "closure": ["2027-01-01"]
    }));
    assert!(unknown.is_err(), "a misspelt `closure` must not be dropped");

    let users = store.users(Utc::now()).await.unwrap().len();
    let e = store
        .add_user(
            &"a".repeat(65),
            "Paul",
            comptoir_core::auth::Role::Clerk,
            "1234",
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "text_too_long", "{e}");
    let e = store
        .add_user(
            "paul.b",
            &"P".repeat(201),
            comptoir_core::auth::Role::Clerk,
            "1234",
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "text_too_long", "{e}");
    assert_eq!(store.users(Utc::now()).await.unwrap().len(), users);

    let e = store
        .set_setting("printer", &"x".repeat(201))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "text_too_long");
    assert_eq!(store.setting("printer").await.unwrap(), None);
}

#[tokio::test]
async fn counter_settings_templates_and_store_identity() {
    let (_dir, store) = common::demo_store(10).await;
    assert_eq!(store.setting("printer").await.unwrap(), None);
    store.set_setting("printer", " ComptoirPDF ").await.unwrap();
    assert_eq!(
        store.setting("printer").await.unwrap().as_deref(),
        Some("ComptoirPDF")
    );
    store.set_setting("printer", "").await.unwrap();
    assert_eq!(store.setting("printer").await.unwrap(), None);
    assert_eq!(
        store
            .set_setting("store_code", "PAR1")
            .await
            .unwrap_err()
            .code(),
        "setting_reserved"
    );
    let templates = store.message_templates().await.unwrap();
    assert!(templates
        .iter()
        .any(|t| t.code == "closing.repaired" && t.body.contains("{dossier}")));
    let me = store.local_store_record().await.unwrap().unwrap();
    assert_eq!(
        (me.code.as_str(), me.name.as_str()),
        ("LYO1", "Lyon Part-Dieu")
    );
    let reasons = store.reasons().await.unwrap();
    assert_eq!(reasons[0].code, "defect.no_power");
    assert_eq!(reasons[0].promise_label, "48 heures ouvrées");
}

#[tokio::test]
async fn alsace_moselle_stores_close_on_good_friday() {
    let (_dir, store) = common::demo_store(10).await;
    let good_friday = chrono::NaiveDate::from_ymd_opt(2026, 4, 3).unwrap();
    let strasbourg = store.store_calendar("STR1").await.unwrap();
    let lyon = store.store_calendar("LYO1").await.unwrap();
    assert!(!strasbourg.is_business_day(good_friday));
    assert!(lyon.is_business_day(good_friday));
}
