//! The counters' audit logs at head office (`POST /v1/audit`,
//! `comptoir-server audit verify|list`).
//!
//! Each counter sends its log in number order from the start of its chain
//! (store migration 0017 keeps its cursor). The server keeps one chain per
//! device, append-only (server migration 0003), every field as the counter
//! hashed it. An entry is stored only if it follows the last one stored for
//! that device: its number is the next one, its `prev_hash` is that entry's
//! hash, and its hash is its content's (comptoir-core's `audit`, the same
//! code the counter writes and checks with). An entry already stored with
//! the same number and hash, whose content has that hash, is a duplicate
//! (acknowledged, not stored again); the same number with another hash is
//! a conflict. A refused entry
//! stores nothing, and nothing after it can be stored before it.
//!
//! The server's own chain for a store (device `00000000-…`) records the
//! erasures it applied on that store's request (`storage::*::apply_erasure`).

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use comptoir_core::audit::{
    entry_hash, from_hex, hex, verify_chain, AuditRecord, ChainBreak, Link,
};
use comptoir_sync::{AuditOutcome, AuditResult};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, Result};
use crate::storage::Storage;

/// The device id of the server's own chain for a store.
pub const SERVER_CHAIN: Uuid = Uuid::nil();

/// The kind of the server's entry for an erasure it applied.
pub const CUSTOMER_ERASED: &str = "customer_erased";

/// Longest actor, kind or subject accepted (the counter writes logins,
/// codes, ids, dossier numbers).
const MAX_SHORT: usize = 200;
/// Longest detail accepted (a JSON object of a few fields).
const MAX_DETAIL: usize = 64 * 1024;

/// One entry as stored at head office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAudit {
    pub store_code: String,
    pub device_id: Uuid,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub detail: String,
    #[serde(serialize_with = "as_hex")]
    pub prev_hash: Vec<u8>,
    #[serde(serialize_with = "as_hex")]
    pub hash: Vec<u8>,
}

fn as_hex<S: serde::Serializer>(b: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex(b))
}

impl StoredAudit {
    fn link(&self) -> Link<'_> {
        Link {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            kind: &self.kind,
            subject: &self.subject,
            detail: &self.detail,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }
}

/// One device's chain inside one transaction (each backend implements it;
/// PostgreSQL holds an advisory lock on the chain until the commit).
#[async_trait]
pub trait AuditTx: Send {
    /// The last entry stored: its number and hash.
    async fn head(&mut self) -> Result<Option<(i64, Vec<u8>)>>;
    /// The hash of the entry stored under this number.
    async fn hash_at(&mut self, seq: i64) -> Result<Option<Vec<u8>>>;
    async fn insert(&mut self, e: &StoredAudit) -> Result<()>;
    async fn commit(self: Box<Self>) -> Result<()>;
}

/// Why one entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub reason: String,
}

fn malformed(seq: i64, what: &str) -> Refusal {
    Refusal {
        code: "audit_malformed",
        reason: format!("Entrée n° {seq} du journal d'audit illisible : {what}. Rien n'a été enregistré pour elle."),
    }
}

