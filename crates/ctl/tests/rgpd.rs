//! `comptoir-ctl customer erase` and `customer export --format pdf` — the
//! real binary on a real database file: the erasure's confirmation and
//! refusals, what is found afterwards; the readable PDF read back with
//! poppler (`pdftotext`, `pdftoppm`).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;
use common::{ctl_with_stdin, demo_db, ok_json, refused};

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

fn demo(dir: &Path) -> String {
    demo_db(dir, 60)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} ({e}): install poppler-utils"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn audit(db: &str, kind: &str) -> Vec<Value> {
    ok_json(&ctl_with_stdin(
        &["audit", "list", "--db", db, "--kind", kind],
        "",
    ))
    .as_array()
    .unwrap()
    .clone()
}

#[test]
fn a_customer_is_erased_only_when_confirmed_by_a_manager_and_without_an_open_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let card = ok_json(&ctl_with_stdin(
        &["customer", "add", "--db", &db, "--actor", "Julie M."],
        &json!({
            "title": "M.", "first_name": "Ulysse", "last_name": "Tréguier-Morvan",
            "address": {"line1": "3 rue des Cordiers", "postal_code": "69001", "city": "Lyon"},
            "phones": ["07 61 48 22 93"], "emails": ["ulysse.treguier@example.fr"]
        })
        .to_string(),
    ));
    let id = card["customer"]["id"].as_str().unwrap().to_owned();
    let intake = json!({
        "customer_id": id, "order_line_id": null, "declared_product": "Grille-pain",
        "reason_code": "defect.no_power", "customer_words": "M. Tréguier-Morvan : plus rien.",
        "condition": "good", "condition_note": null, "accessories": [],
        "serial_number": null, "actor": "Julie M.", "assignee": null
    });
    let file = dir.path().join("intake.json");
    std::fs::write(&file, intake.to_string()).unwrap();
    let opened = ok_json(&ctl_with_stdin(
        &["dossier", "open", "--db", &db, file.to_str().unwrap()],
        "",
    ));
    let number = opened["dossier"]["number"].as_str().unwrap().to_owned();

    // Without --yes: refused, says why, nothing written.
    let e = refused(&ctl_with_stdin(
        &[
            "customer", "erase", "--db", &db, "--id", &id, "--actor", "sophie.r",
        ],
        "",
    ));
    assert_eq!(e["code"], "erasure_not_confirmed", "{e}");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("--yes") && m.contains("annulé"), "{m}");
    // A clerk: refused.
    let e = refused(&ctl_with_stdin(
        &[
            "customer", "erase", "--db", &db, "--id", &id, "--actor", "julie.m", "--yes",
        ],
        "",
    ));
    assert_eq!(e["code"], "manager_only", "{e}");
    // An open dossier: refused, naming it.
    let e = refused(&ctl_with_stdin(
        &[
            "customer", "erase", "--db", &db, "--id", &id, "--actor", "sophie.r", "--yes",
        ],
        "",
    ));
    assert_eq!(e["code"], "erasure_open_dossier", "{e}");
    assert!(e["message"].as_str().unwrap().contains(&number), "{e}");
    assert!(
        audit(&db, "customer_erased").is_empty(),
        "refusals leave no trace"
    );
    let still = ok_json(&ctl_with_stdin(&["search", "--db", &db, "Tréguier"], ""));
    assert_eq!(still["hits"][0]["customer_id"], id.as_str());

    ok_json(&ctl_with_stdin(
        &[
            "dossier", "event", "--db", &db, &number, "--action", "cancel", "--actor", "Julie M.",
        ],
        "",
    ));
    let report = ok_json(&ctl_with_stdin(
        &[
            "customer", "erase", "--db", &db, "--id", &id, "--actor", "sophie.r", "--yes",
        ],
        "",
    ));
    assert_eq!(report["customer_id"], id.as_str());
    assert_eq!(report["dossiers_kept"], 1);
    for q in [
        "Tréguier",
        "Ulysse",
        "07 61 48 22 93",
        "ulysse.treguier@example.fr",
    ] {
        let r = ok_json(&ctl_with_stdin(&["search", "--db", &db, q], ""));
        assert!(
            r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["customer_id"] != id.as_str()),
            "{q} still finds the erased customer: {r}"
        );
    }
    let card = ok_json(&ctl_with_stdin(&["card", "--db", &db, &id], ""));
    assert_eq!(card["customer"]["display_name"], "Client effacé");
    let text = card.to_string();
    for t in [
        "Ulysse",
        "Tréguier",
        "61 48 22 93",
        "ulysse.treguier",
        "Cordiers",
    ] {
        assert!(!text.contains(t), "the card still holds {t}: {text}");
    }
    assert_eq!(
        card["dossiers"][0]["number"],
        number.as_str(),
        "the dossier stays"
    );
    let log = audit(&db, "customer_erased");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["actor"], "sophie.r");
    assert_eq!(log[0]["subject"], id.as_str());
    assert!(!log[0].to_string().contains("Tréguier"));
    ok_json(&ctl_with_stdin(&["audit", "verify", "--db", &db], ""));

    // Twice: a clear refusal, nothing more in the log.
    let e = refused(&ctl_with_stdin(
        &[
            "customer", "erase", "--db", &db, "--id", &id, "--actor", "sophie.r", "--yes",
        ],
        "",
    ));
    assert_eq!(e["code"], "customer_already_erased", "{e}");
    assert_eq!(audit(&db, "customer_erased").len(), 1);
}

