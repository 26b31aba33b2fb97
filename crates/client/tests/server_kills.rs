//! The central server killed with SIGKILL again and again while one counter
//! pushes and another pulls: the server runs as a process of its own (this
//! test binary re-executed as `child_server`, on a real SQLite file), and
//! is restarted on the same port after each kill. At the end nothing is
//! lost, nothing is stored or applied twice, and the server's file passes
//! `PRAGMA integrity_check`.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use comptoir_client::sync_once;
use comptoir_server::settings::Settings;
use comptoir_server::storage::sqlite::SqliteStorage;
use comptoir_server::storage::Storage;

const CHILD_DIR: &str = "COMPTOIR_TEST_CHILD_SERVER_DIR";
const CHILD_ADDR: &str = "COMPTOIR_TEST_CHILD_SERVER_ADDR";

fn settings(addr: &str) -> Settings {
    Settings {
        listen: addr.parse().unwrap(),
        // Small pages and batches: many requests to be killed in.
        max_batch: 5,
        max_pull: 20,
        shutdown_grace_secs: 1,
        ..Settings::default()
    }
}

/// Not a test of its own: the server process of the kill loop, when this
/// binary is re-executed with the directory and address in the environment.
#[test]
#[ignore = "the server process of server_killed_again_and_again (re-executed)"]
fn child_server() {
    let dir = PathBuf::from(std::env::var_os(CHILD_DIR).expect("run by the kill loop"));
    let addr = std::env::var(CHILD_ADDR).unwrap();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let storage: std::sync::Arc<dyn Storage> = std::sync::Arc::new(
            SqliteStorage::open(&dir.join("central.sqlite"))
                .await
                .unwrap(),
        );
        let listener = std::net::TcpListener::bind(&addr).unwrap();
        let _running = comptoir_server::app::launch(storage, settings(&addr), listener)
            .await
            .unwrap();
        // Until killed.
        loop {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}

fn start(dir: &Path, addr: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_server", "--nocapture"])
        .env(CHILD_DIR, dir)
        .env(CHILD_ADDR, addr)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `GET /health` answered 200, over a plain socket.
async fn healthy(addr: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    let req = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    answer.starts_with(b"HTTP/1.1 200")
}

async fn wait_healthy(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if healthy(addr).await {
            return;
        }
        assert!(Instant::now() < deadline, "the server never came up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_again_and_again_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    {
        let storage = SqliteStorage::open(&dir.path().join("central.sqlite"))
            .await
            .unwrap();
        for code in ["LYO1", "PAR1"] {
            storage
                .add_store(code, code, false, Utc::now())
                .await
                .unwrap();
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("http://{addr}");
    let mut server = start(dir.path(), &addr);
    wait_healthy(&addr).await;

    let lyon = support::counter(dir.path(), "LYO1", 30).await;
    let paris = support::counter(dir.path(), "PAR1", 30).await;
    let storage = SqliteStorage::open(&dir.path().join("central.sqlite"))
        .await
        .unwrap();
    support::enrolled(&storage, &url, &lyon, "LYO1").await;
    support::enrolled(&storage, &url, &paris, "PAR1").await;
    drop(storage);

    // Lyon, offline, opens a dossier and follows it up 400 times.
    let (customer, line) = support::helene(&lyon).await;
    let dossier = lyon
        .open_dossier(&support::intake(customer, line), Utc::now())
        .await
        .unwrap();
    let n: u64 = 400;
    for i in 0..n {
        lyon.add_note(dossier, "Julie M.", &format!("Relance {i:03}"), Utc::now())
            .await
            .unwrap();
    }
    assert_eq!(lyon.outbox_len().await.unwrap(), n + 1);

    // Kill the server while Lyon pushes and Paris pulls, restart it, again.
    let mut kills = 0;
    let mut round = 0u64;
    // Lyon's outbox after each round: it must drain across kills.
    let mut left = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        round += 1;
        let waiting = lyon.outbox_len().await.unwrap();
        let push = tokio::spawn({
            let lyon = lyon.clone();
            async move { sync_once(&lyon, &mut |_| {}).await }
        });
        let pull = tokio::spawn({
            let paris = paris.clone();
            async move { sync_once(&paris, &mut |_| {}).await }
        });
        // The kill: as soon as Lyon's outbox has started to drain (mid-push:
        // some batches acknowledged, others not), or 5 to 60 ms in when
        // there is nothing left to push (mid-pull).
        let started = Instant::now();
        let patience = Duration::from_millis(5 + (round * 37) % 56);
        loop {
            let now_waiting = lyon.outbox_len().await.unwrap();
            if (now_waiting < waiting && now_waiting > 0)
                || (waiting == 0 && started.elapsed() >= patience)
                || started.elapsed() > Duration::from_secs(5)
                || (push.is_finished() && pull.is_finished())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if !push.is_finished() || !pull.is_finished() {
            server.kill().unwrap(); // SIGKILL
            server.wait().unwrap();
            kills += 1;
        }
        let (pushed, pulled) = (push.await.unwrap(), pull.await.unwrap());
        left.push(lyon.outbox_len().await.unwrap());
        if server.try_wait().unwrap().is_some() {
            server = start(dir.path(), &addr);
            wait_healthy(&addr).await;
        }
        let done = pushed.is_ok()
            && pulled.is_ok()
            && lyon.outbox_len().await.unwrap() == 0
            && support::notes_of(&paris, dossier, "Relance ").await.len() as u64 == n;
        if done && kills >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "never finished ({kills} kills)");
    }
    assert!(kills >= 3, "only {kills} kills: no test");
    eprintln!(
        "{kills} SIGKILLs of the server in {round} rounds; Lyon's outbox after each: {left:?}"
    );
    assert!(
        left.iter().any(|&l| l > 0 && l < n + 1),
        "a kill came mid-push: {left:?}"
    );
    server.kill().unwrap();
    server.wait().unwrap();

    // Paris has every note once, in order; Lyon's outbox is empty.
    let at_paris = support::notes_of(&paris, dossier, "Relance ").await;
    let expected: Vec<String> = (0..n).map(|i| format!("Relance {i:03}")).collect();
    assert_eq!(at_paris, expected, "every note once, after {kills} kills");
    assert_eq!(
        support::notes_of(&lyon, dossier, "Relance ").await,
        expected
    );
    assert!(paris.verify_dossiers().await.unwrap().is_empty());
    paris.verify_integrity().await.unwrap();
    lyon.verify_integrity().await.unwrap();

    // The server's file: sound, every change once.
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("central.sqlite").display()
    ))
    .await
    .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let (all, distinct, events): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT id),
                (SELECT count(*) FROM changes WHERE entity_id = ? AND kind = 'dossier.event')
         FROM changes",
    )
    .bind(dossier)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(all, distinct);
    assert_eq!(
        events,
        i64::try_from(n).unwrap() + 1,
        "the opening and every note, once"
    );
    pool.close().await;
}
