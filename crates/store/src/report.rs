//! The manager's dashboard: the figures of `comptoir_core::report` counted
//! by SQL aggregates over the dossiers of a period, and the dossiers
//! behind each figure. A few statements a report, all on one connection;
//! durations in working hours come from the store's calendar.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use comptoir_core::calendar::{
    deadline_status, BusinessCalendar, DeadlineStatus, WaitInterval, WorkingClock,
};
use comptoir_core::ids::{CustomerId, ProductId, StoreId};
use comptoir_core::model::{DossierOrigin, DossierStatus};
use comptoir_core::records::display_name;
use comptoir_core::report::*;
use comptoir_core::Cents;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::lists::{summary_of, SummaryRow, SUMMARY_COLUMNS, SUMMARY_FROM};
use crate::{Result, Store, StoreError};

/// Statuses of a dossier no longer at the counter, and of a dossier done.
const OPEN: &str = "d.status NOT IN ('handed_back', 'closed', 'cancelled')";
const DONE: &str = "d.status IN ('handed_back', 'closed')";
/// Events that are not an answer to the customer: the first event of any
/// other kind (a workflow action, a decision, a message sent) is the first
/// response.
const NOT_A_RESPONSE: &str = "('opened', 'note', 'assigned', 'approval', 'customer_message', \
     'follow_up_done', 'follow_up_call', 'satisfaction', 'deadline_recomputed', 'resolution')";
/// The goodwill gesture of a dossier: the one given at closure once
/// closed, else the one the decision granted.
const GESTURE: &str = "(CASE WHEN d.resolution IS NOT NULL \
     THEN coalesce(json_extract(d.resolution, '$.gesture.amount'), 0) \
     ELSE coalesce(d.gesture_cents, 0) END)";
const BASE_FROM: &str = " FROM dossiers d LEFT JOIN products p ON p.id = d.product_id";

/// What every statement of a report shares.
struct Ctx<'q> {
    q: &'q ReportQuery,
    store_id: Option<StoreId>,
    store_code: Option<String>,
    calendar: BusinessCalendar,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Ctx<'_> {
    /// ` WHERE …`: the scope, the filters and (when `period`) the opening
    /// in the period.
    fn push_where(&self, qb: &mut QueryBuilder<'_, Sqlite>, period: bool) {
        qb.push(" WHERE 1 = 1");
        if period {
            qb.push(" AND d.opened_at >= ").push_bind(self.start);
            qb.push(" AND d.opened_at < ").push_bind(self.end);
        }
        if self.q.scope == Scope::Store {
            qb.push(" AND (d.store_id IS NULL");
            if let Some(id) = self.store_id {
                qb.push(" OR d.store_id = ").push_bind(id);
            }
            qb.push(")");
        }
        let f = &self.q.filters;
        if let Some(id) = f.product_id {
            qb.push(" AND d.product_id = ").push_bind(id);
        }
        for (column, value) in [
            ("p.sku", &f.sku),
            ("p.brand", &f.brand),
            ("p.category", &f.category),
            ("d.reason_code", &f.reason),
            ("d.opened_by", &f.clerk),
        ] {
            if let Some(v) = value {
                qb.push(format!(" AND {column} = "))
                    .push_bind(v.trim().to_owned())
                    .push(" COLLATE NOCASE");
            }
        }
        if let Some(channel) = f.channel {
            qb.push(
                " AND EXISTS (SELECT 1 FROM order_lines l JOIN orders o ON o.id = l.order_id \
                 WHERE l.id = d.order_line_id AND o.channel = ",
            )
            .push_bind(channel)
            .push(")");
        }
        if let Some(origin) = f.origin {
            qb.push(" AND d.origin = ").push_bind(origin);
        }
    }

    /// `SELECT <select> FROM <the dossiers> WHERE …`.
    fn select(&self, select: &str, period: bool) -> QueryBuilder<'_, Sqlite> {
        let mut qb = QueryBuilder::new(format!("SELECT {select}{BASE_FROM}"));
        self.push_where(&mut qb, period);
        qb
    }

    /// A clock over the period and up to now (every closure of the
    /// period's dossiers lies in it).
    fn clock(&self, now: DateTime<Utc>) -> WorkingClock<'_> {
        let last = self.calendar.local_date(now).max(self.q.to);
        WorkingClock::new(&self.calendar, self.q.from, last)
    }
}

