//! Timelines written before typed events (schema 3 and earlier, and bulk
//! loads of records that only say kind / status / note) become typed
//! events whose fold equals the dossier row. Migration 0004 adds the
//! columns; this fills them, once, the first time the database is opened
//! by this version (each event's body is written once: the append-only
//! trigger allows only that).

use chrono::{DateTime, Utc};
use comptoir_core::events::{fold, DossierEvent, DossierState, EventRecord, Opened};
use comptoir_core::hlc::Hlc;
use comptoir_core::ids::*;
use comptoir_core::model::DossierStatus;
use comptoir_core::policy::DecisionRecord;
use comptoir_core::workflow::{action_between, DossierAction};
use serde::Deserialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::projection::{decode, encode, DossierRow};
use crate::{Result, StoreError};

/// An event as the old timeline kept it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LegacyEvent {
    pub id: DossierEventId,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub status_after: Option<DossierStatus>,
    pub note: Option<String>,
    pub data: Option<String>,
}

#[derive(Deserialize)]
struct OpenedData {
    deadline: Option<DeadlineData>,
}
#[derive(Deserialize)]
struct DeadlineData {
    promised_at: DateTime<Utc>,
}
#[derive(Deserialize)]
struct AssignedData {
    assignee: Option<String>,
}
#[derive(Deserialize)]
struct ApprovalData {
    manager_id: Option<UserId>,
    manager_login: Option<String>,
}
#[derive(Deserialize)]
struct SatisfactionData {
    score: u8,
    comment: Option<String>,
}

fn ms(at: DateTime<Utc>) -> u64 {
    Hlc::at(at).physical_ms
}