/// The entry as it would be stored, or why it cannot be read.
pub fn decode(
    rec: &AuditRecord,
    store_code: &str,
    device_id: Uuid,
) -> std::result::Result<StoredAudit, Refusal> {
    let seq = rec.seq;
    if seq < 1 {
        return Err(malformed(seq, "son numéro doit être positif"));
    }
    if DateTime::parse_from_rfc3339(&rec.at).is_err() {
        return Err(malformed(seq, "sa date n'est pas au format RFC 3339"));
    }
    for (name, v) in [("auteur", &rec.actor), ("type", &rec.kind)] {
        if v.trim().is_empty() {
            return Err(malformed(seq, &format!("{name} absent")));
        }
    }
    for (name, v) in [
        ("auteur", &rec.actor),
        ("type", &rec.kind),
        ("objet", &rec.subject),
    ] {
        if v.chars().count() > MAX_SHORT {
            return Err(malformed(
                seq,
                &format!("{name} trop long ({MAX_SHORT} caractères au plus)"),
            ));
        }
    }
    if rec.detail.len() > MAX_DETAIL {
        return Err(malformed(seq, "détail trop long"));
    }
    match serde_json::from_str::<serde_json::Value>(&rec.detail) {
        Ok(v) if v.is_object() => {}
        _ => return Err(malformed(seq, "son détail n'est pas un objet JSON")),
    }
    let hash32 = |s: &str| from_hex(s).filter(|b| b.len() == 32);
    let (Some(prev_hash), Some(hash)) = (hash32(&rec.prev_hash), hash32(&rec.hash)) else {
        return Err(malformed(
            seq,
            "ses empreintes doivent être des SHA-256 en hexadécimal",
        ));
    };
    Ok(StoredAudit {
        store_code: store_code.to_owned(),
        device_id,
        seq,
        at: rec.at.clone(),
        actor: rec.actor.clone(),
        kind: rec.kind.clone(),
        subject: rec.subject.clone(),
        detail: rec.detail.clone(),
        prev_hash,
        hash,
    })
}

fn broken(seq: i64, b: ChainBreak) -> Refusal {
    match b {
        ChainBreak::Missing => Refusal {
            code: "audit_gap",
            reason: format!(
                "L'entrée n° {seq} du journal d'audit ne suit pas la dernière entrée reçue par le siège : les entrées d'avant doivent arriver d'abord. Rien n'a été enregistré pour elle."
            ),
        },
        ChainBreak::Link => Refusal {
            code: "audit_link_broken",
            reason: format!(
                "L'entrée n° {seq} du journal d'audit ne se rattache pas à l'entrée n° {} que le siège a reçue (empreinte précédente différente). Rien n'a été enregistré pour elle.",
                seq - 1
            ),
        },
        ChainBreak::Content => Refusal {
            code: "audit_hash_mismatch",
            reason: format!(
                "L'empreinte de l'entrée n° {seq} du journal d'audit ne correspond pas à son contenu. Rien n'a été enregistré pour elle."
            ),
        },
    }
}

/// Receives a batch of one device's entries, in one transaction: one
/// result per entry, in order.
pub async fn receive(
    storage: &dyn Storage,
    store_code: &str,
    device_id: Uuid,
    entries: &[AuditRecord],
) -> Result<Vec<AuditResult>> {
    let mut tx = storage.begin_audit(store_code, device_id).await?;
    let mut head = tx.head().await?;
    let mut out = Vec::with_capacity(entries.len());
    for rec in entries {
        let outcome = match decode(rec, store_code, device_id) {
            Err(r) => Err(r),
            Ok(e) if head.as_ref().is_some_and(|(s, _)| e.seq <= *s) => {
                let content = entry_hash(
                    &e.prev_hash,
                    e.seq,
                    &e.at,
                    &e.actor,
                    &e.kind,
                    &e.subject,
                    &e.detail,
                );
                match tx.hash_at(e.seq).await? {
                    // Sent again with the hash stored here but another
                    // content: the counter's copy was altered.
                    Some(h) if h == e.hash && content != e.hash => {
                        Err(broken(e.seq, ChainBreak::Content))
                    }
                    Some(h) if h == e.hash => Ok(AuditOutcome::Duplicate),
                    _ => Err(Refusal {
                        code: "audit_conflict",
                        reason: format!(
                            "Le siège a déjà une autre entrée n° {} du journal d'audit de ce poste : elle ne peut pas être remplacée.",
                            e.seq
                        ),
                    }),
                }
            }
            Ok(e) => match e
                .link()
                .check(head.as_ref().map(|(s, h)| (*s, h.as_slice())))
            {
                Ok(()) => {
                    tx.insert(&e).await?;
                    head = Some((e.seq, e.hash));
                    Ok(AuditOutcome::Stored)
                }
                Err(b) => Err(broken(e.seq, b)),
            },
        };
        out.push(match outcome {
            Ok(outcome) => AuditResult {
                seq: rec.seq,
                outcome,
                code: None,
                reason: None,
            },
            Err(r) => AuditResult {
                seq: rec.seq,
                outcome: AuditOutcome::Rejected,
                code: Some(r.code.to_owned()),
                reason: Some(r.reason),
            },
        });
    }
    tx.commit().await?;
    Ok(out)
}

