//! Weak signals (the card's and the store's list), their thresholds (a
//! manager's setting), the follow-up queue and its calls. The rules and
//! sentences are in `comptoir-core`; each command is one store call.

use chrono::Utc;
use comptoir_core::followup::{FollowUpItem, FollowUpOutcome, FollowUpRecorded};
use comptoir_core::ids::CustomerId;
use comptoir_core::signals::{SignalThresholds, WeakSignal, WeakSignalList};
use tauri::State;

use crate::commands::dossiers::parse_id;
use crate::error::AppResult;
use crate::state::AppState;

/// How many signals the store's list shows.
const SIGNALS_SHOWN: usize = 200;

/// The signals of one customer, for their card.
#[tauri::command]
pub async fn customer_signals(
    state: State<'_, AppState>,
    customer_id: String,
) -> AppResult<Vec<WeakSignal>> {
    state.actor().await?;
    let id = CustomerId::parse(&customer_id)?;
    Ok(state.store()?.customer_signals(id, Utc::now()).await?)
}

/// The store's signals, most urgent first.
#[tauri::command]
pub async fn weak_signals(state: State<'_, AppState>) -> AppResult<WeakSignalList> {
    state.actor().await?;
    Ok(state
        .store()?
        .weak_signals(Utc::now(), SIGNALS_SHOWN)
        .await?)
}

/// The thresholds in force.
#[tauri::command]
pub async fn signal_thresholds(state: State<'_, AppState>) -> AppResult<SignalThresholds> {
    state.actor().await?;
    Ok(state.store()?.signal_thresholds().await?)
}

/// Managers only: new thresholds (checked, audited).
#[tauri::command]
pub async fn set_signal_thresholds(
    state: State<'_, AppState>,
    thresholds: SignalThresholds,
) -> AppResult<SignalThresholds> {
    let manager = state.manager().await?;
    Ok(state
        .store()?
        .set_signal_thresholds(&thresholds, &manager.login)
        .await?)
}

/// The calls and messages due, oldest first.
#[tauri::command]
pub async fn follow_up_queue(state: State<'_, AppState>) -> AppResult<Vec<FollowUpItem>> {
    state.actor().await?;
    Ok(state.store()?.follow_up_queue(Utc::now()).await?)
}

/// The outcome of a call, on the dossier's timeline.
#[tauri::command]
pub async fn record_follow_up(
    state: State<'_, AppState>,
    dossier_id: String,
    outcome: FollowUpOutcome,
    note: Option<String>,
) -> AppResult<FollowUpRecorded> {
    let actor = state.actor().await?;
    let id = parse_id(&dossier_id)?;
    Ok(state
        .store()?
        .record_follow_up(id, outcome, note.as_deref(), &actor.login, Utc::now())
        .await?)
}
