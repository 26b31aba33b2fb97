//! What every process test of `comptoir-ctl` does: run the real binary
//! (with a PIN or other input on stdin when needed), read its JSON answer
//! on stdout, or its JSON `{code, message}` refusal on stderr.
#![allow(dead_code)] // each test file uses its own part of it

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub fn ctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_comptoir-ctl"))
        .args(args)
        .output()
        .expect("comptoir-ctl runs")
}

/// [`ctl`], with `stdin` typed into it (a PIN, a confirmation).
pub fn ctl_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-ctl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("comptoir-ctl runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write to stdin");
    child.wait_with_output().expect("comptoir-ctl ends")
}

/// The JSON on stdout of a run that succeeded.
pub fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// [`err_json`] of a refusal that also printed nothing on stdout (a
/// report such as `dossier verify` prints what it found, then fails).
pub fn refused(out: &Output) -> Value {
    assert!(out.stdout.is_empty(), "nothing on stdout on a refusal");
    err_json(out)
}

/// The `{code, message}` on stderr of a run that failed, with a message.
pub fn err_json(out: &Output) -> Value {
    assert!(
        !out.status.success(),
        "expected a failure, got {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let line = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let v: Value =
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("JSON error on stderr: {line}"));
    assert!(
        v["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message: {v}"
    );
    v
}

/// A demo database of `customers` customers dated 23 November 2026, in `dir`.
pub fn demo_db(dir: &Path, customers: u64) -> String {
    let db = dir.join("demo.sqlite").display().to_string();
    let n = customers.to_string();
    let v = ok_json(&ctl(&[
        "demo-data",
        "--customers",
        &n,
        "--db",
        &db,
        "--as-of",
        "2026-11-23",
    ]));
    assert_eq!(v["customers"], customers);
    db
}
