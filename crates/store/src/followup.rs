//! The follow-up queue (issue 11): calls due after closure and after a low
//! satisfaction score, and their outcome written on the dossier's timeline
//! as a `follow_up_call` event through the one write path. The rules are
//! `comptoir_core::followup`'s.

use chrono::{DateTime, Utc};
use comptoir_core::events::{DossierEvent, DossierState};
use comptoir_core::followup::*;
use comptoir_core::ids::*;
use comptoir_core::model::DossierStatus;
use comptoir_core::records::display_name;
use comptoir_core::signals::SignalThresholds;
use sqlx::SqliteConnection;

use crate::apply::Batch;
use crate::dossiers::{load_state, require_actor};
use crate::tx::begin_write;
use crate::{Result, Store, StoreError};

/// The queue reads the dossiers of this store and those opened online or
/// by phone (`store_id` NULL), as the dashboard's `Scope::Store`.
pub(crate) const LOCAL_SCOPE: &str =
    "(d.store_id IS NULL OR d.store_id = (SELECT s.id FROM stores s \
     JOIN settings k ON k.key = 'store_code' AND k.value = s.code))";

type QueueRow = (
    DossierId,
    String,
    CustomerId,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<String>,
);

/// The round pending on a dossier, if any: the closure's follow-up until
/// it is done (or a score is recorded), then a low score's call back.
pub(crate) fn pending_round(
    state: &DossierState,
    thresholds: &SignalThresholds,
) -> Option<FollowUpReason> {
    if state.status == DossierStatus::Closed
        && state.followed_up_at.is_none()
        && state.follow_up_due.is_some()
    {
        return Some(FollowUpReason::AfterClosure);
    }
    match state.csat_score {
        Some(score) if thresholds.is_low_score(score) && state.score_called_back_at.is_none() => {
            Some(FollowUpReason::LowScore)
        }
        _ => None,
    }
}

impl Store {
    /// The calls due at `now` in this store's scope, oldest first: the
    /// closure's follow-up (`follow_up_due`, moved by a call back or a no
    /// answer) and the call back after a score at or below the store's
    /// threshold, each with the customer's name, phone and e-mail and why.
    pub async fn follow_up_queue(&self, now: DateTime<Utc>) -> Result<Vec<FollowUpItem>> {
        let mut conn = self.pool.acquire().await?;
        let thresholds = Self::thresholds_on(&mut conn).await?;
        Self::queue_on(&mut conn, &thresholds, now, None).await
    }

