//! The dossier from intake to closure and follow-up. Every action is one
//! transaction: the event is appended to the timeline and the projection
//! (status, deadline, resolution…) updated together, or nothing is.

use chrono::{DateTime, Datelike, Months, Utc};
use comptoir_core::calendar::{
    committed_deadline, deadline_status, law, BusinessCalendar, CalendarConfig, DeadlinePromise,
    LegalCap, WaitInterval,
};
use comptoir_core::dossier::*;
use comptoir_core::ids::*;
use comptoir_core::model::{DossierOrigin, DossierStatus};
use comptoir_core::records::display_name;
use comptoir_core::workflow::{transition, DossierAction};
use comptoir_core::CoreError;
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::{Result, Store, StoreError};

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

#[derive(sqlx::FromRow)]
struct DossierFacts {
    status: DossierStatus,
    store_id: Option<StoreId>,
    opened_at: DateTime<Utc>,
    promise: Option<String>,
    legal_cap_at: Option<DateTime<Utc>>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_event(
    conn: &mut SqliteConnection,
    dossier: DossierId,
    at: DateTime<Utc>,
    actor: &str,
    kind: &str,
    status_after: Option<DossierStatus>,
    note: Option<&str>,
    data: Option<serde_json::Value>,
) -> Result<()> {
    if let Some(n) = note {
        if n.chars().count() > MAX_TEXT_CHARS {
            return Err(CoreError::TextTooLong {
                field: "note",
                len: n.chars().count(),
                max: MAX_TEXT_CHARS,
            }
            .into());
        }
    }
    sqlx::query(
        "INSERT INTO dossier_events (id, dossier_id, at, actor, kind, status_after, note, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(DossierEventId::new())
    .bind(dossier)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(status_after)
    .bind(note.map(str::trim).filter(|n| !n.is_empty()))
    .bind(data.map(|d| d.to_string()))
    .execute(conn)
    .await?;
    Ok(())
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
        return Err(StoreError::Invalid(
            "cette ligne de commande appartient à un autre client".into(),
        ));
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
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                StoreError::Invalid(format!("calendrier du magasin illisible : {e}"))
            })?,
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
        let json = serde_json::to_string(config).map_err(|e| StoreError::Invalid(e.to_string()))?;
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
    /// first event, in one transaction.
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
        let mut tx = crate::tx::begin_write(&mut conn).await?;

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
        .ok_or_else(|| StoreError::Invalid(format!("motif inconnu « {} »", input.reason_code)))?;

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
        .ok_or_else(|| StoreError::Invalid("ce poste n'est rattaché à aucun magasin (réglage store_code)".into()))?;
        let calendar = Self::calendar_of(&mut tx, Some(store_id)).await?;
        let year = calendar.local_date(now).year();
        let sequence = next_sequence(&mut tx, &store_code, year).await?;
        let number = dossier_number(&store_code, year, sequence);

        // The committed deadline; under the legal conformity guarantee it is
        // never later than the law allows.
        let under_glc = reason.conformity
            && delivered.is_some_and(|d: DateTime<Utc>| {
                d.checked_add_months(Months::new(law::GLC_DURATION_MONTHS))
                    .is_some_and(|end| now <= end)
            });
        let promise = reason.promise();
        let deadline = committed_deadline(
            now,
            promise,
            &[],
            under_glc.then_some(LegalCap::ConformityGuarantee),
            &calendar,
        )?;

        let id = DossierId::new();
        let accessories = serde_json::to_string(&input.accessories).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO dossiers (id, number, number_norm, store_id, origin, customer_id, order_line_id,
                 product_id, product_label, reason_code, customer_words, opened_at, promised_at, status,
                 condition, condition_note, accessories, serial_number, assignee, opened_by, promise, legal_cap_at,
                 sealed, severity)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(&number)
        .bind(comptoir_core::normalize::normalize_code(&number))
        .bind(store_id)
        .bind(DossierOrigin::Store)
        .bind(input.customer_id)
        .bind(input.order_line_id)
        .bind(product_id)
        .bind(input.declared_product.as_deref().map(str::trim))
        .bind(&reason.code)
        .bind(input.customer_words.trim())
        .bind(now)
        .bind(deadline.promised_at)
        .bind(DossierStatus::Opened)
        .bind(input.condition.code())
        .bind(input.condition_note.as_deref())
        .bind(accessories)
        .bind(input.serial_number.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .bind(input.assignee.as_deref())
        .bind(input.actor.trim())
        .bind(serde_json::to_string(&promise).unwrap_or_default())
        .bind(deadline.legal_cap_at)
        .bind(input.sealed)
        .bind(input.severity.code())
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            id,
            now,
            input.actor.trim(),
            "opened",
            Some(DossierStatus::Opened),
            None,
            Some(serde_json::json!({
                "promise": promise,
                "deadline": deadline,
                "condition": input.condition,
                "accessories": input.accessories,
                "sealed": input.sealed,
                "severity": input.severity,
                "defect_noticed_on": input.defect_noticed_on,
            })),
        )
        .await?;
        if let Some((decision, checked, manager, note)) = &decided {
            crate::policy::write_decision(
                &mut tx,
                id,
                decision,
                checked,
                note.as_deref(),
                input.actor.trim(),
                manager.as_ref(),
                now,
            )
            .await?;
        }
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
            "SELECT o.customer_id, l.product_id, o.ordered_at, o.delivered_at
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

