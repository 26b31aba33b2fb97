//! The manager's dashboard: the figures of `comptoir_core::report` counted
//! over the in-memory copy of the dossiers' figures (figures.rs, kept
//! current from `dossier_figures`), and the dossiers behind each figure.
//! Durations in working hours come from the store's calendar.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use comptoir_core::calendar::{deadline_status, BusinessCalendar, DeadlineStatus, WorkingClock};
use comptoir_core::ids::{CustomerId, DossierId, ProductId, StoreId};
use comptoir_core::model::{DossierOrigin, DossierStatus};
use comptoir_core::records::display_name;
use comptoir_core::report::*;
use comptoir_core::Cents;
use rustc_hash::FxHashMap;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::figures::Fig;
use crate::lists::{summary_of, SummaryRow};
use crate::{Result, Store};

/// A product as the figures name it: SKU, name, brand.
type ProductInfo = (String, String, String);

/// What every step of a report shares: the query, the local store and
/// its calendar, the period as instants, the products.
struct Ctx<'q> {
    q: &'q ReportQuery,
    store_id: Option<StoreId>,
    store_code: Option<String>,
    calendar: BusinessCalendar,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    products: HashMap<ProductId, ProductInfo>,
    /// The products the SKU / brand / category filters leave (`None`: no
    /// such filter).
    product_filter: Option<HashSet<ProductId>>,
}

/// Text filters compare as SQLite's `NOCASE` did: ASCII letters folded.
fn same_text(stored: Option<&str>, wanted: &Option<String>) -> bool {
    match wanted {
        None => true,
        Some(w) => stored.is_some_and(|s| s.eq_ignore_ascii_case(w.trim())),
    }
}

