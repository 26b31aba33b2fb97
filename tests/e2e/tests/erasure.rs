//! RGPD erasure through the real window (issue 11): a manager opens the
//! card of a customer with a purchase and a closed dossier, ticks that the
//! erasure cannot be undone and erases; the card then shows « Client
//! effacé » and nothing of the identity, the search finds them neither by
//! e-mail, nor by phone, nor by name, and the purchases and the dossier
//! stay (read back through the store on the same file), with the audit
//! entry in the manager's name and a chain that verifies. A customer with
//! an open dossier is refused first, in French, and keeps everything.
//! Needs the demo database: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use std::path::PathBuf;

use comptoir_core::ids::CustomerId;
use comptoir_e2e::{
    element, eventually, search_field_after_f2, shot, sign_in, text_containing, with_app, SOPHIE,
};
use comptoir_store::{OpenMode, Store};
use fantoccini::{Client, Locator};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// A demo customer as the test needs them.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Someone {
    id: CustomerId,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
}

/// A customer who is none of the showcase's (other window tests use
/// those), with an e-mail, a phone and a purchase, and exactly one
/// dossier: closed when `open` is false, still open otherwise.
async fn someone(db: &std::path::Path, open: bool) -> Someone {
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let status = if open {
        "d.status NOT IN ('handed_back', 'closed', 'cancelled')"
    } else {
        "d.status = 'closed'"
    };
    let sql = format!(
        "SELECT c.id, c.first_name, c.last_name,
                (SELECT value FROM customer_contacts WHERE customer_id = c.id AND kind = 'email' LIMIT 1) AS email,
                (SELECT value FROM customer_contacts WHERE customer_id = c.id AND kind = 'phone' LIMIT 1) AS phone
         FROM customers c
         WHERE EXISTS (SELECT 1 FROM customer_contacts WHERE customer_id = c.id AND kind = 'email')
           AND EXISTS (SELECT 1 FROM customer_contacts WHERE customer_id = c.id AND kind = 'phone')
           AND EXISTS (SELECT 1 FROM orders WHERE customer_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM orders WHERE customer_id = c.id AND number IN (?, ?, ?, ?, ?, ?))
           AND (SELECT count(*) FROM dossiers WHERE customer_id = c.id) = 1
           AND EXISTS (SELECT 1 FROM dossiers d WHERE d.customer_id = c.id AND {status})
         ORDER BY c.id DESC LIMIT 1"
    );
    use comptoir_demo::showcase::*;
    let one = sqlx::query_as::<_, Someone>(&sql)
        .bind(STORE_ORDER)
        .bind(WEB_ORDER)
        .bind(AMAZON_ORDER)
        .bind(NANTES_ORDER)
        .bind(SPLIT_ORDER)
        .bind(FRIDGE_ORDER)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    one
}

/// Searches and waits for the results of exactly this query.
async fn search(c: &Client, q: &str) {
    let field = search_field_after_f2(c).await;
    // F2 selected the last query: what is typed replaces it.
    comptoir_e2e::fill(&field, q).await;
    let css = format!("#results[data-query=\"{}\"]", q.replace('"', "\\\""));
    let c2 = c.clone();
    eventually(&format!("the results of « {q} »"), move || {
        let (c, css) = (c2.clone(), css.clone());
        async move { c.find(Locator::Css(&css)).await.ok().map(|_| ()) }
    })
    .await;
}

async fn found(c: &Client, id: CustomerId) -> bool {
    c.find(Locator::Css(&format!(
        "#results [data-customer-id='{}']",
        id.0
    )))
    .await
    .is_ok()
}

async fn open_card(c: &Client, who: &Someone) {
    search(c, &who.email).await;
    element(c, &format!("#results [data-customer-id='{}']", who.id.0))
        .await
        .click()
        .await
        .unwrap();
    text_containing(c, "#customer-name", &[&who.last_name]).await;
}

