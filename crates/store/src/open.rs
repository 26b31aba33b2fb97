//! Opening the database safely. Only our own files are opened read-write:
//! a Comptoir database carries our `PRAGMA application_id` (or, made before
//! it did, our first migration in its history). Anything else — another
//! application's SQLite file, an empty file, a directory, random bytes, a
//! damaged file, a read-only one, an altered migration history — gets its
//! own error and is left byte-identical: no migration, no backup, no table,
//! not even the WAL journal mode. A new database is built under a temporary
//! name and linked into place whole, so a crash never leaves half a file.
//! Migrations run only after a backup, which a failure removes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};

use crate::error::HistoryProblem;
use crate::{Result, StoreError};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// `PRAGMA application_id` of a Comptoir database: "CMPT" in ASCII. Set by
/// migration 0005.
pub const APPLICATION_ID: u32 = u32::from_be_bytes(*b"CMPT");

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// Size of SQLite's file header; the application id is at byte 68.
const HEADER_LEN: usize = 100;
const APPLICATION_ID_OFFSET: usize = 68;

/// How long a writer waits for the write lock before `db_busy`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Files up to this size get a full page check when opened.
const FULL_CHECK_MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// First start of a counter: create an empty database.
    CreateIfMissing,
    /// The file must be there (a configured path, a command-line tool):
    /// creating an empty one would hide a mistake.
    MustExist,
}

/// What the file's first bytes say, read without SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Our application id.
    Ours,
    /// An SQLite file without an application id: ours only if its history
    /// starts with our first migration (made before migration 0005).
    Unmarked,
}

pub(crate) async fn open_pool(path: &Path, mode: OpenMode) -> Result<SqlitePool> {
    let kind = match inspect(path)? {
        Some(kind) => kind,
        None if mode == OpenMode::MustExist => {
            return Err(StoreError::DatabaseMissing(path.to_owned()))
        }
        None => {
            create(path).await?;
            inspect(path)?.ok_or_else(|| StoreError::DatabaseMissing(path.to_owned()))?
        }
    };
    let pending = check_history(path, kind).await?;

    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .after_release(|conn, _| Box::pin(release_check(conn)))
        .connect_with(options(path))
        .await
        .map_err(|e| classify(path, e))?;
    if pending {
        if let Err(e) = migrate(&pool, path).await {
            pool.close().await;
            return Err(e);
        }
    }
    Ok(pool)
}

/// A connection goes back to the pool only outside any transaction. A write
/// dropped on an error queues its `ROLLBACK`; the ping lets it run first.
/// When SQLite already ended the transaction itself (a `COMMIT` refused for
/// a full disk, `SQLITE_FULL` or `SQLITE_IOERR` mid-statement), that
/// `ROLLBACK` fails and sqlx still counts the connection as inside a
/// transaction, so every later write on it would be refused: such a
/// connection is closed instead (the pool opens a fresh one).
async fn release_check(
    conn: &mut sqlx::SqliteConnection,
) -> std::result::Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a connection left inside a transaction after an error is closed");
        return Ok(false);
    }
    Ok(true)
}

fn options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .pragma("temp_store", "memory")
        // 64 MiB of pages a connection (four at most), allocated as they
        // are read: a small counter file never reaches it. On the
        // 1,000,000-customer bench file the dashboard's CSV of 104,318
        // dossiers reads ~80 MB of the dossiers and the names' index; with
        // 32 MiB it re-read pages from the OS all along (p50 1.4–1.5 s, a
        // fifth of the time in `pread`), with 64 MiB p50 1.0 s.
        .pragma("cache_size", "-65536")
        .pragma(
            "wal_autocheckpoint",
            crate::checkpoint::AUTOCHECKPOINT_PAGES,
        )
}

/// Checks every page of the file (`PRAGMA quick_check`): slow on a large
/// database, meant for a maintenance command or a background task.
///
/// On a connection of its own, never a pooled one: SQLite 3.46's check of
/// the FTS5 index (`xIntegrity`, run by `quick_check`) reads the index
/// structure a pooled connection has cached, and reports « malformed
/// inverted index » when another connection of the pool changed the index
/// since — a false alarm: the same file checked on a fresh connection is
/// sound (seen in `crates/client/tests/story.rs`, 39 runs out of 40 with a
/// check after every sync, before this).
pub(crate) async fn verify(path: &Path) -> Result<()> {
    let mut conn = SqliteConnection::connect_with(&options(path)).await?;
    let rows: Result<Vec<String>> = sqlx::query_scalar("PRAGMA quick_check(5)")
        .fetch_all(&mut conn)
        .await
        .map_err(Into::into);
    let _ = conn.close().await;
    let rows = rows?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(StoreError::DatabaseCorrupt {
            path: path.to_owned(),
            detail: rows.join("; "),
        })
    }
}

