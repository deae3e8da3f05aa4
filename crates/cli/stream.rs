//! `deltid estimate --stream`: the summary of a counts file larger than memory, with a progress
//! indicator on a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use deltid::Scenario;
use deltid::report::{persons, write_summary};
use deltid::stream::{self, Progress};
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

/// Whether the counts can be streamed with these reading options.
pub fn can_stream(input: &Resolved) -> bool {
    stream::unstreamable(&input.counts_options).is_none()
}

/// Streams the counts and writes the summary.
pub fn run(input: &Resolved, counts: &Path) -> Result<(), Failure> {
    // Reading options the streaming reader does not take are refused by the library (exit 2).
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
