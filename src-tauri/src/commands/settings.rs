//! The counter's own settings: where tickets are printed (`printer`) and,
//! set by a manager (`commands::manager`), the idle time after which a
//! session locks. Who is at the counter is the signed-in session, not a
//! setting.

use comptoir_store::Store;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The setting naming the CUPS queue tickets go to (none: PDF only).
pub const PRINTER: &str = "printer";

/// The counter's settings, as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Settings {
    /// The printer tickets are sent to; `None`: tickets are only saved as PDF.
    pub printer: Option<String>,
    /// Minutes without activity after which the session locks.
    pub idle_lock_minutes: u32,
}

pub(crate) async fn read(store: &Store) -> AppResult<Settings> {
    Ok(Settings {
        printer: store.setting(PRINTER).await?,
        idle_lock_minutes: store.idle_lock_minutes().await?,
    })
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> AppResult<Settings> {
    state.actor().await?;
    read(state.store()?).await
}

/// Sets `printer` (an empty value removes it) in the signed-in user's name
/// and returns the settings as they now are. Other keys are not the
/// counter's to change here.
#[tauri::command]
pub async fn set_setting(
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> AppResult<Settings> {
    let session = state.actor().await?;
    if key != PRINTER {
        return Err(AppError::UnknownSetting(key));
    }
    let store = state.store()?;
    store.set_setting_as(&key, &value, &session.login).await?;
    read(store).await
}

/// The print queues this computer knows (CUPS).
#[tauri::command]
pub async fn list_printers() -> AppResult<Vec<String>> {
    let printers = tauri::async_runtime::spawn_blocking(comptoir_print::list_printers)
        .await
        .map_err(|e| AppError::Print(comptoir_print::PrintError::Io(std::io::Error::other(e))))??;
    Ok(printers)
}
