//! Comptoir's printed documents: the intake ticket (*bon de prise en charge*)
//! and the restitution receipt (*bon de restitution*) of an SAV dossier, as
//! PDF in A4 or on an 80 mm receipt, with the dossier number as Code 128 and
//! a QR code, in French with an embedded font; and printing through CUPS.
//!
//! The readable PDF of an RGPD export ([`customer_export_pdf`]) is laid
//! out with the same fonts and layout.
//!
//! Nothing here knows the database or Tauri: the app builds a [`Ticket`],
//! calls [`render`], then [`save_then_print`] (which saves the PDF, then
//! sends it with [`print_pdf`]).
#![forbid(unsafe_code)]

mod codes;
pub mod cups;
mod deliver;
pub mod error;
mod export;
mod from_views;
mod layout;
mod render;
pub mod ticket;

pub use cups::{list_printers, print_pdf};
pub use deliver::{save_then_print, ticket_file_name, PrintedTicket};
pub use error::{PrintError, Result};
pub use export::customer_export_pdf;
pub use from_views::{ticket_from_detail, tracking_url};
pub use render::{format_date_time_fr, render, Format};
pub use ticket::*;

/// Baselines for `benches/tickets.rs`; not part of the API.
#[doc(hidden)]
pub mod bench_support {
    use crate::layout::{fonts, to_ops, Canvas, Style};
    use crate::{codes, Result, Ticket};

    /// Builds the Code 128 and QR matrices only; returns their module count.
    pub fn codes_only(t: &Ticket) -> Result<usize> {
        let bars = codes::code128_modules(&t.dossier_number)?;
        let qr = codes::qr_matrix(t.tracking_url.as_deref().unwrap_or(&t.dossier_number))?;
        Ok(bars.len() + qr.dark.len())
    }

    /// An A4 PDF with one line of text in the embedded font.
    pub fn one_line_pdf(text: &str) -> Result<Vec<u8>> {
        let f = fonts()?;
        let mut c = Canvas::new(f, 210.0, Some(297.0), 15.0, 15.0, 15.0);
        c.paragraph(15.0, 180.0, Style::new(10.0, false), text);
        let mut doc = printpdf::PdfDocument::new("baseline");
        let regular = doc.add_font(&f.regular);
        let bold = doc.add_font(&f.bold);
        let pages = c
            .finish()
            .into_iter()
            .map(|(h, items)| {
                printpdf::PdfPage::new(
                    printpdf::Mm(210.0),
                    printpdf::Mm(h),
                    to_ops(h, items, &regular, &bold),
                )
            })
            .collect();
        Ok(doc
            .with_pages(pages)
            .save(&printpdf::PdfSaveOptions::default(), &mut Vec::new()))
    }
}
