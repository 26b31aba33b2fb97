//! Makes `tests/fixtures/counter-v3.sqlite`: a counter database written by
//! the release before typed events (schema 3), through that release's own
//! code path — demo data, then a full scenario of every dossier action.
//! Run once, at the commit that adds it (see docs/ARCHITECTURE.md):
//! `cargo test -p comptoir-store --test make_v3_fixture -- --ignored`.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use comptoir_core::auth::ManagerApproval;
use comptoir_core::dossier::*;
use comptoir_core::ids::*;
use comptoir_core::policy::{DecisionChoice, Resolution as PolicyResolution, Severity};
use comptoir_core::workflow::DossierAction as A;
use comptoir_core::Cents;
use comptoir_demo::showcase;
use comptoir_store::Store;

fn now() -> DateTime<Utc> {
    common::as_of() + Duration::hours(1)
}

async fn line_of(store: &Store, order: &str) -> (CustomerId, OrderLineId) {
    let r = store.search(showcase::WEB_ORDER).await.unwrap();
    let customer = r.hits[0].customer_id;
    let card = store.customer_card(customer).await.unwrap();
    let o = card.orders.iter().find(|o| o.number == order).unwrap();
    (customer, o.lines[0].id)
}

fn intake(customer: CustomerId, line: Option<OrderLineId>, reason: &str) -> OpenDossierInput {
    OpenDossierInput {
        customer_id: customer,
        order_line_id: line,
        declared_product: line.is_none().then(|| "Grille-pain Moulinex".to_owned()),
        reason_code: reason.into(),
        customer_words: "Il ne marche plus depuis hier.".into(),
        condition: ItemCondition::Worn,
        condition_note: Some("Rayure sur le côté".into()),
        accessories: vec!["Câble".into(), "Notice".into()],
        serial_number: None,
        actor: "Julie Martin".into(),
        assignee: Some("Marc Petit".into()),
        sealed: false,
        severity: Severity::Critical,
        decision: None,
        approval: None,
    }
}

fn resolution(gesture: Option<i64>) -> Resolution {
    Resolution {
        summary: "Carte d'alimentation remplacée".into(),
        parts: vec!["Carte alim".into()],
        cost: Cents(4_500),
        gesture: gesture.map(|g| Gesture {
            description: "Bon d'achat".into(),
            amount: Cents(g),
        }),
        template: "closing.repaired".into(),
    }
}

#[tokio::test]
#[ignore = "makes the committed fixture; run by hand at the commit that adds it"]
async fn make_counter_v3_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counter-v3.sqlite");
    let store = common::demo_store_at(&path, 40, 42).await;
    let t = now();
    let (helene, robot) = line_of(&store, showcase::WEB_ORDER).await;
    let (_, tv) = line_of(&store, &showcase::tv_order_number(common::as_of())).await;

    // 1. The whole life: decision with a gesture at intake, workshop, a
    // wait for the customer (the deadline moves), closure, satisfaction.
    let mut i = intake(helene, Some(robot), "defect.no_power");
    i.decision = Some(DecisionChoice {
        resolution: PolicyResolution::Repair,
        gesture: None,
        note: Some("Réparation sous garantie légale".into()),
    });
    let a = store.open_dossier(&i, t).await.unwrap();
    store.add_note(a, "Julie Martin", "Client joignable le matin", t + Duration::minutes(5)).await.unwrap();
    store.dossier_action(a, A::Diagnose, "Marc Petit", Some("Carte HS"), t + Duration::hours(2)).await.unwrap();
    store.dossier_action(a, A::WaitCustomer, "Marc Petit", Some("Devis envoyé"), t + Duration::hours(3)).await.unwrap();
    store.dossier_action(a, A::Resume, "Marc Petit", None, t + Duration::hours(30)).await.unwrap();
    store.assign(a, Some("Léa Bernard"), "Marc Petit", t + Duration::hours(31)).await.unwrap();
    store.dossier_action(a, A::MarkReady, "Léa Bernard", None, t + Duration::hours(50)).await.unwrap();
    store.dossier_action(a, A::HandBack, "Léa Bernard", None, t + Duration::hours(60)).await.unwrap();
    store.close_dossier(a, &resolution(None), "Léa Bernard", 3, t + Duration::hours(61)).await.unwrap();
    store.record_satisfaction(a, 4, Some("Rapide, merci"), "Léa Bernard", t + Duration::hours(140)).await.unwrap();

    // 2. A decision approved by a manager after intake, then a new
    // decision, the dossier left waiting for a part.
    let mut ib = intake(helene, Some(tv), "withdrawal.changed_mind");
    ib.condition = ItemCondition::Good;
    let b = store.open_dossier(&ib, t + Duration::minutes(20)).await.unwrap();
    store
        .decide(
            b,
            &DecisionChoice { resolution: PolicyResolution::CreditNote, gesture: None, note: None },
            Some(&ManagerApproval { login: "sophie.r".into(), pin: "4826".into() }),
            "Julie Martin",
            t + Duration::minutes(25),
        )
        .await
        .unwrap();
    store.dossier_action(b, A::Diagnose, "Marc Petit", None, t + Duration::hours(1)).await.unwrap();
    store.dossier_action(b, A::WaitPart, "Marc Petit", None, t + Duration::hours(2)).await.unwrap();
    store.assign(b, None, "Marc Petit", t + Duration::hours(3)).await.unwrap();

    // 3. No purchase record, cancelled.
    let c = store.open_dossier(&intake(helene, None, "usage.setup_help"), t + Duration::minutes(40)).await.unwrap();
    store.dossier_action(c, A::Cancel, "Julie Martin", Some("Client parti"), t + Duration::hours(1)).await.unwrap();

    // 4. Still waiting for the customer (the wait is not over).
    let d = store.open_dossier(&intake(helene, Some(robot), "defect.noise"), t + Duration::minutes(50)).await.unwrap();
    store.dossier_action(d, A::Diagnose, "Marc Petit", None, t + Duration::hours(4)).await.unwrap();
    store.dossier_action(d, A::WaitCustomer, "Marc Petit", None, t + Duration::hours(5)).await.unwrap();

    // 5. Handed back, then reopened.
    let e = store.open_dossier(&intake(helene, Some(robot), "defect.display"), t + Duration::minutes(55)).await.unwrap();
    store.dossier_action(e, A::MarkReady, "Marc Petit", None, t + Duration::hours(6)).await.unwrap();
    store.dossier_action(e, A::HandBack, "Marc Petit", None, t + Duration::hours(7)).await.unwrap();
    store.dossier_action(e, A::Reopen, "Marc Petit", Some("Le défaut revient"), t + Duration::hours(30)).await.unwrap();

    store.close().await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/counter-v3.sqlite");
    let conn_path = path.display().to_string();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{conn_path}")).await.unwrap();
    let _ = std::fs::remove_file(&out);
    sqlx::query(&format!("VACUUM INTO '{}'", out.display())).execute(&pool).await.unwrap();
    pool.close().await;
    let _ = A::Close;
}
