//! Printed tickets of a dossier. A ticket is always saved as a PDF first
//! (so it can be reprinted or e-mailed), then sent to the counter's printer
//! if one is set. Reprinting is the same command.

use std::path::{Path, PathBuf};

use comptoir_print::{Format, PrintError, TicketKind};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use crate::commands::settings::PRINTER;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Environment variable naming the folder tickets are saved in instead of
/// `<app data>/tickets` (tests, a shared folder).
pub const TICKETS_DIR_ENV: &str = "COMPTOIR_TICKETS_DIR";

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TicketChoice {
    /// Bon de prise en charge.
    Intake,
    /// Bon de restitution.
    Restitution,
}

/// Which paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PaperFormat {
    A4,
    /// 80 mm receipt printer.
    Receipt,
}

impl TicketChoice {
    fn kind(self) -> TicketKind {
        match self {
            TicketChoice::Intake => TicketKind::Intake,
            TicketChoice::Restitution => TicketKind::Restitution,
        }
    }
    fn code(self) -> &'static str {
        match self {
            TicketChoice::Intake => "intake",
            TicketChoice::Restitution => "restitution",
        }
    }
}

impl PaperFormat {
    fn format(self) -> Format {
        match self {
            PaperFormat::A4 => Format::A4,
            PaperFormat::Receipt => Format::Receipt80mm,
        }
    }
    fn code(self) -> &'static str {
        match self {
            PaperFormat::A4 => "a4",
            PaperFormat::Receipt => "receipt",
        }
    }
}

/// What became of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PrintedTicket {
    /// Where the PDF is kept (always).
    pub pdf_path: String,
    /// The printer it was sent to; `None`: saved only.
    pub printed_on: Option<String>,
    /// The print job (CUPS), when it was sent.
    pub job_id: Option<String>,
}

/// `SAV-LYO1-2026-000042-intake-a4.pdf` (only safe characters).
pub fn ticket_file_name(number: &str, kind: TicketChoice, format: PaperFormat) -> String {
    let number: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{number}-{}-{}.pdf", kind.code(), format.code())
}

/// Saves `pdf` as `dir/name`, then sends it to `printer` with `send` if
/// one is set. A failed send keeps the PDF and says where it is.
pub fn save_then_print(
    pdf: &[u8],
    dir: &Path,
    name: &str,
    printer: Option<&str>,
    title: &str,
    send: impl FnOnce(&[u8], Option<&str>, &str) -> Result<String, PrintError>,
) -> AppResult<PrintedTicket> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&path, pdf))
        .map_err(|error| {
            tracing::error!(path = %path.display(), %error, "cannot save a ticket");
            AppError::SaveTicket {
                path: path.clone(),
                error,
            }
        })?;
    let pdf_path = path.display().to_string();
    let Some(printer) = printer.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(PrintedTicket {
            pdf_path,
            printed_on: None,
            job_id: None,
        });
    };
    match send(pdf, Some(printer), title) {
        Ok(job) => Ok(PrintedTicket {
            pdf_path,
            printed_on: Some(printer.to_owned()),
            job_id: Some(job),
        }),
        Err(error) => {
            tracing::warn!(%printer, %error, "ticket saved but not printed");
            Err(AppError::PrintedNot { error, saved: path })
        }
    }
}

fn tickets_dir<R: Runtime>(app: &AppHandle<R>) -> AppResult<PathBuf> {
    if let Some(dir) = std::env::var_os(TICKETS_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let dir = app
        .path()
        .app_data_dir()
        .map_err(|e| AppError::SaveTicket {
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
    kind: TicketChoice,
    format: PaperFormat,
) -> AppResult<PrintedTicket> {
    let store = state.store()?;
    let id = comptoir_core::ids::DossierId::parse(&dossier_id)?;
    let detail = store.dossier_detail(id).await?;
    let local = store.local_store_record().await?.ok_or_else(|| {
        AppError::Store(comptoir_store::StoreError::Invalid(
            "ce poste n'est rattaché à aucun magasin (réglage store_code)".into(),
        ))
    })?;
    let tracking_base = store.setting("tracking_url").await?;
    let printer = store.setting(PRINTER).await?;
    let dir = tickets_dir(&app)?;
    let ticket =
        comptoir_print::ticket_from_detail(&detail, &local, kind.kind(), tracking_base.as_deref());
    let name = ticket_file_name(&detail.dossier.number, kind, format);
    let title = format!("{} {}", kind.kind().title_fr(), detail.dossier.number);
    tauri::async_runtime::spawn_blocking(move || {
        let pdf = comptoir_print::render(&ticket, format.format())?;
        save_then_print(
            &pdf,
            &dir,
            &name,
            printer.as_deref(),
            &title,
            comptoir_print::print_pdf,
        )
    })
    .await
    .map_err(|e| AppError::Print(PrintError::Io(std::io::Error::other(e))))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_says_number_kind_and_paper() {
        assert_eq!(
            ticket_file_name(
                "SAV-LYO1-2026-000042",
                TicketChoice::Intake,
                PaperFormat::A4
            ),
            "SAV-LYO1-2026-000042-intake-a4.pdf"
        );
        assert_eq!(
            ticket_file_name("SAV/../x", TicketChoice::Restitution, PaperFormat::Receipt),
            "SAV____x-restitution-receipt.pdf"
        );
    }

    #[test]
    fn without_printer_the_pdf_is_only_saved() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = save_then_print(b"%PDF-1.7", dir.path(), "a.pdf", None, "t", |_, _, _| {
            panic!("nothing to send without a printer")
        })
        .expect("saved");
        assert_eq!(out.printed_on, None);
        assert_eq!(std::fs::read(&out.pdf_path).expect("on disk"), b"%PDF-1.7");
    }

    #[test]
    fn a_printed_ticket_is_saved_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        let nested = dir.path().join("tickets");
        let out = save_then_print(b"pdf", &nested, "a.pdf", Some("Accueil"), "t", |_, p, _| {
            assert_eq!(p, Some("Accueil"));
            Ok("Accueil-7".to_owned())
        })
        .expect("printed");
        assert_eq!(out.printed_on.as_deref(), Some("Accueil"));
        assert_eq!(out.job_id.as_deref(), Some("Accueil-7"));
        assert!(nested.join("a.pdf").is_file());
    }

    #[test]
    fn a_failed_print_keeps_the_pdf_and_says_where() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = save_then_print(
            b"pdf",
            dir.path(),
            "a.pdf",
            Some("Nulle"),
            "t",
            |_, p, _| {
                Err(PrintError::PrinterNotFound {
                    printer: p.unwrap_or_default().to_owned(),
                    saved_to: None,
                })
            },
        )
        .expect_err("printer missing");
        let path = dir.path().join("a.pdf");
        assert!(path.is_file(), "the PDF must stay on disk");
        let shown = err.to_command_error();
        assert_eq!(shown.code, "printer_not_found");
        assert!(
            shown.message.contains(&path.display().to_string()),
            "{}",
            shown.message
        );
    }

    #[test]
    fn an_unwritable_folder_is_a_french_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").expect("file");
        let err = save_then_print(b"pdf", &file, "a.pdf", None, "t", |_, _, _| unreachable!())
            .expect_err("cannot save under a file");
        assert_eq!(err.code(), "ticket_not_saved");
    }
}
