//! Issue 13 through the real window: an order delivered in two parcels
//! shows both delivery dates on the customer card; a dossier on a product
//! whose legal guarantee is over but whose brand warranty runs shows the
//! commercial-warranty option with its end date. Needs the demo database
//! generated today: see scripts/e2e.sh (comptoir_demo::showcase).
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

use comptoir_e2e::{element, keys, shot, sign_in, text_containing, with_app, JULIE};
use fantoccini::Client;

/// comptoir_demo::showcase::SPLIT_ORDER: parcels of 04/11/2026 (kettle)
/// and 12/11/2026 (stick vacuum).
const SPLIT_ORDER: &str = "W10000003";
/// comptoir_demo::showcase::FRIDGE_ORDER: bought 15/06/2023, brand warranty
/// of 5 years from delivery.
const FRIDGE_ORDER: &str = "TLYO1-230615-0031";
const FRIDGE_WARRANTY_END: &str = "15/06/2028";

async fn open_card(c: &Client, order: &str) {
    let input = element(c, "#search").await;
    comptoir_e2e::fill(&input, order).await;
    input.send_keys(keys::ENTER).await.expect("enter");
    text_containing(c, "#customer-name", &["Hélène Dupré"]).await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_split_order_shows_its_two_deliveries_on_the_card() {
    with_app(|c| async move {
        sign_in(&c, JULIE).await;
        open_card(&c, SPLIT_ORDER).await;
        let css = format!("[data-order-number='{SPLIT_ORDER}'] .shipments");
        let text = text_containing(
            &c,
            &css,
            &[
                "Livrée en 2 colis",
                "04/11/2026",
                "12/11/2026",
                "article 1",
                "article 2",
            ],
        )
        .await;
        assert!(
            text.find("04/11/2026") < text.find("12/11/2026"),
            "first delivered first: {text}"
        );
        element(&c, &css).await.click().await.ok(); // bring it into view for the screenshot
        shot(&c, "60-card-split-order-shipments").await;
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_product_with_a_brand_warranty_offers_it_with_its_end_date() {
    with_app(|c| async move {
        sign_in(&c, JULIE).await;
        open_card(&c, FRIDGE_ORDER).await;
        element(
            &c,
            &format!("[data-order-number='{FRIDGE_ORDER}'] .line-intake"),
        )
        .await
        .click()
        .await
        .expect("open a dossier from the fridge's line");
        text_containing(&c, "#intake-title", &["Nouveau dossier SAV"]).await;
        comptoir_e2e::choose(&c, "#reason", "defect.no_power").await;
        element(&c, "#words")
            .await
            .send_keys("Le réfrigérateur ne refroidit plus depuis hier soir.")
            .await
            .expect("customer words");
        // The legal guarantee ended on 15/06/2025; the brand's 5-year
        // warranty runs until 15/06/2028 and the repair is offered under it.
        text_containing(
            &c,
            "#policy-commercial-warranty",
            &[
                "Garantie commerciale",
                "Garantie constructeur",
                FRIDGE_WARRANTY_END,
            ],
        )
        .await;
        let repair = text_containing(
            &c,
            "[data-resolution='repair']",
            &["garantie commerciale", FRIDGE_WARRANTY_END, "15/06/2025"],
        )
        .await;
        assert!(
            repair.contains("La politique de l'enseigne"),
            "a commercial warranty is not the law: {repair}"
        );
        shot(&c, "61-intake-commercial-warranty-option").await;
    })
    .await;
}
