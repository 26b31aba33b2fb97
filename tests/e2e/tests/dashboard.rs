//! The manager's dashboard (issue 11), through the real window: a clerk
//! has no way to it (no button, F4 does nothing, Rust refuses the
//! commands); a manager opens it, takes the last twelve months, filters a
//! product, reads the figures Rust computed for that query (checked
//! against `Store::dashboard` on the same file), opens the dossiers behind
//! a figure and one dossier from there, then saves a table as CSV through
//! the system's save dialog (answered with xdotool, as a person types a
//! path) and parses the file back to the numbers on screen. Cancelling
//! the dialog writes nothing. Needs the demo database: see scripts/e2e.sh.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::Utc;
use comptoir_core::report::{ReportQuery, Scope};
use comptoir_e2e::{
    element, eventually, invoke, keys, press, shot, sign_in, text_containing, texts, with_app,
    JULIE, SOPHIE,
};
use comptoir_store::{OpenMode, Store};
use fantoccini::{Client, Locator};
use serde_json::json;

async fn absent(c: &Client, css: &str) -> bool {
    c.find_all(Locator::Css(css))
        .await
        .map(|found| found.is_empty())
        .unwrap_or(false)
}

fn db_path() -> PathBuf {
    PathBuf::from(std::env::var_os("COMPTOIR_DB").expect("COMPTOIR_DB"))
}

/// The `data-value` of a figure on screen (`#kpi-opened`).
async fn kpi(c: &Client, id: &str) -> u64 {
    let el = element(c, &format!("#{id} .kpi-value")).await;
    el.attr("data-value")
        .await
        .unwrap()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("figure {id} has a number"))
}

/// Waits for the dashboard's status line to say the figures are there.
async fn figures_shown(c: &Client) -> String {
    text_containing(c, "#dashboard-status", &["ouvert", "calculé le"]).await
}

