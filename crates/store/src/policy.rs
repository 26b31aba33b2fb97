//! The unified return policy at this counter: the published documents, the
//! counter's users and their PINs, and decisions on dossiers.
//!
//! The rules are enforced here, not in the UI: a choice the policy does not
//! allow is refused, and one beyond a clerk's authority is written only
//! with a manager's valid PIN.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use comptoir_core::auth::{self, ManagerApproval, PinCounter, Role, UserView};
use comptoir_core::calendar::BusinessCalendar;
use comptoir_core::dossier::ItemCondition;
use comptoir_core::ids::*;
use comptoir_core::model::{Channel, SoldAs};
use comptoir_core::policy::{
    build_case, check_choice, evaluate, item_state, CheckedChoice, CustomerHistory, Decision,
    DecisionChoice, DecisionRecord, Policy, PolicyPreview, PolicyQuery, PriorRemedies,
    PurchaseFacts, ReasonKind, Ruling, Severity, DEFAULT_POLICY_TOML,
};
use comptoir_core::{Cents, CoreError};

/// Longest login of a counter user.
pub const MAX_LOGIN_CHARS: usize = 64;
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::{Result, Store, StoreError};

/// A policy document installed on this counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PolicyInfo {
    pub id: String,
    pub version: String,
    pub effective_from: NaiveDate,
}

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
struct PurchaseRow {
    customer_id: CustomerId,
    channel: Channel,
    ordered_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
    shipping_cents: i64,
    lines_in_order: i64,
    unit_price_cents: i64,
    category: String,
    sold_as: SoldAs,
}

/// What intake recorded on a dossier, for the policy.
#[derive(sqlx::FromRow)]
struct IntakeRow {
    customer_id: CustomerId,
    order_line_id: Option<OrderLineId>,
    reason_code: String,
    condition: Option<String>,
    sealed: bool,
    severity: String,
    opened_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    login: String,
    display_name: String,
    role: Role,
    pin_hash: String,
    failed_attempts: i64,
    locked_until: Option<DateTime<Utc>>,
}

impl UserRow {
    /// The user as listed at `now` (a lock that has run out is not shown).
    fn view(&self, now: DateTime<Utc>) -> UserView {
        UserView {
            id: self.id,
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            role_label: self.role.label_fr().to_owned(),
            locked_until: self.locked_until.filter(|until| *until > now),
        }
    }
}

/// A stored policy document, parsed and checked once per process: a
/// published text never changes, and reading it (TOML, then the legal-floor
/// check) was most of the cost of each ruling at the counter.
fn parsed_policy(text: &str) -> Result<Arc<Policy>> {
    static PARSED: OnceLock<Mutex<HashMap<String, Arc<Policy>>>> = OnceLock::new();
    let cache = PARSED.get_or_init(Mutex::default);
    if let Some(p) = cache.lock().ok().and_then(|c| c.get(text).cloned()) {
        return Ok(p);
    }
    let policy = Arc::new(Policy::from_toml(text)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(text.to_owned(), Arc::clone(&policy));
    }
    Ok(policy)
}

/// Why the counter shows no automatic decision (a French sentence), or the
/// error itself when it is not one of those expected situations.
fn unavailable(e: StoreError) -> Result<String> {
    match &e {
        StoreError::Core(CoreError::CategoryNotInPolicy(_) | CoreError::ReasonWithoutPolicy(_)) => {
            Ok(e.message_fr())
        }
        StoreError::NoPurchaseRecord => Ok(e.message_fr()),
        _ => Err(e),
    }
}

impl Store {
    // ----- policy documents -------------------------------------------

