//! Weak signals (issue 11) read from the dossiers: for the customer card
//! ([`Store::customer_signals`]) and the store's list
//! ([`Store::weak_signals`], the dashboard's `Scope::Store`). The rules,
//! thresholds and sentences are `comptoir_core::signals`'; the thresholds
//! are a store setting a manager changes (audited).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use comptoir_core::calendar::{deadline_status, BusinessCalendar, DeadlineStatus};
use comptoir_core::followup::FollowUpReason;
use comptoir_core::ids::*;
use comptoir_core::records::display_name;
use comptoir_core::signals::*;
use comptoir_core::{Cents, CoreError};
use sqlx::SqliteConnection;

use crate::followup::LOCAL_SCOPE;
use crate::{Result, Store};

const OPEN: &str = "d.status NOT IN ('handed_back', 'closed', 'cancelled')";

/// Whose signals: the store's (its scope) or one customer's (wherever
/// their dossiers were opened).
#[derive(Clone, Copy)]
enum Whose {
    Store,
    Customer(CustomerId),
}

impl Whose {
    /// The condition on `d`, with parameter `?n` bound to
    /// [`Whose::customer`].
    fn clause(self, n: usize) -> String {
        match self {
            Whose::Store => format!("{LOCAL_SCOPE} AND ?{n} IS NULL"),
            Whose::Customer(_) => format!("d.customer_id = ?{n}"),
        }
    }

    fn customer(self) -> Option<CustomerId> {
        match self {
            Whose::Store => None,
            Whose::Customer(id) => Some(id),
        }
    }
}

type Named = (Option<String>, String, String);

fn name((title, first, last): &Named) -> String {
    display_name(title.as_deref(), first, last)
}

impl Store {
    /// The thresholds in force (the defaults when none are stored; a stored
    /// value that no longer passes the check is ignored, with a warning).
    pub async fn signal_thresholds(&self) -> Result<SignalThresholds> {
        let mut conn = self.pool.acquire().await?;
        Self::thresholds_on(&mut conn).await
    }

    pub(crate) async fn thresholds_on(conn: &mut SqliteConnection) -> Result<SignalThresholds> {
        let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(THRESHOLDS_SETTING)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(stored
            .as_deref()
            .and_then(|v| {
                SignalThresholds::from_json(v)
                    .inspect_err(|e| tracing::warn!(error = %e, "signal thresholds ignored"))
                    .ok()
            })
            .unwrap_or_default())
    }

    /// A manager changes the thresholds: each is checked (0, negative and
    /// out-of-bounds values are refused in French, nothing written), the
    /// login must be an active manager's (`manager_only` otherwise), and
    /// the change is a `setting_changed` audit entry in their name.
    pub async fn set_signal_thresholds(
        &self,
        thresholds: &SignalThresholds,
        manager_login: &str,
    ) -> Result<SignalThresholds> {
        thresholds.validate()?;
        let is_manager: Option<bool> =
            sqlx::query_scalar("SELECT role = 'manager' FROM users WHERE login = ? AND active = 1")
                .bind(manager_login.trim())
                .fetch_optional(&self.pool)
                .await?;
        if is_manager != Some(true) {
            return Err(CoreError::ManagerOnly.into());
        }
        let json = crate::projection::encode("seuils des signaux", thresholds)?;
        self.set_setting_as(THRESHOLDS_SETTING, &json, manager_login.trim())
            .await?;
        Ok(*thresholds)
    }

