//! Dossiers opened online (the web shop's after-sales form) or by phone
//! (customer service), numbered by head office — `SAV-WEB-2026-H000042`,
//! `SAV-TEL-2026-H000007` — and the events they receive later (a note, a
//! message from or to the customer).
//!
//! Each is one chain-wide `dossier.event` change: the same typed event a
//! counter writes (`comptoir_core::events`), checked by the same
//! [`crate::validate::check_change`] a pushed change goes through, so every
//! counter can apply it and the one where the customer shows up finds the
//! dossier on the card. Only head office's devices may call these; the
//! customer must be one head office knows, the line one of the customer's
//! imported web orders. A refusal stores nothing and takes no number.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use comptoir_core::bounds::check_short_text;
use comptoir_core::changes::Change;
use comptoir_core::dossier::MAX_TEXT_CHARS;
use comptoir_core::events::{DossierEvent, EventRecord, Opened};
use comptoir_core::hlc::Hlc;
use comptoir_core::ids::{CustomerId, DossierEventId, DossierId, OrderLineId};
use comptoir_core::model::DossierOrigin;
use comptoir_core::policy::Severity;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, Result};
use crate::storage::{DeviceRow, NewChange, Scope, Storage};

/// Head office's numbers carry `H` where a counter puts its counter code,
/// and six digits (up to 999,999 dossiers a series a year).
pub const MAX_ONLINE_SEQUENCE: u32 = 999_999;

/// `SAV-WEB-2026-H000042`.
pub fn online_number(prefix: &str, year: i32, sequence: u32) -> String {
    format!("SAV-{prefix}-{year}-H{sequence:06}")
}

/// Where a dossier opened outside the stores comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineChannel {
    /// The web shop's after-sales form.
    Web,
    /// Customer service, by phone.
    Phone,
}

impl OnlineChannel {
    /// The number's series.
    pub fn prefix(self) -> &'static str {
        match self {
            OnlineChannel::Web => "WEB",
            OnlineChannel::Phone => "TEL",
        }
    }

    fn origin(self) -> DossierOrigin {
        match self {
            OnlineChannel::Web => DossierOrigin::Web,
            OnlineChannel::Phone => DossierOrigin::Phone,
        }
    }
}

/// A dossier to open online or by phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenOnlineDossier {
    pub channel: OnlineChannel,
    pub customer_id: Uuid,
    /// The line of a web order it is about (one of the customer's).
    #[serde(default)]
    pub order_line_id: Option<Uuid>,
    /// Without a line: the product as the customer names it.
    #[serde(default)]
    pub product_label: Option<String>,
    /// One of the chain's reason codes (`defect.no_power`…).
    pub reason_code: String,
    /// The customer's words.
    #[serde(default)]
    pub customer_words: Option<String>,
    /// Who opened it ("Service client — Inès B.", "Site web").
    pub opened_by: String,
    /// When the customer noticed the defect, if they said.
    #[serde(default)]
    pub defect_noticed_on: Option<NaiveDate>,
}

/// The dossier opened: its id and number, and the change's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OnlineDossierOpened {
    pub dossier_id: Uuid,
    pub number: String,
    pub event_id: Uuid,
}

/// What may be added to a dossier from outside the stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineEventKind {
    /// A note on the timeline.
    Note,
    /// A message from the customer (the web form, an e-mail, a call).
    CustomerMessage,
    /// A message sent to the customer.
    MessageSent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddOnlineEvent {
    pub kind: OnlineEventKind,
    pub text: String,
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OnlineEventAdded {
    pub dossier_id: Uuid,
    pub event_id: Uuid,
}

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::DossierInvalid(e.to_string())
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    let len = value.chars().count();
    if len > max {
        return Err(invalid(format!(
            "{field} trop long ({len} caractères, {max} au plus)"
        )));
    }
    Ok(())
}

fn check_actor(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(invalid(format!("{field} manquant : qui écrit ?")));
    }
    check_short_text(field, value).map_err(|e| invalid(e.message_fr()))
}

/// The change for one event, checked as a pushed one would be.
fn change_of(
    dev: &DeviceRow,
    record: EventRecord,
    now: DateTime<Utc>,
    max_hlc_ahead_secs: i64,
) -> Result<NewChange> {
    let envelope = Change::DossierEvent(record)
        .to_envelope(&dev.store_code)
        .map_err(|e| invalid(e.message_fr()))?;
    crate::validate::check_change(&envelope, now, max_hlc_ahead_secs)
        .map_err(|r| invalid(r.reason))?;
    Ok(NewChange {
        envelope,
        scope: Scope::Chain,
        pushed_by: Some(dev.id),
    })
}

