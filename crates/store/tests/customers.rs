//! Customers created and corrected at the counter, on real SQLite files:
//! the one write path (history, row, contacts, search index and outbox in
//! one transaction), refusals that write nothing, possible duplicates,
//! received changes applied once and merged last writer wins per field.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use comptoir_core::changes::{Change, ChangeEnvelope, CustomerFieldChange};
use comptoir_core::customer::*;
use comptoir_core::hlc::Hlc;
use comptoir_core::ids::CustomerId;
use comptoir_core::model::ContactKind;
use comptoir_core::views::MatchKind;
use comptoir_demo::showcase;
use comptoir_store::Store;
use serde_json::json;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 42, 0).unwrap()
}

fn walk_in() -> NewCustomer {
    NewCustomer {
        title: Some("M.".into()),
        first_name: "Théo".into(),
        last_name: "Lambertin".into(),
        address: AddressInput {
            line1: "8 quai Saint-Vincent".into(),
            line2: None,
            postal_code: "69001".into(),
            city: "Lyon".into(),
            country: "FR".into(),
        },
        phones: vec!["06 98 76 54 32".into()],
        emails: vec!["theo.lambertin@example.fr".into()],
        email_marketing: false,
        sms_marketing: true,
    }
}

/// (customers, customer changes, outbox rows), through another connection.
async fn counts(path: &std::path::Path) -> (i64, i64, i64) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let c = sqlx::query_as(
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM customer_changes),
                (SELECT count(*) FROM outbox)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    c
}

async fn only_hit(store: &Store, query: &str) -> (CustomerId, MatchKind) {
    let r = store.search(query).await.unwrap();
    assert_eq!(r.hits.len(), 1, "{query}: {:?}", r.hits);
    (r.hits[0].customer_id, r.hits[0].matched)
}

#[tokio::test]
async fn a_walk_in_customer_is_created_found_at_once_and_queued_once() {
    let (dir, store) = common::demo_store(40).await;
    let path = common::db_path(&dir);
    let (customers0, changes0, outbox0) = counts(&path).await;
    assert_eq!((changes0, outbox0), (0, 0));

    let check = store.check_new_customer(&walk_in()).await.unwrap();
    assert_eq!(check, CustomerCheck::default(), "nothing to point out");
    let id = store
        .create_customer(&walk_in(), "Julie M.", false, now())
        .await
        .unwrap();
    assert_eq!(counts(&path).await, (customers0 + 1, 1, 1));

    // Found at once, by the phone in another writing, the e-mail, the name.
    assert_eq!(
        only_hit(&store, "+33 6 98 76 54 32").await,
        (id, MatchKind::Phone)
    );
    assert_eq!(only_hit(&store, "0698765432").await.0, id);
    assert_eq!(only_hit(&store, "THEO.LAMBERTIN@example.fr").await.0, id);
    assert_eq!(only_hit(&store, "theo lambertin").await.0, id);

    let card = store.customer_card(id).await.unwrap();
    assert_eq!(card.customer.display_name, "M. Théo Lambertin");
    assert!(card.customer.consents.sms_marketing);
    assert_eq!(card.customer.consents.updated_at, Some(now()));
    assert_eq!(card.history.len(), 1);
    assert_eq!(card.history[0].summary, "Fiche client créée");
    assert_eq!(card.history[0].actor, "Julie M.");

    let outbox = store.outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].kind, "customer.created");
    assert_eq!(outbox[0].entity_id, id.0);
    assert_eq!(outbox[0].store_code, "LYO1");
    let Change::CustomerCreated(c) = Change::from_envelope(&outbox[0]).unwrap() else {
        panic!("a creation")
    };
    assert_eq!(c.customer.last_name, "Lambertin");
}

