//! Opening a dossier at the counter: the purchased line checked, the
//! number, the committed deadline, the decision taken at intake, the first
//! event — one write transaction.

use crate::apply::Batch;
use crate::dossiers::owned_line;
use crate::settings::ReasonView;
use crate::tx::begin_write;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Datelike, Utc};
use comptoir_core::calendar::{committed_deadline, LegalCap};
use comptoir_core::dossier::*;
use comptoir_core::events::{DossierEvent, DossierState, Opened};
use comptoir_core::ids::*;
use comptoir_core::model::DossierOrigin;
use sqlx::SqliteConnection;

#[derive(sqlx::FromRow)]
pub(crate) struct LineFacts {
    customer_id: CustomerId,
    product_id: ProductId,
    ordered_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Opens a dossier at this counter: number, committed deadline and the
    /// opening event (with the decision when one is taken at intake), in
    /// one transaction through the write path.
    pub async fn open_dossier(
        &self,
        input: &OpenDossierInput,
        now: DateTime<Utc>,
    ) -> Result<DossierId> {
        input.validate()?;
        {
            // A defect noticed after today or before the delivery: refused.
            let mut conn = self.pool.acquire().await?;
            crate::shipments::check_defect_noticed(&mut conn, input, now).await?;
        }
        // A decision taken at intake is ruled on and authorised (manager's
        // PIN) before the write; it is then written with the dossier.
        let decided = match &input.decision {
            Some(choice) => {
                let src = crate::decisions::CaseSource {
                    customer_id: input.customer_id,
                    order_line_id: input.order_line_id,
                    reason_code: input.reason_code.clone(),
                    condition: input.condition,
                    sealed: input.sealed,
                    severity: input.severity,
                    dossier: None,
                    requested_at: None,
                    defect_noticed_on: input.defect_noticed_on,
                };
                let decision = {
                    let mut conn = self.pool.acquire().await?;
                    // What would refuse the intake is checked before a
                    // manager's PIN is asked for (and counted).
                    Self::line_for_intake(&mut conn, input).await?;
                    Self::ruling(&mut conn, &src, now).await?
                };
                let (checked, manager) = self
                    .authorise(&decision, choice, input.approval.as_ref(), now)
                    .await?;
                Some((decision, checked, manager, choice.note.clone()))
            }
            None => None,
        };
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(Some(&self.gate), &mut conn).await?;

        let customer_exists: bool =
            sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM customers WHERE id = ?)")
                .bind(input.customer_id)
                .fetch_one(&mut *tx)
                .await?;
        if !customer_exists {
            return Err(StoreError::NotFound { what: "client" });
        }
        let reason: ReasonView = sqlx::query_as(
            "SELECT code, label, promise_unit, promise_count, conformity FROM reasons WHERE code = ? AND active = 1",
        )
        .bind(&input.reason_code)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::UnknownReason {
            code: input.reason_code.clone(),
        })?;

        // The purchased line: it must be this customer's, and the serial read
        // on the product must be one sold on it.
        let line = Self::line_for_intake(&mut tx, input).await?;
        let product_id = line.as_ref().map(|l| l.product_id);
        let delivered = line.map(|l| l.delivered_at.unwrap_or(l.ordered_at));

        // This counter's store numbers the dossier.
        let (store_id, store_code): (StoreId, String) = sqlx::query_as(
            "SELECT s.id, s.code FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NoLocalStore)?;
        let calendar = Self::calendar_of(&mut tx, Some(store_id)).await?;
        let year = calendar.local_date(now).year();
        let number = crate::numbering::next_number(&mut tx, &store_code, year).await?;

        // The committed deadline; under the legal conformity guarantee it is
        // never later than the law allows. The guarantee is the policy
        // engine's own reading (earlier legal repairs add 6 months, a
        // replacement instead of a repair starts a new one), on the day the
        // defect was noticed.
        let under_glc = match (reason.conformity, delivered, input.order_line_id) {
            (true, Some(delivered), Some(line_id)) => {
                let nil = DossierId(uuid::Uuid::nil());
                let prior = Self::prior_remedies(&mut tx, line_id, nil, &calendar).await?;
                let guarantee = comptoir_core::policy::conformity_guarantee(
                    calendar.local_date(delivered),
                    &prior,
                );
                let noticed = input
                    .defect_noticed_on
                    .unwrap_or_else(|| calendar.local_date(now));
                noticed <= guarantee.end
            }
            _ => false,
        };
        let promise = reason.promise();
        let deadline = committed_deadline(
            now,
            promise,
            &[],
            under_glc.then_some(LegalCap::ConformityGuarantee),
            &calendar,
        )?;

        let id = DossierId::new();
        let opened = Opened {
            number: number.clone(),
            store_id: Some(store_id),
            origin: DossierOrigin::Store,
            customer_id: input.customer_id,
            order_line_id: input.order_line_id,
            product_id,
            product_label: input
                .declared_product
                .as_deref()
                .map(str::trim)
                .map(str::to_owned),
            reason_code: reason.code.clone(),
            customer_words: Some(input.customer_words.trim().to_owned()),
            condition: Some(input.condition),
            condition_note: input.condition_note.clone(),
            accessories: input.accessories.clone(),
            serial_number: input
                .serial_number
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            assignee: input.assignee.clone(),
            opened_by: Some(input.actor.trim().to_owned()),
            promise: Some(promise),
            promised_at: Some(deadline.promised_at),
            legal_cap_at: deadline.legal_cap_at,
            sealed: input.sealed,
            severity: input.severity,
            defect_noticed_on: input.defect_noticed_on,
        };
        let mut batch = Batch::begin(&mut tx).await?;
        let state = DossierState::default();
        batch.event(
            &state,
            id,
            now,
            &input.actor,
            None,
            DossierEvent::Opened(Box::new(opened)),
        );
        let mut approved = None;
        if let Some((decision, checked, manager, note)) = &decided {
            let record = crate::decisions::write_decision(
                &mut batch,
                &state,
                id,
                decision,
                checked,
                note.as_deref(),
                input.actor.trim(),
                manager.as_ref(),
                now,
            )?;
            approved = manager.as_ref().map(|m| (m.clone(), record));
        }
        batch.commit(&mut tx).await?;
        if let Some((manager, record)) = &approved {
            crate::audit::approval(
                &mut tx,
                now,
                manager,
                id,
                &number,
                record,
                input.actor.trim(),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The intake's purchased line, checked: this customer's, and the serial
    /// read on the product one of those sold on it.
    pub(crate) async fn line_for_intake(
        conn: &mut SqliteConnection,
        input: &OpenDossierInput,
    ) -> Result<Option<LineFacts>> {
        let Some(line_id) = input.order_line_id else {
            return Ok(None);
        };
        let line: Option<LineFacts> = sqlx::query_as(
            "SELECT o.customer_id, l.product_id, o.ordered_at,
                    -- A line sent in a shipment of its own was delivered with it.
                    COALESCE((SELECT s.delivered_at FROM shipment_lines x
                              JOIN shipments s ON s.id = x.shipment_id
                              WHERE x.order_line_id = l.id), o.delivered_at) AS delivered_at
             FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.id = ?",
        )
        .bind(line_id)
        .fetch_optional(&mut *conn)
        .await?;
        let line = owned_line(line, |l| l.customer_id, input.customer_id)?;
        let sold: Vec<String> =
            sqlx::query_scalar("SELECT serial FROM order_line_serials WHERE order_line_id = ?")
                .bind(line_id)
                .fetch_all(&mut *conn)
                .await?;
        check_serial(input.serial_number.as_deref(), &sold)?;
        Ok(Some(line))
    }
}