fn stored(what: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::StoredDataInvalid {
        what,
        detail: e.to_string(),
    }
}

fn instant(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| stored("date d'un dossier", e))
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// The counts of one pass over the period's dossiers.
#[derive(serde::Deserialize)]
struct Totals {
    opened: i64,
    open: i64,
    done: i64,
    cancelled: i64,
    done_late: i64,
    csat: [i64; 5],
    origins: [i64; 3],
}

/// One dossier of the period as the durations need it: opened, status,
/// closed, promised, first response, status changes when it waited.
type TimingRow = (
    String,
    DossierStatus,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<serde_json::Value>,
);

/// The waits for the customer from a dossier's status changes in fold
/// order (a wait still running ends at `now`).
fn waits_of(changes: &[(String, String)], now: DateTime<Utc>) -> Result<Vec<WaitInterval>> {
    let mut waits = Vec::new();
    let mut since = None;
    for (at, status) in changes {
        let at = instant(at)?;
        let waiting = status == DossierStatus::WaitingCustomer.code();
        match (since, waiting) {
            (None, true) => since = Some(at),
            (Some(start), false) => {
                waits.push(WaitInterval { start, end: at });
                since = None;
            }
            _ => {}
        }
    }
    if let Some(start) = since {
        waits.push(WaitInterval { start, end: now });
    }
    Ok(waits)
}

/// The status changes SQLite gave as JSON (an array, or its text).
fn changes_of(v: Option<serde_json::Value>) -> Result<Vec<(String, String)>> {
    let v = match v {
        None | Some(serde_json::Value::Null) => return Ok(Vec::new()),
        Some(serde_json::Value::String(s)) => {
            serde_json::from_str(&s).map_err(|e| stored("historique d'un dossier", e))?
        }
        Some(v) => v,
    };
    serde_json::from_value(v).map_err(|e| stored("historique d'un dossier", e))
}

/// Durations and deadline standing of the period's dossiers.
struct Timing {
    first_response: Vec<i64>,
    resolution: Vec<i64>,
    open_late: u32,
    open_at_risk: u32,
}

fn timing(rows: Vec<TimingRow>, clock: &WorkingClock<'_>, now: DateTime<Utc>) -> Result<Timing> {
    let mut t = Timing {
        first_response: Vec::new(),
        resolution: Vec::new(),
        open_late: 0,
        open_at_risk: 0,
    };
    for (opened, status, closed, promised, first, changes) in rows {
        let opened = instant(&opened)?;
        let waits = waits_of(&changes_of(changes)?, now)?;
        if let Some(first) = first {
            let d = clock.working_excluding(opened, instant(&first)?, &waits);
            t.first_response.push(d.num_seconds());
        }
        match (status.is_open(), status, closed, promised) {
            (false, DossierStatus::Cancelled, _, _) => {}
            (false, _, Some(closed), _) => {
                let d = clock.working_excluding(opened, instant(&closed)?, &waits);
                t.resolution.push(d.num_seconds());
            }
            (true, _, _, Some(promised)) => {
                match deadline_status(now, opened, instant(&promised)?, clock) {
                    DeadlineStatus::Late => t.open_late += 1,
                    DeadlineStatus::AtRisk => t.open_at_risk += 1,
                    DeadlineStatus::OnTime => {}
                }
            }
            _ => {}
        }
    }
    Ok(t)
}

/// Reason labels: the counter's table, else the built-in French labels.
async fn reason_labels(conn: &mut SqliteConnection) -> Result<HashMap<String, String>> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, label FROM reasons")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().collect())
}

fn label_of(labels: &HashMap<String, String>, code: &str) -> String {
    labels
        .get(code)
        .cloned()
        .unwrap_or_else(|| comptoir_core::reasons::reason_label_fr(code))
}

