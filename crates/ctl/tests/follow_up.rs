//! `comptoir-ctl signals` and `comptoir-ctl follow-up` as processes on a
//! real demo file: a dossier closed four days ago (through the store's own
//! write path) is due for its follow-up call, shows as a weak signal, and
//! each outcome given on the command line moves it; bad input gets a JSON
//! error with a French message and writes nothing.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;
use common::{ctl, err_json, ok_json};

use chrono::{Duration, Utc};
use comptoir_core::dossier::{ItemCondition, OpenDossierInput, Resolution};
use comptoir_core::ids::{CustomerId, OrderLineId};
use comptoir_core::policy::Severity;
use comptoir_core::Cents;
use comptoir_store::{OpenMode, Store};
use serde_json::Value;

/// A demo file, and one dossier opened five days ago and closed four days
/// ago (its follow-up call due yesterday, D+3), of a customer without any
/// other dossier. Returns the file, the dossier's number and the customer.
async fn setup(dir: &std::path::Path) -> (String, String, String) {
    let db = dir.join("demo.sqlite").display().to_string();
    ok_json(&ctl(&["demo-data", "--customers", "80", "--db", &db]));
    let store = Store::open(std::path::Path::new(&db), OpenMode::MustExist)
        .await
        .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
        .await
        .unwrap();
    let (customer, line): (Vec<u8>, Vec<u8>) = sqlx::query_as(
        "SELECT o.customer_id, l.id FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.customer_id = o.customer_id)
         ORDER BY l.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    let customer = CustomerId(uuid::Uuid::from_slice(&customer).unwrap());
    let line = OrderLineId(uuid::Uuid::from_slice(&line).unwrap());
    let intake = OpenDossierInput {
        customer_id: customer,
        order_line_id: Some(line),
        declared_product: None,
        reason_code: "usage.setup_help".into(),
        customer_words: "Je n'arrive pas à le régler.".into(),
        condition: ItemCondition::Good,
        condition_note: None,
        accessories: vec![],
        serial_number: None,
        actor: "Julie Martin".into(),
        assignee: None,
        sealed: false,
        severity: Severity::Minor,
        defect_noticed_on: None,
        decision: None,
        approval: None,
    };
    let opened = Utc::now() - Duration::days(5);
    let id = store.open_dossier(&intake, opened).await.unwrap();
    let resolution = Resolution {
        summary: "Réglage expliqué".into(),
        parts: vec![],
        cost: Cents(0),
        gesture: None,
        template: "closing.repaired".into(),
    };
    store
        .close_dossier(
            id,
            &resolution,
            "Julie Martin",
            3,
            opened + Duration::days(1),
        )
        .await
        .unwrap();
    let number = store.dossier_detail(id).await.unwrap().dossier.number;
    store.close().await;
    (db, number, customer.to_string())
}

#[tokio::test]
async fn signals_and_the_follow_up_queue_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, number, customer) = setup(dir.path()).await;

    // The queue holds it, with why.
    let queue = ok_json(&ctl(&["follow-up", "list", "--db", &db]));
    let item = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == number.as_str())
        .unwrap_or_else(|| panic!("{number} not in {queue:#}"))
        .clone();
    assert_eq!(item["reason"], "after_closure");
    assert_eq!(item["customer_id"], customer.as_str());
    assert!(
        item["why"]
            .as_str()
            .unwrap()
            .starts_with("Appel de suivi prévu le "),
        "{item:#}"
    );

    // The weak signals: the store's list and the customer's card.
    let list = ok_json(&ctl(&["signals", "--db", &db]));
    assert_eq!(list["thresholds"]["repeat_dossiers"], 3);
    let signals = list["signals"].as_array().unwrap();
    assert!(signals
        .iter()
        .any(|s| s["kind"] == "follow_up_due" && s["target"]["number"] == number.as_str()));
    let card = ok_json(&ctl(&["signals", "--db", &db, "--customer", &customer]));
    let kinds: Vec<&str> = card
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["follow_up_due"], "{card:#}");
    assert!(card[0]["sentence"]
        .as_str()
        .unwrap()
        .starts_with(&format!("Appel de suivi de {number} à faire depuis le ")));
    let short = ok_json(&ctl(&["signals", "--db", &db, "--limit", "1"]));
    assert_eq!(short["signals"].as_array().unwrap().len(), 1);
    assert_eq!(short["total"], list["total"]);

    // Bad input: JSON errors in French, nothing written.
    let yesterday = (Utc::now() - Duration::days(2)).date_naive().to_string();
    let e = err_json(&ctl(&[
        "follow-up",
        "record",
        "--db",
        &db,
        &number,
        "--outcome",
        "call-back",
        "--on",
        &yesterday,
        "--actor",
        "Julie Martin",
    ]));
    assert_eq!(e["code"], "call_back_in_past");
    assert!(e["message"].as_str().unwrap().contains("déjà passé"));
    let e = err_json(&ctl(&[
        "follow-up",
        "record",
        "--db",
        &db,
        &number,
        "--outcome",
        "call-back",
        "--actor",
        "Julie Martin",
    ]));
    assert_eq!(e["code"], "missing_field");
    let e = err_json(&ctl(&[
        "follow-up",
        "record",
        "--db",
        &db,
        "SAV-LYO1-2026-Z99999",
        "--outcome",
        "reached",
        "--actor",
        "Julie Martin",
    ]));
    assert_eq!(e["code"], "not_found");
    let e = err_json(&ctl(&["signals", "--db", &db, "--customer", "pas-un-id"]));
    assert_eq!(e["code"], "invalid_id");
    let queue_again = ok_json(&ctl(&["follow-up", "list", "--db", &db]));
    assert_eq!(queue_again, queue);

    // No answer: back in the queue at the next working day's opening.
    let r = ok_json(&ctl(&[
        "follow-up",
        "record",
        "--db",
        &db,
        &number,
        "--outcome",
        "no-answer",
        "--note",
        "Messagerie.",
        "--actor",
        "Julie Martin",
    ]));
    assert_eq!(r["reason"], "after_closure");
    assert!(
        r["note"].as_str().unwrap().contains("essai 1 sur 3"),
        "{r:#}"
    );
    let next = r["next_call_at"].as_str().unwrap();
    let next_at: chrono::DateTime<Utc> = next.parse().unwrap();
    assert!(next_at > Utc::now());
    let queue = ok_json(&ctl(&["follow-up", "list", "--db", &db]));
    assert!(!queue
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["number"] == number.as_str()));
    let later = (next_at + Duration::minutes(1)).to_rfc3339();
    let queue = ok_json(&ctl(&["follow-up", "list", "--db", &db, "--now", &later]));
    let item = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == number.as_str())
        .unwrap();
    assert_eq!(item["no_answers"], 1);

    // Reached: out of the queue for good; recording again is refused.
    let r = ok_json(&ctl(&[
        "follow-up",
        "record",
        "--db",
        &db,
        &number,
        "--outcome",
        "reached",
        "--actor",
        "Julie Martin",
    ]));
    assert_eq!(r["next_call_at"], Value::Null);
    let queue = ok_json(&ctl(&["follow-up", "list", "--db", &db, "--now", &later]));
    assert!(!queue
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["number"] == number.as_str()));
    let e = err_json(&ctl(&[
        "follow-up",
        "record",
        "--db",
        &db,
        &number,
        "--outcome",
        "reached",
        "--actor",
        "Julie Martin",
    ]));
    assert_eq!(e["code"], "nothing_to_follow_up");
    assert!(e["message"].as_str().unwrap().contains(&number));
    // The rows are still the fold of their events.
    ok_json(&ctl(&["dossier", "verify", "--db", &db]));
}
