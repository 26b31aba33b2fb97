//! Renders real tickets and reads them back with real tools: poppler's
//! `pdftoppm` (300 dpi) and `pdftotext`, and `zbarimg` for both codes.
//! Needs `poppler-utils` and `zbar-tools` (scripts/deps.sh --test).
//!
//! Set `COMPTOIR_PRINT_KEEP=<dir>` to keep the PDFs and PNG pages.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use comptoir_core::Cents;
use comptoir_print::{render, Format, PrintError, Ticket};

const NUMBER: &str = "SAV-LYO1-2026-000123";
const URL: &str = "https://suivi.comptoir.example/d/SAV-LYO1-2026-000123";

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?} ({e}): install poppler-utils and zbar-tools")
    });
    assert!(
        out.status.success() || out.status.code() == Some(4),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Rendered {
    _dir: tempfile::TempDir,
    pdf: PathBuf,
    pages: Vec<PathBuf>,
}

fn render_to_files(ticket: &Ticket, format: Format, name: &str) -> Rendered {
    let bytes = render(ticket, format).expect("render");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&pdf, &bytes).expect("write pdf");
    let prefix = dir.path().join(name);
    run(Command::new("pdftoppm")
        .args(["-r", "300", "-png"])
        .arg(&pdf)
        .arg(&prefix));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "pdftoppm produced no page");
    if let Some(keep) = std::env::var_os("COMPTOIR_PRINT_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).expect("keep dir");
        std::fs::copy(&pdf, keep.join(format!("{name}.pdf"))).expect("keep pdf");
        for p in &pages {
            std::fs::copy(p, keep.join(p.file_name().expect("name"))).expect("keep png");
        }
    }
    Rendered {
        _dir: dir,
        pdf,
        pages,
    }
}

