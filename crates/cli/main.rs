//! `deltid`: guest-nights and present population from daily telecom counts.
//!
//! Each subcommand turns its arguments into library values, makes one library call and writes
//! the result. Exit codes: 0 success (also when the reader of stdout closes the pipe), 1 data
//! or runtime error (the whole cause chain on stderr), 2 usage error.

mod compare;
mod estimate;
mod input;
mod output;
mod population;
mod progress;
mod report;
mod signals;
mod sql;
mod synth;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Guest-nights, part-time residents and present population from daily telecom counts per
/// municipality, by the Hallingdal regional plan's method.
#[derive(Parser)]
#[command(name = "deltid", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Compare(compare::Args),
    Estimate(estimate::Args),
    Population(population::Args),
    Report(report::Args),
    Sql(sql::Args),
    Synth(synth::Args),
    Validate(validate::Args),
}

/// An error with the exit code it should give.
pub struct Failure {
    error: anyhow::Error,
    code: u8,
}

impl Failure {
    /// A usage error (exit 2).
    fn usage(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            error: error.into(),
            code: 2,
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Failure {
        let error = error.into();
        let code = match error.downcast_ref::<deltid::Error>() {
            Some(
                deltid::Error::InvalidSelection { .. }
                | deltid::Error::InvalidOption { .. }
                | deltid::Error::NoCounts { .. }
                | deltid::Error::ChartFormat { .. }
                | deltid::Error::InvalidSynth { .. },
            ) => 2,
            _ => 1,
        };
        Failure { error, code }
    }
}

/// A seed: a whole number from 0 (`-1` is named as out of range, not taken for a flag).
fn seed(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "expected a whole number from 0 to {}, got {text:?}",
            u64::MAX
        )
    })
}

/// The option that resolves a reading error, for the errors an option resolves.
fn hint(error: &deltid::Error) -> Option<&'static str> {
    use deltid::Error;
    let reading = matches!(
        error,
        Error::MissingColumn { .. }
            | Error::AmbiguousNumber { .. }
            | Error::AmbiguousDates { .. }
            | Error::ParseDate { .. }
            | Error::Encoding { .. }
            | Error::NoSuchSheet { .. }
    );
    if reading && !input::SCENARIO_READ.load(std::sync::atomic::Ordering::Relaxed) {
        // A table the scenario names: the counts' options do not apply to it.
        return Some(
            "the file is a table the scenario names, not the counts: a deduction table's columns \
             are named in the scenario, as in { table = \"FILE\", date = \"Dato\", area = \
             \"Kommune\", persons = \"Personar\" } (date, area and persons are found by \
             themselves, and so are dato, kommunenummer, kommunenr, kommune, område, personer, \
             personar and antall); a code mapping has the columns from and to, an areas table \
             code (or area) and name",
        );
    }
    match error {
        Error::MissingColumn { .. } => Some(
            "name the columns with --date-column, --area-column and --count-column (date, \
             area and count are found by themselves, and so are dato, kommunenummer, kommunenr, \
             kommune, område, antall, personer and personar), the separator with --counts-delimiter, or the \
             layout with --shape wide; for hourly counts a timestamp column (ts, time, \
             timestamp and tidspunkt are found by themselves) or --time-column",
        ),
        Error::AmbiguousNumber { .. } => Some(
            "declare the decimal mark with --counts-decimal point or --counts-decimal comma; \
                 for a `.` between thousands (1.234 or 1.234,5) give --counts-decimal comma \
                 --thousands-dot",
        ),
        Error::AmbiguousDates { .. } | Error::ParseDate { .. }
            if !input::DATE_FORMAT_GIVEN.load(std::sync::atomic::Ordering::Relaxed) =>
        {
            Some("declare the date format with --date-format, e.g. %d/%m/%Y, or excel")
        }
        Error::Encoding { .. } => Some("declare --encoding windows-1252 (Latin-1)"),
        Error::NoSuchSheet { .. } => Some("choose the sheet with --sheet NAME"),
        Error::SplitNotPlanned { .. } => Some(
            "run `deltid estimate --scenario FILE` for a split's figures (--format csv, xlsx, \
             parquet or json), or `deltid compare` to set them beside day and night counts",
        ),
        // What the SQL query cannot do (the library's message names no command).
        Error::Unsupported { what, .. } if what.contains("SQL query") => {
            Some("run `deltid estimate --scenario FILE` on the counts for these figures")
        }
        Error::Many { errors, .. } => errors.first().and_then(hint),
        _ => None,
    }
}

fn main() -> ExitCode {
    let _ = output::STDOUT_CLOSED.set(output::stdout_was_closed());
    let cli = Cli::parse();
    signals::watch();
    let result = match cli.command {
        Command::Compare(args) => compare::run(args),
        Command::Estimate(args) => estimate::run(args),
        Command::Population(args) => population::run(args),
        Command::Report(args) => report::run(args),
        Command::Sql(args) => sql::run(args),
        Command::Synth(args) => synth::run(args),
        Command::Validate(args) => validate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if output::is_broken_pipe(&failure.error) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("deltid: error: {}", failure.error);
            for cause in failure.error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if let Some(hint) = failure.error.downcast_ref().and_then(hint) {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(failure.code)
        }
    }
}
