//! The manager's commands (permission set `manager`, capability
//! `manager.json`). Each checks the signed-in user's role in Rust first
//! (`manager_only`): hiding them from clerks in the UI is only a courtesy.

use chrono::Utc;
use comptoir_core::auth::UserView;
use tauri::State;

use crate::commands::settings::{read, Settings};
use crate::error::AppResult;
use crate::state::AppState;

/// Sets the idle time after which a session locks (whole minutes, 1–240).
#[tauri::command]
pub async fn set_idle_lock(state: State<'_, AppState>, minutes: String) -> AppResult<Settings> {
    let manager = state.manager().await?;
    let store = state.store()?;
    store
        .set_idle_lock_minutes(&minutes, &manager.login)
        .await?;
    state.reload_idle().await;
    read(store).await
}

/// Everyone who works at this counter, with their lockouts.
#[tauri::command]
pub async fn users(state: State<'_, AppState>) -> AppResult<Vec<UserView>> {
    state.manager().await?;
    Ok(state.store()?.users(Utc::now()).await?)
}

/// Lifts a user's lockout after too many wrong PINs; the users as they are now.
#[tauri::command]
pub async fn unlock_user(state: State<'_, AppState>, login: String) -> AppResult<Vec<UserView>> {
    let manager = state.manager().await?;
    let store = state.store()?;
    store.unlock_user_as(&login, &manager.login).await?;
    Ok(store.users(Utc::now()).await?)
}

/// A page of the audit log (newest first, filtered), with the chain checked.
#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    filter: comptoir_store::AuditFilter,
) -> AppResult<comptoir_store::AuditView> {
    state.manager().await?;
    Ok(state.store()?.audit_view(&filter).await?)
}
