//! `comptoir-ctl`: the same crates as the app, without a window.
//!
//! Output is JSON on stdout; errors are JSON on stderr
//! (`{"code": "...", "message": "..."}`, message in French) with a non-zero
//! exit status, so scripts can rely on both.
#![forbid(unsafe_code)]

use std::path::PathBuf;
// mimalloc, as the central server: the sync's JSON decoding is as
// allocation-heavy as the server's import, where glibc's malloc took 45 %
// of the time (docs/ARCHITECTURE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use comptoir_demo::{DemoConfig, DemoError};
use comptoir_store::{OpenMode, Store, StoreError};
use serde::Serialize;

mod exit;
mod report;
mod signals;

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
        /// Only what a new counter of the demo chain has before its
        /// bootstrap (stores, catalogue, calendars, policy, users): its
        /// customers, orders and dossiers come from the central server.
        #[arg(long)]
        counter_only: bool,
    },
    /// Searches customers like the counter's search field; prints JSON.
    Search {
        #[arg(long)]
        db: PathBuf,
        query: String,
    },
    /// A customer's card (orders from every channel, dossiers) as JSON.
    Card {
        #[arg(long)]
        db: PathBuf,
        customer_id: String,
    },
    /// Customers created and corrected at the counter.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// SAV dossiers.
    #[command(subcommand)]
    Dossier(DossierCommand),
    /// Business calendar of a store.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The unified return policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Counter users (clerks, managers) and their PINs.
    #[command(subcommand)]
    User(UserCommand),
    /// The outbox: local changes waiting to be sent to the central server.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// This counter (its code in dossier numbers).
    #[command(subcommand)]
    Counter(CounterCommand),
    /// The sync with the central server (enrolment, one sync, status).
    #[command(subcommand)]
    Sync(SyncCommand),
    /// The audit log (wrong PINs, lockouts, approvals, settings changed).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The manager's dashboard figures for a period, as JSON or one table as CSV.
    Report(Box<report::ReportArgs>),
    /// Weak signals of the store (or of one customer) as JSON.
    Signals(signals::SignalsArgs),
    /// The follow-up queue: calls due, and their outcome.
    #[command(subcommand)]
    FollowUp(signals::FollowUpCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks the hash chain from the first entry; names the first entry
    /// altered or missing (exit status non-zero).
    Verify {
        #[arg(long)]
        db: PathBuf,
    },
    /// The entries, newest first.
    List {
        #[arg(long)]
        db: PathBuf,
        /// Only this kind (pin_failed, account_locked, account_unlocked,
        /// manager_approval, setting_changed).
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum SyncCommand {
    /// Enrols this counter with the central server with a one-time code
    /// (`comptoir-server device enrol --store CODE` prints it).
    Enrol {
        #[arg(long)]
        db: PathBuf,
        /// `https://…` (or `http://127.0.0.1:…` for a server on this machine).
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// The counter's name on the server (`device list`).
        #[arg(long, default_value = "Comptoir SAV")]
        name: String,
    },
    /// One sync: pushes the outbox, pulls the feed to its end (a new
    /// counter's bootstrap); progress on stderr, the report as JSON.
    Once {
        #[arg(long)]
        db: PathBuf,
    },
    /// The sync status as JSON: server, device, last success, cursor,
    /// outbox length, rejected changes.
    Status {
        #[arg(long)]
        db: PathBuf,
    },
    /// Tries a rejected change again (refused by the server: back to the
    /// outbox; not applicable here: applied now).
    Retry {
        #[arg(long)]
        db: PathBuf,
        id: String,
    },
    /// Drops a rejected change for good.
    Drop {
        #[arg(long)]
        db: PathBuf,
        id: String,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Lists the outbox in push order, as sync envelopes (JSON).
    List {
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value_t = 1_000)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum CounterCommand {
    /// Gives this counter its letter in dossier numbers (A–Z, one per
    /// counter of the store), set once at installation.
    SetCode {
        #[arg(long)]
        db: PathBuf,
        code: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Adds a user; the PIN (4 to 8 digits) is read from stdin, never from
    /// the command line.
    Add {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Lists the active users (never their PINs).
    List {
        #[arg(long)]
        db: PathBuf,
    },
    /// Lifts a lockout after too many wrong PINs.
    Unlock {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        login: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Clerk,
    Manager,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Checks a policy document (TOML) against its format and the legal
    /// floor; exits non-zero with the reasons.
    Check { file: PathBuf },
    /// Evaluates a case (JSON) under a policy; prints the decision as JSON.
    Eval {
        #[arg(long)]
        policy: PathBuf,
        #[arg(long)]
        case: PathBuf,
        /// "Today" for the case's dates (YYYY-MM-DD); default today.
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Installs a checked policy document on a counter's database (the one
    /// in force on a date is the latest effective on or before it).
    Install {
        #[arg(long)]
        db: PathBuf,
        file: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    Json,
    Pdf,
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Creates a customer from JSON (`NewCustomer`, file or `-` for stdin);
    /// prints the card. A phone or e-mail of another customer is refused
    /// (`possible_duplicate`) unless `--confirm-duplicates`.
    Add {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        actor: String,
        #[arg(long)]
        confirm_duplicates: bool,
        #[arg(default_value = "-")]
        input: PathBuf,
    },
    /// Corrects a customer from JSON (`CustomerPatch`: the keys given are
    /// the new values); prints the card.
    Edit {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        actor: String,
        #[arg(long)]
        confirm_duplicates: bool,
        #[arg(default_value = "-")]
        input: PathBuf,
    },
    /// Everything held about a customer (RGPD right of access), as JSON
    /// (the default) or as a readable A4 PDF (`--format pdf --out FILE`);
    /// recorded in the audit log under the manager's name.
    Export {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
        /// The manager who exports.
        #[arg(long)]
        actor: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Write to this file (whole or nothing); required for a PDF.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erases a customer on request (RGPD right to erasure): identity,
    /// contacts and free texts go, sales and dossiers stay without
    /// identity. A manager's action; cannot be undone, hence `--yes`.
    Erase {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: String,
        /// The manager's login.
        #[arg(long)]
        actor: String,
        /// Confirms the erasure, which cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// What saving would point out, without saving: the problems of each
    /// field and the possible duplicates (with `--id`, of a correction).
    Check {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: Option<String>,
        #[arg(default_value = "-")]
        input: PathBuf,
    },
}

#[derive(Subcommand)]
enum DossierCommand {
    /// Opens a dossier from a JSON intake (file, or `-` for stdin); prints the dossier.
    Open {
        #[arg(long)]
        db: PathBuf,
        /// JSON `OpenDossierInput` (see docs/ARCHITECTURE.md).
        input: PathBuf,
    },
    /// Records a workflow action (diagnose, wait_part, mark_ready, hand_back, close…)
    /// or a note; prints the dossier.
    Event {
        #[arg(long)]
        db: PathBuf,
        /// Dossier number (SAV-…).
        number: String,
        /// Workflow action code, or `note`.
        #[arg(long)]
        action: String,
        #[arg(long)]
        actor: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Records a decision under the return policy; prints the dossier.
    /// Beyond a clerk's authority, `--manager` approves with the PIN read
    /// from stdin.
    Decide {
        #[arg(long)]
        db: PathBuf,
        number: String,
        /// refund, exchange, credit_note, repair, replacement,
        /// send_to_manufacturer, refusal.
        #[arg(long)]
        resolution: String,
        /// Goodwill gesture in cents, within the policy's scale.
        #[arg(long)]
        gesture: Option<i64>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        actor: String,
        /// Login of the approving manager (PIN on stdin).
        #[arg(long)]
        manager: Option<String>,
    },
    /// Recomputes every dossier from its events; lists those whose stored
    /// row differs (exit status 1 if any).
    Verify {
        #[arg(long)]
        db: PathBuf,
    },
    /// Rewrites every dossier's row from its events.
    Rebuild {
        #[arg(long)]
        db: PathBuf,
    },
    /// Prints a dossier as JSON.
    Show {
        #[arg(long)]
        db: PathBuf,
        number: String,
    },
    /// Renders a dossier's ticket as PDF.
    Print {
        #[arg(long)]
        db: PathBuf,
        number: String,
        /// a4 or receipt (80 mm).
        #[arg(long, value_parser = parse_format, default_value = "a4")]
        format: comptoir_print::Format,
        /// intake or restitution.
        #[arg(long, value_parser = parse_kind, default_value = "intake")]
        kind: comptoir_print::TicketKind,
        #[arg(long)]
        out: PathBuf,
        /// Also send it to this CUPS printer.
        #[arg(long)]
        printer: Option<String>,
    },
}

fn parse_format(code: &str) -> Result<comptoir_print::Format, String> {
    comptoir_print::Format::from_code(code).ok_or_else(|| format!("« {code} » : a4 ou receipt"))
}

fn parse_kind(code: &str) -> Result<comptoir_print::TicketKind, String> {
    comptoir_print::TicketKind::from_code(code)
        .ok_or_else(|| format!("« {code} » : intake ou restitution"))
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Committed deadline from an instant, on a store's calendar.
    Deadline {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        store: String,
        /// RFC 3339 instant (`2026-11-23T10:00:00+01:00`).
        #[arg(long)]
        from: DateTime<chrono::FixedOffset>,
        #[arg(long, conflicts_with = "working_days")]
        working_hours: Option<u32>,
        #[arg(long)]
        working_days: Option<u32>,
        /// Apply the legal conformity guarantee's 30-day cap.
        #[arg(long)]
        legal_cap: bool,
    },
}

/// `{code, message}` on stderr: the same body as the app's.
#[derive(Serialize)]
struct CliError {
    code: &'static str,
    message: String,
}

impl CliError {
    /// A date out of 1900–2100 given on the command line.
    fn date(field: &'static str, date: NaiveDate) -> Result<NaiveDate, CliError> {
        comptoir_core::bounds::check_date(field, date)?;
        Ok(date)
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        let body = e.body();
        CliError {
            code: e.code(),
            message: body.message,
        }
    }
}

impl From<comptoir_core::CoreError> for CliError {
    fn from(e: comptoir_core::CoreError) -> Self {
        CliError {
            code: e.code(),
            message: e.message_fr(),
        }
    }
}

impl From<comptoir_client::ClientError> for CliError {
    fn from(e: comptoir_client::ClientError) -> Self {
        CliError {
            code: e.code(),
            message: e.message_fr(),
        }
    }
}

fn change_id(text: &str) -> Result<uuid::Uuid, CliError> {
    uuid::Uuid::parse_str(text.trim()).map_err(|_| CliError {
        code: "invalid_id",
        message: format!(
            "Identifiant de changement invalide « {} » : copiez-le depuis « comptoir-ctl sync status ».",
            text.chars().take(60).collect::<String>()
        ),
    })
}

async fn sync(cmd: SyncCommand) -> Result<String, CliError> {
    match cmd {
        SyncCommand::Enrol {
            db,
            server,
            code,
            name,
        } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let outcome = comptoir_client::enrol(&store, &server, &code, &name).await;
            let status = match outcome {
                Ok(_) => store.sync_status().await,
                Err(e) => {
                    store.close().await;
                    return Err(e.into());
                }
            };
            store.close().await;
            to_json(&status?)
        }
        SyncCommand::Once { db } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let mut last = std::time::Instant::now();
            let outcome = comptoir_client::sync_once(&store, &mut |p| {
                if !p.more || last.elapsed().as_millis() >= 500 {
                    last = std::time::Instant::now();
                    eprintln!("  {}", progress_line(p));
                }
            })
            .await;
            store.close().await;
            to_json(&outcome?)
        }
        SyncCommand::Status { db } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let status = store.sync_status().await;
            let audit = store.audit_push_state().await;
            store.close().await;
            // The audit log's sending beside the sync's status: the last
            // entry head office acknowledged, how many wait, its refusal.
            let mut v = serde_json::to_value(status?).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "audit".to_owned(),
                    serde_json::to_value(audit?).unwrap_or_default(),
                );
            }
            to_json(&v)
        }
        SyncCommand::Retry { db, id } => {
            let id = change_id(&id)?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let outcome = store.retry_rejected(id, Utc::now()).await;
            store.close().await;
            outcome?;
            to_json(&serde_json::json!({ "retried": id }))
        }
        SyncCommand::Drop { db, id } => {
            let id = change_id(&id)?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let outcome = store.drop_rejected(id).await;
            store.close().await;
            outcome?;
            to_json(&serde_json::json!({ "dropped": id }))
        }
    }
}

impl From<comptoir_print::PrintError> for CliError {
    fn from(e: comptoir_print::PrintError) -> Self {
        CliError {
            code: e.code(),
            message: e.message_fr(),
        }
    }
}

fn read_text(path: &std::path::Path) -> Result<String, CliError> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| io_error("Lecture de l'entrée impossible", &e))?;
        return Ok(s);
    }
    std::fs::read_to_string(path)
        .map_err(|e| io_error(&format!("Lecture de {} impossible", path.display()), &e))
}

fn io_error(what: &str, e: &std::io::Error) -> CliError {
    CliError {
        code: "io",
        message: format!("{what} : {e}"),
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
    // Every database opened is closed (WAL folded back) however this ends.
    comptoir_store::close_on_exit();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return exit::argument_error(&e),
    };
    let outcome = tokio::select! {
        result = run(cli) => result,
        signal = exit::interrupted() => Err(signal),
    };
    comptoir_store::close_all().await;
    exit::report(outcome)
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
            counter_only,
        } => {
            let as_of = as_of.map(|d| CliError::date("as_of", d)).transpose()?;
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
            let summary = if counter_only {
                comptoir_demo::setup_counter(&store_db, &cfg).await?
            } else {
                comptoir_demo::generate(&store_db, &cfg, |done, total| {
                    if last_report.elapsed().as_secs() >= 2 || done == total {
                        eprintln!("  {done} / {total} clients");
                        last_report = std::time::Instant::now();
                    }
                })
                .await?
            };
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
        Command::Card { db, customer_id } => {
            let id = comptoir_core::ids::CustomerId::parse(&customer_id)?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            to_json(&store.customer_card(id).await?)
        }
        Command::Customer(cmd) => customer(cmd).await,
        Command::Dossier(cmd) => dossier(cmd).await,
        Command::Policy(PolicyCommand::Check { file }) => {
            let text = read_text(&file)?;
            let policy = comptoir_core::policy::Policy::from_toml(&text)?;
            to_json(
                &serde_json::json!({ "valid": true, "id": policy.id, "version": policy.version }),
            )
        }
        Command::Policy(PolicyCommand::Eval {
            policy,
            case,
            today,
        }) => {
            let policy = comptoir_core::policy::Policy::from_toml(&read_text(&policy)?)?;
            let text = read_text(&case)?;
            let case: comptoir_core::policy::Case =
                serde_json::from_str(&text).map_err(|e| CliError {
                    code: "invalid_json",
                    message: format!(
                        "Cas illisible (ligne {}, colonne {}) : {e}",
                        e.line(),
                        e.column()
                    ),
                })?;
            let today = today.map(|d| CliError::date("today", d)).transpose()?;
            let today = today.unwrap_or_else(|| Utc::now().date_naive());
            to_json(&comptoir_core::policy::evaluate(&policy, &case, today)?)
        }
        Command::Policy(PolicyCommand::Install { db, file }) => {
            let text = read_text(&file)?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            to_json(&store.install_policy(&text, Utc::now()).await?)
        }
        Command::User(cmd) => user(cmd).await,
        Command::Outbox(OutboxCommand::List { db, limit }) => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let envelopes = store.outbox(limit).await?;
            store.close().await;
            to_json(&envelopes)
        }
        Command::Sync(cmd) => sync(cmd).await,
        Command::Report(args) => report::run(*args).await,
        Command::Signals(args) => signals::signals(args).await,
        Command::FollowUp(cmd) => signals::follow_up(cmd).await,
        Command::Audit(AuditCommand::Verify { db }) => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let check = store.verify_audit().await;
            store.close().await;
            to_json(&check?)
        }
        Command::Audit(AuditCommand::List { db, kind, limit }) => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let entries = store.audit_entries(kind.as_deref(), limit).await;
            store.close().await;
            to_json(&entries?)
        }
        Command::Counter(CounterCommand::SetCode { db, code }) => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            store.set_counter_code(&code).await?;
            store.close().await;
            to_json(&serde_json::json!({ "counter_code": code }))
        }
        Command::Calendar(CalendarCommand::Deadline {
            db,
            store,
            from,
            working_hours,
            working_days,
            legal_cap,
        }) => {
            use comptoir_core::calendar::{committed_deadline, DeadlinePromise, LegalCap};
            let db = Store::open(&db, OpenMode::MustExist).await?;
            let calendar = db.store_calendar(&store).await?;
            let promise = match (working_hours, working_days) {
                (Some(h), _) => DeadlinePromise::WorkingHours(h),
                (None, Some(d)) => DeadlinePromise::WorkingDays(d),
                (None, None) => {
                    return Err(CliError {
                        code: "missing_field",
                        message: "Indiquez --working-hours ou --working-days.".into(),
                    })
                }
            };
            let from = from.with_timezone(&Utc);
            comptoir_core::bounds::check_instant("from", from)?;
            let deadline = committed_deadline(
                from,
                promise,
                &[],
                legal_cap.then_some(LegalCap::ConformityGuarantee),
                &calendar,
            )?;
            let tz = calendar.timezone();
            to_json(&serde_json::json!({
                "store": store,
                "from": from,
                "promise": promise.label_fr(),
                "deadline": deadline.promised_at,
                "deadline_local": deadline.promised_at.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string(),
                "legal_cap_at": deadline.legal_cap_at,
                "capped": deadline.capped,
            }))
        }
    }
}