/// The server's own next entry after `head` in a store's server chain.
pub fn server_entry(
    store_code: &str,
    head: Option<(i64, Vec<u8>)>,
    at: DateTime<Utc>,
    actor: &str,
    kind: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> StoredAudit {
    let (seq, prev_hash) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, comptoir_core::audit::GENESIS.to_vec()),
    };
    let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let detail = detail.to_string();
    let hash = entry_hash(&prev_hash, seq, &at, actor, kind, subject, &detail);
    StoredAudit {
        store_code: store_code.to_owned(),
        device_id: SERVER_CHAIN,
        seq,
        at,
        actor: actor.to_owned(),
        kind: kind.to_owned(),
        subject: subject.to_owned(),
        detail,
        prev_hash,
        hash,
    }
}

/// The first entry of a chain that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenEntry {
    pub device_id: Uuid,
    pub seq: i64,
    /// `entry_missing`, `link_broken`, `content_altered`.
    pub code: &'static str,
    pub message: String,
}

/// One device's chain as `audit verify` found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub device_id: Uuid,
    /// The device's name (`serveur` for the server's own chain).
    pub device_name: String,
    /// Entries that hold, from the first (all of them when the chain holds).
    pub entries: i64,
    /// Hex SHA-256 of the last entry when the chain holds.
    pub head: Option<String>,
    pub broken: Option<BrokenEntry>,
}

/// `comptoir-server audit verify --store CODE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreAuditCheck {
    pub store_code: String,
    pub ok: bool,
    pub entries: usize,
    pub chains: Vec<ChainCheck>,
    /// The first broken entry of the first chain that does not hold.
    pub first_broken: Option<BrokenEntry>,
}

/// Walks every chain of a store from its first entry.
pub async fn verify_store(storage: &dyn Storage, store_code: &str) -> Result<StoreAuditCheck> {
    if !storage
        .list_stores()
        .await?
        .iter()
        .any(|s| s.code == store_code)
    {
        return Err(ApiError::StoreUnknown(store_code.to_owned()));
    }
    let rows = storage.audit_chain(store_code).await?;
    let names: std::collections::HashMap<Uuid, String> = storage
        .list_devices(Some(store_code))
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut chains = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let device = rows[start].device_id;
        let end = rows[start..]
            .iter()
            .position(|r| r.device_id != device)
            .map_or(rows.len(), |n| start + n);
        let links = rows[start..end].iter().map(StoredAudit::link);
        let (entries, head, broken) = match verify_chain(links) {
            Ok((n, head)) => (n, Some(hex(&head)), None),
            Err((seq, b)) => (
                seq - 1,
                None,
                Some(BrokenEntry {
                    device_id: device,
                    seq,
                    code: b.code(),
                    message: format!(
                        "Journal d'audit du magasin {store_code} ({}) altéré à l'entrée n° {seq} : {}.",
                        names.get(&device).map_or("serveur", String::as_str),
                        b.why_fr()
                    ),
                }),
            ),
        };
        chains.push(ChainCheck {
            device_id: device,
            device_name: if device == SERVER_CHAIN {
                "serveur".to_owned()
            } else {
                names.get(&device).cloned().unwrap_or_default()
            },
            entries,
            head,
            broken,
        });
        start = end;
    }
    let first_broken = chains.iter().find_map(|c| c.broken.clone());
    Ok(StoreAuditCheck {
        store_code: store_code.to_owned(),
        ok: first_broken.is_none(),
        entries: rows.len(),
        chains,
        first_broken,
    })
}
