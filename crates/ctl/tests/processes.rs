//! Real processes on one database file: several `comptoir-ctl` writing at
//! once queue for the write lock (no "database is locked"); a dossier acted
//! on by twenty processes at once gets one transition and named refusals;
//! the file alone holds what was reported written; SIGTERM stops cleanly;
//! kill -9 inside the transaction never damages the file nor reuses a
//! number.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{Connection, SqliteConnection};

const CTL: &str = env!("CARGO_BIN_EXE_comptoir-ctl");

fn ctl(args: &[&str]) -> Output {
    Command::new(CTL)
        .args(args)
        .output()
        .expect("comptoir-ctl runs")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// The JSON error on the last line of stderr.
fn stderr_json(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|_| panic!("JSON error on stderr: {text}"))
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
    intake: PathBuf,
}

impl Db {
    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

/// A demo database and an intake file for one of its customers (declared
/// product, so any number of dossiers can be opened on it).
fn demo() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comptoir.sqlite");
    stdout_json(&ctl(&[
        "demo-data",
        "--customers",
        "150",
        "--db",
        path.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
    ]));
    let hit = stdout_json(&ctl(&[
        "search",
        "--db",
        path.to_str().unwrap(),
        "W10000001",
    ]));
    let customer = hit["direct"]["customer_id"].as_str().unwrap().to_owned();
    let intake = serde_json::json!({
        "customer_id": customer, "order_line_id": null,
        "declared_product": "Aspirateur robot", "reason_code": "defect.no_power",
        "customer_words": "Ne s'allume plus.", "condition": "good", "condition_note": null,
        "accessories": [], "serial_number": null, "actor": "Julie M.", "assignee": null
    });
    let file = dir.path().join("intake.json");
    std::fs::write(&file, intake.to_string()).unwrap();
    Db {
        _dir: dir,
        path,
        intake: file,
    }
}

