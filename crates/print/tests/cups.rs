//! Printing through a real CUPS. The virtual printer test needs
//! `scripts/cups-setup.sh` (as root) and `COMPTOIR_CUPS=1`; it is skipped
//! otherwise. cups-pdf's output folder is `COMPTOIR_CUPS_PDF_DIR`, by default
//! `$HOME/PDF` (what the setup script prints).

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use comptoir_print::{list_printers, print_pdf, render, Format, Ticket};

const QUEUE: &str = "ComptoirPDF";

fn cups_enabled() -> bool {
    std::env::var("COMPTOIR_CUPS").is_ok_and(|v| v == "1")
}

fn output_dir() -> PathBuf {
    std::env::var_os("COMPTOIR_CUPS_PDF_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join("PDF"))
}

fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn prints_to_the_virtual_pdf_printer_and_the_barcode_scans() {
    if !cups_enabled() {
        eprintln!("skipped: set COMPTOIR_CUPS=1 after running scripts/cups-setup.sh as root");
        return;
    }
    let printers = list_printers().expect("lpstat");
    assert!(
        printers.iter().any(|p| p == QUEUE),
        "{QUEUE} not in {printers:?}: run scripts/cups-setup.sh"
    );

    let ticket = Ticket::example_intake();
    let pdf = render(&ticket, Format::A4).expect("render");
    let started = SystemTime::now();
    let title = format!(
        "comptoir-test-{}-{}",
        std::process::id(),
        started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );
    let job = print_pdf(&pdf, Some(QUEUE), &title).expect("print");
    assert!(job.starts_with(&format!("{QUEUE}-")), "job id {job:?}");

    wait_for("the job to complete", Duration::from_secs(60), || {
        let out = Command::new("lpstat")
            .args(["-W", "completed", "-o", QUEUE])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .any(|l| l.split_whitespace().next() == Some(job.as_str()))
            .then_some(())
    });

    let dir = output_dir();
    let printed = wait_for("cups-pdf's PDF", Duration::from_secs(30), || {
        std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(&title))
                    && p.extension().is_some_and(|x| x == "pdf")
                    && std::fs::metadata(p).is_ok_and(|m| m.len() > 0)
            })
    });

    let tmp = tempfile::tempdir().expect("tempdir");
    let prefix = tmp.path().join("printed");
    let st = Command::new("pdftoppm")
        .args(["-q", "-r", "300", "-png", "-f", "1", "-l", "1"])
        .arg(&printed)
        .arg(&prefix)
        .status()
        .expect("pdftoppm");
    assert!(st.success());
    let png = std::fs::read_dir(tmp.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .expect("png page");
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sdisable", "-Scode128.enable"])
        .arg(&png)
        .output()
        .expect("zbarimg");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        ticket.dossier_number,
        "barcode on the printed PDF ({})",
        printed.display()
    );
    let _ = std::fs::remove_file(&printed);
}

#[test]
fn an_unknown_printer_gets_a_french_message_and_the_pdf_is_kept() {
    let fallback = tempfile::tempdir().expect("tempdir");
    std::env::set_var("COMPTOIR_PRINT_FALLBACK_DIR", fallback.path());
    let pdf = render(&Ticket::example_intake(), Format::Receipt80mm).expect("render");
    let err = print_pdf(&pdf, Some("Imprimante-Fantome"), "SAV-LYO1-2026-000123").unwrap_err();

    let scheduler_up = Command::new("lpstat")
        .arg("-r")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("scheduler is running"));
    if cups_enabled() || scheduler_up {
        assert_eq!(err.code(), "printer_not_found", "{err:?}");
        assert!(
            err.message_fr().starts_with(
                "L'imprimante « Imprimante-Fantome » est introuvable. Le PDF a été enregistré : "
            ),
            "{}",
            err.message_fr()
        );
    } else {
        // Without a scheduler, CUPS cannot tell whether the printer exists.
        assert!(
            matches!(err.code(), "cups_unavailable" | "lp_missing"),
            "{err:?}"
        );
    }
    let saved = err.saved_to().expect("the PDF is saved");
    assert!(saved.starts_with(fallback.path()));
    assert!(err.message_fr().contains(&saved.display().to_string()));
    assert_eq!(std::fs::read(saved).expect("saved PDF"), pdf);
}
