//! The one place that decides whether a pushed change is acceptable: the
//! kind allow-list (with each kind's scope) and the payload check.
//!
//! The kinds counters write through comptoir-core's one write path
//! (`dossier.event`, `customer.created`, `customer.field`) are decoded into
//! core's typed change (`Change::from_envelope`: the event or field and its
//! data, the HLC with core's parser, the customer id against the
//! envelope's; for `customer.erased`, who and when and nothing else): a
//! payload that a counter could not apply is refused here, with its
//! reason, and stored nowhere. `store.setting`, which core does not type,
//! is checked to be a JSON object.

use chrono::{DateTime, Utc};
use comptoir_core::changes::{
    Change, KIND_CUSTOMER_CREATED, KIND_CUSTOMER_ERASED, KIND_CUSTOMER_FIELD, KIND_DOSSIER_EVENT,
};
use comptoir_core::CoreError;
use comptoir_sync::ChangeEnvelope;

use crate::storage::Scope;

/// A kind a counter may push, and who sees it in the feed.
#[derive(Debug, Clone, Copy)]
pub struct KindRule {
    pub kind: &'static str,
    pub scope: Scope,
}

/// What counters may push. Dossier events and customer changes are
/// chain-wide (the customer may show up at any store); store settings stay
/// with their store.
pub const COUNTER_KINDS: &[KindRule] = &[
    KindRule {
        kind: "dossier.event",
        scope: Scope::Chain,
    },
    KindRule {
        kind: "customer.created",
        scope: Scope::Chain,
    },
    KindRule {
        kind: "customer.field",
        scope: Scope::Chain,
    },
    KindRule {
        kind: "customer.erased",
        scope: Scope::Chain,
    },
    KindRule {
        kind: "store.setting",
        scope: Scope::Store,
    },
];

/// Why one change was refused (the batch goes on without it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub reason: String,
}

fn reject(code: &'static str, reason: String) -> Rejection {
    Rejection { code, reason }
}