    /// [`Store::follow_up_queue`] on a connection, for one customer or the
    /// store's scope.
    pub(crate) async fn queue_on(
        conn: &mut SqliteConnection,
        thresholds: &SignalThresholds,
        now: DateTime<Utc>,
        customer: Option<CustomerId>,
    ) -> Result<Vec<FollowUpItem>> {
        let calendar = Self::local_calendar(conn).await?;
        let scope = if customer.is_some() {
            "d.customer_id = ?3".to_owned()
        } else {
            format!("{LOCAL_SCOPE} AND ?3 IS NULL")
        };
        let columns = "d.id, d.number, d.customer_id, c.title, c.first_name, c.last_name,
            (SELECT k.value FROM customer_contacts k WHERE k.customer_id = c.id AND k.kind = 'phone'
             ORDER BY k.is_primary DESC, k.value LIMIT 1),
            (SELECT k.value FROM customer_contacts k WHERE k.customer_id = c.id AND k.kind = 'email'
             ORDER BY k.is_primary DESC, k.value LIMIT 1),
            COALESCE(p.name, d.product_label)";
        let from = "FROM dossiers d JOIN customers c ON c.id = d.customer_id
            LEFT JOIN products p ON p.id = d.product_id";
        let last_call = "(SELECT e.body FROM dossier_events e
             WHERE e.dossier_id = d.id AND e.kind = 'follow_up_call'
             ORDER BY e.hlc DESC, e.id DESC LIMIT 1)";
        let sql = format!(
            "SELECT {columns}, 'after_closure', d.follow_up_due, d.closed_at, d.csat_score, {last_call}
             {from}
             WHERE d.followed_up_at IS NULL AND d.follow_up_due <= ?1 AND d.status = 'closed'
               AND {scope}
             UNION ALL
             SELECT {columns}, 'low_score', COALESCE(d.score_call_due, d.followed_up_at),
                    d.closed_at, d.csat_score, {last_call}
             {from}
             WHERE d.csat_score IS NOT NULL AND d.score_called_back_at IS NULL
               AND d.csat_score <= ?2 AND COALESCE(d.score_call_due, d.followed_up_at) <= ?1
               AND {scope}
             ORDER BY 11, 2"
        );
        let rows: Vec<QueueRow> = sqlx::query_as(&sql)
            .bind(now)
            .bind(thresholds.low_score_max)
            .bind(customer)
            .fetch_all(&mut *conn)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (
            id,
            number,
            customer_id,
            title,
            first,
            last,
            phone,
            email,
            product_name,
            reason,
            due_at,
            closed_at,
            score,
            last_call,
        ) in rows
        {
            let reason = if reason == "low_score" {
                FollowUpReason::LowScore
            } else {
                FollowUpReason::AfterClosure
            };
            let no_answers = match last_call.as_deref() {
                Some(body) => {
                    match crate::projection::decode::<DossierEvent>("événement du dossier", body)?
                    {
                        DossierEvent::FollowUpCall {
                            reason: r,
                            outcome: FollowUpOutcome::NoAnswer,
                            attempt,
                            ..
                        } if r == reason => attempt,
                        _ => 0,
                    }
                }
                None => 0,
            };
            let csat_score = score.and_then(|s| u8::try_from(s).ok());
            out.push(FollowUpItem {
                dossier_id: id,
                number,
                customer_id,
                customer_name: display_name(title.as_deref(), &first, &last),
                phone,
                email,
                product_name,
                reason,
                reason_label: reason.label_fr().to_owned(),
                due_at,
                closed_at,
                csat_score,
                no_answers,
                why: why_due_fr(reason, due_at, closed_at, csat_score, no_answers, &calendar),
            });
        }
        Ok(out)
    }

    /// Records a follow-up call on a dossier: reached and the last no
    /// answer take it out of the queue; a no answer before the last try
    /// puts it back at the next working day's opening; a call back puts it
    /// back from that date. Written on the timeline as a `follow_up_call`
    /// event (with the note) in one transaction; refused with nothing
    /// written for an unknown dossier, a dossier with no call pending
    /// (`nothing_to_follow_up`) and a call-back date in the past.
    pub async fn record_follow_up(
        &self,
        id: DossierId,
        outcome: FollowUpOutcome,
        note: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUpRecorded> {
        require_actor(actor)?;
        if let Some(n) = note {
            let len = n.chars().count();
            if len > comptoir_core::dossier::MAX_TEXT_CHARS {
                return Err(comptoir_core::CoreError::TextTooLong {
                    field: "note",
                    len,
                    max: comptoir_core::dossier::MAX_TEXT_CHARS,
                }
                .into());
            }
        }
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(Some(&self.gate), &mut conn).await?;
        let thresholds = Self::thresholds_on(&mut tx).await?;
        let state = load_state(&mut tx, id).await?;
        let Some(reason) = pending_round(&state, &thresholds) else {
            let number = state
                .intake
                .as_ref()
                .map(|o| o.number.clone())
                .unwrap_or_default();
            return Err(StoreError::NothingToFollowUp {
                number,
                status: state.status,
            });
        };
        let calendar = Self::local_calendar(&mut tx).await?;
        let no_answers = if state.follow_up_round == Some(reason) {
            state.follow_up_no_answers
        } else {
            0
        };
        let effect = call_effect(reason, outcome, no_answers, note, &calendar, now)?;
        let mut batch = Batch::begin(&mut tx).await?;
        batch.event(
            &state,
            id,
            now,
            actor,
            Some(&effect.note),
            DossierEvent::FollowUpCall {
                reason,
                outcome,
                attempt: effect.attempt,
                next_call_at: effect.next_call_at,
            },
        );
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(FollowUpRecorded {
            reason,
            note: effect.note,
            next_call_at: effect.next_call_at,
        })
    }
}
