//! The one place that decides whether a pushed change is acceptable: the
//! kind allow-list (with each kind's scope) and the payload check.
//!
//! Until issue 8's typed changes land in comptoir-core, the payload is only
//! checked to be a JSON object and the HLC is read as described in
//! [`hlc_physical_ms`]. When they land, [`check_change`] parses the payload
//! into the typed change of its kind (and reads the HLC with core's parser):
//! this function is the whole swap.

use chrono::{DateTime, Utc};
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
/// width so that it sorts as text). ASSUMPTION until core's HLC lands.
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
    Ok(rule.scope)
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn table() {
        let now = Utc::now();
        let ms = now.timestamp_millis();
        let ok = format!("{ms:015}-0000-abcd");
        assert_eq!(
            check_change(&env("dossier.event", ok.clone()), now, 300),
            Ok(Scope::Chain)
        );
        assert_eq!(
            check_change(&env("store.setting", ok.clone()), now, 300),
            Ok(Scope::Store)
        );
        let code = |c: &ChangeEnvelope| check_change(c, now, 300).err().map(|r| r.code);
        assert_eq!(code(&env("dossier.evil", ok.clone())), Some("unknown_kind"));
        assert_eq!(
            code(&env("dossier.event", "zz".into())),
            Some("hlc_invalid")
        );
        assert_eq!(
            code(&env("dossier.event", format!("{:015}-0", ms + 301_000))),
            Some("hlc_ahead")
        );
        assert_eq!(
            code(&env("dossier.event", format!("{:015}-0", ms + 299_000))),
            None
        );
        let mut v4 = env("dossier.event", ok.clone());
        v4.id = Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
        assert_eq!(code(&v4), Some("id_not_v7"));
        let mut arr = env("dossier.event", ok);
        arr.payload = serde_json::json!([1]);
        assert_eq!(code(&arr), Some("payload_invalid"));
    }
}
