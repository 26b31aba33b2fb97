//! Printed tickets of a dossier: rendered and delivered by comptoir-print
//! (the PDF always saved first, then sent to the counter's printer if one
//! is set). Reprinting is the same command.

use std::path::PathBuf;

use comptoir_print::{Format, PrintError, PrintedTicket, TicketKind};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::commands::settings::PRINTER;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Environment variable naming the folder tickets are saved in instead of
/// `<app data>/tickets` (tests, a shared folder).
pub const TICKETS_DIR_ENV: &str = "COMPTOIR_TICKETS_DIR";

fn tickets_dir<R: Runtime>(app: &AppHandle<R>) -> AppResult<PathBuf> {
    if let Some(dir) = std::env::var_os(TICKETS_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let dir = app
        .path()
        .app_data_dir()
        .map_err(|e| PrintError::NotSaved {
            path: PathBuf::from("tickets"),
            error: std::io::Error::other(e.to_string()),
        })?;
    Ok(dir.join("tickets"))
}

/// Prints (or reprints) a dossier's intake or restitution ticket.
#[tauri::command]
pub async fn print_dossier<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    dossier_id: String,
    kind: TicketKind,
    format: Format,
) -> AppResult<PrintedTicket> {
    state.actor().await?;
    let store = state.store()?;
    let id = comptoir_core::ids::DossierId::parse(&dossier_id)?;
    let detail = store.dossier_detail(id).await?;
    let local = store
        .local_store_record()
        .await?
        .ok_or(AppError::Store(comptoir_store::StoreError::NoLocalStore))?;
    let tracking_base = store.setting("tracking_url").await?;
    let printer = store.setting(PRINTER).await?;
    let dir = tickets_dir(&app)?;
    let ticket =
        comptoir_print::ticket_from_detail(&detail, &local, kind, tracking_base.as_deref());
    let path = dir.join(comptoir_print::ticket_file_name(
        &detail.dossier.number,
        kind,
        format,
    ));
    let title = format!("{} {}", kind.title_fr(), detail.dossier.number);
    tauri::async_runtime::spawn_blocking(move || -> AppResult<PrintedTicket> {
        let pdf = comptoir_print::render(&ticket, format)?;
        let printed = comptoir_print::save_then_print(
            &pdf,
            &path,
            printer.as_deref(),
            &title,
            comptoir_print::print_pdf,
        )
        .inspect_err(|error| tracing::warn!(%error, "ticket not printed"))?;
        Ok(printed)
    })
    .await
    .map_err(|e| AppError::Print(PrintError::Io(std::io::Error::other(e))))?
}
