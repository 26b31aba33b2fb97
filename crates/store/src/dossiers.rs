//! The dossier from intake to closure and follow-up. Every action is one
//! transaction: the event is appended to the timeline and the projection
//! (status, deadline, resolution…) updated together, or nothing is.

use chrono::{DateTime, Datelike, Utc};
use comptoir_core::calendar::{
    committed_deadline, deadline_status, BusinessCalendar, CalendarConfig, DeadlinePromise,
    LegalCap, WaitInterval,
};
use comptoir_core::dossier::*;
use comptoir_core::events::{fold, DossierEvent, DossierState, Opened};
use comptoir_core::ids::*;
use comptoir_core::model::{DossierOrigin, DossierStatus};
use comptoir_core::records::display_name;
use comptoir_core::workflow::{transition, DossierAction};
use comptoir_core::CoreError;
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::apply::Batch;
use crate::tx::begin_write;
use crate::{Result, Store, StoreError};

/// The dossier as the fold of its events; `NotFound` when it has none.
pub(crate) async fn load_state(conn: &mut SqliteConnection, id: DossierId) -> Result<DossierState> {
    let events = crate::projection::events_of(conn, id).await?;
    let state = fold(&events);
    if state.intake.is_none() {
        return Err(StoreError::NotFound { what: "dossier" });
    }
    Ok(state)
}

/// A reason of the taxonomy, for the intake form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, sqlx::FromRow)]
#[ts(export)]
pub struct ReasonView {
    pub code: String,
    pub label: String,
    /// "48 heures ouvrées".
    #[sqlx(skip)]
    pub promise_label: String,
    #[serde(skip)]
    #[ts(skip)]
    pub promise_unit: String,
    #[serde(skip)]
    #[ts(skip)]
    pub promise_count: i64,
    pub conformity: bool,
}

impl ReasonView {
    fn promise(&self) -> DeadlinePromise {
        let n = u32::try_from(self.promise_count).unwrap_or(48);
        if self.promise_unit == "working_days" {
            DeadlinePromise::WorkingDays(n)
        } else {
            DeadlinePromise::WorkingHours(n)
        }
    }
}

#[derive(sqlx::FromRow)]
struct LineFacts {
    customer_id: CustomerId,
    product_id: ProductId,
    ordered_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

/// The order line read, if it exists and is this customer's.
pub(crate) fn owned_line<T>(
    row: Option<T>,
    owner: impl Fn(&T) -> CustomerId,
    customer: CustomerId,
) -> Result<T> {
    let row = row.ok_or(StoreError::NotFound {
        what: "ligne de commande",
    })?;
    if owner(&row) != customer {
        return Err(StoreError::LineNotCustomers);
    }
    Ok(row)
}

fn require_actor(actor: &str) -> Result<()> {
    if actor.trim().is_empty() {
        return Err(CoreError::MissingField { field: "actor" }.into());
    }
    Ok(comptoir_core::bounds::check_short_text("actor", actor)?)
}

impl Store {
    /// The business calendar of a store (its own, or the default one).
    pub(crate) async fn calendar_of(
        conn: &mut SqliteConnection,
        store: Option<StoreId>,
    ) -> Result<BusinessCalendar> {
        let config: Option<String> = match store {
            Some(id) => {
                sqlx::query_scalar("SELECT config FROM store_calendars WHERE store_id = ?")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        let config: CalendarConfig = match config {
            Some(json) => crate::projection::decode("calendrier du magasin", &json)?,
            None => CalendarConfig::default(),
        };
        Ok(BusinessCalendar::new(config)?)
    }

    /// Sets a store's business calendar (validated before it is stored).
    pub async fn set_store_calendar(
        &self,
        store_code: &str,
        config: &CalendarConfig,
    ) -> Result<()> {
        BusinessCalendar::new(config.clone())?;
        let json = crate::projection::encode("calendrier du magasin", config)?;
        let done = sqlx::query(
            "INSERT INTO store_calendars (store_id, config) SELECT id, ? FROM stores WHERE code = ?
             ON CONFLICT (store_id) DO UPDATE SET config = excluded.config",
        )
        .bind(json)
        .bind(store_code)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "magasin" });
        }
        Ok(())
    }

    /// The calendar of a store by its code (for `comptoir-ctl calendar`).
    pub async fn store_calendar(&self, store_code: &str) -> Result<BusinessCalendar> {
        let mut conn = self.pool.acquire().await?;
        let id: Option<StoreId> = sqlx::query_scalar("SELECT id FROM stores WHERE code = ?")
            .bind(store_code)
            .fetch_optional(&mut *conn)
            .await?;
        let id = id.ok_or(StoreError::NotFound { what: "magasin" })?;
        Self::calendar_of(&mut conn, Some(id)).await
    }

