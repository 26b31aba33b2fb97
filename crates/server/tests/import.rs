//! Web orders import (Shopify CSV, WooCommerce JSON), through the
//! authenticated endpoint and the real CLI, on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::process::Command;

use chrono::Utc;
use common::*;
use serde_json::Value;

const SHOPIFY: &str = include_str!("fixtures/shopify-orders.csv");

fn fixture(name: &str) -> std::path::PathBuf {
    // Read at run time (cargo sets it then too): a binary built in another
    // checkout sharing the target folder must not read that one's files.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
        .join("tests/fixtures")
        .join(name)
}

async fn post_body(c: &Client, path: &str, ct: &str, body: &str) -> (u16, Value) {
    let r = c
        .http
        .post(format!("{}{path}", c.base))
        .bearer_auth(c.token.as_deref().unwrap())
        .header("content-type", ct)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn outcomes(report: &Value) -> Vec<(u64, String, String, Option<String>)> {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line"].as_u64().unwrap(),
                l["number"].as_str().unwrap_or("").to_owned(),
                l["outcome"].as_str().unwrap().to_owned(),
                l["code"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn by_kind(changes: &[Value]) -> HashMap<String, Vec<Value>> {
    let mut m: HashMap<String, Vec<Value>> = HashMap::new();
    for c in changes {
        assert_eq!(c["scope"], "chain", "imports are chain-wide");
        m.entry(c["change"]["kind"].as_str().unwrap().to_owned())
            .or_default()
            .push(c["change"]["payload"].clone());
    }
    m
}

async fn web_orders(db: Db) {
    let storage = db.storage().await;
    let srv = serve(storage.clone(), test_settings()).await;
    let base = srv.url();
    storage
        .add_store("SIEGE", "Siège", true, Utc::now())
        .await
        .unwrap();
    let ho = enrol(storage.as_ref(), &base, "SIEGE").await;
    let shop = enrol(storage.as_ref(), &base, "LYO1").await;
    let ho_c = Client::with_token(&base, &ho.token);
    let shop_c = Client::with_token(&base, &shop.token);

    // A store's counter may not import.
    let (s, v) = post_body(&shop_c, "/v1/import/shopify-csv", "text/csv", SHOPIFY).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("head_office_only")),
        "{v}"
    );

    let (s, report) = post_body(&ho_c, "/v1/import/shopify-csv", "text/csv", SHOPIFY).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(
        outcomes(&report),
        vec![
            (2, "#1001".into(), "imported".into(), None),
            (5, "#1002".into(), "imported".into(), None),
            (6, "#1003".into(), "imported".into(), None),
            (
                7,
                "#1004".into(),
                "rejected".into(),
                Some("date_invalid".into())
            ),
            (
                9,
                "#1005".into(),
                "rejected".into(),
                Some("amount_invalid".into())
            ),
            (10, "#1006".into(), "imported".into(), None),
        ],
        "line numbers count the multi-line note: {report}"
    );
    assert!(report["lines"][3]["reason"]
        .as_str()
        .unwrap()
        .contains("02/10/2026"));
    let t = &report["totals"];
    assert_eq!(
        (t["imported"].as_u64(), t["rejected"].as_u64()),
        (Some(4), Some(2))
    );
    assert_eq!(
        t["customers_created"], 3,
        "#1003 is Hélène, matched by her phone written another way"
    );
    assert_eq!(t["products_created"], 7);

    // Every counter receives it, chain-wide.
    let (feed, cursor) = shop_c.pull_at_least(String::new(), 14).await;
    let kinds = by_kind(&feed);
    assert_eq!(kinds["order.imported"].len(), 4);
    assert_eq!(kinds["customer.imported"].len(), 3);
    assert_eq!(kinds["product.imported"].len(), 7);
    let orders: HashMap<&str, &Value> = kinds["order.imported"]
        .iter()
        .map(|o| (o["number"].as_str().unwrap(), o))
        .collect();
    assert_eq!(
        orders["#1003"]["customer_id"],
        orders["#1001"]["customer_id"]
    );
    assert_eq!(orders["#1001"]["total"], 134_800);
    assert_eq!(orders["#1001"]["channel"], "web");
    assert_eq!(orders["#1001"]["ordered_at"], "2026-10-02T12:31:07Z");
    assert_eq!(orders["#1006"]["lines"].as_array().unwrap().len(), 3);
    assert_eq!(orders["#1006"]["lines"][2]["quantity"], 3);
    let helene = kinds["customer.imported"]
        .iter()
        .find(|c| c["last_name"] == "Dupré")
        .unwrap();
    assert_eq!(
        helene["postal_code"], "69003",
        "the zip's apostrophe is dropped"
    );
    let coque = kinds["product.imported"]
        .iter()
        .find(|p| p["name"] == "Coque iPhone 15 transparente")
        .unwrap();
    assert_eq!(coque["category"], "produit web");
    assert!(coque["sku"].as_str().unwrap().starts_with("WEB-"));

    // The same file again changes nothing.
    let (s, again) = post_body(&ho_c, "/v1/import/shopify-csv", "text/csv", SHOPIFY).await;
    assert_eq!(s, 200);
    assert_eq!(again["totals"]["skipped"], 4, "{again}");
    assert_eq!(again["totals"]["imported"], 0);
    let (nothing, cursor) = shop_c.pull_all(cursor).await;
    assert!(nothing.is_empty(), "{nothing:?}");

    // A corrected order is updated and keeps its ids.
    let edited = SHOPIFY.replace("19.90,4.90,4.13,24.80", "19.90,5.90,4.30,25.80");
    assert_ne!(edited, SHOPIFY);
    let (s, upd) = post_body(&ho_c, "/v1/import/shopify-csv", "text/csv", &edited).await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            upd["totals"]["updated"].as_u64(),
            upd["totals"]["skipped"].as_u64()
        ),
        (Some(1), Some(3)),
        "{upd}"
    );
    let (news, cursor) = shop_c.pull_at_least(cursor, 1).await;
    assert_eq!(news.len(), 1);
    let o = &news[0]["change"]["payload"];
    assert_eq!(o["number"], "#1002");
    assert_eq!(o["total"], 2580);
    assert_eq!(o["id"], orders["#1002"]["id"]);
    assert_eq!(o["lines"][0]["id"], orders["#1002"]["lines"][0]["id"]);

    // Missing columns: refused whole, nothing stored.
    let broken = SHOPIFY.replacen("Lineitem sku", "SKU", 1);
    let (s, v) = post_body(&ho_c, "/v1/import/shopify-csv", "text/csv", &broken).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("import_columns_missing")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("Lineitem sku"));
    let (s, v) = post_body(
        &ho_c,
        "/v1/import/woocommerce-json",
        "application/json",
        "{\"orders\": []}",
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("import_format")), "{v}");
    let (nothing, cursor) = shop_c.pull_all(cursor).await;
    assert!(nothing.is_empty());

    // WooCommerce through the real CLI, on the same data.
    let out = Command::new(env!("CARGO_BIN_EXE_comptoir-server"))
        .args(["import", "woocommerce-json"])
        .arg(fixture("woocommerce-orders.json"))
        .args(db.cli_args())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let woo: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        outcomes(&woo),
        vec![
            (1, "4821".into(), "imported".into(), None),
            (2, "4822".into(), "imported".into(), None),
            (
                3,
                "4823".into(),
                "rejected".into(),
                Some("date_invalid".into())
            ),
            (
                4,
                "4824".into(),
                "rejected".into(),
                Some("amount_invalid".into())
            ),
        ],
        "{woo}"
    );
    assert_eq!(
        woo["totals"]["customers_created"], 1,
        "4821 is Hélène by e-mail"
    );
    let (feed, _) = shop_c.pull_at_least(cursor, 3).await;
    let kinds = by_kind(&feed);
    let w: HashMap<&str, &Value> = kinds["order.imported"]
        .iter()
        .map(|o| (o["number"].as_str().unwrap(), o))
        .collect();
    assert_eq!(w["4821"]["customer_id"], orders["#1001"]["customer_id"]);
    assert_eq!(w["4821"]["lines"][0]["unit_price"], 16_666);
    assert_eq!(w["4822"]["shipping"], 590);
    assert_eq!(w["4822"]["ordered_at"], "2026-10-06T17:02:11Z");
    // Completed on the 8th: one parcel of both lines, its receipt estimated
    // a week after the dispatch (the carrier's date is not in the export).
    let parcels = w["4822"]["shipments"].as_array().unwrap();
    assert_eq!(parcels.len(), 1, "{parcels:?}");
    assert_eq!(parcels[0]["shipped_at"], "2026-10-08T10:40:00Z");
    assert_eq!(parcels[0]["delivered_at"], "2026-10-15T10:40:00Z");
    assert_eq!(parcels[0]["delivery_estimated"], true);
    assert_eq!(
        parcels[0]["lines"].as_array().unwrap().len(),
        w["4822"]["lines"].as_array().unwrap().len()
    );
    assert!(
        w["4821"].get("shipments").is_none(),
        "an order still processing has no parcel: {}",
        w["4821"]
    );
    let out = Command::new(env!("CARGO_BIN_EXE_comptoir-server"))
        .args(["import", "woocommerce-json"])
        .arg(fixture("woocommerce-orders.json"))
        .args(db.cli_args())
        .output()
        .unwrap();
    let woo2: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(woo2["totals"]["skipped"], 2, "{woo2}");
    srv.shutdown().await.unwrap();
}
both!(web_orders);

