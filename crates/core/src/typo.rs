//! Spelling mistakes: which words of the index a mistyped word may stand
//! for, the way typo-tolerant search engines do it.
//!
//! - A word of fewer than [`ONE_TYPO_FROM`] letters must be typed right
//!   (« Roy » never brings every « Ray »); from 5 letters one typo is
//!   forgiven, from [`TWO_TYPOS_FROM`] (9) letters two.
//! - A typo is an insertion, a deletion, a substitution or the swap of two
//!   neighbouring letters (Damerau–Levenshtein, "optimal string alignment").
//! - A wrong first letter costs one typo more ([`FIRST_LETTER_COST`]): people
//!   rarely get the first sound wrong, and a corrected first letter lets in
//!   far more unrelated names.
//!
//! The index is the set of distinct folded words of every customer's name
//! and city, kept as a finite-state transducer (the `fst` crate): a few
//! bytes per word, searched with a Levenshtein automaton
//! (`levenshtein_automata`, the DFA construction of Schulz & Mihov with
//! transpositions) that visits only the branches within the allowed
//! distance. Words added after the set was built are kept in a small list
//! beside it until the next rebuild.

use std::fmt;
use std::sync::OnceLock;

use fst::{Automaton, IntoStreamer, Set, SetBuilder, Streamer};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};

/// Words of this many letters or more forgive one typo.
pub const ONE_TYPO_FROM: usize = 5;
/// Words of this many letters or more forgive two typos.
pub const TWO_TYPOS_FROM: usize = 9;
/// Extra cost of a wrong first letter.
pub const FIRST_LETTER_COST: u8 = 1;
/// Longer words are never corrected (no name is that long; it bounds the
/// automaton built for a query).
pub const MAX_CORRECTED_LEN: usize = 32;
/// At most this many corrections per typed word, the closest first.
pub const MAX_CORRECTIONS: usize = 12;

/// How many typos a typed word may carry.
pub fn allowed_typos(word: &str) -> u8 {
    let n = word.chars().count();
    if n > MAX_CORRECTED_LEN {
        0
    } else if n >= TWO_TYPOS_FROM {
        2
    } else if n >= ONE_TYPO_FROM {
        1
    } else {
        0
    }
}

fn automaton_builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    if distance <= 1 {
        ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
    } else {
        TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true))
    }
}

/// `fst::Automaton` over a Levenshtein DFA.
struct Lev<'a>(&'a DFA);

impl Automaton for Lev<'_> {
    type State = u32;
    fn start(&self) -> u32 {
        self.0.initial_state()
    }
    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }
    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }
    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

fn dfa_distance(dfa: &DFA, term: &str) -> Option<u8> {
    let mut state = dfa.initial_state();
    for &b in term.as_bytes() {
        state = dfa.transition(state, b);
        if state == SINK_STATE {
            return None;
        }
    }
    match dfa.distance(state) {
        Distance::Exact(d) => Some(d),
        Distance::AtLeast(_) => None,
    }
}

/// A word of the index that a typed word may stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub term: String,
    /// Typos, plus [`FIRST_LETTER_COST`] when the first letter differs.
    pub cost: u8,
}

/// The distinct words of the index, searchable by edit distance.
pub struct TermIndex {
    set: Set<Vec<u8>>,
    recent: Vec<String>,
}

impl fmt::Debug for TermIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TermIndex")
            .field("terms", &self.set.len())
            .field("recent", &self.recent.len())
            .field("bytes", &self.memory_bytes())
            .finish()
    }
}

