//! The app's managed state: the opened store, or why it could not be opened,
//! and the window's sign-in session (one at a time).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::{Duration, Utc};
use comptoir_core::session::{CounterSession, Session, SessionView, SignedIn};
use comptoir_store::{OpenMode, SessionEvent, Store};
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
    /// Who is signed in at this window, and whether the session is locked.
    session: Mutex<CounterSession>,
    /// The idle time before the session locks, in seconds (the store's
    /// setting, or `--idle-secs`).
    idle_secs: AtomicU32,
    /// `--idle-secs N` (tests): overrides the setting, which cannot go
    /// below a minute.
    idle_override: Option<u32>,
}

impl AppState {
    /// Opens the database. Never fails: an error is kept and reported to the
    /// UI, which shows it instead of the search screen.
    pub async fn open<R: Runtime>(app: &AppHandle<R>) -> Self {
        let (path, mode) = match database_location(app) {
            Ok(location) => location,
            Err(error) => return Self::with(Err(error)),
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
        let state = Self::with(db);
        state.reload_idle().await;
        state
    }

    fn with(db: Result<Store, CommandError>) -> Self {
        let idle_override = idle_argument();
        Self {
            db,
            syncer: None,
            session: Mutex::new(CounterSession::new()),
            idle_secs: AtomicU32::new(
                idle_override.unwrap_or(comptoir_core::session::IDLE_LOCK_DEFAULT_MINUTES * 60),
            ),
            idle_override,
        }
    }

    /// Reads the idle time from the store's setting again (after a manager
    /// changed it), unless `--idle-secs` fixes it.
    pub async fn reload_idle(&self) {
        if self.idle_override.is_some() {
            return;
        }
        let Ok(store) = &self.db else { return };
        match store.idle_lock_minutes().await {
            Ok(minutes) => self.idle_secs.store(minutes * 60, Ordering::Relaxed),
            Err(error) => tracing::warn!(%error, "idle lock setting unreadable"),
        }
    }

    fn idle(&self) -> Duration {
        Duration::seconds(i64::from(self.idle_secs.load(Ordering::Relaxed)))
    }

    fn counter(&self) -> MutexGuard<'_, CounterSession> {
        // Never held across an await; a panic while held leaves a usable state.
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The signed-in user, the actor of the command: refused when nobody is
    /// signed in (`not_signed_in`) or the session is locked (after the idle
    /// time: `session_locked`); records the activity.
    pub async fn actor(&self) -> AppResult<Session> {
        self.checked(false).await
    }

    /// [`Self::actor`], for a manager only (`manager_only`).
    pub async fn manager(&self) -> AppResult<Session> {
        self.checked(true).await
    }

    async fn checked(&self, manager: bool) -> AppResult<Session> {
        let now = Utc::now();
        let (locked_now, active) = {
            let mut counter = self.counter();
            let locked_now = counter.expire(now, self.idle());
            let active = if manager {
                counter.active_manager(now)
            } else {
                counter.active(now)
            };
            (locked_now, active)
        };
        if let Some(session) = locked_now {
            self.audit(SessionEvent::Locked, &session, "idle").await;
        }
        Ok(active?)
    }

    /// The session as the screens show it (locked if the idle time ran out);
    /// `touch`: the UI reports input activity.
    pub async fn session_view(&self, touch: bool) -> Option<SessionView> {
        let now = Utc::now();
        let locked_now = {
            let mut counter = self.counter();
            let locked_now = counter.expire(now, self.idle());
            if touch {
                let _ = counter.active(now);
            }
            locked_now
        };
        if let Some(session) = locked_now {
            self.audit(SessionEvent::Locked, &session, "idle").await;
        }
        self.counter().view(self.idle())
    }

    /// A user whose PIN the store checked: resumes their session, or
    /// replaces the previous user's (whose session ends, audited).
    pub async fn signed_in(&self, session: Session) -> Option<SessionView> {
        let outcome = self.counter().signed_in(session);
        if let SignedIn::Replaced(old) = outcome {
            self.audit(SessionEvent::SignOut, &old, "switched").await;
        }
        self.counter().view(self.idle())
    }

    pub async fn sign_out(&self) {
        let ended = self.counter().sign_out();
        if let Some(session) = ended {
            self.audit(SessionEvent::SignOut, &session, "signed_out")
                .await;
        }
    }

    /// « Verrouiller » (or « Changer d'utilisateur », which locks first).
    pub async fn lock(&self) -> Option<SessionView> {
        let locked = self.counter().lock();
        if let Some(session) = locked {
            self.audit(SessionEvent::Locked, &session, "by_user").await;
        }
        self.counter().view(self.idle())
    }

    /// The session's end or lock in the audit log; a failure there is
    /// logged and never undoes the lock.
    async fn audit(&self, event: SessionEvent, session: &Session, why: &str) {
        let Ok(store) = &self.db else { return };
        if let Err(error) = store
            .audit_session(event, &session.login, why, Utc::now())
            .await
        {
            tracing::error!(%error, ?event, "session event not audited");
        }
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

/// The value following `name` on the command line.
fn argument(name: &str) -> Option<std::ffi::OsString> {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == name {
            return args.next();
        }
    }
    None
}

/// `--db PATH` on the command line (before `COMPTOIR_DB`): an existing
/// database file (support, tests driving several counters).
fn db_argument() -> Option<PathBuf> {
    argument("--db")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// `--idle-secs N` on the command line: the idle lock in seconds (tests;
/// the setting counts whole minutes).
fn idle_argument() -> Option<u32> {
    argument("--idle-secs")
        .and_then(|s| s.to_str()?.parse().ok())
        .filter(|s| *s > 0)
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
