//! Erasure of a customer on request (RGPD), on real SQLite files through
//! the real write path: afterwards the customer is found by no search, the
//! card and the export hold nothing of the identity, the sales and dossier
//! records remain, the audit chain holds; refusals (open dossier, clerk,
//! unconfirmed, unknown, twice) write nothing; an erasure received from
//! head office erases on another counter too and wins over later edits.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;

use common::RawPool;

use chrono::{DateTime, Duration, TimeZone, Utc};
use comptoir_core::changes::{Change, ChangeEnvelope, CustomerFieldChange};
use comptoir_core::customer::{CustomerField, CustomerPatch};
use comptoir_core::dossier::{ItemCondition, OpenDossierInput, Resolution};
use comptoir_core::hlc::Hlc;
use comptoir_core::ids::{CustomerId, DossierId, OrderLineId};
use comptoir_core::workflow::DossierAction;
use comptoir_core::Cents;
use comptoir_store::{Store, ERASED_CUSTOMER_NAME, ERASED_FREE_TEXT};
use serde_json::json;
use uuid::Uuid;

/// What names the customer: none of it may survive the erasure.
const TRACES: [&str; 9] = [
    "Zéphirine",
    "Zephirine",
    "Quarteron",
    "quarteron",
    "71 23 45 98",
    "671234598",
    "zephirine.q",
    "z.quarteron",
    "Glycines",
];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

fn patch(v: serde_json::Value) -> CustomerPatch {
    serde_json::from_value(v).unwrap()
}

/// A demo customer with at least one order and no dossier, renamed with
/// an identity found nowhere else, then corrected once (so the history
/// holds an old e-mail too).
async fn zephirine(store: &Store) -> (CustomerId, OrderLineId) {
    let (customer, line): (CustomerId, OrderLineId) = sqlx::query_as(
        "SELECT o.customer_id, l.id FROM orders o JOIN order_lines l ON l.order_id = o.id
          WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.customer_id = o.customer_id)
          ORDER BY o.id, l.line_no LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    store
        .edit_customer(
            customer,
            &patch(json!({
                "title": "Mme",
                "first_name": "Zéphirine",
                "last_name": "Quarteron-Vasseur",
                "address": {"line1": "12 impasse des Glycines", "line2": null,
                            "postal_code": "69370", "city": "Saint-Didier-au-Mont-d'Or",
                            "country": "FR"},
                "phones": ["06 71 23 45 98"],
                "emails": ["z.quarteron@example.org"],
            })),
            "Julie M.",
            true,
            t0(),
        )
        .await
        .unwrap();
    store
        .edit_customer(
            customer,
            &patch(json!({"emails": ["zephirine.q@example.fr"]})),
            "Julie M.",
            true,
            t0() + Duration::minutes(1),
        )
        .await
        .unwrap();
    (customer, line)
}

fn intake(customer: CustomerId, line: OrderLineId, words: &str) -> OpenDossierInput {
    OpenDossierInput {
        customer_id: customer,
        order_line_id: Some(line),
        declared_product: None,
        reason_code: "defect.no_power".into(),
        customer_words: words.into(),
        condition: ItemCondition::Good,
        condition_note: Some("Rayure ; Mme Quarteron signale une chute".into()),
        accessories: vec!["Câble".into()],
        serial_number: None,
        actor: "Julie M.".into(),
        assignee: None,
        sealed: false,
        severity: comptoir_core::policy::Severity::Major,
        defect_noticed_on: None,
        decision: None,
        approval: None,
    }
}

/// A closed dossier whose every free text names the customer.
async fn closed_dossier(store: &Store, customer: CustomerId, line: OrderLineId) -> DossierId {
    let t = t0() + Duration::hours(1);
    let id = store
        .open_dossier(
            &intake(
                customer,
                line,
                "Zéphirine Quarteron-Vasseur : l'appareil ne s'allume plus.",
            ),
            t,
        )
        .await
        .unwrap();
    store
        .add_note(
            id,
            "Julie M.",
            "Rappeler Mme Quarteron au 06 71 23 45 98",
            t,
        )
        .await
        .unwrap();
    for action in [
        DossierAction::Diagnose,
        DossierAction::WaitPart,
        DossierAction::MarkReady,
        DossierAction::HandBack,
    ] {
        store
            .dossier_action(id, action, "Karim B.", Some("Vu avec Zéphirine"), t)
            .await
            .unwrap();
    }
    let resolution = Resolution {
        summary: "Carte d'alimentation remplacée".into(),
        parts: vec!["Carte PW-1".into()],
        cost: Cents(3_900),
        gesture: None,
        template: "closing.repaired".into(),
    };
    store
        .close_dossier(id, &resolution, "Julie M.", 3, t + Duration::hours(2))
        .await
        .unwrap();
    store
        .record_satisfaction(
            id,
            2,
            Some("Zéphirine trouve le délai long"),
            "Julie M.",
            t + Duration::days(3),
        )
        .await
        .unwrap();
    id
}

