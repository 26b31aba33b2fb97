//! Printing through CUPS with the `lp` command (cups-client).
//!
//! When a job cannot be queued the PDF is saved to a fallback folder
//! (`COMPTOIR_PRINT_FALLBACK_DIR`, or `comptoir-impressions` in the system's
//! temporary folder), and the error says where, so nothing is lost.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::error::{PrintError, Result};

fn fallback_dir() -> PathBuf {
    std::env::var_os("COMPTOIR_PRINT_FALLBACK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("comptoir-impressions"))
}

/// Saves the PDF that could not be printed; `None` if even that fails.
fn save_fallback(pdf: &[u8], title: &str) -> Option<PathBuf> {
    let dir = fallback_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let stem = crate::deliver::safe_file_stem(title);
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    let path = dir.join(format!("{stem}-{stamp}.pdf"));
    std::fs::write(&path, pdf).ok()?;
    Some(path)
}

fn scheduler_running() -> bool {
    Command::new("lpstat")
        .arg("-r")
        .output()
        .map(|o| {
            let out = String::from_utf8_lossy(&o.stdout);
            o.status.success() && out.contains("is running") && !out.contains("not running")
        })
        .unwrap_or(false)
}

/// Sends a PDF to `printer` (the default destination when `None`) with `lp`;
/// returns the CUPS job id (`ComptoirPDF-12`).
pub fn print_pdf(pdf: &[u8], printer: Option<&str>, title: &str) -> Result<String> {
    let mut cmd = Command::new("lp");
    if let Some(p) = printer {
        cmd.arg("-d").arg(p);
    }
    cmd.arg("-t").arg(title).arg("-");
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PrintError::CommandMissing {
                command: "lp",
                saved_to: save_fallback(pdf, title),
            })
        }
        Err(e) => return Err(e.into()),
    };
    // lp may exit early (unknown printer) and close its stdin: the outcome
    // is then read from its status, not from this write.
    let write_result = child.stdin.take().map(|mut stdin| stdin.write_all(pdf));
    let out = child.wait_with_output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();

    if out.status.success() {
        if let Some(Err(e)) = write_result {
            return Err(e.into());
        }
        // "request id is ComptoirPDF-3 (1 file(s))"
        return stdout
            .split_whitespace()
            .skip_while(|w| *w != "is")
            .nth(1)
            .map(str::to_owned)
            .ok_or_else(|| PrintError::PrintFailed {
                detail: format!("réponse inattendue de lp : {}", stdout.trim()),
                saved_to: None,
            });
    }

    let saved_to = save_fallback(pdf, title);
    let lower = stderr.to_lowercase();
    if !scheduler_running() || lower.contains("scheduler") || lower.contains("connect") {
        return Err(PrintError::CupsUnavailable {
            detail: stderr,
            saved_to,
        });
    }
    if lower.contains("does not exist") || lower.contains("not found") {
        return Err(PrintError::PrinterNotFound {
            printer: printer.unwrap_or_default().to_owned(),
            saved_to,
        });
    }
    if lower.contains("no default destination") {
        return Err(PrintError::NoDefaultPrinter { saved_to });
    }
    Err(PrintError::PrintFailed {
        detail: stderr,
        saved_to,
    })
}

/// The print queues CUPS knows (`lpstat -e`).
pub fn list_printers() -> Result<Vec<String>> {
    let out = match Command::new("lpstat").arg("-e").output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PrintError::CommandMissing {
                command: "lpstat",
                saved_to: None,
            })
        }
        Err(e) => return Err(e.into()),
    };
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    if !out.status.success() || !scheduler_running() {
        return Err(PrintError::CupsUnavailable {
            detail: stderr,
            saved_to: None,
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}