/// Counts by key, most first (ties: the smaller key), at most `TOP_ROWS`.
fn ranked(map: BTreeMap<String, u32>, label: impl Fn(&str) -> String) -> Vec<LabelledCount> {
    let mut v: Vec<LabelledCount> = map
        .into_iter()
        .map(|(key, count)| LabelledCount {
            label: label(&key),
            key,
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v.truncate(TOP_ROWS);
    v
}

fn top_reason(reasons: BTreeMap<String, u32>, labels: &HashMap<String, String>) -> LabelledCount {
    ranked(reasons, |k| label_of(labels, k))
        .into_iter()
        .next()
        .unwrap_or(LabelledCount {
            key: String::new(),
            label: String::new(),
            count: 0,
        })
}

type ProductReasonRow = (
    Option<ProductId>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
);

/// Top reasons overall, per product and per brand, from the counts by
/// (product, reason).
fn reasons_products_brands(
    rows: Vec<ProductReasonRow>,
    labels: &HashMap<String, String>,
) -> (Vec<LabelledCount>, Vec<ProductFigure>, Vec<BrandFigure>) {
    let mut reasons: BTreeMap<String, u32> = BTreeMap::new();
    type ProductAcc = ((String, String, String), BTreeMap<String, u32>);
    let mut products: HashMap<ProductId, ProductAcc> = HashMap::new();
    let mut brands: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    for (product, sku, name, brand, reason, n) in rows {
        let n = count(n);
        *reasons.entry(reason.clone()).or_default() += n;
        if let Some(id) = product {
            let brand = brand.unwrap_or_default();
            let e = products.entry(id).or_insert_with(|| {
                (
                    (
                        sku.unwrap_or_default(),
                        name.unwrap_or_default(),
                        brand.clone(),
                    ),
                    BTreeMap::new(),
                )
            });
            *e.1.entry(reason.clone()).or_default() += n;
            *brands.entry(brand).or_default().entry(reason).or_default() += n;
        }
    }
    let mut products: Vec<ProductFigure> = products
        .into_iter()
        .map(
            |(product_id, ((sku, name, brand), by_reason))| ProductFigure {
                product_id,
                sku,
                name,
                brand,
                dossiers: by_reason.values().sum(),
                top_reason: top_reason(by_reason, labels),
                units_sold: None,
                per_thousand_units: None,
            },
        )
        .collect();
    products.sort_by(|a, b| b.dossiers.cmp(&a.dossiers).then_with(|| a.sku.cmp(&b.sku)));
    products.truncate(TOP_ROWS);
    let mut brands: Vec<BrandFigure> = brands
        .into_iter()
        .map(|(brand, by_reason)| BrandFigure {
            brand,
            dossiers: by_reason.values().sum(),
            top_reason: top_reason(by_reason, labels),
        })
        .collect();
    brands.sort_by(|a, b| {
        b.dossiers
            .cmp(&a.dossiers)
            .then_with(|| a.brand.cmp(&b.brand))
    });
    brands.truncate(TOP_ROWS);
    (ranked(reasons, |k| label_of(labels, k)), products, brands)
}

type DecisionRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
);

/// Decisions by basis, approvals by manager, gestures by reason and clerk,
/// from the counts by (reason, basis, decided by, approved by).
fn decisions_and_gestures(
    rows: Vec<DecisionRow>,
    labels: &HashMap<String, String>,
) -> (Vec<LabelledCount>, Vec<LabelledCount>, Gestures) {
    let mut basis: BTreeMap<String, u32> = BTreeMap::new();
    let mut approvals: BTreeMap<String, u32> = BTreeMap::new();
    let mut by_reason: BTreeMap<String, (u32, i64)> = BTreeMap::new();
    let mut by_clerk: BTreeMap<String, (u32, i64)> = BTreeMap::new();
    for (reason, b, decided_by, approved_by, n, gestures, cost) in rows {
        if let Some(b) = b {
            *basis.entry(b).or_default() += count(n);
        }
        if let Some(m) = approved_by {
            *approvals.entry(m).or_default() += count(n);
        }
        if gestures > 0 {
            for (map, key) in [
                (&mut by_reason, reason.clone()),
                (&mut by_clerk, decided_by.clone().unwrap_or_default()),
            ] {
                let e = map.entry(key).or_default();
                e.0 += count(gestures);
                e.1 += cost;
            }
        }
    }
    let basis_label = |k: &str| {
        comptoir_core::policy::Basis::from_code(k)
            .map_or_else(|| k.to_owned(), |b| b.label_fr().to_owned())
    };
    let gesture_rows = |map: BTreeMap<String, (u32, i64)>, label: &dyn Fn(&str) -> String| {
        let mut v: Vec<GestureRow> = map
            .into_iter()
            .map(|(key, (count, cost))| GestureRow {
                label: label(&key),
                key,
                count,
                cost: Cents(cost),
            })
            .collect();
        v.sort_by(|a, b| b.cost.cmp(&a.cost).then_with(|| a.key.cmp(&b.key)));
        v.truncate(TOP_ROWS);
        v
    };
    let count_all: u32 = by_reason.values().map(|v| v.0).sum();
    let cost_all: i64 = by_reason.values().map(|v| v.1).sum();
    let gestures = Gestures {
        count: count_all,
        cost: Cents(cost_all),
        by_reason: gesture_rows(by_reason, &|k| label_of(labels, k)),
        by_clerk: gesture_rows(by_clerk, &|k| k.to_owned()),
    };
    (
        ranked(basis, basis_label),
        ranked(approvals, |k| k.to_owned()),
        gestures,
    )
}

fn csat_of(t: &Totals) -> Csat {
    let responses: i64 = t.csat.iter().sum();
    let weighted: i64 = t.csat.iter().zip(1..).map(|(n, s)| n * s).sum();
    Csat {
        responses: count(responses),
        asked: count(t.done),
        response_rate: (t.done > 0).then(|| responses as f64 / t.done as f64),
        average: (responses > 0).then(|| weighted as f64 / responses as f64),
        distribution: t.csat.map(count),
    }
}

fn origins_of(t: &Totals) -> Vec<LabelledCount> {
    DossierOrigin::ALL
        .iter()
        .zip(t.origins)
        .map(|(o, n)| LabelledCount {
            key: o.code().to_owned(),
            label: o.label_fr().to_owned(),
            count: count(n),
        })
        .collect()
}

impl Store {
    async fn report_ctx<'q>(conn: &mut SqliteConnection, q: &'q ReportQuery) -> Result<Ctx<'q>> {
        q.validate()?;
        let local: Option<(StoreId, String)> = sqlx::query_as(
            "SELECT s.id, s.code FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&mut *conn)
        .await?;
        let calendar = Self::calendar_of(conn, local.as_ref().map(|l| l.0)).await?;
        let (start, end) = q.instants(&calendar);
        Ok(Ctx {
            q,
            store_id: local.as_ref().map(|l| l.0),
            store_code: local.map(|l| l.1),
            calendar,
            start,
            end,
        })
    }

    /// Every figure of the dashboard for the dossiers opened in the period
    /// (see `comptoir_core::report`); `now` for the backlog and the
    /// deadlines. A period with no dossier gives zeros, never an error; a
    /// period that ends before it starts or is longer than five years is
    /// refused in French.
    pub async fn dashboard(&self, q: &ReportQuery, now: DateTime<Utc>) -> Result<DashboardReport> {
        let mut conn = self.pool.acquire().await?;
        let ctx = Self::report_ctx(&mut conn, q).await?;
        let labels = reason_labels(&mut conn).await?;
        let totals = Self::totals(&mut conn, &ctx).await?;
        let rows: Vec<ProductReasonRow> = ctx
            .select(
                "d.product_id, p.sku, p.name, p.brand, d.reason_code, count(*)",
                true,
            )
            .push(" GROUP BY d.product_id, d.reason_code")
            .build_query_as()
            .fetch_all(&mut *conn)
            .await?;
        let (reasons, mut products, brands) = reasons_products_brands(rows, &labels);
        if q.units_sold {
            Self::units_sold(&mut conn, &ctx, &mut products).await?;
        }
        let decided: Vec<DecisionRow> = ctx
            .select(
                &format!(
                    "d.reason_code, json_extract(d.decision, '$.basis'), \
                     json_extract(d.decision, '$.decided_by'), json_extract(d.decision, '$.approved_by'), \
                     count(*), coalesce(sum({GESTURE} > 0), 0), coalesce(sum({GESTURE}), 0)"
                ),
                true,
            )
            .push(" AND d.decision IS NOT NULL GROUP BY 1, 2, 3, 4")
            .build_query_as()
            .fetch_all(&mut *conn)
            .await?;
        let (decisions, approvals, gestures) = decisions_and_gestures(decided, &labels);
        let repeat_customers = Self::repeat_customers(&mut conn, &ctx).await?;
        let clock = ctx.clock(now);
        let timing = timing(Self::timing_rows(&mut conn, &ctx).await?, &clock, now)?;
        let backlog = Self::backlog(&mut conn, &ctx, &clock, now).await?;
        Ok(DashboardReport {
            query: q.clone(),
            generated_at: now,
            store_code: ctx.store_code.clone(),
            timezone: ctx.calendar.config().timezone.clone(),
            backlog,
            period: PeriodCounts {
                opened: count(totals.opened),
                open: count(totals.open),
                done: count(totals.done),
                cancelled: count(totals.cancelled),
                done_late: count(totals.done_late),
                done_on_time: count(totals.done - totals.done_late),
                open_late: timing.open_late,
                open_at_risk: timing.open_at_risk,
            },
            first_response: DurationStats::of(timing.first_response),
            resolution: DurationStats::of(timing.resolution),
            reasons,
            products,
            brands,
            repeat_customers,
            gestures,
            decisions,
            approvals,
            csat: csat_of(&totals),
            origins: origins_of(&totals),
        })
    }

    async fn totals(conn: &mut SqliteConnection, ctx: &Ctx<'_>) -> Result<Totals> {
        let n = |cond: &str| format!("coalesce(sum({cond}), 0)");
        let select = format!(
            "json_object('opened', count(*), 'open', {}, 'done', {}, 'cancelled', {}, \
             'done_late', {}, 'csat', json_array({}, {}, {}, {}, {}), \
             'origins', json_array({}, {}, {}))",
            n(OPEN),
            n(DONE),
            n("d.status = 'cancelled'"),
            n(&format!("{DONE} AND d.closed_at > d.promised_at")),
            n("d.csat_score = 1"),
            n("d.csat_score = 2"),
            n("d.csat_score = 3"),
            n("d.csat_score = 4"),
            n("d.csat_score = 5"),
            n("d.origin = 'store'"),
            n("d.origin = 'web'"),
            n("d.origin = 'phone'"),
        );
        let json: String = ctx
            .select(&select, true)
            .build_query_scalar()
            .fetch_one(&mut *conn)
            .await?;
        serde_json::from_str(&json).map_err(|e| stored("totaux du tableau de bord", e))
    }

    async fn timing_rows(conn: &mut SqliteConnection, ctx: &Ctx<'_>) -> Result<Vec<TimingRow>> {
        let select = format!(
            "json_group_array(json_array(d.opened_at, d.status, d.closed_at, d.promised_at, \
             (SELECT min(e.at) FROM dossier_events e WHERE e.dossier_id = d.id \
              AND e.kind NOT IN {NOT_A_RESPONSE}), \
             CASE WHEN EXISTS (SELECT 1 FROM dossier_events w WHERE w.dossier_id = d.id \
                               AND w.status_after = 'waiting_customer') \
             THEN (SELECT json_group_array(json_array(x.at, x.status_after)) FROM \
                   (SELECT at, status_after FROM dossier_events WHERE dossier_id = d.id \
                    AND status_after IS NOT NULL ORDER BY hlc, id) x) END))"
        );
        let json: String = ctx
            .select(&select, true)
            .build_query_scalar()
            .fetch_one(&mut *conn)
            .await?;
        serde_json::from_str(&json).map_err(|e| stored("durées du tableau de bord", e))
    }

    async fn backlog(
        conn: &mut SqliteConnection,
        ctx: &Ctx<'_>,
        clock: &WorkingClock<'_>,
        now: DateTime<Utc>,
    ) -> Result<Backlog> {
        let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = ctx
            .select("d.opened_at, d.promised_at", false)
            .push(format!(" AND {OPEN}"))
            .build_query_as()
            .fetch_all(&mut *conn)
            .await?;
        let mut b = Backlog {
            open: count(rows.len() as i64),
            ..Backlog::default()
        };
        for (opened, promised) in rows {
            match promised.map(|p| deadline_status(now, opened, p, clock)) {
                None => b.without_deadline += 1,
                Some(DeadlineStatus::OnTime) => b.on_time += 1,
                Some(DeadlineStatus::AtRisk) => b.at_risk += 1,
                Some(DeadlineStatus::Late) => b.late += 1,
            }
        }
        Ok(b)
    }

    async fn repeat_customers(
        conn: &mut SqliteConnection,
        ctx: &Ctx<'_>,
    ) -> Result<RepeatCustomers> {
        let rows: Vec<(CustomerId, i64)> = ctx
            .select("d.customer_id, count(*) AS n", true)
            .push(" GROUP BY d.customer_id HAVING n >= 2 ORDER BY n DESC, d.customer_id")
            .build_query_as()
            .fetch_all(&mut *conn)
            .await?;
        let mut top = Vec::new();
        for (id, n) in rows.iter().take(TOP_ROWS) {
            let (title, first, last): (Option<String>, String, String) =
                sqlx::query_as("SELECT title, first_name, last_name FROM customers WHERE id = ?")
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?;
            top.push(RepeatCustomer {
                customer_id: *id,
                name: display_name(title.as_deref(), &first, &last),
                dossiers: count(*n),
            });
        }
        Ok(RepeatCustomers {
            customers: count(rows.len() as i64),
            dossiers: count(rows.iter().map(|r| r.1).sum()),
            top,
        })
    }

    async fn units_sold(
        conn: &mut SqliteConnection,
        ctx: &Ctx<'_>,
        products: &mut [ProductFigure],
    ) -> Result<()> {
        if products.is_empty() {
            return Ok(());
        }
        let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
            "SELECT l.product_id, sum(l.quantity) FROM orders o \
             JOIN order_lines l ON l.order_id = o.id WHERE o.ordered_at >= ",
        );
        qb.push_bind(ctx.start)
            .push(" AND o.ordered_at < ")
            .push_bind(ctx.end)
            .push(" AND l.product_id IN (");
        let mut list = qb.separated(", ");
        for p in products.iter() {
            list.push_bind(p.product_id);
        }
        qb.push(") GROUP BY l.product_id");
        let sold: HashMap<ProductId, i64> = qb
            .build_query_as::<(ProductId, i64)>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
        for p in products {
            let units = count(sold.get(&p.product_id).copied().unwrap_or(0));
            p.units_sold = Some(units);
            p.per_thousand_units =
                (units > 0).then(|| f64::from(p.dossiers) * 1000.0 / f64::from(units));
        }
        Ok(())
    }

    /// The dossiers behind a figure of the dashboard, oldest first, at most
    /// `limit` of them (`total` says how many there are). An export asks
    /// for them all (`usize::MAX`).
    pub async fn drill_down(
        &self,
        q: &ReportQuery,
        figure: &Figure,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<DrillDown> {
        figure.validate()?;
        let mut conn = self.pool.acquire().await?;
        let ctx = Self::report_ctx(&mut conn, q).await?;
        let period = !matches!(
            figure,
            Figure::BacklogOpen | Figure::BacklogLate | Figure::BacklogAtRisk
        );
        let wanted = match figure {
            Figure::BacklogLate => Some(DeadlineStatus::Late),
            Figure::BacklogAtRisk => Some(DeadlineStatus::AtRisk),
            _ => None,
        };
        let matching = |select: &str| {
            let mut qb = QueryBuilder::new(format!("SELECT {select} {SUMMARY_FROM}"));
            ctx.push_where(&mut qb, period);
            push_figure(&mut qb, &ctx, figure);
            qb
        };
        // Late and at risk are judged on the calendar: every open dossier
        // is read and judged; any other figure is counted and cut by SQL.
        let sql_limit = if wanted.is_some() {
            i64::MAX
        } else {
            i64::try_from(limit).unwrap_or(i64::MAX)
        };
        let mut qb = matching(SUMMARY_COLUMNS);
        qb.push(" ORDER BY d.opened_at, d.id LIMIT ")
            .push_bind(sql_limit);
        let rows: Vec<SummaryRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
        let clock = ctx.clock(now);
        let all: Vec<_> = rows
            .into_iter()
            .map(|r| summary_of(r, now, &clock))
            .filter(|d| wanted.is_none() || d.deadline_status == wanted)
            .collect();
        let total = match wanted {
            Some(_) => all.len() as i64,
            None if all.len() < limit => all.len() as i64,
            None => {
                matching("count(*)")
                    .build_query_scalar::<i64>()
                    .fetch_one(&mut *conn)
                    .await?
            }
        };
        let truncated = count(total) as usize > limit;
        Ok(DrillDown {
            figure: figure.clone(),
            total: count(total),
            rows: all.into_iter().take(limit).collect(),
            truncated,
        })
    }
}

