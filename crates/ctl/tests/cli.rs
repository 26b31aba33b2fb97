//! The real `comptoir-ctl` binary on a real database file: JSON out, JSON
//! errors with a French message and a non-zero exit, PDFs whose barcodes
//! scan back to the dossier number.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;
use common::{ctl, ctl_with_stdin, demo_db, err_json, ok_json};

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn demo(dir: &Path) -> String {
    demo_db(dir, 150)
}

/// Runs a checking tool (pdftoppm, zbarimg, pdftotext); a missing tool
/// fails the test (scripts/deps.sh --test installs them), never skips it.
fn run_tool(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?} ({e}): install poppler-utils and zbar-tools (scripts/deps.sh --test)")
    })
}

#[test]
fn search_and_errors_speak_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let v = ok_json(&ctl(&["search", "--db", &db, "helene dupre"]));
    assert!(v["hits"].as_array().unwrap().len() >= 3);
    let v = ok_json(&ctl(&["search", "--db", &db, "W10000001"]));
    assert_eq!(v["direct"]["kind"], "order");

    let e = err_json(&ctl(&["search", "--db", &db, "x"]));
    assert_eq!(e["code"], "query_too_short");
    assert!(e["message"].as_str().unwrap().starts_with("Saisissez"));
    let missing = dir.path().join("absent.sqlite").display().to_string();
    let e = err_json(&ctl(&["search", "--db", &missing, "dupre"]));
    assert_eq!(e["code"], "db_missing");
    assert!(
        !Path::new(&missing).exists(),
        "a missing database is never created by search"
    );
    let e = err_json(&ctl(&["demo-data", "--customers", "10", "--db", &db]));
    assert_eq!(e["code"], "demo_not_empty");
}

#[test]
fn a_dossier_opened_moved_and_printed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let hit = ok_json(&ctl(&["search", "--db", &db, "W10000001"]));
    let customer = hit["direct"]["customer_id"].as_str().unwrap().to_owned();
    // The web order's line id, from the dossier opened online on it.
    let online = ok_json(&ctl(&[
        "dossier",
        "show",
        "--db",
        &db,
        "SAV-WEB-2026-000001",
    ]));
    let line = online["dossier"]["order_line_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(online["order"]["number"], "W10000001");

    let intake = serde_json::json!({
        "customer_id": customer, "order_line_id": line, "declared_product": null,
        "reason_code": "defect.battery", "customer_words": "Ne se recharge plus sur sa base.",
        "condition": "good", "condition_note": null, "accessories": ["Base de charge"],
        "serial_number": "IR2609120456", "actor": "Julie M.", "assignee": null
    });
    let file = dir.path().join("intake.json");
    std::fs::write(&file, intake.to_string()).unwrap();
    let opened = ok_json(&ctl(&[
        "dossier",
        "open",
        "--db",
        &db,
        file.to_str().unwrap(),
    ]));
    let number = opened["dossier"]["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("SAV-LYO1-"), "{number}");
    assert_eq!(opened["dossier"]["status"], "opened");
    assert!(opened["dossier"]["promised_at"].is_string());

    // Out of order: refused, French reason, nothing changed.
    let e = err_json(&ctl(&[
        "dossier",
        "event",
        "--db",
        &db,
        &number,
        "--action",
        "hand_back",
        "--actor",
        "Karim B.",
    ]));
    assert_eq!(e["code"], "transition_not_allowed");
    let moved = ok_json(&ctl(&[
        "dossier",
        "event",
        "--db",
        &db,
        &number,
        "--action",
        "diagnose",
        "--actor",
        "Karim B.",
        "--note",
        "Batterie HS",
    ]));
    assert_eq!(moved["dossier"]["status"], "diagnosed");
    assert_eq!(moved["dossier"]["events"].as_array().unwrap().len(), 2);
    let e = err_json(&ctl(&[
        "dossier", "event", "--db", &db, &number, "--action", "teleport", "--actor", "K",
    ]));
    assert_eq!(e["code"], "unknown_value");

    // A wrong serial opens nothing.
    let mut bad = intake.clone();
    bad["serial_number"] = "XX".into();
    std::fs::write(&file, bad.to_string()).unwrap();
    assert_eq!(
        err_json(&ctl(&[
            "dossier",
            "open",
            "--db",
            &db,
            file.to_str().unwrap()
        ]))["code"],
        "serial_mismatch"
    );
    std::fs::write(&file, "{\"customer_id\": ").unwrap();
    let e = err_json(&ctl(&[
        "dossier",
        "open",
        "--db",
        &db,
        file.to_str().unwrap(),
    ]));
    assert_eq!(e["code"], "invalid_json");
    assert!(e["message"].as_str().unwrap().contains("ligne 1"));

    for format in ["a4", "receipt"] {
        let pdf = dir.path().join(format!("{format}.pdf"));
        let v = ok_json(&ctl(&[
            "dossier",
            "print",
            "--db",
            &db,
            &number,
            "--format",
            format,
            "--out",
            pdf.to_str().unwrap(),
        ]));
        assert_eq!(v["number"], number.as_str());
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let prefix = dir.path().join(format!("{format}-page"));
        let st = run_tool(
            Command::new("pdftoppm")
                .args(["-r", "300", "-png"])
                .arg(&pdf)
                .arg(&prefix),
        );
        assert!(st.status.success());
        let page = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{format}-page"))
            })
            .unwrap();
        let out = run_tool(
            Command::new("zbarimg")
                .args(["--raw", "-q", "-Sdisable", "-Scode128.enable"])
                .arg(&page),
        );
        let decoded = String::from_utf8_lossy(&out.stdout);
        assert!(
            decoded.lines().any(|l| l.trim() == number),
            "{format}: Code 128 decoded {decoded:?}"
        );
    }
    let e = err_json(&ctl(&[
        "dossier",
        "print",
        "--db",
        &db,
        "SAV-NOPE-2026-000001",
        "--out",
        "/tmp/x.pdf",
    ]));
    assert_eq!(e["code"], "not_found");
}

