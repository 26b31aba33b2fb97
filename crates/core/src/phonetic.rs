//! A phonetic key for French names: two spellings that a French speaker
//! pronounces alike get the same key, so a name heard over the noise of the
//! shop and typed as it sounds still finds the customer.
//!
//! No maintained Rust crate encodes French (the phonetic crates port English
//! algorithms: Soundex, Metaphone, NYSIIS, Lait & Randell's Phonex; the
//! French ones — Brouard's Phonex, Soundex2, FONEM, Sonnex — exist only for
//! other languages), so this module is a small rewriting of a folded word
//! (see [`crate::normalize::fold_text`]) in four passes:
//!
//! 1. **Silent endings**: `-er`/`-ez`/`-et` read as « é », a final `t`, `d`,
//!    `s`, `x`, `z` or `p` is not heard (Dupont / Dupond, Renaud / Renault,
//!    Jacquet / Jacques), nor `-c`/`-g` after `n` (Leblanc), nor the `l` of
//!    `-ault` (Thibault / Thibaud).
//! 2. **Consonants**: `ph` → f, `th` → t, `ch` → one sound (`k` before r/l:
//!    Christophe / Kristof), `bvr` → vr (Lefebvre / Lefèvre), `qu`/`ck`/`q`/
//!    hard `c` → k, soft `c` → s, soft `g` → j, `x` → ks, `w` → v, `z` → s,
//!    `h` silent. Then the mute final `e`.
//! 3. **Vowels**: `eau`/`au` → o, `oi`/`oy` → wa (Roy / Roi, never Ray),
//!    `ou` → u, `ai`/`ei`/`ay`/`ey` → e, `y` → i, and the nasal vowels
//!    (`an`/`en`/`am`/`em`, `on`/`om`, `in`/`ain`/`ein`/`un`/`yn`/`ien`)
//!    before a consonant or at the end.
//! 4. **Doubled letters** count once (Perrin / Perin, Mathieu / Matthieu).
//!
//! The key is only ever compared for equality with another key; it is kept
//! in the search index (`search_terms.sound`), so changing these rules needs
//! a reindex (see the store's search module).