/// The condition a figure adds to the period's (or the backlog's) dossiers.
fn push_figure(qb: &mut QueryBuilder<'_, Sqlite>, ctx: &Ctx<'_>, figure: &Figure) {
    match figure {
        Figure::Opened => {}
        Figure::StillOpen | Figure::BacklogOpen | Figure::BacklogLate | Figure::BacklogAtRisk => {
            qb.push(format!(" AND {OPEN}"));
        }
        Figure::DoneLate => {
            qb.push(format!(" AND {DONE} AND d.closed_at > d.promised_at"));
        }
        Figure::Reason(code) => {
            qb.push(" AND d.reason_code = ").push_bind(code.clone());
        }
        Figure::Product(id) => {
            qb.push(" AND d.product_id = ").push_bind(*id);
        }
        Figure::Brand(brand) => {
            qb.push(" AND p.brand = ").push_bind(brand.clone());
        }
        Figure::Customer(id) => {
            qb.push(" AND d.customer_id = ").push_bind(*id);
        }
        Figure::RepeatCustomers => {
            qb.push(" AND d.customer_id IN (SELECT d.customer_id");
            qb.push(BASE_FROM);
            ctx.push_where(qb, true);
            qb.push(" GROUP BY d.customer_id HAVING count(*) >= 2)");
        }
        Figure::Gestures => {
            qb.push(format!(" AND d.decision IS NOT NULL AND {GESTURE} > 0"));
        }
        Figure::Basis(b) => {
            qb.push(" AND json_extract(d.decision, '$.basis') = ")
                .push_bind(b.code());
        }
        Figure::Approvals => {
            qb.push(" AND json_extract(d.decision, '$.approved_by') IS NOT NULL");
        }
        Figure::Csat(score) => {
            qb.push(" AND d.csat_score = ").push_bind(i64::from(*score));
        }
        Figure::Origin(o) => {
            qb.push(" AND d.origin = ").push_bind(*o);
        }
    }
}

