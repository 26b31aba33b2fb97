//! Decisions under the unified return policy: the case built from the
//! database's facts, the policy's ruling, a choice checked against it (a
//! manager's PIN beyond a clerk's authority), the decision written.
//!
//! The rules are enforced here, not in the UI: a choice the policy does not
//! allow is refused, and one beyond a clerk's authority is written only with a
//! manager's valid PIN.

use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use comptoir_core::auth::{ManagerApproval, UserView};
use comptoir_core::calendar::BusinessCalendar;
use comptoir_core::dossier::ItemCondition;
use comptoir_core::ids::*;
use comptoir_core::model::{Channel, SoldAs};
use comptoir_core::policy::{
    build_case, check_choice, evaluate, item_state, CheckedChoice, CustomerHistory, Decision,
    DecisionChoice, DecisionRecord, PolicyPreview, PolicyQuery, PriorRemedies, PurchaseFacts,
    ReasonKind, Ruling, Severity,
};
use comptoir_core::{Cents, CoreError};
use sqlx::SqliteConnection;

/// What is needed to rule on a dossier, read from the database.
pub(crate) struct CaseSource {
    pub customer_id: CustomerId,
    pub order_line_id: Option<OrderLineId>,
    pub reason_code: String,
    pub condition: ItemCondition,
    pub sealed: bool,
    pub severity: Severity,
    /// The dossier itself, not counted in the customer's history.
    pub dossier: Option<DossierId>,
    /// When the customer asked (the dossier's opening); `None`: now, at
    /// intake. The law and the policy are applied as of that day, however
    /// late the decision is taken.
    pub requested_at: Option<DateTime<Utc>>,
    /// When the customer noticed the defect, if said at intake.
    pub defect_noticed_on: Option<NaiveDate>,
}

