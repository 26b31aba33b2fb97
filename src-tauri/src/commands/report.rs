//! The manager's dashboard (permission set `manager`): its figures, the
//! dossiers behind a figure, what the filters offer, and a table saved as
//! CSV where the manager chooses in the system's save dialog. Each checks
//! the role in Rust first; the figures come from `Store::dashboard`, the
//! same code as `comptoir-ctl report`.

use chrono::Utc;
use comptoir_core::report::{
    DashboardReport, DrillDown, ExportWritten, Figure, ReportChoices, ReportExport, ReportQuery,
};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::AppResult;
use crate::state::AppState;

/// How many dossiers a drill-down lists on screen (the CSV has them all).
const DRILL_DOWN_ROWS: usize = 500;

/// Every figure of the dashboard for the period and filters asked.
#[tauri::command]
pub async fn dashboard(
    state: State<'_, AppState>,
    query: ReportQuery,
) -> AppResult<DashboardReport> {
    state.manager().await?;
    Ok(state.store()?.dashboard(&query, Utc::now()).await?)
}

/// The dossiers behind one figure, oldest first.
#[tauri::command]
pub async fn drill_down(
    state: State<'_, AppState>,
    query: ReportQuery,
    figure: Figure,
) -> AppResult<DrillDown> {
    state.manager().await?;
    Ok(state
        .store()?
        .drill_down(&query, &figure, DRILL_DOWN_ROWS, Utc::now())
        .await?)
}

/// The products, brands, reasons, clerks… the filters offer.
#[tauri::command]
pub async fn report_choices(state: State<'_, AppState>) -> AppResult<ReportChoices> {
    state.manager().await?;
    Ok(state.store()?.report_choices(Utc::now()).await?)
}

/// Asks where to save the table (the system's save dialog), then writes it
/// there whole and records the export in the audit log. `None`: the
/// manager cancelled the dialog, nothing was written.
#[tauri::command]
pub async fn export_report<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    query: ReportQuery,
    export: ReportExport,
) -> AppResult<Option<ExportWritten>> {
    let manager = state.manager().await?;
    query.validate()?;
    export.validate()?;
    let Some(path) = save_dialog(
        &app,
        "Enregistrer le tableau (CSV)",
        &export.suggested_file_name(&query),
        ("Tableau CSV", "csv"),
    )
    .await
    else {
        return Ok(None);
    };
    let written = state
        .store()?
        .export_report(&query, &export, &path, &manager.login, Utc::now())
        .await?;
    Ok(Some(written))
}

/// The system's « Enregistrer sous » (`filter`: its name and the file
/// extension); `None` if cancelled.
pub(crate) async fn save_dialog<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    file_name: &str,
    filter: (&str, &str),
) -> Option<std::path::PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(file_name)
        .add_filter(filter.0, &[filter.1]);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    if let Ok(dir) = app.path().document_dir() {
        if dir.is_dir() {
            dialog = dialog.set_directory(dir);
        }
    }
    dialog.save_file(move |path| {
        let _ = tx.send(path);
    });
    let path = rx.await.ok().flatten()?;
    match path.into_path() {
        Ok(path) => Some(path),
        Err(e) => {
            tracing::warn!(%e, "save dialog returned a path that is not a file path");
            None
        }
    }
}
