//! The audit log's chain, the pure part shared by the counter (which
//! writes and checks its log) and the central server (which receives each
//! counter's entries and checks them again): how an entry's hash is
//! computed, and what makes a chain hold.
//!
//! Entry `n` stores the SHA-256 of entry `n - 1` (`prev_hash`, 32 zero
//! bytes for the first) and its own, over that hash, its number and its
//! fields, each length-prefixed (moving a character from one field to the
//! next changes the hash). `at` is the RFC 3339 text that was hashed and
//! `detail` the JSON text that was hashed: neither is ever re-encoded.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of a chain's first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// SHA-256 over the previous hash, the entry's number and its fields.
pub fn entry_hash(
    prev: &[u8],
    seq: i64,
    at: &str,
    actor: &str,
    kind: &str,
    subject: &str,
    detail: &str,
) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    for field in [at, actor, kind, subject, detail] {
        // Length-prefixed: no two field lists hash the same.
        h.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().to_vec()
}

/// Why a chain does not hold at an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainBreak {
    /// The entry with this number is not there (one was removed).
    Missing,
    /// The entry's `prev_hash` is not the hash of the entry before it.
    Link,
    /// The entry's hash is not the hash of its content.
    Content,
}

impl ChainBreak {
    /// A stable code.
    pub fn code(self) -> &'static str {
        match self {
            ChainBreak::Missing => "entry_missing",
            ChainBreak::Link => "link_broken",
            ChainBreak::Content => "content_altered",
        }
    }

    /// What a manager (or head office) reads after « entrée n° N : ».
    pub fn why_fr(self) -> &'static str {
        match self {
            ChainBreak::Missing => "entrée manquante",
            ChainBreak::Link => "le lien avec l'entrée précédente ne correspond pas",
            ChainBreak::Content => "son contenu a été modifié",
        }
    }
}

/// One entry as the chain sees it (borrowed from wherever it is stored).
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub prev_hash: &'a [u8],
    pub hash: &'a [u8],
}

impl Link<'_> {
    /// Whether this entry follows `prev` (the entry before it: its number
    /// and hash, `None` for the first) and its hash is its content's.
    pub fn check(&self, prev: Option<(i64, &[u8])>) -> Result<(), ChainBreak> {
        let (expected_seq, prev_hash): (i64, &[u8]) = match prev {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, &GENESIS),
        };
        if self.seq != expected_seq {
            return Err(ChainBreak::Missing);
        }
        if self.prev_hash != prev_hash {
            return Err(ChainBreak::Link);
        }
        let computed = entry_hash(
            self.prev_hash,
            self.seq,
            self.at,
            self.actor,
            self.kind,
            self.subject,
            self.detail,
        );
        if computed != self.hash {
            return Err(ChainBreak::Content);
        }
        Ok(())
    }
}

/// Walks a chain from its first entry, in number order: its length and
/// head hash, or the first entry that does not hold (for a missing one,
/// the number expected there).
pub fn verify_chain<'a>(
    links: impl IntoIterator<Item = Link<'a>>,
) -> Result<(i64, Vec<u8>), (i64, ChainBreak)> {
    let mut prev: Option<(i64, &[u8])> = None;
    let mut n = 0i64;
    for l in links {
        if let Err(b) = l.check(prev) {
            let seq = match b {
                ChainBreak::Missing => prev.map_or(1, |(s, _)| s + 1),
                _ => l.seq,
            };
            return Err((seq, b));
        }
        prev = Some((l.seq, l.hash));
        n += 1;
    }
    Ok((n, prev.map(|(_, h)| h.to_vec()).unwrap_or_default()))
}

