//! Web orders with their fulfilment data, from head office's import to the
//! counter through the real server: the parcels on the customer card,
//! flagged as estimated receipts, and the withdrawal period (L221-18)
//! counted from the estimated receipt of the order's last item — never
//! after the day the customer stands at the counter, and not begun while a
//! line has not left.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod support;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use comptoir_client::sync_once;
use comptoir_core::dossier::ItemCondition;
use comptoir_core::policy::{PolicyQuery, Severity};
use comptoir_core::views::{CustomerCard, OrderView};
use comptoir_server::import::{self, ImportOptions, Source};
use comptoir_server::settings::Settings;
use comptoir_store::Store;

const SHOPIFY: &str = include_str!("../../server/tests/fixtures/shopify-fulfilled.csv");
const WOOCOMMERCE: &str = include_str!("../../server/tests/fixtures/woocommerce-shipped.json");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Three SKUs of the counter's catalogue the policy covers ("TV et son").
async fn catalogue_skus(store: &Store) -> Vec<String> {
    let url = format!("sqlite://{}?mode=ro", store.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let skus: Vec<String> = sqlx::query_scalar(
        "SELECT sku FROM products WHERE category = 'TV et son' AND sold_as = 'new'
         ORDER BY sku LIMIT 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(skus.len(), 3);
    skus
}

async fn card_of(store: &Store, email: &str) -> CustomerCard {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        sync_once(store, &mut |_| {}).await.unwrap();
        let hits = store.search(email).await.unwrap().hits;
        if let Some(h) = hits.first() {
            return store.customer_card(h.customer_id).await.unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "{email} never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn order<'a>(card: &'a CustomerCard, number: &str) -> &'a OrderView {
    card.orders
        .iter()
        .find(|o| o.number == number)
        .unwrap_or_else(|| panic!("{number} not on the card"))
}

/// The legal withdrawal facts of a line for a change of mind, asked `on`.
async fn withdrawal(
    store: &Store,
    card: &CustomerCard,
    line: comptoir_core::ids::OrderLineId,
    on: DateTime<Utc>,
) -> (Option<NaiveDate>, Option<NaiveDate>, bool) {
    let q = PolicyQuery {
        customer_id: card.customer.id,
        order_line_id: Some(line),
        reason_code: "withdrawal.changed_mind".into(),
        condition: ItemCondition::Good,
        sealed: true,
        severity: Severity::Major,
        defect_noticed_on: None,
    };
    let p = store.policy_preview(&q, on).await.unwrap();
    let f = p
        .decision
        .unwrap_or_else(|| panic!("{:?}", p.unavailable))
        .facts;
    (f.withdrawal_from, f.withdrawal_deadline, f.withdrawal_open)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_parcels_reach_the_counter_and_the_withdrawal_runs_from_their_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, server) = support::server(dir.path(), "central", Settings::default()).await;
    let lyon = support::counter(dir.path(), "LYO1", 30).await;
    support::enrolled(&*storage, &server.url(), &lyon, "LYO1").await;
    // Paris syncs only once both imports are done: its page holds both
    // versions of #2002.
    let paris = support::counter(dir.path(), "PAR1", 30).await;
    support::enrolled(&*storage, &server.url(), &paris, "PAR1").await;
    let skus = catalogue_skus(&lyon).await;
    let with_skus = |text: &str| {
        text.replace("SKU-TV", &skus[0])
            .replace("SKU-WALL", &skus[1])
            .replace("SKU-HEAD", &skus[2])
            .replace("SKU-JACK", &skus[2])
    };
    let options = ImportOptions { transit_days: 7 };

    let report = import::run(
        &*storage,
        Source::ShopifyCsv,
        with_skus(SHOPIFY).as_bytes(),
        options,
    )
    .await
    .unwrap();
    assert_eq!(
        (report.totals.imported, report.totals.rejected),
        (3, 2),
        "{report:?}"
    );

    let lucie = card_of(&lyon, "lucie.martin@example.org").await;
    // #2001 left on 3 October at 10:15 (Paris): received by the 10th at the
    // latest, flagged as an estimate.
    let whole = order(&lucie, "#2001");
    assert_eq!(whole.shipments.len(), 1);
    let parcel = &whole.shipments[0];
    assert!(parcel.delivery_estimated);
    assert_eq!(parcel.shipped_at, Some(utc("2026-10-03T08:15:22Z")));
    assert_eq!(parcel.delivered_at, utc("2026-10-10T08:15:22Z"));
    assert_eq!(parcel.line_nos, vec![1]);
    assert_eq!(
        parcel.carrier.as_deref(),
        Some("Colissimo - Livraison à domicile")
    );
    // #2002: the television left, the wall bracket did not.
    let partial = order(&lucie, "#2002");
    assert_eq!(partial.lines.len(), 2);
    assert_eq!(partial.shipments.len(), 1);
    assert_eq!(partial.shipments[0].line_nos, vec![1]);

    // L221-18 from the receipt: 10 October + 14 days is Saturday the 24th,
    // moved to Monday the 26th (L221-19).
    let line = whole.lines[0].id;
    let late_october = Utc.with_ymd_and_hms(2026, 10, 20, 9, 0, 0).unwrap();
    assert_eq!(
        withdrawal(&lyon, &lucie, line, late_october).await,
        (Some(d("2026-10-10")), Some(d("2026-10-26")), true)
    );
    let after = Utc.with_ymd_and_hms(2026, 10, 27, 9, 0, 0).unwrap();
    assert!(!withdrawal(&lyon, &lucie, line, after).await.2);
    // The customer is here on the 8th with the product: it was received by
    // then, whatever the estimate said.
    let early = Utc.with_ymd_and_hms(2026, 10, 8, 9, 0, 0).unwrap();
    assert_eq!(
        withdrawal(&lyon, &lucie, line, early).await.0,
        Some(d("2026-10-08"))
    );
    // #2002's last item has not left: the period has not begun, so it runs
    // from the day of the request at the earliest, even a month on.
    let november = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    assert_eq!(
        withdrawal(&lyon, &lucie, partial.lines[0].id, november).await,
        (Some(d("2026-11-20")), Some(d("2026-12-04")), true)
    );

    // The bracket leaves: the export says so, the import updates the order
    // and the counter replaces its parcels.
    let shipped = with_skus(SHOPIFY).replace(
        &format!(
            "1,Support mural orientable,34.99,,{},true,true,pending",
            skus[1]
        ),
        &format!(
            "1,Support mural orientable,34.99,,{},true,true,fulfilled",
            skus[1]
        ),
    );
    let again = import::run(&*storage, Source::ShopifyCsv, shipped.as_bytes(), options)
        .await
        .unwrap();
    assert_eq!(
        (again.totals.updated, again.totals.skipped),
        (1, 2),
        "{again:?}"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let partial = loop {
        sync_once(&lyon, &mut |_| {}).await.unwrap();
        let card = lyon.customer_card(lucie.customer.id).await.unwrap();
        let o = order(&card, "#2002").clone();
        if o.shipments.first().map(|s| s.line_nos.len()) == Some(2) {
            break o;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the update never came"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(partial.shipments.len(), 1, "replaced, not added");
    let at_paris = card_of(&paris, "lucie.martin@example.org").await;
    let both = order(&at_paris, "#2002");
    assert_eq!(both.shipments.len(), 1, "the later version only");
    assert_eq!(both.shipments[0].line_nos, vec![1, 2]);

    // WooCommerce: Advanced Shipment Tracking's two parcels, one per line;
    // the withdrawal runs from the last one's receipt (9 + 7 = 16 October).
    let report = import::run(
        &*storage,
        Source::WoocommerceJson,
        with_skus(WOOCOMMERCE).as_bytes(),
        options,
    )
    .await
    .unwrap();
    assert_eq!(
        (report.totals.imported, report.totals.rejected),
        (3, 2),
        "{report:?}"
    );
    let marc = card_of(&lyon, "marc.lefevre@example.org").await;
    let split = order(&marc, "5002");
    let parcels: Vec<(DateTime<Utc>, Option<&str>, Vec<u32>)> = split
        .shipments
        .iter()
        .map(|s| (s.delivered_at, s.carrier.as_deref(), s.line_nos.clone()))
        .collect();
    assert_eq!(
        parcels,
        vec![
            (utc("2026-10-11T00:00:00Z"), Some("colissimo"), vec![1]),
            (utc("2026-10-16T00:00:00Z"), Some("dpd"), vec![2]),
        ]
    );
    let (from, deadline, open) = withdrawal(&lyon, &marc, split.lines[0].id, late_october).await;
    assert_eq!(
        (from, deadline, open),
        (Some(d("2026-10-16")), Some(d("2026-10-30")), true),
        "the first parcel's line counts from the last parcel"
    );
    server.shutdown().await.unwrap();
}