/// Symbols of one type found on the page images, decoded.
fn decode(pages: &[PathBuf], symbology: &str) -> Vec<String> {
    let mut found = Vec::new();
    for page in pages {
        let out = run(Command::new("zbarimg")
            .args(["--raw", "-q", "-Sdisable"])
            .arg(format!("-S{symbology}.enable"))
            .arg(page));
        found.extend(out.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    }
    found
}

fn text_of(pdf: &Path) -> String {
    run(Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-"))
}

/// Spaces of every kind as one ASCII space, for phrase checks across wrapping.
fn squeeze(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{202F}' || c == '\u{A0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn page_count(pdf: &Path) -> usize {
    let info = run(Command::new("pdfinfo").arg(pdf));
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo pages")
}

fn check_codes(r: &Rendered, qr_want: &str) {
    assert_eq!(
        decode(&r.pages, "code128"),
        vec![NUMBER.to_owned()],
        "Code 128"
    );
    assert_eq!(
        decode(&r.pages, "qrcode"),
        vec![qr_want.to_owned()],
        "QR code"
    );
}

fn check_intake_text(text: &str) {
    let flat = squeeze(text);
    for want in [
        "BON DE PRISE EN CHARGE",
        NUMBER,
        "Mme Hélène Dupré",
        "Déposé le 23/11/2026 à 14:05",
        "mercredi 25/11/2026 à 18:00",
        "Garantie légale de conformité",
        "Ne s'allume plus, même branché sur secteur.",
        "Chargeur secteur, Housse de protection",
        "Site web, n° WEB-1002345 du 12/09/2025",
        "Articles L217-7 et L217-9 du Code de la consommation",
        "Signature du client",
        "Signature du conseiller",
        "médiateur de la consommation",
    ] {
        assert!(flat.contains(want), "missing {want:?} in:\n{text}");
    }
}

#[test]
fn a4_intake_scans_and_reads_in_french() {
    let t = Ticket::example_intake();
    let r = render_to_files(&t, Format::A4, "intake-a4");
    check_codes(&r, URL);
    check_intake_text(&text_of(&r.pdf));
    assert_eq!(page_count(&r.pdf), 1);
}

#[test]
fn receipt_intake_scans_and_reads_in_french() {
    let t = Ticket::example_intake();
    let r = render_to_files(&t, Format::Receipt80mm, "intake-receipt");
    check_codes(&r, URL);
    check_intake_text(&text_of(&r.pdf));
    assert_eq!(page_count(&r.pdf), 1, "a receipt is one long page");
}

#[test]
fn restitution_prints_cost_in_euros_in_both_formats() {
    let mut t = Ticket::example_restitution();
    if let Some(r) = t.restitution.as_mut() {
        r.cost = Cents(123_456);
    }
    for (format, name) in [
        (Format::A4, "restitution-a4"),
        (Format::Receipt80mm, "restitution-receipt"),
    ] {
        let r = render_to_files(&t, format, name);
        check_codes(&r, URL);
        let text = text_of(&r.pdf);
        assert!(text.contains('€'), "no euro sign in:\n{text}");
        let flat = squeeze(&text);
        for want in [
            "BON DE RESTITUTION",
            "1 234,56 €",
            "Avoir de 20,00 € offert",
            "Restitué le 25/11/2026 à 17:30",
            "Carte mère LUM-MB-14",
            "Geste validé par Marc Petit",
            "Garantie légale de conformité",
        ] {
            assert!(flat.contains(want), "{name}: missing {want:?} in:\n{text}");
        }
    }
}

#[test]
fn without_tracking_url_the_qr_carries_the_dossier_number() {
    let mut t = Ticket::example_intake();
    t.tracking_url = None;
    t.product.purchase = None;
    for (format, name) in [
        (Format::A4, "no-url-a4"),
        (Format::Receipt80mm, "no-url-receipt"),
    ] {
        let r = render_to_files(&t, format, name);
        check_codes(&r, NUMBER);
        let flat = squeeze(&text_of(&r.pdf));
        assert!(flat.contains("Sans preuve d'achat"), "{name}: {flat}");
    }
}

/// 5,000 characters of customer words: every word is printed, nothing
/// overflows the page (A4 continues on a second page, the receipt grows).
#[test]
fn a_five_thousand_character_note_wraps_and_continues() {
    let mut note = String::new();
    let mut i = 0;
    while note.chars().count() < 5000 {
        note.push_str(&format!("écran{i:04} "));
        if i % 37 == 36 {
            note.push('\n');
        }
        i += 1;
    }
    let note: String = note.chars().take(5000).collect();
    let words: Vec<&str> = note.split_whitespace().collect();
    let mut t = Ticket::example_intake();
    t.customer_words = Some(note.clone());

    for (format, name) in [
        (Format::A4, "long-a4"),
        (Format::Receipt80mm, "long-receipt"),
    ] {
        let r = render_to_files(&t, format, name);
        let text = text_of(&r.pdf);
        let printed: std::collections::HashSet<&str> = text.split_whitespace().collect();
        let missing: Vec<&&str> = words
            .iter()
            .filter(|w| !printed.contains(**w) && !printed.contains(format!("«{w}").as_str()))
            .collect();
        // The last word may be cut by the 5,000-character limit but is printed as is.
        assert!(
            missing.is_empty(),
            "{name}: {} words missing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        check_codes(&r, URL);
        if format == Format::A4 {
            assert!(
                page_count(&r.pdf) >= 2,
                "the note should continue on page 2"
            );
            assert!(squeeze(&text).contains("page 2/"), "page footer");
        }
    }

    // One 5,000-character "word" (no space at all) is cut, not overflowing.
    t.customer_words = Some("é".repeat(5000));
    for format in [Format::A4, Format::Receipt80mm] {
        let pdf = render(&t, format).expect("render");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("word.pdf");
        std::fs::write(&path, pdf).expect("write");
        let text = text_of(&path);
        assert_eq!(
            text.matches('é').count(),
            5000 + text_of_fixed_e_count(),
            "{format:?}"
        );
    }
}

/// « é » printed by the rest of the ticket (fixed texts and example data).
fn text_of_fixed_e_count() -> usize {
    let mut t = Ticket::example_intake();
    t.customer_words = Some("x".into());
    let pdf = render(&t, Format::A4).expect("render");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).expect("write");
    text_of(&path).matches('é').count()
}

#[test]
fn characters_without_glyph_and_controls_do_not_break_the_page() {
    let mut t = Ticket::example_intake();
    t.customer_words = Some("Tab\there, bell\u{7}, emoji 🙂, CJK 漢字, fin.".into());
    let r = render_to_files(&t, Format::Receipt80mm, "odd-chars");
    let flat = squeeze(&text_of(&r.pdf));
    assert!(
        flat.contains("Tab here, bell, emoji ?, CJK ??, fin."),
        "{flat}"
    );
}

#[test]
fn bad_input_gets_a_french_error() {
    let mut t = Ticket::example_intake();
    t.timezone = "Europe/Lyon".into();
    let err = render(&t, Format::A4).unwrap_err();
    assert_eq!(err.code(), "unknown_time_zone");
    assert!(err.message_fr().contains("fuseau horaire « Europe/Lyon »"));

    let mut t = Ticket::example_intake();
    t.dossier_number = " ".into();
    assert_eq!(render(&t, Format::A4).unwrap_err().code(), "invalid_ticket");

    let mut t = Ticket::example_intake();
    t.dossier_number = "SAV-ÉTÉ-1".into();
    let err = render(&t, Format::Receipt80mm).unwrap_err();
    assert!(matches!(err, PrintError::Barcode { .. }), "{err:?}");

    let mut t = Ticket::example_intake();
    t.kind = comptoir_print::TicketKind::Restitution;
    assert_eq!(render(&t, Format::A4).unwrap_err().code(), "invalid_ticket");
}

#[test]
fn ticket_round_trips_through_json() {
    let t = Ticket::example_restitution();
    let json = serde_json::to_string(&t).expect("json");
    assert!(json.contains("\"kind\":\"restitution\""));
    let back: Ticket = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, t);
}