#[test]
fn calendar_deadline_across_a_holiday_weekend() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Friday 22 May 2026, 15:00 in Lyon; Whit Monday 25 May is a holiday.
    let v = ok_json(&ctl(&[
        "calendar",
        "deadline",
        "--db",
        &db,
        "--store",
        "LYO1",
        "--from",
        "2026-05-22T15:00:00+02:00",
        "--working-hours",
        "48",
    ]));
    assert_eq!(v["deadline_local"], "29/05/2026 15:30");
    assert_eq!(v["promise"], "48 heures ouvrées");
    let v = ok_json(&ctl(&[
        "calendar",
        "deadline",
        "--db",
        &db,
        "--store",
        "LYO1",
        "--from",
        "2026-05-22T15:00:00+02:00",
        "--working-days",
        "40",
        "--legal-cap",
    ]));
    assert_eq!(
        v["capped"], true,
        "40 working days is beyond the 30-day legal cap"
    );
    let e = err_json(&ctl(&[
        "calendar",
        "deadline",
        "--db",
        &db,
        "--store",
        "ZZZ1",
        "--from",
        "2026-05-22T15:00:00+02:00",
        "--working-hours",
        "4",
    ]));
    assert_eq!(e["code"], "not_found");
}

#[test]
fn policy_check_and_eval() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
        .join("../core/policy/default.toml");
    let policy = policy.to_str().unwrap();
    let v = ok_json(&ctl(&["policy", "check", policy]));
    assert_eq!(v["valid"], true);

    // Below the legal floor: withdrawal shortened to 10 days.
    let text = std::fs::read_to_string(policy)
        .unwrap()
        .replace("withdrawal_days = 14", "withdrawal_days = 10");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, text).unwrap();
    let e = err_json(&ctl(&["policy", "check", bad.to_str().unwrap()]));
    assert_eq!(e["code"], "policy_below_legal_floor");
    assert!(e["message"].as_str().unwrap().contains("L221-18"), "{e}");

    // LAW.md worked case 1: web order delivered 10 days ago, unopened.
    let case = dir.path().join("case.json");
    std::fs::write(
        &case,
        r#"{ "channel": "web", "purchase_date": "2026-11-10", "delivery_date": "2026-11-13",
             "request_date": "2026-11-23", "category": "small_appliance", "sold_as": "new",
             "item_state": "unopened", "reason": "change_of_mind", "price": 20000,
             "delivery_paid": 990, "customer": { "dossiers_last_30_days": 0, "value_tier": "loyal" } }"#,
    )
    .unwrap();
    let d = ok_json(&ctl(&[
        "policy",
        "eval",
        "--policy",
        policy,
        "--case",
        case.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ]));
    let refund = d["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["resolution"] == "refund")
        .unwrap();
    assert_eq!(refund["allowed"], true, "{refund}");
    assert_eq!(refund["basis"], "legal");
    assert_eq!(refund["needs_manager"], false);
    assert!(refund["explanation"].as_str().unwrap().len() > 20);

    // A request date in the future is an error, not a silent default.
    let e = err_json(&ctl(&[
        "policy",
        "eval",
        "--policy",
        policy,
        "--case",
        case.to_str().unwrap(),
        "--today",
        "2026-11-20",
    ]));
    assert_eq!(e["code"], "date_in_future");
}

