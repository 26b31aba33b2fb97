//! Only our files: every kind of file that is not a sound Comptoir database
//! is refused with its own code and left byte-identical — no migration, no
//! backup, no table, no journal mode change.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use comptoir_store::{OpenMode, Store};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, SqliteConnection};

fn sha256(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(format!("{:x}", Sha256::digest(&bytes)))
}

/// The files in a directory. The read-only check of one of our own files
/// may leave SQLite's shared-memory index and an *empty* WAL beside it (no
/// data); anything else counts.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !(name.ends_with("-shm") || name.ends_with("-wal") && e.metadata().unwrap().len() == 0)
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// A raw connection, as another program would open the file.
async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap()
}

/// A closed, checkpointed Comptoir database with a little data.
async fn comptoir_file(path: &Path) {
    common::demo_store_at(path, 20, 9).await.close().await;
}

/// Runs SQL on a Comptoir file behind Comptoir's back, then leaves it as
/// one file again.
async fn tamper(path: &Path, sql: &str) {
    let mut c = raw(path).await;
    c.execute(sql).await.unwrap();
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    c.close().await.unwrap();
}

struct Bad {
    name: &'static str,
    code: &'static str,
    words: &'static str,
}

async fn make(name: &str, path: &Path) {
    match name {
        "another application's SQLite file" => {
            let mut c = raw(path).await;
            c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('courses')")
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        "an SQLite file with another application id" => {
            let mut c = raw(path).await;
            c.execute("PRAGMA application_id = 1234; CREATE TABLE t (x)")
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        "another sqlx application's database" => {
            let mut c = raw(path).await;
            c.execute(
                "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
                   installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
                   checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);
                 INSERT INTO _sqlx_migrations VALUES (1, 'init', CURRENT_TIMESTAMP, 1, x'00112233', 1);
                 CREATE TABLE customers (id INTEGER PRIMARY KEY)",
            )
            .await
            .unwrap();
            c.close().await.unwrap();
        }
        "an empty file" => std::fs::write(path, b"").unwrap(),
        "a directory" => std::fs::create_dir(path).unwrap(),
        "random bytes" => {
            let bytes: Vec<u8> = (0..20_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
            std::fs::write(path, bytes).unwrap();
        }
        "a truncated database" => {
            comptoir_file(path).await;
            let bytes = std::fs::read(path).unwrap();
            std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
        }
        "a database cut inside its header" => {
            comptoir_file(path).await;
            let bytes = std::fs::read(path).unwrap();
            std::fs::write(path, &bytes[..60]).unwrap();
        }
        "scrambled pages" => {
            comptoir_file(path).await;
            let mut bytes = std::fs::read(path).unwrap();
            for (i, b) in bytes.iter_mut().enumerate().skip(4096) {
                *b ^= (i % 251) as u8 | 1;
            }
            std::fs::write(path, &bytes).unwrap();
        }
        "a read-only file" => {
            comptoir_file(path).await;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
        "a migration checksum altered" => {
            comptoir_file(path).await;
            tamper(
                path,
                "UPDATE _sqlx_migrations SET checksum = x'deadbeef' WHERE version = 2",
            )
            .await;
        }
        "a migration row marked failed" => {
            comptoir_file(path).await;
            tamper(
                path,
                "UPDATE _sqlx_migrations SET success = 0 WHERE version = 3",
            )
            .await;
        }
        "the migration table missing" => {
            comptoir_file(path).await;
            tamper(path, "DROP TABLE _sqlx_migrations").await;
        }
        "the migration history emptied" => {
            comptoir_file(path).await;
            tamper(path, "DELETE FROM _sqlx_migrations").await;
        }
        "a version from a newer build" => {
            comptoir_file(path).await;
            tamper(
                path,
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES (9999, 'from the future', 1, x'00', 1)",
            )
            .await;
        }
        other => panic!("no recipe for {other}"),
    }
}

#[tokio::test]
async fn every_bad_file_gets_its_code_and_is_left_byte_identical() {
    let table = [
        Bad {
            name: "another application's SQLite file",
            code: "db_foreign",
            words: "n'est pas une base Comptoir",
        },
        Bad {
            name: "an SQLite file with another application id",
            code: "db_foreign",
            words: "n'est pas une base Comptoir",
        },
        Bad {
            name: "another sqlx application's database",
            code: "db_foreign",
            words: "n'est pas une base Comptoir",
        },
        Bad {
            name: "an empty file",
            code: "db_empty",
            words: "vide",
        },
        Bad {
            name: "a directory",
            code: "db_not_a_file",
            words: "dossier",
        },
        Bad {
            name: "random bytes",
            code: "db_corrupt",
            words: "endommagée",
        },
        Bad {
            name: "a truncated database",
            code: "db_corrupt",
            words: "endommagée",
        },
        Bad {
            name: "a database cut inside its header",
            code: "db_corrupt",
            words: "endommagée",
        },
        Bad {
            name: "scrambled pages",
            code: "db_corrupt",
            words: "endommagée",
        },
        Bad {
            name: "a read-only file",
            code: "db_read_only",
            words: "lecture seule",
        },
        Bad {
            name: "a migration checksum altered",
            code: "db_history_checksum",
            words: "version 2",
        },
        Bad {
            name: "a migration row marked failed",
            code: "db_history_failed",
            words: "version 3",
        },
        Bad {
            name: "the migration table missing",
            code: "db_history_missing",
            words: "historique",
        },
        Bad {
            name: "the migration history emptied",
            code: "db_history_missing",
            words: "historique",
        },
        Bad {
            name: "a version from a newer build",
            code: "db_too_new",
            words: "plus récente",
        },
    ];
    for bad in table {
        for mode in [OpenMode::MustExist, OpenMode::CreateIfMissing] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("comptoir.sqlite");
            make(bad.name, &path).await;
            let before = (sha256(&path), listing(dir.path()));
            let e = Store::open(&path, mode).await.unwrap_err();
            assert_eq!(e.code(), bad.code, "{} ({mode:?}): {e}", bad.name);
            assert!(
                e.message_fr().contains(bad.words),
                "{}: {}",
                bad.name,
                e.message_fr()
            );
            let after = (sha256(&path), listing(dir.path()));
            assert_eq!(before, after, "{} ({mode:?}) was modified", bad.name);
            println!(
                "{:45} {:22} sha256 {}",
                bad.name,
                bad.code,
                before.0.as_deref().unwrap_or("(directory)")
            );
        }
    }
}

#[tokio::test]
async fn a_new_database_carries_our_application_id_and_no_leftover() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comptoir.sqlite");
    let store = Store::open(&path, OpenMode::CreateIfMissing).await.unwrap();
    let id: i64 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(id, i64::from(u32::from_be_bytes(*b"CMPT")));
    store.close().await;
    let files = listing(dir.path());
    assert_eq!(
        files,
        BTreeSet::from(["comptoir.sqlite".to_owned()]),
        "no temporary file, no backup of a new database"
    );
    // The header says it without SQLite.
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[68..72], b"CMPT");
}

#[tokio::test]
async fn a_database_made_before_the_application_id_is_recognised_and_marked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comptoir.sqlite");
    comptoir_file(&path).await;
    // As built by an earlier Comptoir: no application id, migration 5 not applied.
    tamper(
        &path,
        "PRAGMA application_id = 0; DELETE FROM _sqlx_migrations WHERE version = 5",
    )
    .await;
    assert_eq!(&std::fs::read(&path).unwrap()[68..72], &[0, 0, 0, 0]);
    let store = Store::open(&path, OpenMode::MustExist).await.unwrap();
    assert_eq!(store.app_info().await.unwrap().customers, 20);
    store.close().await;
    assert_eq!(&std::fs::read(&path).unwrap()[68..72], b"CMPT");
    let backups = listing(dir.path())
        .into_iter()
        .filter(|n| n.ends_with(".bak"))
        .count();
    assert_eq!(backups, 1, "backed up before migration 5");
}
