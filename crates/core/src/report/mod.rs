//! The manager's dashboard (issue 11, item 2) and `comptoir-ctl report`:
//! what is asked ([`ReportQuery`]), every figure ([`DashboardReport`]),
//! the dossiers behind a figure ([`Figure`], [`DrillDown`]), the
//! statistics (working-hour durations, percentiles) and the CSV tables.
//! Pure: the store computes the counts, this module defines them.

mod stats;
mod tables;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::BusinessCalendar;
use crate::dossier::DossierSummary;
use crate::ids::{CustomerId, ProductId};
use crate::model::{Channel, DossierOrigin};
use crate::policy::Basis;
use crate::{Cents, CoreError, Result};

pub use stats::{percentile, DurationStats};
pub use tables::{write_csv, Cell, CsvOptions, Delimiter, Table, TABLE_NAMES};

/// The longest period a report covers: five years (a ten-year period is
/// refused with a French message rather than silently cut).
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;
/// How many rows the ranked tables keep (reasons, products, brands, repeat
/// customers, clerks); the drill-down lists every dossier.
pub const TOP_ROWS: usize = 20;

/// Whose dossiers a report covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ReportScope")]
pub enum Scope {
    /// The dossiers opened at this store's counter, and those opened
    /// online or by phone (they belong to no store; every counter holds them).
    #[default]
    Store,
    /// Every dossier the counter holds, whatever the store.
    Chain,
}

/// The filters of a report; each one set narrows it (they combine with AND).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
#[ts(export)]
pub struct ReportFilters {
    pub product_id: Option<ProductId>,
    pub sku: Option<String>,
    pub brand: Option<String>,
    pub category: Option<String>,
    /// A reason code (`defect.no_power`).
    pub reason: Option<String>,
    /// Where the product was bought (the order's channel).
    pub channel: Option<Channel>,
    /// Where the dossier was opened (counter, online, phone).
    pub origin: Option<DossierOrigin>,
    /// The clerk who opened the dossier (as recorded: `opened_by`).
    pub clerk: Option<String>,
}

/// A report: the dossiers *opened* between two local dates of the store
/// (both included), with filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub filters: ReportFilters,
    #[serde(default)]
    pub scope: Scope,
    /// Also count the units sold in the period for the ranked products
    /// (their dossier rate per 1,000 units). This reads every order of the
    /// period: seconds on a chain's file, hence asked for, not by default.
    #[serde(default)]
    pub units_sold: bool,
}

impl ReportQuery {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        ReportQuery {
            from,
            to,
            filters: ReportFilters::default(),
            scope: Scope::Store,
            units_sold: false,
        }
    }

    /// Refuses a period that ends before it starts or is longer than
    /// [`MAX_PERIOD_DAYS`], and filters that are blank or too long.
    pub fn validate(&self) -> Result<()> {
        crate::bounds::check_date("from", self.from)?;
        crate::bounds::check_date("to", self.to)?;
        if self.to < self.from {
            return Err(CoreError::ReportPeriodInverted {
                from: self.from,
                to: self.to,
            });
        }
        if (self.to - self.from).num_days() + 1 > MAX_PERIOD_DAYS {
            return Err(CoreError::ReportPeriodTooLong {
                from: self.from,
                to: self.to,
                max_days: MAX_PERIOD_DAYS,
            });
        }
        let f = &self.filters;
        for (field, v) in [
            ("sku", &f.sku),
            ("brand", &f.brand),
            ("category", &f.category),
            ("reason", &f.reason),
            ("clerk", &f.clerk),
        ] {
            if let Some(v) = v {
                crate::bounds::check_short_text(field, v)?;
                if v.trim().is_empty() {
                    return Err(CoreError::MissingField { field });
                }
            }
        }
        Ok(())
    }

    /// The period as UTC instants `[start, end)`: local midnight of `from`
    /// to local midnight after `to`, on the store's calendar.
    pub fn instants(&self, calendar: &BusinessCalendar) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = |d: NaiveDate| calendar.local_to_utc(d.and_time(chrono::NaiveTime::MIN));
        let end = self.to.succ_opt().unwrap_or(self.to);
        (midnight(self.from), midnight(end))
    }
}

/// The counter's backlog at `now` (dossiers still open, whenever opened).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Backlog {
    pub open: u32,
    pub on_time: u32,
    pub at_risk: u32,
    pub late: u32,
    /// Open without a committed deadline (none was promised).
    pub without_deadline: u32,
}

