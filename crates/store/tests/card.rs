//! The customer card against a real SQLite file.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use comptoir_core::ids::CustomerId;
use comptoir_core::model::{Channel, DossierOrigin, DossierStatus};
use comptoir_demo::showcase;

#[tokio::test]
async fn the_card_tells_the_whole_cross_channel_story() {
    let (_dir, store) = common::demo_store(100).await;
    let id = store.search("0612345678").await.unwrap().hits[0].customer_id;
    let card = store.customer_card(id).await.unwrap();

    assert_eq!(card.customer.display_name, "Mme Hélène Dupré");
    assert_eq!(card.customer.city, "Lyon");
    let phones: Vec<&str> = card
        .customer
        .contacts
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert!(phones.contains(&"06 12 34 56 78"));
    assert!(phones.contains(&showcase::HELENE_LYON_EMAIL));

    // Newest first, every channel.
    let numbers: Vec<&str> = card.orders.iter().map(|o| o.number.as_str()).collect();
    let tv = showcase::tv_order_number(common::as_of());
    assert_eq!(
        numbers,
        vec![
            tv.as_str(),
            showcase::SPLIT_ORDER,
            showcase::WEB_ORDER,
            showcase::STORE_ORDER,
            showcase::AMAZON_ORDER,
            showcase::FRIDGE_ORDER,
        ]
    );
    let by_number = |n: &str| card.orders.iter().find(|o| o.number == n).unwrap();
    let store_order = by_number(showcase::STORE_ORDER);
    assert_eq!(store_order.channel, Channel::Store);
    assert_eq!(store_order.where_label, "Magasin Lyon Part-Dieu");
    assert_eq!(store_order.store.as_ref().unwrap().code, "LYO1");
    assert_eq!(store_order.lines.len(), 2);
    assert_eq!(
        store_order.lines[0].serial_numbers,
        vec![showcase::WASHER_SERIAL.to_owned()]
    );
    assert!(store_order.lines[0]
        .product
        .name
        .starts_with("Lave-linge Bosch"));
    let line_sum: i64 = store_order.lines.iter().map(|l| l.line_total.0).sum();
    assert_eq!(line_sum + store_order.shipping.0, store_order.total.0);
    let amazon = by_number(showcase::AMAZON_ORDER);
    assert_eq!(amazon.channel, Channel::Marketplace);
    assert_eq!(amazon.marketplace.as_deref(), Some("Amazon"));
    let web_order = by_number(showcase::WEB_ORDER);
    assert_eq!(web_order.channel_label, "Site web");
    assert!(web_order.delivered_at.unwrap() > web_order.ordered_at);
    assert!(web_order.shipments.is_empty(), "delivered in one go");
    assert_eq!(by_number(showcase::SPLIT_ORDER).shipments.len(), 2);
    // The television bought six days before the demo's date, in Lyon.
    assert_eq!(card.orders[0].channel, Channel::Store);
    assert_eq!(
        card.orders[0].ordered_at,
        common::as_of() - chrono::Duration::days(showcase::TV_DAYS_BEFORE_AS_OF)
    );

    // Dossiers: the open one (opened online) first, with its timeline.
    assert_eq!(card.dossiers.len(), 2);
    let web = &card.dossiers[0];
    assert_eq!(web.number, showcase::WEB_DOSSIER);
    assert_eq!(web.origin, DossierOrigin::Web);
    assert_eq!(web.origin_label, "En ligne");
    assert!(web.is_open);
    assert_eq!(web.order_number.as_deref(), Some(showcase::WEB_ORDER));
    assert_eq!(web.events[0].actor, "Client (en ligne)");
    let closed = &card.dossiers[1];
    assert_eq!(closed.status, DossierStatus::Closed);
    assert_eq!(closed.status_label, "Clos");
    assert!(closed.closed_at.is_some());
    let times: Vec<_> = closed.events.iter().map(|e| e.at).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "timeline oldest first");
    assert_eq!(closed.events.len(), 6);
    assert_eq!(closed.events[2].summary, "Statut : En attente de pièce");
}

#[tokio::test]
async fn an_unknown_customer_is_a_clear_not_found() {
    let (_dir, store) = common::demo_store(10).await;
    let e = store.customer_card(CustomerId::new()).await.unwrap_err();
    assert_eq!(e.code(), "not_found");
    assert_eq!(e.message_fr(), "Introuvable : client.");
}

#[tokio::test]
async fn random_cards_are_consistent_with_their_orders() {
    let (_dir, store) = common::demo_store(400).await;
    let ids: Vec<CustomerId> = sqlx::query_scalar("SELECT id FROM customers ORDER BY seq LIMIT 50")
        .fetch_all(store.pool())
        .await
        .unwrap();
    for id in ids {
        let card = store.customer_card(id).await.unwrap();
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE customer_id = ?")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(card.orders.len() as i64, count);
        assert!(card
            .orders
            .windows(2)
            .all(|w| w[0].ordered_at >= w[1].ordered_at));
        for o in &card.orders {
            assert!(!o.lines.is_empty(), "order {} without lines", o.number);
            assert_eq!(o.channel == Channel::Marketplace, o.marketplace.is_some());
            if o.channel == Channel::Store {
                assert!(o.store.is_some());
            }
        }
        for d in &card.dossiers {
            assert!(!d.events.is_empty());
            assert_eq!(d.events[0].kind, "opened");
        }
    }
}
