//! Customers at the counter, through the real window (issue 8): a walk-in
//! customer nobody finds is created from the search screen with the
//! keyboard, found at once by the phone just typed written another way,
//! their e-mail corrected from the card, and the change shows on the card's
//! history; a phone that already belongs to another customer (the demo's
//! Hélène Dupré) is pointed out before anything is saved. Needs the demo
//! database: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use comptoir_e2e::{
    element, focused_id, keys, press, shot, sign_in, text_containing, with_app, KARIM,
};
use fantoccini::{Client, Locator};

const CLERK: &str = comptoir_e2e::KARIM.name;
/// The W3C WebDriver code of the Tab key.
const TAB: &str = "\u{E004}";
/// Nobody in the demo data has it.
const PHONE_TYPED: &str = "06 98 76 54 32";
const PHONE_OTHER_WRITING: &str = "+33 6 98 76 54 32";
/// Nobody in the demo data has it either.
const SECOND_PHONE: &str = "07 52 33 41 18";

async fn search(c: &Client, text: &str) {
    let input = element(c, "#search").await;
    comptoir_e2e::fill(&input, text).await;
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let input = element(c, css).await;
    comptoir_e2e::fill(&input, text).await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_walk_in_customer_is_created_found_corrected_and_a_duplicate_pointed_out() {
    with_app(|c| async move {
        sign_in(&c, KARIM).await;

        // Nobody has this number: the search offers « Nouveau client ».
        search(&c, PHONE_TYPED).await;
        text_containing(&c, ".search-status", &["Aucun client"]).await;
        text_containing(&c, "#new-customer", &["Nouveau client"]).await;
        shot(&c, "40-customer-not-found").await;
        // Tab from the search field, then Enter.
        element(&c, "#search")
            .await
            .send_keys(TAB)
            .await
            .expect("tab");
        assert_eq!(focused_id(&c).await.as_deref(), Some("new-customer"));
        c.active_element()
            .await
            .expect("the focused button")
            .send_keys(keys::ENTER)
            .await
            .expect("enter");
        text_containing(&c, ".customer-form-screen h1", &["Nouveau client"]).await;
        let phone = element(&c, "#cf-phones-0").await;
        assert_eq!(
            phone.prop("value").await.expect("value").as_deref(),
            Some(PHONE_TYPED),
            "the number typed in the search is in the form"
        );

        // A bad e-mail first: refused in French next to its field, nothing saved.
        element(&c, "#cf-title")
            .await
            .select_by_value("M.")
            .await
            .expect("civility");
        type_into(&c, "#cf-first_name", "Théo").await;
        type_into(&c, "#cf-last_name", "Lambertin").await;
        type_into(&c, "#cf-emails-0", "theo.lambertin@example").await;
        type_into(&c, "#cf-address-line1", "8 quai Saint-Vincent").await;
        type_into(&c, "#cf-address-postal_code", "69001").await;
        type_into(&c, "#cf-address-city", "Lyon").await;
        shot(&c, "41-customer-form").await;
        element(&c, "#cf-address-city")
            .await
            .send_keys(keys::ENTER)
            .await
            .expect("enter saves");
        text_containing(&c, "#cf-emails-0-error", &["Adresse e-mail invalide"]).await;
        assert_eq!(focused_id(&c).await.as_deref(), Some("cf-emails-0"));
        shot(&c, "42-customer-form-invalid-email").await;

        // Corrected, saved with Enter: the new card.
        type_into(&c, "#cf-emails-0", "theo.lambertin@example.fr").await;
        element(&c, "#cf-emails-0")
            .await
            .send_keys(keys::ENTER)
            .await
            .expect("enter saves");
        text_containing(&c, "#customer-name", &["M. Théo Lambertin"]).await;
        text_containing(&c, ".card-history", &["Fiche client créée", CLERK]).await;

        // Found at once by the phone written another way.
        press(&c, keys::F2).await;
        search(&c, PHONE_OTHER_WRITING).await;
        text_containing(&c, "#results", &["Théo Lambertin"]).await;
        let hits = c
            .find_all(Locator::Css("#results .hit"))
            .await
            .expect("hits");
        assert_eq!(hits.len(), 1, "exactly the new customer");
        shot(&c, "43-customer-found-by-phone").await;
        element(&c, "#search")
            .await
            .send_keys(keys::ENTER)
            .await
            .expect("open the card");
        text_containing(&c, "#customer-name", &["Théo Lambertin"]).await;

        // The e-mail corrected from the card.
        element(&c, "#edit-customer")
            .await
            .click()
            .await
            .expect("edit the card");
        text_containing(&c, ".customer-form-screen h1", &["Modifier la fiche"]).await;
        type_into(&c, "#cf-emails-0", "t.lambertin@example.org").await;
        element(&c, "#cf-emails-0")
            .await
            .send_keys(keys::ENTER)
            .await
            .expect("enter saves");
        let line = text_containing(
            &c,
            ".card-history li[data-field='emails']",
            &["E-mail modifié le", CLERK, "t.lambertin@example.org"],
        )
        .await;
        assert!(line.contains(" à "), "date and time: {line}");
        text_containing(&c, ".contacts", &["t.lambertin@example.org"]).await;
        shot(&c, "44-customer-card-history").await;

        // A phone already used by another customer is pointed out.
        press(&c, keys::F2).await;
        search(&c, SECOND_PHONE).await;
        text_containing(&c, "#new-customer", &["Nouveau client"]).await;
        element(&c, "#new-customer")
            .await
            .click()
            .await
            .expect("new customer");
        text_containing(&c, ".customer-form-screen h1", &["Nouveau client"]).await;
        type_into(&c, "#cf-first_name", "Léa").await;
        type_into(&c, "#cf-last_name", "Quarantotto").await;
        type_into(&c, "#cf-phones-0", "+33 6 12 34 56 78").await;
        element(&c, "#cf-phones-0")
            .await
            .send_keys(keys::ENTER)
            .await
            .expect("enter saves");
        text_containing(
            &c,
            ".duplicate-warning",
            &["Doublon possible", "Hélène Dupré", "Lyon"],
        )
        .await;
        text_containing(&c, "#save-anyway", &["Enregistrer quand même"]).await;
        let focused = focused_id(&c).await;
        assert_ne!(
            focused.as_deref(),
            Some("customer-save"),
            "the keyboard is on the warning"
        );
        shot(&c, "45-customer-duplicate").await;
        // The keyboard is on « Ouvrir la fiche … »: Enter opens Hélène's
        // card; not the same person, Esc comes back to the form as typed.
        c.active_element()
            .await
            .expect("focused")
            .send_keys(keys::ENTER)
            .await
            .expect("enter opens the card");
        text_containing(&c, "h1", &["Hélène Dupré"]).await;
        press(&c, keys::ESCAPE).await;
        text_containing(&c, ".customer-form-screen h1", &["Nouveau client"]).await;
        for (field, typed) in [
            ("#cf-first_name", "Léa"),
            ("#cf-last_name", "Quarantotto"),
            ("#cf-phones-0", "+33 6 12 34 56 78"),
        ] {
            let value = element(&c, field).await.prop("value").await.expect("value");
            assert_eq!(value.as_deref(), Some(typed), "{field} kept");
        }
        shot(&c, "46-customer-form-kept").await;
        // Nothing saved: Esc cancels; Hélène's number finds no new customer.
        press(&c, keys::ESCAPE).await;
        search(&c, "+33 6 12 34 56 78").await;
        text_containing(&c, "#results", &["Hélène Dupré"]).await;
        let listed = comptoir_e2e::texts(&c, "#results .hit-name").await;
        assert!(
            !listed.iter().any(|n| n.contains("Quarantotto")),
            "nothing saved: {listed:?}"
        );
    })
    .await;
}
