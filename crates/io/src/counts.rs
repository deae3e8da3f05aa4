//! Reading daily counts from any file deltid takes, into the model's compact [`Counts`].
//!
//! CSV is read in one pass, in chunks split at record boundaries and parsed on every core
//! ([`crate::delimited`]); spreadsheets row by row ([`crate::sheet`]); Parquet row group by row
//! group ([`crate::parquet`]). Every row goes through the same checks ([`crate::rows`]), so a
//! file gives the same counts whichever reader reads it.

use std::path::Path;

use deltid_model::{Counts, Result, Scenario};
#[cfg(doc)]
use {crate::MAX_REPORTED, deltid_model::Error};

use crate::delimited::Chunking;
use crate::reading::{CountsOptions, Progress, Reading};
use crate::source::{Kind, kind_of};

/// Reads the counts of a scenario's areas from a file: CSV (any of `,` `;` tab; UTF-8 or
/// Windows-1252; long or wide), a spreadsheet (`.xlsx`, `.xls`, `.ods`) or Parquet, with area
/// cells read by the scenario's one rule ([`deltid_model::AreaResolver`]).
///
/// # Errors
/// [`Error::ReadFile`], [`Error::ReadCsv`], [`Error::ReadSheet`], [`Error::NoSuchSheet`],
/// [`Error::ReadParquet`], [`Error::ColumnType`] if the file cannot be read;
/// [`Error::MissingColumn`] or [`Error::DuplicateColumn`] for the header;
/// [`Error::AmbiguousDates`]; for bad values [`Error::ParseDate`], [`Error::NoSuchDay`],
/// [`Error::DateOutOfRange`], [`Error::StrayDate`] (a date far outside the others' span,
/// [`deltid_model::stray_days`]; [`Error::ReadCsv`] for a cell that runs over a line end, a
/// quote not closed), [`Error::ParseNumber`], [`Error::AmbiguousNumber`],
/// [`Error::NegativeNumber`], [`Error::TooLarge`], [`Error::ForeignAboveCount`],
/// [`Error::EmptyArea`], [`Error::UnknownArea`], [`Error::AmbiguousArea`],
/// [`Error::ExtraFields`], [`Error::Encoding`], [`Error::DuplicateRow`] (several at once as
/// [`Error::Many`], up to [`MAX_REPORTED`]); [`Error::EmptyInput`] if there are no counts.
///
/// # Examples
/// ```
/// use deltid_io::{read_counts, read_scenario, CountsOptions};
/// let scenario = read_scenario("../../data/hallingdal/plan-2021.toml")?;
/// let counts = read_counts(scenario.counts().unwrap(), &CountsOptions::default(), &scenario)?;
/// assert_eq!(counts.len(), 547 * 6);
/// # Ok::<(), deltid_io::Error>(())
/// ```
pub fn read_counts(
    path: impl AsRef<Path>,
    options: &CountsOptions,
    scenario: &Scenario,
) -> Result<Counts> {
    read_counts_with(path, options, scenario, None)?.into_counts()
}

/// Reads counts as [`read_counts`] does, but returns the good rows' counts beside the
/// problems instead of failing on them (for a check of a file), and reports progress to
/// `progress` as it goes.
///
/// # Errors
/// The errors of [`read_counts`] that concern the whole file (it cannot be read, its header
/// lacks a column, its dates are ambiguous); problems with values are in the [`Reading`].
pub fn read_counts_with(
    path: impl AsRef<Path>,
    options: &CountsOptions,
    scenario: &Scenario,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<Reading> {
    read_counts_chunked(
        path.as_ref(),
        options,
        scenario,
        progress,
        Chunking::default(),
    )
}

/// [`read_counts_with`] with CSV chunks of `chunk_bytes` bytes parsed by `threads` workers:
/// for tests that the result does not depend on how a file is cut.
#[doc(hidden)]
pub fn read_counts_in_chunks(
    path: &Path,
    options: &CountsOptions,
    scenario: &Scenario,
    chunk_bytes: usize,
    threads: usize,
) -> Result<Reading> {
    let chunking = Chunking {
        bytes: chunk_bytes.max(1),
        threads: threads.max(1),
    };
    read_counts_chunked(path, options, scenario, None, chunking)
}

fn read_counts_chunked(
    path: &Path,
    options: &CountsOptions,
    scenario: &Scenario,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
    chunking: Chunking,
) -> Result<Reading> {
    match kind_of(path)? {
        Kind::Csv => crate::delimited::read_counts(path, options, scenario, progress, chunking),
        Kind::Sheet => crate::sheet::read_counts(path, options, scenario),
        Kind::Parquet => crate::parquet::read_counts(path, options, scenario, progress),
    }
}

/// Whether reading the counts of `path` takes the file's BLAKE3 digest as it goes
/// ([`crate::Reading`]'s counts then carry it): delimited text does, in the same pass. Parquet
/// and spreadsheets are hashed apart, for the run record.
pub fn digest_taken_while_read(path: &Path) -> bool {
    matches!(kind_of(path), Ok(Kind::Csv))
}
