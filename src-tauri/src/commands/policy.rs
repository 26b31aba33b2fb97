//! The unified return policy at the counter: the options for a case, the
//! clerk's decision (with a manager's PIN when it goes beyond a clerk's
//! authority), the managers who can approve. The store enforces the rules.

use chrono::Utc;
use comptoir_core::auth::{ManagerApproval, UserView};
use comptoir_core::policy::{DecisionChoice, PolicyPreview, PolicyQuery};
use comptoir_core::views::DossierDetail;
use comptoir_store::PolicyInfo;
use tauri::State;

use crate::commands::dossiers::parse_id;
use crate::error::AppResult;
use crate::state::AppState;

/// What the policy allows for the case being taken in, before opening.
#[tauri::command]
pub async fn policy_preview(
    state: State<'_, AppState>,
    query: PolicyQuery,
) -> AppResult<PolicyPreview> {
    state.actor().await?;
    Ok(state.store()?.policy_preview(&query, Utc::now()).await?)
}

/// What the policy allows for an existing dossier.
#[tauri::command]
pub async fn dossier_policy(
    state: State<'_, AppState>,
    dossier_id: String,
) -> AppResult<PolicyPreview> {
    state.actor().await?;
    Ok(state
        .store()?
        .dossier_policy(parse_id(&dossier_id)?, Utc::now())
        .await?)
}

/// Records the signed-in user's decision on a dossier (and the manager's
/// approval).
#[tauri::command]
pub async fn decide(
    state: State<'_, AppState>,
    dossier_id: String,
    choice: DecisionChoice,
    approval: Option<ManagerApproval>,
) -> AppResult<DossierDetail> {
    let session = state.actor().await?;
    let store = state.store()?;
    let id = parse_id(&dossier_id)?;
    store
        .decide(id, &choice, approval.as_ref(), session.actor(), Utc::now())
        .await?;
    Ok(store.dossier_detail(id).await?)
}

/// The managers who can approve at this counter.
#[tauri::command]
pub async fn managers(state: State<'_, AppState>) -> AppResult<Vec<UserView>> {
    Ok(state.store()?.managers(Utc::now()).await?)
}

/// The policy in force at this counter today.
#[tauri::command]
pub async fn current_policy(state: State<'_, AppState>) -> AppResult<PolicyInfo> {
    Ok(state.store()?.current_policy(Utc::now()).await?)
}
