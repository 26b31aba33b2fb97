//! Barcodes drawn as vector rectangles: Code 128 for the dossier number,
//! QR code for the tracking link.

use barcoders::sym::code128::Code128;
use qrcode::{EcLevel, QrCode};

use crate::error::{PrintError, Result};

/// Quiet zone on each side of a Code 128, in modules (the standard asks ≥ 10).
pub(crate) const CODE128_QUIET: usize = 10;
/// Quiet zone around a QR code, in modules (the standard asks 4).
pub(crate) const QR_QUIET: usize = 4;

/// Code 128 input for barcoders: code set B for text, code set C (two
/// digits per symbol) for runs of at least four digits, which keeps
/// `SAV-LYO1-2026-000123` short enough to print with wide modules.
pub(crate) fn code128_input(data: &str) -> Result<String> {
    let bad = |detail: &str| PrintError::Barcode {
        data: data.to_owned(),
        detail: detail.to_owned(),
    };
    if data.is_empty() {
        return Err(bad("empty"));
    }
    if !data.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(bad("only printable ASCII can be encoded"));
    }
    let chars: Vec<char> = data.chars().collect();
    let mut out = String::with_capacity(data.len() + 8);
    let mut set = None::<char>;
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run >= 4 {
            // An odd run leaves its first digit in set B.
            if run % 2 == 1 {
                if set != Some('Ɓ') {
                    out.push('Ɓ');
                    set = Some('Ɓ');
                }
                out.push(chars[i]);
                i += 1;
            }
            let even = run - run % 2;
            if set != Some('Ć') {
                out.push('Ć');
                set = Some('Ć');
            }
            out.extend(&chars[i..i + even]);
            i += even;
        } else {
            if set != Some('Ɓ') {
                out.push('Ɓ');
                set = Some('Ɓ');
            }
            out.push(chars[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// The bars and spaces of `data` (1 = bar), without quiet zones.
pub(crate) fn code128_modules(data: &str) -> Result<Vec<u8>> {
    let input = code128_input(data)?;
    let code = Code128::new(&input).map_err(|e| PrintError::Barcode {
        data: data.to_owned(),
        detail: e.to_string(),
    })?;
    Ok(code.encode())
}

/// Bars as (offset, length) runs in modules along the code.
pub(crate) fn bar_runs(modules: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if modules[i] == 1 {
            let start = i;
            while i < modules.len() && modules[i] == 1 {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    runs
}

/// A QR code's dark modules, row-major, `width` × `width`.
pub(crate) struct QrMatrix {
    pub width: usize,
    pub dark: Vec<bool>,
}

pub(crate) fn qr_matrix(data: &str) -> Result<QrMatrix> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| {
        PrintError::Barcode {
            data: data.to_owned(),
            detail: e.to_string(),
        }
    })?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok(QrMatrix { width, dark })
}

impl QrMatrix {
    /// Dark modules merged into horizontal runs: (column, row, length).
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for row in 0..self.width {
            let line = &self.dark[row * self.width..(row + 1) * self.width];
            let mut col = 0;
            while col < self.width {
                if line[col] {
                    let start = col;
                    while col < self.width && line[col] {
                        col += 1;
                    }
                    runs.push((start, row, col - start));
                } else {
                    col += 1;
                }
            }
        }
        runs
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_use_code_set_c() {
        assert_eq!(
            code128_input("SAV-LYO1-2026-000123").unwrap(),
            "ƁSAV-LYO1-Ć2026Ɓ-Ć000123"
        );
        assert_eq!(code128_input("12345").unwrap(), "Ɓ1Ć2345");
        assert_eq!(code128_input("A1").unwrap(), "ƁA1");
        assert!(code128_input("SAV-ÉTÉ").is_err());
        assert!(code128_input("").is_err());
    }

    #[test]
    fn dossier_number_is_short_enough() {
        // start + 18 data symbols + check (11 modules each) + stop (13).
        let m = code128_modules("SAV-LYO1-2026-000123").unwrap();
        assert_eq!(m.len(), 20 * 11 + 13);
        assert_eq!(m.first(), Some(&1));
    }
}