#[test]
fn the_export_as_pdf_is_readable_and_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Hélène of the showcase: orders in store and on the web, dossiers.
    let found = ok_json(&ctl_with_stdin(
        &["search", "--db", &db, "helene.dupre@example.fr"],
        "",
    ));
    let id = found["hits"][0]["customer_id"].as_str().unwrap().to_owned();
    let card = ok_json(&ctl_with_stdin(&["card", "--db", &db, &id], ""));
    let numbers: Vec<String> = card["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["number"].as_str().unwrap().to_owned())
        .collect();
    assert!(!numbers.is_empty());

    let pdf = dir.path().join("export.pdf");
    let out = ok_json(&ctl_with_stdin(
        &[
            "customer",
            "export",
            "--db",
            &db,
            "--id",
            &id,
            "--actor",
            "sophie.r",
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ],
        "",
    ));
    assert_eq!(out["written"], pdf.to_str().unwrap());
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(out["bytes"], bytes.len());

    let text = run(Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-"));
    for expected in [
        "Vos données personnelles",
        "Hélène Dupré",
        "helene.dupre@example.fr",
        "Consentements",
        "Achats",
        "Dossiers SAV",
        "Corrections de la fiche",
        "€",
    ] {
        assert!(
            text.contains(expected),
            "« {expected} » not in the PDF:\n{text}"
        );
    }
    for n in &numbers {
        assert!(
            text.contains(n.as_str()),
            "dossier {n} not in the PDF:\n{text}"
        );
    }
    let order = card["orders"][0]["number"].as_str().unwrap();
    assert!(text.contains(order), "order {order} not in the PDF");

    // Rendered as images: several pages (the dossiers start on their own).
    let prefix = dir.path().join("page");
    run(Command::new("pdftoppm")
        .args(["-r", "50", "-png"])
        .arg(&pdf)
        .arg(&prefix));
    let pages = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("page"))
        .count();
    assert!(pages >= 2, "{pages} page(s)");
    let info = run(Command::new("pdfinfo").arg(&pdf));
    let counted: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert_eq!(counted, pages, "{info}");
    assert!(text.contains(&format!("page 1/{pages}")), "footer");

    // Two exports recorded; JSON is still the default.
    let json_export = ok_json(&ctl_with_stdin(
        &[
            "customer", "export", "--db", &db, "--id", &id, "--actor", "sophie.r",
        ],
        "",
    ));
    assert_eq!(json_export["format"], "comptoir.customer-export/1");
    assert_eq!(audit(&db, "customer_exported").len(), 2);

    // A PDF needs a file; a folder that cannot be written gets nothing.
    let e = refused(&ctl_with_stdin(
        &[
            "customer", "export", "--db", &db, "--id", &id, "--actor", "sophie.r", "--format",
            "pdf",
        ],
        "",
    ));
    assert_eq!(e["code"], "out_required", "{e}");
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let target = locked.join("export.pdf");
    let e = refused(&ctl_with_stdin(
        &[
            "customer",
            "export",
            "--db",
            &db,
            "--id",
            &id,
            "--actor",
            "sophie.r",
            "--format",
            "pdf",
            "--out",
            locked.join("missing").join("export.pdf").to_str().unwrap(),
        ],
        "",
    ));
    assert_eq!(e["code"], "export_not_written", "{e}");
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(&locked).unwrap().count(),
        0,
        "no temporary file left"
    );
}
