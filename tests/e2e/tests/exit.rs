//! The app closes its database when it is asked to stop. A SIGTERM (the
//! session ending, a service manager, `kill`) takes the same path as closing
//! the last window: the store is closed, its WAL folded back, so the
//! database file alone holds everything the app wrote. Without that, SQLite
//! leaves the last writes in `comptoir.sqlite-wal`, and a copy of the file
//! alone (a backup, a support copy) lacks them.
//!
//! The app is started directly (no WebDriver session, which would kill it)
//! on a copy of the e2e database whose return policy was removed: the app
//! installs the default policy as it starts, a write of its own.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

async fn connect(path: &Path, read_only: bool) -> SqliteConnection {
    SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(path)
            .read_only(read_only),
    )
    .await
    .unwrap()
}

async fn policies(path: &Path) -> i64 {
    let mut c = connect(path, true).await;
    let n = sqlx::query_scalar("SELECT count(*) FROM policies")
        .fetch_one(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    n
}

#[tokio::test]
#[ignore = "needs a display and the built app: run by scripts/e2e.sh"]
async fn sigterm_closes_the_database_and_the_file_alone_holds_the_writes() {
    let source = PathBuf::from(std::env::var_os("COMPTOIR_DB").expect("COMPTOIR_DB"));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("comptoir.sqlite");
    {
        let mut c = connect(&source, true).await;
        sqlx::query("VACUUM INTO ?")
            .bind(db.display().to_string())
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
        let mut c = connect(&db, false).await;
        sqlx::query("DELETE FROM policies")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
    assert_eq!(policies(&db).await, 0);

    let mut app = Command::new(comptoir_e2e::app_binary())
        .env("COMPTOIR_DB", &db)
        .stdout(Stdio::piped()) // its log
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Read its log as it comes, so a full pipe never blocks it.
    let mut out = app.stdout.take().unwrap();
    let log_reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let started = Instant::now();
    while policies(&db).await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the app wrote no policy within 60 s"
        );
        assert!(app.try_wait().unwrap().is_none(), "the app exited early");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The write is in the WAL while the app runs.
    assert!(
        std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false),
        "the app's write should sit in {} while it runs",
        wal.display()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    let status = Command::new("kill")
        .args(["-TERM", &app.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopped = Instant::now();
    let exit = loop {
        if let Some(exit) = app.try_wait().unwrap() {
            break exit;
        }
        if stopped.elapsed() > Duration::from_secs(20) {
            let _ = app.kill();
            panic!("the app did not stop within 20 s of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let log = log_reader.join().unwrap();
    assert!(exit.success(), "exit {exit:?} after SIGTERM\n{log}");
    assert!(
        log.contains("database closed"),
        "the app should say it closed the database:\n{log}"
    );
    assert!(
        std::fs::metadata(&wal)
            .map(|m| m.len() == 0)
            .unwrap_or(true),
        "the WAL still holds writes after the app stopped"
    );

    // The file alone, copied without its journals, holds the app's write.
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.sqlite");
    std::fs::copy(&db, &copy).unwrap();
    assert_eq!(policies(&copy).await, 1, "the copy lacks the app's write");
    let mut c = connect(&copy, true).await;
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(ok, "ok");
    c.close().await.unwrap();
}