/// The dossiers opened in the period, against their committed deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PeriodCounts {
    pub opened: u32,
    /// Still open now.
    pub open: u32,
    /// Handed back or closed.
    pub done: u32,
    pub cancelled: u32,
    /// Done after their committed deadline.
    pub done_late: u32,
    /// Done on or before it.
    pub done_on_time: u32,
    /// Still open and past the deadline now.
    pub open_late: u32,
    /// Still open and at risk now.
    pub open_at_risk: u32,
}

/// A count with a label (a reason, a basis, an origin…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LabelledCount {
    /// Stable code or name (`defect.no_power`, `legal`, a clerk's name).
    pub key: String,
    pub label: String,
    pub count: u32,
}

/// A product's dossiers in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProductFigure {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub dossiers: u32,
    /// The most frequent reason for this product (ties: the smaller code).
    pub top_reason: LabelledCount,
    /// Units of the product on the orders placed in the period, all
    /// channels; `None` unless the query asked for them.
    pub units_sold: Option<u32>,
    /// Dossiers per 1,000 units sold; `None` when not asked or none sold.
    pub per_thousand_units: Option<f64>,
}

/// A brand's dossiers in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BrandFigure {
    pub brand: String,
    pub dossiers: u32,
    pub top_reason: LabelledCount,
}

/// A customer with two dossiers or more opened in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RepeatCustomer {
    pub customer_id: CustomerId,
    pub name: String,
    pub dossiers: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RepeatCustomers {
    /// Customers with two dossiers or more in the period.
    pub customers: u32,
    /// Their dossiers.
    pub dossiers: u32,
    pub top: Vec<RepeatCustomer>,
}

/// Goodwill gestures of a reason or a clerk: how many, what they cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GestureRow {
    pub key: String,
    pub label: String,
    pub count: u32,
    pub cost: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gestures {
    pub count: u32,
    pub cost: Cents,
    pub by_reason: Vec<GestureRow>,
    /// By the clerk who took the decision granting the gesture.
    pub by_clerk: Vec<GestureRow>,
}

/// Satisfaction after SAV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Csat {
    pub responses: u32,
    /// Dossiers of the period that were done (handed back or closed).
    pub asked: u32,
    /// `responses / asked`, when something was done.
    pub response_rate: Option<f64>,
    pub average: Option<f64>,
    /// `distribution[0]` is the number of 1s, … `distribution[4]` of 5s.
    pub distribution: [u32; 5],
}

/// Every figure of the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardReport {
    pub query: ReportQuery,
    pub generated_at: DateTime<Utc>,
    /// The store the report is about (its code), when the counter knows it.
    pub store_code: Option<String>,
    pub timezone: String,
    pub backlog: Backlog,
    pub period: PeriodCounts,
    /// From opening to the first response, in working hours of the store.
    pub first_response: DurationStats,
    /// From opening to hand-back or closure, in working hours, waits for
    /// the customer excluded.
    pub resolution: DurationStats,
    pub reasons: Vec<LabelledCount>,
    pub products: Vec<ProductFigure>,
    pub brands: Vec<BrandFigure>,
    pub repeat_customers: RepeatCustomers,
    pub gestures: Gestures,
    /// Decisions by basis (legal / policy / goodwill).
    pub decisions: Vec<LabelledCount>,
    /// Decisions approved by a manager, by manager.
    pub approvals: Vec<LabelledCount>,
    pub csat: Csat,
    /// Opened at the counter, online, by phone.
    pub origins: Vec<LabelledCount>,
}

/// A figure whose dossiers the manager opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "figure", content = "key", rename_all = "snake_case")]
#[ts(export)]
pub enum Figure {
    /// Every dossier opened in the period.
    Opened,
    /// Opened in the period and still open.
    StillOpen,
    /// Opened in the period and done after their deadline.
    DoneLate,
    /// The backlog now: open, whenever opened.
    BacklogOpen,
    BacklogLate,
    BacklogAtRisk,
    Reason(String),
    Product(ProductId),
    Brand(String),
    /// The dossiers of the repeat customers.
    RepeatCustomers,
    Customer(CustomerId),
    /// With a goodwill gesture.
    Gestures,
    /// Decided on this basis.
    Basis(Basis),
    /// Approved by a manager.
    Approvals,
    /// Given this satisfaction score.
    Csat(u8),
    Origin(DossierOrigin),
}

