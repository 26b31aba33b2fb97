//! A dossier's workflow after intake: actions, notes, assignment, closure,
//! satisfaction. Every action is one transaction through the one write path.

use crate::apply::Batch;
use crate::dossiers::{load_state, require_actor};
use crate::tx::begin_write;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use comptoir_core::calendar::{committed_deadline, LegalCap, WaitInterval};
use comptoir_core::dossier::*;
use comptoir_core::events::{DossierEvent, DossierState};
use comptoir_core::ids::*;
use comptoir_core::model::DossierStatus;
use comptoir_core::records::display_name;
use comptoir_core::workflow::{transition, DossierAction};
use comptoir_core::CoreError;
use sqlx::SqliteConnection;

impl Store {
    /// Moves a dossier through its workflow. A transition that is not
    /// allowed is refused with the reason, and nothing is written.
    pub async fn dossier_action(
        &self,
        id: DossierId,
        action: DossierAction,
        actor: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DossierStatus> {
        require_actor(actor)?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(Some(&self.gate), &mut conn).await?;
        let state = load_state(&mut tx, id).await?;
        let next = transition(state.status, action)?;
        let mut batch = Batch::begin(&mut tx).await?;
        batch.event(
            &state,
            id,
            now,
            actor,
            note,
            DossierEvent::Action { action },
        );
        if state.status == DossierStatus::WaitingCustomer && next != DossierStatus::WaitingCustomer
        {
            // Time spent waiting for the customer pauses the promise.
            if let Some(promised_at) = Self::recomputed_deadline(&mut tx, &state, now).await? {
                batch.event(
                    &state,
                    id,
                    now,
                    actor,
                    None,
                    DossierEvent::DeadlineRecomputed { promised_at },
                );
            }
        }
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The deadline once the current wait for the customer ends at `now`
    /// (every wait is a pause); `None` for a dossier without a promise.
    pub(crate) async fn recomputed_deadline(
        conn: &mut SqliteConnection,
        state: &DossierState,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let (Some(intake), Some(opened_at)) = (&state.intake, state.opened_at) else {
            return Ok(None);
        };
        let Some(promise) = intake.promise else {
            return Ok(None); // dossiers from elsewhere keep the deadline they came with
        };
        let mut waits = state.customer_waits.clone();
        if let Some(start) = state.waiting_customer_since {
            waits.push(WaitInterval { start, end: now });
        }
        let calendar = Self::calendar_of(conn, intake.store_id).await?;
        let cap = intake.legal_cap_at.map(|_| LegalCap::ConformityGuarantee);
        let deadline = committed_deadline(opened_at, promise, &waits, cap, &calendar)?;
        Ok(Some(deadline.promised_at))
    }

    /// Adds a note to the timeline.
    pub async fn add_note(
        &self,
        id: DossierId,
        actor: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_actor(actor)?;
        if note.trim().is_empty() {
            return Err(CoreError::MissingField { field: "note" }.into());
        }
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(Some(&self.gate), &mut conn).await?;
        let state = load_state(&mut tx, id).await?;
        let mut batch = Batch::begin(&mut tx).await?;
        batch.event(&state, id, now, actor, Some(note), DossierEvent::Note);
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives the dossier to a clerk (or takes it back with `None`).
    pub async fn assign(
        &self,
        id: DossierId,
        assignee: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_actor(actor)?;
        let assignee = assignee.map(str::trim).filter(|a| !a.is_empty());
        if let Some(a) = assignee {
            comptoir_core::bounds::check_short_text("assignee", a)?;
        }
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(Some(&self.gate), &mut conn).await?;
        let state = load_state(&mut tx, id).await?;
        if !can_assign(state.status) {
            return Err(StoreError::AssignClosed);
        }
        let note = match assignee {
            Some(a) => format!("Attribué à {a}"),
            None => "Attribution retirée".to_owned(),
        };
        let mut batch = Batch::begin(&mut tx).await?;
        batch.event(
            &state,
            id,
            now,
            actor,
            Some(&note),
            DossierEvent::Assigned {
                assignee: assignee.map(str::to_owned),
            },
        );
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a dossier with its resolution, the closing message (from the
    /// chosen template) and a follow-up call due `follow_up_days` later.
    pub async fn close_dossier(
        &self,
        id: DossierId,
        resolution: &Resolution,
        actor: &str,
        follow_up_days: u32,
        now: DateTime<Utc>,
    ) -> Result<String> {
        require_actor(actor)?;
        resolution.validate()?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(Some(&self.gate), &mut conn).await?;
        let state = load_state(&mut tx, id).await?;
        transition(state.status, DossierAction::Close)?;
        // Gestures follow the policy's scale: closure records the one the
        // decision granted (approved by a manager when needed), never more.
        if let Some(g) = &resolution.gesture {
            let decided = state.gesture().unwrap_or(comptoir_core::Cents(0));
            if g.amount > decided {
                return Err(CoreError::GestureNotDecided {
                    asked: g.amount,
                    decided,
                }
                .into());
            }
        }
        let template: Option<String> =
            sqlx::query_scalar("SELECT body FROM message_templates WHERE code = ?")
                .bind(&resolution.template)
                .fetch_optional(&mut *tx)
                .await?;
        let template = template.ok_or_else(|| StoreError::UnknownTemplate {
            code: resolution.template.clone(),
        })?;
        let (number, title, first, last, product, store): (String, Option<String>, String, String, Option<String>, Option<String>) =
            sqlx::query_as(
                "SELECT d.number, c.title, c.first_name, c.last_name, COALESCE(p.name, d.product_label), s.name
                 FROM dossiers d JOIN customers c ON c.id = d.customer_id
                 LEFT JOIN products p ON p.id = d.product_id LEFT JOIN stores s ON s.id = d.store_id
                 WHERE d.id = ?",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let message = render_template(
            &template,
            &[
                ("client", &display_name(title.as_deref(), &first, &last)),
                ("produit", product.as_deref().unwrap_or("produit")),
                ("dossier", &number),
                ("magasin", store.as_deref().unwrap_or("votre magasin")),
                ("resolution", resolution.summary.trim()),
            ],
        );
        let follow_up = now + chrono::Duration::days(i64::from(follow_up_days));
        let mut batch = Batch::begin(&mut tx).await?;
        batch.event(
            &state,
            id,
            now,
            actor,
            Some(resolution.summary.trim()),
            DossierEvent::Resolution {
                resolution: Box::new(resolution.clone()),
                follow_up_due: Some(follow_up),
            },
        );
        batch.event(
            &state,
            id,
            now,
            actor,
            Some(&message),
            DossierEvent::MessageSent,
        );
        batch.event(
            &state,
            id,
            now,
            actor,
            None,
            DossierEvent::Action {
                action: DossierAction::Close,
            },
        );
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(message)
    }

    /// Records the customer's satisfaction (the follow-up is then done).
    pub async fn record_satisfaction(
        &self,
        id: DossierId,
        score: u8,
        comment: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_actor(actor)?;
        check_csat(score, comment)?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(Some(&self.gate), &mut conn).await?;
        let state = load_state(&mut tx, id).await?;
        if !can_record_satisfaction(state.status, state.csat_score) {
            return Err(StoreError::SatisfactionNotAllowed);
        }
        let note = format!(
            "Satisfaction : {score}/5{}",
            comment.map(|c| format!(" — {c}")).unwrap_or_default()
        );
        let mut batch = Batch::begin(&mut tx).await?;
        batch.event(
            &state,
            id,
            now,
            actor,
            Some(&note),
            DossierEvent::Satisfaction {
                score,
                comment: comment.map(str::to_owned),
            },
        );
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
