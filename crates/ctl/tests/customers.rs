//! `comptoir-ctl customer add | edit | check` — the real binary on a real
//! database file: JSON in (stdin or a file), the card out, refusals as the
//! JSON error on stderr with nothing written.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;
use common::{ctl_with_stdin, demo_db, ok_json, refused};

use std::path::Path;

use serde_json::{json, Value};

fn demo(dir: &Path) -> String {
    demo_db(dir, 60)
}

fn outbox_len(db: &str) -> usize {
    ok_json(&ctl_with_stdin(&["outbox", "list", "--db", db], ""))
        .as_array()
        .unwrap()
        .len()
}

fn walk_in() -> Value {
    json!({
        "title": "Mme",
        "first_name": "Inès",
        "last_name": "Bouvier",
        "address": {"line1": "5 place Bellecour", "postal_code": "69002", "city": "Lyon"},
        "phones": ["07 52 33 41 18"],
        "emails": ["ines.bouvier@example.fr"],
        "email_marketing": true
    })
}

#[test]
fn a_customer_is_added_found_and_corrected_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let outbox0 = outbox_len(&db);

    let card = ok_json(&ctl_with_stdin(
        &["customer", "add", "--db", &db, "--actor", "Julie M."],
        &walk_in().to_string(),
    ));
    assert_eq!(card["customer"]["display_name"], "Mme Inès Bouvier");
    assert_eq!(card["history"][0]["summary"], "Fiche client créée");
    let id = card["customer"]["id"].as_str().unwrap().to_owned();
    assert_eq!(outbox_len(&db), outbox0 + 1);

    let found = ok_json(&ctl_with_stdin(
        &["search", "--db", &db, "+33 7 52 33 41 18"],
        "",
    ));
    assert_eq!(found["hits"][0]["customer_id"], id.as_str());

    // The correction from a file this time.
    let patch = dir.path().join("patch.json");
    std::fs::write(
        &patch,
        r#"{"emails": ["ines.b@example.org"], "sms_marketing": true}"#,
    )
    .unwrap();
    let card = ok_json(&ctl_with_stdin(
        &[
            "customer",
            "edit",
            "--db",
            &db,
            "--id",
            &id,
            "--actor",
            "Karim B.",
            patch.to_str().unwrap(),
        ],
        "",
    ));
    let history = card["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    let email = history.iter().find(|h| h["field"] == "emails").unwrap();
    assert_eq!(email["summary"], "E-mail modifié");
    assert_eq!(email["actor"], "Karim B.");
    assert_eq!(email["before"], "ines.bouvier@example.fr");
    assert_eq!(email["after"], "ines.b@example.org");
    assert_eq!(outbox_len(&db), outbox0 + 3);
    let found = ok_json(&ctl_with_stdin(
        &["search", "--db", &db, "ines.b@example.org"],
        "",
    ));
    assert_eq!(found["hits"][0]["customer_id"], id.as_str());
}

#[test]
fn refusals_are_json_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let outbox0 = outbox_len(&db);
    let mut no_name = walk_in();
    no_name["first_name"] = json!("");
    no_name["last_name"] = json!("");
    let mut bad_email = walk_in();
    bad_email["emails"] = json!(["ines@bouvier"]);
    let mut bad_phone = walk_in();
    bad_phone["phones"] = json!(["07 52"]);
    let mut long_city = walk_in();
    long_city["address"]["city"] = json!("x".repeat(300));
    let mut unknown = walk_in();
    unknown["birthday"] = json!("1990-01-01");
    for (input, code) in [
        (no_name, "customer_without_name"),
        (bad_email, "invalid_email"),
        (bad_phone, "invalid_phone"),
        (long_city, "text_too_long"),
        (unknown, "invalid_json"),
    ] {
        let e = refused(&ctl_with_stdin(
            &["customer", "add", "--db", &db, "--actor", "Julie"],
            &input.to_string(),
        ));
        assert_eq!(e["code"], code, "{e}");
    }
    let e = refused(&ctl_with_stdin(
        &[
            "customer",
            "edit",
            "--db",
            &db,
            "--id",
            "pas-un-id",
            "--actor",
            "Julie",
        ],
        "{}",
    ));
    assert_eq!(e["code"], "invalid_id");
    assert_eq!(outbox_len(&db), outbox0, "nothing written");
}

