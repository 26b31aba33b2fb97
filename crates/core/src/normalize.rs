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

/// The French regions whose national numbers start with the trunk prefix
/// `0`: Réunion and Mayotte (+262), Guadeloupe, Saint-Barthélemy and
/// Saint-Martin (+590), Martinique (+596), Guyane (+594),
/// metropolitan France with Corsica (+33), and Saint-Pierre-et-Miquelon
/// (+508, 6-digit numbers: `041 23 45`). Overseas departments first: a national writing belongs to the first region
/// whose numbering plan (the `phonenumber` crate's metadata) accepts it,
/// so `0590…` is Guadeloupe, not a metropolitan `+33 5 90…`. Only region
/// codes are listed here; which numbers belong where is the metadata's.
pub const TRUNK_REGIONS: &[country::Id] = &[
    country::Id::RE,
    country::Id::YT,
    country::Id::GP,
    country::Id::BL,
    country::Id::MF,
    country::Id::MQ,
    country::Id::GF,
    country::Id::FR,
    country::Id::PM,
];

/// French collectivities whose numbers have no trunk prefix: New
/// Caledonia (+687, 6 digits), French Polynesia (+689, 8 digits), Wallis
/// and Futuna (+681, 6 digits).
pub const NO_TRUNK_REGIONS: &[country::Id] = &[country::Id::NC, country::Id::PF, country::Id::WF];

/// Country calling codes of every French region, for `+262 (0)692…`.
const FRENCH_CODES: &[&str] = &["33", "262", "590", "594", "596", "508", "687", "689", "681"];

/// libphonenumber's validity, with each pattern matched against the whole
/// national number: `phonenumber` 0.3.10 accepts a pattern that matches
/// only its start, so a 9-digit `612345678` passed as one of
/// Saint-Pierre-et-Miquelon's 6-digit numbers. The patterns and lengths are
/// still the crate's metadata; only the anchoring is ours.
fn plan_has(meta: &phonenumber::Metadata, national: &str) -> bool {
    let whole = |d: &phonenumber::metadata::Descriptor| {
        (d.possible_length().is_empty() || d.possible_length().contains(&(national.len() as u16)))
            && d.national_number()
                .find(national)
                .is_some_and(|m| m.start() == 0 && m.end() == national.len())
    };
    let d = meta.descriptors();
    whole(d.general())
        && [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .any(whole)
}

/// Whether `region`'s numbering plan has the national significant number
/// `nsn` (digits, without the trunk zero). Regular expressions of the
/// metadata only: no parsing, so a whole table of phones is rekeyed fast.
fn region_has(region: country::Id, nsn: &str) -> bool {
    nsn.len() <= 15
        && phonenumber::metadata::DATABASE
            .by_id(region.as_ref())
            .is_some_and(|meta| plan_has(meta, nsn))
}

fn wholly_valid(number: &phonenumber::PhoneNumber) -> bool {
    phonenumber::is_valid(number)
        && number
            .metadata(&phonenumber::metadata::DATABASE)
            .is_some_and(|meta| plan_has(meta, &number.national().to_string()))
}

fn e164_digits(number: &phonenumber::PhoneNumber) -> String {
    number
        .format()
        .mode(Mode::E164)
        .to_string()
        .trim_start_matches('+')
        .to_owned()
}

/// Whether the text is written the international way (`+…`, `00…`).
fn is_international(raw: &str) -> bool {
    let raw = raw.trim();
    raw.starts_with('+')
        || raw
            .chars()
            .filter(char::is_ascii_digit)
            .take(2)
            .eq("00".chars())
}

/// Normalises a complete phone number, in any common French or international
/// writing, to E.164 digits without the plus sign (`"33612345678"`).
/// A number written the national way belongs to the French region whose
/// numbering plan accepts it (see [`TRUNK_REGIONS`]): `06 12 34 56 78` is
/// `33612345678`, `0692 12 34 56` is Réunion's `262692123456`, `0590 …`
/// Guadeloupe's. Returns `None` for something that is not a valid number.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.chars().count() > 40 {
        return None;
    }
    if is_international(raw) {
        return phonenumber::parse(Some(country::Id::FR), raw)
            .ok()
            .filter(wholly_valid)
            .map(|n| e164_digits(&n));
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let (nsn, regions): (&str, &[country::Id]) = match digits.strip_prefix('0') {
        Some(nsn) => (nsn, TRUNK_REGIONS),
        // Without its zero: a metropolitan number (9 digits), else one of
        // the collectivities without a trunk prefix.
        None => (
            &digits,
            &[
                country::Id::FR,
                country::Id::NC,
                country::Id::PF,
                country::Id::WF,
            ],
        ),
    };
    regions
        .iter()
        .find(|r| region_has(**r, nsn))
        .and_then(|r| calling_code(*r))
        .map(|code| format!("{code}{nsn}"))
}