/// The typed timeline of a dossier from its old one and its row (`seed`:
/// what intake recorded, and the projections no old event carried).
pub(crate) fn typed_timeline(
    seed: &DossierRow,
    legacy: &[LegacyEvent],
) -> Result<Vec<EventRecord>> {
    let mut legacy: Vec<&LegacyEvent> = legacy.iter().collect();
    legacy.sort_by_key(|e| (e.at, e.id));
    let reassigned = legacy.iter().any(|e| e.kind == "assigned");
    let mut state = DossierState::default();
    let mut out: Vec<EventRecord> = Vec::with_capacity(legacy.len() + 1);
    let mut last_ms = None;
    let mut logical = 0u32;
    let mut stamp = |at: DateTime<Utc>| {
        let m = ms(at);
        if last_ms == Some(m) {
            logical += 2;
        } else {
            last_ms = Some(m);
            logical = 0;
        }
        Hlc {
            physical_ms: m,
            logical,
        }
    };
    let opened = |promised_at| {
        DossierEvent::Opened(Box::new(Opened {
            number: seed.number.clone(),
            store_id: seed.store_id,
            origin: seed.origin,
            customer_id: seed.customer_id,
            order_line_id: seed.order_line_id,
            product_id: seed.product_id,
            product_label: seed.product_label.clone(),
            reason_code: seed.reason_code.clone(),
            customer_words: seed.customer_words.clone(),
            condition: seed.condition,
            condition_note: seed.condition_note.clone(),
            accessories: seed.accessories.clone(),
            serial_number: seed.serial_number.clone(),
            assignee: if reassigned {
                None
            } else {
                seed.assignee.clone()
            },
            opened_by: seed.opened_by.clone(),
            promise: seed.promise,
            promised_at,
            legal_cap_at: seed.legal_cap_at,
            sealed: seed.sealed,
            severity: seed.severity,
            defect_noticed_on: None,
        }))
    };
    if !legacy.iter().any(|e| e.kind == "opened") {
        let e = EventRecord {
            id: DossierEventId::new(),
            dossier_id: seed.id,
            hlc: stamp(seed.opened_at),
            device_id: Uuid::nil(),
            at: seed.opened_at,
            actor: seed
                .opened_by
                .clone()
                .unwrap_or_else(|| "Système".to_owned()),
            note: None,
            event: opened(seed.promised_at),
        };
        state.apply(&e);
        out.push(e);
    }
    let data = |e: &LegacyEvent| e.data.clone();
    for e in legacy {
        let event = match e.kind.as_str() {
            "opened" => {
                let promised = match data(e) {
                    Some(j) => decode::<OpenedData>("événement d'ouverture", &j)?
                        .deadline
                        .map(|d| d.promised_at)
                        .or(seed.promised_at),
                    None => seed.promised_at,
                };
                opened(promised)
            }
            "note" => DossierEvent::Note,
            "message_sent" => DossierEvent::MessageSent,
            "customer_message" => DossierEvent::CustomerMessage,
            "assigned" => DossierEvent::Assigned {
                assignee: match data(e) {
                    Some(j) => decode::<AssignedData>("attribution", &j)?.assignee,
                    None => e
                        .note
                        .as_deref()
                        .and_then(|n| n.strip_prefix("Attribué à "))
                        .map(str::to_owned),
                },
            },
            "decision" => match data(e) {
                Some(j) => DossierEvent::Decision {
                    decision: Box::new(decode::<DecisionRecord>("décision", &j)?),
                },
                None => match &seed.decision {
                    Some(d) => DossierEvent::Decision {
                        decision: Box::new(d.clone()),
                    },
                    None => DossierEvent::Note,
                },
            },
            "approval" => {
                let a = data(e)
                    .map(|j| decode::<ApprovalData>("validation", &j))
                    .transpose()?;
                DossierEvent::Approval {
                    manager_id: a.as_ref().and_then(|a| a.manager_id),
                    manager_login: a.and_then(|a| a.manager_login),
                }
            }
            "resolution" => {
                let resolution = match data(e) {
                    Some(j) => Some(decode("résolution", &j)?),
                    None => seed.resolution.clone(),
                };
                match resolution {
                    Some(r) => DossierEvent::Resolution {
                        resolution: Box::new(r),
                        follow_up_due: seed.follow_up_due,
                    },
                    None => DossierEvent::Note,
                }
            }
            "satisfaction" => match data(e) {
                Some(j) => {
                    let s: SatisfactionData = decode("satisfaction", &j)?;
                    DossierEvent::Satisfaction {
                        score: s.score,
                        comment: s.comment,
                    }
                }
                None => match seed.csat_score {
                    Some(score) => DossierEvent::Satisfaction {
                        score,
                        comment: seed.csat_comment.clone(),
                    },
                    None => DossierEvent::Note,
                },
            },
            kind => match e.status_after {
                Some(to) => {
                    let action = kind
                        .parse::<DossierAction>()
                        .ok()
                        .or_else(|| action_between(state.status, to))
                        .or_else(|| {
                            DossierAction::ALL
                                .iter()
                                .copied()
                                .find(|a| a.target() == to)
                        });
                    match action {
                        Some(action) => DossierEvent::Action { action },
                        None => DossierEvent::Note,
                    }
                }
                None => DossierEvent::Note,
            },
        };
        let at = if matches!(event, DossierEvent::Opened(_)) {
            seed.opened_at
        } else {
            e.at
        };
        let rec = EventRecord {
            id: e.id,
            dossier_id: seed.id,
            hlc: stamp(at),
            device_id: Uuid::nil(),
            at,
            actor: e.actor.clone(),
            note: e.note.clone(),
            event,
        };
        state.apply(&rec);
        out.push(rec);
    }
    // The old code moved the deadline without an event (after a wait for
    // the customer): the move becomes one, where it happened.
    let folded = fold(&out);
    if let (Some(stored), true) = (seed.promised_at, folded.promised_at != seed.promised_at) {
        let mut s = DossierState::default();
        let mut after = out.len().saturating_sub(1);
        for (i, e) in out.iter().enumerate() {
            let before = s.status;
            s.apply(e);
            if before == DossierStatus::WaitingCustomer && s.status != before {
                after = i;
            }
        }
        let base = out.get(after).map(|e| (e.hlc, e.at, e.actor.clone()));
        if let Some((hlc, at, actor)) = base {
            out.push(EventRecord {
                id: DossierEventId::new(),
                dossier_id: seed.id,
                hlc: Hlc {
                    physical_ms: hlc.physical_ms,
                    logical: hlc.logical + 1,
                },
                device_id: Uuid::nil(),
                at,
                actor,
                note: None,
                event: DossierEvent::DeadlineRecomputed {
                    promised_at: stored,
                },
            });
        }
    }
    Ok(out)
}

