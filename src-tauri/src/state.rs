//! The app's managed state: the opened store, or why it could not be opened.

use std::path::{Path, PathBuf};

use comptoir_store::{OpenMode, Store};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{AppError, AppResult, CommandError};

/// Environment variable naming an existing database file to use instead of
/// the one in the app's data directory (tests, demos, support).
pub const DB_ENV: &str = "COMPTOIR_DB";

/// Environment variable: seconds between two syncs (default 1; a local
/// change is pushed within a quarter of a second whatever the period).
pub const SYNC_SECS_ENV: &str = "COMPTOIR_SYNC_SECS";

pub struct AppState {
    db: Result<Store, CommandError>,
    syncer: Option<comptoir_client::Syncer>,
}

impl AppState {
    /// Opens the database. Never fails: an error is kept and reported to the
    /// UI, which shows it instead of the search screen.
    pub async fn open<R: Runtime>(app: &AppHandle<R>) -> Self {
        let (path, mode) = match database_location(app) {
            Ok(location) => location,
            Err(error) => {
                return Self {
                    db: Err(error),
                    syncer: None,
                }
            }
        };
        let db = match Store::open(&path, mode).await {
            Ok(store) => {
                tracing::info!(path = %path.display(), "database opened");
                // A counter without a published policy runs the one shipped
                // with the app until the central server publishes another.
                if let Err(error) = store.ensure_default_policy(chrono::Utc::now()).await {
                    tracing::error!(error = %error, "cannot install the default return policy");
                }
                // The first search of the day should not wait for the disk.
                let warm = store.clone();
                tauri::async_runtime::spawn(async move {
                    match warm.warm_search().await {
                        Ok(took) => {
                            tracing::info!(ms = took.as_millis() as u64, "search index warmed")
                        }
                        Err(error) => tracing::warn!(error = %error, "search index not warmed"),
                    }
                });
                Ok(store)
            }
            Err(error) => {
                tracing::error!(path = %path.display(), error = %error, "cannot open the database");
                Err(AppError::from(error).to_command_error())
            }
        };
        Self { db, syncer: None }
    }

    /// Starts the background sync on the current tokio runtime (nothing
    /// when the database did not open).
    pub fn start_sync(
        &mut self,
        changed: impl Fn(&comptoir_client::SyncReport) + Send + Sync + 'static,
    ) {
        let Ok(store) = &self.db else { return };
        let secs = std::env::var(SYNC_SECS_ENV)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s >= 0.2 && *s <= 3600.0)
            .unwrap_or(1.0);
        self.syncer = Some(comptoir_client::Syncer::spawn(
            store.clone(),
            std::time::Duration::from_secs_f64(secs),
            changed,
        ));
    }

    pub fn sync_now(&self) {
        if let Some(s) = &self.syncer {
            s.sync_now();
        }
    }

    /// Stops the background sync (before the store closes).
    pub fn stop_sync(&self) {
        if let Some(s) = &self.syncer {
            s.stop();
        }
    }

    pub fn sync_activity(&self) -> Option<comptoir_client::SyncActivity> {
        self.syncer.as_ref().map(comptoir_client::Syncer::activity)
    }

    pub fn store(&self) -> AppResult<&Store> {
        self.db
            .as_ref()
            .map_err(|e| AppError::Unavailable(e.clone()))
    }
}

/// `--db PATH` on the command line (before `COMPTOIR_DB`): an existing
/// database file (support, tests driving several counters).
fn db_argument() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--db" {
            return args.next().filter(|p| !p.is_empty()).map(PathBuf::from);
        }
    }
    None
}

fn database_location<R: Runtime>(app: &AppHandle<R>) -> Result<(PathBuf, OpenMode), CommandError> {
    if let Some(path) = db_argument() {
        return Ok((path, OpenMode::MustExist));
    }
    if let Some(path) = std::env::var_os(DB_ENV).filter(|p| !p.is_empty()) {
        // An explicit file must already exist: creating an empty database
        // there would hide a mistyped path.
        return Ok((PathBuf::from(path), OpenMode::MustExist));
    }
    let dir = app.path().app_data_dir().map_err(|e| {
        tracing::error!(error = %e, "no application data directory");
        data_dir_error()
    })?;
    ensure_dir(&dir)?;
    Ok((dir.join("comptoir.sqlite"), OpenMode::CreateIfMissing))
}

fn ensure_dir(dir: &Path) -> Result<(), CommandError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        tracing::error!(dir = %dir.display(), error = %e, "cannot create the data directory");
        data_dir_error()
    })
}

fn data_dir_error() -> CommandError {
    CommandError {
        code: "data_dir_unavailable".to_owned(),
        message: "Le dossier de données de Comptoir est inaccessible. \
                  Prévenez le support informatique."
            .to_owned(),
    }
}