/// The key a contact is looked up by: E.164 digits for a phone (or, for a
/// number no numbering plan knows yet, the same key the search field gives
/// it, so it stays findable), the lower-cased address for an e-mail.
pub fn contact_key(kind: crate::model::ContactKind, value: &str) -> String {
    match kind {
        crate::model::ContactKind::Phone => normalize_phone(value)
            .or_else(|| phone_prefix(value))
            .unwrap_or_else(|| value.chars().filter(char::is_ascii_digit).collect()),
        crate::model::ContactKind::Email => normalize_email(value),
    }
}

/// National display of an E.164 digit string in the regions that dial
/// with a trunk zero (`"33612345678"` → `"06 12 34 56 78"`,
/// `"262692123456"` → `"0692 12 34 56"`); other numbers in international
/// format.
pub fn display_phone(e164_digits: &str) -> String {
    match phonenumber::parse(None, format!("+{e164_digits}")) {
        Ok(n) if FRENCH_CODES[..6].contains(&n.code().value().to_string().as_str()) => {
            n.format().mode(Mode::National).to_string()
        }
        Ok(n) => n.format().mode(Mode::International).to_string(),
        Err(_) => e164_digits.to_owned(),
    }
}

/// The country calling code of a region, from the metadata.
fn calling_code(region: country::Id) -> Option<u16> {
    phonenumber::metadata::DATABASE
        .by_id(region.as_ref())
        .map(|m| m.country_code())
}

/// National length (trunk zero included) that partly typed numbers are
/// completed to: 10 digits everywhere but Saint-Pierre-et-Miquelon, whose
/// 6-digit numbers (7 with the zero) are matched only once complete, or
/// every short national entry would also stand for one of them.
const NATIONAL_LENGTHS: [usize; 1] = [10];

/// Whether some number of `region` written nationally starts with `typed`
/// (digits, trunk zero included): the typed digits are completed with each
/// repeated digit to the national lengths, and the metadata says whether
/// one completion is valid. At most 10 validations.
fn plausible_in(region: country::Id, typed: &str) -> bool {
    let nsn = typed.strip_prefix('0').unwrap_or(typed);
    if region_has(region, nsn) {
        return true;
    }
    NATIONAL_LENGTHS
        .iter()
        .filter(|len| **len > typed.len())
        .any(|&len| {
            (b'0'..=b'9').any(|fill| {
                let mut t = nsn.to_owned();
                while t.len() + 1 < len {
                    t.push(fill as char);
                }
                region_has(region, &t)
            })
        })
}

/// The E.164 digit prefix that a partly typed phone number stands for, so
/// that "06 12 34" finds 06 12 34 56 78 stored as `33612345…`: the first
/// of [`phone_prefixes`].
pub fn phone_prefix(raw: &str) -> Option<String> {
    phone_prefixes(raw).into_iter().next()
}