impl Ctx<'_> {
    /// The scope, the filters and (when `period`) the opening in the period.
    fn matches(&self, d: &Fig, period: bool) -> bool {
        if period && !(d.opened_at >= self.start && d.opened_at < self.end) {
            return false;
        }
        if self.q.scope == Scope::Store && d.store_id.is_some() && d.store_id != self.store_id {
            return false;
        }
        let f = &self.q.filters;
        if f.product_id.is_some() && d.product_id != f.product_id {
            return false;
        }
        if let Some(allowed) = &self.product_filter {
            if !d.product_id.is_some_and(|p| allowed.contains(&p)) {
                return false;
            }
        }
        same_text(Some(&d.reason), &f.reason)
            && same_text(d.opened_by.as_deref(), &f.clerk)
            && (f.channel.is_none() || d.channel == f.channel)
            && (f.origin.is_none() || Some(d.origin) == f.origin)
    }

    /// A clock over every instant the report measures: the period up to
    /// now (every closure of the period's dossiers lies in it), and back
    /// to the oldest open dossier and on to the furthest deadline of the
    /// open ones (the backlog's standings), at most ten years either way.
    /// Outside it the clock asks the calendar, day by day: right, but slow.
    fn clock<'f>(
        &self,
        now: DateTime<Utc>,
        open: impl Iterator<Item = &'f Fig>,
    ) -> WorkingClock<'_> {
        let today = self.calendar.local_date(now);
        let (mut first, mut last) = (self.q.from, today.max(self.q.to));
        for d in open {
            first = first.min(self.calendar.local_date(d.opened_at));
            if let Some(p) = d.promised_at {
                last = last.max(self.calendar.local_date(p));
            }
        }
        let bound = chrono::Days::new(3_660);
        first = first.max(today.checked_sub_days(bound).unwrap_or(first));
        last = last.min(today.checked_add_days(bound).unwrap_or(last));
        WorkingClock::new(&self.calendar, first, last)
    }

    fn brand_of(&self, d: &Fig) -> Option<&str> {
        d.product_id
            .and_then(|p| self.products.get(&p))
            .map(|p| p.2.as_str())
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// The counts of one pass over the period's dossiers.
#[derive(Default)]
struct Totals {
    opened: i64,
    open: i64,
    done: i64,
    cancelled: i64,
    done_late: i64,
    csat: [i64; 5],
    origins: [i64; 3],
}

fn totals(period: &[&Fig]) -> Totals {
    let mut t = Totals::default();
    for d in period {
        t.opened += 1;
        if d.status.is_open() {
            t.open += 1;
        } else if d.is_done() {
            t.done += 1;
        } else {
            t.cancelled += 1;
        }
        if d.done_late() {
            t.done_late += 1;
        }
        if let Some(score @ 1..=5) = d.csat {
            t.csat[usize::from(score - 1)] += 1;
        }
        if let Some(i) = DossierOrigin::ALL.iter().position(|o| *o == d.origin) {
            t.origins[i] += 1;
        }
    }
    t
}

/// Durations and deadline standing of the period's dossiers.
struct Timing {
    first_response: Vec<i64>,
    resolution: Vec<i64>,
    open_late: u32,
    open_at_risk: u32,
}

fn timing(period: &[&Fig], clock: &WorkingClock<'_>, now: DateTime<Utc>) -> Timing {
    let mut t = Timing {
        first_response: Vec::new(),
        resolution: Vec::new(),
        open_late: 0,
        open_at_risk: 0,
    };
    for d in period {
        if let Some(first) = d.first_response_at {
            let w = clock.working_excluding(d.opened_at, first, &d.waits);
            t.first_response.push(w.num_seconds());
        }
        if d.is_done() {
            if let Some(closed) = d.closed_at {
                let w = clock.working_excluding(d.opened_at, closed, &d.waits);
                t.resolution.push(w.num_seconds());
            }
        } else if let (true, Some(promised)) = (d.status.is_open(), d.promised_at) {
            match deadline_status(now, d.opened_at, promised, clock) {
                DeadlineStatus::Late => t.open_late += 1,
                DeadlineStatus::AtRisk => t.open_at_risk += 1,
                DeadlineStatus::OnTime => {}
            }
        }
    }
    t
}

/// The backlog now: the open dossiers in scope, whenever opened.
fn backlog(backlog: &[&Fig], clock: &WorkingClock<'_>, now: DateTime<Utc>) -> Backlog {
    let mut b = Backlog {
        open: count(backlog.len() as i64),
        ..Backlog::default()
    };
    for d in backlog {
        match d
            .promised_at
            .map(|p| deadline_status(now, d.opened_at, p, clock))
        {
            None => b.without_deadline += 1,
            Some(DeadlineStatus::OnTime) => b.on_time += 1,
            Some(DeadlineStatus::AtRisk) => b.at_risk += 1,
            Some(DeadlineStatus::Late) => b.late += 1,
        }
    }
    b
}

/// Dossiers per customer, for the customers with two or more, most first
/// (ties: the smaller id).
fn repeaters(period: &[&Fig]) -> Vec<(CustomerId, i64)> {
    let mut per: FxHashMap<CustomerId, i64> = FxHashMap::default();
    per.reserve(period.len());
    for d in period {
        *per.entry(d.customer_id).or_default() += 1;
    }
    let mut v: Vec<(CustomerId, i64)> = per.into_iter().filter(|(_, n)| *n >= 2).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// A reason code keyed by its allocation: the figures intern their texts,
/// so one code is one `Arc`, and counting reads neither the text nor its
/// reference count (both in the same allocation, far from the row). Were one code ever held twice, it would only
/// give two rows for one (product, reason): `reasons_products_brands` adds
/// rows up by the text.
struct Interned<'a>(&'a Arc<str>);

impl PartialEq for Interned<'_> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(self.0, other.0)
    }
}

impl Eq for Interned<'_> {}

impl std::hash::Hash for Interned<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(self.0).cast::<u8>(), state);
    }
}