/// A PIN: typed at a terminal without echo, or the first line of a pipe
/// (surrounding spaces ignored). Never a command-line argument.
fn pin_from_stdin() -> Result<String, CliError> {
    use std::io::IsTerminal;
    let read = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Code (4 à 8 chiffres) : ")
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    };
    read.map(|pin| pin.trim().to_owned())
        .map_err(|e| io_error("Lecture du code impossible", &e))
}

async fn user(cmd: UserCommand) -> Result<String, CliError> {
    use comptoir_core::auth::Role;
    match cmd {
        UserCommand::Add {
            db,
            login,
            name,
            role,
        } => {
            let role = match role {
                RoleArg::Clerk => Role::Clerk,
                RoleArg::Manager => Role::Manager,
            };
            let pin = pin_from_stdin()?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let id = store
                .add_user(&login, &name, role, &pin, Utc::now())
                .await?;
            to_json(
                &serde_json::json!({ "id": id, "login": login.trim().to_lowercase(), "role": role }),
            )
        }
        UserCommand::List { db } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            to_json(&store.users(Utc::now()).await?)
        }
        UserCommand::Unlock { db, login } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            store.unlock_user(&login).await?;
            to_json(&serde_json::json!({ "unlocked": login }))
        }
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, CliError> {
    serde_json::from_str(text).map_err(|e| CliError {
        code: "invalid_json",
        message: format!(
            "{what} illisible (ligne {}, colonne {}) : {e}",
            e.line(),
            e.column()
        ),
    })
}

