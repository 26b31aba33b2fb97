//! Dossiers opened online (the web shop) and by phone (customer service)
//! through the real server's endpoints, on SQLite and PostgreSQL: numbered
//! by head office, refused with a JSON error when they cannot be applied
//! (nothing stored, no number taken), and found at the counter — on the
//! imported customer's card, who is here under the counter's own id —
//! with the note customer service adds later.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::time::Duration;

use chrono::Utc;
use common::{Client, Db};
use comptoir_client::sync_once;
use comptoir_core::model::{DossierOrigin, DossierStatus};
use comptoir_core::views::DirectHit;
use comptoir_demo::showcase;
use comptoir_store::Store;
use serde_json::{json, Value};

const SHOPIFY: &[u8] = include_bytes!("../../server/tests/fixtures/shopify-orders.csv");

/// Syncs until the dossier numbered `number` is at the counter.
async fn dossier_at(store: &Store, number: &str) -> comptoir_core::views::DossierDetail {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        sync_once(store, &mut |_| {}).await.unwrap();
        if let Some(DirectHit::Dossier { dossier_id, .. }) =
            store.search(number).await.unwrap().direct
        {
            return store.dossier_detail(dossier_id).await.unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "{number} never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn feed_len(c: &Client) -> usize {
    c.pull_all(String::new()).await.0.len()
}

async fn online_dossiers(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let storage = db.storage().await;
    let server = common::serve(storage.clone(), common::test_settings()).await;
    let url = server.url();
    storage
        .add_store("SIEGE", "Siège", true, Utc::now())
        .await
        .unwrap();
    let ho = common::enrol(storage.as_ref(), &url, "SIEGE").await;
    let ho = Client::with_token(&url, &ho.token);
    let lyon = support::counter(dir.path(), "LYO1", 40).await;
    let shop_token = support::enrolled(&*storage, &url, &lyon, "LYO1").await;
    let shop = Client::with_token(&url, &shop_token);

    // Head office imports the web orders: Hélène (#1001) is a customer it
    // knows; at Lyon she is the demo's Hélène, under Lyon's own id.
    let report = comptoir_server::import::run(
        &*storage,
        comptoir_server::import::Source::ShopifyCsv,
        SHOPIFY,
        Default::default(),
    )
    .await
    .unwrap();
    assert!(report.totals.imported > 0);
    let (feed, _) = ho.pull_at_least(String::new(), 1).await;
    let order = feed
        .iter()
        .map(|c| &c["change"]["payload"])
        .find(|p| p["number"] == "#1001")
        .cloned()
        .unwrap();
    let helene = order["customer_id"].as_str().unwrap().to_owned();
    let line = order["lines"][0]["id"].as_str().unwrap().to_owned();
    let before = feed_len(&ho).await;

    // Refusals: each a JSON error, nothing stored, no number taken.
    let good = json!({
        "channel": "web",
        "customer_id": helene,
        "order_line_id": line,
        "reason_code": "defect.display",
        "customer_words": "Des lignes verticales sur l'écran depuis hier.",
        "opened_by": "Site web — formulaire SAV",
    });
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("a counter", good.clone(), 403, "head_office_only"),
        (
            "unknown reason",
            with("reason_code", json!("defect.unknown")),
            422,
            "dossier_invalid",
        ),
        (
            "nobody opened it",
            with("opened_by", json!("  ")),
            422,
            "dossier_invalid",
        ),
        (
            "unknown customer",
            with("customer_id", json!(uuid::Uuid::now_v7())),
            404,
            "customer_unknown",
        ),
        (
            "unknown line",
            with("order_line_id", json!(uuid::Uuid::now_v7())),
            422,
            "dossier_invalid",
        ),
        (
            "no line, no product",
            with("order_line_id", Value::Null),
            422,
            "dossier_invalid",
        ),
        (
            "an unknown field",
            with("priority", json!("haute")),
            400,
            "bad_json",
        ),
        (
            "noticed tomorrow",
            with(
                "defect_noticed_on",
                json!((Utc::now().date_naive() + chrono::Days::new(2)).to_string()),
            ),
            422,
            "dossier_invalid",
        ),
    ];
    for (what, body, status, code) in cases {
        let client = if what == "a counter" { &shop } else { &ho };
        let (s, v) = client.post_json("/v1/dossiers", &body).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{what}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }
    assert_eq!(feed_len(&ho).await, before, "nothing stored");

    // The web shop opens one, customer service another: numbered by head
    // office, one series each, from 1 (no number went to a refusal).
    let (s, web) = ho.post_json("/v1/dossiers", &good).await;
    assert_eq!(s, 200, "{web}");
    let year = Utc::now().format("%Y").to_string();
    assert_eq!(web["number"], format!("SAV-WEB-{year}-H000001"));
    let phone_body = json!({
        "channel": "phone",
        "customer_id": helene,
        "product_label": "Casque Bluetooth acheté sur une marketplace",
        "reason_code": "defect.battery",
        "opened_by": "Service client — Inès B.",
    });
    let (s, tel) = ho.post_json("/v1/dossiers", &phone_body).await;
    assert_eq!(s, 200, "{tel}");
    assert_eq!(tel["number"], format!("SAV-TEL-{year}-H000001"));
    let (_, web2) = ho.post_json("/v1/dossiers", &good).await;
    assert_eq!(web2["number"], format!("SAV-WEB-{year}-H000002"));

    // Twenty opened at once through two server instances (two pools on the
    // same database): twenty numbers, none given twice, none skipped.
    let second = common::serve(db.storage().await, common::test_settings()).await;
    let token = ho.token.clone().unwrap();
    let second_url = second.url();
    let mut racing = Vec::new();
    for i in 0..20 {
        let c = Client::with_token(if i % 2 == 0 { &url } else { &second_url }, &token);
        let body = phone_body.clone();
        racing.push(tokio::spawn(async move {
            c.post_json("/v1/dossiers", &body).await
        }));
    }
    let mut numbers = Vec::new();
    for r in racing {
        let (s, v) = r.await.unwrap();
        assert_eq!(s, 200, "{v}");
        numbers.push(v["number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let expected: Vec<String> = (2..22).map(|n| format!("SAV-TEL-{year}-H{n:06}")).collect();
    assert_eq!(numbers, expected);
    second.shutdown().await.unwrap();

    // A note from customer service; refusals for a dossier head office does
    // not know and for an empty text.
    let web_id = web["dossier_id"].as_str().unwrap();
    let note = json!({"kind": "customer_message", "text": "La cliente passera au magasin de Lyon samedi.", "actor": "Service client — Inès B."});
    let (s, v) = ho
        .post_json(&format!("/v1/dossiers/{web_id}/events"), &note)
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = ho
        .post_json(
            &format!("/v1/dossiers/{}/events", uuid::Uuid::now_v7()),
            &note,
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (404, Some("dossier_unknown")));
    let (s, v) = ho
        .post_json(
            &format!("/v1/dossiers/{web_id}/events"),
            &json!({"kind": "note", "text": "   ", "actor": "Inès"}),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("dossier_invalid")));
    let (s, v) = ho.post_json("/v1/dossiers/pas-un-uuid/events", &note).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("bad_query")), "{v}");

    // A counter may not use head office's series: Lyon's own opening,
    // renumbered SAV-WEB-…-H…, is refused alone and stored nowhere.
    let (c, l) = support::helene(&lyon).await;
    lyon.open_dossier(&support::intake(c, l), Utc::now())
        .await
        .unwrap();
    let mut forged = lyon.outbox(10).await.unwrap().pop().unwrap();
    forged.payload["event"]["number"] = json!(format!("SAV-WEB-{year}-H000099"));
    let (s, v) = shop.push(&[forged]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["outcome"], "rejected", "{v}");
    assert_eq!(v["results"][0]["code"], "number_reserved", "{v}");

    // At Lyon: the dossier is on Hélène's card — the demo's Hélène, by her
    // e-mail — opened online, with the customer's words and the message.
    let number = web["number"].as_str().unwrap();
    let detail = dossier_at(&lyon, number).await;
    assert_eq!(detail.dossier.origin, DossierOrigin::Web);
    assert_eq!(detail.dossier.status, DossierStatus::Opened);
    let local_helene = lyon
        .search(showcase::HELENE_LYON_EMAIL)
        .await
        .unwrap()
        .hits
        .first()
        .unwrap()
        .customer_id;
    assert_eq!(detail.customer.id, local_helene, "the counter's Hélène");
    let card = lyon.customer_card(local_helene).await.unwrap();
    assert!(
        card.dossiers.iter().any(|d| d.number == number),
        "{:?}",
        card.dossiers.iter().map(|d| &d.number).collect::<Vec<_>>()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let d = lyon.dossier_detail(detail.dossier.id).await.unwrap();
        if d.dossier.events.iter().any(|e| {
            e.note
                .as_deref()
                .is_some_and(|n| n.contains("passera au magasin de Lyon"))
        }) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the message never came"
        );
        sync_once(&lyon, &mut |_| {}).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let tel = dossier_at(&lyon, tel["number"].as_str().unwrap()).await;
    assert_eq!(tel.dossier.origin, DossierOrigin::Phone);
    assert_eq!(
        lyon.verify_integrity().await.map_err(|e| e.to_string()),
        Ok(())
    );
    server.shutdown().await.unwrap();
}

both!(online_dossiers);