/// Refuses files we must not touch, before SQLite opens them; `None` when
/// there is no file.
fn inspect(path: &Path) -> Result<Option<Kind>> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !meta.is_file() {
        return Err(StoreError::DatabaseNotAFile(path.to_owned()));
    }
    if meta.len() == 0 {
        return Err(StoreError::DatabaseEmpty(path.to_owned()));
    }
    if meta.permissions().readonly() {
        return Err(StoreError::DatabaseReadOnly(path.to_owned()));
    }
    use std::io::Read;
    let mut header = Vec::with_capacity(HEADER_LEN);
    std::fs::File::open(path)?
        .take(HEADER_LEN as u64)
        .read_to_end(&mut header)?;
    if header.len() < HEADER_LEN || !header.starts_with(SQLITE_HEADER) {
        return Err(StoreError::DatabaseCorrupt {
            path: path.to_owned(),
            detail: "not an SQLite file (bad or short header)".to_owned(),
        });
    }
    let mut id = [0u8; 4];
    id.copy_from_slice(&header[APPLICATION_ID_OFFSET..APPLICATION_ID_OFFSET + 4]);
    match u32::from_be_bytes(id) {
        APPLICATION_ID => Ok(Some(Kind::Ours)),
        0 => Ok(Some(Kind::Unmarked)),
        other => Err(StoreError::DatabaseForeign {
            path: path.to_owned(),
            application_id: Some(other),
        }),
    }
}

/// Reads the migration history through a read-only connection and checks
/// it against this build's migrations. `Ok(true)` when migrations are
/// pending.
async fn check_history(path: &Path, kind: Kind) -> Result<bool> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(BUSY_TIMEOUT);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| classify(path, e))?;
    let result = match check_pages(&mut conn, path).await {
        Ok(()) => read_history(&mut conn).await.map_err(|e| classify(path, e)),
        Err(e) => Err(e),
    };
    let _ = conn.close().await;
    let history = result?;
    judge_history(path, kind, &history)
}

/// Reading the schema fails at once on a damaged header or page 1. A full
/// page check costs about 4 s per GiB, so it runs at start only while the
/// file is small (a counter's own database, the tests); a large one gets the
/// cheap check, and `Store::verify_integrity` on demand.
async fn check_pages(conn: &mut SqliteConnection, path: &Path) -> Result<()> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let sql = if size <= FULL_CHECK_MAX_BYTES {
        "PRAGMA quick_check(1)"
    } else {
        "SELECT CASE WHEN count(*) >= 0 THEN 'ok' END FROM sqlite_master"
    };
    match sqlx::query_scalar::<_, String>(sql)
        .fetch_one(&mut *conn)
        .await
    {
        Ok(ok) if ok == "ok" => Ok(()),
        Ok(detail) => Err(StoreError::DatabaseCorrupt {
            path: path.to_owned(),
            detail,
        }),
        Err(e) => Err(classify(path, e)),
    }
}

/// One row of `_sqlx_migrations`; `None` when the table is missing.
type History = Option<Vec<(i64, Vec<u8>, bool)>>;

async fn read_history(conn: &mut SqliteConnection) -> Result<History, sqlx::Error> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !has_table {
        return Ok(None);
    }
    let rows =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    Ok(Some(rows))
}

fn judge_history(path: &Path, kind: Kind, history: &History) -> Result<bool> {
    let history_error = |problem| StoreError::MigrationHistory {
        path: path.to_owned(),
        problem,
    };
    let first = MIGRATOR.iter().next();
    let rows = match (kind, history) {
        (Kind::Unmarked, Some(rows))
            if first.is_some_and(|m| {
                rows.iter()
                    .any(|(v, sum, _)| *v == m.version && sum.as_slice() == &*m.checksum)
            }) =>
        {
            rows
        }
        (Kind::Unmarked, _) => {
            return Err(StoreError::DatabaseForeign {
                path: path.to_owned(),
                application_id: None,
            })
        }
        (Kind::Ours, None) => return Err(history_error(HistoryProblem::Missing)),
        (Kind::Ours, Some(rows)) if rows.is_empty() => {
            return Err(history_error(HistoryProblem::Missing))
        }
        (Kind::Ours, Some(rows)) => rows,
    };
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(found) = rows.iter().map(|(v, _, _)| *v).filter(|v| *v > known).max() {
        return Err(StoreError::DatabaseTooNew { found, known });
    }
    for (version, checksum, success) in rows {
        let Some(m) = MIGRATOR.iter().find(|m| m.version == *version) else {
            return Err(history_error(HistoryProblem::Unknown { version: *version }));
        };
        if !success {
            return Err(history_error(HistoryProblem::Failed { version: *version }));
        }
        if checksum.as_slice() != &*m.checksum {
            return Err(history_error(HistoryProblem::Checksum {
                version: *version,
            }));
        }
    }
    Ok(MIGRATOR
        .iter()
        .any(|m| !rows.iter().any(|(v, _, _)| *v == m.version)))
}