/// The phonetic key of one folded word (lower-case ASCII letters; anything
/// else is ignored). Words shorter than two letters are their own key.
pub fn sound_key(word: &str) -> String {
    let letters: Vec<u8> = word
        .bytes()
        .filter(u8::is_ascii_lowercase)
        .take(64)
        .collect();
    if letters.len() < 2 {
        return String::from_utf8(letters).unwrap_or_default();
    }
    let ended = silent_endings(letters);
    let mut s = consonants(&ended);
    let mut mute_e = false;
    while s.len() > 1 && s.last() == Some(&b'e') {
        s.pop();
        mute_e = true;
    }
    let s = vowels(&s, mute_e);
    let mut out = String::with_capacity(s.len());
    for &b in &s {
        if out.as_bytes().last() != Some(&b) {
            out.push(b as char);
        }
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

fn silent_endings(mut s: Vec<u8>) -> Vec<u8> {
    // -er, -ez, -et read « é » (Boucher, Bouchez, Bouchet; Duprez, Dupret).
    if s.len() > 4 && (s.ends_with(b"er") || s.ends_with(b"ez") || s.ends_with(b"et")) {
        s.pop();
        return s;
    }
    for _ in 0..2 {
        match s.last() {
            Some(b't' | b'd' | b's' | b'x' | b'z' | b'p') if s.len() > 2 => {
                s.pop();
            }
            Some(b'c' | b'g') if s.len() > 3 && s[s.len() - 2] == b'n' => {
                s.pop();
            }
            _ => break,
        }
    }
    if s.ends_with(b"aul") {
        s.pop();
    }
    s
}

fn consonants(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 4);
    let mut i = 0;
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    while i < s.len() {
        let rest = &s[i..];
        let (emit, used): (&[u8], usize) = if rest.starts_with(b"bvr") {
            (b"vr", 3)
        } else if rest.starts_with(b"sch") {
            (b"x", 3)
        } else if rest.starts_with(b"chae") {
            (b"ka", 3)
        } else if rest.starts_with(b"ch") && matches!(at(i + 2), b'r' | b'l') {
            (b"k", 2)
        } else if rest.starts_with(b"ch") {
            (b"x", 2)
        } else if rest.starts_with(b"ph") {
            (b"f", 2)
        } else if rest.starts_with(b"th") || rest.starts_with(b"gh") {
            (&rest[..1], 2)
        } else if rest.starts_with(b"ck") || rest.starts_with(b"qu") {
            (b"k", 2)
        } else if rest.starts_with(b"gu") && matches!(at(i + 2), b'e' | b'i' | b'y') {
            (b"g", 2)
        } else if rest.starts_with(b"ge") && matches!(at(i + 2), b'a' | b'o' | b'u') {
            (b"j", 2)
        } else if rest[0] == b'g' && matches!(at(i + 1), b'e' | b'i' | b'y') {
            (b"j", 1)
        } else if rest[0] == b'c' && matches!(at(i + 1), b'e' | b'i' | b'y') {
            (b"s", 1)
        } else {
            match rest[0] {
                b'c' | b'q' => (b"k", 1),
                b'x' => (b"ks", 1),
                b'w' => (b"v", 1),
                b'z' => (b"s", 1),
                b'h' => (b"", 1),
                _ => (&rest[..1], 1),
            }
        };
        out.extend_from_slice(emit);
        i += used;
    }
    out
}

/// `mute_e`: the word ended with a mute `e` (already dropped), so a final
/// `n`/`m` is heard (Simone, Fontaine) and makes no nasal vowel.
fn vowels(s: &[u8], mute_e: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    // A nasal vowel: `n`/`m` at `i` followed by the end or a consonant
    // other than n/m (Lambert, Dupont, but not Anne, Simone).
    let nasal_at = |i: usize| {
        matches!(at(i), b'n' | b'm') && {
            let next = at(i + 1);
            if next == 0 {
                !mute_e
            } else {
                !(is_vowel(next) || next == b'n' || next == b'm')
            }
        }
    };
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let (emit, used): (&[u8], usize) = if rest.starts_with(b"eau") {
            (b"o", 3)
        } else if (rest.starts_with(b"ai") || rest.starts_with(b"ei")) && nasal_at(i + 2) {
            (b"I", 3)
        } else if rest.starts_with(b"ie") && nasal_at(i + 2) {
            (b"iI", 3)
        } else if rest.starts_with(b"aul") && at(i + 3) != 0 && !is_vowel(at(i + 3)) {
            // Gaultier, Arnault's family: the l is not heard.
            (b"o", 3)
        } else if rest.starts_with(b"au") {
            (b"o", 2)
        } else if rest.starts_with(b"oi") || rest.starts_with(b"oy") {
            (b"wa", 2)
        } else if rest.starts_with(b"ou") {
            (b"u", 2)
        } else if rest.starts_with(b"ai")
            || rest.starts_with(b"ei")
            || rest.starts_with(b"ay")
            || rest.starts_with(b"ey")
        {
            (b"e", 2)
        } else if matches!(rest[0], b'a' | b'e') && nasal_at(i + 1) {
            (b"A", 2)
        } else if rest[0] == b'o' && nasal_at(i + 1) {
            (b"O", 2)
        } else if matches!(rest[0], b'i' | b'y' | b'u') && nasal_at(i + 1) {
            (b"I", 2)
        } else if rest[0] == b'y' {
            (b"i", 1)
        } else {
            (&rest[..1], 1)
        };
        out.extend_from_slice(emit);
        i += used;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::fold_text;

    fn key(name: &str) -> String {
        sound_key(&fold_text(name))
    }

    /// Families of French surnames and first names with the spellings found
    /// for one pronunciation (Insee's register of surnames, Geneanet's
    /// variant lists): every member must share one key.
    const FAMILIES: &[&[&str]] = &[
        &["Lefebvre", "Lefèvre", "Lefevre", "Lefebvres"],
        &["Dupré", "Duprez", "Dupret", "Dupres"],
        &["Dupont", "Dupond", "Duppont"],
        &["Renaud", "Renault", "Renaut", "Reynaud", "Raynaud", "Reno"],
        &["Thibault", "Thibaut", "Thibaud", "Tibo"],
        &["Michaud", "Michaux", "Micheau", "Michot"],
        &["Rousseau", "Rousseaux", "Roussot", "Rouseau"],
        &["Giraud", "Girault", "Giraut", "Giraux"],
        &["Gauthier", "Gautier", "Gaultier", "Gotier"],
        &["Boucher", "Bouchez", "Bouchet"],
        &["Jacquet", "Jacquez", "Jaquet", "Jacques"],
        &["Faure", "Fort", "Faur"],
        &["Perrin", "Perin"],
        &["Caron", "Carron", "Karon"],
        &["Roy", "Roi", "Roye"],
        &["Leroy", "Leroi", "Le Roy"],
        &["Mathieu", "Matthieu", "Mathieux"],
        &["Philippe", "Philipe", "Filippe", "Phillipe"],
        &["Christophe", "Kristof", "Christof"],
        &["Mickaël", "Mikael", "Michaël", "Mickael"],
        &["Chatelain", "Châtelain", "Chatelin"],
        &["Laurent", "Laurant", "Lorent"],
        &["Vincent", "Vinsent"],
        &["Schmitt", "Schmidt", "Chmit"],
        &["Fontaine", "Fontaines", "Fonteine"],
        &["Guérin", "Guerin", "Guerrin"],
        &["Gérard", "Jérard", "Gerart"],
        &["Henri", "Henry"],
        &["Bertrand", "Bertrant", "Bertran"],
        &["Lambert", "Lamberd"],
        &["Julien", "Jullien"],
        &["Georges", "George", "Jorge"],
    ];

    #[test]
    fn every_spelling_of_a_family_shares_one_key() {
        for family in FAMILIES {
            let first = key(family[0]);
            for name in &family[1..] {
                assert_eq!(key(name), first, "{name} should sound like {}", family[0]);
            }
        }
    }

    #[test]
    fn different_names_keep_different_keys() {
        let apart = [
            ("Roy", "Ray"),
            ("Dupont", "Dupuis"),
            ("Martin", "Marton"),
            ("Lefebvre", "Lefort"),
            ("Bernard", "Bertrand"),
            ("Petit", "Poti"),
            ("Simon", "Simone"),
            ("Moreau", "Moret"),
            ("Garnier", "Grenier"),
        ];
        for (a, b) in apart {
            assert_ne!(key(a), key(b), "{a} and {b} must not sound alike");
        }
        // Distinct families don't collapse into each other.
        let keys: std::collections::HashSet<String> = FAMILIES.iter().map(|f| key(f[0])).collect();
        assert_eq!(keys.len(), FAMILIES.len());
    }

    #[test]
    fn keys_are_readable_and_bounded() {
        assert_eq!(key("Lefebvre"), "lefevr");
        assert_eq!(key("Roy"), "rwa");
        assert_eq!(key("Dupont"), "dupO");
        assert_eq!(key(""), "");
        assert_eq!(key("a"), "a");
        assert_eq!(key("123"), "");
        assert!(key(&"a".repeat(10_000)).len() <= 64);
        assert!(!key("zzzzzzzzzzzzzzzzzzz").is_empty());
    }
}
