//! `comptoir-ctl signals` and `comptoir-ctl follow-up`: the weak signals
//! and the follow-up queue, from the same store methods as the app
//! (`Store::weak_signals`, `customer_signals`, `follow_up_queue`,
//! `record_follow_up`), as JSON.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand, ValueEnum};
use comptoir_core::followup::FollowUpOutcome;
use comptoir_core::ids::CustomerId;
use comptoir_store::{OpenMode, Store};

use crate::{to_json, CliError};

#[derive(Args)]
pub struct SignalsArgs {
    #[arg(long)]
    db: PathBuf,
    /// Only this customer's signals (as on their card), by id.
    #[arg(long)]
    customer: Option<String>,
    /// At most this many signals in the store's list.
    #[arg(long, default_value_t = 200)]
    limit: usize,
    /// The instant to read them at (RFC 3339); default now.
    #[arg(long)]
    now: Option<DateTime<chrono::FixedOffset>>,
}

#[derive(Subcommand)]
pub enum FollowUpCommand {
    /// The calls due, oldest first, with the customer's phone and why.
    List {
        #[arg(long)]
        db: PathBuf,
        /// The instant to read the queue at (RFC 3339); default now.
        #[arg(long)]
        now: Option<DateTime<chrono::FixedOffset>>,
    },
    /// Records a call's outcome on a dossier's timeline; prints what it did.
    Record {
        #[arg(long)]
        db: PathBuf,
        /// Dossier number (SAV-…).
        number: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// With `--outcome call-back`: the date to call back (YYYY-MM-DD).
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        actor: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Reached,
    NoAnswer,
    CallBack,
}

fn at(now: Option<DateTime<chrono::FixedOffset>>) -> DateTime<Utc> {
    now.map(|t| t.with_timezone(&Utc)).unwrap_or_else(Utc::now)
}

pub async fn signals(args: SignalsArgs) -> Result<String, CliError> {
    let customer = args
        .customer
        .as_deref()
        .map(CustomerId::parse)
        .transpose()?;
    let store = Store::open(&args.db, OpenMode::MustExist).await?;
    let now = at(args.now);
    let out = match customer {
        Some(id) => {
            let signals = store.customer_signals(id, now).await;
            store.close().await;
            to_json(&signals?)
        }
        None => {
            let list = store.weak_signals(now, args.limit).await;
            store.close().await;
            to_json(&list?)
        }
    };
    out
}

pub async fn follow_up(cmd: FollowUpCommand) -> Result<String, CliError> {
    match cmd {
        FollowUpCommand::List { db, now } => {
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let queue = store.follow_up_queue(at(now)).await;
            store.close().await;
            to_json(&queue?)
        }
        FollowUpCommand::Record {
            db,
            number,
            outcome,
            on,
            note,
            actor,
        } => {
            let outcome = match (outcome, on) {
                (OutcomeArg::CallBack, Some(on)) => FollowUpOutcome::CallBack {
                    on: CliError::date("on", on)?,
                },
                (OutcomeArg::CallBack, None) => {
                    return Err(CliError {
                        code: "missing_field",
                        message: "Rappel : indiquez la date du rappel avec --on AAAA-MM-JJ."
                            .to_owned(),
                    })
                }
                (_, Some(_)) => {
                    return Err(CliError {
                        code: "invalid_argument",
                        message: "--on ne va qu'avec --outcome call-back.".to_owned(),
                    })
                }
                (OutcomeArg::Reached, None) => FollowUpOutcome::Reached,
                (OutcomeArg::NoAnswer, None) => FollowUpOutcome::NoAnswer,
            };
            let store = Store::open(&db, OpenMode::MustExist).await?;
            let done = async {
                let id = store.dossier_by_number(&number).await?;
                store
                    .record_follow_up(id, outcome, note.as_deref(), &actor, Utc::now())
                    .await
            }
            .await;
            store.close().await;
            to_json(&done?)
        }
    }
}
