//! The crate's one error type. Each variant has a stable `code()` for the UI
//! and a `message_fr()` a clerk can read.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum PrintError {
    /// The ticket cannot be printed as given (empty dossier number…).
    #[error("invalid ticket: {0}")]
    InvalidTicket(String),
    /// The store's time zone is not an IANA name chrono-tz knows.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// The dossier number cannot be drawn as a Code 128 or a QR code.
    #[error("cannot encode {data:?} as a barcode: {detail}")]
    Barcode { data: String, detail: String },
    /// The embedded font could not be parsed (a broken build, not bad input).
    #[error("embedded font cannot be parsed")]
    Font,
    /// CUPS does not know this printer.
    #[error("printer {printer:?} not found")]
    PrinterNotFound {
        printer: String,
        saved_to: Option<PathBuf>,
    },
    /// No printer named and no default printer configured.
    #[error("no default printer")]
    NoDefaultPrinter { saved_to: Option<PathBuf> },
    /// The CUPS scheduler is not running (or not reachable).
    #[error("CUPS scheduler is not running: {detail}")]
    CupsUnavailable {
        detail: String,
        saved_to: Option<PathBuf>,
    },
    /// The `lp` / `lpstat` commands are not installed.
    #[error("`{command}` not found (package cups-client)")]
    CommandMissing {
        command: &'static str,
        saved_to: Option<PathBuf>,
    },
    /// `lp` refused the job for another reason.
    #[error("lp failed: {detail}")]
    PrintFailed {
        detail: String,
        saved_to: Option<PathBuf>,
    },
    /// The ticket could not be saved where tickets are kept.
    #[error("cannot save the ticket to {path:?}: {error}")]
    NotSaved {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl PrintError {
    /// Stable machine-readable code, shared with the UI.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::InvalidTicket(_) => "invalid_ticket",
            PrintError::UnknownTimeZone(_) => "unknown_time_zone",
            PrintError::Barcode { .. } => "barcode",
            PrintError::Font => "font",
            PrintError::PrinterNotFound { .. } => "printer_not_found",
            PrintError::NoDefaultPrinter { .. } => "no_default_printer",
            PrintError::CupsUnavailable { .. } => "cups_unavailable",
            PrintError::CommandMissing { .. } => "lp_missing",
            PrintError::PrintFailed { .. } => "print_failed",
            PrintError::NotSaved { .. } => "ticket_not_saved",
            PrintError::Io(_) => "io",
        }
    }

    /// The same error, saying the PDF is kept at `path` (the copy the
    /// counter always saves before printing).
    pub fn with_saved_to(mut self, path: PathBuf) -> Self {
        match &mut self {
            PrintError::PrinterNotFound { saved_to, .. }
            | PrintError::NoDefaultPrinter { saved_to }
            | PrintError::CupsUnavailable { saved_to, .. }
            | PrintError::CommandMissing { saved_to, .. }
            | PrintError::PrintFailed { saved_to, .. } => *saved_to = Some(path),
            _ => {}
        }
        self
    }

    /// Where the PDF was saved when printing failed, so it can be printed later.
    pub fn saved_to(&self) -> Option<&PathBuf> {
        match self {
            PrintError::PrinterNotFound { saved_to, .. }
            | PrintError::NoDefaultPrinter { saved_to }
            | PrintError::CupsUnavailable { saved_to, .. }
            | PrintError::CommandMissing { saved_to, .. }
            | PrintError::PrintFailed { saved_to, .. } => saved_to.as_ref(),
            _ => None,
        }
    }

    /// The message a clerk reads, in French.
    pub fn message_fr(&self) -> String {
        let saved = match self.saved_to() {
            Some(path) => format!(
                " Le PDF a été enregistré : {} — il peut être imprimé plus tard.",
                path.display()
            ),
            None => String::new(),
        };
        match self {
            PrintError::InvalidTicket(why) => {
                format!("Le document ne peut pas être imprimé : {why}.")
            }
            PrintError::UnknownTimeZone(tz) => format!(
                "Le fuseau horaire « {tz} » du magasin est inconnu : vérifiez la configuration du magasin."
            ),
            PrintError::Barcode { data, .. } => format!(
                "Le numéro « {data} » ne peut pas être imprimé en code-barres."
            ),
            PrintError::Font => {
                "La police d'impression est illisible : réinstallez l'application.".to_owned()
            }
            PrintError::PrinterNotFound { printer, .. } => {
                format!("L'imprimante « {printer} » est introuvable.{saved}")
            }
            PrintError::NoDefaultPrinter { .. } => format!(
                "Aucune imprimante par défaut n'est configurée : choisissez une imprimante.{saved}"
            ),
            PrintError::CupsUnavailable { .. } => format!(
                "Le service d'impression (CUPS) ne répond pas : redémarrez le poste ou appelez le support.{saved}"
            ),
            PrintError::CommandMissing { .. } => format!(
                "Le système d'impression n'est pas installé sur ce poste (commande lp absente).{saved}"
            ),
            PrintError::PrintFailed { detail, .. } => {
                format!("L'impression a échoué ({detail}).{saved}")
            }
            PrintError::NotSaved { path, .. } => format!(
                "Le document n'a pas pu être enregistré dans {} : vérifiez l'espace disque \
                 ou les droits du dossier.",
                path.display()
            ),
            PrintError::Io(_) => {
                "Erreur d'écriture du document : vérifiez l'espace disque.".to_owned()
            }
        }
    }
}

pub type Result<T, E = PrintError> = std::result::Result<T, E>;