/// Rows that an erasure must keep or that a refusal must not touch.
async fn counts(store: &Store) -> Vec<i64> {
    let row: (i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders),
                (SELECT count(*) FROM order_lines), (SELECT count(*) FROM dossiers),
                (SELECT count(*) FROM dossier_events), (SELECT count(*) FROM audit_log),
                (SELECT count(*) FROM outbox), (SELECT count(*) FROM customer_erasures)",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    vec![row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7]
}

async fn found(store: &Store, query: &str, id: CustomerId) -> bool {
    let r = store.search(query).await.unwrap();
    r.hits.iter().any(|h| h.customer_id == id)
}

fn no_trace(what: &str, text: &str) {
    for t in TRACES {
        assert!(!text.contains(t), "{what} still holds « {t} »: {text}");
    }
}

#[tokio::test]
async fn an_erased_customer_is_found_nowhere_and_their_records_stay_without_identity() {
    let (_dir, store) = common::demo_store(60).await;
    let (id, line) = zephirine(&store).await;
    let dossier = closed_dossier(&store, id, line).await;

    // Before: found by name, misspelt name, phone in two writings, e-mail.
    for q in [
        "Quarteron",
        "Zéphirine Quarteron",
        "quarterron",
        "06 71 23 45 98",
        "+33671234598",
        "zephirine.q@example.fr",
    ] {
        assert!(found(&store, q, id).await, "{q} finds her before");
    }
    assert_eq!(store.customer_card(id).await.unwrap().erased_at, None);
    let card = serde_json::to_string(&store.customer_card(id).await.unwrap()).unwrap();
    assert!(
        card.contains("Quarteron"),
        "the test's identity is on the card"
    );
    let before = counts(&store).await;
    let edits_queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE kind = 'customer.field' AND entity_id = ?",
    )
    .bind(id)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert!(edits_queued >= 2);

    let report = store
        .erase_customer(id, "sophie.r", true, t0() + Duration::days(5))
        .await
        .unwrap();
    assert_eq!(report.customer_id, id);
    assert_eq!(report.erased_by, "sophie.r");
    assert!(report.orders_kept >= 1);
    assert_eq!(report.dossiers_kept, 1);
    assert!(report.events_redacted >= 6, "{report:?}");
    assert_eq!(report.contacts_removed, 2);
    assert!(report.corrections_removed >= 2, "{report:?}");

    // The records the law makes us keep are all there.
    let after = counts(&store).await;
    assert_eq!(
        after[..5],
        before[..5],
        "customers, orders, lines, dossiers, events kept"
    );
    assert_eq!(after[5], before[5] + 1, "one audit entry");
    assert_eq!(
        after[6],
        before[6] - edits_queued + 1,
        "the edits not pushed yet dropped, the erasure queued"
    );
    assert!(i64::from(report.pending_changes_redacted) > edits_queued);
    assert_eq!(after[7], before[7] + 1);

    // Found by nothing.
    for q in [
        "Quarteron",
        "Quarteron-Vasseur",
        "Zéphirine",
        "zephirine quarteron",
        "quarterron",
        "06 71 23 45 98",
        "0671234598",
        "+33 6 71 23 45 98",
        "zephirine.q@example.fr",
        "z.quarteron@example.org",
        "zephirine",
    ] {
        assert!(!found(&store, q, id).await, "{q} still finds her");
    }
    // The dossier is still found by its number, on the tombstone.
    let d = store.dossier_detail(dossier).await.unwrap().dossier;
    let r = store.search(&d.number).await.unwrap();
    assert_eq!(r.hits.len(), 1);
    assert_eq!(r.hits[0].customer_id, id);

    // The card and the export: no trace; the structure stays.
    let card = store.customer_card(id).await.unwrap();
    assert_eq!(card.customer.display_name, ERASED_CUSTOMER_NAME);
    assert_eq!(card.erased_at, Some(report.erased_at), "the card says when");
    assert!(card.customer.contacts.is_empty());
    assert!(!card.customer.consents.email_marketing && !card.customer.consents.sms_marketing);
    assert_eq!(card.orders.len() as u32, report.orders_kept);
    assert_eq!(card.dossiers.len(), 1);
    let kept = &card.dossiers[0];
    assert_eq!(kept.reason_code, "defect.no_power");
    assert_eq!(kept.customer_words.as_deref(), Some(ERASED_FREE_TEXT));
    assert_eq!(kept.csat_score, Some(2));
    assert!(kept.resolution.is_some(), "the repair stays (warranty)");
    assert!(kept.events.len() >= 7);
    no_trace("card", &serde_json::to_string(&card).unwrap());
    let export = store
        .export_customer(id, "sophie.r", t0() + Duration::days(6))
        .await
        .unwrap();
    assert!(export.corrections.is_empty());
    no_trace("export", &serde_json::to_string(&export).unwrap());

    // Behind the store's back, as sqlite3 would see the file.
    let raw = store.pool();
    let terms: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM search_terms WHERE term IN ('quarteron', 'vasseur', 'zephirine', 'glycines')",
    )
    .fetch_one(raw)
    .await
    .unwrap();
    assert_eq!(
        terms, 0,
        "the words found on no one else left the word list"
    );
    let fts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH 'quarteron OR zephirine'",
    )
    .fetch_one(raw)
    .await
    .unwrap();
    assert_eq!(fts, 0);
    let dumps: Vec<String> = sqlx::query_scalar(
        "SELECT coalesce(note, '') || coalesce(body, '') || coalesce(data, '') FROM dossier_events
          WHERE dossier_id = ?
         UNION ALL SELECT payload FROM outbox
         UNION ALL SELECT coalesce(customer_words, '') || coalesce(condition_note, '') || coalesce(csat_comment, '') FROM dossiers WHERE customer_id = ?
         UNION ALL SELECT coalesce(old_value, '') || new_value FROM customer_changes WHERE customer_id = ?
         UNION ALL SELECT detail || subject FROM audit_log",
    )
    .bind(dossier)
    .bind(id)
    .bind(id)
    .fetch_all(raw)
    .await
    .unwrap();
    for text in &dumps {
        no_trace("the file", text);
    }
    let queued: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT kind, entity_id FROM outbox ORDER BY hlc DESC LIMIT 1")
            .fetch_all(raw)
            .await
            .unwrap();
    assert_eq!(queued[0].0, "customer.erased");
    assert_eq!(queued[0].1, id.0.as_bytes().to_vec());

    // The dossiers' rows are still the fold of their (redacted) events.
    assert_eq!(store.verify_dossiers().await.unwrap(), vec![]);

    // The audit chain holds, and its entry names the id only.
    store.verify_audit().await.unwrap();
    let entries = store
        .audit_entries(Some("customer_erased"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "sophie.r");
    assert_eq!(entries[0].subject, id.0.to_string());

    // The timeline is still append-only outside an erasure, even to write
    // the marker.
    let e = sqlx::query("UPDATE dossier_events SET note = ? WHERE dossier_id = ?")
        .bind(ERASED_FREE_TEXT)
        .bind(dossier)
        .execute(raw)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");

    // Afterwards: a second erasure is refused and writes nothing; the
    // tombstone takes no edit and no new dossier.
    let before = counts(&store).await;
    let e = store
        .erase_customer(id, "sophie.r", true, t0() + Duration::days(7))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "customer_already_erased");
    assert!(
        e.message_fr().contains("déjà été effacé"),
        "{}",
        e.message_fr()
    );
    let e = store
        .edit_customer(
            id,
            &patch(json!({"last_name": "Quarteron"})),
            "Julie M.",
            true,
            t0() + Duration::days(7),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "customer_erased");
    let e = store
        .open_dossier(
            &intake(id, line, "Encore en panne"),
            t0() + Duration::days(7),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "customer_erased");
    assert_eq!(counts(&store).await, before);
    store.verify_audit().await.unwrap();
}