    async fn facts(conn: &mut SqliteConnection, id: DossierId) -> Result<DossierFacts> {
        sqlx::query_as(
            "SELECT status, store_id, opened_at, promise, legal_cap_at FROM dossiers WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound { what: "dossier" })
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
        let mut tx = crate::tx::begin_write(&mut conn).await?;
        let facts = Self::facts(&mut tx, id).await?;
        let next = transition(facts.status, action)?;
        insert_event(
            &mut tx,
            id,
            now,
            actor.trim(),
            action.code(),
            Some(next),
            note,
            None,
        )
        .await?;
        let closed_at = (!next.is_open()).then_some(now);
        sqlx::query("UPDATE dossiers SET status = ?, closed_at = ? WHERE id = ?")
            .bind(next)
            .bind(closed_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if facts.status == DossierStatus::WaitingCustomer && next != DossierStatus::WaitingCustomer
        {
            // Time spent waiting for the customer pauses the promise.
            Self::recompute_deadline(&mut tx, id, &facts, now).await?;
        }
        tx.commit().await?;
        Ok(next)
    }

    async fn recompute_deadline(
        conn: &mut SqliteConnection,
        id: DossierId,
        facts: &DossierFacts,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(promise) = facts
            .promise
            .as_deref()
            .and_then(|p| serde_json::from_str::<DeadlinePromise>(p).ok())
        else {
            return Ok(()); // dossiers from elsewhere keep the deadline they came with
        };
        let statuses: Vec<(DateTime<Utc>, Option<DossierStatus>)> = sqlx::query_as(
            "SELECT at, status_after FROM dossier_events WHERE dossier_id = ? AND status_after IS NOT NULL ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut waits = Vec::new();
        let mut waiting_since = None;
        for (at, status) in statuses {
            match (status, waiting_since) {
                (Some(DossierStatus::WaitingCustomer), None) => waiting_since = Some(at),
                (Some(s), Some(start)) if s != DossierStatus::WaitingCustomer => {
                    waits.push(WaitInterval { start, end: at });
                    waiting_since = None;
                }
                _ => {}
            }
        }
        if let Some(start) = waiting_since {
            waits.push(WaitInterval { start, end: now });
        }
        let calendar = Self::calendar_of(conn, facts.store_id).await?;
        let cap = facts.legal_cap_at.map(|_| LegalCap::ConformityGuarantee);
        let deadline = committed_deadline(facts.opened_at, promise, &waits, cap, &calendar)?;
        sqlx::query("UPDATE dossiers SET promised_at = ? WHERE id = ?")
            .bind(deadline.promised_at)
            .bind(id)
            .execute(conn)
            .await?;
        Ok(())
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
        let mut tx = crate::tx::begin_write(&mut conn).await?;
        Self::facts(&mut tx, id).await?;
        insert_event(
            &mut tx,
            id,
            now,
            actor.trim(),
            "note",
            None,
            Some(note),
            None,
        )
        .await?;
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
        let mut tx = crate::tx::begin_write(&mut conn).await?;
        let facts = Self::facts(&mut tx, id).await?;
        if !can_assign(facts.status) {
            return Err(StoreError::Invalid(
                "un dossier clos ou annulé ne s'attribue plus".into(),
            ));
        }
        let note = match assignee {
            Some(a) => format!("Attribué à {a}"),
            None => "Attribution retirée".to_owned(),
        };
        insert_event(
            &mut tx,
            id,
            now,
            actor.trim(),
            "assigned",
            None,
            Some(&note),
            Some(serde_json::json!({ "assignee": assignee })),
        )
        .await?;
        sqlx::query("UPDATE dossiers SET assignee = ? WHERE id = ?")
            .bind(assignee)
            .bind(id)
            .execute(&mut *tx)
            .await?;
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
        let mut tx = crate::tx::begin_write(&mut conn).await?;
        let facts = Self::facts(&mut tx, id).await?;
        let next = transition(facts.status, DossierAction::Close)?;
        // Gestures follow the policy's scale: closure records the one the
        // decision granted (approved by a manager when needed), never more.
        if let Some(g) = &resolution.gesture {
            let decided: Option<i64> =
                sqlx::query_scalar("SELECT gesture_cents FROM dossiers WHERE id = ?")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            let decided = comptoir_core::Cents(decided.unwrap_or(0));
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
        let template = template.ok_or_else(|| {
            StoreError::Invalid(format!(
                "modèle de message inconnu « {} »",
                resolution.template
            ))
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
        let data =
            serde_json::to_value(resolution).map_err(|e| StoreError::Invalid(e.to_string()))?;
        insert_event(
            &mut tx,
            id,
            now,
            actor.trim(),
            "resolution",
            None,
            Some(resolution.summary.trim()),
            Some(data.clone()),
        )
        .await?;
        insert_event(
            &mut tx,
            id,
            now,
            actor.trim(),
            "message_sent",
            None,
            Some(&message),
            None,
        )
        .await?;
        insert_event(
            &mut tx,
            id,
            now,
            actor.trim(),
            DossierAction::Close.code(),
            Some(next),
            None,
            None,
        )
        .await?;
        let follow_up = now + chrono::Duration::days(i64::from(follow_up_days));
        sqlx::query("UPDATE dossiers SET status = ?, closed_at = ?, resolution = ?, follow_up_due = ? WHERE id = ?")
            .bind(next)
            .bind(now)
            .bind(data.to_string())
            .bind(follow_up)
            .bind(id)
            .execute(&mut *tx)
            .await?;
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
        let mut tx = crate::tx::begin_write(&mut conn).await?;
        let facts = Self::facts(&mut tx, id).await?;
        let recorded: Option<i64> =
            sqlx::query_scalar("SELECT csat_score FROM dossiers WHERE id = ?")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if !can_record_satisfaction(facts.status, recorded.and_then(|s| u8::try_from(s).ok())) {
            return Err(StoreError::Invalid(
                "la satisfaction se recueille une seule fois, une fois le dossier clos".into(),
            ));
        }
        insert_event(
            &mut tx,
            id,
            now,
            actor.trim(),
            "satisfaction",
            None,
            Some(&format!(
                "Satisfaction : {score}/5{}",
                comment.map(|c| format!(" — {c}")).unwrap_or_default()
            )),
            Some(serde_json::json!({ "score": score, "comment": comment })),
        )
        .await?;
        sqlx::query(
            "UPDATE dossiers SET csat_score = ?, csat_comment = ?, followed_up_at = ? WHERE id = ?",
        )
        .bind(i64::from(score))
        .bind(comment)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
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

/// The next dossier sequence for a prefix and year. The first time, it
/// starts after the highest number already known (from sync or an import),
/// so a number is never given twice.
async fn next_sequence(conn: &mut SqliteConnection, prefix: &str, year: i32) -> Result<u32> {
    const BUMP: &str =
        "UPDATE dossier_sequences SET last = last + 1 WHERE prefix = ? AND year = ? RETURNING last";
    let mut last: Option<i64> = sqlx::query_scalar(BUMP)
        .bind(prefix)
        .bind(year)
        .fetch_optional(&mut *conn)
        .await?;
    if last.is_none() {
        // First dossier of this prefix and year here: start above every
        // number already known (a range scan on the unique number index;
        // '.' is the character after '-').
        sqlx::query(
            "INSERT INTO dossier_sequences (prefix, year, last)
             SELECT ?1, ?2, COALESCE(MAX(CAST(substr(number, -6) AS INTEGER)), 0) FROM dossiers
             WHERE number >= ?3 AND number < ?4
             ON CONFLICT (prefix, year) DO NOTHING",
        )
        .bind(prefix)
        .bind(year)
        .bind(format!("SAV-{prefix}-{year}-"))
        .bind(format!("SAV-{prefix}-{year}."))
        .execute(&mut *conn)
        .await?;
        last = sqlx::query_scalar(BUMP)
            .bind(prefix)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
    }
    let last =
        last.ok_or_else(|| StoreError::Invalid("séquence de dossiers introuvable".into()))?;
    u32::try_from(last).map_err(|_| StoreError::Invalid("séquence de dossiers épuisée".into()))
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
        if key == "store_code" {
            return Err(StoreError::Invalid(
                "le magasin du poste se change par l'administration".into(),
            ));
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