/// The physical part of an HLC stamp, in milliseconds since the Unix epoch:
/// the stamp's leading run of ASCII digits (the stamp is `<ms>…`, fixed
/// width so that it sorts as text, as core's `Hlc` writes it). Read for every
/// kind to refuse a stamp too far ahead; typed kinds are parsed whole too.
pub fn hlc_physical_ms(hlc: &str) -> Option<i64> {
    let digits: &str = &hlc[..hlc.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    digits.parse().ok()
}

/// Checks one pushed change; on success, the scope it is served with.
pub fn check_change(
    c: &ChangeEnvelope,
    now: DateTime<Utc>,
    max_ahead_secs: i64,
) -> Result<Scope, Rejection> {
    let Some(rule) = COUNTER_KINDS.iter().find(|r| r.kind == c.kind) else {
        return Err(reject(
            "unknown_kind",
            format!(
                "Type de changement inconnu du serveur : « {} ».",
                c.kind.chars().take(60).collect::<String>()
            ),
        ));
    };
    if c.id.get_version_num() != 7 {
        return Err(reject(
            "id_not_v7",
            "L'identifiant du changement doit être un UUID v7.".into(),
        ));
    }
    if c.entity_id.is_nil() || c.device_id.is_nil() {
        return Err(reject(
            "id_missing",
            "Le changement ne dit pas quel enregistrement ou quel poste il concerne.".into(),
        ));
    }
    let Some(ms) = hlc_physical_ms(&c.hlc) else {
        return Err(reject(
            "hlc_invalid",
            format!(
                "Horodatage HLC illisible : « {} ».",
                c.hlc.chars().take(40).collect::<String>()
            ),
        ));
    };
    let ahead_ms = ms - now.timestamp_millis();
    if ahead_ms > max_ahead_secs.saturating_mul(1000) {
        return Err(reject(
            "hlc_ahead",
            format!(
                "L'horloge du poste avance de {} s sur celle du serveur (au plus {max_ahead_secs} s) : réglez l'heure du poste.",
                ahead_ms / 1000
            ),
        ));
    }
    if !c.payload.is_object() {
        return Err(reject(
            "payload_invalid",
            "Le contenu du changement doit être un objet JSON.".into(),
        ));
    }
    if TYPED_KINDS.contains(&c.kind.as_str()) {
        if let Err(e) = Change::from_envelope(c) {
            let code = match e {
                CoreError::InvalidHlc(_) => "hlc_invalid",
                _ => "payload_invalid",
            };
            return Err(reject(
                code,
                format!(
                    "Contenu illisible pour un changement « {} » : {}",
                    c.kind,
                    e.message_fr()
                ),
            ));
        }
    }
    Ok(rule.scope)
}

/// What only a counter's push must also respect: a dossier it opens is a
/// dossier opened in its store, numbered in its store's series. Numbers
/// `SAV-WEB-…` / `SAV-TEL-…` and online origins are head office's
/// (`online.rs`); one pushed by a counter would later meet head office's own
/// and stop every counter's sync on the duplicate number.
pub fn check_counter_change(c: &ChangeEnvelope) -> Result<(), Rejection> {
    if c.kind != KIND_DOSSIER_EVENT {
        return Ok(());
    }
    let Ok(Change::DossierEvent(e)) = Change::from_envelope(c) else {
        return Ok(());
    };
    if let comptoir_core::events::DossierEvent::Opened(o) = &e.event {
        let series = format!("SAV-{}-", c.store_code);
        if o.origin != comptoir_core::model::DossierOrigin::Store || !o.number.starts_with(&series)
        {
            return Err(reject(
                "number_reserved",
                format!(
                    "Le dossier {} n'est pas un dossier ouvert au magasin {} : les numéros SAV-WEB et SAV-TEL et les dossiers en ligne sont ceux du siège.",
                    o.number.chars().take(40).collect::<String>(),
                    c.store_code
                ),
            ));
        }
    }
    Ok(())
}

/// The kinds decoded into core's typed change before they are accepted.
const TYPED_KINDS: [&str; 4] = [
    KIND_DOSSIER_EVENT,
    KIND_CUSTOMER_CREATED,
    KIND_CUSTOMER_FIELD,
    KIND_CUSTOMER_ERASED,
];

#[cfg(test)]
mod tests {
    use super::*;
    use comptoir_core::events::{DossierEvent, EventRecord};
    use comptoir_core::hlc::Hlc;
    use comptoir_core::ids::{DossierEventId, DossierId};
    use uuid::Uuid;

    fn env(kind: &str, hlc: String) -> ChangeEnvelope {
        ChangeEnvelope {
            id: Uuid::now_v7(),
            kind: kind.into(),
            entity_id: Uuid::now_v7(),
            store_code: "LYO1".into(),
            device_id: Uuid::now_v7(),
            hlc,
            payload: serde_json::json!({"a": 1}),
        }
    }

    /// A note on a dossier, as a counter's write path makes it.
    fn note(at_ms: i64) -> ChangeEnvelope {
        let at = DateTime::from_timestamp_millis(at_ms).unwrap();
        Change::DossierEvent(EventRecord {
            id: DossierEventId::new(),
            dossier_id: DossierId::new(),
            hlc: Hlc::at(at),
            device_id: Uuid::now_v7(),
            at,
            actor: "Julie M.".into(),
            note: Some("Client rappelé".into()),
            event: DossierEvent::Note,
        })
        .to_envelope("LYO1")
        .unwrap()
    }

    #[test]
    fn table() {
        let now = Utc::now();
        let ms = now.timestamp_millis();
        let ok = format!("{ms:015}-0000-abcd");
        assert_eq!(check_change(&note(ms), now, 300), Ok(Scope::Chain));
        assert_eq!(
            check_change(&env("store.setting", ok.clone()), now, 300),
            Ok(Scope::Store)
        );
        let code = |c: &ChangeEnvelope| check_change(c, now, 300).err().map(|r| r.code);
        assert_eq!(code(&env("dossier.evil", ok)), Some("unknown_kind"));
        let mut bad_hlc = note(ms);
        bad_hlc.hlc = "zz".into();
        assert_eq!(code(&bad_hlc), Some("hlc_invalid"));
        assert_eq!(code(&note(ms + 301_000)), Some("hlc_ahead"));
        assert_eq!(code(&note(ms + 299_000)), None);
        let mut v4 = note(ms);
        v4.id = Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
        assert_eq!(code(&v4), Some("id_not_v7"));
        let mut arr = note(ms);
        arr.payload = serde_json::json!([1]);
        assert_eq!(code(&arr), Some("payload_invalid"));
    }

    /// A typed kind whose payload a counter could not apply is refused,
    /// with the reason; an HLC in another format too.
    #[test]
    fn typed_kinds_are_decoded() {
        let now = Utc::now();
        let ms = now.timestamp_millis();
        let check = |c: &ChangeEnvelope| check_change(c, now, 300).err();
        // Any object is no longer a dossier event.
        let r = check(&env("dossier.event", Hlc::at(now).to_string())).unwrap();
        assert_eq!(r.code, "payload_invalid");
        assert!(r.reason.contains("dossier.event"), "{}", r.reason);
        // An event of a kind core does not know.
        let mut odd = note(ms);
        odd.payload["event"] = serde_json::json!({"type": "teleported"});
        assert_eq!(check(&odd).map(|r| r.code), Some("payload_invalid"));
        // Leading digits right, the rest not an HLC.
        let mut hlc = note(ms);
        hlc.hlc = format!("{ms:016}-x");
        assert_eq!(check(&hlc).map(|r| r.code), Some("hlc_invalid"));
        // A customer created under another id than the envelope's.
        let mut created = env("customer.created", Hlc::at(now).to_string());
        created.payload = serde_json::json!({"actor": "Julie M.", "customer": {}});
        assert_eq!(check(&created).map(|r| r.code), Some("payload_invalid"));
        // Untyped kinds: an object is enough.
        assert_eq!(check(&env("store.setting", Hlc::at(now).to_string())), None);
        // An erasure carries who and when, nothing else (no identity).
        assert_eq!(
            check(&env("customer.erased", Hlc::at(now).to_string())).map(|r| r.code),
            Some("payload_invalid")
        );
    }
}