#[tokio::test]
async fn refusals_write_nothing() {
    let (_dir, store) = common::demo_store(40).await;
    let (id, line) = zephirine(&store).await;
    let open = store
        .open_dossier(
            &intake(id, line, "Zéphirine : écran noir"),
            t0() + Duration::hours(1),
        )
        .await
        .unwrap();
    let number = store.dossier_detail(open).await.unwrap().dossier.number;
    let before = counts(&store).await;
    let card = serde_json::to_string(&store.customer_card(id).await.unwrap()).unwrap();

    let e = store
        .erase_customer(id, "sophie.r", true, t0() + Duration::days(1))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "erasure_open_dossier");
    let m = e.message_fr();
    assert!(m.contains(&number) && m.contains("ouvert"), "{m}");
    assert!(m.contains("Rien n'a été effacé"), "{m}");

    let e = store
        .erase_customer(id, "julie.m", true, t0() + Duration::days(1))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "manager_only", "a clerk is refused");
    assert!(e.message_fr().contains("responsable"), "{}", e.message_fr());
    let e = store
        .erase_customer(id, "nobody", true, t0() + Duration::days(1))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_a_manager");
    let e = store
        .erase_customer(
            CustomerId::new(),
            "sophie.r",
            true,
            t0() + Duration::days(1),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_found");

    assert_eq!(counts(&store).await, before, "nothing written");
    assert_eq!(
        serde_json::to_string(&store.customer_card(id).await.unwrap()).unwrap(),
        card
    );

    // Once the dossier is cancelled, an unconfirmed erasure is still
    // refused; a confirmed one goes through.
    store
        .dossier_action(
            open,
            DossierAction::Cancel,
            "Julie M.",
            None,
            t0() + Duration::days(1),
        )
        .await
        .unwrap();
    let before = counts(&store).await;
    let e = store
        .erase_customer(id, "sophie.r", false, t0() + Duration::days(2))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "erasure_not_confirmed");
    assert!(e.message_fr().contains("définitif"), "{}", e.message_fr());
    assert_eq!(counts(&store).await, before);
    store
        .erase_customer(id, "Sophie.R", true, t0() + Duration::days(2))
        .await
        .unwrap();
    store.verify_audit().await.unwrap();
}

