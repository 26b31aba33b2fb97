//! Normalisation used on both sides of search, so that what is stored and
//! what is typed meet: text folding (case, accents, ligatures), identifier
//! codes (order, receipt, dossier and serial numbers) and phone numbers.

use phonenumber::{country, Mode};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Folds text for matching: lower case, accents removed, ligatures expanded,
/// every run of non-alphanumeric characters turned into one space.
/// `"  Hélène  DUPRÉ-Œuvray "` → `"helene dupre oeuvray"`.
pub fn fold_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.nfd() {
        if is_combining_mark(ch) {
            continue;
        }
        let expanded: &str = match ch {
            'œ' | 'Œ' => "oe",
            'æ' | 'Æ' => "ae",
            'ß' => "ss",
            // Letters whose base letter has no decomposition.
            'ı' => "i",
            'ł' | 'Ł' => "l",
            'ø' | 'Ø' => "o",
            'đ' | 'Đ' => "d",
            _ => "",
        };
        if !expanded.is_empty() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push_str(expanded);
        } else if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(ch.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Folded text split into words.
pub fn tokens(s: &str) -> Vec<String> {
    fold_text(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Canonical form of an identifier code as a scanner or a clerk may type it:
/// ASCII letters upper-cased, digits kept, everything else dropped.
/// `"sav-lyo1-2026-000123"` → `"SAVLYO12026000123"`.
pub fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Canonical form of an e-mail address for matching (trimmed, lower case).
pub fn normalize_email(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Characters a person uses when writing a phone number.
fn is_phone_punctuation(c: char) -> bool {
    matches!(
        c,
        ' ' | '.' | '-' | '/' | '(' | ')' | '+' | '\u{A0}' | '\u{202F}'
    )
}

/// True when the text looks like (part of) a phone number or a numeric code:
/// digits and the punctuation people put between them, nothing else.
pub fn is_numeric_entry(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || is_phone_punctuation(c))
}

/// Normalises a complete phone number, in any common French or international
/// writing, to E.164 digits without the plus sign (`"33612345678"`).
/// French numbers written nationally (`06 12 34 56 78`) are read as French.
/// Returns `None` for something that is not a valid number.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let number = phonenumber::parse(Some(country::Id::FR), raw.trim()).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    let e164 = number.format().mode(Mode::E164).to_string();
    Some(e164.trim_start_matches('+').to_owned())
}

/// French national display of an E.164 digit string (`"33612345678"` →
/// `"06 12 34 56 78"`); other countries in international format.
pub fn display_phone(e164_digits: &str) -> String {
    match phonenumber::parse(None, format!("+{e164_digits}")) {
        Ok(n) if n.code().value() == 33 => n.format().mode(Mode::National).to_string(),
        Ok(n) => n.format().mode(Mode::International).to_string(),
        Err(_) => e164_digits.to_owned(),
    }
}

/// The E.164 digit prefix that a partly typed phone number stands for, so
/// that "06 12 34" finds 06 12 34 56 78 stored as `33612345…`.
/// International prefixes (`+`, `00`) are kept; a national French number
/// (leading 0) becomes `33…`; "+33 (0)6…" drops the trunk zero.
pub fn phone_prefix(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let international = raw.starts_with('+') || digits.starts_with("00");
    let mut d = if raw.starts_with('+') {
        digits.as_str()
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        return (rest.len() >= 3).then(|| format!("33{rest}"));
    } else {
        digits.as_str()
    }
    .to_owned();
    if international {
        if let Some(rest) = d.strip_prefix("330") {
            d = format!("33{rest}");
        }
    } else if d.len() == 9 && matches!(d.as_bytes()[0], b'1'..=b'9') {
        // A French number typed without its leading zero.
        d = format!("33{d}");
    }
    (d.len() >= 4).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_ligatures() {
        let cases = [
            ("Hélène Dupré", "helene dupre"),
            ("  HÉLÈNE   DUPRÉ ", "helene dupre"),
            ("Jean-François d'Aubigné", "jean francois d aubigne"),
            ("Œuvray Lætitia", "oeuvray laetitia"),
            ("Çağrı Müller", "cagri muller"),
            ("O'Neil 😀 Smith", "o neil smith"),
            ("'; DROP TABLE customers; --", "drop table customers"),
            ("", ""),
            ("***", ""),
        ];
        for (input, want) in cases {
            assert_eq!(fold_text(input), want, "fold_text({input:?})");
        }
        assert_eq!(tokens("Hélène  Dupré"), vec!["helene", "dupre"]);
    }

    #[test]
    fn codes_ignore_case_and_separators() {
        assert_eq!(normalize_code("sav-lyo1-2026-000123"), "SAVLYO12026000123");
        assert_eq!(normalize_code(" 408-1234567-1234567 "), "40812345671234567");
        assert_eq!(normalize_code("#1001"), "1001");
    }

    #[test]
    fn every_french_writing_of_a_phone_is_the_same_number() {
        let writings = [
            "06 12 34 56 78",
            "0612345678",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "+33 6 12 34 56 78",
            "+33612345678",
            "0033 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
        ];
        for w in writings {
            assert_eq!(normalize_phone(w).as_deref(), Some("33612345678"), "{w}");
            assert_eq!(
                phone_prefix(w).as_deref(),
                Some("33612345678"),
                "prefix of {w}"
            );
        }
        assert_eq!(
            normalize_phone("+44 20 7946 0958").as_deref(),
            Some("442079460958")
        );
        assert_eq!(normalize_phone("12"), None);
        assert_eq!(normalize_phone("bonjour"), None);
    }

    #[test]
    fn partial_phones_become_prefixes() {
        assert_eq!(phone_prefix("06 12 34").as_deref(), Some("3361234"));
        assert_eq!(phone_prefix("+33 6 12").as_deref(), Some("33612"));
        assert_eq!(phone_prefix("612345678").as_deref(), Some("33612345678"));
        assert_eq!(phone_prefix("06"), None, "too short to mean anything");
        assert_eq!(phone_prefix("4401").as_deref(), Some("4401"));
    }

    #[test]
    fn displays_french_numbers_nationally() {
        assert_eq!(display_phone("33612345678"), "06 12 34 56 78");
        assert_eq!(display_phone("33145678901"), "01 45 67 89 01");
        assert!(display_phone("442079460958").starts_with("+44"));
    }

    #[test]
    fn numeric_entry_detection() {
        assert!(is_numeric_entry("06 12 34 56 78"));
        assert!(is_numeric_entry("+33 (0)6"));
        assert!(!is_numeric_entry("WEB-1002"));
        assert!(!is_numeric_entry("--"));
    }
}
