//! SAV dossiers: intake, the dossier screen's actions, closure, follow-up
//! and the counter's lists. Each command takes the signed-in user from the
//! session (the actor of every write) and calls one store method; the rules
//! live in the crates.

use chrono::Utc;
use comptoir_core::dossier::{
    DossierList, DossierSummary, ItemCondition, OpenDossierInput, Resolution,
    DEFAULT_FOLLOW_UP_DAYS, MAX_ACCESSORIES, MAX_TEXT_CHARS,
};
use comptoir_core::ids::DossierId;
use comptoir_core::policy::Severity;
use comptoir_core::views::DossierDetail;
use comptoir_core::workflow::DossierAction;
use comptoir_store::{ReasonView, TemplateView};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::AppResult;
use crate::state::AppState;

/// A product condition for the intake form, with its French label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConditionView {
    pub code: ItemCondition,
    pub label: String,
}

/// What the intake form offers and accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct IntakeForm {
    pub reasons: Vec<ReasonView>,
    pub conditions: Vec<ConditionView>,
    /// Longest free text (the customer's words, a note), in characters.
    pub max_text_chars: u32,
    pub max_accessories: u32,
    /// How serious the trouble is for the customer (the goodwill scale).
    pub severities: Vec<SeverityView>,
}

/// A severity of the goodwill scale, with its French label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SeverityView {
    pub code: Severity,
    pub label: String,
}

/// A closed dossier and the message sent to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClosedDossier {
    pub message: String,
    pub detail: DossierDetail,
}

pub(crate) fn parse_id(text: &str) -> AppResult<DossierId> {
    Ok(DossierId::parse(text)?)
}

/// The reasons of the taxonomy, with their promise ("48 heures ouvrées").
#[tauri::command]
pub async fn reasons(state: State<'_, AppState>) -> AppResult<Vec<ReasonView>> {
    Ok(state.store()?.reasons().await?)
}

/// The conditions a product can be left in, in words.
pub fn conditions() -> Vec<ConditionView> {
    ItemCondition::ALL
        .iter()
        .map(|&code| ConditionView {
            code,
            label: code.label_fr().to_owned(),
        })
        .collect()
}

/// Everything the intake form needs: reasons, conditions, limits.
#[tauri::command]
pub async fn intake_form(state: State<'_, AppState>) -> AppResult<IntakeForm> {
    Ok(IntakeForm {
        reasons: state.store()?.reasons().await?,
        conditions: conditions(),
        max_text_chars: u32::try_from(MAX_TEXT_CHARS).unwrap_or(u32::MAX),
        max_accessories: u32::try_from(MAX_ACCESSORIES).unwrap_or(u32::MAX),
        severities: Severity::ALL
            .iter()
            .map(|&code| SeverityView {
                code,
                label: code.label_fr().to_owned(),
            })
            .collect(),
    })
}

/// Opens a dossier in the signed-in user's name; returns it as its screen shows it.
#[tauri::command]
pub async fn open_dossier(
    state: State<'_, AppState>,
    input: OpenDossierInput,
) -> AppResult<DossierDetail> {
    let session = state.actor().await?;
    let store = state.store()?;
    let input = OpenDossierInput {
        actor: session.actor().to_owned(),
        ..input
    };
    let id = store.open_dossier(&input, Utc::now()).await?;
    Ok(store.dossier_detail(id).await?)
}

#[tauri::command]
pub async fn dossier_detail(
    state: State<'_, AppState>,
    dossier_id: String,
) -> AppResult<DossierDetail> {
    state.actor().await?;
    Ok(state
        .store()?
        .dossier_detail(parse_id(&dossier_id)?)
        .await?)
}

/// A workflow step (diagnose, wait for a part, mark ready…), with a note.
#[tauri::command]
pub async fn dossier_action(
    state: State<'_, AppState>,
    dossier_id: String,
    action: DossierAction,
    note: Option<String>,
) -> AppResult<DossierDetail> {
    let session = state.actor().await?;
    let actor = session.actor();
    let store = state.store()?;
    let id = parse_id(&dossier_id)?;
    store
        .dossier_action(id, action, actor, note.as_deref(), Utc::now())
        .await?;
    Ok(store.dossier_detail(id).await?)
}

#[tauri::command]
pub async fn add_note(
    state: State<'_, AppState>,
    dossier_id: String,
    note: String,
) -> AppResult<DossierDetail> {
    let session = state.actor().await?;
    let actor = session.actor();
    let store = state.store()?;
    let id = parse_id(&dossier_id)?;
    store.add_note(id, actor, &note, Utc::now()).await?;
    Ok(store.dossier_detail(id).await?)
}

/// Gives the dossier to a colleague (`None` or empty: nobody).
#[tauri::command]
pub async fn assign_dossier(
    state: State<'_, AppState>,
    dossier_id: String,
    assignee: Option<String>,
) -> AppResult<DossierDetail> {
    let session = state.actor().await?;
    let actor = session.actor();
    let store = state.store()?;
    let id = parse_id(&dossier_id)?;
    store
        .assign(id, assignee.as_deref(), actor, Utc::now())
        .await?;
    Ok(store.dossier_detail(id).await?)
}

/// Closes with the resolution; the follow-up call is due after the default delay.
#[tauri::command]
pub async fn close_dossier(
    state: State<'_, AppState>,
    dossier_id: String,
    resolution: Resolution,
) -> AppResult<ClosedDossier> {
    let session = state.actor().await?;
    let actor = session.actor();
    let store = state.store()?;
    let id = parse_id(&dossier_id)?;
    let message = store
        .close_dossier(id, &resolution, actor, DEFAULT_FOLLOW_UP_DAYS, Utc::now())
        .await?;
    Ok(ClosedDossier {
        message,
        detail: store.dossier_detail(id).await?,
    })
}

#[tauri::command]
pub async fn record_satisfaction(
    state: State<'_, AppState>,
    dossier_id: String,
    score: u8,
    comment: Option<String>,
) -> AppResult<DossierDetail> {
    let session = state.actor().await?;
    let actor = session.actor();
    let store = state.store()?;
    let id = parse_id(&dossier_id)?;
    store
        .record_satisfaction(id, score, comment.as_deref(), actor, Utc::now())
        .await?;
    Ok(store.dossier_detail(id).await?)
}

/// The counter's lists (« Mes dossiers »: the signed-in user's).
#[tauri::command]
pub async fn list_dossiers(
    state: State<'_, AppState>,
    list: DossierList,
) -> AppResult<Vec<DossierSummary>> {
    let session = state.actor().await?;
    let store = state.store()?;
    let actor = match list {
        DossierList::Mine => Some(session.actor()),
        _ => None,
    };
    Ok(store.list_dossiers(list, actor, Utc::now()).await?)
}

#[tauri::command]
pub async fn message_templates(state: State<'_, AppState>) -> AppResult<Vec<TemplateView>> {
    Ok(state.store()?.message_templates().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_has_a_french_label() {
        let all = conditions();
        assert_eq!(all.len(), ItemCondition::ALL.len());
        assert!(all.iter().any(|c| c.label == "Comme neuf"));
        assert!(all.iter().all(|c| !c.label.is_empty()));
    }

    #[test]
    fn a_bad_dossier_id_is_a_french_error() {
        let err = parse_id("pas-un-id").expect_err("not a uuid");
        assert_eq!(err.code(), "invalid_id");
    }
}