impl Store {
    /// What the dashboard's filters offer (see [`ReportChoices`]): only
    /// products, brands and categories that some dossier is about.
    pub async fn report_choices(&self, now: DateTime<Utc>) -> Result<ReportChoices> {
        use comptoir_core::model::Channel;
        let mut conn = self.pool.acquire().await?;
        let today = now
            .with_timezone(&Self::local_calendar(&mut conn).await?.timezone())
            .date_naive();
        let products: Vec<(ProductId, String, String, String, String)> = sqlx::query_as(
            "SELECT p.id, p.sku, p.name, p.brand, p.category FROM products p
             WHERE p.id IN (SELECT DISTINCT product_id FROM dossiers WHERE product_id IS NOT NULL)
             ORDER BY p.brand, p.name, p.sku",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut brands: Vec<String> = products.iter().map(|p| p.3.clone()).collect();
        brands.sort();
        brands.dedup();
        let mut categories: Vec<String> = products.iter().map(|p| p.4.clone()).collect();
        categories.sort();
        categories.dedup();
        let reasons: Vec<(String, String)> =
            sqlx::query_as("SELECT code, label FROM reasons ORDER BY label")
                .fetch_all(&mut *conn)
                .await?;
        let clerks: Vec<(String, String)> =
            sqlx::query_as("SELECT login, display_name FROM users ORDER BY display_name, login")
                .fetch_all(&mut *conn)
                .await?;
        let pair = |(key, label): (String, String)| FilterChoice { key, label };
        Ok(ReportChoices {
            products: products
                .into_iter()
                .map(|(id, sku, name, brand, _)| FilterChoice {
                    key: id.0.to_string(),
                    label: format!("{sku} · {name} ({brand})"),
                })
                .collect(),
            brands,
            categories,
            reasons: reasons.into_iter().map(pair).collect(),
            clerks: clerks.into_iter().map(pair).collect(),
            channels: Channel::ALL
                .iter()
                .map(|c| FilterChoice {
                    key: c.code().to_owned(),
                    label: c.label_fr().to_owned(),
                })
                .collect(),
            origins: DossierOrigin::ALL
                .iter()
                .map(|o| FilterChoice {
                    key: o.code().to_owned(),
                    label: o.label_fr().to_owned(),
                })
                .collect(),
            periods: period_choices(today),
        })
    }
}
