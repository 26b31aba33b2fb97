//! Query planning: what one search field's text means. Pure; the store crate
//! executes the plan against the database.
//!
//! A clerk types part of a name, a phone number in any writing, an e-mail, or
//! scans an order / receipt / dossier number (a scanner types the code and
//! Enter). The plan lists every lookup the text can stand for.

use crate::normalize::{
    fold_text, is_numeric_entry, normalize_code, normalize_email, phone_prefixes,
};
use crate::phonetic::sound_key;
use crate::records::CustomerRecord;
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
    /// E.164 digits (complete or prefix) when the text is a phone number:
    /// the first is what the text most likely means; a national writing
    /// (`0692…`) that can belong to several French regions lists each
    /// region the phone metadata allows.
    pub phone_prefixes: Vec<String>,
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
        plan.phone_prefixes = phone_prefixes(text);
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

/// What the search index holds for one customer: the folded text of the
/// name and of the city (the full-text row) and each distinct word with its
/// phonetic key (the word list that spelling and sound corrections search).
/// Computed here, written by the store (`comptoir_store`'s search module)
/// wherever a customer is created, edited or reindexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerIndexEntry {
    pub name: String,
    pub city: String,
    /// `(word, sound key)`, letters-only words of two letters or more.
    pub terms: Vec<(String, String)>,
}

/// The index entry of a customer.
pub fn customer_index_entry(c: &CustomerRecord) -> CustomerIndexEntry {
    let name = fold_text(&format!("{} {}", c.first_name, c.last_name));
    let city = fold_text(&format!("{} {}", c.city, c.postal_code));
    let mut terms: Vec<(String, String)> = Vec::new();
    for w in name.split(' ').chain(city.split(' ')) {
        if let Some(t) = index_term(w) {
            if !terms.iter().any(|(x, _)| *x == t.0) {
                terms.push(t);
            }
        }
    }
    CustomerIndexEntry { name, city, terms }
}

/// A folded word as the word list keeps it, with its sound key; `None`
/// for numbers (postal codes) and single letters.
pub fn index_term(word: &str) -> Option<(String, String)> {
    (word.chars().count() >= 2 && word.chars().all(char::is_alphabetic))
        .then(|| (word.to_owned(), sound_key(word)))
}

/// Fewer letters than this and a word is never matched by its sound (two
/// letters sound like too many names).
pub const MIN_SOUND_LEN: usize = 3;

/// One typed word and what it may also stand for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WordAlternatives {
    /// The folded word as typed (matched exactly or as a prefix).
    pub word: String,
    /// Index words one or two typos away (see [`crate::typo`]).
    pub spellings: Vec<String>,
    /// Index words with the same sound key (see [`crate::phonetic`]).
    pub sounds: Vec<String>,
}

impl WordAlternatives {
    pub fn has_alternatives(&self) -> bool {
        !self.spellings.is_empty() || !self.sounds.is_empty()
    }
}