/// A customer created at a counter and pushed is one head office's imports
/// match: a web order of the same e-mail (written another way) goes on that
/// customer's card, and no second customer is made; a change pushed twice
/// does not store the customer twice.
async fn an_import_matches_a_customer_made_at_a_counter(db: Db) {
    use comptoir_core::changes::{Change, CustomerCreated};
    use comptoir_core::ids::{ContactId, CustomerId};
    use comptoir_core::model::ContactKind;
    use comptoir_core::records::{ContactRecord, CustomerRecord};
    let storage = db.storage().await;
    let server = serve(storage.clone(), test_settings()).await;
    let lyon = enrol(&*storage, &server.url(), "LYO1").await;
    let now = Utc::now();
    let id = CustomerId::new();
    let created = Change::CustomerCreated(Box::new(CustomerCreated {
        id: uuid::Uuid::now_v7(),
        hlc: comptoir_core::hlc::Hlc::at(now),
        device_id: lyon.device_id,
        actor: "Julie M.".to_owned(),
        customer: CustomerRecord {
            id,
            title: None,
            first_name: "Hélène".to_owned(),
            last_name: "Dupré".to_owned(),
            address_line1: "12 rue Paul Bert".to_owned(),
            address_line2: None,
            postal_code: "69003".to_owned(),
            city: "Lyon".to_owned(),
            country: "FR".to_owned(),
            email_marketing: false,
            sms_marketing: false,
            consents_updated_at: None,
            created_at: now,
            updated_at: now,
            contacts: vec![ContactRecord {
                id: ContactId::new(),
                kind: ContactKind::Email,
                value: "Helene.Dupre@Example.fr".to_owned(),
                label: None,
                is_primary: true,
            }],
        },
    }))
    .to_envelope("LYO1")
    .unwrap();
    let c = Client::with_token(&server.url(), &lyon.token);
    for _ in 0..2 {
        let (s, v) = c.push(std::slice::from_ref(&created)).await;
        assert_eq!(s, 200, "{v}");
    }
    let report = comptoir_server::import::run(
        &*storage,
        comptoir_server::import::Source::ShopifyCsv,
        SHOPIFY.as_bytes(),
        comptoir_server::import::ImportOptions::default(),
    )
    .await
    .unwrap();
    let (feed, _) = c.pull_at_least(String::new(), 2).await;
    let order = feed
        .iter()
        .map(|f| &f["change"])
        .find(|ch| ch["kind"] == "order.imported" && ch["payload"]["number"] == "#1001")
        .expect("order #1001 in the feed");
    assert_eq!(
        order["payload"]["customer_id"].as_str().unwrap(),
        id.0.to_string(),
        "on the counter's customer"
    );
    let made: Vec<&Value> = feed
        .iter()
        .map(|f| &f["change"])
        .filter(|ch| ch["kind"] == "customer.imported")
        .filter(|ch| ch["payload"]["last_name"] == "Dupré")
        .collect();
    assert!(made.is_empty(), "no second Hélène Dupré: {made:?}");
    let totals = serde_json::to_value(&report).unwrap()["totals"].clone();
    assert!(totals["imported"].as_u64().unwrap() >= 1, "{totals}");
    server.shutdown().await.unwrap();
}
both!(an_import_matches_a_customer_made_at_a_counter);