#[test]
fn a_possible_duplicate_is_reported_and_saved_only_when_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let mut input = walk_in();
    input["phones"] = json!(["+33612345678"]); // Hélène Dupré's (demo showcase)
    let check = ok_json(&ctl_with_stdin(
        &["customer", "check", "--db", &db],
        &input.to_string(),
    ));
    assert_eq!(check["problems"], json!([]));
    assert_eq!(check["duplicates"][0]["field"], "phones.0");
    assert_eq!(check["duplicates"][0]["display_name"], "Mme Hélène Dupré");

    let outbox0 = outbox_len(&db);
    let e = refused(&ctl_with_stdin(
        &["customer", "add", "--db", &db, "--actor", "Julie"],
        &input.to_string(),
    ));
    assert_eq!(e["code"], "possible_duplicate");
    assert!(
        e["message"].as_str().unwrap().contains("Hélène Dupré"),
        "{e}"
    );
    assert_eq!(outbox_len(&db), outbox0);

    let card = ok_json(&ctl_with_stdin(
        &[
            "customer",
            "add",
            "--db",
            &db,
            "--actor",
            "Julie",
            "--confirm-duplicates",
        ],
        &input.to_string(),
    ));
    assert_eq!(card["customer"]["last_name"], "Bouvier");
    assert_eq!(outbox_len(&db), outbox0 + 1);

    let bad = ok_json(&ctl_with_stdin(
        &["customer", "check", "--db", &db],
        r#"{"last_name": "Bouvier", "first_name": "Inès", "emails": ["x@"]}"#,
    ));
    assert_eq!(bad["problems"][0]["field"], "emails.0");
    assert_eq!(bad["problems"][0]["code"], "invalid_email");
}

/// `customer export`: everything held about a customer (RGPD right of
/// access) — the card, every order and dossier, every correction — and the
/// export's trace in the audit log; an unknown customer or a missing actor
/// is a JSON error and leaves no trace.
#[test]
fn a_customer_export_holds_everything_and_is_recorded_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Hélène of the showcase: orders in store and on the web, dossiers.
    let found = ok_json(&ctl_with_stdin(
        &["search", "--db", &db, "helene.dupre@example.fr"],
        "",
    ));
    let id = found["hits"][0]["customer_id"].as_str().unwrap().to_owned();
    let card = ok_json(&ctl_with_stdin(&["card", "--db", &db, &id], ""));
    ok_json(&ctl_with_stdin(
        &[
            "customer", "edit", "--db", &db, "--id", &id, "--actor", "Karim B.",
        ],
        r#"{"sms_marketing": true}"#,
    ));
    let export = ok_json(&ctl_with_stdin(
        &[
            "customer",
            "export",
            "--db",
            &db,
            "--id",
            &id,
            "--actor",
            "Sophie Roux",
        ],
        "",
    ));
    assert_eq!(export["format"], "comptoir.customer-export/1");
    assert_eq!(export["exported_by"], "Sophie Roux");
    assert_eq!(export["customer"]["id"], id.as_str());
    assert_eq!(export["customer"]["contacts"], card["customer"]["contacts"]);
    assert_eq!(
        export["orders"], card["orders"],
        "every order, as on the card"
    );
    assert_eq!(
        export["dossiers"], card["dossiers"],
        "every dossier and its timeline"
    );
    assert!(!export["orders"].as_array().unwrap().is_empty());
    assert!(!export["dossiers"].as_array().unwrap().is_empty());
    let corrections = export["corrections"].as_array().unwrap();
    assert!(
        corrections
            .iter()
            .any(|c| c["field"] == "sms_marketing" && c["actor"] == "Karim B."),
        "{corrections:?}"
    );
    let log = ok_json(&ctl_with_stdin(
        &["audit", "list", "--db", &db, "--kind", "customer_exported"],
        "",
    ));
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0]["actor"].as_str(), log[0]["subject"].as_str()),
        (Some("Sophie Roux"), Some(id.as_str()))
    );

    // Refusals: JSON errors, and no trace.
    let nobody = "0190e5a0-0000-7000-8000-000000000001";
    let e = refused(&ctl_with_stdin(
        &[
            "customer",
            "export",
            "--db",
            &db,
            "--id",
            nobody,
            "--actor",
            "Sophie Roux",
        ],
        "",
    ));
    assert_eq!(e["code"], "not_found", "{e}");
    let e = refused(&ctl_with_stdin(
        &[
            "customer", "export", "--db", &db, "--id", &id, "--actor", " ",
        ],
        "",
    ));
    assert_eq!(e["code"], "missing_field", "{e}");
    let log = ok_json(&ctl_with_stdin(
        &["audit", "list", "--db", &db, "--kind", "customer_exported"],
        "",
    ));
    assert_eq!(log.as_array().unwrap().len(), 1, "refusals leave no trace");
    ok_json(&ctl_with_stdin(&["audit", "verify", "--db", &db], ""));
}