/// Every E.164 digit prefix a partly typed phone number can stand for.
/// International writings (`+`, `00`) give one (a trunk zero after a French
/// country code, `+33 (0)6…`, `+262 (0)692…`, is dropped). A national
/// writing gives one per French region whose numbering plan has numbers
/// starting that way (`0692 1` → Réunion only, `06 12` → metropolitan
/// France only); when no plan knows it, the metropolitan reading, as
/// before. Fewer than 4 digits after the country code mean nothing yet.
pub fn phone_prefixes(raw: &str) -> Vec<String> {
    let raw = raw.trim();
    let digits: String = raw.chars().filter(char::is_ascii_digit).take(20).collect();
    if is_international(raw) {
        let mut d = if raw.starts_with('+') {
            digits
        } else {
            digits[2..].to_owned()
        };
        for code in FRENCH_CODES {
            if let Some(rest) = d.strip_prefix(code).and_then(|r| r.strip_prefix('0')) {
                d = format!("{code}{rest}");
                break;
            }
        }
        return if d.len() >= 4 { vec![d] } else { Vec::new() };
    }
    if let Some(rest) = digits.strip_prefix('0') {
        if rest.len() < 3 {
            return Vec::new();
        }
        // A whole number: its region (overseas first, as stored); a whole
        // 10-digit number stands for nothing else.
        let mut out: Vec<String> = normalize_phone(raw).into_iter().collect();
        if !out.is_empty() && digits.len() >= 10 {
            return out;
        }
        for region in TRUNK_REGIONS {
            if plausible_in(*region, &digits) {
                if let Some(code) = calling_code(*region) {
                    let p = format!("{code}{rest}");
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
        if out.is_empty() {
            out.push(format!("33{rest}"));
        }
        return out;
    }
    if digits.len() == 9 && matches!(digits.as_bytes()[0], b'1'..=b'9') {
        // A French number typed without its leading zero.
        return vec![format!("33{digits}")];
    }
    for region in NO_TRUNK_REGIONS {
        if region_has(*region, &digits) {
            if let Some(code) = calling_code(*region) {
                return vec![format!("{code}{digits}")];
            }
        }
    }
    if digits.len() >= 4 {
        vec![digits]
    } else {
        Vec::new()
    }
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

    #[test]
    fn national_writings_of_overseas_numbers_get_their_region() {
        let cases = [
            ("0692 12 34 56", "262692123456"), // Réunion mobile
            ("0262 21 34 56", "262262213456"), // Réunion fixed
            ("0639 01 23 45", "262639012345"), // Mayotte mobile
            ("0269 61 23 45", "262269612345"), // Mayotte fixed
            ("0690 12 34 56", "590690123456"), // Guadeloupe mobile
            ("0590 82 12 34", "590590821234"), // Guadeloupe fixed
            ("0590 27 12 34", "590590271234"), // Saint-Barthélemy
            ("0590 87 12 34", "590590871234"), // Saint-Martin
            ("0696 12 34 56", "596696123456"), // Martinique mobile
            ("0596 61 23 45", "596596612345"), // Martinique fixed
            ("0694 20 12 34", "594694201234"), // Guyane mobile
            ("0594 30 12 34", "594594301234"), // Guyane fixed
            ("041 23 45", "508412345"),        // Saint-Pierre-et-Miquelon
            ("27 12 34", "687271234"),         // Nouvelle-Calédonie
            ("87 12 34 56", "68987123456"),    // Polynésie française
            ("04 95 21 34 56", "33495213456"), // Corse
            ("+262 692 12 34 56", "262692123456"),
            ("00590 690 12 34 56", "590690123456"),
            ("+262 (0)692 12 34 56", "262692123456"),
        ];
        for (written, key) in cases {
            assert_eq!(normalize_phone(written).as_deref(), Some(key), "{written}");
            assert_eq!(
                phone_prefix(written).as_deref(),
                Some(key),
                "prefix of {written}"
            );
        }
        // Displayed the way the region writes it.
        assert_eq!(display_phone("262692123456"), "0692 12 34 56");
        assert_eq!(display_phone("596596612345"), "0596 61 23 45");
        assert!(display_phone("687271234").starts_with("+687"));
    }

    #[test]
    fn partly_typed_numbers_stand_for_the_regions_that_have_them() {
        assert_eq!(phone_prefixes("0692 1"), ["2626921"]);
        assert_eq!(phone_prefixes("0692 12 34"), ["2626921234"]);
        // Seven digits are a whole Saint-Pierre-et-Miquelon number, and
        // still the start of a Réunion one.
        assert_eq!(phone_prefixes("0692 123"), ["508692123", "262692123"]);
        assert_eq!(phone_prefixes("06 12 3"), ["336123"]);
        assert_eq!(phone_prefixes("06 12 34 56"), ["336123456"]);
        assert_eq!(phone_prefixes("0690 12"), ["59069012"]);
        assert_eq!(phone_prefixes("0696"), ["596696"]);
        assert_eq!(phone_prefixes("+262 692"), ["262692"]);
        assert_eq!(phone_prefixes("00 33 (0)6 12"), ["33612"]);
        // Bad input: too short, too long, unknown: bounded, never a panic.
        assert!(phone_prefixes("06").is_empty());
        assert!(phone_prefixes("+9").is_empty());
        assert_eq!(phone_prefixes(&"9".repeat(500)).len(), 1);
        assert_eq!(normalize_phone("06 12 34 56 78 90"), None);
        assert_eq!(normalize_phone("+999 12 34 56"), None);
        assert_eq!(normalize_phone(&"0".repeat(500)), None);
    }
}
