//! Opening the database safely: a missing, read-only or damaged file gets a
//! clear error and is never modified; migrations run only after a backup.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::{Result, StoreError};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

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

pub(crate) async fn open_pool(path: &Path, mode: OpenMode) -> Result<SqlitePool> {
    let existed = path.exists();
    if !existed && mode == OpenMode::MustExist {
        return Err(StoreError::DatabaseMissing(path.to_owned()));
    }
    if existed {
        check_file(path)?;
    }

    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(mode == OpenMode::CreateIfMissing)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-32768");
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| classify(path, e))?;

    // Reading the schema fails at once on a damaged header or page 1. A
    // full page check costs about 4 s per GiB, so it runs at start only
    // while the file is small (a counter's own database, the tests); a large
    // one gets the cheap check, and `Store::verify_integrity` on demand.
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let sql = if size <= FULL_CHECK_MAX_BYTES {
        "PRAGMA quick_check(1)"
    } else {
        "SELECT CASE WHEN count(*) >= 0 THEN 'ok' END FROM sqlite_master"
    };
    let check: Result<String, sqlx::Error> = sqlx::query_scalar(sql).fetch_one(&pool).await;
    match check {
        Ok(ok) if ok == "ok" => {}
        Ok(detail) => {
            pool.close().await;
            return Err(StoreError::DatabaseCorrupt {
                path: path.to_owned(),
                detail,
            });
        }
        Err(e) => {
            pool.close().await;
            return Err(classify(path, e));
        }
    }

    migrate(&pool, path, existed).await?;
    Ok(pool)
}

/// Checks every page of the file (`PRAGMA quick_check`): slow on a large
/// database, meant for a maintenance command or a background task.
pub(crate) async fn verify(pool: &SqlitePool, path: &Path) -> Result<()> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA quick_check(5)")
        .fetch_all(pool)
        .await?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(StoreError::DatabaseCorrupt {
            path: path.to_owned(),
            detail: rows.join("; "),
        })
    }
}

/// Refuses files we must not touch, before SQLite opens them.
fn check_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.permissions().readonly() {
        return Err(StoreError::DatabaseReadOnly(path.to_owned()));
    }
    if meta.len() > 0 {
        use std::io::Read;
        let mut header = [0u8; 16];
        let mut file = std::fs::File::open(path)?;
        let read = file.read(&mut header)?;
        if read < 16 || &header != SQLITE_HEADER {
            return Err(StoreError::DatabaseCorrupt {
                path: path.to_owned(),
                detail: "not an SQLite file (bad header)".to_owned(),
            });
        }
    }
    Ok(())
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

async fn migrate(pool: &SqlitePool, path: &Path, existed: bool) -> Result<()> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    let applied: Vec<i64> = if has_table {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(pool)
            .await?
    } else {
        Vec::new()
    };
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(&found) = applied.iter().max() {
        if found > known {
            return Err(StoreError::DatabaseTooNew { found, known });
        }
    }
    let pending: Vec<i64> = MIGRATOR
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let has_data: bool = sqlx::query_scalar(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%')",
    )
    .fetch_one(pool)
    .await?;
    if existed && has_data {
        let backup = backup_path(path, known);
        tracing::info!(backup = %backup.display(), ?pending, "backing up the database before migrating");
        sqlx::query("VACUUM INTO ?")
            .bind(backup.display().to_string())
            .execute(pool)
            .await
            .map_err(|e| StoreError::Backup(e.to_string()))?;
    }
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// `comptoir.sqlite` → `comptoir.sqlite.before-v2-20261123T140501Z.bak`.
pub(crate) fn backup_path(path: &Path, target_version: i64) -> std::path::PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".before-v{target_version}-{stamp}.bak"));
    path.with_file_name(name)
}
