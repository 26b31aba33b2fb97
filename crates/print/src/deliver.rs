//! What the counter does with a rendered ticket: it always saves the PDF
//! first (to reprint or e-mail it later), then sends it to the printer when
//! one is set. A failed send keeps the PDF and the error says where it is.

use std::path::Path;

use serde::Serialize;

use crate::error::{PrintError, Result};
use crate::render::Format;
use crate::ticket::TicketKind;

/// What became of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
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
pub fn ticket_file_name(number: &str, kind: TicketKind, format: Format) -> String {
    format!(
        "{}-{}-{}.pdf",
        safe_file_stem(number),
        kind.code(),
        format.code()
    )
}

/// `text` with every character but ASCII letters, digits and `-` replaced
/// by `_`: safe as a file name anywhere, never a path.
pub(crate) fn safe_file_stem(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Saves `pdf` as `path` (creating its folder), then sends it to `printer`
/// with `send` ([`crate::print_pdf`] in the app) if one is set.
pub fn save_then_print(
    pdf: &[u8],
    path: &Path,
    printer: Option<&str>,
    title: &str,
    send: impl FnOnce(&[u8], Option<&str>, &str) -> Result<String>,
) -> Result<PrintedTicket> {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, pdf))
        .map_err(|error| PrintError::NotSaved {
            path: path.to_owned(),
            error,
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
        // The copy that counts is the one just saved, not any fallback
        // copy `send` may have made.
        Err(error) => Err(error.with_saved_to(path.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_says_number_kind_and_paper() {
        assert_eq!(
            ticket_file_name("SAV-LYO1-2026-000042", TicketKind::Intake, Format::A4),
            "SAV-LYO1-2026-000042-intake-a4.pdf"
        );
        assert_eq!(
            ticket_file_name("SAV/../x", TicketKind::Restitution, Format::Receipt80mm),
            "SAV____x-restitution-receipt.pdf"
        );
    }

    #[test]
    fn codes_round_trip_and_match_the_wire_names() {
        for k in TicketKind::ALL {
            assert_eq!(TicketKind::from_code(k.code()), Some(*k));
            assert_eq!(
                serde_json::to_value(k).expect("json"),
                serde_json::json!(k.code())
            );
        }
        for f in Format::ALL {
            assert_eq!(Format::from_code(f.code()), Some(*f));
            assert_eq!(
                serde_json::to_value(f).expect("json"),
                serde_json::json!(f.code())
            );
        }
        assert_eq!(Format::from_code("a5"), None);
    }

    #[test]
    fn without_printer_the_pdf_is_only_saved() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.pdf");
        let out = save_then_print(b"%PDF-1.7", &path, None, "t", |_, _, _| {
            panic!("nothing to send without a printer")
        })
        .expect("saved");
        assert_eq!(out.printed_on, None);
        assert_eq!(std::fs::read(&out.pdf_path).expect("on disk"), b"%PDF-1.7");
    }

    #[test]
    fn a_printed_ticket_is_saved_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("tickets").join("a.pdf");
        let out = save_then_print(b"pdf", &path, Some("Accueil"), "t", |_, p, _| {
            assert!(path.is_file(), "saved before it is sent");
            assert_eq!(p, Some("Accueil"));
            Ok("Accueil-7".to_owned())
        })
        .expect("printed");
        assert_eq!(out.printed_on.as_deref(), Some("Accueil"));
        assert_eq!(out.job_id.as_deref(), Some("Accueil-7"));
        assert!(path.is_file());
    }

    #[test]
    fn a_failed_print_keeps_the_pdf_and_says_where() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.pdf");
        let err = save_then_print(b"pdf", &path, Some("Nulle"), "t", |_, p, _| {
            Err(PrintError::PrinterNotFound {
                printer: p.unwrap_or_default().to_owned(),
                saved_to: Some("/tmp/elsewhere.pdf".into()),
            })
        })
        .expect_err("printer missing");
        assert!(path.is_file(), "the PDF must stay on disk");
        assert_eq!(err.code(), "printer_not_found");
        let message = err.message_fr();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(!message.contains("elsewhere"), "{message}");
        assert_eq!(message.matches("enregistré").count(), 1, "{message}");
    }

    #[test]
    fn a_ticket_that_cannot_be_saved_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, b"x").expect("file");
        let path = blocker.join("a.pdf");
        let err = save_then_print(b"pdf", &path, Some("Accueil"), "t", |_, _, _| {
            panic!("never sent when it could not be saved")
        })
        .expect_err("cannot save");
        assert_eq!(err.code(), "ticket_not_saved");
        assert!(
            err.message_fr().contains("not-a-dir"),
            "{}",
            err.message_fr()
        );
    }
}
