//! The counter story through the real window: find a customer among
//! homonyms, see every channel on the card, go back, find her again by phone
//! and by a scanned order number. Needs the demo database's showcase records
//! (`comptoir-ctl demo-data`), served through tauri-driver: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

use comptoir_e2e::{
    element, eventually, focused_id, keys, shot, sign_in, text_containing, texts, with_app, JULIE,
};
use fantoccini::{Client, Locator};

const HIT: &str = "#results [role=option]";

/// Index and customer id of the hit that shows `name` in `city_and_postal_code`.
async fn find_hit(client: &Client, name: &str, city: &str) -> Option<(usize, String)> {
    let options = client.find_all(Locator::Css(HIT)).await.ok()?;
    for (i, option) in options.into_iter().enumerate() {
        let text = option.text().await.ok()?;
        if text.contains(name) && text.contains(city) {
            return Some((i, option.attr("data-customer-id").await.ok()??));
        }
    }
    None
}

async fn selected_hit_text(client: &Client) -> Option<String> {
    let el = client
        .find(Locator::Css("#results [aria-selected=true]"))
        .await
        .ok()?;
    el.text().await.ok()
}

async fn card_customer_id(client: &Client) -> Option<String> {
    let card = client.find(Locator::Css("article.card")).await.ok()?;
    card.attr("data-customer-id").await.ok()?
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn finds_a_customer_and_shows_every_channel() {
    with_app(|c| async move {
        sign_in(&c, JULIE).await;
        // The search field has the focus at start.
        let input = element(&c, "#search").await;
        let focused = eventually("focus in the search field", || {
            let c = c.clone();
            async move { focused_id(&c).await.filter(|id| id == "search") }
        })
        .await;
        assert_eq!(focused, "search");

        // Homonyms: typed without accents, both cities are listed.
        input.send_keys("helene dupre").await.expect("type a name");
        let (lyon_index, lyon_id) =
            eventually("Hélène Dupré of Lyon and of Nantes listed", || {
                let c = c.clone();
                async move {
                    find_hit(&c, "Hélène Dupré", "Nantes (44000)").await?;
                    find_hit(&c, "Hélène Dupré", "Lyon (69002)").await
                }
            })
            .await;
        let all = texts(&c, HIT).await;
        assert!(
            all.iter().filter(|t| t.contains("Hélène Dupré")).count() >= 2,
            "two Hélène Dupré expected: {all:#?}"
        );
        shot(&c, "01-homonyms").await;

        // Arrow down to the Lyon one, Enter opens her card.
        for _ in 0..=lyon_index {
            input.send_keys(keys::ARROW_DOWN).await.expect("arrow down");
        }
        let selected = selected_hit_text(&c).await.expect("a selected hit");
        assert!(selected.contains("Lyon (69002)"), "selected: {selected}");
        input.send_keys(keys::ENTER).await.expect("enter");

        let heading = text_containing(&c, "#customer-name", &["Hélène Dupré"]).await;
        assert!(heading.contains("Hélène Dupré"));
        assert_eq!(
            card_customer_id(&c).await.as_deref(),
            Some(lyon_id.as_str())
        );

        // Every channel on one card.
        text_containing(
            &c,
            "[data-order-number='TLYO1-260312-0042']",
            &["TLYO1-260312-0042", "Lyon Part-Dieu"],
        )
        .await;
        text_containing(&c, "[data-order-number='W10000001']", &["W10000001"]).await;
        text_containing(
            &c,
            "[data-order-number='408-1234567-1234567']",
            &["408-1234567-1234567", "Amazon"],
        )
        .await;
        text_containing(
            &c,
            "[data-dossier-number='SAV-WEB-2026-000001']",
            &["SAV-WEB-2026-000001", "En ligne"],
        )
        .await;
        shot(&c, "02-card").await;

        // Esc: back to the results, her line still selected.
        let body = c.find(Locator::Css("body")).await.expect("body");
        body.send_keys(keys::ESCAPE).await.expect("escape");
        let back = eventually("results shown again with Lyon selected", || {
            let c = c.clone();
            async move {
                selected_hit_text(&c)
                    .await
                    .filter(|t| t.contains("Lyon (69002)"))
            }
        })
        .await;
        assert!(back.contains("Hélène Dupré"));
        let input = element(&c, "#search").await;
        assert_eq!(focused_id(&c).await.as_deref(), Some("search"));

        // Esc clears; a phone number in international writing finds her.
        input.send_keys(keys::ESCAPE).await.expect("escape");
        eventually("field cleared", || {
            let c = c.clone();
            async move {
                let v = c
                    .find(Locator::Css("#search"))
                    .await
                    .ok()?
                    .prop("value")
                    .await
                    .ok()??;
                v.is_empty().then_some(())
            }
        })
        .await;
        input
            .send_keys("+33 6 12 34 56 78")
            .await
            .expect("type a phone");
        let (_, by_phone) = eventually("the Lyon Hélène Dupré found by phone", || {
            let c = c.clone();
            async move { find_hit(&c, "Hélène Dupré", "Lyon (69002)").await }
        })
        .await;
        assert_eq!(by_phone, lyon_id);
        let hits = texts(&c, HIT).await;
        assert_eq!(hits.len(), 1, "one customer has this phone: {hits:#?}");

        // A scanned order number + Enter opens her card directly.
        input.send_keys(keys::ESCAPE).await.expect("escape");
        input
            .send_keys("W10000001")
            .await
            .expect("type an order number");
        input.send_keys(keys::ENTER).await.expect("enter");
        text_containing(&c, "#customer-name", &["Hélène Dupré"]).await;
        assert_eq!(
            card_customer_id(&c).await.as_deref(),
            Some(lyon_id.as_str())
        );
        let order = element(&c, "[data-order-number='W10000001']").await;
        let class = order.attr("class").await.ok().flatten().unwrap_or_default();
        assert!(
            class.contains("highlighted"),
            "scanned order not pointed out: {class}"
        );

        // F2 brings the search back from anywhere, text selected for a new scan.
        let body = c.find(Locator::Css("body")).await.expect("body");
        body.send_keys(keys::F2).await.expect("F2");
        eventually("focus back in the search field", || {
            let c = c.clone();
            async move { focused_id(&c).await.filter(|id| id == "search") }
        })
        .await;
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn one_letter_gets_a_french_hint_not_an_error() {
    with_app(|c| async move {
        sign_in(&c, JULIE).await;
        let input = element(&c, "#search").await;
        input.send_keys("h").await.expect("type one letter");
        let hint = text_containing(&c, ".search-status", &["Saisissez au moins"]).await;
        assert!(hint.contains("lettres"), "hint: {hint}");
        let alert = c
            .find(Locator::Css(".search-screen [role=alert]"))
            .await
            .expect("alert region")
            .text()
            .await
            .expect("alert text");
        assert_eq!(alert, "", "a short query is not an error");
        assert!(texts(&c, HIT).await.is_empty());

        // The field still works: more letters search normally.
        input.send_keys("elene dupre").await.expect("type more");
        eventually("results after the hint", || {
            let c = c.clone();
            async move { find_hit(&c, "Hélène Dupré", "Lyon (69002)").await }
        })
        .await;
        shot(&c, "03-search").await;
    })
    .await;
}
