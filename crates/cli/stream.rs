//! `deltid estimate --stream`: the summary of a counts file larger than memory, with a progress
//! indicator on a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use deltid::report::{persons, write_summary};
use deltid::stream::{self, Progress};
use deltid::{DateFormat, Encoding, Scenario, Shape};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Failure;
use crate::input::Resolved;

/// The counts file: the one given, else the scenario's.
pub fn counts_path(input: &Resolved) -> Result<PathBuf, Failure> {
    if let Some(counts) = &input.counts {
        return Ok(counts.clone());
    }
    let scenario = Scenario::from_path(&input.scenario)?;
    Ok(scenario
        .counts()
        .ok_or_else(|| deltid::Error::NoCounts {
            scenario: scenario.path().to_owned(),
        })?
        .to_owned())
}

/// Whether the reading options are ones the streaming path takes (long comma-separated UTF-8
/// CSV with ISO dates, or Parquet), and if not, the option that is not.
fn unstreamable(input: &Resolved) -> Option<&'static str> {
    let options = &input.counts_options;
    if options.shape == Shape::Wide {
        Some("--shape wide")
    } else if options.source.delimiter.is_some_and(|d| d != b',') {
        Some("--counts-delimiter")
    } else if options.source.encoding == Encoding::Windows1252 {
        Some("--encoding windows-1252")
    } else if options.source.sheet.is_some() {
        Some("--sheet")
    } else if options.numbers.decimal == Some(deltid::DecimalMark::Comma)
        || options.numbers.thousands_dot
    {
        Some("--counts-decimal comma or --thousands-dot")
    } else if options.dates != DateFormat::Auto {
        Some("--date-format")
    } else {
        None
    }
}

/// Whether the counts can be streamed with these options.
pub fn can_stream(input: &Resolved) -> bool {
    unstreamable(input).is_none()
}

/// Streams the counts and writes the summary.
pub fn run(input: &Resolved, counts: &Path) -> Result<(), Failure> {
    if let Some(option) = unstreamable(input) {
        return Err(Failure::usage(anyhow::anyhow!(
            "{option} is not available with --stream (it reads long CSV with ISO dates, or Parquet)"
        )));
    }
    if input.daily == deltid::report::Daily::Include
        || input.format == deltid::report::Format::Parquet
    {
        return Err(Failure::usage(anyhow::anyhow!(
            "--stream gives the summary only: --daily and --format parquet need the daily rows"
        )));
    }
    let scenario = Scenario::from_path(&input.scenario)?;
    let bar = progress_bar();
    let summary = stream::summarise(
        &scenario,
        counts,
        &input.counts_options,
        &input.selection,
        &|progress| {
            if let Some(bar) = &bar {
                bar.set_message(match progress {
                    Progress::DayTotals => "totalling persons present per day".to_owned(),
                    Progress::Rows(0) => "estimating".to_owned(),
                    Progress::Rows(rows) => format!(
                        "{} rows estimated",
                        persons(i64::try_from(rows).unwrap_or(i64::MAX))
                    ),
                });
            }
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = summary?;
    input
        .output
        .write(|out| write_summary(&summary, input.format, out))?;
    Ok(())
}

/// A spinner with the time taken and the rows done on stderr, or nothing when stderr is not a
/// terminal (a pipe, a file, CI).
pub fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    let style =
        ProgressStyle::with_template("{spinner} {elapsed_precise} {human_pos} {msg} ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}
