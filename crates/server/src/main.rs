//! `comptoir-server`: the central server and its administration commands.
//! Output is JSON on stdout; an error is JSON `{code, message}` (French
//! message) on stderr with exit status 1.

// mimalloc instead of glibc's malloc: an import spent 45 % of its time in
// glibc's malloc and free (consolidating the many small blocks of JSON
// values), and ran 2.1 times faster with mimalloc (docs/ARCHITECTURE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use comptoir_server::settings::{Overrides, Settings};
use comptoir_server::{admin, app, audit, demo, import, storage, ApiError};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "comptoir-server",
    version,
    about = "Serveur central de Comptoir"
)]
struct Cli {
    /// TOML settings file (also COMPTOIR_SERVER_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone, Default)]
struct Db {
    /// Directory of the embedded SQLite database (created when missing).
    #[arg(long)]
    data: Option<PathBuf>,
    /// PostgreSQL URL instead (postgres://user:pass@host/db).
    #[arg(long)]
    database: Option<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serves the HTTP API.
    Serve {
        #[command(flatten)]
        db: Db,
        /// Address to listen on (plain HTTP only on loopback).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// JSON logs (one object per line).
        #[arg(long)]
        log_json: bool,
    },
    /// Stores of the chain.
    Store {
        #[command(subcommand)]
        cmd: StoreCmd,
    },
    /// Counters (devices) and their enrolment.
    Device {
        #[command(subcommand)]
        cmd: DeviceCmd,
    },
    /// Imports web orders; prints the line-numbered report.
    Import {
        #[command(subcommand)]
        cmd: ImportCmd,
    },
    /// Fills an empty server with the demo chain: its stores, catalogue,
    /// customers, orders of every channel and dossiers (online ones too).
    DemoData {
        /// Customers in all (the showcase ones included).
        #[arg(long, default_value_t = 20_000)]
        customers: u64,
        #[command(flatten)]
        db: Db,
    },
    /// The chain's return policy.
    Policy {
        #[command(subcommand)]
        cmd: PolicyCmd,
    },
    /// The stores' audit logs, as their counters sent them.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Walks every chain of a store (one per counter, and the server's own)
    /// from its first entry; names the first entry that does not hold
    /// (exit status 1).
    Verify {
        #[arg(long)]
        store: String,
        #[command(flatten)]
        db: Db,
    },
    /// A store's entries, newest first.
    List {
        #[arg(long)]
        store: String,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum PolicyCmd {
    /// Publishes a policy document (TOML) to every counter: checked against
    /// its format and the legal floor first; refused, nothing is published.
    Publish {
        file: PathBuf,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Shopify's order export (CSV).
    ShopifyCsv {
        file: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// An array of WooCommerce REST v3 orders (JSON).
    WoocommerceJson {
        file: PathBuf,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum StoreCmd {
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// Head office's own store: its devices may run imports.
        #[arg(long)]
        head_office: bool,
        #[command(flatten)]
        db: Db,
    },
    List {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum DeviceCmd {
    /// Prints a one-time enrolment code for a store.
    Enrol {
        #[arg(long)]
        store: String,
        #[command(flatten)]
        db: Db,
    },
    List {
        #[arg(long)]
        store: Option<String>,
        #[command(flatten)]
        db: Db,
    },
    /// Revokes a device: its next request is refused.
    Revoke {
        #[arg(long)]
        id: uuid::Uuid,
        #[command(flatten)]
        db: Db,
    },
}

fn settings(
    cli_config: Option<&std::path::Path>,
    db: &Db,
    extra: &Overrides,
) -> Result<Settings, ApiError> {
    let o = Overrides {
        listen: extra.listen,
        data_dir: db.data.clone(),
        database_url: db.database.clone(),
        log_json: extra.log_json,
    };
    Settings::load(cli_config, &o)
}

/// A file given on the command line that cannot be read: its own error,
/// not « Erreur interne du serveur ».
fn unreadable(path: &std::path::Path, e: &std::io::Error) -> ApiError {
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "fichier introuvable".to_owned(),
        std::io::ErrorKind::PermissionDenied => "accès refusé".to_owned(),
        std::io::ErrorKind::InvalidData => "ce n'est pas du texte UTF-8".to_owned(),
        _ => e.to_string(),
    };
    ApiError::FileUnreadable {
        path: path.display().to_string(),
        reason,
    }
}

fn print<T: Serialize>(v: &T) -> Result<(), ApiError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| ApiError::Io(e.into()))?;
    println!("{s}");
    Ok(())
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

async fn run(cli: Cli) -> Result<(), ApiError> {
    let env_config = std::env::var_os("COMPTOIR_SERVER_CONFIG").map(PathBuf::from);
    let cfg = cli.config.as_deref().or(env_config.as_deref());
    match cli.cmd {
        Cmd::Serve {
            db,
            listen,
            log_json,
        } => {
            let s = settings(
                cfg,
                &db,
                &Overrides {
                    listen,
                    log_json: log_json.then_some(true),
                    ..Overrides::default()
                },
            )?;
            init_logs(s.log_json);
            tracing::info!(settings = ?s, "starting");
            let storage = storage::open(&s.backend()?).await?;
            let listener = std::net::TcpListener::bind(s.listen)?;
            let running = app::launch(storage, s, listener).await?;
            let (handle, grace) = running.shutdown_handle();
            tokio::spawn(async move {
                app::shutdown_signal().await;
                tracing::info!("shutting down: finishing in-flight requests");
                handle.graceful_shutdown(Some(grace));
            });
            running.wait().await?;
            tracing::info!("stopped");
            Ok(())
        }
        Cmd::Store { cmd } => match cmd {
            StoreCmd::Add {
                code,
                name,
                head_office,
                db,
            } => {
                let s = settings(cfg, &db, &Overrides::default())?;
                let st = storage::open(&s.backend()?).await?;
                print(
                    &st.add_store(&code, name.trim(), head_office, Utc::now())
                        .await?,
                )
            }
            StoreCmd::List { db } => {
                let s = settings(cfg, &db, &Overrides::default())?;
                let st = storage::open(&s.backend()?).await?;
                print(&st.list_stores().await?)
            }
        },
        Cmd::Device { cmd } => match cmd {
            DeviceCmd::Enrol { store, db } => {
                let s = settings(cfg, &db, &Overrides::default())?;
                let st = storage::open(&s.backend()?).await?;
                print(
                    &admin::enrol_code(st.as_ref(), &store, s.enrol_code_ttl_secs, Utc::now())
                        .await?,
                )
            }
            DeviceCmd::List { store, db } => {
                let s = settings(cfg, &db, &Overrides::default())?;
                let st = storage::open(&s.backend()?).await?;
                print(&st.list_devices(store.as_deref()).await?)
            }
            DeviceCmd::Revoke { id, db } => {
                let s = settings(cfg, &db, &Overrides::default())?;
                let st = storage::open(&s.backend()?).await?;
                print(&st.revoke_device(id, Utc::now()).await?)
            }
        },
        Cmd::Import { cmd } => {
            let (source, file, db) = match cmd {
                ImportCmd::ShopifyCsv { file, db } => (import::Source::ShopifyCsv, file, db),
                ImportCmd::WoocommerceJson { file, db } => {
                    (import::Source::WoocommerceJson, file, db)
                }
            };
            let s = settings(cfg, &db, &Overrides::default())?;
            let bytes = std::fs::read(&file).map_err(|e| unreadable(&file, &e))?;
            let st = storage::open(&s.backend()?).await?;
            print(&import::run(st.as_ref(), source, &bytes, s.import_options()).await?)
        }
        Cmd::DemoData { customers, db } => {
            let s = settings(cfg, &db, &Overrides::default())?;
            let st = storage::open(&s.backend()?).await?;
            let mut last = std::time::Instant::now();
            let cfg = comptoir_demo::DemoConfig::new(customers);
            let loaded = demo::load(st.as_ref(), &cfg, |done, total| {
                if done >= total || last.elapsed().as_millis() >= 1000 {
                    last = std::time::Instant::now();
                    eprintln!("  {done} / {total} clients");
                }
            })
            .await?;
            print(&loaded)
        }
        Cmd::Audit {
            cmd: AuditCmd::Verify { store, db },
        } => {
            let s = settings(cfg, &db, &Overrides::default())?;
            let st = storage::open(&s.backend()?).await?;
            let check = audit::verify_store(st.as_ref(), &store).await?;
            print(&check)?;
            match check.first_broken {
                None => Ok(()),
                Some(b) => Err(ApiError::AuditChainBroken {
                    store,
                    device: b.device_id,
                    seq: b.seq,
                    message: b.message,
                }),
            }
        }
        Cmd::Audit {
            cmd:
                AuditCmd::List {
                    store,
                    kind,
                    limit,
                    db,
                },
        } => {
            let s = settings(cfg, &db, &Overrides::default())?;
            let st = storage::open(&s.backend()?).await?;
            print(
                &st.audit_list(&store, kind.as_deref(), limit.clamp(1, 10_000))
                    .await?,
            )
        }
        Cmd::Policy {
            cmd: PolicyCmd::Publish { file, db },
        } => {
            let s = settings(cfg, &db, &Overrides::default())?;
            let text = std::fs::read_to_string(&file).map_err(|e| unreadable(&file, &e))?;
            let st = storage::open(&s.backend()?).await?;
            print(&admin::publish_policy(st.as_ref(), &text, Utc::now()).await?)
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let body = e.body();
            eprintln!(
                "{}",
                serde_json::to_string(&body).unwrap_or_else(|_| body.message.clone())
            );
            ExitCode::FAILURE
        }
    }
}