async fn customer(cmd: CustomerCommand) -> Result<String, CliError> {
    use comptoir_core::customer::{CustomerPatch, NewCustomer};
    use comptoir_core::ids::CustomerId;
    match cmd {
        CustomerCommand::Add {
            db,
            actor,
            confirm_duplicates,
            input,
        } => {
            let new: NewCustomer = parse_json("Fiche client", &read_text(&input)?)?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let id = store
                .create_customer(&new, &actor, confirm_duplicates, Utc::now())
                .await?;
            to_json(&store.customer_card(id).await?)
        }
        CustomerCommand::Edit {
            db,
            id,
            actor,
            confirm_duplicates,
            input,
        } => {
            let id = CustomerId::parse(&id)?;
            let patch: CustomerPatch = parse_json("Correction de la fiche", &read_text(&input)?)?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            store
                .edit_customer(id, &patch, &actor, confirm_duplicates, Utc::now())
                .await?;
            to_json(&store.customer_card(id).await?)
        }
        CustomerCommand::Export {
            db,
            id,
            actor,
            format,
            out,
        } => {
            let id = CustomerId::parse(&id)?;
            if format == ExportFormat::Pdf && out.is_none() {
                return Err(CliError {
                    code: "out_required",
                    message: "L'export PDF s'écrit dans un fichier : indiquez-le avec --out FICHIER.pdf. Rien n'a été exporté.".into(),
                });
            }
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let export = store.export_customer(id, &actor, Utc::now()).await;
            store.close().await;
            let export = export?;
            let bytes = match format {
                ExportFormat::Json => to_json(&export)?.into_bytes(),
                ExportFormat::Pdf => comptoir_print::customer_export_pdf(&export)?,
            };
            match out {
                None => String::from_utf8(bytes).map_err(|e| CliError {
                    code: "internal",
                    message: format!("Erreur interne : {e}"),
                }),
                Some(path) => {
                    comptoir_store::write_whole(&path, &bytes)?;
                    to_json(&serde_json::json!({
                        "written": path.display().to_string(),
                        "bytes": bytes.len(),
                    }))
                }
            }
        }
        CustomerCommand::Erase { db, id, actor, yes } => {
            let id = CustomerId::parse(&id)?;
            if !yes {
                return Err(CliError {
                    code: "erasure_not_confirmed",
                    message: "L'effacement d'un client est définitif et ne peut pas être annulé : relancez la commande avec --yes pour le confirmer. Rien n'a été effacé.".into(),
                });
            }
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let report = store.erase_customer(id, &actor, yes, Utc::now()).await;
            store.close().await;
            to_json(&report?)
        }
        CustomerCommand::Check { db, id, input } => {
            let text = read_text(&input)?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            match id {
                Some(id) => {
                    let id = CustomerId::parse(&id)?;
                    let patch: CustomerPatch = parse_json("Correction de la fiche", &text)?;
                    to_json(&store.check_customer_edit(id, &patch).await?)
                }
                None => {
                    let new: NewCustomer = parse_json("Fiche client", &text)?;
                    to_json(&store.check_new_customer(&new).await?)
                }
            }
        }
    }
}

