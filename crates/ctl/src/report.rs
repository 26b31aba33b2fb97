//! `comptoir-ctl report`: the dashboard's figures, from the same code as
//! the app (`Store::dashboard`, `Store::drill_down`), as JSON or one table
//! as CSV, on stdout or in a file written whole or not at all.

use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::{Args, ValueEnum};
use comptoir_core::model::{Channel, DossierOrigin};
use comptoir_core::report::{
    write_csv, CsvOptions, Delimiter, Figure, ReportFilters, ReportQuery, Scope, Table, TABLE_NAMES,
};
use comptoir_store::{OpenMode, Store};

use crate::{io_error, to_json, CliError};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Args)]
pub struct ReportArgs {
    #[arg(long)]
    db: PathBuf,
    /// First day of the period (YYYY-MM-DD, the store's local date).
    #[arg(long)]
    from: NaiveDate,
    /// Last day of the period, included.
    #[arg(long)]
    to: NaiveDate,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// With `--format csv`: which table (`synthese`, `motifs`, `produits`,
    /// `marques`, `clients_recurrents`, `gestes_par_motif`,
    /// `gestes_par_conseiller`, `decisions`, `validations`, `satisfaction`,
    /// `origines`, or `dossiers`: every dossier of the period).
    #[arg(long, default_value = "synthese")]
    table: String,
    /// Field separator for CSV: `,` (default) or `;` (French Excel, decimal commas).
    #[arg(long, default_value = ",")]
    separator: String,
    /// Start the CSV with a UTF-8 byte-order mark (spreadsheet programs).
    #[arg(long)]
    bom: bool,
    /// Write to this file (through a temporary file: whole or nothing).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Every dossier the counter holds, not only this store's.
    #[arg(long)]
    all_stores: bool,
    /// Also count the units sold in the period (slow on a large file).
    #[arg(long)]
    units_sold: bool,
    #[arg(long)]
    product_id: Option<String>,
    #[arg(long)]
    sku: Option<String>,
    #[arg(long)]
    brand: Option<String>,
    #[arg(long)]
    category: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    /// Where the product was bought: store, web, marketplace.
    #[arg(long)]
    channel: Option<String>,
    /// Where the dossier was opened: store, web, phone.
    #[arg(long)]
    origin: Option<String>,
    /// The clerk who opened the dossiers.
    #[arg(long)]
    clerk: Option<String>,
}

impl ReportArgs {
    fn query(&self) -> Result<ReportQuery, CliError> {
        let filters = ReportFilters {
            product_id: self
                .product_id
                .as_deref()
                .map(comptoir_core::ids::ProductId::parse)
                .transpose()?,
            sku: self.sku.clone(),
            brand: self.brand.clone(),
            category: self.category.clone(),
            reason: self.reason.clone(),
            channel: self
                .channel
                .as_deref()
                .map(str::parse::<Channel>)
                .transpose()?,
            origin: self
                .origin
                .as_deref()
                .map(str::parse::<DossierOrigin>)
                .transpose()?,
            clerk: self.clerk.clone(),
        };
        let q = ReportQuery {
            from: self.from,
            to: self.to,
            filters,
            scope: if self.all_stores {
                Scope::Chain
            } else {
                Scope::Store
            },
            units_sold: self.units_sold,
        };
        q.validate()?;
        Ok(q)
    }

    fn csv_options(&self, timezone: &str) -> Result<CsvOptions, CliError> {
        let delimiter = match self.separator.as_str() {
            "," => Delimiter::Comma,
            ";" => Delimiter::Semicolon,
            other => {
                return Err(CliError {
                    code: "invalid_separator",
                    message: format!(
                        "Séparateur « {other} » non pris en charge : choisissez « , » ou « ; »."
                    ),
                })
            }
        };
        Ok(CsvOptions {
            delimiter,
            bom: self.bom,
            timezone: timezone.parse().unwrap_or(chrono_tz::Europe::Paris),
        })
    }
}

fn unknown_table(name: &str) -> CliError {
    CliError {
        code: "unknown_table",
        message: format!(
            "Tableau « {name} » inconnu. Tableaux disponibles : {}.",
            TABLE_NAMES.join(", ")
        ),
    }
}

/// The report as asked, then written where asked.
pub async fn run(args: ReportArgs) -> Result<String, CliError> {
    let q = args.query()?;
    if args.format == Format::Csv && !TABLE_NAMES.contains(&args.table.as_str()) {
        return Err(unknown_table(&args.table));
    }
    let store = Store::open(&args.db, OpenMode::MustExist).await?;
    let now = Utc::now();
    let report = store.dashboard(&q, now).await;
    let text = match (args.format, report) {
        (_, Err(e)) => Err(e.into()),
        (Format::Json, Ok(report)) => to_json(&report),
        (Format::Csv, Ok(report)) => {
            let opts = args.csv_options(&report.timezone)?;
            let table = match args.table.as_str() {
                "dossiers" => store
                    .drill_down(&q, &Figure::Opened, usize::MAX, now)
                    .await
                    .map(|d| d.table())
                    .map_err(CliError::from),
                name => report.table(name).ok_or_else(|| unknown_table(name)),
            };
            table.and_then(|t| csv_text(&t, &opts))
        }
    };
    store.close().await;
    let text = text?;
    match &args.out {
        None => Ok(text),
        Some(path) => {
            crate::files::write_whole(path, text.as_bytes())?;
            to_json(&serde_json::json!({
                "written": path.display().to_string(),
                "bytes": text.len(),
            }))
        }
    }
}

fn csv_text(table: &Table, opts: &CsvOptions) -> Result<String, CliError> {
    let mut out = Vec::new();
    write_csv(table, opts, &mut out).map_err(|e| io_error("Écriture du CSV impossible", &e))?;
    String::from_utf8(out).map_err(|e| CliError {
        code: "internal",
        message: format!("Erreur interne : {e}"),
    })
}