/// Counts by (product, reason), as `reasons_products_brands` folds them.
fn product_reason_rows(period: &[&Fig], ctx: &Ctx<'_>) -> Vec<ProductReasonRow> {
    let mut counts: FxHashMap<(Option<ProductId>, Interned), i64> = FxHashMap::default();
    for d in period {
        *counts
            .entry((d.product_id, Interned(&d.reason)))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((product, Interned(reason)), n)| {
            let info = product.and_then(|p| ctx.products.get(&p));
            (
                product,
                info.map(|i| i.0.clone()),
                info.map(|i| i.1.clone()),
                info.map(|i| i.2.clone()),
                reason.to_string(),
                n,
            )
        })
        .collect()
}

/// Counts by (reason, basis, decided by, approved by) of the decided
/// dossiers, with their gestures, as `decisions_and_gestures` folds them.
fn decision_rows(period: &[&Fig]) -> Vec<DecisionRow> {
    type Key = (
        Arc<str>,
        Option<Arc<str>>,
        Option<Arc<str>>,
        Option<Arc<str>>,
    );
    let mut groups: FxHashMap<Key, (i64, i64, i64)> = FxHashMap::default();
    for d in period.iter().filter(|d| d.decided) {
        let key = (
            d.reason.clone(),
            d.basis.clone(),
            d.decided_by.clone(),
            d.approved_by.clone(),
        );
        let e = groups.entry(key).or_default();
        e.0 += 1;
        e.1 += i64::from(d.gesture_cents > 0);
        e.2 += d.gesture_cents;
    }
    let text = |s: Option<Arc<str>>| s.map(|s| s.to_string());
    groups
        .into_iter()
        .map(|((reason, basis, by, approved), (n, gestures, cost))| {
            (
                reason.to_string(),
                text(basis),
                text(by),
                text(approved),
                n,
                gestures,
                cost,
            )
        })
        .collect()
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
        let products: HashMap<ProductId, ProductInfo> =
            sqlx::query_as::<_, (ProductId, String, String, String)>(
                "SELECT id, sku, name, brand FROM products",
            )
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id, sku, name, brand)| (id, (sku, name, brand)))
            .collect();
        let f = &q.filters;
        let product_filter = if f.sku.is_none() && f.brand.is_none() && f.category.is_none() {
            None
        } else {
            let mut qb: QueryBuilder<'_, Sqlite> =
                QueryBuilder::new("SELECT id FROM products WHERE 1 = 1");
            for (column, value) in [
                ("sku", &f.sku),
                ("brand", &f.brand),
                ("category", &f.category),
            ] {
                if let Some(v) = value {
                    qb.push(format!(" AND {column} = "))
                        .push_bind(v.trim().to_owned())
                        .push(" COLLATE NOCASE");
                }
            }
            let ids: Vec<ProductId> = qb.build_query_scalar().fetch_all(&mut *conn).await?;
            Some(ids.into_iter().collect())
        };
        Ok(Ctx {
            q,
            store_id: local.as_ref().map(|l| l.0),
            store_code: local.map(|l| l.1),
            calendar,
            start,
            end,
            products,
            product_filter,
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
        let (totals, rows, decided, repeat, timing, backlog) = {
            let figures = self.figures.current(&mut conn).await?;
            let period: Vec<&Fig> = figures
                .rows()
                .iter()
                .filter(|d| ctx.matches(d, true))
                .collect();
            let open: Vec<&Fig> = figures
                .rows()
                .iter()
                .filter(|d| d.status.is_open() && ctx.matches(d, false))
                .collect();
            let clock = ctx.clock(now, open.iter().copied());
            // The working-time durations are the longest pass: a second
            // core counts them while this one does the rest.
            std::thread::scope(|s| {
                let timing = s.spawn(|| timing(&period, &clock, now));
                let rest = (
                    totals(&period),
                    product_reason_rows(&period, &ctx),
                    decision_rows(&period),
                    repeaters(&period),
                    backlog(&open, &clock, now),
                );
                let timing = timing.join().expect("the dashboard's timing pass panicked");
                (rest.0, rest.1, rest.2, rest.3, timing, rest.4)
            })
        };
        let (reasons, mut products, brands) = reasons_products_brands(rows, &labels);
        if q.units_sold {
            Self::units_sold(&mut conn, &ctx, &mut products).await?;
        }
        let (decisions, approvals, gestures) = decisions_and_gestures(decided, &labels);
        let repeat_customers = Self::repeat_customers(&mut conn, repeat).await?;
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

    /// The repeat customers' figure, with the names of the first ones.
    async fn repeat_customers(
        conn: &mut SqliteConnection,
        rows: Vec<(CustomerId, i64)>,
    ) -> Result<RepeatCustomers> {
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
        let (mut hits, clock): (Vec<Hit>, _) = {
            let figures = self.figures.current(&mut conn).await?;
            let clock = ctx.clock(
                now,
                figures
                    .rows()
                    .iter()
                    .filter(|d| d.status.is_open() && ctx.matches(d, false)),
            );
            let repeat: HashSet<CustomerId> = if *figure == Figure::RepeatCustomers {
                let in_period: Vec<&Fig> = figures
                    .rows()
                    .iter()
                    .filter(|d| ctx.matches(d, true))
                    .collect();
                repeaters(&in_period).into_iter().map(|r| r.0).collect()
            } else {
                HashSet::new()
            };
            let hits = figures
                .rows()
                .iter()
                .filter(|d| ctx.matches(d, period) && shows(d, figure, &ctx, &repeat, &clock, now))
                .map(Hit::of)
                .collect();
            (hits, clock)
        };
        hits.sort_unstable_by_key(|h| (h.opened_at, h.id));
        let total = hits.len();
        hits.truncate(limit);
        let rows = Self::summaries(&mut conn, hits, &ctx.products)
            .await?
            .into_iter()
            .map(|r| summary_of(r, now, &clock))
            .collect();
        Ok(DrillDown {
            figure: figure.clone(),
            total: count(total as i64),
            rows,
            truncated: total > limit,
        })
    }

    /// The lists' rows of these dossiers, in the order given. What the
    /// figures already hold (customer, product, status, dates) is taken
    /// from them; the rest of the dossiers' columns comes a few thousand
    /// dossiers a statement (one JSON array each, not a row each through
    /// sqlx); then the names of their customers, every distinct customer
    /// once, in the order of their ids: SQLite walks an `IN` list sorted,
    /// so the names' index is read from one end to the other instead of at
    /// a random place for every dossier.
    async fn summaries(
        conn: &mut SqliteConnection,
        hits: Vec<Hit>,
        products: &HashMap<ProductId, ProductInfo>,
    ) -> Result<Vec<SummaryRow>> {
        let mut rest: FxHashMap<DossierId, DossierRest> = FxHashMap::default();
        rest.reserve(hits.len());
        for chunk in hits.chunks(4_000) {
            let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
                "SELECT json_group_array({DOSSIER_JSON}) FROM dossiers d WHERE d.id IN ("
            ));
            let mut list = qb.separated(", ");
            for h in chunk {
                list.push_bind(h.id);
            }
            qb.push(")");
            let json: String = qb.build_query_scalar().fetch_one(&mut *conn).await?;
            let rows: Vec<(
                DossierId,
                String,
                Option<String>,
                Option<String>,
                Option<DateTime<Utc>>,
            )> = crate::projection::decode("liste de dossiers", &json)?;
            rest.extend(rows.into_iter().map(|(id, n, l, a, f)| (id, (n, l, a, f))));
        }
        let mut customers: Vec<CustomerId> = hits.iter().map(|h| h.customer_id).collect();
        customers.sort_unstable();
        customers.dedup();
        let mut names: FxHashMap<CustomerId, (Option<String>, String, String)> =
            FxHashMap::default();
        names.reserve(customers.len());
        for chunk in customers.chunks(20_000) {
            let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
                "SELECT json_group_array(json_array(hex(id), title, first_name, last_name))
                 FROM customers INDEXED BY customers_names WHERE id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            let json: String = qb.build_query_scalar().fetch_one(&mut *conn).await?;
            let rows: Vec<(CustomerId, Option<String>, String, String)> =
                crate::projection::decode("noms des clients", &json)?;
            names.extend(rows.into_iter().map(|(id, t, f, l)| (id, (t, f, l))));
        }
        // A dossier's customer is a foreign key: always there. Were it not,
        // the row would still be listed (the figure's total counts it),
        // without a name. A dossier gone since the figures were read (none
        // is ever deleted) would be left out.
        let none = (None, String::new(), String::new());
        Ok(hits
            .into_iter()
            .filter_map(|h| {
                let (number, label, assignee, follow_up) = rest.remove(&h.id)?;
                let (title, first, last) = names.get(&h.customer_id).unwrap_or(&none).clone();
                // The catalogue's name, else the label typed at intake.
                let product = h
                    .product_id
                    .and_then(|p| products.get(&p))
                    .map(|p| p.1.clone())
                    .or(label);
                Some((
                    h.id,
                    number,
                    h.customer_id,
                    title,
                    first,
                    last,
                    product,
                    h.status,
                    assignee,
                    h.opened_at,
                    h.promised_at,
                    follow_up,
                ))
            })
            .collect())
    }
}

