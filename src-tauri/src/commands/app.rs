use comptoir_core::views::AppInfo;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// Version, store and database of this counter. Fails with the start-up
/// error when the database could not be opened.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> AppResult<AppInfo> {
    Ok(state.store()?.app_info().await?)
}
