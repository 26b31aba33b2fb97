//! The sync with the central server as the top bar and the settings screen
//! see it: its status, « Synchroniser maintenant », the enrolment.

use comptoir_core::views::SyncStatus;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::AppResult;
use crate::state::AppState;

/// The status of the sync, with what the background task is doing now.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncView {
    pub status: SyncStatus,
    /// Changes received by the sync running now (the bootstrap's progress).
    #[ts(type = "number | null")]
    pub receiving: Option<u64>,
    /// Received changes per second by the sync running now.
    pub rate_per_s: Option<f64>,
    /// The server has more to send right now.
    pub more: bool,
    /// While the first load (bootstrap) is received: its changes in all,
    /// applied so far, and the seconds left at the rate so far.
    #[ts(type = "number | null")]
    pub bootstrap_total: Option<u64>,
    #[ts(type = "number | null")]
    pub bootstrap_done: Option<u64>,
    pub seconds_left: Option<f64>,
}

fn view(state: &AppState, mut status: SyncStatus) -> SyncView {
    let activity = state.sync_activity();
    if let Some(a) = &activity {
        a.overlay(&mut status);
    }
    let progress = activity.and_then(|a| a.progress);
    let bootstrap = progress.as_ref().and_then(|p| p.bootstrap.clone());
    SyncView {
        status,
        receiving: progress.as_ref().map(|p| p.received as u64),
        rate_per_s: progress.as_ref().map(|p| p.rate_per_s),
        more: progress.is_some_and(|p| p.more),
        bootstrap_total: bootstrap.as_ref().map(|b| b.total),
        bootstrap_done: bootstrap.as_ref().map(|b| b.done),
        seconds_left: bootstrap.and_then(|b| b.seconds_left),
    }
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> AppResult<SyncView> {
    let status = state.store()?.sync_status().await?;
    Ok(view(&state, status))
}

/// « Synchroniser maintenant »: wakes the background task.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> AppResult<SyncView> {
    state.actor().await?;
    state.sync_now();
    sync_status(state).await
}

/// Enrols this counter with a one-time code, then syncs at once (a new
/// counter's bootstrap starts). A manager's action (`manager_only`).
#[tauri::command]
pub async fn sync_enrol(
    state: State<'_, AppState>,
    server: String,
    code: String,
    name: String,
) -> AppResult<SyncView> {
    state.manager().await?;
    let store = state.store()?;
    comptoir_client::enrol(store, &server, &code, &name).await?;
    state.sync_now();
    sync_status(state).await
}
