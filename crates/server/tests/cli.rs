//! The real `comptoir-server` binary: `store`, `device` and `serve`, on both
//! backends.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_comptoir-server"));
    c.env_remove("COMPTOIR_SERVER_CONFIG");
    c
}

fn run(db: &Db, args: &[&str]) -> (bool, Value, Value) {
    let out = bin().args(args).args(db.cli_args()).output().unwrap();
    let parse = |b: &[u8]| serde_json::from_slice(b).unwrap_or(Value::Null);
    (out.status.success(), parse(&out.stdout), parse(&out.stderr))
}

async fn admin_commands(db: Db) {
    let (ok, v, _) = run(
        &db,
        &["store", "add", "--code", "LYO1", "--name", "Lyon Part-Dieu"],
    );
    assert!(ok);
    assert_eq!(v["code"], "LYO1");
    let (ok, _, err) = run(&db, &["store", "add", "--code", "LYO1", "--name", "Encore"]);
    assert!(!ok);
    assert_eq!(err["code"], "store_exists");
    assert!(err["message"].as_str().unwrap().contains("existe déjà"));
    let (ok, _, err) = run(&db, &["store", "add", "--code", "lyo 1", "--name", "X"]);
    assert!(!ok);
    assert_eq!(err["code"], "store_code_invalid");
    let (ok, v, _) = run(&db, &["store", "list"]);
    assert!(ok);
    assert_eq!(v.as_array().unwrap().len(), 1);

    let (ok, v, _) = run(&db, &["device", "enrol", "--store", "LYO1"]);
    assert!(ok);
    let code = v["code"].as_str().unwrap().to_owned();
    let (ok, _, err) = run(&db, &["device", "enrol", "--store", "ZZZ9"]);
    assert!(!ok);
    assert_eq!(err["code"], "store_unknown");

    // A server on the same data redeems the code printed by the CLI.
    let storage = db.storage().await;
    let srv = serve(storage, test_settings()).await;
    let (s, v) = Client::new(&srv.url())
        .post_json(
            "/v1/enrol",
            &json!({"code": code, "device_name": "Comptoir 1"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let token = v["token"].as_str().unwrap().to_owned();
    let id = v["device_id"].as_str().unwrap().to_owned();

    let (ok, v, _) = run(&db, &["device", "list", "--store", "LYO1"]);
    assert!(ok);
    assert_eq!(v[0]["id"], id.as_str());
    assert!(v[0]["revoked_at"].is_null());
    assert!(
        !v.to_string().contains("token"),
        "no token or hash listed: {v}"
    );
    let (ok, v, _) = run(&db, &["device", "revoke", "--id", &id]);
    assert!(ok);
    assert!(v["revoked_at"].is_string());
    // Revoked from another process: the running server refuses the next request.
    let (s, v) = Client::with_token(&srv.url(), &token).get("/v1/pull").await;
    assert_eq!((s, v["code"].as_str()), (401, Some("device_revoked")));
    srv.shutdown().await.unwrap();

    let (ok, _, err) = run(
        &db,
        &[
            "device",
            "revoke",
            "--id",
            "0190f0f0-0000-7000-8000-000000000000",
        ],
    );
    assert!(!ok);
    assert_eq!(err["code"], "device_unknown");
}
both!(admin_commands);

/// `policy publish`: a document below the legal floor or that is not TOML
/// is refused in French and publishes nothing; a good one is in the feed
/// of every store.
async fn policy_publication(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let good = comptoir_core::policy::DEFAULT_POLICY_TOML
        .replace("version = \"2026.1\"", "version = \"2026.12\"");
    let below = write(
        "below.toml",
        &good.replace("withdrawal_days = 14", "withdrawal_days = 7"),
    );
    let garbage = write("garbage.toml", "id = [");
    // A path that does not exist, or that is not text: said as such.
    let (ok, _, err) = run(&db, &["policy", "publish", "/nonexistent/politique.toml"]);
    assert!(!ok);
    assert_eq!(err["code"], "file_unreadable", "{err}");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/politique.toml : fichier introuvable"));
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let (ok, _, err) = run(&db, &["policy", "publish", binary.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(err["code"], "file_unreadable", "{err}");
    let good = write("good.toml", &good);
    let (ok, _, _) = run(&db, &["store", "add", "--code", "LYO1", "--name", "Lyon"]);
    assert!(ok);
    for bad in [&below, &garbage] {
        let (ok, out, err) = run(&db, &["policy", "publish", bad]);
        assert!(!ok, "{out}");
        assert_eq!(err["code"], "policy_invalid", "{err}");
        assert!(err["message"]
            .as_str()
            .unwrap()
            .starts_with("Politique de retour refusée, rien n'a été publié"));
    }
    let storage = db.storage().await;
    let feed = |s: std::sync::Arc<dyn comptoir_server::storage::Storage>| async move {
        s.feed("LYO1", comptoir_server::storage::Cursor::default(), 100)
            .await
            .unwrap()
    };
    assert!(feed(storage.clone()).await.is_empty(), "nothing published");
    let (ok, v, _) = run(&db, &["policy", "publish", &good]);
    assert!(ok);
    assert_eq!(v["version"], "2026.12");
    let rows = feed(storage).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].envelope.kind, "policy.published");
    assert_eq!(
        rows[0].envelope.id.to_string(),
        v["change_id"].as_str().unwrap()
    );
}
both!(policy_publication);

#[test]
fn no_database_is_a_french_error() {
    let out = bin().args(["store", "list"]).output().unwrap();
    assert!(!out.status.success());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["code"], "config_invalid");
    assert!(err["message"].as_str().unwrap().contains("indiquez --data"));
}

/// `serve` as a process: JSON logs with a request id, SIGTERM stops it
/// cleanly.
#[test]
fn serve_process_logs_json_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = bin()
        .args(["serve", "--data"])
        .arg(dir.path())
        .args(["--listen", &format!("127.0.0.1:{port}"), "--log-json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut up = false;
    while Instant::now() < deadline {
        if let Ok(out) = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                &format!("http://127.0.0.1:{port}/health"),
            ])
            .output()
        {
            if out.stdout == b"200" {
                up = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "server answered /health");
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "clean exit on SIGTERM: {:?}",
        out.status
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("JSON log line: {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["span"]["request_id"].is_string()
            || l["spans"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["request_id"].is_string()))),
        "a request id in the logs: {logs}"
    );
    assert!(
        lines.iter().any(|l| l["fields"]["message"] == "stopped"),
        "{logs}"
    );
}
