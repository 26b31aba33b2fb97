//! Erasure of a customer on request (RGPD, art. 17), the pure part: what
//! an erased customer becomes (a tombstone that keeps the record's id, so
//! the sales and dossiers the law makes the seller keep still point at
//! it), and what of a dossier's timeline is redacted (every free text: the
//! customer's words, notes, messages, comments), what stays (the
//! structured record: dates, reason, product, decision, amounts).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::events::{DossierEvent, EventRecord};
use crate::hlc::Hlc;
use crate::ids::CustomerId;
use crate::records::CustomerRecord;

/// What replaces every free text of an erased customer's dossiers. The
/// store's trigger (migration 0014) allows no other value.
pub const ERASED_TEXT: &str = "[effacé à la demande du client]";

/// The name an erased customer is shown under.
pub const ERASED_NAME: &str = "Client effacé";

/// A customer erased, with who did it and when (a manager's login: never
/// anything of the erased identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerErased {
    /// The change's id (UUIDv7).
    pub id: Uuid,
    pub customer_id: CustomerId,
    pub hlc: Hlc,
    pub device_id: Uuid,
    pub at: DateTime<Utc>,
    /// The manager's login.
    pub actor: String,
}

/// The tombstone of an erased customer: the same id and creation date,
/// no identity, no address, no contact, no consent.
pub fn tombstone(
    id: CustomerId,
    created_at: DateTime<Utc>,
    erased_at: DateTime<Utc>,
) -> CustomerRecord {
    CustomerRecord {
        id,
        title: None,
        first_name: String::new(),
        last_name: ERASED_NAME.to_owned(),
        address_line1: String::new(),
        address_line2: None,
        postal_code: String::new(),
        city: String::new(),
        country: String::new(),
        email_marketing: false,
        sms_marketing: false,
        consents_updated_at: Some(erased_at),
        created_at,
        updated_at: erased_at,
        contacts: Vec::new(),
    }
}

fn redact(text: &mut Option<String>) -> bool {
    match text {
        Some(t) if t != ERASED_TEXT => {
            *t = ERASED_TEXT.to_owned();
            true
        }
        _ => false,
    }
}

/// Redacts the free texts of one event in place; `true` when something
/// changed. Every free text goes, not only those that name the customer:
/// a note « rappelé Mme X au 06… » cannot be told apart from a technical
/// one by a program. Structured data (ids, dates, codes, amounts, the
/// decision's rule and legal basis, the repair done) is kept.
pub fn redact_event(e: &mut EventRecord) -> bool {
    let mut changed = redact(&mut e.note);
    match &mut e.event {
        DossierEvent::Opened(o) => {
            changed |= redact(&mut o.customer_words);
            changed |= redact(&mut o.condition_note);
        }
        DossierEvent::Decision { decision } => {
            changed |= redact(&mut decision.note);
        }
        DossierEvent::FollowUpDone { outcome } => {
            if outcome != ERASED_TEXT {
                *outcome = ERASED_TEXT.to_owned();
                changed = true;
            }
        }
        DossierEvent::Satisfaction { comment, .. } => {
            changed |= redact(comment);
        }
        DossierEvent::Action { .. }
        | DossierEvent::Note
        | DossierEvent::Assigned { .. }
        | DossierEvent::Approval { .. }
        | DossierEvent::Resolution { .. }
        | DossierEvent::MessageSent
        | DossierEvent::CustomerMessage
        | DossierEvent::DeadlineRecomputed { .. }
        // The call's outcome is structured; what was said is its note.
        | DossierEvent::FollowUpCall { .. } => {}
    }
    changed
}

