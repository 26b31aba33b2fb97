//! Weak signals through the real window (issue 11): the demo's repeat
//! customer (three dossiers in the last 30 days, found through the store on
//! the same file) shows that signal on their card, with Rust's label and
//! sentence; a manager raises the threshold in the settings (a 0 is refused
//! in French first) and the signal is gone from the card; put back, it
//! returns. Needs the demo database: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use std::path::PathBuf;

use chrono::Utc;
use comptoir_core::signals::SignalKind;
use comptoir_e2e::{
    element, eventually, search_field_after_f2, shot, sign_in, text_containing, with_app, SOPHIE,
};
use comptoir_store::{OpenMode, Store};
use fantoccini::{Client, Locator};

async fn repeat_signals(c: &Client) -> usize {
    c.find_all(Locator::Css(
        "#card-signals li[data-kind='repeat_customer']",
    ))
    .await
    .map(|found| found.len())
    .unwrap_or(0)
}

/// Opens the card of `name` (« Hugo Renaud »: the results name people
/// without their title, the card with it).
/// A homonym may come first: the click is on this customer's own line.
async fn open_card(c: &Client, name: &str, id: &str) {
    let search = search_field_after_f2(c).await;
    search.send_keys(name).await.unwrap();
    text_containing(c, "#results", &[name]).await;
    element(c, &format!("#results [data-customer-id='{id}']"))
        .await
        .click()
        .await
        .unwrap();
    text_containing(c, "#customer-name", &[name]).await;
}

async fn set_repeat_threshold(c: &Client, value: &str) {
    element(c, "#nav-settings").await.click().await.unwrap();
    let field = element(c, "#threshold-repeat_dossiers").await;
    comptoir_e2e::fill(&field, value).await;
    element(c, "#thresholds-save").await.click().await.unwrap();
}

/// Sets the threshold and waits until the settings say it is saved.
async fn save_repeat_threshold(c: &Client, value: &str) {
    set_repeat_threshold(c, value).await;
    text_containing(c, "#thresholds-form [role=status]", &["Seuils enregistrés"]).await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_repeat_customer_is_signalled_on_the_card_until_the_threshold_is_raised() {
    // The demo's repeat customer, as the store sees it on this file.
    let db = PathBuf::from(std::env::var_os("COMPTOIR_DB").expect("COMPTOIR_DB"));
    let store = Store::open(&db, OpenMode::MustExist).await.unwrap();
    let list = store.weak_signals(Utc::now(), 500).await.unwrap();
    let signal = list
        .signals
        .iter()
        .find(|s| s.kind == SignalKind::RepeatCustomer)
        .expect("the demo has a repeat customer")
        .clone();
    let card = store
        .customer_card(signal.customer_id.unwrap())
        .await
        .unwrap();
    store.close().await;
    let name = format!("{} {}", card.customer.first_name, card.customer.last_name);
    let id = card.customer.id.0.to_string();
    let sentence = signal.sentence.clone();
    let label = signal.kind_label.clone();

    with_app(|c| async move {
        sign_in(&c, SOPHIE).await;
        open_card(&c, &name, &id).await;
        shot(&c, "90-card-signals").await;
        text_containing(&c, "#card-signals", &[&label, &sentence]).await;
        assert_eq!(repeat_signals(&c).await, 1);
        shot(&c, "90-card-signals").await;

        // 0 is refused in French, nothing changes.
        set_repeat_threshold(&c, "0").await;
        text_containing(&c, "#thresholds-form [role=alert]", &["Seuil"]).await;
        shot(&c, "91-threshold-refused").await;
        // Raised above what the customer has: the signal goes.
        save_repeat_threshold(&c, "50").await;
        open_card(&c, &name, &id).await;
        let c2 = c.clone();
        eventually("the card without the repeat signal", move || {
            let c = c2.clone();
            async move {
                let loaded = c.find(Locator::Css("#customer-name")).await.is_ok();
                (loaded && repeat_signals(&c).await == 0).then_some(())
            }
        })
        .await;
        // Back to 3: it returns.
        save_repeat_threshold(&c, "3").await;
        open_card(&c, &name, &id).await;
        text_containing(&c, "#card-signals", &[&label]).await;
    })
    .await;

    // The changes are in the audit log, in the manager's name.
    let store = Store::open(&db, OpenMode::MustExist).await.unwrap();
    let changes = store
        .audit_entries(Some("setting_changed"), 10)
        .await
        .unwrap();
    assert!(
        changes.iter().filter(|e| e.actor == SOPHIE.login).count() >= 2,
        "{changes:?}"
    );
    store.verify_audit().await.unwrap();
    store.close().await;
}