/// Runs comptoir-ctl with `stdin` piped in (a PIN).
#[test]
fn a_decision_approved_by_a_manager_is_on_the_timeline_and_the_ticket() {
    let dir = tempfile::tempdir().unwrap();
    // Dated today: the television was bought six days ago.
    let db = dir.path().join("demo.sqlite").display().to_string();
    ok_json(&ctl(&["demo-data", "--customers", "60", "--db", &db]));
    let card = ok_json(&ctl(&["search", "--db", &db, "W10000001"]));
    let customer = card["direct"]["customer_id"].as_str().unwrap().to_owned();
    let users = ok_json(&ctl(&["user", "list", "--db", &db]));
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["login"] == "sophie.r" && u["role"] == "manager"));
    assert!(
        !users.to_string().contains("argon2"),
        "hashes never leave the store"
    );
    // The television's line, from the customer's card.
    let tv_order = comptoir_demo::showcase::tv_order_number(chrono::Utc::now());
    let hit = ok_json(&ctl(&["search", "--db", &db, &tv_order]));
    assert_eq!(hit["direct"]["customer_id"], customer.as_str(), "{hit}");
    let card = ok_json(&ctl(&["card", "--db", &db, &customer]));
    let line = card["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["number"] == tv_order.as_str())
        .expect("the television on the card")["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let intake = serde_json::json!({
        "customer_id": customer, "order_line_id": line, "declared_product": null,
        "reason_code": "withdrawal.changed_mind",
        "customer_words": "Trop grand pour le salon.", "condition": "as_new", "condition_note": null,
        "accessories": ["Télécommande"], "serial_number": null, "actor": "Julie Martin", "assignee": null
    });
    let file = dir.path().join("intake.json");
    std::fs::write(&file, intake.to_string()).unwrap();
    let opened = ok_json(&ctl(&[
        "dossier",
        "open",
        "--db",
        &db,
        file.to_str().unwrap(),
    ]));
    let number = opened["dossier"]["number"].as_str().unwrap().to_owned();

    // A credit note above the clerk's limit: refused without a manager…
    let decide = |manager: Option<&str>, pin: &str| {
        let mut args = vec![
            "dossier",
            "decide",
            "--db",
            &db,
            &number,
            "--resolution",
            "credit_note",
            "--actor",
            "Julie Martin",
        ];
        if let Some(m) = manager {
            args.extend(["--manager", m]);
        }
        ctl_with_stdin(&args, pin)
    };
    let e = err_json(&decide(None, ""));
    assert_eq!(e["code"], "manager_approval_required", "{e}");
    // …with a wrong PIN…
    let e = err_json(&decide(Some("sophie.r"), "1111\n"));
    assert_eq!(e["code"], "pin_wrong");
    let shown = ok_json(&ctl(&["dossier", "show", "--db", &db, &number]));
    assert!(shown["dossier"]["decision"].is_null(), "nothing written");
    // …approved with the right one.
    let done = ok_json(&decide(Some("sophie.r"), "4826\n"));
    let d = &done["dossier"];
    assert_eq!(d["decision"]["resolution"], "credit_note");
    assert_eq!(d["decision"]["approved_by"], "Sophie Roux");
    let kinds: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "decision", "approval"]);

    // The printed ticket says what was decided, on which basis, under which
    // policy version, and who approved it.
    let ticket_text = |name: &str| -> String {
        let pdf = dir.path().join(name);
        ok_json(&ctl(&[
            "dossier",
            "print",
            "--db",
            &db,
            &number,
            "--out",
            pdf.to_str().unwrap(),
        ]));
        let out = run_tool(Command::new("pdftotext").arg(&pdf).arg("-"));
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    {
        let text = ticket_text("decision.pdf");
        for needle in [
            "Décision",
            "Avoir de",
            "version 2026.1",
            "Accord de Sophie Roux",
        ] {
            assert!(
                text.contains(needle),
                "{needle:?} not in the ticket: {text}"
            );
        }
        assert!(
            !text.contains("CM2C"),
            "no mediator without a refusal: {text}"
        );
    }

    // Changed to a refusal (no legal right here: the clerk may refuse):
    // the ticket then gives the consumer mediator's details (L612-1).
    let refused = ok_json(&ctl(&[
        "dossier",
        "decide",
        "--db",
        &db,
        &number,
        "--resolution",
        "refusal",
        "--actor",
        "Julie Martin",
        "--note",
        "Écran rayé à la reprise.",
    ]));
    assert_eq!(refused["dossier"]["decision"]["resolution"], "refusal");
    {
        let text = ticket_text("refusal.pdf");
        for needle in [
            "Refus",
            "Motif : Écran rayé à la reprise.",
            "Médiateur de la consommation",
            "CM2C",
        ] {
            assert!(
                text.contains(needle),
                "{needle:?} not in the ticket: {text}"
            );
        }
    }

    // Users: a PIN of letters is refused, a duplicate login too.
    let e = err_json(&ctl_with_stdin(
        &[
            "user", "add", "--db", &db, "--login", "lea.k", "--name", "Léa K.", "--role", "clerk",
        ],
        "abcd\n",
    ));
    assert_eq!(e["code"], "pin_format");
    ok_json(&ctl_with_stdin(
        &[
            "user", "add", "--db", &db, "--login", "lea.k", "--name", "Léa K.", "--role", "clerk",
        ],
        "2468\n",
    ));
    let e = err_json(&ctl_with_stdin(
        &[
            "user", "add", "--db", &db, "--login", "LEA.K", "--name", "Léa bis", "--role",
            "manager",
        ],
        "2468\n",
    ));
    assert_eq!(e["code"], "login_taken");
}