/// The changes of the whole feed, by kind (their payloads), once it serves
/// at least `at_least` (on PostgreSQL the feed waits for every transaction
/// of the cluster still in flight, other tests' included).
async fn feed_by_kind(
    storage: &dyn comptoir_server::storage::Storage,
    at_least: usize,
) -> HashMap<String, Vec<Value>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let rows = storage
            .feed("LYO1", comptoir_server::storage::Cursor::default(), 100_000)
            .await
            .unwrap();
        if rows.len() >= at_least || std::time::Instant::now() > deadline {
            let mut m: HashMap<String, Vec<Value>> = HashMap::new();
            for r in rows {
                m.entry(r.envelope.kind.clone())
                    .or_default()
                    .push(r.envelope.payload);
            }
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn import_file(
    storage: &dyn comptoir_server::storage::Storage,
    source: comptoir_server::import::Source,
    bytes: &[u8],
) -> comptoir_server::import::ImportReport {
    comptoir_server::import::run(storage, source, bytes, Default::default())
        .await
        .unwrap()
}

/// More orders than one transaction holds (500 a chunk, each chunk's
/// customers, products and orders looked up at once): a customer and a
/// product made in one chunk are the ones the next chunks match — by
/// e-mail, and by a phone written another way —; the same file again
/// changes nothing; an order repeated in one file is imported, then updated
/// in place (one order, its ids kept).
async fn an_import_larger_than_a_transaction(db: Db) {
    use comptoir_server::import::Source;
    let storage = db.storage().await;
    let mut csv = String::from(
        "Name,Email,Financial Status,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Created at,\
         Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Address1,\
         Billing City,Billing Zip,Billing Country,Billing Phone,Payment Method\n",
    );
    let row = |n: usize, email: &str, phone: &str, c: usize| {
        format!(
            "#{n},{email},paid,no,EUR,24.50,0.00,4.08,24.50,2026-10-02 14:31:07 +0200,1,Câble HDMI {p},24.50,CAB-{p},\
             Client{c} Nom{c},12 rue Paul Bert,Lyon,'69003,FR,{phone},Shopify Payments\n",
            p = n % 30
        )
    };
    for i in 0..1_200 {
        let c = i % 400;
        csv.push_str(&row(
            20_000 + i,
            &format!("client{c}@example.fr"),
            &format!("06 12 34 {:02} {:02}", c / 100, c % 100),
            c,
        ));
    }
    // The last chunk: no e-mail, client 7's phone in international form.
    csv.push_str(&row(21_200, "", "+33 6 12 34 00 07", 7));
    let report = import_file(storage.as_ref(), Source::ShopifyCsv, csv.as_bytes()).await;
    let t = &report.totals;
    assert_eq!(
        (
            t.imported,
            t.rejected,
            t.customers_created,
            t.products_created
        ),
        (1_201, 0, 400, 30),
        "{t:?}"
    );
    let kinds = feed_by_kind(storage.as_ref(), 1_631).await;
    assert_eq!(kinds["order.imported"].len(), 1_201);
    assert_eq!(kinds["customer.imported"].len(), 400);
    assert_eq!(kinds["product.imported"].len(), 30);
    let orders: HashMap<&str, &Value> = kinds["order.imported"]
        .iter()
        .map(|o| (o["number"].as_str().unwrap(), o))
        .collect();
    for (a, b) in [
        ("#20007", "#20407"),
        ("#20007", "#20807"),
        ("#20207", "#21007"),
        ("#20007", "#21200"),
    ] {
        assert_eq!(
            orders[a]["customer_id"], orders[b]["customer_id"],
            "{a} and {b} are one customer's"
        );
    }
    assert_ne!(
        orders["#20007"]["customer_id"],
        orders["#20008"]["customer_id"]
    );
    assert_eq!(
        orders["#20001"]["lines"][0]["product_id"], orders["#21171"]["lines"][0]["product_id"],
        "CAB-21 made in the first chunk, matched in the third"
    );
    // Every customer and product the feed serves once, and each order
    // points at one the feed holds.
    let customers: std::collections::HashSet<&str> = kinds["customer.imported"]
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(customers.len(), 400);
    assert!(orders
        .values()
        .all(|o| customers.contains(o["customer_id"].as_str().unwrap())));

    let again = import_file(storage.as_ref(), Source::ShopifyCsv, csv.as_bytes()).await;
    assert_eq!((again.totals.skipped, again.totals.imported), (1_201, 0));

    // WooCommerce: order 4821 again at the end of the file, its address
    // corrected.
    let mut woo: Value =
        serde_json::from_slice(&std::fs::read(fixture("woocommerce-orders.json")).unwrap())
            .unwrap();
    let mut again = woo[0].clone();
    again["billing"]["address_1"] = "14 rue Paul Bert".into();
    woo.as_array_mut().unwrap().push(again);
    let bytes = serde_json::to_vec(&woo).unwrap();
    let report = import_file(storage.as_ref(), Source::WoocommerceJson, &bytes).await;
    let outcomes: Vec<(usize, comptoir_server::import::LineOutcome)> =
        report.lines.iter().map(|l| (l.line, l.outcome)).collect();
    use comptoir_server::import::LineOutcome::*;
    assert_eq!(
        outcomes,
        vec![
            (1, Imported),
            (2, Imported),
            (3, Rejected),
            (4, Rejected),
            (5, Updated)
        ]
    );
    let t = &report.totals;
    let expected = 1_631 + 3 + t.customers_created + t.products_created;
    let kinds = feed_by_kind(storage.as_ref(), expected).await;
    assert_eq!(
        kinds.values().map(Vec::len).sum::<usize>(),
        expected,
        "the Shopify file's second import wrote nothing, this one its 3 orders and what they made"
    );
    let twice: Vec<&Value> = kinds["order.imported"]
        .iter()
        .filter(|o| o["number"] == "4821")
        .collect();
    assert_eq!(twice.len(), 2);
    assert_eq!(twice[0]["id"], twice[1]["id"]);
    assert_eq!(twice[0]["lines"][0]["id"], twice[1]["lines"][0]["id"]);
}
both!(an_import_larger_than_a_transaction);