/// Maps SQLite's result codes to errors a person can act on.
fn classify(path: &Path, e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let primary = db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|c| c & 0xff);
        match primary {
            Some(8) => return StoreError::DatabaseReadOnly(path.to_owned()),
            Some(11) | Some(26) => {
                return StoreError::DatabaseCorrupt {
                    path: path.to_owned(),
                    detail: db.message().to_owned(),
                }
            }
            Some(14) => return StoreError::DatabaseMissing(path.to_owned()),
            _ => {}
        }
    }
    StoreError::from(e)
}

/// A new database: built and migrated under a temporary name beside the
/// final one, folded into one file, then linked into place in one step (a
/// link never replaces a file that appeared meanwhile).
async fn create(path: &Path) -> Result<()> {
    let tmp = sibling(
        path,
        &format!(".creating-{}", uuid::Uuid::now_v7().simple()),
    );
    let built = build_new(&tmp).await;
    let placed = built.and_then(|()| {
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            // Another program created it meanwhile: theirs is used.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e.into()),
        }
    });
    remove_with_journals(&tmp);
    placed?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

async fn build_new(tmp: &Path) -> Result<()> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options(tmp).create_if_missing(true))
        .await
        .map_err(|e| classify(tmp, e))?;
    let run = async {
        MIGRATOR.run(&pool).await.map_err(migration_error)?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await?;
        // A WAL-mode file keeps its mode; switching to DELETE for the link
        // and back would only add writes. The file is complete after the
        // checkpoint; the journals are removed with the temporary name.
        Ok::<(), StoreError>(())
    }
    .await;
    pool.close().await;
    run
}

fn remove_with_journals(path: &Path) {
    for p in [
        path.to_owned(),
        sibling(path, "-wal"),
        sibling(path, "-shm"),
        sibling(path, "-journal"),
    ] {
        let _ = std::fs::remove_file(p);
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// A failed migration whose cause is a full disk is named as such.
fn migration_error(e: sqlx::migrate::MigrateError) -> StoreError {
    use sqlx::migrate::MigrateError;
    let inner = match &e {
        MigrateError::Execute(inner) | MigrateError::ExecuteMigration(inner, _) => Some(inner),
        _ => None,
    };
    if inner
        .and_then(crate::sqlite_error::classify)
        .is_some_and(|c| matches!(c, StoreError::DiskFull))
    {
        return StoreError::DiskFull;
    }
    StoreError::Migration(e)
}

async fn migrate(pool: &SqlitePool, path: &Path) -> Result<()> {
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let backup = backup_path(path, known);
    tracing::info!(backup = %backup.display(), "backing up the database before migrating");
    if let Err(e) = sqlx::query("VACUUM INTO ?")
        .bind(backup.display().to_string())
        .execute(pool)
        .await
    {
        // Never leave a partial copy that could pass for a backup.
        remove_with_journals(&backup);
        return Err(match crate::sqlite_error::classify(&e) {
            Some(StoreError::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Backup(e.to_string()),
        });
    }
    if let Err(e) = MIGRATOR.run(pool).await {
        // Another program sharing the file may have applied them first.
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
                .fetch_all(pool)
                .await
                .unwrap_or_default();
        if !MIGRATOR.iter().all(|m| applied.contains(&m.version)) {
            return Err(migration_error(e));
        }
    }
    Ok(())
}

/// `comptoir.sqlite` → `comptoir.sqlite.before-v2-20261123T140501Z.bak`.
pub(crate) fn backup_path(path: &Path, target_version: i64) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    sibling(path, &format!(".before-v{target_version}-{stamp}.bak"))
}
