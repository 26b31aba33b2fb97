//! A dossier from intake to its printed ticket, through the real window:
//! the clerk is chosen, the showcase customer's web order line is taken in
//! (a wrong serial is refused first, and nothing is written), the dossier
//! screen shows its number and committed deadline, the A4 ticket is saved as
//! a PDF, and the dossier number typed in the search reopens it. Needs the
//! demo database and `COMPTOIR_TICKETS_DIR`: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

use std::path::PathBuf;

use comptoir_e2e::{
    dossier_count, dossier_count_after, element, eventually, keys, press, shot, sign_in,
    text_containing, with_app, KARIM,
};
use fantoccini::Client;

const CLERK: &str = comptoir_e2e::KARIM.name;
const SERIAL_SOLD: &str = "IR2609120456";

async fn open_card_by_order(c: &Client) -> usize {
    let input = element(c, "#search").await;
    comptoir_e2e::fill(&input, "W10000001").await;
    input.send_keys(keys::ENTER).await.expect("enter");
    text_containing(c, "#customer-name", &["Hélène Dupré"]).await;
    eventually("the card's dossier count", || {
        let c = c.clone();
        async move { dossier_count(&c).await }
    })
    .await
}

async fn start_intake(c: &Client) {
    let button = element(c, "[data-order-number='W10000001'] .line-intake").await;
    button.click().await.expect("open a dossier from the line");
    text_containing(c, "#intake-title", &["Nouveau dossier SAV", "Hélène Dupré"]).await;
    text_containing(c, ".purchased", &["W10000001", SERIAL_SOLD]).await;
    // The reasons are loaded from Rust, with their promise.
    let reason = element(c, "#reason option[value='defect.battery']").await;
    let label = reason.text().await.expect("reason label");
    assert!(
        label.contains("ouvr"),
        "promise shown with the reason: {label}"
    );
}

async fn fill_intake(c: &Client, serial: &str) {
    comptoir_e2e::choose(c, "#reason", "defect.battery").await;
    let words = element(c, "#words").await;
    comptoir_e2e::fill(
        &words,
        "La batterie ne tient plus que dix minutes, il s'arrête au milieu du salon.",
    )
    .await;
    element(c, "#condition")
        .await
        .select_by_value("worn")
        .await
        .expect("choose the condition");
    let serial_input = element(c, "#serial").await;
    comptoir_e2e::fill(&serial_input, serial).await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn opens_a_dossier_prints_its_ticket_and_finds_it_by_number() {
    let tickets_dir = PathBuf::from(
        std::env::var_os("COMPTOIR_TICKETS_DIR")
            .expect("COMPTOIR_TICKETS_DIR must be set (scripts/e2e.sh does)"),
    );
    with_app(move |c| async move {
        // The clerk, from the top bar, with the keyboard.
        sign_in(&c, KARIM).await;

        let before = open_card_by_order(&c).await;

        // A serial that is not the one sold: refused in French, next to the field.
        start_intake(&c).await;
        fill_intake(&c, "XX0000000001").await;
        element(&c, "#accessory")
            .await
            .send_keys(&format!("Station de charge{}", keys::ENTER))
            .await
            .expect("accessory");
        text_containing(&c, ".chips", &["Station de charge"]).await;
        shot(&c, "10-intake").await;
        element(&c, ".intake-form button[type=submit]")
            .await
            .click()
            .await
            .expect("submit");
        let error = text_containing(&c, "#serial-error", &["ne correspond pas", SERIAL_SOLD]).await;
        assert!(error.contains("XX0000000001"), "mismatch message: {error}");
        shot(&c, "11-intake-serial-mismatch").await;
        // Nothing lost: still the form, with what was typed.
        let words = element(&c, "#words")
            .await
            .prop("value")
            .await
            .expect("value");
        assert!(
            words.is_some_and(|w| w.starts_with("La batterie")),
            "customer words kept"
        );
        text_containing(&c, ".chips", &["Station de charge"]).await;

        // The right serial, recorded with Ctrl+Enter.
        let serial = element(&c, "#serial").await;
        comptoir_e2e::fill(&serial, SERIAL_SOLD).await;
        serial
            .send_keys(&format!("{}{}{}", keys::CONTROL, keys::ENTER, keys::NULL))
            .await
            .expect("ctrl+enter");

        let number = text_containing(&c, "#dossier-number", &["SAV-LYO1-"]).await;
        assert!(
            number.starts_with("SAV-LYO1-20") && {
                // The counter's code (a letter, or three characters derived
                // from its device id) then a five-digit sequence.
                let tail = number.rsplit('-').next().unwrap_or("");
                (tail.len() == 6 || tail.len() == 8)
                    && tail[tail.len() - 5..].bytes().all(|b| b.is_ascii_digit())
            },
            "dossier number: {number}"
        );
        text_containing(&c, "#dossier-status", &["Ouvert"]).await;
        let deadline = text_containing(&c, "#deadline", &["Promis pour le", " à "]).await;
        // Just opened: on time, said in words (and an icon), not only a colour.
        assert!(
            deadline.contains("Dans les temps"),
            "deadline with its status in words: {deadline}"
        );
        text_containing(
            &c,
            ".facts",
            &[
                "Station de charge",
                SERIAL_SOLD,
                "La batterie ne tient plus",
                CLERK,
            ],
        )
        .await;
        text_containing(&c, ".timeline", &[CLERK]).await;
        shot(&c, "12-dossier").await;

        // Print A4: the PDF is saved where the counter keeps tickets.
        element(&c, "#print-a4")
            .await
            .click()
            .await
            .expect("print A4");
        text_containing(&c, "#print-result", &["PDF enregistré"]).await;
        let path = element(&c, "#print-result .path")
            .await
            .text()
            .await
            .expect("path text");
        let path = PathBuf::from(path.trim());
        assert!(
            path.starts_with(&tickets_dir),
            "{} not under {}",
            path.display(),
            tickets_dir.display()
        );
        assert_eq!(
            path.file_name().and_then(|n| n.to_str()),
            Some(format!("{number}-intake-a4.pdf").as_str())
        );
        let pdf = std::fs::read(&path).expect("the ticket PDF is on disk");
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
        assert!(
            pdf.len() > 1_000,
            "suspiciously small PDF: {} bytes",
            pdf.len()
        );
        shot(&c, "13-dossier-printed").await;

        // Esc: back to the card, which now lists exactly one more dossier
        // (the refused intake wrote nothing).
        press(&c, keys::ESCAPE).await;
        text_containing(&c, "#customer-name", &["Hélène Dupré"]).await;
        let after = dossier_count_after(&c, before).await;
        assert_eq!(
            after,
            before + 1,
            "one dossier opened, none by the refused intake"
        );
        element(&c, &format!("[data-dossier-number='{number}']")).await;

        // F2, the dossier number (as a scanner types it) + Enter: its screen.
        let input = comptoir_e2e::search_field_after_f2(&c).await;
        comptoir_e2e::fill(&input, &number).await;
        input.send_keys(keys::ENTER).await.expect("enter");
        let reopened = text_containing(&c, "#dossier-number", &[&number]).await;
        assert_eq!(reopened, number);
        text_containing(&c, "#dossier-status", &["Ouvert"]).await;

        // F3: the store's open dossiers list it.
        press(&c, keys::F3).await;
        text_containing(&c, "#tab-store_open", &["Ouverts du magasin"]).await;
        text_containing(
            &c,
            &format!("#dossier-rows [data-dossier-number='{number}']"),
            &["Hélène Dupré", "Ouvert"],
        )
        .await;
        shot(&c, "14-lists").await;
    })
    .await;
}
