//! The dashboard's tables and their CSV export (RFC 4180: fields quoted
//! when they hold the separator, a quote or a line break, quotes doubled,
//! CRLF line ends; UTF-8, with a byte-order mark on request so spreadsheet
//! programs read the accents; `;` for a French Excel, which then also gets
//! decimal commas).

use std::borrow::Cow;
use std::io::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{DashboardReport, DrillDown, DurationStats, GestureRow, LabelledCount};
use crate::Cents;

/// Every table name a report exports, in the dashboard's order
/// (`dossiers` is the drill-down list).
pub const TABLE_NAMES: &[&str] = &[
    "synthese",
    "motifs",
    "produits",
    "marques",
    "clients_recurrents",
    "gestes_par_motif",
    "gestes_par_conseiller",
    "decisions",
    "validations",
    "satisfaction",
    "origines",
    "dossiers",
];

/// One value of a table, formatted when written.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Written with two decimals.
    Decimal(f64),
    Money(Cents),
    /// Written in the store's time zone, `2026-11-23 14:05`.
    Instant(DateTime<Utc>),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    fn opt_decimal(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Decimal)
    }

    fn hours(seconds: Option<i64>) -> Cell {
        Cell::opt_decimal(seconds.map(|s| s as f64 / 3600.0))
    }

    /// The cell's text in the CSV (text cells as they are, not copied).
    fn format(&self, opts: &CsvOptions) -> Cow<'_, str> {
        let comma = |s: String| match opts.delimiter {
            Delimiter::Semicolon => s.replace('.', ","),
            Delimiter::Comma => s,
        };
        Cow::Owned(match self {
            Cell::Text(s) => return Cow::Borrowed(s),
            Cell::Int(i) => i.to_string(),
            Cell::Decimal(f) => comma(format!("{f:.2}")),
            Cell::Money(c) => comma(format!(
                "{}{}.{:02}",
                if c.0 < 0 { "-" } else { "" },
                c.0.unsigned_abs() / 100,
                c.0.unsigned_abs() % 100
            )),
            // `%Y-%m-%d %H:%M`, written field by field: an export has a
            // few hundred thousand of them, and strftime reads its format
            // string again for each.
            Cell::Instant(t) => {
                let l = t.with_timezone(&opts.timezone).naive_local();
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    l.year(),
                    l.month(),
                    l.day(),
                    l.hour(),
                    l.minute()
                )
            }
            Cell::Empty => String::new(),
        })
    }
}

/// A table: a name (`motifs`), French column headers, rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// The field separator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "CsvSeparator")]
pub enum Delimiter {
    #[default]
    Comma,
    /// French Excel: `;` between fields, `,` in decimals.
    Semicolon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    pub delimiter: Delimiter,
    /// Start with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Instants are written in this time zone (the store's).
    pub timezone: Tz,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: Delimiter::Comma,
            bom: false,
            timezone: chrono_tz::Europe::Paris,
        }
    }
}

