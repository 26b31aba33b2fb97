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

/// Erases a customer on request (RGPD): identity, contacts and free texts
/// go, sales and dossiers stay without identity. `confirmed`: the manager
/// ticked that it cannot be undone (else refused, nothing erased).
#[tauri::command]
pub async fn erase_customer(
    state: State<'_, AppState>,
    customer_id: String,
    confirmed: bool,
) -> AppResult<comptoir_store::ErasureReport> {
    let manager = state.manager().await?;
    let id = comptoir_core::ids::CustomerId::parse(&customer_id)?;
    Ok(state
        .store()?
        .erase_customer(id, &manager.login, confirmed, Utc::now())
        .await?)
}

/// What a customer export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CustomerExportWritten {
    pub path: String,
    pub bytes: u64,
}

/// Everything held about a customer (RGPD right of access), as a readable
/// PDF (`format` = `pdf`) or JSON, saved where the manager chooses in the
/// system's dialog; `None` if cancelled (nothing exported, nothing audited).
#[tauri::command]
pub async fn export_customer<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    customer_id: String,
    format: String,
) -> AppResult<Option<CustomerExportWritten>> {
    let manager = state.manager().await?;
    let id = comptoir_core::ids::CustomerId::parse(&customer_id)?;
    let pdf = match format.as_str() {
        "pdf" => true,
        "json" => false,
        other => {
            return Err(comptoir_core::CoreError::UnknownValue {
                field: "format",
                value: other.to_owned(),
            }
            .into())
        }
    };
    let name = format!(
        "donnees-client-{}.{}",
        &customer_id,
        if pdf { "pdf" } else { "json" }
    );
    let filter = if pdf {
        ("Document PDF", "pdf")
    } else {
        ("Données JSON", "json")
    };
    let Some(path) = crate::commands::report::save_dialog(
        &app,
        "Enregistrer les données du client",
        &name,
        filter,
    )
    .await
    else {
        return Ok(None);
    };
    let store = state.store()?;
    let export = store
        .export_customer(id, &manager.login, Utc::now())
        .await?;
    let bytes = if pdf {
        comptoir_print::customer_export_pdf(&export)?
    } else {
        serde_json::to_vec_pretty(&export).map_err(|e| comptoir_store::StoreError::Io(e.into()))?
    };
    comptoir_store::write_whole(&path, &bytes)?;
    Ok(Some(CustomerExportWritten {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
    }))
}
