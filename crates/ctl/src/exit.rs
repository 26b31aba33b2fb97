//! How `comptoir-ctl` ends: the result as JSON on stdout, or the error as
//! JSON on stderr — its own argument errors included — and, on SIGTERM or
//! Ctrl+C, a clean stop (the work in flight is rolled back, the database
//! closed) with the same JSON error.

use std::io::Write;
use std::process::ExitCode;

use crate::CliError;

/// Exit status of a command line that could not be understood (as clap).
const USAGE_STATUS: u8 = 2;

/// The result of a run, printed where scripts expect it.
pub(crate) fn report(outcome: Result<String, CliError>) -> ExitCode {
    match outcome {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{json}");
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_error(&e);
            match e.code {
                "interrupted" => ExitCode::from(130),
                "terminated" => ExitCode::from(143),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

fn print_error(e: &CliError) {
    let json = serde_json::to_string(e).unwrap_or_default();
    eprintln!("{json}");
}

/// Help and version go to stdout as text; anything else clap refuses is
/// the same JSON error as every other.
pub(crate) fn argument_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let rendered = e.render().to_string();
    let detail = rendered
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let detail = detail.strip_prefix("error: ").unwrap_or(detail);
    print_error(&CliError {
        code: "invalid_arguments",
        message: format!(
            "Commande incorrecte : {detail}. Voir « comptoir-ctl --help » pour les commandes \
             et leurs options."
        ),
    });
    ExitCode::from(USAGE_STATUS)
}

/// Resolves when the process is asked to stop (SIGTERM, or Ctrl+C / SIGINT).
pub(crate) async fn interrupted() -> CliError {
    let (code, what) = match comptoir_store::stop_requested().await {
        comptoir_store::StopSignal::Interrupt => ("interrupted", "Ctrl+C"),
        comptoir_store::StopSignal::Terminate => ("terminated", "SIGTERM"),
    };
    CliError {
        code,
        message: format!(
            "Arrêt demandé ({what}) : l'opération en cours a été annulée et la base fermée \
             proprement ; ce qui avait été confirmé reste enregistré."
        ),
    }
}
