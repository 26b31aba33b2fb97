//! SQLite's result codes turned, in one place, into errors a person can act
//! on. Every `sqlx::Error` becomes a [`StoreError`] through this `From`, so a
//! busy timeout, a write that lost a race or a full disk is named wherever it
//! happens (a write, a backup, a migration, a search).

use crate::StoreError;

/// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_FULL: i32 = 13;
/// `SQLITE_BUSY_SNAPSHOT`: a read transaction could not become a write one
/// because another connection wrote since its snapshot.
const SQLITE_BUSY_SNAPSHOT: i32 = SQLITE_BUSY | (2 << 8);
/// `SQLITE_IOERR_WRITE` and friends whose OS error is "no space left".
const ENOSPC: i32 = 28;

/// What a `sqlx::Error` means for the clerk; `None` when it is none of the
/// named cases (it then stays a generic database error).
pub(crate) fn classify(e: &sqlx::Error) -> Option<StoreError> {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().and_then(|c| c.parse::<i32>().ok())?;
            if code == SQLITE_BUSY_SNAPSHOT {
                return Some(StoreError::ChangedMeanwhile);
            }
            match code & 0xff {
                SQLITE_BUSY | SQLITE_LOCKED => Some(StoreError::Busy),
                SQLITE_FULL => Some(StoreError::DiskFull),
                _ if is_disk_full_message(db.message()) => Some(StoreError::DiskFull),
                _ => None,
            }
        }
        sqlx::Error::PoolTimedOut => Some(StoreError::Busy),
        sqlx::Error::Io(io) if is_disk_full_io(io) => Some(StoreError::DiskFull),
        _ => None,
    }
}

pub(crate) fn is_disk_full_io(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(ENOSPC) || e.kind() == std::io::ErrorKind::StorageFull
}

fn is_disk_full_message(message: &str) -> bool {
    message.contains("database or disk is full")
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        classify(&e).unwrap_or(StoreError::Sqlx(e))
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        if is_disk_full_io(&e) {
            StoreError::DiskFull
        } else {
            StoreError::Io(e)
        }
    }
}
