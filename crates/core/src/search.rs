//! Query planning: what one search field's text means. Pure; the store crate
//! executes the plan against the database.
//!
//! A clerk types part of a name, a phone number in any writing, an e-mail, or
//! scans an order / receipt / dossier number (a scanner types the code and
//! Enter). The plan lists every lookup the text can stand for.

use crate::normalize::{
    fold_text, is_numeric_entry, normalize_code, normalize_email, phone_prefix,
};
use crate::{CoreError, Result};

/// Below this many letters or digits a query means nothing useful.
pub const MIN_QUERY_CHARS: usize = 2;
/// Longer than any name, phone or code; a longer entry is a mistake.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words beyond this are ignored (no name needs more).
pub const MAX_TOKENS: usize = 6;
/// Results shown in the list.
pub const MAX_HITS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchPlan {
    /// Folded words, each matched as a prefix of a name or city word.
    pub words: Vec<String>,
    /// Lower-cased e-mail or e-mail prefix, when the text contains `@`.
    pub email: Option<String>,
    /// E.164 digits (complete or prefix) when the text is a phone number.
    pub phone_prefix: Option<String>,
    /// Canonical code (order, receipt, dossier or serial number), when the
    /// text can be one.
    pub code: Option<String>,
}

/// Reads the search field's text into a plan, or says why it cannot.
pub fn plan(raw: &str) -> Result<SearchPlan> {
    let len = raw.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(CoreError::QueryTooLong {
            len,
            max: MAX_QUERY_CHARS,
        });
    }
    let text = raw.trim();
    let folded = fold_text(text);
    let significant = folded.chars().filter(|c| c.is_alphanumeric()).count();
    if significant < MIN_QUERY_CHARS {
        return Err(CoreError::QueryTooShort {
            min: MIN_QUERY_CHARS,
        });
    }

    let mut plan = SearchPlan::default();
    if text.contains('@') {
        plan.email = Some(normalize_email(text));
        return Ok(plan);
    }
    if is_numeric_entry(text) {
        plan.phone_prefix = phone_prefix(text);
        plan.code = Some(normalize_code(text));
        return Ok(plan);
    }
    let has_digit = text.chars().any(|c| c.is_ascii_digit());
    let one_word = !text.chars().any(char::is_whitespace);
    if has_digit {
        // WEB-1002345, SAV-LYO1-2026-000123, a serial number, or a receipt
        // number read aloud with spaces ("TLYO1 260312 0042").
        plan.code = Some(normalize_code(text));
        if one_word {
            return Ok(plan);
        }
    }
    plan.words = folded
        .split(' ')
        .take(MAX_TOKENS)
        .map(str::to_owned)
        .collect();
    if one_word && text.len() >= 4 && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        // A letters-only marketplace reference is rare but possible.
        plan.code = Some(normalize_code(text));
    }
    Ok(plan)
}

/// Builds an FTS5 match expression from folded words: every word is quoted
/// (so no query syntax can be injected) and matched as a prefix.
pub fn fts_match_expression(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_become_folded_prefix_words() {
        let p = plan("Hélène DUP").unwrap();
        assert_eq!(p.words, words(&["helene", "dup"]));
        assert_eq!(p.phone_prefix, None);
        assert_eq!(p.email, None);
        assert_eq!(p.code, None);
        assert_eq!(fts_match_expression(&p.words), "\"helene\"* \"dup\"*");
    }

    #[test]
    fn phones_in_any_writing_plan_the_same_lookup() {
        for q in ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78"] {
            let p = plan(q).unwrap();
            assert_eq!(p.phone_prefix.as_deref(), Some("33612345678"), "{q}");
            assert!(p.words.is_empty());
        }
    }

    #[test]
    fn emails_and_codes() {
        let p = plan("  Helene.Dupre@Example.FR ").unwrap();
        assert_eq!(p.email.as_deref(), Some("helene.dupre@example.fr"));
        let p = plan("sav-lyo1-2026-000123").unwrap();
        assert_eq!(p.code.as_deref(), Some("SAVLYO12026000123"));
        assert!(p.words.is_empty());
        let p = plan("408-1234567-1234567").unwrap();
        assert_eq!(p.code.as_deref(), Some("40812345671234567"));
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        assert_eq!(plan("").unwrap_err().code(), "query_too_short");
        assert_eq!(plan("a").unwrap_err().code(), "query_too_short");
        assert_eq!(plan("😀😀😀").unwrap_err().code(), "query_too_short");
        assert_eq!(plan(" - ' ").unwrap_err().code(), "query_too_short");
        let long = "a".repeat(10_000);
        assert_eq!(plan(&long).unwrap_err().code(), "query_too_long");
    }

    #[test]
    fn sql_and_fts_metacharacters_are_inert() {
        let p = plan("dupont\" OR 1=1; --").unwrap();
        // Only words survive folding; quotes never reach the expression.
        assert_eq!(p.words, words(&["dupont", "or", "1", "1"]));
        assert!(!fts_match_expression(&p.words).contains("\"\""));
        let p = plan("NEAR(a b) AND *").unwrap();
        assert_eq!(
            fts_match_expression(&p.words),
            "\"near\"* \"a\"* \"b\"* \"and\"*"
        );
    }

    #[test]
    fn too_many_words_are_capped() {
        let p = plan("a b c d e f g h i").unwrap();
        assert_eq!(p.words.len(), MAX_TOKENS);
    }
}