/// `dossier verify` finds nothing to say on a demo database after dossiers
/// were worked on; after a projection column is changed behind the store's
/// back (plain SQL, as with sqlite3), it names that dossier and column and
/// exits non-zero; `dossier rebuild` puts the row back from its events.
#[test]
fn verify_names_a_dossier_altered_behind_the_store_and_rebuild_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let number = "SAV-LYO1-2026-000001";
    ok_json(&ctl(&[
        "dossier",
        "event",
        "--db",
        &db,
        number,
        "--action",
        "note",
        "--actor",
        "Karim B.",
        "--note",
        "Client rappelé",
    ]));
    let clean = ok_json(&ctl(&["dossier", "verify", "--db", &db]));
    assert_eq!(clean, serde_json::json!([]), "{clean}");

    let sql = |q: &str| {
        let q = q.to_owned();
        let db = db.clone();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{db}"))
                    .await
                    .unwrap();
                let n = sqlx::query(&q)
                    .execute(&mut c)
                    .await
                    .unwrap()
                    .rows_affected();
                c.close().await.unwrap();
                n
            })
    };
    let before = ok_json(&ctl(&["dossier", "show", "--db", &db, number]));
    assert_eq!(before["dossier"]["status"], "closed", "{before}");
    assert_eq!(
        sql(&format!(
            "UPDATE dossiers SET status = 'diagnosed' WHERE number = '{number}'"
        )),
        1
    );

    let out = ctl(&["dossier", "verify", "--db", &db]);
    let e = err_json(&out);
    assert_eq!(e["code"], "dossiers_differ", "{e}");
    let found: Value = serde_json::from_slice(&out.stdout).expect("the differences on stdout");
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["number"], number);
    assert!(
        found[0]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "status"),
        "{found:?}"
    );

    let rebuilt = ok_json(&ctl(&["dossier", "rebuild", "--db", &db]));
    assert!(rebuilt["rewritten"].as_u64().unwrap() >= 1, "{rebuilt}");
    assert_eq!(
        ok_json(&ctl(&["dossier", "verify", "--db", &db])),
        serde_json::json!([])
    );
    let after = ok_json(&ctl(&["dossier", "show", "--db", &db, number]));
    assert_eq!(after["dossier"]["status"], before["dossier"]["status"]);
}