/// Writes a table as CSV: the header line, then one line per row.
pub fn write_csv(table: &Table, opts: &CsvOptions, out: impl Write) -> std::io::Result<()> {
    let mut out = out;
    if opts.bom {
        out.write_all("\u{FEFF}".as_bytes())?;
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(match opts.delimiter {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        })
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    w.write_record(&table.columns)?;
    for row in &table.rows {
        for cell in row {
            w.write_field(cell.format(opts).as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

fn keyed_row(key: &str, label: &str, count: u32) -> Vec<Cell> {
    vec![Cell::text(key), Cell::text(label), Cell::Int(count.into())]
}

fn counts(name: &'static str, first: &'static str, rows: &[LabelledCount]) -> Table {
    Table {
        name,
        columns: vec![first, "libellé", "dossiers"],
        rows: rows
            .iter()
            .map(|r| keyed_row(&r.key, &r.label, r.count))
            .collect(),
    }
}

fn gestures(name: &'static str, first: &'static str, rows: &[GestureRow]) -> Table {
    Table {
        name,
        columns: vec![first, "libellé", "gestes", "coût (€)"],
        rows: rows
            .iter()
            .map(|r| {
                let mut row = keyed_row(&r.key, &r.label, r.count);
                row.push(Cell::Money(r.cost));
                row
            })
            .collect(),
    }
}

fn duration_rows(what: &str, d: &DurationStats) -> [Vec<Cell>; 3] {
    [
        vec![
            Cell::text(format!("{what} : dossiers mesurés")),
            Cell::Int(d.count.into()),
        ],
        vec![
            Cell::text(format!("{what} : médiane (heures ouvrées)")),
            Cell::hours(d.median_seconds),
        ],
        vec![
            Cell::text(format!("{what} : 90e centile (heures ouvrées)")),
            Cell::hours(d.p90_seconds),
        ],
    ]
}

impl DashboardReport {
    fn summary(&self) -> Table {
        let (b, p) = (&self.backlog, &self.period);
        let int = |label: &str, v: u32| vec![Cell::text(label), Cell::Int(v.into())];
        let mut rows = vec![
            int("Ouverts aujourd'hui (tous)", b.open),
            int("Aujourd'hui : dans les temps", b.on_time),
            int("Aujourd'hui : à risque", b.at_risk),
            int("Aujourd'hui : en retard", b.late),
            int("Aujourd'hui : sans délai promis", b.without_deadline),
            int("Période : ouverts", p.opened),
            int("Période : encore ouverts", p.open),
            int("Période : restitués ou clos", p.done),
            int("Période : annulés", p.cancelled),
            int("Période : terminés en retard", p.done_late),
            int("Période : terminés dans les temps", p.done_on_time),
            int("Période : ouverts en retard", p.open_late),
            int("Période : ouverts à risque", p.open_at_risk),
        ];
        rows.extend(duration_rows("Première réponse", &self.first_response));
        rows.extend(duration_rows("Résolution", &self.resolution));
        rows.push(int("Clients récurrents", self.repeat_customers.customers));
        rows.push(int("Gestes commerciaux", self.gestures.count));
        rows.push(vec![
            Cell::text("Gestes commerciaux : coût (€)"),
            Cell::Money(self.gestures.cost),
        ]);
        rows.push(vec![
            Cell::text("Satisfaction : moyenne sur 5"),
            Cell::opt_decimal(self.csat.average),
        ]);
        rows.push(vec![
            Cell::text("Satisfaction : taux de réponse (%)"),
            Cell::opt_decimal(self.csat.response_rate.map(|r| r * 100.0)),
        ]);
        Table {
            name: "synthese",
            columns: vec!["indicateur", "valeur"],
            rows,
        }
    }

    fn products_table(&self) -> Table {
        Table {
            name: "produits",
            columns: vec![
                "SKU",
                "produit",
                "marque",
                "dossiers",
                "motif principal",
                "dossiers du motif",
                "unités vendues",
                "dossiers pour 1000 unités",
            ],
            rows: self
                .products
                .iter()
                .map(|p| {
                    vec![
                        Cell::text(&p.sku),
                        Cell::text(&p.name),
                        Cell::text(&p.brand),
                        Cell::Int(p.dossiers.into()),
                        Cell::text(&p.top_reason.label),
                        Cell::Int(p.top_reason.count.into()),
                        p.units_sold.map_or(Cell::Empty, |u| Cell::Int(u.into())),
                        Cell::opt_decimal(p.per_thousand_units),
                    ]
                })
                .collect(),
        }
    }

    fn other_tables(&self) -> Vec<Table> {
        let brands = Table {
            name: "marques",
            columns: vec!["marque", "dossiers", "motif principal", "dossiers du motif"],
            rows: self
                .brands
                .iter()
                .map(|b| {
                    vec![
                        Cell::text(&b.brand),
                        Cell::Int(b.dossiers.into()),
                        Cell::text(&b.top_reason.label),
                        Cell::Int(b.top_reason.count.into()),
                    ]
                })
                .collect(),
        };
        let repeat = Table {
            name: "clients_recurrents",
            columns: vec!["client", "identifiant", "dossiers"],
            rows: self
                .repeat_customers
                .top
                .iter()
                .map(|c| {
                    vec![
                        Cell::text(&c.name),
                        Cell::text(c.customer_id.to_string()),
                        Cell::Int(c.dossiers.into()),
                    ]
                })
                .collect(),
        };
        let csat = Table {
            name: "satisfaction",
            columns: vec!["note", "réponses"],
            rows: (1..=5)
                .zip(self.csat.distribution)
                .map(|(score, n)| vec![Cell::Int(score), Cell::Int(n.into())])
                .collect(),
        };
        vec![
            brands,
            repeat,
            gestures("gestes_par_motif", "motif", &self.gestures.by_reason),
            gestures(
                "gestes_par_conseiller",
                "conseiller",
                &self.gestures.by_clerk,
            ),
            counts("decisions", "fondement", &self.decisions),
            counts("validations", "responsable", &self.approvals),
            csat,
            counts("origines", "origine", &self.origins),
        ]
    }

    /// Every table of the dashboard (all but `dossiers`), in order.
    pub fn tables(&self) -> Vec<Table> {
        let mut out = vec![
            self.summary(),
            counts("motifs", "motif", &self.reasons),
            self.products_table(),
        ];
        out.extend(self.other_tables());
        out
    }

    /// One table by name; `None` for a name not in [`TABLE_NAMES`].
    pub fn table(&self, name: &str) -> Option<Table> {
        self.tables().into_iter().find(|t| t.name == name)
    }
}

impl DrillDown {
    /// The list of dossiers as a table (`dossiers`).
    pub fn table(&self) -> Table {
        Table {
            name: "dossiers",
            columns: vec![
                "numéro",
                "ouvert le",
                "client",
                "produit",
                "statut",
                "délai promis",
                "situation",
                "attribué à",
            ],
            rows: self
                .rows
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(&d.number),
                        Cell::Instant(d.opened_at),
                        Cell::text(&d.customer_name),
                        d.product_name.clone().map_or(Cell::Empty, Cell::Text),
                        Cell::text(&d.status_label),
                        d.promised_at.map_or(Cell::Empty, Cell::Instant),
                        d.deadline_label.clone().map_or(Cell::Empty, Cell::Text),
                        d.assignee.clone().map_or(Cell::Empty, Cell::Text),
                    ]
                })
                .collect(),
        }
    }
}