    /// Installs a policy document (checked against its format and the legal
    /// floor first). Installing the same version again is a no-op; the same
    /// id and version with another text is refused.
    pub async fn install_policy(&self, text: &str, now: DateTime<Utc>) -> Result<PolicyInfo> {
        let policy = Policy::from_toml(text)?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(&mut conn).await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT document FROM policies WHERE id = ? AND version = ?")
                .bind(&policy.id)
                .bind(&policy.version)
                .fetch_optional(&mut *tx)
                .await?;
        match existing {
            Some(doc) if doc == text => {}
            Some(_) => {
                return Err(StoreError::PolicyVersionConflict {
                    id: policy.id.clone(),
                    version: policy.version.clone(),
                })
            }
            None => {
                sqlx::query(
                    "INSERT INTO policies (id, version, effective_from, document, installed_at)
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&policy.id)
                .bind(&policy.version)
                .bind(policy.effective_from)
                .bind(text)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(PolicyInfo {
            id: policy.id,
            version: policy.version,
            effective_from: policy.effective_from,
        })
    }

    /// Installs the policy shipped with the app when the counter has none.
    pub async fn ensure_default_policy(&self, now: DateTime<Utc>) -> Result<()> {
        let any: bool = sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM policies)")
            .fetch_one(&self.pool)
            .await?;
        if !any {
            self.install_policy(DEFAULT_POLICY_TOML, now).await?;
        }
        Ok(())
    }

    /// The policy in force on a date: the latest effective on or before it.
    pub(crate) async fn policy_on(
        conn: &mut SqliteConnection,
        day: NaiveDate,
    ) -> Result<Arc<Policy>> {
        let text: Option<String> = sqlx::query_scalar(
            "SELECT document FROM policies WHERE effective_from <= ?
             ORDER BY effective_from DESC, installed_at DESC LIMIT 1",
        )
        .bind(day)
        .fetch_optional(conn)
        .await?;
        let text = text.ok_or(StoreError::NoPolicy)?;
        parsed_policy(&text)
    }

    /// The policy in force today at this counter.
    pub async fn current_policy(&self, now: DateTime<Utc>) -> Result<PolicyInfo> {
        let mut conn = self.pool.acquire().await?;
        let calendar = Self::local_calendar(&mut conn).await?;
        let p = Self::policy_on(&mut conn, calendar.local_date(now)).await?;
        Ok(PolicyInfo {
            id: p.id.clone(),
            version: p.version.clone(),
            effective_from: p.effective_from,
        })
    }

    async fn local_calendar(conn: &mut SqliteConnection) -> Result<BusinessCalendar> {
        let store: Option<StoreId> = sqlx::query_scalar(
            "SELECT s.id FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&mut *conn)
        .await?;
        Self::calendar_of(conn, store).await
    }

    // ----- users --------------------------------------------------------

    /// Adds a counter user with a PIN (hashed with argon2id). The login is at
    /// most [`MAX_LOGIN_CHARS`] characters, the name a short text.
    pub async fn add_user(
        &self,
        login: &str,
        display_name: &str,
        role: Role,
        pin: &str,
        now: DateTime<Utc>,
    ) -> Result<UserId> {
        let login = login.trim().to_lowercase();
        comptoir_core::bounds::check_len("login", &login, MAX_LOGIN_CHARS)?;
        comptoir_core::bounds::check_short_text("display_name", display_name)?;
        if login.is_empty()
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
        {
            return Err(StoreError::InvalidLogin { login });
        }
        if display_name.trim().is_empty() {
            return Err(CoreError::MissingField {
                field: "display_name",
            }
            .into());
        }
        let hash = auth::hash_pin(pin)?;
        let id = UserId::new();
        let done = sqlx::query(
            "INSERT INTO users (id, login, display_name, role, pin_hash, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (login) DO NOTHING",
        )
        .bind(id)
        .bind(&login)
        .bind(display_name.trim())
        .bind(role)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::LoginTaken { login });
        }
        Ok(id)
    }