#[tokio::test]
async fn refusals_are_named_and_write_nothing() {
    let (dir, store) = common::demo_store(30).await;
    let path = common::db_path(&dir);
    let before = counts(&path).await;
    let cases: Vec<(NewCustomer, &str, &str)> = vec![
        (
            NewCustomer {
                first_name: String::new(),
                last_name: " ".into(),
                ..walk_in()
            },
            "Julie",
            "customer_without_name",
        ),
        (
            NewCustomer {
                emails: vec!["theo@@example".into()],
                ..walk_in()
            },
            "Julie",
            "invalid_email",
        ),
        (
            NewCustomer {
                phones: vec!["06 98 76".into()],
                ..walk_in()
            },
            "Julie",
            "invalid_phone",
        ),
        (
            NewCustomer {
                emails: vec![format!("{}@example.fr", "a".repeat(260))],
                ..walk_in()
            },
            "Julie",
            "text_too_long",
        ),
        (
            NewCustomer {
                address: AddressInput {
                    city: "L".repeat(201),
                    ..walk_in().address
                },
                ..walk_in()
            },
            "Julie",
            "text_too_long",
        ),
        (walk_in(), "  ", "missing_field"),
    ];
    for (input, actor, code) in cases {
        let e = store
            .create_customer(&input, actor, false, now())
            .await
            .unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        assert!(!e.message_fr().is_empty());
    }
    assert_eq!(
        counts(&path).await,
        before,
        "nothing written, no outbox row"
    );

    let id = store
        .create_customer(&walk_in(), "Julie", false, now())
        .await
        .unwrap();
    let after = counts(&path).await;
    for patch in [
        CustomerPatch {
            last_name: Some(String::new()),
            ..CustomerPatch::default()
        },
        CustomerPatch {
            emails: Some(vec!["pas-une-adresse".into()]),
            ..CustomerPatch::default()
        },
        CustomerPatch {
            phones: Some(vec!["06 98 76 54 32".into(), "0800".into()]),
            ..CustomerPatch::default()
        },
    ] {
        let e = store
            .edit_customer(id, &patch, "Julie", false, now())
            .await
            .unwrap_err();
        assert!(
            ["missing_field", "invalid_email", "invalid_phone"].contains(&e.code()),
            "{e}"
        );
    }
    let e = store
        .edit_customer(
            CustomerId::new(),
            &CustomerPatch::default(),
            "Julie",
            false,
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
    assert_eq!(counts(&path).await, after);

    // Unknown keys in the JSON a script gives are refused before the store.
    assert!(serde_json::from_value::<CustomerPatch>(json!({"email": "x@y.fr"})).is_err());
}

#[tokio::test]
async fn an_edit_records_each_changed_field_with_its_history_and_is_found() {
    let (dir, store) = common::demo_store(30).await;
    let path = common::db_path(&dir);
    let id = store
        .create_customer(&walk_in(), "Julie", false, now())
        .await
        .unwrap();
    let later = now() + Duration::minutes(5);
    let patch = CustomerPatch {
        title: Some("M.".into()),
        first_name: Some("Théo".into()),
        emails: Some(vec!["t.lambertin@example.org".into()]),
        phones: Some(vec!["+33 6 98 76 54 32".into()]),
        sms_marketing: Some(false),
        ..CustomerPatch::default()
    };
    let fields = store
        .edit_customer(id, &patch, "Karim B.", false, later)
        .await
        .unwrap();
    assert_eq!(
        fields,
        vec![CustomerField::Emails, CustomerField::SmsMarketing]
    );
    assert_eq!(counts(&path).await.1, 3, "creation + two field changes");
    assert_eq!(
        store.outbox_len().await.unwrap(),
        3,
        "one outbox row per change"
    );

    // The same correction again changes nothing and writes nothing.
    assert!(store
        .edit_customer(id, &patch, "Karim B.", false, later)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.outbox_len().await.unwrap(), 3);

    assert_eq!(only_hit(&store, "t.lambertin@example.org").await.0, id);
    let old = store.search("theo.lambertin@example.fr").await.unwrap();
    assert!(
        old.hits.is_empty(),
        "the old address is gone: {:?}",
        old.hits
    );

    let card = store.customer_card(id).await.unwrap();
    let emails: Vec<&str> = card
        .customer
        .contacts
        .iter()
        .filter(|k| k.kind == ContactKind::Email)
        .map(|k| k.value.as_str())
        .collect();
    assert_eq!(emails, vec!["t.lambertin@example.org"]);
    assert!(!card.customer.consents.sms_marketing);
    assert_eq!(card.customer.consents.updated_at, Some(later));
    let h = &card.history;
    assert_eq!(h.len(), 3);
    assert_eq!(h[2].summary, "Fiche client créée");
    let email = h
        .iter()
        .find(|l| l.field == Some(CustomerField::Emails))
        .unwrap();
    assert_eq!(email.summary, "E-mail modifié");
    assert_eq!(email.actor, "Karim B.");
    assert_eq!(email.at, later);
    assert_eq!(email.before.as_deref(), Some("theo.lambertin@example.fr"));
    assert_eq!(email.after.as_deref(), Some("t.lambertin@example.org"));

    // The names are reindexed too.
    store
        .edit_customer(
            id,
            &CustomerPatch {
                last_name: Some("Lambertini".into()),
                ..CustomerPatch::default()
            },
            "Karim B.",
            false,
            later,
        )
        .await
        .unwrap();
    assert_eq!(only_hit(&store, "lambertini").await.0, id);
    let outbox = store.outbox(10).await.unwrap();
    let hlcs: Vec<&str> = outbox.iter().map(|e| e.hlc.as_str()).collect();
    let mut sorted = hlcs.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(hlcs, sorted, "each change has its own, later HLC");
    assert!(outbox.iter().skip(1).all(|e| e.kind == "customer.field"));
}

#[tokio::test]
async fn a_phone_or_email_of_another_customer_is_pointed_out_before_saving() {
    let (dir, store) = common::demo_store(30).await;
    let path = common::db_path(&dir);
    let (helene, _) = only_hit(&store, showcase::HELENE_LYON_EMAIL).await;
    let input = NewCustomer {
        phones: vec!["+33 6 12 34 56 78".into()],
        emails: vec!["Helene.Dupre@example.fr".into()],
        ..walk_in()
    };
    let check = store.check_new_customer(&input).await.unwrap();
    assert!(check.problems.is_empty());
    let fields: Vec<(&str, CustomerId)> = check
        .duplicates
        .iter()
        .map(|d| (d.field.as_str(), d.customer_id))
        .collect();
    assert!(fields.contains(&("phones.0", helene)), "{fields:?}");
    assert!(fields.contains(&("emails.0", helene)), "{fields:?}");
    let d = check
        .duplicates
        .iter()
        .find(|d| d.field == "phones.0")
        .unwrap();
    assert_eq!(d.display_name, "Mme Hélène Dupré");
    assert_eq!(
        d.sentence_fr(),
        "Le numéro 06 12 34 56 78 est déjà celui de Mme Hélène Dupré (Lyon)."
    );

    let before = counts(&path).await;
    let e = store
        .create_customer(&input, "Julie", false, now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "possible_duplicate");
    assert!(
        e.message_fr().contains("Hélène Dupré"),
        "{}",
        e.message_fr()
    );
    assert_eq!(counts(&path).await, before, "never silent: nothing written");

    // Saving anyway is the clerk's explicit choice.
    let id = store
        .create_customer(&input, "Julie", true, now())
        .await
        .unwrap();
    assert_eq!(counts(&path).await.2, before.2 + 1);
    let r = store.search("06 12 34 56 78").await.unwrap();
    assert!(r.hits.iter().any(|h| h.customer_id == id));
    assert!(r.hits.iter().any(|h| h.customer_id == helene));

    // An edit is checked only for what it adds: this customer's own phone
    // is no duplicate of itself; Hélène's is.
    let other = store
        .create_customer(
            &NewCustomer {
                phones: vec!["07 52 33 41 18".into()],
                emails: vec![],
                ..walk_in()
            },
            "Julie",
            false,
            now(),
        )
        .await
        .unwrap();
    let keep = CustomerPatch {
        phones: Some(vec!["0752334118".into()]),
        ..CustomerPatch::default()
    };
    assert!(store
        .check_customer_edit(other, &keep)
        .await
        .unwrap()
        .duplicates
        .is_empty());
    let add = CustomerPatch {
        phones: Some(vec!["0752334118".into(), "06.12.34.56.78".into()]),
        ..CustomerPatch::default()
    };
    let check = store.check_customer_edit(other, &add).await.unwrap();
    assert_eq!(
        check.duplicates.len(),
        2,
        "Hélène and the customer saved anyway"
    );
    assert!(check.duplicates.iter().all(|d| d.field == "phones.1"));
    let e = store
        .edit_customer(other, &add, "Julie", false, now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "possible_duplicate");
    store
        .edit_customer(other, &add, "Julie", true, now())
        .await
        .unwrap();

    // Problems are listed with their fields, for the form.
    let bad = store
        .check_new_customer(&NewCustomer {
            emails: vec!["x".into()],
            ..walk_in()
        })
        .await
        .unwrap();
    assert_eq!(bad.problems.len(), 1);
    assert_eq!(bad.problems[0].field, "emails.0");
}

fn field_change(
    customer: CustomerId,
    field: CustomerField,
    value: serde_json::Value,
    hlc: Hlc,
) -> CustomerFieldChange {
    CustomerFieldChange {
        id: Uuid::now_v7(),
        customer_id: customer,
        hlc,
        device_id: Uuid::now_v7(),
        at: hlc.instant(),
        actor: "Nadia (Nantes)".into(),
        field,
        old: serde_json::Value::Null,
        value,
    }
}

fn env(c: &Change) -> ChangeEnvelope {
    c.to_envelope("NTE1").unwrap()
}

#[tokio::test]
async fn received_changes_apply_once_and_merge_last_writer_wins_per_field() {
    let (dir, store) = common::demo_store(30).await;
    let path = common::db_path(&dir);
    let id = store
        .create_customer(&walk_in(), "Julie", false, now())
        .await
        .unwrap();
    let outbox = store.outbox_len().await.unwrap();
    let at = |min: i64| Hlc::at(now() + Duration::minutes(min));

    // Another counter changed the last name later, and the e-mail earlier
    // than our own edit of it (made at +10 min).
    store
        .edit_customer(
            id,
            &CustomerPatch {
                emails: Some(vec!["ours@example.fr".into()]),
                ..CustomerPatch::default()
            },
            "Julie",
            false,
            now() + Duration::minutes(10),
        )
        .await
        .unwrap();
    let outbox = outbox + 1;
    let newer_name = env(&Change::CustomerField(field_change(
        id,
        CustomerField::LastName,
        json!("Lambertin-Roux"),
        at(20),
    )));
    let older_email = env(&Change::CustomerField(field_change(
        id,
        CustomerField::Emails,
        json!([{"id": Uuid::now_v7(), "value": "theirs@example.fr"}]),
        at(5),
    )));
    let n = store
        .apply_received(
            &[newer_name.clone(), older_email.clone()],
            now() + Duration::minutes(30),
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    let card = store.customer_card(id).await.unwrap();
    assert_eq!(
        card.customer.last_name, "Lambertin-Roux",
        "the later edit wins"
    );
    let emails: Vec<&str> = card
        .customer
        .contacts
        .iter()
        .filter(|k| k.kind == ContactKind::Email)
        .map(|k| k.value.as_str())
        .collect();
    assert_eq!(
        emails,
        vec!["ours@example.fr"],
        "an older edit does not overwrite"
    );
    assert_eq!(only_hit(&store, "lambertin roux").await.0, id);
    assert!(store
        .search("theirs@example.fr")
        .await
        .unwrap()
        .hits
        .is_empty());

    // The same changes again: a no-op, and received changes queue nothing.
    let before = counts(&path).await;
    assert_eq!(
        store
            .apply_received(&[older_email, newer_name], now() + Duration::minutes(31))
            .await
            .unwrap(),
        0
    );
    assert_eq!(counts(&path).await, before);
    assert_eq!(store.outbox_len().await.unwrap(), outbox);

    // A local edit after receiving comes after what was received.
    store
        .edit_customer(
            id,
            &CustomerPatch {
                last_name: Some("Lambertin".into()),
                ..CustomerPatch::default()
            },
            "Julie",
            false,
            now() + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!(
        store.customer_card(id).await.unwrap().customer.last_name,
        "Lambertin"
    );
}

#[tokio::test]
async fn a_customer_created_elsewhere_arrives_with_its_edits_in_any_order() {
    let (_dir, a) = common::demo_store(20).await;
    let id = a
        .create_customer(&walk_in(), "Julie", false, now())
        .await
        .unwrap();
    a.edit_customer(
        id,
        &CustomerPatch {
            address: Some(AddressInput {
                line1: "2 avenue Henri Barbusse".into(),
                line2: None,
                postal_code: "69100".into(),
                city: "Villeurbanne".into(),
                country: "FR".into(),
            }),
            ..CustomerPatch::default()
        },
        "Julie",
        false,
        now() + Duration::minutes(2),
    )
    .await
    .unwrap();
    let sent = a.outbox(10).await.unwrap();
    assert_eq!(sent.len(), 2);

    // A second counter (its own file) receives the edit before the creation.
    let dir_b = tempfile::tempdir().unwrap();
    let b = common::demo_store_at(&dir_b.path().join("b.sqlite"), 20, 7).await;
    let later = now() + Duration::minutes(10);
    assert_eq!(b.apply_received(&sent[1..], later).await.unwrap(), 1);
    assert_eq!(
        b.customer_card(id).await.unwrap_err().code(),
        "not_found",
        "an edit waits for its creation"
    );
    assert_eq!(b.apply_received(&sent[..1], later).await.unwrap(), 1);
    let card_a = a.customer_card(id).await.unwrap();
    let card_b = b.customer_card(id).await.unwrap();
    assert_eq!(
        card_a.customer, card_b.customer,
        "the same customer on both counters"
    );
    assert_eq!(card_b.customer.city, "Villeurbanne");
    assert_eq!(only_hit(&b, "06 98 76 54 32").await.0, id);
    assert_eq!(
        b.outbox_len().await.unwrap(),
        0,
        "received changes queue nothing"
    );

    // Bad received changes are named errors and write nothing.
    let mut no_name = sent[0].clone();
    no_name.id = Uuid::now_v7();
    no_name.payload["customer"]["first_name"] = json!("");
    no_name.payload["customer"]["last_name"] = json!("");
    let mut bad_value = sent[1].clone();
    bad_value.id = Uuid::now_v7();
    bad_value.payload["value"] = json!(42);
    let mut unknown_field = sent[1].clone();
    unknown_field.id = Uuid::now_v7();
    unknown_field.payload["field"] = json!("shoe_size");
    let mut future = sent[1].clone();
    future.id = Uuid::now_v7();
    future.hlc = Hlc::at(later + Duration::days(2)).to_string();
    for (e, code) in [
        (no_name, "customer_without_name"),
        (bad_value, "change_payload_invalid"),
        (unknown_field, "change_payload_invalid"),
        (future, "hlc_too_far_ahead"),
    ] {
        let err = b.apply_received(&[e], later).await.unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    assert_eq!(b.customer_card(id).await.unwrap().customer, card_b.customer);
}
