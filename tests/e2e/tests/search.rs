//! Search that forgives, through the real window: the clerk types a name as
//! heard, with a letter wrong, and the customer is listed with the reason
//! on her line (« orthographe proche »), worded by Rust. Needs the demo
//! database's showcase records, served through tauri-driver: see
//! scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use comptoir_e2e::{element, eventually, shot, sign_in, texts, with_app, JULIE};

const HIT: &str = "#results [role=option]";

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_misspelt_name_finds_the_customer_with_the_hint() {
    with_app(|c| async move {
        sign_in(&c, JULIE).await;
        let input = element(&c, "#search").await;
        // « Dupret » for Dupré: one letter too many.
        input.send_keys("helene dupret").await.expect("type a name");
        let line = eventually("Hélène Dupré of Lyon listed with the hint", || {
            let c = c.clone();
            async move {
                texts(&c, HIT)
                    .await
                    .into_iter()
                    .find(|t| t.contains("Hélène Dupré") && t.contains("Lyon (69002)"))
            }
        })
        .await;
        assert!(
            line.contains("orthographe proche"),
            "the line says why it matched: {line}"
        );
        let hints = texts(&c, "#results .hit-why").await;
        assert!(
            hints.iter().all(|h| h.contains("orthographe proche")),
            "{hints:#?}"
        );
        shot(&c, "search-01-misspelt-name").await;
    })
    .await;
}
