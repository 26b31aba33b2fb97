//! `comptoir-ctl`: the same crates as the app, without a window.
//!
//! Output is JSON on stdout; errors are JSON on stderr
//! (`{"code": "...", "message": "..."}`, message in French) with a non-zero
//! exit status, so scripts can rely on both.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use comptoir_demo::{DemoConfig, DemoError};
use comptoir_store::{OpenMode, Store, StoreError};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "comptoir-ctl",
    version,
    about = "Comptoir — outil en ligne de commande (SAV)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a database filled with realistic demo data.
    DemoData {
        /// Number of customers (showcase customers included).
        #[arg(long, default_value_t = 2_000)]
        customers: u64,
        /// Database file to create (must not hold customers yet).
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Reference date of the data (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// This counter's store code.
        #[arg(long, default_value = "LYO1")]
        store: String,
    },
    /// Searches customers like the counter's search field; prints JSON.
    Search {
        #[arg(long)]
        db: PathBuf,
        query: String,
    },
}

#[derive(Serialize)]
struct CliError {
    code: &'static str,
    message: String,
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError {
            code: e.code(),
            message: e.message_fr(),
        }
    }
}

impl From<DemoError> for CliError {
    fn from(e: DemoError) -> Self {
        CliError {
            code: e.code(),
            message: e.message_fr(),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COMPTOIR_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let json = serde_json::to_string(&e).unwrap_or_default();
            eprintln!("{json}");
            ExitCode::FAILURE
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value).map_err(|e| CliError {
        code: "internal",
        message: format!("Erreur interne : {e}"),
    })
}

async fn run(cli: Cli) -> Result<String, CliError> {
    match cli.command {
        Command::DemoData {
            customers,
            db,
            seed,
            as_of,
            store,
        } => {
            let store_db = Store::open(&db, OpenMode::CreateIfMissing).await?;
            let as_of: DateTime<Utc> = match as_of {
                Some(d) => d
                    .and_hms_opt(12, 0, 0)
                    .map(|t| t.and_utc())
                    .unwrap_or_else(Utc::now),
                None => Utc::now(),
            };
            let cfg = DemoConfig {
                customers,
                seed,
                as_of,
                local_store: store,
            };
            let started = std::time::Instant::now();
            let mut last_report = std::time::Instant::now();
            let summary = comptoir_demo::generate(&store_db, &cfg, |done, total| {
                if last_report.elapsed().as_secs() >= 2 || done == total {
                    eprintln!("  {done} / {total} clients");
                    last_report = std::time::Instant::now();
                }
            })
            .await?;
            store_db.close().await;
            to_json(&serde_json::json!({
                "database": db.display().to_string(),
                "stores": summary.stores,
                "products": summary.products,
                "customers": summary.customers,
                "orders": summary.orders,
                "order_lines": summary.order_lines,
                "dossiers": summary.dossiers,
                "events": summary.events,
                "seconds": started.elapsed().as_secs_f64(),
            }))
        }
        Command::Search { db, query } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let response = store.search(&query).await?;
            to_json(&response)
        }
    }
}