impl From<&PolicyQuery> for CaseSource {
    fn from(q: &PolicyQuery) -> Self {
        CaseSource {
            customer_id: q.customer_id,
            order_line_id: q.order_line_id,
            reason_code: q.reason_code.clone(),
            condition: q.condition,
            sealed: q.sealed,
            severity: q.severity,
            defect_noticed_on: q.defect_noticed_on,
            dossier: None,
            requested_at: None,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PurchaseRow {
    customer_id: CustomerId,
    channel: Channel,
    ordered_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
    shipping_cents: i64,
    lines_in_order: i64,
    unit_price_cents: i64,
    category: String,
    sold_as: SoldAs,
    /// The customer's dossiers over the last 30 days (this one excepted).
    recent_dossiers: i64,
    /// What the customer spent over the value window.
    spend_cents: i64,
    /// `[[months, starts, guarantor], …]`: the line's extended warranty and
    /// the product's commercial warranty.
    warranties: String,
    /// `[[decision, opened_at, closed_at, repair chosen first], …]`: the
    /// earlier finished dossiers on the line.
    earlier: String,
    /// The reason's policy kind, and whether the reason exists at all.
    reason_kind: Option<String>,
    reason_known: bool,
}

/// What intake recorded on a dossier, for the policy.
#[derive(sqlx::FromRow)]
pub(crate) struct IntakeRow {
    customer_id: CustomerId,
    order_line_id: Option<OrderLineId>,
    reason_code: String,
    condition: Option<String>,
    sealed: bool,
    severity: String,
    opened_at: DateTime<Utc>,
}

/// Why the counter shows no automatic decision (a French sentence), or the
/// error itself when it is not one of those expected situations.
pub(crate) fn unavailable(e: StoreError) -> Result<String> {
    match &e {
        StoreError::Core(CoreError::CategoryNotInPolicy(_) | CoreError::ReasonWithoutPolicy(_)) => {
            Ok(e.message_fr())
        }
        StoreError::NoPurchaseRecord => Ok(e.message_fr()),
        _ => Err(e),
    }
}

impl Store {
    /// The policy's ruling on a case described by its database facts, with
    /// the label of the policy category the product falls in.
    pub(crate) async fn rule_on(
        conn: &mut SqliteConnection,
        src: &CaseSource,
        now: DateTime<Utc>,
    ) -> Result<(Decision, String)> {
        let asked_at = src.requested_at.unwrap_or(now).min(now);
        let dossier = src.dossier.unwrap_or(DossierId(uuid::Uuid::nil()));
        let (recent_from, spend_from) = comptoir_core::policy::history_windows(asked_at);
        // The reason, the line, the customer's history (dossiers in the last
        // 30 days, spend over the value window), the commercial warranties
        // and the earlier remedies on the line: one query, one row.
        let row: Option<(Option<String>, PurchaseRow)> = match src.order_line_id {
            None => None,
            Some(line) => sqlx::query_as::<_, PurchaseRow>(
                "SELECT o.customer_id, o.channel, o.ordered_at, o.delivered_at, o.shipping_cents,
                        (SELECT count(*) FROM order_lines x WHERE x.order_id = o.id) AS lines_in_order,
                        l.unit_price_cents, p.category, p.sold_as,
                        (SELECT count(*) FROM dossiers d
                         WHERE d.customer_id = ?2 AND d.opened_at >= ?3 AND d.opened_at <= ?4
                           AND d.id <> ?5) AS recent_dossiers,
                        (SELECT COALESCE(sum(s.total_cents), 0) FROM orders s
                         WHERE s.customer_id = ?2 AND s.ordered_at >= ?6 AND s.ordered_at <= ?4)
                          AS spend_cents,
                        (SELECT json_group_array(json_array(w.months, w.starts, w.guarantor)) FROM (
                            SELECT months, starts, guarantor FROM order_line_warranties
                            WHERE order_line_id = ?1
                            UNION ALL
                            SELECT months, starts, guarantor FROM product_warranties
                            WHERE product_id = l.product_id) w) AS warranties,
                        (SELECT json_group_array(json_array(d.decision, d.opened_at, d.closed_at,
                                EXISTS(SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id
                                       AND e.kind = 'decision'
                                       AND json_extract(e.data, '$.resolution') = 'repair')))
                         FROM dossiers d
                         WHERE d.order_line_id = ?1 AND d.id <> ?5 AND d.decision IS NOT NULL
                           AND d.closed_at IS NOT NULL AND d.status <> 'cancelled') AS earlier,
                        (SELECT policy_reason FROM reasons WHERE code = ?7) AS reason_kind,
                        EXISTS(SELECT 1 FROM reasons WHERE code = ?7) AS reason_known
                 FROM order_lines l JOIN orders o ON o.id = l.order_id
                 JOIN products p ON p.id = l.product_id WHERE l.id = ?1",
            )
            .bind(line)
            .bind(src.customer_id)
            .bind(recent_from)
            .bind(asked_at)
            .bind(dossier)
            .bind(spend_from)
            .bind(&src.reason_code)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| (r.reason_kind.clone(), r)),
        };
        // Without the line, the reason is still checked first (an unknown
        // reason is the clerk's first problem).
        let reason = match &row {
            Some((kind, r)) if r.reason_known => Some(kind.clone()),
            Some(_) => None,
            None => {
                sqlx::query_scalar("SELECT policy_reason FROM reasons WHERE code = ?")
                    .bind(&src.reason_code)
                    .fetch_optional(&mut *conn)
                    .await?
            }
        };
        let reason = reason
            .ok_or_else(|| StoreError::UnknownReason {
                code: src.reason_code.clone(),
            })?
            .as_deref()
            .and_then(ReasonKind::from_code)
            .ok_or_else(|| CoreError::ReasonWithoutPolicy(src.reason_code.clone()))?;
        let line_id = src.order_line_id.ok_or(StoreError::NoPurchaseRecord)?;
        let row =
            crate::dossiers::owned_line(row.map(|(_, r)| r), |r| r.customer_id, src.customer_id)?;
        let calendar = Self::local_calendar(conn).await?;
        let today = calendar.local_date(now);
        let asked_on = calendar.local_date(asked_at);
        // The policy in force when the customer asked.
        let policy = Self::policy_on(conn, asked_on).await?;
        let mut purchase = PurchaseFacts {
            channel: row.channel,
            purchased_on: calendar.local_date(row.ordered_at),
            delivered_on: row.delivered_at.map(|d| calendar.local_date(d)),
            order_last_delivered_on: None,
            commercial_warranty: None,
            catalog_category: row.category,
            sold_as: row.sold_as,
            price: Cents(row.unit_price_cents),
            // Standard delivery is refunded with the whole order: counted
            // when the line is the order's only one.
            delivery_paid: Cents(if row.lines_in_order == 1 {
                row.shipping_cents
            } else {
                0
            }),
        };
        // Shipments and commercial warranties (issue 13).
        let warranties: Vec<(i64, String, String)> =
            crate::projection::decode("garanties commerciales", &row.warranties)?;
        crate::shipments::complete_purchase(
            conn,
            line_id,
            &calendar,
            asked_on,
            &warranties,
            &mut purchase,
        )
        .await?;
        let (recent, spend) = (row.recent_dossiers, row.spend_cents);
        let earlier: Vec<(String, DateTime<Utc>, DateTime<Utc>, i64)> =
            crate::projection::decode("dossiers antérieurs", &row.earlier)?;
        let prior = earlier_remedies(
            earlier
                .into_iter()
                .map(|(d, o, c, repair)| (d, o, c, repair != 0)),
            &calendar,
        )?;
        let case = build_case(
            &policy,
            &purchase,
            reason,
            item_state(src.condition, src.sealed),
            src.severity,
            CustomerHistory {
                dossiers_last_30_days: u32::try_from(recent).unwrap_or(u32::MAX),
                value_tier: policy.value_tier(Cents(spend)),
            },
            prior,
            asked_on,
            src.defect_noticed_on,
        )?;
        let label = policy
            .category(&case.category)
            .map(|c| c.label.clone())
            .unwrap_or_default();
        Ok((evaluate(&policy, &case, today)?, label))
    }

    /// What earlier, finished dossiers on the same line did under the law
    /// (read here, judged by `comptoir_core::policy::prior_remedies`).
    pub(crate) async fn prior_remedies(
        conn: &mut SqliteConnection,
        line: OrderLineId,
        exclude: DossierId,
        calendar: &BusinessCalendar,
    ) -> Result<PriorRemedies> {
        let rows: Vec<(String, DateTime<Utc>, DateTime<Utc>, bool)> = sqlx::query_as(
            "SELECT decision, opened_at, closed_at,
                    EXISTS(SELECT 1 FROM dossier_events e WHERE e.dossier_id = dossiers.id
                           AND e.kind = 'decision' AND json_extract(e.data, '$.resolution') = 'repair')
             FROM dossiers
             WHERE order_line_id = ? AND id <> ? AND decision IS NOT NULL
               AND closed_at IS NOT NULL AND status <> 'cancelled'",
        )
        .bind(line)
        .bind(exclude)
        .fetch_all(&mut *conn)
        .await?;
        earlier_remedies(rows, calendar)
    }

    /// The options the policy gives at intake, before the dossier exists.
    pub async fn policy_preview(
        &self,
        query: &PolicyQuery,
        now: DateTime<Utc>,
    ) -> Result<PolicyPreview> {
        let mut conn = self.pool.acquire().await?;
        Self::preview(&mut conn, &CaseSource::from(query), now).await
    }

    pub(crate) async fn preview(
        conn: &mut SqliteConnection,
        src: &CaseSource,
        now: DateTime<Utc>,
    ) -> Result<PolicyPreview> {
        match Self::rule_on(conn, src, now).await {
            Ok((decision, category_label)) => Ok(PolicyPreview {
                decision: Some(decision),
                category_label: Some(category_label),
                unavailable: None,
                manager_options: Vec::new(),
            }),
            Err(e) => {
                let why = unavailable(e)?;
                let ruling = Self::manager_ruling(conn, &why, now).await?;
                Ok(PolicyPreview {
                    decision: None,
                    category_label: None,
                    unavailable: Some(why),
                    manager_options: ruling.options,
                })
            }
        }
    }

    /// What a choice is checked against: the policy's decision, or, when
    /// the policy cannot rule on the case, options only a manager may take.
    pub(crate) async fn ruling(
        conn: &mut SqliteConnection,
        src: &CaseSource,
        now: DateTime<Utc>,
    ) -> Result<Ruling> {
        match Self::rule_on(conn, src, now).await {
            Ok((decision, _)) => Ok(Ruling::from(&decision)),
            Err(e) => {
                let why = unavailable(e)?;
                Self::manager_ruling(conn, &why, now).await
            }
        }
    }

    pub(crate) async fn manager_ruling(
        conn: &mut SqliteConnection,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<Ruling> {
        let today = Self::local_calendar(conn).await?.local_date(now);
        let policy = Self::policy_on(conn, today).await?;
        Ok(Ruling::manager_only(&policy, why))
    }

    /// The options the policy gives on an existing dossier, from what its
    /// intake recorded.
    pub async fn dossier_policy(&self, id: DossierId, now: DateTime<Utc>) -> Result<PolicyPreview> {
        let mut conn = self.pool.acquire().await?;
        let src = Self::case_source(&mut conn, id).await?;
        Self::preview(&mut conn, &src, now).await
    }

    pub(crate) async fn case_source(
        conn: &mut SqliteConnection,
        id: DossierId,
    ) -> Result<CaseSource> {
        let row: IntakeRow = sqlx::query_as(
            "SELECT customer_id, order_line_id, reason_code, condition, sealed, severity, opened_at
             FROM dossiers WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound { what: "dossier" })?;
        let IntakeRow {
            customer_id,
            order_line_id,
            reason_code,
            condition,
            sealed,
            severity,
            opened_at,
        } = row;
        Ok(CaseSource {
            customer_id,
            order_line_id,
            reason_code,
            condition: match condition.as_deref() {
                Some(c) => c.parse().map_err(|_| StoreError::StoredDataInvalid {
                    what: "état du produit",
                    detail: c.to_owned(),
                })?,
                None => ItemCondition::Good,
            },
            sealed,
            severity: Severity::from_code(&severity).ok_or_else(|| {
                StoreError::StoredDataInvalid {
                    what: "gravité",
                    detail: severity.clone(),
                }
            })?,
            dossier: Some(id),
            requested_at: Some(opened_at),
            defect_noticed_on: crate::shipments::defect_noticed_on(conn, id).await?,
        })
    }

    /// Checks a choice against the ruling and, when it goes beyond a
    /// clerk's authority, the manager's PIN (counted even if the rest then
    /// fails). Runs before the write transaction.
    pub(crate) async fn authorise(
        &self,
        ruling: &Ruling,
        choice: &DecisionChoice,
        approval: Option<&ManagerApproval>,
        now: DateTime<Utc>,
    ) -> Result<(CheckedChoice, Option<UserView>)> {
        let checked = check_choice(ruling, choice)?;
        if !checked.needs_manager() {
            return Ok((checked, None));
        }
        let Some(approval) = approval else {
            return Err(CoreError::ManagerApprovalRequired {
                why: checked.approval_reasons.join(" "),
            }
            .into());
        };
        let manager = self.verify_manager(approval, now).await?;
        Ok((checked, Some(manager)))
    }

    /// Records a decision on an open dossier: the projection and the
    /// timeline ("decision", then "approval" when a manager approved) in
    /// one transaction.
    pub async fn decide(
        &self,
        id: DossierId,
        choice: &DecisionChoice,
        approval: Option<&ManagerApproval>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<DecisionRecord> {
        if actor.trim().is_empty() {
            return Err(CoreError::MissingField { field: "actor" }.into());
        }
        // Everything that can refuse the decision is checked before a
        // manager's PIN is asked for (and counted).
        let decision = {
            let mut conn = self.pool.acquire().await?;
            Self::check_decidable(&mut conn, id).await?;
            let src = Self::case_source(&mut conn, id).await?;
            Self::ruling(&mut conn, &src, now).await?
        };
        let (checked, manager) = self.authorise(&decision, choice, approval, now).await?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let state = Self::check_decidable(&mut tx, id).await?;
        let mut batch = crate::apply::Batch::begin(&mut tx).await?;
        let record = write_decision(
            &mut batch,
            &state,
            id,
            &decision,
            &checked,
            choice.note.as_deref(),
            actor,
            manager.as_ref(),
            now,
        )?;
        batch.commit(&mut tx).await?;
        if let Some(m) = &manager {
            let number = state
                .intake
                .as_ref()
                .map(|o| o.number.clone())
                .unwrap_or_default();
            crate::audit::approval(&mut tx, now, m, id, &number, &record, actor.trim()).await?;
        }
        tx.commit().await?;
        Ok(record)
    }
    /// A decision can be taken or changed until the dossier is closed or
    /// cancelled (after hand-back too: closure records the decided gesture).
    pub(crate) async fn check_decidable(
        conn: &mut SqliteConnection,
        id: DossierId,
    ) -> Result<comptoir_core::events::DossierState> {
        let state = crate::dossiers::load_state(conn, id).await?;
        if comptoir_core::workflow::is_terminal(state.status) {
            return Err(StoreError::DossierClosed {
                status: state.status,
            });
        }
        Ok(state)
    }
}

/// The decision (and the approval) as events of the batch.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_decision(
    batch: &mut crate::apply::Batch,
    state: &comptoir_core::events::DossierState,
    id: DossierId,
    ruling: &Ruling,
    checked: &CheckedChoice,
    note: Option<&str>,
    actor: &str,
    manager: Option<&UserView>,
    now: DateTime<Utc>,
) -> Result<DecisionRecord> {
    use comptoir_core::events::DossierEvent;
    let record = DecisionRecord::new(
        ruling,
        checked,
        note,
        actor,
        now,
        manager.map(|m| m.display_name.clone()),
    );
    batch.event(
        state,
        id,
        now,
        actor,
        Some(&record.timeline_fr()),
        DossierEvent::Decision {
            decision: Box::new(record.clone()),
        },
    );
    if let Some(m) = manager {
        batch.event(
            state,
            id,
            now,
            &m.display_name,
            Some(&format!(
                "Validé par {} ({}) : {}",
                m.display_name,
                m.role_label.to_lowercase(),
                checked.approval_reasons.join(" ")
            )),
            DossierEvent::Approval {
                manager_id: Some(m.id),
                manager_login: Some(m.login.clone()),
            },
        );
    }
    Ok(record)
}

/// Earlier finished dossiers on a line (decision JSON, opened, closed,
/// whether a repair was chosen first), judged by
/// `comptoir_core::policy::prior_remedies`.
fn earlier_remedies(
    rows: impl IntoIterator<Item = (String, DateTime<Utc>, DateTime<Utc>, bool)>,
    calendar: &BusinessCalendar,
) -> Result<PriorRemedies> {
    let mut earlier = Vec::new();
    for (json, opened_at, closed_at, repair_chosen_first) in rows {
        // An undecodable decision is an error: skipping it would drop the
        // +6 months of a legal repair.
        let d: DecisionRecord = crate::projection::decode("décision", &json)?;
        earlier.push(comptoir_core::policy::EarlierRemedy {
            resolution: d.resolution,
            basis: d.basis,
            opened_at,
            closed_at,
            closed_on: calendar.local_date(closed_at),
            repair_chosen_first,
        });
    }
    Ok(comptoir_core::policy::prior_remedies(&earlier))
}