#[tokio::test]
async fn an_erasure_received_from_head_office_erases_here_and_wins_over_later_edits() {
    // Two counters with the same demo data (same seed): the erasure made
    // on one travels as its outbox rows and is applied on the other.
    let dir = tempfile::tempdir().unwrap();
    let a = common::demo_store_at(&dir.path().join("a.sqlite"), 40, 7).await;
    let b = common::demo_store_at(&dir.path().join("b.sqlite"), 40, 7).await;
    let (id, line) = zephirine(&a).await;
    closed_dossier(&a, id, line).await;
    a.erase_customer(id, "sophie.r", true, t0() + Duration::days(5))
        .await
        .unwrap();
    let pushed: Vec<ChangeEnvelope> = a.outbox(1_000).await.unwrap();
    assert!(pushed.iter().any(|e| e.kind == "customer.erased"));
    for env in &pushed {
        no_trace("a pushed change", &serde_json::to_string(env).unwrap());
    }
    let orders_before: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(b.pool())
        .await
        .unwrap();

    let now = t0() + Duration::days(5) + Duration::minutes(1);
    b.apply_received(&pushed, now).await.unwrap();
    let card = b.customer_card(id).await.unwrap();
    assert_eq!(card.customer.display_name, ERASED_CUSTOMER_NAME);
    assert!(
        card.erased_at.is_some(),
        "the other counter's card says it too"
    );
    assert_eq!(card.dossiers.len(), 1, "the dossier arrived, redacted");
    no_trace(
        "the other counter's card",
        &serde_json::to_string(&card).unwrap(),
    );
    assert!(!found(&b, "Quarteron", id).await);
    assert!(b.customer_erased_at(id).await.unwrap().is_some());
    let orders_after: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(b.pool())
        .await
        .unwrap();
    assert_eq!(orders_after, orders_before);
    assert_eq!(b.verify_dossiers().await.unwrap(), vec![]);

    // Twice is once.
    assert_eq!(b.apply_received(&pushed, now).await.unwrap(), 0);

    // An edit made elsewhere before the erasure was known arrives later:
    // the erasure wins, nothing of it is kept.
    let late = Change::CustomerField(CustomerFieldChange {
        id: Uuid::now_v7(),
        customer_id: id,
        hlc: Hlc::at(now + Duration::seconds(5)),
        device_id: Uuid::now_v7(),
        at: now,
        actor: "Marc P.".into(),
        field: CustomerField::LastName,
        old: json!("Client effacé"),
        value: json!("Quarteron"),
    })
    .to_envelope("LYO1")
    .unwrap();
    b.apply_received(&[late], now + Duration::minutes(1))
        .await
        .unwrap();
    let card = b.customer_card(id).await.unwrap();
    assert_eq!(card.customer.display_name, ERASED_CUSTOMER_NAME);
    no_trace(
        "the card after a late edit",
        &serde_json::to_string(&card).unwrap(),
    );
    let kept: i64 =
        sqlx::query_scalar("SELECT count(*) FROM customer_changes WHERE customer_id = ?")
            .bind(id)
            .fetch_one(b.pool())
            .await
            .unwrap();
    assert_eq!(kept, 0);
}