/// One audit entry as it travels from a counter to the central server:
/// every field exactly as the counter hashed it, the hashes in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// The entry's number in its counter's chain (1, 2, …).
    pub seq: i64,
    /// RFC 3339, as hashed.
    pub at: String,
    pub actor: String,
    /// `sign_in`, `setting_changed`, `customer_erased`…
    pub kind: String,
    pub subject: String,
    /// The entry's detail: a JSON object, as the text that was hashed.
    pub detail: String,
    /// SHA-256 of the entry before it (hex; 64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of this entry (hex).
    pub hash: String,
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hexadecimal (either case); `None` when it is not.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "2026-12-01T10:00:00.000000Z";

    fn base() -> Vec<u8> {
        entry_hash(&GENESIS, 1, AT, "sophie.r", "pin_failed", "sophie.r", "{}")
    }

    #[test]
    fn every_field_and_the_link_are_in_the_hash() {
        let base = base();
        assert_eq!(base.len(), 32);
        for other in [
            entry_hash(&[1; 32], 1, AT, "sophie.r", "pin_failed", "sophie.r", "{}"),
            entry_hash(&GENESIS, 2, AT, "sophie.r", "pin_failed", "sophie.r", "{}"),
            entry_hash(
                &GENESIS,
                1,
                "2026-12-01T10:00:01.000000Z",
                "sophie.r",
                "pin_failed",
                "sophie.r",
                "{}",
            ),
            entry_hash(&GENESIS, 1, AT, "marc.p", "pin_failed", "sophie.r", "{}"),
            entry_hash(
                &GENESIS,
                1,
                AT,
                "sophie.r",
                "account_locked",
                "sophie.r",
                "{}",
            ),
            entry_hash(&GENESIS, 1, AT, "sophie.r", "pin_failed", "marc.p", "{}"),
            entry_hash(
                &GENESIS,
                1,
                AT,
                "sophie.r",
                "pin_failed",
                "sophie.r",
                "{\"n\":1}",
            ),
            // Moving a character from one field to the next changes it too.
            entry_hash(&GENESIS, 1, AT, "sophie.", "rpin_failed", "sophie.r", "{}"),
        ] {
            assert_ne!(other, base);
        }
    }

    #[test]
    fn a_chain_names_its_first_bad_entry() {
        let h1 = base();
        let h2 = entry_hash(&h1, 2, AT, "marc.p", "sign_in", "marc.p", "{}");
        let h3 = entry_hash(&h2, 3, AT, "marc.p", "sign_out", "marc.p", "{}");
        let link = |seq, actor, kind, prev: &'static [u8], hash: &'static [u8]| Link {
            seq,
            at: AT,
            actor,
            kind,
            subject: actor,
            detail: "{}",
            prev_hash: prev,
            hash,
        };
        let (h1, h2, h3): (&'static [u8], &'static [u8], &'static [u8]) = (
            Box::leak(h1.into_boxed_slice()),
            Box::leak(h2.into_boxed_slice()),
            Box::leak(h3.into_boxed_slice()),
        );
        let e1 = link(1, "sophie.r", "pin_failed", &GENESIS, h1);
        let e2 = link(2, "marc.p", "sign_in", h1, h2);
        let e3 = link(3, "marc.p", "sign_out", h2, h3);
        assert_eq!(verify_chain([e1, e2, e3]), Ok((3, h3.to_vec())));
        assert_eq!(verify_chain([]), Ok((0, Vec::new())));
        assert_eq!(verify_chain([e1, e3]), Err((2, ChainBreak::Missing)));
        assert_eq!(verify_chain([e2]), Err((1, ChainBreak::Missing)));
        let altered = Link {
            actor: "paul.x",
            ..e2
        };
        assert_eq!(
            verify_chain([e1, altered, e3]),
            Err((2, ChainBreak::Content))
        );
        let relinked = Link {
            prev_hash: h2,
            ..e2
        };
        assert_eq!(verify_chain([e1, relinked]), Err((2, ChainBreak::Link)));
    }

    #[test]
    fn hex_round_trips() {
        let h = base();
        assert_eq!(from_hex(&hex(&h)), Some(h.clone()));
        assert_eq!(from_hex(&hex(&h).to_uppercase()), Some(h));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }
}