    /// The active reasons, in display order.
    pub async fn reasons(&self) -> Result<Vec<ReasonView>> {
        let mut rows: Vec<ReasonView> = sqlx::query_as(
            "SELECT code, label, promise_unit, promise_count, conformity FROM reasons
             WHERE active = 1 ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &mut rows {
            r.promise_label = r.promise().label_fr();
        }
        Ok(rows)
    }

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
                let src = crate::policy::CaseSource {
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
        let mut tx = begin_write(&mut conn).await?;

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
            number,
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
        if let Some((decision, checked, manager, note)) = &decided {
            crate::policy::write_decision(
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
        }
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The intake's purchased line, checked: this customer's, and the serial
    /// read on the product one of those sold on it.
    async fn line_for_intake(
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
        let mut tx = begin_write(&mut conn).await?;
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
    async fn recomputed_deadline(
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
        let mut tx = begin_write(&mut conn).await?;
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
        let mut tx = begin_write(&mut conn).await?;
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
        let mut tx = begin_write(&mut conn).await?;
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
        let mut tx = begin_write(&mut conn).await?;
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

    /// The customer a dossier belongs to.
    pub async fn dossier_customer(&self, id: DossierId) -> Result<CustomerId> {
        sqlx::query_scalar("SELECT customer_id FROM dossiers WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound { what: "dossier" })
    }

    /// A dossier by its number (as printed or scanned).
    pub async fn dossier_by_number(&self, number: &str) -> Result<DossierId> {
        sqlx::query_scalar("SELECT id FROM dossiers WHERE number_norm = ?")
            .bind(comptoir_core::normalize::normalize_code(number))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound { what: "dossier" })
    }

    /// The counter's lists: mine, the store's open ones, late, to follow up.
    pub async fn list_dossiers(
        &self,
        list: DossierList,
        actor: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DossierSummary>> {
        let mut conn = self.pool.acquire().await?;
        let store_id: Option<StoreId> = sqlx::query_scalar(
            "SELECT s.id FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&mut *conn)
        .await?;
        let calendar = Self::calendar_of(&mut conn, store_id).await?;
        let open = "d.status NOT IN ('handed_back', 'closed', 'cancelled')";
        let filter = match list {
            DossierList::Mine => {
                format!("{open} AND (d.assignee = ?2 OR (d.assignee IS NULL AND d.opened_by = ?2))")
            }
            DossierList::StoreOpen | DossierList::Late => format!("{open} AND d.store_id = ?1"),
            DossierList::ToFollowUp => {
                "d.store_id = ?1 AND d.follow_up_due <= ?3 AND d.followed_up_at IS NULL".to_owned()
            }
        };
        let sql = format!(
            "SELECT d.id, d.number, d.customer_id, c.title, c.first_name, c.last_name,
                    COALESCE(p.name, d.product_label) AS product_name, d.status, d.assignee,
                    d.opened_at, d.promised_at, d.follow_up_due
             FROM dossiers d JOIN customers c ON c.id = d.customer_id
             LEFT JOIN products p ON p.id = d.product_id
             WHERE {filter} ORDER BY d.promised_at IS NULL, d.promised_at, d.opened_at LIMIT 500"
        );
        type Row = (
            DossierId,
            String,
            CustomerId,
            Option<String>,
            String,
            String,
            Option<String>,
            DossierStatus,
            Option<String>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(store_id)
            .bind(actor.unwrap_or(""))
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
        let mut out: Vec<DossierSummary> = rows
            .into_iter()
            .map(
                |(
                    id,
                    number,
                    customer_id,
                    title,
                    first,
                    last,
                    product_name,
                    status,
                    assignee,
                    opened_at,
                    promised_at,
                    follow_up_due,
                )| {
                    let ds = promised_at
                        .filter(|_| status.is_open())
                        .map(|p| deadline_status(now, opened_at, p, &calendar));
                    DossierSummary {
                        id,
                        number,
                        customer_id,
                        customer_name: display_name(title.as_deref(), &first, &last),
                        product_name,
                        status,
                        status_label: status.label_fr().to_owned(),
                        is_open: status.is_open(),
                        assignee,
                        opened_at,
                        promised_at,
                        deadline_status: ds,
                        deadline_label: ds.map(|s| s.label_fr().to_owned()),
                        follow_up_due,
                    }
                },
            )
            .collect();
        if list == DossierList::Late {
            out.retain(|d| {
                d.deadline_status == Some(comptoir_core::calendar::DeadlineStatus::Late)
            });
        }
        Ok(out)
    }
}

/// A closing-message template, for the closure form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, sqlx::FromRow)]
#[ts(export)]
pub struct TemplateView {
    pub code: String,
    pub title: String,
    pub body: String,
}

impl Store {
    /// The closing-message templates.
    pub async fn message_templates(&self) -> Result<Vec<TemplateView>> {
        Ok(
            sqlx::query_as("SELECT code, title, body FROM message_templates ORDER BY code")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// This counter's store with its address (for printed documents).
    pub async fn local_store_record(&self) -> Result<Option<comptoir_core::records::StoreRecord>> {
        type StoreRow = (
            StoreId,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        let row: Option<StoreRow> = sqlx::query_as(
            "SELECT s.id, s.code, s.name, s.address, s.postal_code, s.city, s.phone, s.timezone
                 FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(id, code, name, address, postal_code, city, phone, timezone)| {
                comptoir_core::records::StoreRecord {
                    id,
                    code,
                    name,
                    address,
                    postal_code,
                    city,
                    phone,
                    timezone,
                }
            },
        ))
    }

    /// A counter setting (`printer`, `clerk`, `tracking_url`…).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets (or, with an empty value, removes) a counter setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        comptoir_core::bounds::check_short_text("setting", key)?;
        comptoir_core::bounds::check_short_text("setting", value)?;
        if matches!(
            key,
            "store_code" | "device_id" | "hlc_last" | "counter_code"
        ) {
            return Err(StoreError::SettingReserved {
                key: key.to_owned(),
            });
        }
        let mut conn = self.pool.acquire().await?;
        if value.trim().is_empty() {
            sqlx::query("DELETE FROM settings WHERE key = ?")
                .bind(key)
                .execute(&mut *conn)
                .await?;
        } else {
            crate::write::set_setting(&mut conn, key, value.trim()).await?;
        }
        Ok(())
    }
}