async fn dossier(cmd: DossierCommand) -> Result<String, CliError> {
    use comptoir_core::dossier::OpenDossierInput;
    use comptoir_core::workflow::DossierAction;
    match cmd {
        DossierCommand::Open { db, input } => {
            let json = if input.as_os_str() == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                    .map_err(|e| io_error("Lecture de l'entrée impossible", &e))?;
                s
            } else {
                std::fs::read_to_string(&input).map_err(|e| {
                    io_error(&format!("Lecture de {} impossible", input.display()), &e)
                })?
            };
            let intake: OpenDossierInput = serde_json::from_str(&json).map_err(|e| CliError {
                code: "invalid_json",
                message: format!(
                    "Fiche de prise en charge illisible (ligne {}, colonne {}) : {e}",
                    e.line(),
                    e.column()
                ),
            })?;
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let id = store.open_dossier(&intake, Utc::now()).await?;
            to_json(&store.dossier_detail(id).await?)
        }
        DossierCommand::Event {
            db,
            number,
            action,
            actor,
            note,
        } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let id = store.dossier_by_number(&number).await?;
            if action == "note" {
                store
                    .add_note(id, &actor, note.as_deref().unwrap_or(""), Utc::now())
                    .await?;
            } else {
                let action: DossierAction = action.parse()?;
                store
                    .dossier_action(id, action, &actor, note.as_deref(), Utc::now())
                    .await?;
            }
            to_json(&store.dossier_detail(id).await?)
        }
        DossierCommand::Decide {
            db,
            number,
            resolution,
            gesture,
            note,
            actor,
            manager,
        } => {
            use comptoir_core::policy::{DecisionChoice, Resolution};
            let resolution = Resolution::from_code(&resolution).ok_or_else(|| CliError {
                code: "unknown_value",
                message: format!(
                    "Solution inconnue « {resolution} » (refund, exchange, credit_note, repair, \
                     replacement, send_to_manufacturer, refusal)."
                ),
            })?;
            let approval = match manager {
                Some(login) => Some(comptoir_core::auth::ManagerApproval {
                    login,
                    pin: pin_from_stdin()?,
                }),
                None => None,
            };
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let id = store.dossier_by_number(&number).await?;
            let choice = DecisionChoice {
                resolution,
                gesture: gesture.map(comptoir_core::Cents),
                note,
            };
            store
                .decide(id, &choice, approval.as_ref(), &actor, Utc::now())
                .await?;
            to_json(&store.dossier_detail(id).await?)
        }
        DossierCommand::Verify { db } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let differences = store.verify_dossiers().await?;
            store.close().await;
            let json = to_json(&differences)?;
            if differences.is_empty() {
                return Ok(json);
            }
            println!("{json}");
            Err(CliError {
                code: "dossiers_differ",
                message: format!(
                    "{} dossier(s) ne correspondent pas à leurs événements : \
                     `comptoir-ctl dossier rebuild` les recalcule.",
                    differences.len()
                ),
            })
        }
        DossierCommand::Rebuild { db } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let rewritten = store.rebuild_dossiers().await?;
            store.close().await;
            to_json(&serde_json::json!({ "rewritten": rewritten }))
        }
        DossierCommand::Show { db, number } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let id = store.dossier_by_number(&number).await?;
            to_json(&store.dossier_detail(id).await?)
        }
        DossierCommand::Print {
            db,
            number,
            format,
            kind,
            out,
            printer,
        } => {
            use comptoir_print::{print_pdf, render, save_then_print, ticket_from_detail};
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let id = store.dossier_by_number(&number).await?;
            let detail = store.dossier_detail(id).await?;
            let local = store
                .local_store_record()
                .await?
                .ok_or(StoreError::NoLocalStore)?;
            let tracking = store.setting("tracking_url").await?;
            let ticket = ticket_from_detail(&detail, &local, kind, tracking.as_deref());
            let pdf = render(&ticket, format)?;
            let title = format!("{} {}", kind.title_fr(), detail.dossier.number);
            let printed = save_then_print(&pdf, &out, printer.as_deref(), &title, print_pdf)?;
            to_json(&serde_json::json!({
                "number": detail.dossier.number,
                "pdf": printed.pdf_path,
                "bytes": pdf.len(),
                "printer": printed.printed_on,
                "job": printed.job_id,
            }))
        }
    }
}

/// One line of `sync once`'s progress on the terminal.
fn progress_line(p: &comptoir_client::SyncProgress) -> String {
    let mut line = format!(
        "envoyés {} · reçus {} ({} depuis l'enrôlement) · {:.0} changements/s",
        p.pushed, p.received, p.received_total, p.rate_per_s
    );
    if let Some(b) = &p.bootstrap {
        let pct = if b.total == 0 {
            100.0
        } else {
            100.0 * b.done as f64 / b.total as f64
        };
        line.push_str(&format!(
            " · chargement initial {} / {} ({pct:.0} %)",
            b.done, b.total
        ));
        if let Some(s) = b.seconds_left {
            line.push_str(&format!(" · reste environ {}", duration_fr(s)));
        }
    } else if p.more {
        line.push_str(" · suite…");
    }
    line
}

/// `75` → « 1 min 15 s », `3700` → « 1 h 02 min ».
fn duration_fr(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}