fn open_dossier(db: &Db) -> Output {
    ctl(&[
        "dossier",
        "open",
        "--db",
        db.path(),
        db.intake.to_str().unwrap(),
    ])
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Facts read straight from a file with SQLite (read-only).
fn facts(path: &Path, sql: &str) -> Vec<(String, i64)> {
    block_on(async {
        let mut c = SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
            .await
            .unwrap();
        let rows: Vec<(String, i64)> = sqlx::query_as(sql).fetch_all(&mut c).await.unwrap();
        c.close().await.unwrap();
        rows
    })
}

fn integrity(path: &Path) -> String {
    facts(
        path,
        "SELECT integrity_check, 0 FROM pragma_integrity_check",
    )
    .into_iter()
    .map(|(s, _)| s)
    .collect::<Vec<_>>()
    .join("; ")
}

/// Every dossier's number, and how many dossiers lack their `opened` event.
fn dossier_numbers(path: &Path) -> (Vec<String>, i64) {
    let numbers = facts(path, "SELECT number, 0 FROM dossiers ORDER BY number")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let orphans = facts(
        path,
        "SELECT 'orphans', count(*) FROM dossiers d WHERE NOT EXISTS
           (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.kind = 'opened')",
    )[0]
    .1;
    (numbers, orphans)
}

#[test]
fn four_writers_and_a_searcher_at_once_never_fail() {
    let db = Arc::new(demo());
    let before = dossier_numbers(&db.path).0.len();
    let stop = Arc::new(AtomicBool::new(false));
    let searcher = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut searches = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let out = ctl(&["search", "--db", db.path(), "dupre"]);
                let v = stdout_json(&out);
                assert!(!v["hits"].as_array().unwrap().is_empty());
                searches += 1;
            }
            searches
        })
    };
    let started = Instant::now();
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                (0..50)
                    .map(|_| {
                        let out = open_dossier(&db);
                        if out.status.success() {
                            Ok(stdout_json(&out)["dossier"]["number"]
                                .as_str()
                                .unwrap()
                                .to_owned())
                        } else {
                            Err(stderr_json(&out))
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<Result<String, Value>> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let elapsed = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let searches = searcher.join().unwrap();

    let errors: Vec<&Value> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(errors.is_empty(), "{} failures: {errors:?}", errors.len());
    let numbers: BTreeSet<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(results.len(), 200);
    assert_eq!(numbers.len(), 200, "no number given twice");
    assert!(searches > 0);
    let (all, orphans) = dossier_numbers(&db.path);
    assert_eq!(all.len(), before + 200);
    assert_eq!(orphans, 0);
    assert_eq!(integrity(&db.path), "ok");
    println!("200 intakes by 4 processes in {elapsed:?}, {searches} searches meanwhile");
}

#[test]
fn twenty_processes_on_one_dossier_get_one_transition_and_named_refusals() {
    let db = demo();
    let number = stdout_json(&open_dossier(&db))["dossier"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let children: Vec<_> = (0..20)
        .map(|i| {
            let mut cmd = Command::new(CTL);
            cmd.args(["dossier", "event", "--db", db.path(), &number, "--actor"])
                .arg(format!("Poste {i}"));
            if i % 2 == 0 {
                cmd.args(["--action", "diagnose"]);
            } else {
                cmd.args(["--action", "note", "--note", "Client rappelé"]);
            }
            cmd.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut diagnosed = 0;
    let mut notes = 0;
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        match (i % 2 == 0, out.status.success()) {
            (true, true) => diagnosed += 1,
            (false, true) => notes += 1,
            (true, false) => {
                let e = stderr_json(&out);
                assert_eq!(e["code"], "transition_not_allowed", "{e}");
            }
            (false, false) => panic!("a note failed: {}", stderr_json(&out)),
        }
    }
    assert_eq!(diagnosed, 1, "exactly one process moves the dossier");
    assert_eq!(notes, 10);
    let shown = stdout_json(&ctl(&["dossier", "show", "--db", db.path(), &number]));
    assert_eq!(shown["dossier"]["status"], "diagnosed");
    let kinds: Vec<&str> = shown["dossier"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "note").count(),
        10,
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k != "note" && **k != "opened")
            .count(),
        1,
        "{kinds:?}"
    );
}

#[test]
fn after_a_dossier_open_the_file_alone_holds_it() {
    let db = demo();
    let number = stdout_json(&open_dossier(&db))["dossier"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let wal = PathBuf::from(format!("{}-wal", db.path()));
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0,
        "the WAL was folded back at exit"
    );
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.sqlite");
    std::fs::copy(&db.path, &copy).unwrap();
    let shown = stdout_json(&ctl(&[
        "dossier",
        "show",
        "--db",
        copy.to_str().unwrap(),
        &number,
    ]));
    assert_eq!(shown["dossier"]["number"], number.as_str());
}

#[test]
fn sigterm_stops_cleanly_with_the_json_error_and_a_sound_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.sqlite");
    let mut child = Command::new(CTL)
        .args([
            "demo-data",
            "--customers",
            "40000",
            "--db",
            path.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is writing (the first progress line), then SIGTERM.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "demo-data ended early"
        );
        if line.contains("clients") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "stderr: {rest}");
    let last = rest.lines().last().unwrap_or_default();
    let e: Value = serde_json::from_str(last).unwrap_or_else(|_| panic!("JSON on stderr: {rest}"));
    assert_eq!(e["code"], "terminated");
    assert!(e["message"].as_str().unwrap().contains("fermée proprement"));

    // Closed properly: no WAL left, and the file alone is sound.
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0);
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(&path, &copy).unwrap();
    assert_eq!(integrity(&copy), "ok");
    let counts = facts(
        &copy,
        "SELECT 'counts', (SELECT count(*) FROM customers) - (SELECT count(*) FROM customer_fts)",
    );
    assert_eq!(
        counts[0].1, 0,
        "every customer with its search entry (whole batches only)"
    );
}

#[test]
fn kill_9_inside_the_transaction_never_damages_the_file_nor_reuses_a_number() {
    let db = demo();
    let (before, _) = dossier_numbers(&db.path);
    let mut landed_inside = 0;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..100 {
        let mut child = Command::new(CTL)
            .args([
                "dossier",
                "open",
                "--db",
                db.path(),
                db.intake.to_str().unwrap(),
            ])
            // sqlx logs each statement once it ran: the first one inside the
            // transaction says the write lock is held.
            .env("COMPTOIR_LOG", "sqlx::query=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let mut inside = false;
        while stderr.read_line(&mut line).unwrap_or(0) > 0 {
            if line.contains("SELECT EXISTS(SELECT 1 FROM customers") {
                inside = true;
                break;
            }
            line.clear();
        }
        // xorshift: a delay of 0 to 3 ms after the transaction began.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 3_000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if inside && !status.success() {
            landed_inside += 1;
        }
    }
    let (after, orphans) = dossier_numbers(&db.path);
    assert_eq!(integrity(&db.path), "ok");
    assert_eq!(orphans, 0, "every dossier has its opened event");
    let distinct: BTreeSet<&String> = after.iter().collect();
    assert_eq!(distinct.len(), after.len(), "no number reused");
    // The counter goes on after the last number written.
    let next = stdout_json(&open_dossier(&db))["dossier"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!after.contains(&next));
    assert!(after
        .iter()
        .all(|n| *n < next || !n.starts_with("SAV-LYO1-")));
    println!(
        "100 kill -9: {landed_inside} landed after the transaction began; {} of 100 dossiers committed",
        after.len() - before.len()
    );
    assert!(
        landed_inside >= 50,
        "kills timed inside the transaction: {landed_inside}"
    );
}