/// Gives every untyped event its typed body, dossier by dossier, in
/// transactions of a few hundred dossiers. Returns how many dossiers.
pub(crate) async fn run(conn: &mut SqliteConnection) -> Result<u64> {
    let mut done = 0u64;
    let mut max_hlc = Hlc::ZERO;
    loop {
        let mut tx = crate::tx::begin_write(None, conn).await?;
        let ids: Vec<DossierId> = sqlx::query_scalar(
            "SELECT DISTINCT dossier_id FROM dossier_events WHERE body IS NULL LIMIT 500",
        )
        .fetch_all(&mut *tx)
        .await?;
        if ids.is_empty() {
            tx.commit().await?;
            break;
        }
        for id in &ids {
            let seed = DossierRow::read(&mut tx, *id)
                .await?
                .ok_or(StoreError::NotFound { what: "dossier" })?;
            let legacy: Vec<LegacyEvent> = sqlx::query_as(
                "SELECT id, at, actor, kind, status_after, note, data FROM dossier_events
                 WHERE dossier_id = ? AND body IS NULL",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let legacy_ids: std::collections::HashSet<DossierEventId> =
                legacy.iter().map(|e| e.id).collect();
            for e in typed_timeline(&seed, &legacy)? {
                max_hlc = max_hlc.max(e.hlc);
                let body = encode("événement du dossier", &e.event)?;
                if legacy_ids.contains(&e.id) {
                    sqlx::query(
                        "UPDATE dossier_events SET hlc = ?, device_id = ?, body = ? WHERE id = ?",
                    )
                    .bind(e.hlc.to_string())
                    .bind(e.device_id)
                    .bind(body)
                    .bind(e.id)
                    .execute(&mut *tx)
                    .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO dossier_events (id, dossier_id, at, actor, kind, status_after, note, hlc, device_id, body)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(e.id)
                    .bind(e.dossier_id)
                    .bind(e.at)
                    .bind(&e.actor)
                    .bind(e.event.kind_code())
                    .bind(e.event.status_after())
                    .bind(e.note.as_deref())
                    .bind(e.hlc.to_string())
                    .bind(e.device_id)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        done += ids.len() as u64;
        let mut clock = crate::clock::Clock::load(&mut tx).await?;
        clock.observe(max_hlc);
        clock.save(&mut tx).await?;
        tx.commit().await?;
    }
    if done > 0 {
        tracing::info!(dossiers = done, "timelines converted to typed events");
    }
    Ok(done)
}

/// Dossiers from before version 13 get the two columns the dashboard reads
/// (the first response, the finished waits for the customer) from a fold
/// of their events, and with them their `dossier_figures` row (the
/// triggers write it): a dossier without one is still to do, so a pass
/// cut short goes on where it stopped at the next start. Batches of 500
/// dossiers in id order, each one transaction. Returns how many dossiers.
pub(crate) async fn fill_figures(conn: &mut SqliteConnection) -> Result<u64> {
    let complete: bool = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM dossiers) = (SELECT count(*) FROM dossier_figures)",
    )
    .fetch_one(&mut *conn)
    .await?;
    if complete {
        return Ok(0);
    }
    let mut done = 0u64;
    let mut after: Option<DossierId> = None;
    loop {
        let mut tx = crate::tx::begin_write(None, conn).await?;
        let ids: Vec<DossierId> = sqlx::query_scalar(
            "SELECT id FROM dossiers d WHERE (?1 IS NULL OR d.id > ?1)
             AND NOT EXISTS (SELECT 1 FROM dossier_figures f WHERE f.dossier_id = d.id)
             ORDER BY d.id LIMIT 500",
        )
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = ids.last().copied() else {
            tx.commit().await?;
            break;
        };
        let events = crate::projection::events_of_many(&mut tx, &ids).await?;
        for id in &ids {
            let state = fold(events.get(id).into_iter().flatten());
            let waits = if state.customer_waits.is_empty() {
                None
            } else {
                Some(encode("attentes du client", &state.customer_waits)?)
            };
            sqlx::query(
                "UPDATE dossiers SET first_response_at = ?, customer_waits = ? WHERE id = ?",
            )
            .bind(state.first_response_at)
            .bind(waits)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        done += ids.len() as u64;
        after = Some(last);
    }
    if done > 0 {
        tracing::info!(
            dossiers = done,
            "dashboard figures filled from the timelines"
        );
    }
    Ok(done)
}