/// The FTS5 expression of the forgiving pass: for every word, its prefix
/// or any of its corrections. Every term is quoted (no syntax injected).
pub fn forgiving_match_expression(words: &[WordAlternatives]) -> String {
    let quote = |t: &str| format!("\"{}\"", t.replace('"', ""));
    words
        .iter()
        .map(|w| {
            let mut alts = vec![format!("{}*", quote(&w.word))];
            for t in w.spellings.iter().chain(&w.sounds) {
                alts.push(quote(t));
            }
            format!("({})", alts.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Why a customer was found by name, for the result line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    /// Every word is a word, or the start of a word, of the name or city.
    Typed,
    /// Some word only matched once a typo was forgiven.
    Spelling,
    /// Some word only matched by its sound.
    Sound,
}

impl NameMatch {
    /// The « why it matched » of the result line; `None` when the name
    /// matched as typed (the name itself says why).
    pub fn label_fr(self) -> Option<&'static str> {
        match self {
            NameMatch::Typed => None,
            NameMatch::Spelling => Some("orthographe proche"),
            NameMatch::Sound => Some("prononciation proche"),
        }
    }
}

/// The rank of a name hit: fewer corrected words first, then the higher
/// score (a whole word of the name counts most, then a name prefix, then
/// the city; a corrected word counts least), then the older customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRank {
    pub corrected: u8,
    pub score: u32,
    pub why: NameMatch,
}

impl NameRank {
    /// Sort key: ascending is best first.
    pub fn sort_key(&self) -> (u8, std::cmp::Reverse<u32>) {
        (self.corrected, std::cmp::Reverse(self.score))
    }
}

/// Ranks one candidate from its folded name and city (as the index holds
/// them) against the typed words and their alternatives.
pub fn rank_name_hit(words: &[WordAlternatives], name: &str, city: &str) -> NameRank {
    let mut rank = NameRank {
        corrected: 0,
        score: 0,
        why: NameMatch::Typed,
    };
    for w in words {
        // (how, score) of the best way this word meets the customer.
        let mut best: Option<(NameMatch, u32)> = None;
        let mut consider = |how: NameMatch, score: u32| {
            let better = match best {
                None => true,
                Some((h, s)) => (how, std::cmp::Reverse(score)) < (h, std::cmp::Reverse(s)),
            };
            if better {
                best = Some((how, score));
            }
        };
        for (text, weight) in [(name, 3u32), (city, 1u32)] {
            for t in text.split(' ').filter(|t| !t.is_empty()) {
                if t == w.word {
                    consider(NameMatch::Typed, 2 * weight);
                } else if t.starts_with(w.word.as_str()) {
                    consider(NameMatch::Typed, weight);
                } else if w.spellings.iter().any(|s| s == t) {
                    consider(NameMatch::Spelling, weight);
                } else if w.sounds.iter().any(|s| s == t) {
                    consider(NameMatch::Sound, weight);
                }
            }
        }
        match best {
            Some((NameMatch::Typed, s)) => rank.score += s,
            Some((how, s)) => {
                rank.corrected += 1;
                rank.score += s;
                rank.why = rank.why.max(how);
            }
            None => {
                rank.corrected += 1;
                rank.why = rank.why.max(NameMatch::Spelling);
            }
        }
    }
    rank
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
        assert!(p.phone_prefixes.is_empty());
        assert_eq!(p.email, None);
        assert_eq!(p.code, None);
        assert_eq!(fts_match_expression(&p.words), "\"helene\"* \"dup\"*");
    }

    #[test]
    fn phones_in_any_writing_plan_the_same_lookup() {
        for q in ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78"] {
            let p = plan(q).unwrap();
            assert_eq!(p.phone_prefixes, ["33612345678"], "{q}");
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

    fn alts(word: &str, spellings: &[&str], sounds: &[&str]) -> WordAlternatives {
        WordAlternatives {
            word: word.to_owned(),
            spellings: spellings.iter().map(|s| s.to_string()).collect(),
            sounds: sounds.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn typed_matches_rank_above_corrections_and_spelling_above_sound() {
        let w = [alts("lefevre", &["lefebvre"], &["lefebure"])];
        let exact = rank_name_hit(&w, "anne lefevre", "arras 62000");
        let prefix = rank_name_hit(&w, "jean lefevret", "albi 81000");
        let spelled = rank_name_hit(&w, "anne lefebvre", "lille 59000");
        let sounded = rank_name_hit(&w, "anne lefebure", "lille 59000");
        let city = rank_name_hit(&[alts("lille", &[], &[])], "anne lefebvre", "lille 59000");
        let mut all = [spelled, sounded, exact, prefix, city];
        all.sort_by_key(NameRank::sort_key);
        assert_eq!(all, [exact, prefix, city, spelled, sounded]);
        assert_eq!(exact.why, NameMatch::Typed);
        assert_eq!(spelled.why.label_fr(), Some("orthographe proche"));
        assert_eq!(sounded.why.label_fr(), Some("prononciation proche"));
        assert_eq!(exact.why.label_fr(), None);
        // Names count more than cities.
        let by_name = rank_name_hit(&[alts("martin", &[], &[])], "paul martin", "lyon");
        let by_city = rank_name_hit(&[alts("martin", &[], &[])], "paul durand", "saint martin");
        assert!(by_name.sort_key() < by_city.sort_key());
    }

    #[test]
    fn the_forgiving_expression_quotes_every_term() {
        let e = forgiving_match_expression(&[
            alts("lefevre", &["lefebvre"], &["lefebure"]),
            alts("an\"ne", &[], &[]),
        ]);
        assert_eq!(
            e,
            "(\"lefevre\"* OR \"lefebvre\" OR \"lefebure\") AND (\"anne\"*)"
        );
    }

    #[test]
    fn an_index_entry_holds_folded_text_and_letter_words_with_their_sound() {
        let c = crate::records::CustomerRecord {
            id: crate::ids::CustomerId::new(),
            title: Some("Mme".into()),
            first_name: "Hélène".into(),
            last_name: "Lefèbvre-Dupré".into(),
            address_line1: "1 rue".into(),
            address_line2: None,
            postal_code: "69002".into(),
            city: "Lyon".into(),
            country: "FR".into(),
            email_marketing: false,
            sms_marketing: false,
            consents_updated_at: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            contacts: Vec::new(),
        };
        let e = customer_index_entry(&c);
        assert_eq!(e.name, "helene lefebvre dupre");
        assert_eq!(e.city, "lyon 69002");
        let words: Vec<&str> = e.terms.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(words, ["helene", "lefebvre", "dupre", "lyon"]);
        assert_eq!(e.terms[1].1, "lefevr");
    }
}
