//! Issue 13 on a real SQLite file: shipments and commercial warranties reach
//! the counter's case (withdrawal from the last parcel, L221-18; the brand's
//! warranty after the legal guarantee); bad input gets a named error and
//! writes nothing; the date the customer noticed the defect is taken.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use comptoir_core::dossier::*;
use comptoir_core::fulfilment::ShipmentRecord;
use comptoir_core::ids::*;
use comptoir_core::policy::{
    Basis, PolicyQuery, Resolution as PolicyResolution, Severity, WarrantyStart,
};
use comptoir_demo::showcase;
use comptoir_store::Store;

fn now() -> DateTime<Utc> {
    common::as_of() + Duration::hours(1)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn helene(store: &Store) -> CustomerId {
    store.search(showcase::WEB_ORDER).await.unwrap().hits[0].customer_id
}

async fn order(store: &Store, number: &str) -> comptoir_core::views::OrderView {
    let customer = helene(store).await;
    store
        .customer_card(customer)
        .await
        .unwrap()
        .orders
        .into_iter()
        .find(|o| o.number == number)
        .unwrap_or_else(|| panic!("order {number} on Hélène's card"))
}

fn query(customer: CustomerId, line: OrderLineId, reason: &str) -> PolicyQuery {
    PolicyQuery {
        customer_id: customer,
        order_line_id: Some(line),
        reason_code: reason.into(),
        condition: ItemCondition::Good,
        sealed: true,
        severity: Severity::Major,
        defect_noticed_on: None,
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn intake(customer: CustomerId, line: OrderLineId, noticed: Option<NaiveDate>) -> OpenDossierInput {
    OpenDossierInput {
        customer_id: customer,
        order_line_id: Some(line),
        declared_product: None,
        reason_code: "defect.no_power".into(),
        customer_words: "Le réfrigérateur ne refroidit plus.".into(),
        condition: ItemCondition::Good,
        condition_note: None,
        accessories: vec![],
        serial_number: None,
        actor: "Julie Martin".into(),
        assignee: None,
        sealed: false,
        severity: Severity::Major,
        defect_noticed_on: noticed,
        decision: None,
        approval: None,
    }
}

#[tokio::test]
async fn a_split_order_withdraws_from_its_last_parcel_and_the_card_shows_both() {
    let (_dir, store) = common::demo_store(50).await;
    let o = order(&store, showcase::SPLIT_ORDER).await;
    assert_eq!(o.shipments.len(), 2, "{:?}", o.shipments);
    // Delivered at 10:10 and 14:10 UTC: the same day in Paris.
    let paris = |s: &comptoir_core::fulfilment::ShipmentView| s.delivered_at.date_naive();
    assert_eq!(paris(&o.shipments[0]), d("2026-11-04"));
    assert_eq!(o.shipments[0].line_nos, vec![1]);
    assert_eq!(paris(&o.shipments[1]), d("2026-11-12"));
    assert_eq!(o.shipments[1].line_nos, vec![2]);

    // The kettle came on 2026-11-04: alone, its period would have ended on
    // 2026-11-18. L221-18: it runs from the last item, 2026-11-12, to
    // Thursday 2026-11-26; asked on 2026-11-23, the refund is the law's.
    let customer = helene(&store).await;
    let kettle = o.lines[0].id;
    let p = store
        .policy_preview(&query(customer, kettle, "withdrawal.changed_mind"), now())
        .await
        .unwrap();
    let dec = p.decision.expect("a decision");
    assert_eq!(dec.facts.delivery_date, d("2026-11-04"));
    assert_eq!(dec.facts.withdrawal_from, Some(d("2026-11-12")));
    assert_eq!(dec.facts.withdrawal_deadline, Some(d("2026-11-26")));
    let refund = dec.option(PolicyResolution::Refund);
    assert!(refund.allowed && refund.basis == Basis::Legal, "{refund:?}");
    // The kettle's conformity guarantee runs from its own delivery.
    assert_eq!(dec.facts.guarantee_end, d("2028-11-04"));
    let vacuum = store
        .policy_preview(&query(customer, o.lines[1].id, "defect.no_power"), now())
        .await
        .unwrap()
        .decision
        .expect("a decision");
    assert_eq!(vacuum.facts.guarantee_end, d("2028-11-12"));
}

#[tokio::test]
async fn the_brand_warranty_of_the_catalogue_reaches_the_case() {
    let (_dir, store) = common::demo_store(50).await;
    let fridge = order(&store, showcase::FRIDGE_ORDER).await;
    let customer = helene(&store).await;
    let p = store
        .policy_preview(
            &query(customer, fridge.lines[0].id, "defect.no_power"),
            now(),
        )
        .await
        .unwrap();
    let dec = p.decision.expect("a decision");
    assert!(!dec.facts.guarantee_active, "bought 2023-06-15: GLC over");
    assert_eq!(dec.facts.commercial_warranty_end, Some(d("2028-06-15")));
    let guarantor = dec.facts.commercial_warranty_guarantor.clone().unwrap();
    assert!(
        guarantor.starts_with("Garantie constructeur ")
            && guarantor.contains(&fridge.lines[0].product.brand),
        "{guarantor}"
    );
    let repair = dec.option(PolicyResolution::Repair);
    assert_eq!(
        repair.rule.as_deref(),
        Some("resolutions.commercial_warranty")
    );
    assert!(
        repair.explanation.contains("15/06/2028"),
        "{}",
        repair.explanation
    );

    // Changing the product's warranty in the catalogue changes the case;
    // 0 or 600 months are refused and nothing changes.
    let product = fridge.lines[0].product.id;
    for months in [0, 600] {
        let e = store
            .set_product_warranty(product, months, WarrantyStart::Delivery, "Samsung")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "commercial_warranty_months");
        assert!(
            e.message_fr().contains(&format!("{months} mois")),
            "{}",
            e.message_fr()
        );
    }
    let again = store
        .policy_preview(
            &query(customer, fridge.lines[0].id, "defect.no_power"),
            now(),
        )
        .await
        .unwrap()
        .decision
        .unwrap();
    assert_eq!(
        again.facts.commercial_warranty_end,
        Some(d("2028-06-15")),
        "unchanged"
    );
    store
        .set_product_warranty(product, 36, WarrantyStart::Delivery, "Garantie Comptoir+")
        .await
        .unwrap();
    let shorter = store
        .policy_preview(
            &query(customer, fridge.lines[0].id, "defect.no_power"),
            now(),
        )
        .await
        .unwrap()
        .decision
        .unwrap();
    assert_eq!(shorter.facts.commercial_warranty_end, Some(d("2026-06-15")));
    assert_eq!(
        shorter.option(PolicyResolution::Repair).rule.as_deref(),
        Some("resolutions.out_of_guarantee")
    );
}

#[tokio::test]
async fn bad_shipments_are_refused_by_name_and_write_nothing() {
    let (_dir, store) = common::demo_store(50).await;
    let split = order(&store, showcase::SPLIT_ORDER).await;
    let web = order(&store, showcase::WEB_ORDER).await;
    let fridge = order(&store, showcase::FRIDGE_ORDER).await;
    let at = Utc.with_ymd_and_hms(2026, 10, 6, 9, 0, 0).unwrap();
    let ship = |order: OrderId, lines: Vec<OrderLineId>| ShipmentRecord {
        id: ShipmentId::new(),
        order_id: order,
        delivered_at: at,
        carrier: None,
        tracking: Some("6A99".into()),
        lines,
        shipped_at: None,
        delivery_estimated: false,
    };
    let (shipments, links) = (
        count(&store, "shipments").await,
        count(&store, "shipment_lines").await,
    );
    let cases = [
        (
            vec![
                ship(web.id, web.lines.iter().map(|l| l.id).collect()),
                ship(web.id, vec![]),
            ],
            "shipment_without_lines",
        ),
        (
            vec![
                ship(web.id, vec![web.lines[0].id]),
                ship(web.id, vec![web.lines[0].id]),
            ],
            "line_in_two_shipments",
        ),
        // Already in one of the split order's parcels.
        (
            vec![ship(split.id, vec![split.lines[0].id])],
            "line_in_two_shipments",
        ),
        (
            vec![ship(web.id, vec![fridge.lines[0].id])],
            "shipment_line_not_in_order",
        ),
    ];
    for (batch, code) in cases {
        let e = store.record_shipments(&batch).await.unwrap_err();
        assert_eq!(e.code(), code);
        assert!(
            e.message_fr().contains("rien n'a été enregistré"),
            "{}",
            e.message_fr()
        );
        assert_eq!(
            count(&store, "shipments").await,
            shipments,
            "{code}: nothing written"
        );
        assert_eq!(
            count(&store, "shipment_lines").await,
            links,
            "{code}: nothing written"
        );
    }
    // A good one is written.
    store
        .record_shipments(&[ship(web.id, vec![web.lines[0].id])])
        .await
        .unwrap();
    assert_eq!(count(&store, "shipments").await, shipments + 1);
    assert_eq!(order(&store, showcase::WEB_ORDER).await.shipments.len(), 1);
}

#[tokio::test]
async fn the_date_the_defect_was_noticed_is_checked_and_taken() {
    let (_dir, store) = common::demo_store(50).await;
    let customer = helene(&store).await;
    let fridge = order(&store, showcase::FRIDGE_ORDER).await;
    let line = fridge.lines[0].id;
    let dossiers = count(&store, "dossiers").await;
    // After the request (today, 2026-11-23) or before the delivery
    // (2023-06-15): refused, nothing written.
    for (noticed, code) in [
        ("2026-11-24", "defect_noticed_after_request"),
        ("2023-06-14", "defect_noticed_before_delivery"),
    ] {
        let e = store
            .open_dossier(&intake(customer, line, Some(d(noticed))), now())
            .await
            .unwrap_err();
        assert_eq!(e.code(), code, "{noticed}");
        assert_eq!(
            count(&store, "dossiers").await,
            dossiers,
            "{noticed}: nothing written"
        );
    }
    // Noticed on 2026-11-02: the hidden-defect limit runs from it.
    let id = store
        .open_dossier(&intake(customer, line, Some(d("2026-11-02"))), now())
        .await
        .unwrap();
    let dec = store
        .dossier_policy(id, now())
        .await
        .unwrap()
        .decision
        .unwrap();
    assert_eq!(dec.facts.defect_noticed_date, d("2026-11-02"));
    assert_eq!(dec.facts.hidden_defect_deadline, d("2028-11-02"));
    // The preview takes it too.
    let q = PolicyQuery {
        defect_noticed_on: Some(d("2026-10-30")),
        ..query(customer, line, "defect.no_power")
    };
    let p = store
        .policy_preview(&q, now())
        .await
        .unwrap()
        .decision
        .unwrap();
    assert_eq!(p.facts.hidden_defect_deadline, d("2028-10-30"));
}