    /// Active users, managers first, then by name; `locked_until` only
    /// while the lock lasts at `now`.
    pub async fn users(&self, now: DateTime<Utc>) -> Result<Vec<UserView>> {
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT id, login, display_name, role, pin_hash, failed_attempts, locked_until
             FROM users WHERE active = 1 ORDER BY role DESC, display_name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|u| u.view(now)).collect())
    }

    /// The users who may approve beyond a clerk's authority.
    pub async fn managers(&self, now: DateTime<Utc>) -> Result<Vec<UserView>> {
        let mut users = self.users(now).await?;
        users.retain(|u| u.role == Role::Manager);
        Ok(users)
    }

    /// Lifts a lockout (an administrator's action).
    pub async fn unlock_user(&self, login: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE login = ?",
        )
        .bind(login.trim().to_lowercase())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "utilisateur",
            });
        }
        Ok(())
    }

    /// Checks a manager's PIN. A wrong PIN is counted (and committed) even
    /// though the caller's action is then refused; the fifth in a row locks
    /// the account. Returns the manager.
    pub async fn verify_manager(
        &self,
        approval: &ManagerApproval,
        now: DateTime<Utc>,
    ) -> Result<UserView> {
        let mut conn = self.pool.acquire().await?;
        let tz = Self::local_calendar(&mut conn).await?.timezone();
        let user: UserRow = sqlx::query_as(
            "SELECT id, login, display_name, role, pin_hash, failed_attempts, locked_until
             FROM users WHERE login = ? AND active = 1",
        )
        .bind(approval.login.trim().to_lowercase())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| CoreError::NotAManager {
            login: approval.login.trim().to_owned(),
        })?;
        if user.role != Role::Manager {
            return Err(CoreError::NotAManager {
                login: user.display_name,
            }
            .into());
        }
        PinCounter {
            failures: u32::try_from(user.failed_attempts).unwrap_or(u32::MAX),
            locked_until: user.locked_until,
        }
        .check_not_locked(now, tz)?;
        // Something that is not a PIN is a wrong PIN (and is never hashed);
        // argon2 runs off the async workers.
        let right = auth::check_pin_format(&approval.pin).is_ok() && {
            let (hash, pin) = (user.pin_hash.clone(), approval.pin.clone());
            tokio::task::spawn_blocking(move || auth::verify_pin(&hash, &pin))
                .await
                .unwrap_or(false)
        };
        // The counter is read again and written under a write lock, so two
        // attempts at the same time are both counted.
        let mut tx = crate::tx::begin_write(&mut conn).await?;
        if right {
            sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?")
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            let mut view = user.view(now);
            view.locked_until = None;
            return Ok(view);
        }
        let (failures, locked_until): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as("SELECT failed_attempts, locked_until FROM users WHERE id = ?")
                .bind(user.id)
                .fetch_one(&mut *tx)
                .await?;
        let after = PinCounter {
            failures: u32::try_from(failures).unwrap_or(u32::MAX),
            locked_until,
        }
        .after_failure(now);
        sqlx::query("UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?")
            .bind(i64::from(after.failures))
            .bind(after.locked_until)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::warn!(login = %user.login, failures = after.failures, "wrong manager PIN");
        Err(after.failure_error(tz).into())
    }

    // ----- decisions ----------------------------------------------------

    /// The policy's ruling on a case described by its database facts, with
    /// the label of the policy category the product falls in.
    pub(crate) async fn rule_on(
        conn: &mut SqliteConnection,
        src: &CaseSource,
        now: DateTime<Utc>,
    ) -> Result<(Decision, String)> {
        let reason: Option<Option<String>> =
            sqlx::query_scalar("SELECT policy_reason FROM reasons WHERE code = ?")
                .bind(&src.reason_code)
                .fetch_optional(&mut *conn)
                .await?;
        let reason = reason
            .ok_or_else(|| StoreError::UnknownReason {
                code: src.reason_code.clone(),
            })?
            .as_deref()
            .and_then(ReasonKind::from_code)
            .ok_or_else(|| CoreError::ReasonWithoutPolicy(src.reason_code.clone()))?;
        let line_id = src.order_line_id.ok_or(StoreError::NoPurchaseRecord)?;
        let row: Option<PurchaseRow> = sqlx::query_as(
            "SELECT o.customer_id, o.channel, o.ordered_at, o.delivered_at, o.shipping_cents,
                    (SELECT count(*) FROM order_lines x WHERE x.order_id = o.id) AS lines_in_order,
                    l.unit_price_cents, p.category, p.sold_as
             FROM order_lines l JOIN orders o ON o.id = l.order_id
             JOIN products p ON p.id = l.product_id WHERE l.id = ?",
        )
        .bind(line_id)
        .fetch_optional(&mut *conn)
        .await?;
        let row = crate::dossiers::owned_line(row, |r| r.customer_id, src.customer_id)?;
        let calendar = Self::local_calendar(conn).await?;
        let today = calendar.local_date(now);
        let asked_at = src.requested_at.unwrap_or(now).min(now);
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
        crate::shipments::complete_purchase(conn, line_id, &calendar, asked_on, &mut purchase)
            .await?;
        let dossier = src.dossier.unwrap_or(DossierId(uuid::Uuid::nil()));
        let (recent_from, spend_from) = comptoir_core::policy::history_windows(asked_at);
        let recent: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM dossiers
             WHERE customer_id = ? AND opened_at >= ? AND opened_at <= ? AND id <> ?",
        )
        .bind(src.customer_id)
        .bind(recent_from)
        .bind(asked_at)
        .bind(dossier)
        .fetch_one(&mut *conn)
        .await?;
        let spend: i64 = sqlx::query_scalar(
            "SELECT COALESCE(sum(total_cents), 0) FROM orders
             WHERE customer_id = ? AND ordered_at >= ? AND ordered_at <= ?",
        )
        .bind(src.customer_id)
        .bind(spend_from)
        .bind(asked_at)
        .fetch_one(&mut *conn)
        .await?;
        let prior = Self::prior_remedies(conn, line_id, dossier, &calendar).await?;
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
        let mut earlier = Vec::with_capacity(rows.len());
        for (json, opened_at, closed_at, repair_chosen_first) in rows {
            // An undecodable decision is an error: skipping it would drop
            // the +6 months of a legal repair.
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

    /// The options the policy gives at intake, before the dossier exists.
    pub async fn policy_preview(
        &self,
        query: &PolicyQuery,
        now: DateTime<Utc>,
    ) -> Result<PolicyPreview> {
        let mut conn = self.pool.acquire().await?;
        Self::preview(&mut conn, &CaseSource::from(query), now).await
    }

    async fn preview(
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

    async fn manager_ruling(
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

    async fn case_source(conn: &mut SqliteConnection, id: DossierId) -> Result<CaseSource> {
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
        let mut tx = crate::tx::begin_write(&mut conn).await?;
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
        tx.commit().await?;
        Ok(record)
    }
}

impl Store {
    /// A decision can be taken or changed until the dossier is closed or
    /// cancelled (after hand-back too: closure records the decided gesture).
    async fn check_decidable(
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
