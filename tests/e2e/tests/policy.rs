//! The return policy through the real window: at intake the options appear
//! with who decides and why; a clerk's choice above their limit asks for a
//! manager's PIN (a wrong one is refused and nothing is written); with the
//! right PIN the dossier opens with the decision and the approval on its
//! timeline. Needs the demo database generated today: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

use comptoir_e2e::{
    dossier_count, dossier_count_after, element, eventually, keys, press, shot, sign_in,
    text_containing, with_app, JULIE,
};
use fantoccini::Client;

const CLERK: &str = comptoir_e2e::JULIE.name;
const MANAGER_LOGIN: &str = "sophie.r";
const MANAGER: &str = "Sophie Roux";
const MANAGER_PIN: &str = "4826";

/// The television the showcase customer bought in Lyon six days before the
/// demo's date (comptoir_demo::showcase::tv_order_number).
fn tv_order() -> String {
    let bought = chrono::Utc::now() - chrono::Duration::days(6);
    format!("TLYO1-{}-0097", bought.format("%y%m%d"))
}

async fn is_disabled(c: &Client, css: &str) -> bool {
    element(c, css)
        .await
        .prop("disabled")
        .await
        .expect("disabled property")
        .is_some_and(|v| v == "true")
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_credit_note_above_the_clerk_limit_is_approved_with_a_managers_pin() {
    with_app(|c| async move {
        sign_in(&c, JULIE).await;
        let order = tv_order();
        let input = element(&c, "#search").await;
        comptoir_e2e::fill(&input, &order).await;
        input.send_keys(keys::ENTER).await.expect("enter");
        text_containing(&c, "#customer-name", &["Hélène Dupré"]).await;
        let before = eventually("the card's dossier count", || {
            let c = c.clone();
            async move { dossier_count(&c).await }
        })
        .await;

        element(&c, &format!("[data-order-number='{order}'] .line-intake"))
            .await
            .click()
            .await
            .expect("open a dossier from the television's line");
        text_containing(&c, "#intake-title", &["Nouveau dossier SAV"]).await;
        comptoir_e2e::choose(&c, "#reason", "withdrawal.changed_mind").await;
        let words = element(&c, "#words").await;
        words
            .send_keys("L'image est trop grande pour le salon, elle voudrait un avoir.")
            .await
            .expect("customer words");
        element(&c, "#condition")
            .await
            .select_by_value("good")
            .await
            .expect("condition");

        // The options, from the policy: an in-store purchase has no legal
        // withdrawal, so no refund; a credit note is possible, above the
        // clerk's limit.
        let panel = text_containing(
            &c,
            "#policy-options",
            &["sav-unifie", "Avoir", "Échange", "Responsable requis"],
        )
        .await;
        assert!(
            panel.contains("magasin"),
            "why no refund, in words: {panel}"
        );
        eventually("the refund option is refused", || {
            let c = c.clone();
            async move {
                is_disabled(&c, "input[name='policy-option'][value='refund']")
                    .await
                    .then_some(())
            }
        })
        .await;
        element(&c, "input[name='policy-option'][value='credit_note']")
            .await
            .click()
            .await
            .expect("choose the credit note");
        shot(&c, "20-intake-policy-options").await;

        element(&c, ".intake-form button[type=submit]")
            .await
            .click()
            .await
            .expect("submit");

        // Beyond the clerk's authority: a manager approves with a PIN.
        text_containing(&c, "#approval-reason", &["responsable"]).await;
        comptoir_e2e::choose(&c, "#approval-manager", MANAGER_LOGIN).await;
        let pin = element(&c, "#approval-pin").await;
        pin.send_keys("0000").await.expect("wrong PIN");
        pin.send_keys(keys::ENTER).await.expect("enter");
        text_containing(&c, "#approval-error", &["Code incorrect", "4 essais"]).await;
        shot(&c, "21-approval-wrong-pin").await;
        let typed = element(&c, "#approval-pin")
            .await
            .prop("value")
            .await
            .expect("pin value");
        assert_eq!(
            typed.as_deref().unwrap_or(""),
            "",
            "the wrong PIN is cleared"
        );

        let pin = element(&c, "#approval-pin").await;
        pin.send_keys(MANAGER_PIN).await.expect("right PIN");
        pin.send_keys(keys::ENTER).await.expect("enter");

        // The dossier, its decision and the approval on the timeline.
        text_containing(&c, "#dossier-number", &["SAV-LYO1-"]).await;
        text_containing(&c, "#decision", &["Avoir", "sav-unifie", "2026.1", MANAGER]).await;
        text_containing(
            &c,
            ".timeline",
            &[
                "Décision selon la politique de retour",
                "Validation d'un responsable",
                MANAGER,
                CLERK,
            ],
        )
        .await;
        shot(&c, "22-dossier-decision-approved").await;

        // Back on the card: exactly one more dossier (the refused attempts
        // wrote nothing).
        press(&c, keys::ESCAPE).await;
        text_containing(&c, "#customer-name", &["Hélène Dupré"]).await;
        let after = dossier_count_after(&c, before).await;
        assert_eq!(
            after,
            before + 1,
            "one dossier, none from the refused attempts"
        );
    })
    .await;
}

/// The dossier opened online has no decision yet: the clerk decides on its
/// screen — a repair under the legal guarantee, with a small gesture on the
/// scale, both within a clerk's authority: no PIN is asked.
#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_repair_with_a_small_gesture_is_decided_on_a_dossier_opened_online() {
    with_app(|c| async move {
        sign_in(&c, JULIE).await;
        press(&c, keys::F2).await;
        let input = element(&c, "#search").await;
        comptoir_e2e::fill(&input, "SAV-WEB-2026-000001").await;
        input.send_keys(keys::ENTER).await.expect("enter");
        text_containing(&c, "#dossier-number", &["SAV-WEB-2026-000001"]).await;
        // Opened online, nothing decided yet.
        text_containing(&c, "#decision", &["Aucune décision"]).await;

        element(&c, "#decide-button")
            .await
            .click()
            .await
            .expect("decide");
        // Delivered on 5 October, a battery that fails: the legal guarantee.
        let panel = text_containing(&c, "#policy-options", &["Réparation", "L217-9"]).await;
        assert!(
            panel.contains("Remplacement"),
            "the customer chooses: {panel}"
        );
        element(&c, "input[name='policy-option'][value='repair']")
            .await
            .click()
            .await
            .expect("choose the repair");
        let gesture = element(&c, "#gesture-amount").await;
        comptoir_e2e::fill(&gesture, "5").await;
        element(&c, "#decide-note")
            .await
            .send_keys("Bon d'achat pour le dérangement.")
            .await
            .expect("note");
        shot(&c, "23-decide-on-web-dossier").await;
        element(&c, "#decide-submit")
            .await
            .click()
            .await
            .expect("record the decision");

        let decision =
            text_containing(&c, "#decision .decision-record", &["Réparation", "5,00"]).await;
        assert!(decision.contains(CLERK), "decided by the clerk: {decision}");
        assert!(
            !decision.contains("Validé par"),
            "within a clerk's authority, no manager: {decision}"
        );
        assert!(
            c.find(fantoccini::Locator::Css("#approval")).await.is_err(),
            "no approval dialog"
        );
        text_containing(
            &c,
            ".timeline",
            &["Décision selon la politique de retour", "Réparation"],
        )
        .await;
        shot(&c, "24-web-dossier-decided").await;
    })
    .await;
}