/// Answers the system's save dialog (GTK, on the test's X display) by
/// typing `path` in its name field and pressing Enter — or Escape when
/// `path` is `None`.
fn answer_save_dialog(path: Option<&Path>) {
    let found = {
        let mut found = None;
        for _ in 0..150 {
            let out = Command::new("xdotool")
                .args([
                    "search",
                    "--onlyvisible",
                    "--name",
                    "Enregistrer le tableau",
                ])
                .output()
                .expect("xdotool runs (scripts/deps.sh installs it)");
            let ids = String::from_utf8_lossy(&out.stdout).to_string();
            if let Some(id) = ids.lines().last().filter(|l| !l.trim().is_empty()) {
                found = Some(id.trim().to_owned());
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        found.expect("the save dialog opens")
    };
    let xdo = |args: &[&str]| {
        let status = Command::new("xdotool").args(args).status().unwrap();
        assert!(status.success(), "xdotool {args:?}");
    };
    xdo(&["windowfocus", "--sync", &found]);
    std::thread::sleep(Duration::from_millis(300));
    match path {
        Some(path) => {
            // Replace the proposed name with the whole path, then save.
            xdo(&["key", "--clearmodifiers", "ctrl+a"]);
            xdo(&["type", "--delay", "15", &path.display().to_string()]);
            std::thread::sleep(Duration::from_millis(300));
            xdo(&["key", "Return"]);
        }
        None => xdo(&["key", "Escape"]),
    }
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/e2e.sh"]
async fn a_manager_filters_drills_down_opens_a_dossier_and_exports_what_is_on_screen() {
    let out_dir = tempfile::tempdir().unwrap();
    let csv_path = out_dir.path().join("motifs-du-produit.csv");
    let csv_for_app = csv_path.clone();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None::<(ReportQuery, u64)>));
    let seen_in = seen.clone();
    with_app(|c| async move {
        // A clerk: no dashboard, not even by F4, and Rust refuses it.
        sign_in(&c, JULIE).await;
        assert!(
            absent(&c, "#nav-dashboard").await,
            "no dashboard for a clerk"
        );
        press(&c, keys::F4).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(absent(&c, "#dashboard-title").await);
        let err = invoke(
            &c,
            "dashboard",
            json!({ "query": { "from": "2026-01-01", "to": "2026-12-01" } }),
        )
        .await
        .expect_err("a clerk is refused");
        assert_eq!(err["code"], "manager_only", "{err}");

        // A manager takes over and opens the dashboard with F4.
        element(&c, "#switch-user").await.click().await.unwrap();
        sign_in(&c, SOPHIE).await;
        element(&c, "#nav-dashboard").await;
        press(&c, keys::F4).await;
        text_containing(&c, "#dashboard-title", &["Tableau de bord SAV"]).await;
        figures_shown(&c).await;
        shot(&c, "80-dashboard").await;

        // The last twelve months, then the product with the most dossiers.
        let twelve = c
            .find(Locator::XPath(
                "//button[normalize-space(.)='12 derniers mois']",
            ))
            .await
            .unwrap();
        twelve.click().await.unwrap();
        // The status line names the period of the figures on screen.
        let from = element(&c, "#filter-from")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        let from_fr = chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d")
            .unwrap()
            .format("Du %d/%m/%Y")
            .to_string();
        text_containing(&c, "#dashboard-status", &[&from_fr, "calculé le"]).await;
        let all_opened = kpi(&c, "kpi-opened").await;
        assert!(all_opened > 0, "the demo has dossiers over twelve months");
        let top_product = element(&c, "#products-table tbody tr").await;
        let product_id = top_product.attr("data-key").await.unwrap().unwrap();
        comptoir_e2e::choose(&c, "#filter-product", &product_id).await;
        element(&c, "#dashboard-apply").await.click().await.unwrap();
        let c2 = c.clone();
        let opened = eventually("the product's figures", move || {
            let c = c2.clone();
            async move {
                // The filtered report is on screen when its one product
                // counts as many dossiers as the period (read twice: the
                // screen may change between two reads).
                let rows = texts(&c, "#products-table tbody tr td.num").await;
                let n = kpi(&c, "kpi-opened").await;
                let again = texts(&c, "#products-table tbody tr td.num").await;
                let digits = |t: &str| t.chars().filter(char::is_ascii_digit).collect::<String>();
                (rows.len() == 1 && rows == again && digits(&rows[0]) == n.to_string()).then_some(n)
            }
        })
        .await;
        assert!(
            opened > 0 && opened <= all_opened,
            "{opened} of {all_opened}"
        );
        let from = element(&c, "#filter-from")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        let to = element(&c, "#filter-to")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        let mut q = ReportQuery::new(from.parse().unwrap(), to.parse().unwrap());
        q.filters.product_id = Some(comptoir_core::ids::ProductId::parse(&product_id).unwrap());
        q.scope = Scope::Store;
        *seen_in.lock().unwrap() = Some((q, opened));
        shot(&c, "81-dashboard-product").await;

        // The dossiers behind « Ouverts », and the first one opened with Enter.
        element(&c, "#kpi-opened").await.click().await.unwrap();
        text_containing(&c, "#drill-title", &["Dossiers ouverts sur la période"]).await;
        let total = element(&c, "#drill-status").await;
        let c2 = c.clone();
        let listed = eventually("the drill-down list", move || {
            let c = c2.clone();
            async move {
                let rows = texts(&c, "#drill-rows li").await;
                (!rows.is_empty()).then_some(rows.len())
            }
        })
        .await;
        assert_eq!(
            total.attr("data-total").await.unwrap().unwrap(),
            opened.to_string()
        );
        assert_eq!(listed as u64, opened.min(500));
        let first = element(&c, "#drill-rows li").await;
        let number = first.attr("data-dossier-number").await.unwrap().unwrap();
        shot(&c, "82-drill-down").await;
        element(&c, "#drill-rows")
            .await
            .send_keys(keys::ENTER)
            .await
            .unwrap();
        text_containing(&c, "#dossier-number", &[&number]).await;
        shot(&c, "83-drill-down-dossier").await;
        press(&c, keys::ESCAPE).await;
        text_containing(&c, "#drill-title", &["Dossiers ouverts"]).await;
        press(&c, keys::ESCAPE).await;
        figures_shown(&c).await;
        assert_eq!(kpi(&c, "kpi-opened").await, opened, "the same query kept");

        // The reasons on screen, then the same table saved as CSV.
        let mut on_screen = Vec::new();
        for row in c
            .find_all(Locator::Css("#reasons-table tbody tr"))
            .await
            .unwrap()
        {
            let label = row
                .find(Locator::Css("th"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let count = row
                .find(Locator::Css("td"))
                .await
                .unwrap()
                .attr("data-count")
                .await
                .unwrap()
                .unwrap();
            on_screen.push((label, count.parse::<u64>().unwrap()));
        }
        assert!(!on_screen.is_empty());
        assert_eq!(on_screen.iter().map(|r| r.1).sum::<u64>(), opened);

        // Cancelled: nothing written, and said.
        let export = element(&c, "[data-export='motifs']").await;
        export.click().await.unwrap();
        tokio::task::spawn_blocking(|| answer_save_dialog(None))
            .await
            .unwrap();
        text_containing(&c, "[data-export-outcome='motifs']", &["Export annulé"]).await;
        // Saved where the manager typed.
        export.click().await.unwrap();
        let target = csv_for_app.clone();
        tokio::task::spawn_blocking(move || answer_save_dialog(Some(&target)))
            .await
            .unwrap();
        text_containing(
            &c,
            "[data-export-outcome='motifs']",
            &["Enregistré", "motifs-du-produit.csv"],
        )
        .await;
        shot(&c, "84-dashboard-exported").await;
        let bytes = std::fs::read(&csv_for_app).unwrap();
        // Excel français by default: a BOM, `;` between fields.
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
        let mut r = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(&bytes[3..]);
        assert_eq!(
            r.headers().unwrap().iter().collect::<Vec<_>>(),
            vec!["motif", "libellé", "dossiers"]
        );
        let in_file: Vec<(String, u64)> = r
            .records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[1].to_owned(), rec[2].parse().unwrap())
            })
            .collect();
        assert_eq!(in_file, on_screen, "the file says what the screen says");
    })
    .await;

    // The same query through the store gives the figures on screen, and
    // the export is in the audit log.
    let (q, opened) = seen.lock().unwrap().clone().expect("the scenario ran");
    let store = Store::open(&db_path(), OpenMode::MustExist).await.unwrap();
    let report = store.dashboard(&q, Utc::now()).await.unwrap();
    assert_eq!(u64::from(report.period.opened), opened);
    let exports = store
        .audit_entries(Some("report_exported"), 5)
        .await
        .unwrap();
    let entry = exports.first().expect("the export is audited");
    assert_eq!(entry.actor, SOPHIE.login);
    assert_eq!(entry.subject, "motifs");
    assert_eq!(entry.detail["rows"], json!(report.reasons.len()));
    assert_eq!(
        exports.len(),
        1,
        "the cancelled export wrote nothing, not even its trace"
    );
    store.verify_audit().await.unwrap();
    store.close().await;
    assert!(csv_path.is_file());
}