/// The payload a change about an erased customer keeps wherever changes
/// are kept after the erasure (the central server's feed, a counter's
/// pending changes), under the same id and at the same place: `None` when
/// the change holds nothing of the identity (or is not about a customer).
///
/// - a customer created at a counter (`customer.created`) or imported by
///   head office (`customer.imported`): the record becomes the
///   [`tombstone`] (same id and creation date);
/// - one of its fields edited (`customer.field`): the old and new values
///   become the tombstone's value of that field (an edit received before
///   the erasure then writes what the erasure leaves anyway);
/// - a dossier event (`dossier.event`), when the caller knows the dossier
///   is the customer's: every free text, as [`redact_event`].
pub fn redact_payload(
    env: &crate::changes::ChangeEnvelope,
    erased_at: DateTime<Utc>,
) -> crate::Result<Option<serde_json::Value>> {
    use crate::changes::{Change, HeadOfficeRecord, KIND_CUSTOMER_IMPORTED};
    if env.kind == KIND_CUSTOMER_IMPORTED {
        let Some(HeadOfficeRecord::Customer(c)) = HeadOfficeRecord::from_envelope(env)? else {
            return Ok(None);
        };
        let t = tombstone(c.id, c.created_at, erased_at);
        if t == *c {
            return Ok(None);
        }
        return HeadOfficeRecord::Customer(Box::new(t))
            .to_payload()
            .map(Some);
    }
    if !matches!(
        env.kind.as_str(),
        crate::changes::KIND_CUSTOMER_CREATED
            | crate::changes::KIND_CUSTOMER_FIELD
            | crate::changes::KIND_DOSSIER_EVENT
    ) {
        return Ok(None);
    }
    let mut change = Change::from_envelope(env)?;
    let changed = match &mut change {
        Change::CustomerCreated(c) => {
            let t = tombstone(c.customer.id, c.customer.created_at, erased_at);
            let changed = t != c.customer;
            c.customer = t;
            changed
        }
        Change::CustomerField(f) => {
            let t = tombstone(f.customer_id, erased_at, erased_at);
            let value = crate::customer::field_value(&t, f.field);
            let changed = f.value != value || f.old != value;
            f.old = value.clone();
            f.value = value;
            changed
        }
        Change::DossierEvent(e) => redact_event(e),
        Change::CustomerErased(_) => false,
    };
    if !changed {
        return Ok(None);
    }
    Ok(Some(change.to_envelope(&env.store_code)?.payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DossierEventId, DossierId};
    use chrono::TimeZone;

    fn event(note: Option<&str>, event: DossierEvent) -> EventRecord {
        EventRecord {
            id: DossierEventId::new(),
            dossier_id: DossierId::new(),
            hlc: Hlc {
                physical_ms: 1_764_580_000_000,
                logical: 0,
            },
            device_id: Uuid::now_v7(),
            at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
            actor: "Julie M.".into(),
            note: note.map(str::to_owned),
            event,
        }
    }

    #[test]
    fn free_texts_are_redacted_once_and_structure_stays() {
        let mut e = event(
            Some("Rappelé Mme Quarteron au 06 71 23 45 98"),
            DossierEvent::FollowUpDone {
                outcome: "Mme Quarteron est ravie".into(),
            },
        );
        assert!(redact_event(&mut e));
        assert_eq!(e.note.as_deref(), Some(ERASED_TEXT));
        assert_eq!(
            e.event,
            DossierEvent::FollowUpDone {
                outcome: ERASED_TEXT.into()
            }
        );
        // Twice is once.
        assert!(!redact_event(&mut e));

        let mut s = event(
            None,
            DossierEvent::Satisfaction {
                score: 2,
                comment: Some("Zéphirine trouve ça long".into()),
            },
        );
        assert!(redact_event(&mut s));
        assert_eq!(s.note, None, "an absent note stays absent");
        assert_eq!(
            s.event,
            DossierEvent::Satisfaction {
                score: 2,
                comment: Some(ERASED_TEXT.into())
            }
        );

        let mut a = event(
            None,
            DossierEvent::DeadlineRecomputed {
                promised_at: Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap(),
            },
        );
        let before = a.clone();
        assert!(!redact_event(&mut a));
        assert_eq!(a, before);
    }

    #[test]
    fn an_erasure_travels_as_its_id_who_and_when_only() {
        use crate::changes::{Change, KIND_CUSTOMER_ERASED};
        let c = Change::CustomerErased(CustomerErased {
            id: Uuid::now_v7(),
            customer_id: CustomerId::new(),
            hlc: Hlc {
                physical_ms: 1_764_580_000_000,
                logical: 3,
            },
            device_id: Uuid::now_v7(),
            at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap(),
            actor: "sophie.r".into(),
        });
        let env = c.to_envelope("LYO1").unwrap();
        assert_eq!(env.kind, KIND_CUSTOMER_ERASED);
        assert_eq!(
            env.payload,
            serde_json::json!({"at": "2026-12-02T09:00:00Z", "actor": "sophie.r"})
        );
        assert_eq!(Change::from_envelope(&env).unwrap(), c);
        let mut extra = env.clone();
        extra.payload["name"] = serde_json::json!("Dupré");
        assert_eq!(
            Change::from_envelope(&extra).unwrap_err().code(),
            "change_payload_invalid",
            "an erasure carries no identity"
        );
    }

    #[test]
    fn kept_changes_lose_the_identity_and_keep_their_id() {
        use crate::changes::{Change, CustomerCreated, CustomerFieldChange, HeadOfficeRecord};
        use crate::customer::CustomerField;
        use crate::ids::ContactId;
        use crate::model::ContactKind;
        use crate::records::ContactRecord;
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let hlc = Hlc {
            physical_ms: 1_764_580_000_000,
            logical: 0,
        };
        let mut c = tombstone(CustomerId::new(), at, at);
        c.first_name = "Zéphirine".into();
        c.last_name = "Quarteron".into();
        c.city = "Lyon".into();
        c.contacts = vec![ContactRecord {
            id: ContactId::new(),
            kind: ContactKind::Phone,
            value: "06 71 23 45 98".into(),
            label: None,
            is_primary: true,
        }];
        let created = Change::CustomerCreated(Box::new(CustomerCreated {
            id: Uuid::now_v7(),
            hlc,
            device_id: Uuid::now_v7(),
            actor: "Julie M.".into(),
            customer: c.clone(),
        }))
        .to_envelope("LYO1")
        .unwrap();
        let field = Change::CustomerField(CustomerFieldChange {
            id: Uuid::now_v7(),
            customer_id: c.id,
            hlc,
            device_id: Uuid::now_v7(),
            at,
            actor: "Julie M.".into(),
            field: CustomerField::LastName,
            old: serde_json::json!("Quarteron"),
            value: serde_json::json!("Quarteron-Dupré"),
        })
        .to_envelope("LYO1")
        .unwrap();
        let imported = crate::changes::ChangeEnvelope {
            id: Uuid::now_v7(),
            kind: crate::changes::KIND_CUSTOMER_IMPORTED.into(),
            entity_id: c.id.0,
            store_code: String::new(),
            device_id: Uuid::nil(),
            hlc: hlc.to_string(),
            payload: HeadOfficeRecord::Customer(Box::new(c.clone()))
                .to_payload()
                .unwrap(),
        };
        let note = Change::DossierEvent(event(
            Some("Rappelé Mme Quarteron au 06 71 23 45 98"),
            DossierEvent::Note,
        ))
        .to_envelope("LYO1")
        .unwrap();
        for env in [&created, &field, &imported, &note] {
            let p = redact_payload(env, at).unwrap().expect(&env.kind);
            let text = p.to_string();
            for word in ["Quarteron", "Zéphirine", "06 71", "Lyon"] {
                assert!(!text.contains(word), "{}: {text}", env.kind);
            }
            // Decodes as the same kind of change, once redacted is redacted.
            let again = crate::changes::ChangeEnvelope {
                payload: p,
                ..(*env).clone()
            };
            assert_eq!(redact_payload(&again, at).unwrap(), None, "{}", env.kind);
        }
        let Change::CustomerCreated(back) =
            Change::from_envelope(&crate::changes::ChangeEnvelope {
                payload: redact_payload(&created, at).unwrap().unwrap(),
                ..created.clone()
            })
            .unwrap()
        else {
            panic!("created")
        };
        assert_eq!(back.customer, tombstone(c.id, c.created_at, at));
        assert_eq!(back.actor, "Julie M.");
    }

    #[test]
    fn the_tombstone_has_no_identity() {
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let t = tombstone(CustomerId::new(), at, at);
        assert_eq!(t.display_name(), ERASED_NAME);
        assert!(t.contacts.is_empty());
        assert!(!t.email_marketing && !t.sms_marketing);
        assert!(crate::customer::check_record(&t).is_ok());
    }
}