    /// The signals about one customer, for their card: their repeat
    /// dossiers and spend (every store), their dossiers late or at risk,
    /// follow-ups due and low scores, and the jumps of the products of
    /// their open dossiers (counted in the store's scope).
    pub async fn customer_signals(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<WeakSignal>> {
        let mut conn = self.pool.acquire().await?;
        let mut signals = Self::collect(&mut conn, Whose::Customer(customer), now).await?;
        sort_signals(&mut signals);
        Ok(signals)
    }

    /// The store's signals (the dashboard's `Scope::Store`: this store's
    /// dossiers and those opened online or by phone), most urgent kind
    /// first, oldest first within a kind, at most `limit`.
    pub async fn weak_signals(&self, now: DateTime<Utc>, limit: usize) -> Result<WeakSignalList> {
        let mut conn = self.pool.acquire().await?;
        let thresholds = Self::thresholds_on(&mut conn).await?;
        let mut signals = Self::collect(&mut conn, Whose::Store, now).await?;
        sort_signals(&mut signals);
        let total = signals.len();
        signals.truncate(limit);
        Ok(WeakSignalList {
            truncated: signals.len() < total,
            signals,
            total,
            thresholds,
        })
    }

    async fn collect(
        conn: &mut SqliteConnection,
        whose: Whose,
        now: DateTime<Utc>,
    ) -> Result<Vec<WeakSignal>> {
        let t = Self::thresholds_on(conn).await?;
        let calendar = Self::local_calendar(conn).await?;
        let mut out = Vec::new();
        Self::repeat_signals(conn, whose, &t, now, &mut out).await?;
        Self::open_signals(conn, whose, &t, &calendar, now, &mut out).await?;
        Self::follow_up_signals(conn, whose, &t, &calendar, now, &mut out).await?;
        Self::jump_signals(conn, whose, &t, &calendar, now, &mut out).await?;
        Ok(out)
    }

    /// `repeat_dossiers` or more dossiers opened in the last `repeat_days`.
    async fn repeat_signals(
        conn: &mut SqliteConnection,
        whose: Whose,
        t: &SignalThresholds,
        now: DateTime<Utc>,
        out: &mut Vec<WeakSignal>,
    ) -> Result<()> {
        let since = now - Duration::days(t.repeat_days);
        let scope = whose.clause(4);
        let sql = format!(
            "SELECT d.customer_id, d.number, d.opened_at, c.title, c.first_name, c.last_name
             FROM dossiers d JOIN customers c ON c.id = d.customer_id
             WHERE d.opened_at > ?1 AND d.opened_at <= ?2 AND {scope}
               AND d.customer_id IN (SELECT d.customer_id FROM dossiers d
                   WHERE d.opened_at > ?1 AND d.opened_at <= ?2 AND {scope}
                   GROUP BY d.customer_id HAVING count(*) >= ?3)
             ORDER BY d.customer_id, d.opened_at, d.number"
        );
        type Row = (
            CustomerId,
            String,
            DateTime<Utc>,
            Option<String>,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(since)
            .bind(now)
            .bind(t.repeat_dossiers)
            .bind(whose.customer())
            .fetch_all(&mut *conn)
            .await?;
        let mut by_customer: BTreeMap<CustomerId, (Named, Vec<String>, DateTime<Utc>)> =
            BTreeMap::new();
        for (customer, number, opened_at, title, first, last) in rows {
            by_customer
                .entry(customer)
                .or_insert_with(|| ((title, first, last), Vec::new(), opened_at))
                .1
                .push(number);
        }
        for (customer, (named, numbers, first_at)) in by_customer {
            out.push(WeakSignal::new(
                SignalKind::RepeatCustomer,
                repeat_sentence(t.repeat_days, &numbers),
                SignalTarget::Customer {
                    customer_id: customer,
                },
                Some((customer, name(&named))),
                first_at,
            ));
        }
        Ok(())
    }

    /// Open dossiers: late or at risk (the lists' rule), and high-value
    /// customers with an open dossier.
    async fn open_signals(
        conn: &mut SqliteConnection,
        whose: Whose,
        t: &SignalThresholds,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
        out: &mut Vec<WeakSignal>,
    ) -> Result<()> {
        let scope = whose.clause(3);
        let sql = format!(
            "SELECT d.id, d.number, d.customer_id, c.title, c.first_name, c.last_name,
                    d.opened_at, d.promised_at,
                    (SELECT COALESCE(sum(o.total_cents), 0) FROM orders o
                     WHERE o.customer_id = d.customer_id AND o.ordered_at >= ?1
                       AND o.ordered_at <= ?2)
             FROM dossiers d JOIN customers c ON c.id = d.customer_id
             WHERE {OPEN} AND {scope}
             ORDER BY d.opened_at, d.number"
        );
        type Row = (
            DossierId,
            String,
            CustomerId,
            Option<String>,
            String,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(spend_since(now))
            .bind(now)
            .bind(whose.customer())
            .fetch_all(&mut *conn)
            .await?;
        let tz = calendar.timezone();
        let mut high: BTreeMap<CustomerId, (Named, i64, Vec<String>, DateTime<Utc>)> =
            BTreeMap::new();
        for (id, number, customer, title, first, last, opened_at, promised_at, spent) in rows {
            let named = (title, first, last);
            if let Some(p) = promised_at {
                let status = deadline_status(now, opened_at, p, calendar);
                if status != DeadlineStatus::OnTime {
                    let late = status == DeadlineStatus::Late;
                    out.push(WeakSignal::new(
                        if late {
                            SignalKind::Late
                        } else {
                            SignalKind::AtRisk
                        },
                        deadline_sentence(late, &number, p.with_timezone(&tz).naive_local()),
                        SignalTarget::Dossier {
                            dossier_id: id,
                            number: number.clone(),
                        },
                        Some((customer, name(&named))),
                        p,
                    ));
                }
            }
            if spent >= t.high_value_cents {
                high.entry(customer)
                    .or_insert_with(|| (named, spent, Vec::new(), opened_at))
                    .2
                    .push(number);
            }
        }
        for (customer, (named, spent, numbers, first_at)) in high {
            out.push(WeakSignal::new(
                SignalKind::HighValueOpen,
                high_value_sentence(Cents(spent), &numbers),
                SignalTarget::Customer {
                    customer_id: customer,
                },
                Some((customer, name(&named))),
                first_at,
            ));
        }
        Ok(())
    }

    /// Follow-ups due after closure, and low scores not yet called back
    /// (due now or later).
    async fn follow_up_signals(
        conn: &mut SqliteConnection,
        whose: Whose,
        t: &SignalThresholds,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
        out: &mut Vec<WeakSignal>,
    ) -> Result<()> {
        for item in Self::queue_on(conn, t, now, whose.customer()).await? {
            if item.reason == FollowUpReason::AfterClosure {
                out.push(WeakSignal::new(
                    SignalKind::FollowUpDue,
                    follow_up_sentence(&item.number, calendar.local_date(item.due_at)),
                    SignalTarget::Dossier {
                        dossier_id: item.dossier_id,
                        number: item.number.clone(),
                    },
                    Some((item.customer_id, item.customer_name.clone())),
                    item.due_at,
                ));
            }
        }
        let scope = whose.clause(3);
        let sql = format!(
            "SELECT d.id, d.number, d.customer_id, c.title, c.first_name, c.last_name,
                    d.csat_score, d.followed_up_at
             FROM dossiers d JOIN customers c ON c.id = d.customer_id
             WHERE d.csat_score IS NOT NULL AND d.score_called_back_at IS NULL
               AND d.csat_score <= ?1 AND d.followed_up_at <= ?2 AND {scope}"
        );
        type Row = (
            DossierId,
            String,
            CustomerId,
            Option<String>,
            String,
            String,
            i64,
            DateTime<Utc>,
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(t.low_score_max)
            .bind(now)
            .bind(whose.customer())
            .fetch_all(&mut *conn)
            .await?;
        for (id, number, customer, title, first, last, score, scored_at) in rows {
            let score = u8::try_from(score).unwrap_or(0);
            out.push(WeakSignal::new(
                SignalKind::LowScore,
                low_score_sentence(score, calendar.local_date(scored_at), &number),
                SignalTarget::Dossier {
                    dossier_id: id,
                    number,
                },
                Some((customer, name(&(title, first, last)))),
                scored_at,
            ));
        }
        Ok(())
    }

    /// Products whose dossiers this calendar month jumped against the
    /// three months before (counted in the store's scope); for a customer,
    /// only the products of their open dossiers.
    async fn jump_signals(
        conn: &mut SqliteConnection,
        whose: Whose,
        t: &SignalThresholds,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
        out: &mut Vec<WeakSignal>,
    ) -> Result<()> {
        let (this, previous) = jump_months(calendar.local_date(now));
        let at = |d: chrono::NaiveDate| calendar.local_to_utc(d.and_time(chrono::NaiveTime::MIN));
        let starts = [at(previous[0]), at(previous[1]), at(previous[2]), at(this)];
        let sql = format!(
            "SELECT d.product_id, p.name,
                    sum(d.opened_at < ?2), sum(d.opened_at >= ?2 AND d.opened_at < ?3),
                    sum(d.opened_at >= ?3 AND d.opened_at < ?4), sum(d.opened_at >= ?4)
             FROM dossiers d JOIN products p ON p.id = d.product_id
             WHERE d.opened_at >= ?1 AND d.opened_at <= ?5 AND {LOCAL_SCOPE}
             GROUP BY d.product_id
             HAVING sum(d.opened_at >= ?4) >= ?6"
        );
        let rows: Vec<(ProductId, String, i64, i64, i64, i64)> = sqlx::query_as(&sql)
            .bind(starts[0])
            .bind(starts[1])
            .bind(starts[2])
            .bind(starts[3])
            .bind(now)
            .bind(t.jump_min_dossiers)
            .fetch_all(&mut *conn)
            .await?;
        let only: Option<HashSet<ProductId>> = match whose {
            Whose::Store => None,
            Whose::Customer(id) => Some(
                sqlx::query_scalar::<_, ProductId>(&format!(
                    "SELECT DISTINCT d.product_id FROM dossiers d
                     WHERE d.customer_id = ? AND d.product_id IS NOT NULL AND {OPEN}"
                ))
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect(),
            ),
        };
        for (product, product_name, m1, m2, m3, current) in rows {
            if only.as_ref().is_some_and(|o| !o.contains(&product)) {
                continue;
            }
            let prev = [m1, m2, m3];
            if jumped(current, prev, t) {
                out.push(WeakSignal::new(
                    SignalKind::ProductJump,
                    jump_sentence(&product_name, current, prev),
                    SignalTarget::Product {
                        product_id: product,
                    },
                    None,
                    starts[3],
                ));
            }
        }
        Ok(())
    }
}
