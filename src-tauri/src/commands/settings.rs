//! The counter's own settings: who is at the counter (`clerk`, the actor
//! of every write) and where tickets are printed (`printer`).

use comptoir_store::Store;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The setting naming the clerk at the counter.
pub const CLERK: &str = "clerk";
/// The setting naming the CUPS queue tickets go to (none: PDF only).
pub const PRINTER: &str = "printer";

/// The counter's settings, as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Settings {
    /// The clerk at the counter; every dossier write is recorded in their name.
    pub clerk: Option<String>,
    /// The printer tickets are sent to; `None`: tickets are only saved as PDF.
    pub printer: Option<String>,
}

/// The clerk at the counter, or `clerk_missing`: a write is never anonymous.
pub async fn clerk(store: &Store) -> AppResult<String> {
    store
        .setting(CLERK)
        .await?
        .filter(|c| !c.trim().is_empty())
        .ok_or(AppError::ClerkMissing)
}

async fn read(store: &Store) -> AppResult<Settings> {
    Ok(Settings {
        clerk: store.setting(CLERK).await?,
        printer: store.setting(PRINTER).await?,
    })
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> AppResult<Settings> {
    read(state.store()?).await
}

/// Sets `clerk` or `printer` (an empty value removes it) and returns the
/// settings as they now are. Other keys are not the counter's to change.
#[tauri::command]
pub async fn set_setting(
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> AppResult<Settings> {
    if key != CLERK && key != PRINTER {
        return Err(AppError::UnknownSetting(key));
    }
    let store = state.store()?;
    store.set_setting(&key, &value).await?;
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