impl Figure {
    /// Refuses keys that cannot be (a CSAT score outside 1–5, blank text).
    pub fn validate(&self) -> Result<()> {
        match self {
            Figure::Csat(score) if !(1..=5).contains(score) => {
                Err(CoreError::CsatOutOfRange { score: *score })
            }
            Figure::Reason(v) | Figure::Brand(v) => {
                crate::bounds::check_short_text("figure", v)?;
                if v.trim().is_empty() {
                    return Err(CoreError::MissingField { field: "figure" });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The dossiers behind a figure, each one opens the dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DrillDown {
    pub figure: Figure,
    /// How many dossiers the figure counts.
    pub total: u32,
    /// The first `limit` of them, oldest first.
    pub rows: Vec<DossierSummary>,
    pub truncated: bool,
}

/// A table of the dashboard to export as CSV: one of [`TABLE_NAMES`];
/// `dossiers` is the list of the dossiers behind `figure` (every dossier
/// opened in the period when `figure` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportExport {
    pub table: String,
    #[serde(default)]
    pub figure: Option<Figure>,
    #[serde(default)]
    pub separator: Delimiter,
    /// Start with a UTF-8 byte-order mark (spreadsheet programs).
    #[serde(default)]
    pub bom: bool,
}

impl ReportExport {
    /// Refuses a table that does not exist (with the list of those that do).
    pub fn validate(&self) -> Result<()> {
        if !TABLE_NAMES.contains(&self.table.as_str()) {
            return Err(CoreError::UnknownTable {
                name: self.table.chars().take(60).collect(),
            });
        }
        if let Some(figure) = &self.figure {
            figure.validate()?;
        }
        Ok(())
    }

    /// The file name a save dialog proposes: `sav-motifs-2026-11-01-au-2026-11-30.csv`.
    pub fn suggested_file_name(&self, q: &ReportQuery) -> String {
        format!(
            "sav-{}-{}-au-{}.csv",
            self.table.replace('_', "-"),
            q.from,
            q.to
        )
    }
}

/// A value a filter can take, with what the manager reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FilterChoice {
    pub key: String,
    pub label: String,
}

/// A period the dashboard offers in one keystroke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PeriodChoice {
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The usual periods, ending `today` (the store's local date): the last
/// 30 days (the first one), this month, last month, the last 12 months,
/// this calendar year.
pub fn period_choices(today: NaiveDate) -> Vec<PeriodChoice> {
    use chrono::{Datelike, Days, Months};
    let first_of_month = today.with_day(1).unwrap_or(today);
    let last_month_end = first_of_month.pred_opt().unwrap_or(first_of_month);
    let last_month_start = last_month_end.with_day(1).unwrap_or(last_month_end);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let back = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today);
    let twelve_months = today
        .checked_sub_months(Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(today);
    let choice = |label: &str, from: NaiveDate, to: NaiveDate| PeriodChoice {
        label: label.to_owned(),
        from,
        to,
    };
    vec![
        choice("30 derniers jours", back(29), today),
        choice("Ce mois-ci", first_of_month, today),
        choice("Mois dernier", last_month_start, last_month_end),
        choice("12 derniers mois", twelve_months, today),
        choice("Cette année", year_start, today),
    ]
}

/// What the dashboard's filters offer: the products, brands and
/// categories that have dossiers, the reasons, the counter's users, the
/// channels of purchase and the places a dossier is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportChoices {
    /// `key`: the product's id; `label`: « SKU · name (brand) ».
    pub products: Vec<FilterChoice>,
    pub brands: Vec<String>,
    pub categories: Vec<String>,
    pub reasons: Vec<FilterChoice>,
    /// `key`: the login recorded on the dossiers; `label`: the name.
    pub clerks: Vec<FilterChoice>,
    pub channels: Vec<FilterChoice>,
    pub origins: Vec<FilterChoice>,
    /// The usual periods; the first is the one the dashboard opens on.
    pub periods: Vec<PeriodChoice>,
}

/// A CSV export written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportWritten {
    pub path: String,
    pub bytes: u64,
    /// Data rows (the header line not counted).
    pub rows: u32,
}

#[cfg(test)]
mod tests;