/// Opens a dossier numbered by head office.
pub async fn open(
    storage: &dyn Storage,
    dev: &DeviceRow,
    req: OpenOnlineDossier,
    now: DateTime<Utc>,
    max_hlc_ahead_secs: i64,
) -> Result<OnlineDossierOpened> {
    if !dev.head_office {
        return Err(ApiError::HeadOfficeOnly);
    }
    if !comptoir_core::reasons::REASONS
        .iter()
        .any(|(code, _)| *code == req.reason_code)
    {
        return Err(invalid(format!(
            "motif « {} » inconnu",
            req.reason_code.chars().take(64).collect::<String>()
        )));
    }
    check_actor("opened_by", &req.opened_by)?;
    if let Some(w) = &req.customer_words {
        check_text("customer_words", w, MAX_TEXT_CHARS)?;
    }
    let label = req
        .product_label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    if let Some(l) = label {
        check_short_text("product_label", l).map_err(|e| invalid(e.message_fr()))?;
    }
    if req.order_line_id.is_none() && label.is_none() {
        return Err(invalid(
            "indiquez la ligne de commande (order_line_id) ou le produit (product_label)",
        ));
    }
    if let Some(d) = req.defect_noticed_on {
        if d > now.date_naive() {
            return Err(invalid(format!(
                "défaut constaté le {} : après aujourd'hui",
                d.format("%d/%m/%Y")
            )));
        }
    }
    if !storage.customer_known(req.customer_id).await? {
        return Err(ApiError::CustomerUnknown(req.customer_id));
    }
    if let Some(line) = req.order_line_id {
        match storage.web_line_customer(line).await? {
            None => {
                return Err(invalid(format!(
                    "ligne de commande {line} inconnue du siège (seules les commandes web importées y sont)"
                )))
            }
            Some(owner) if owner != req.customer_id => {
                return Err(invalid(format!(
                    "la ligne de commande {line} est celle d'un autre client"
                )))
            }
            Some(_) => {}
        }
    }
    let dossier_id = DossierId::new();
    let event_id = DossierEventId::new();
    let prefix = req.channel.prefix();
    let build = |sequence: u32| -> Result<NewChange> {
        if sequence > MAX_ONLINE_SEQUENCE {
            return Err(invalid(format!(
                "la série {prefix} de {} est pleine ({MAX_ONLINE_SEQUENCE} dossiers)",
                now.year()
            )));
        }
        let opened = Opened {
            number: online_number(prefix, now.year(), sequence),
            store_id: None,
            origin: req.channel.origin(),
            customer_id: CustomerId(req.customer_id),
            order_line_id: req.order_line_id.map(OrderLineId),
            product_id: None,
            product_label: label.map(str::to_owned),
            reason_code: req.reason_code.clone(),
            customer_words: req.customer_words.clone(),
            condition: None,
            condition_note: None,
            accessories: Vec::new(),
            serial_number: None,
            assignee: None,
            opened_by: Some(req.opened_by.trim().to_owned()),
            promise: None,
            promised_at: None,
            legal_cap_at: None,
            sealed: false,
            severity: Severity::Major,
            defect_noticed_on: req.defect_noticed_on,
        };
        change_of(
            dev,
            EventRecord {
                id: event_id,
                dossier_id,
                hlc: Hlc::at(now),
                device_id: dev.id,
                at: now,
                actor: req.opened_by.trim().to_owned(),
                note: req.customer_words.clone(),
                event: DossierEvent::Opened(Box::new(opened)),
            },
            now,
            max_hlc_ahead_secs,
        )
    };
    let change = storage.insert_numbered(prefix, now.year(), &build).await?;
    let number = change.envelope.payload["event"]["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok(OnlineDossierOpened {
        dossier_id: dossier_id.0,
        number,
        event_id: event_id.0,
    })
}

/// Adds a note or a message to a dossier head office knows (opened online,
/// or at a counter and pushed).
pub async fn add_event(
    storage: &dyn Storage,
    dev: &DeviceRow,
    dossier: Uuid,
    req: AddOnlineEvent,
    now: DateTime<Utc>,
    max_hlc_ahead_secs: i64,
) -> Result<OnlineEventAdded> {
    if !dev.head_office {
        return Err(ApiError::HeadOfficeOnly);
    }
    check_actor("actor", &req.actor)?;
    let text = req.text.trim();
    if text.is_empty() {
        return Err(invalid("texte vide"));
    }
    let (event, max) = match req.kind {
        OnlineEventKind::Note => (DossierEvent::Note, MAX_TEXT_CHARS),
        OnlineEventKind::CustomerMessage => (DossierEvent::CustomerMessage, MAX_TEXT_CHARS),
        // As at a counter: a message sent may be a longer rendered template.
        OnlineEventKind::MessageSent => (DossierEvent::MessageSent, MAX_TEXT_CHARS * 4),
    };
    check_text("text", text, max)?;
    if !storage.dossier_known(dossier).await? {
        return Err(ApiError::DossierUnknown(dossier));
    }
    let event_id = DossierEventId::new();
    let change = change_of(
        dev,
        EventRecord {
            id: event_id,
            dossier_id: DossierId(dossier),
            hlc: Hlc::at(now),
            device_id: dev.id,
            at: now,
            actor: req.actor.trim().to_owned(),
            note: Some(text.to_owned()),
            event,
        },
        now,
        max_hlc_ahead_secs,
    )?;
    storage.insert_changes(&[change]).await?;
    Ok(OnlineEventAdded {
        dossier_id: dossier,
        event_id: event_id.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_head_offices_and_sort_by_sequence() {
        assert_eq!(online_number("WEB", 2026, 42), "SAV-WEB-2026-H000042");
        assert_eq!(online_number("TEL", 2027, 999_999), "SAV-TEL-2027-H999999");
        assert!(online_number("WEB", 2026, 9) < online_number("WEB", 2026, 10));
    }
}
