//! Comptoir's local database: one SQLite file per counter, opened through
//! sqlx with WAL, foreign keys and a busy timeout; migrations embedded and
//! preceded by a backup; the shared customer history (customers, orders from
//! every channel, dossiers) with its search and its customer card.
#![forbid(unsafe_code)]

mod apply;
mod audit;
mod bulk;
mod calendars;
mod card;
mod checkpoint;
mod clock;
mod customer_desk;
mod customers;
mod decisions;
mod dossiers;
mod erase;
mod error;
mod exit;
mod export;
mod figures;
mod followup;
mod intake;
mod lists;
mod numbering;
mod open;
mod outbox;
mod policies;
mod projection;
mod report;
mod rgpd;
mod rows;
mod search;
mod settings;
mod shipments;
mod signals;
mod sqlite_error;
mod sync_link;
mod tx;
mod upgrade;
mod users;
mod workflow;
mod write;

pub use audit::{
    AuditCheck, AuditEntry, AuditFilter, AuditKind, AuditLine, AuditPushState, AuditView,
};
pub use bulk::{BulkBatch, BulkLoad};
pub use erase::{ErasureReport, ERASED_CUSTOMER_NAME, ERASED_FREE_TEXT};
pub use rgpd::{CustomerExport, EXPORT_FORMAT};
pub use write::dossier_timeline;

/// See [`Store::connection_settings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub journal_mode: String,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}
pub use error::{HistoryProblem, Result, StoreError};
pub use exit::{close_all, close_on_exit, stop_requested, StopSignal};
pub use export::write_whole;
pub use open::OpenMode;
pub use settings::{ReasonView, TemplateView};

pub use outbox::DossierDifference;
pub use policies::PolicyInfo;
pub use projection::DossierRow;
pub use search::SearchIndexStats;
pub use settings::IDLE_LOCK_MINUTES;
pub use sync_link::{PinnedWriter, PulledPage, PushAck, SyncLink};
pub use users::{SessionEvent, MAX_LOGIN_CHARS};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use comptoir_core::views::{AppInfo, StoreRef};
use sqlx::SqlitePool;

/// A handle on the local database. Cheap to clone; never wrap it in a Mutex.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    /// The in-memory part of the search index (search.rs).
    terms: Arc<search::TermCache>,
    /// Orders this program's writers with the others' (tx.rs).
    gate: Arc<tx::WriteGate>,
    /// WAL checkpoints off the write path (checkpoint.rs).
    checkpoints: Arc<checkpoint::Checkpointer>,
    /// The dashboard's in-memory copy of the dossiers' figures (figures.rs).
    figures: Arc<figures::FigureCache>,
}

impl Store {
    /// Opens (or, with [`OpenMode::CreateIfMissing`], creates) the database,
    /// checks it, backs it up and migrates it if this build has new migrations.
    pub async fn open(path: &Path, mode: OpenMode) -> Result<Store> {
        let pool = open::open_pool(path, mode).await?;
        {
            // First start: this counter's device id; then timelines from
            // before typed events get their typed bodies (once).
            let mut conn = pool.acquire().await?;
            clock::ensure_device(&mut conn).await?;
            upgrade::run(&mut conn).await?;
            upgrade::fill_figures(&mut conn).await?;
        }
        search::reindex_if_pending(&pool).await?;
        let store = Store {
            checkpoints: checkpoint::Checkpointer::spawn(pool.clone()),
            pool,
            path: path.to_owned(),
            terms: Arc::default(),
            figures: Arc::default(),
            gate: Arc::new(tx::WriteGate::for_database(path)),
        };
        exit::register(&store);
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Header information for the app: this counter's store and the database.
    pub async fn app_info(&self) -> Result<AppInfo> {
        let store = self.local_store().await?;
        let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
            .fetch_one(&self.pool)
            .await?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            store,
            database_path: self.path.display().to_string(),
            customers: customers.try_into().unwrap_or(0),
        })
    }

    /// How the store's own connections are set up, for support and tests:
    /// journal mode, foreign keys enforced, busy timeout in milliseconds.
    pub async fn connection_settings(&self) -> Result<ConnectionSettings> {
        let mut conn = self.pool.acquire().await?;
        let journal_mode = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy_timeout_ms = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        Ok(ConnectionSettings {
            journal_mode,
            foreign_keys: foreign_keys == 1,
            busy_timeout_ms,
        })
    }

    /// The store this counter belongs to (setting `store_code`).
    pub async fn local_store(&self) -> Result<Option<StoreRef>> {
        let row: Option<card::StoreRow> = sqlx::query_as(
            "SELECT s.id, s.code, s.name, s.city, s.timezone FROM stores s
             JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    /// Checks every page of the database; `db_corrupt` if any is damaged.
    pub async fn verify_integrity(&self) -> Result<()> {
        open::verify(&self.path).await
    }

    /// Closes the pool after folding the WAL back into the file, so the
    /// database is one self-contained file (safe to copy or move).
    pub async fn close(self) {
        self.checkpoints.stop().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint before close failed");
        }
        self.pool.close().await;
    }
}