/// `audit verify` walks the chain; `audit list` reads it; an entry altered
/// with sqlite3-like SQL behind the store's back (its trigger dropped) is
/// named by number, with a non-zero exit.
#[test]
fn audit_verify_and_list_name_the_entry_altered_behind_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for login in ["sophie.r", "marc.p", "sophie.r"] {
        ok_json(&ctl(&["user", "unlock", "--db", &db, "--login", login]));
    }
    let v = ok_json(&ctl(&["audit", "verify", "--db", &db]));
    assert_eq!(v["entries"], 3, "{v}");
    let list = ok_json(&ctl(&[
        "audit",
        "list",
        "--db",
        &db,
        "--kind",
        "account_unlocked",
    ]));
    let subjects: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["sophie.r", "marc.p", "sophie.r"], "newest first");

    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET subject = 'julie.m' WHERE seq = 2")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let e = err_json(&ctl(&["audit", "verify", "--db", &db]));
    assert_eq!(e["code"], "audit_chain_broken", "{e}");
    assert!(e["message"].as_str().unwrap().contains("n° 2"), "{e}");
}

#[test]
fn report_as_json_and_csv_with_bom_and_semicolons() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let period = ["--from", "2026-01-01", "--to", "2026-11-23"];
    let report = |extra: &[&str]| {
        let mut args = vec!["report", "--db", &db];
        args.extend_from_slice(&period);
        args.extend_from_slice(extra);
        ctl(&args)
    };
    let v = ok_json(&report(&[]));
    let opened = v["period"]["opened"].as_u64().unwrap();
    assert!(opened > 0, "{v}");
    let reasons: u64 = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(reasons, opened, "every dossier has one reason");

    // `;` and a BOM, into a file: parsed back by the csv crate.
    let out = dir.path().join("motifs.csv");
    let out_s = out.display().to_string();
    let w = ok_json(&report(&[
        "--format",
        "csv",
        "--table",
        "motifs",
        "--separator",
        ";",
        "--bom",
        "--out",
        &out_s,
    ]));
    assert_eq!(w["path"], out_s.as_str());
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(w["bytes"].as_u64().unwrap(), bytes.len() as u64);
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["motif", "libellé", "dossiers"]
    );
    let records: Vec<csv::StringRecord> = r.records().map(|rec| rec.unwrap()).collect();
    let total: u64 = records
        .iter()
        .map(|rec| rec[2].parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, opened);
    assert_eq!(
        w["rows"].as_u64().unwrap(),
        records.len() as u64,
        "data rows"
    );
    // The export is in the audit log, with its table and its period.
    let audit = ok_json(&ctl(&[
        "audit",
        "list",
        "--db",
        &db,
        "--kind",
        "report_exported",
    ]));
    let entry = &audit.as_array().expect("entries")[0];
    assert_eq!(entry["subject"], "motifs", "{entry}");
    assert_eq!(entry["actor"], "administration", "{entry}");
    assert!(!std::fs::read_dir(dir.path()).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));

    // Every dossier of the period, on stdout, comma-separated, no BOM.
    let csv_out = report(&["--format", "csv", "--table", "dossiers"]);
    assert!(csv_out.status.success());
    assert!(!csv_out.stdout.starts_with(b"\xEF\xBB\xBF"));
    let mut r = csv::Reader::from_reader(&csv_out.stdout[..]);
    assert_eq!(&r.headers().unwrap()[0], "numéro");
    assert_eq!(r.records().count() as u64, opened);

    // A folder that cannot be written: a French message, nothing left behind.
    let blocker = dir.path().join("fichier.txt");
    std::fs::write(&blocker, "pas un dossier").unwrap();
    let bad = blocker.join("rapport.csv").display().to_string();
    let e = err_json(&report(&["--format", "csv", "--out", &bad]));
    assert_eq!(e["code"], "export_not_written");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Rien n'a été écrit"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "pas un dossier");

    let e = err_json(&ctl(&[
        "report",
        "--db",
        &db,
        "--from",
        "2026-11-30",
        "--to",
        "2026-11-01",
    ]));
    assert_eq!(e["code"], "report_period_inverted");
    let e = err_json(&report(&["--format", "csv", "--table", "nope"]));
    assert_eq!(e["code"], "unknown_table");
    let e = err_json(&report(&["--separator", "|", "--format", "csv"]));
    assert_eq!(e["code"], "invalid_separator");
}