/// A dossier of a drill-down, with what its row of the figures says.
struct Hit {
    opened_at: DateTime<Utc>,
    id: DossierId,
    customer_id: CustomerId,
    product_id: Option<ProductId>,
    status: DossierStatus,
    promised_at: Option<DateTime<Utc>>,
}

impl Hit {
    fn of(d: &Fig) -> Hit {
        Hit {
            opened_at: d.opened_at,
            id: d.id,
            customer_id: d.customer_id,
            product_id: d.product_id,
            status: d.status,
            promised_at: d.promised_at,
        }
    }
}

/// The columns of a list's row that the figures do not hold, as one JSON
/// array a dossier (the id in hex, which serde reads as a UUID).
const DOSSIER_JSON: &str =
    "json_array(hex(d.id), d.number, d.product_label, d.assignee, d.follow_up_due)";

/// A row of [`DOSSIER_JSON`] without its id: number, label typed at
/// intake, assignee, follow-up due.
type DossierRest = (
    String,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
);

/// Whether a dossier (already in the period or the backlog, in scope and
/// filtered) is one of the figure's.
fn shows(
    d: &Fig,
    figure: &Figure,
    ctx: &Ctx<'_>,
    repeat: &HashSet<CustomerId>,
    clock: &WorkingClock<'_>,
    now: DateTime<Utc>,
) -> bool {
    let standing = |wanted: DeadlineStatus| {
        d.status.is_open()
            && d.promised_at
                .is_some_and(|p| deadline_status(now, d.opened_at, p, clock) == wanted)
    };
    match figure {
        Figure::Opened => true,
        Figure::StillOpen | Figure::BacklogOpen => d.status.is_open(),
        Figure::BacklogLate => standing(DeadlineStatus::Late),
        Figure::BacklogAtRisk => standing(DeadlineStatus::AtRisk),
        Figure::DoneLate => d.done_late(),
        Figure::Reason(code) => *d.reason == **code,
        Figure::Product(id) => d.product_id == Some(*id),
        Figure::Brand(brand) => ctx.brand_of(d) == Some(brand.as_str()),
        Figure::Customer(id) => d.customer_id == *id,
        Figure::RepeatCustomers => repeat.contains(&d.customer_id),
        Figure::Gestures => d.has_gesture(),
        Figure::Basis(b) => d.basis.as_deref() == Some(b.code()),
        Figure::Approvals => d.approved_by.is_some(),
        Figure::Csat(score) => d.csat == Some(*score),
        Figure::Origin(o) => d.origin == *o,
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