async fn erase_in_the_window(c: &Client) {
    element(c, "#erase-customer").await.click().await.unwrap();
    let confirm = element(c, "#erase-confirm").await;
    assert!(
        !confirm.is_enabled().await.unwrap(),
        "the erasure waits for the box to be ticked"
    );
    element(c, "#erase-sure").await.click().await.unwrap();
    assert!(confirm.is_enabled().await.unwrap());
    confirm.click().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_manager_erases_a_customer_who_then_cannot_be_found_while_the_records_stay() {
    let db = PathBuf::from(std::env::var_os("COMPTOIR_DB").expect("COMPTOIR_DB"));
    let kept = someone(&db, true).await;
    let gone = someone(&db, false).await;
    let store = Store::open(&db, OpenMode::MustExist).await.unwrap();
    let before = store.customer_card(gone.id).await.unwrap();
    let kept_before = store.customer_card(kept.id).await.unwrap();
    store.close().await;
    assert_eq!(before.dossiers.len(), 1);
    assert!(!before.orders.is_empty());

    let (k, g) = (kept.clone(), gone.clone());
    with_app(|c| async move {
        sign_in(&c, SOPHIE).await;

        // An open dossier: refused, in French, nothing erased.
        open_card(&c, &k).await;
        erase_in_the_window(&c).await;
        text_containing(
            &c,
            ".rgpd-panel [role=alert]",
            &["Effacement refusé", "encore ouvert", "Rien n'a été effacé"],
        )
        .await;
        shot(&c, "95-erasure-refused").await;
        text_containing(&c, "#customer-name", &[&k.last_name]).await;

        // A closed one: erased.
        open_card(&c, &g).await;
        shot(&c, "96-erasure-confirm").await;
        erase_in_the_window(&c).await;
        text_containing(&c, "#rgpd-status", &["Client effacé", "1 dossier"]).await;
        text_containing(&c, "#customer-name", &["Client effacé"]).await;
        text_containing(&c, "#rgpd-erased", &["Client effacé à sa demande le"]).await;
        assert!(
            c.find(Locator::Css("#erase-customer")).await.is_err(),
            "nothing left to erase: no « Effacer » any more"
        );
        for written in ["#edit-customer", "#intake-without-proof", ".line-intake"] {
            assert!(
                c.find(Locator::Css(written)).await.is_err(),
                "{written} offered on an erased card"
            );
        }
        shot(&c, "97-erased-card").await;
        let card = element(&c, "body").await.text().await.unwrap();
        for trace in [&g.first_name, &g.last_name, &g.email, &g.phone] {
            assert!(
                !card.contains(trace.as_str()),
                "« {trace} » still on the card: {card}"
            );
        }

        // Found neither by e-mail, nor by phone, nor by name.
        for q in [
            g.email.clone(),
            g.phone.clone(),
            format!("{} {}", g.first_name, g.last_name),
        ] {
            search(&c, &q).await;
            assert!(
                !found(&c, g.id).await,
                "« {q} » still finds the erased customer"
            );
        }
        search(&c, &k.email).await;
        assert!(found(&c, k.id).await, "the refused customer is still found");
        shot(&c, "98-erased-not-found").await;
    })
    .await;

    // The records the law keeps are still there, without the identity.
    let store = Store::open(&db, OpenMode::MustExist).await.unwrap();
    let after = store.customer_card(gone.id).await.unwrap();
    assert_eq!(after.orders.len(), before.orders.len());
    assert_eq!(after.dossiers.len(), 1);
    assert_eq!(after.dossiers[0].number, before.dossiers[0].number);
    let text = serde_json::to_string(&after).unwrap();
    for trace in [&gone.first_name, &gone.email, &gone.phone] {
        assert!(
            !text.contains(trace.as_str()),
            "« {trace} » in the card: {text}"
        );
    }
    assert_eq!(store.customer_card(kept.id).await.unwrap(), kept_before);
    let entries = store
        .audit_entries(Some("customer_erased"), 10)
        .await
        .unwrap();
    assert!(
        entries.iter().any(|e| e.actor == SOPHIE.login),
        "{entries:?}"
    );
    store.verify_audit().await.unwrap();
    store.close().await;
}