impl TermIndex {
    /// Builds the set from words in ascending byte order (as SQLite's
    /// `ORDER BY` gives them); duplicates and out-of-order words are
    /// skipped, never an error.
    pub fn build<I, S>(sorted_terms: I) -> TermIndex
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = SetBuilder::memory();
        let mut recent = Vec::new();
        let mut last: Option<String> = None;
        for t in sorted_terms {
            let t = t.as_ref();
            if last.as_deref().is_some_and(|l| l >= t) {
                if last.as_deref() != Some(t) {
                    recent.push(t.to_owned());
                }
                continue;
            }
            if builder.insert(t).is_err() {
                recent.push(t.to_owned());
            }
            last = Some(t.to_owned());
        }
        let set = builder
            .into_inner()
            .ok()
            .and_then(|bytes| Set::new(bytes).ok())
            .unwrap_or_default();
        TermIndex { set, recent }
    }

    /// Adds a word after the build (kept beside the set until the next
    /// rebuild).
    pub fn add(&mut self, term: &str) {
        if !self.set.contains(term) && !self.recent.iter().any(|t| t == term) {
            self.recent.push(term.to_owned());
        }
    }

    /// Words held.
    pub fn len(&self) -> usize {
        self.set.len() + self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Words added since the build.
    pub fn recent_len(&self) -> usize {
        self.recent.len()
    }

    /// Heap memory held by the index, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.set.as_fst().as_bytes().len()
            + self.recent.capacity() * std::mem::size_of::<String>()
            + self.recent.iter().map(String::capacity).sum::<usize>()
    }

    /// The words of the index within the typos `word` is allowed (see
    /// [`allowed_typos`]), the closest first, `word` itself excluded.
    pub fn corrections(&self, word: &str) -> Vec<Correction> {
        let allowed = allowed_typos(word);
        if allowed == 0 {
            return Vec::new();
        }
        let dfa = automaton_builder(allowed).build_dfa(word);
        let first = word.chars().next();
        let cost_of = |term: &str, typos: u8| {
            let penalty = if term.chars().next() == first {
                0
            } else {
                FIRST_LETTER_COST
            };
            typos + penalty
        };
        let mut out = Vec::new();
        let mut stream = self.set.search_with_state(Lev(&dfa)).into_stream();
        while let Some((bytes, state)) = stream.next() {
            let Ok(term) = std::str::from_utf8(bytes) else {
                continue;
            };
            if let Distance::Exact(typos) = dfa.distance(state) {
                let cost = cost_of(term, typos);
                if cost <= allowed && term != word {
                    out.push(Correction {
                        term: term.to_owned(),
                        cost,
                    });
                }
            }
        }
        for term in &self.recent {
            if let Some(typos) = dfa_distance(&dfa, term) {
                let cost = cost_of(term, typos);
                if cost <= allowed && term != word {
                    out.push(Correction {
                        term: term.clone(),
                        cost,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.cost.cmp(&b.cost).then_with(|| a.term.cmp(&b.term)));
        out.dedup_by(|a, b| a.term == b.term);
        out.truncate(MAX_CORRECTIONS);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(words: &[&str]) -> TermIndex {
        let mut v: Vec<&str> = words.to_vec();
        v.sort_unstable();
        TermIndex::build(v)
    }

    fn terms(idx: &TermIndex, w: &str) -> Vec<String> {
        idx.corrections(w).into_iter().map(|c| c.term).collect()
    }

    #[test]
    fn thresholds_follow_the_word_length() {
        assert_eq!(allowed_typos("roy"), 0);
        assert_eq!(allowed_typos("marc"), 0);
        assert_eq!(allowed_typos("dupre"), 1); // 5 letters
        assert_eq!(allowed_typos("lefebvre"), 1); // 8
        assert_eq!(allowed_typos("chatelain"), 2); // 9
        assert_eq!(allowed_typos(&"a".repeat(33)), 0);
    }

    #[test]
    fn one_typo_from_five_letters_two_from_nine() {
        let idx = index(&[
            "lefebvre",
            "dupret",
            "duprez",
            "mickael",
            "roy",
            "ray",
            "chatelain",
            "martin",
            "morin",
            "bernard",
            "montpellier",
        ]);
        // Insertion, deletion, substitution, transposition.
        assert_eq!(terms(&idx, "lefevre"), ["lefebvre"]);
        assert_eq!(terms(&idx, "mikael"), ["mickael"]);
        assert_eq!(terms(&idx, "dupret"), ["duprez"]);
        assert_eq!(terms(&idx, "bernrad"), ["bernard"]);
        // 4 letters: no typo forgiven.
        assert!(terms(&idx, "roye").is_empty());
        // 8 letters, two typos: too far.
        assert!(terms(&idx, "lefevrre").is_empty(), "two typos in 8 letters");
        assert!(terms(&idx, "lfevbre").is_empty(), "two typos in 7 letters");
        // 9 letters and more: two typos.
        assert_eq!(
            terms(&idx, "chatlein"),
            Vec::<String>::new(),
            "8 letters, 2 typos"
        );
        assert_eq!(terms(&idx, "chatelian"), ["chatelain"], "one swap");
        assert_eq!(
            terms(&idx, "chattelin"),
            ["chatelain"],
            "two typos in 9 letters"
        );
        assert_eq!(terms(&idx, "montpelier"), ["montpellier"]);
        assert_eq!(terms(&idx, "montpeliee"), ["montpellier"]);
    }

    #[test]
    fn a_wrong_first_letter_costs_more() {
        let idx = index(&["caron", "baron", "charon", "martineau"]);
        // 5 letters: one typo, but a first-letter typo costs two.
        assert!(terms(&idx, "karon").is_empty());
        assert_eq!(terms(&idx, "caron"), ["charon"]);
        // 9 letters: a wrong first letter alone is allowed, at cost 2.
        let c = idx.corrections("bartineau");
        assert_eq!(
            c,
            vec![Correction {
                term: "martineau".into(),
                cost: 2
            }]
        );
    }

    #[test]
    fn words_added_later_are_found_too() {
        let mut idx = index(&["martin"]);
        assert!(terms(&idx, "lefevre").is_empty());
        idx.add("lefebvre");
        idx.add("lefebvre");
        assert_eq!(idx.recent_len(), 1);
        assert_eq!(terms(&idx, "lefevre"), ["lefebvre"]);
        assert_eq!(idx.len(), 2);
    }

    #[test]
    fn unsorted_input_and_bad_words_do_not_break_the_build() {
        let idx = TermIndex::build(["martin", "bernard", "martin", ""]);
        assert_eq!(idx.len(), 3);
        assert_eq!(terms(&idx, "bernadr"), ["bernard"]);
        assert!(idx.corrections(&"z".repeat(200)).is_empty());
        assert!(idx.memory_bytes() > 0);
    }
}
