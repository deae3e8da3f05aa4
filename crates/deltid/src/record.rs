//! The run record: what produced a set of published numbers (deltid's version and commit, the
//! command line, the scenario's parameters, every input file's BLAKE3 hash, size and rows read,
//! the selection and the methods), so that a figure in a report can be traced and re-made.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use deltid_model::{
    Allocation, Counts, Deduction, DeductionSource, Estimate, Measure, OriginEstimate, OriginSplit,
    Plan, RegionRule, Scenario, Selection,
};
use serde::Serialize;

use crate::analysis::{Population, Protection, Threshold, Uncertainty, Yearly};

/// deltid's version (the crate's, `0.1.0`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit deltid was built from (40 hex digits), or `unknown` when built outside a git
/// checkout; `DELTID_COMMIT` at build time overrides it.
pub const COMMIT: &str = env!("DELTID_COMMIT");

/// A record of one run, beside every published number: who computed it (deltid's version and
/// commit), from what (each input file's path, BLAKE3 hash, size in bytes and rows read; the
/// scenario's parameters), how (the selection and the methods) and when.
///
/// Two runs on the same inputs with the same options give the same record except
/// [`RunRecord::created`]. Written as the `run` object of JSON outputs, the `run` sheet of a
/// workbook, the footer of the table and the HTML report, and `FILE.run.json` beside CSV and
/// Parquet files.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRecord {
    /// deltid's version and commit.
    pub deltid: Build,
    /// When the run was made: UTC, RFC 3339 to the second (`2024-05-01T12:00:00Z`).
    pub created: String,
    /// The command line, program name first; empty when not set (a run from the library).
    pub command: Vec<String>,
    /// The scenario's parameters.
    pub scenario: ScenarioRecord,
    /// Every file read: the scenario, its tables, the counts.
    pub inputs: Vec<InputFile>,
    /// The days and areas estimated.
    pub selection: SelectionRecord,
    /// The methods used.
    pub methods: Methods,
}

/// deltid's version and the commit it was built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Build {
    /// The version, `0.1.0`.
    pub version: &'static str,
    /// The git commit (40 hex digits), or `unknown`.
    pub commit: &'static str,
}

/// The scenario as the run used it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioRecord {
    /// The region's name.
    pub name: String,
    /// The uplift, a fraction 0..1 (the mean of its range when given as one).
    pub uplift: f64,
    /// Each deduction by its key (`residents`, `commuters`, `transit`, `day_visitors`), in
    /// words: `20000 persons per day for the region`, `per area: 1233, 3132`, `table
    /// day_visitors.csv`.
    pub deductions: Vec<(String, String)>,
    /// Parameters given as ranges, as `key: distribution` (`deductions.commuters: triangular
    /// 500, 1000, 1500`).
    pub ranges: Vec<String>,
    /// `[scaling]`: persons per SIM (deduplication), market share (fractions 0..1), persons
    /// per foreign SIM.
    pub scaling: [f64; 3],
    /// The code of the region's own count, if the scenario names one.
    pub region_code: Option<String>,
    /// Areas in the scenario.
    pub areas: usize,
}

/// One file read by the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// What the file is: `scenario`, `scenario table`, `counts`.
    pub role: &'static str,
    /// The path as given (relative paths stay relative).
    pub path: PathBuf,
    /// The BLAKE3 hash of the file's bytes, 64 lowercase hex digits, as `b3sum FILE` prints
    /// it; `None` if the file could not be read again (counts built in memory).
    pub blake3: Option<String>,
    /// The file's size in bytes; `None` as for `blake3`.
    pub bytes: Option<u64>,
    /// Counts read from it (area-days), for the counts file.
    pub rows: Option<u64>,
}

/// The days and areas estimated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelectionRecord {
    /// The first day asked for, if any (included).
    pub from: Option<NaiveDate>,
    /// The first day not included, if any (the period is half-open).
    pub to: Option<NaiveDate>,
    /// The area codes selected; empty for all.
    pub areas: Vec<String>,
    /// The first and last day estimated.
    pub days: Option<(NaiveDate, NaiveDate)>,
}

/// The methods of a run, each `None` when its analysis was not made.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Methods {
    /// How region-level deductions are shared out: `present` or `residents`.
    pub allocation: &'static str,
    /// How the region's figures are made: `sum of areas` or `own count`.
    pub region: &'static str,
    /// For counts that measure nights: the plan for nights, and for hourly counts the rule,
    /// window and zone they were reduced by.
    pub nights: Option<String>,
    /// Guest-nights per year beside the plan's rule (mean per day × 365): the method's name.
    pub annualisation: Option<String>,
    /// What negative days count as in the yearly figures.
    pub negative: Option<String>,
    /// The percentile method of the planners' view.
    pub percentile: Option<String>,
    /// The dimensioning percentile, a fraction 0..1.
    pub dimensioning: Option<f64>,
    /// The threshold of the planners' view: `40000 persons` or `2 × residents`.
    pub threshold: Option<String>,
    /// Monte Carlo draws of the uncertainty analysis.
    pub draws: Option<u32>,
    /// Seed of the uncertainty analysis.
    pub seed: Option<u64>,
    /// Small-count protection: the smallest count published, the rounding base, and the
    /// cells suppressed (primary, secondary); `None` without protection.
    pub disclosure: Option<DisclosureRecord>,
    /// For counts split by origin: what the origin means, the operator's `k`, and what was
    /// read (rows, area-days, suppressed cells); `None` for other counts.
    pub origin: Option<OriginRecord>,
}

/// Counts split by origin as a run read them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OriginRecord {
    /// What the origin means: `previous-night`, `home` or `sim-country`.
    pub kind: &'static str,
    /// The operator's `k`, persons: values under it are taken as suppressed.
    pub min_count: f64,
    /// Rows of the split estimated (in the period), totals included.
    pub rows: u64,
    /// Area-days they make.
    pub area_days: u64,
    /// Cells marked `-1` or published under `k`.
    pub suppressed_cells: u64,
    /// Days left out of the previous-night sums because an area has no split that day.
    pub incomplete_days: u64,
}

/// The small-count protection a run's outputs were published under.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DisclosureRecord {
    /// Figures with 0 < |persons| < `min_count` are suppressed.
    pub min_count: Option<u32>,
    /// Published person figures are rounded to this base.
    pub rounding: Option<u32>,
    /// Cells suppressed because they are small.
    pub primary: usize,
    /// Cells suppressed so that the small ones cannot be worked out.
    pub secondary: usize,
}

impl RunRecord {
    /// The record of an estimate, made now: hashes the scenario file, its tables and the
    /// counts file (a file that cannot be read again has no hash).
    pub fn new(estimate: &Estimate) -> RunRecord {
        let scenario = estimate.scenario();
        let selection = estimate.plan().selection();
        let counts = estimate.counts();
        // Hourly counts: the rows of the file, not the nights they became.
        let read = counts.nights().map_or(counts.len(), |n| n.rows());
        let inputs = InputFile::all(scenario, counts, read);
        RunRecord {
            deltid: Build {
                version: VERSION,
                commit: COMMIT,
            },
            created: now(),
            command: Vec::new(),
            scenario: {
                let mut record = ScenarioRecord::new(scenario);
                // A baseline of residents at home: the figures deducted are the baseline's.
                if estimate.plan().residents_baseline().is_some()
                    && let Some(residents) = record.deductions.first_mut()
                {
                    residents.1 = format!(
                        "{} (at night: the baseline of the reference nights, see nights)",
                        residents.1
                    );
                }
                record
            },
            inputs,
            selection: SelectionRecord::new(selection, counts.span()),
            methods: Methods {
                allocation: match scenario.allocation() {
                    Allocation::PresentShare => "present",
                    Allocation::ResidentShare => "residents",
                },
                region: match estimate.region_rule() {
                    RegionRule::SumOfAreas => "sum of areas",
                    RegionRule::OwnCount => "own count",
                },
                nights: match (estimate.plan().measure(), counts.nights()) {
                    (Measure::Day, _) => None,
                    (Measure::Night, None) => Some(
                        "plan for nights (only residents deducted) on counts given per night"
                            .to_owned(),
                    ),
                    (Measure::Night, Some(nights)) => Some(format!(
                        "plan for nights (only residents deducted); {}; local times in {}",
                        nights.settings().describe(),
                        nights.zone()
                    )),
                }
                .map(|text| match estimate.plan().residents_baseline() {
                    Some(baseline) => format!(
                        "{text}; residents at home: a baseline, per area the median present persons of the reference nights {} ({}), in place of the registered figure",
                        baseline
                            .reference
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        baseline
                            .areas
                            .iter()
                            .zip(estimate.plan().scenario().areas())
                            .filter_map(|(f, a)| f.map(|f| format!(
                                "{} {:.1} against {} registered",
                                a.code.as_str(),
                                f.persons,
                                f.registered.map_or_else(|| "none".to_owned(), |r| format!("{r:.0}"))
                            )))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => text,
                }),
                ..Methods::default()
            },
        }
    }

    /// The record of counts split by origin, made now: `split` the rows estimated (those of
    /// `counts` in the plan's period) and `estimate` what the plan made of them. Hashes the
    /// scenario file and its tables; the counts file's hash is the reader's.
    pub fn of_split(
        plan: &Plan,
        counts: &Counts,
        split: &OriginSplit,
        estimate: &OriginEstimate,
    ) -> RunRecord {
        let scenario = plan.scenario();
        let all = counts.origins().map_or(0, |s| s.rows().len() as u64);
        let days = estimate.days();
        let span = days
            .iter()
            .map(|d| d.date)
            .min()
            .zip(days.iter().map(|d| d.date).max());
        let settings = split.settings();
        RunRecord {
            deltid: Build {
                version: VERSION,
                commit: COMMIT,
            },
            created: now(),
            command: Vec::new(),
            scenario: ScenarioRecord::new(scenario),
            inputs: InputFile::all(scenario, counts, all),
            selection: SelectionRecord::new(plan.selection(), span),
            methods: Methods {
                allocation: match scenario.allocation() {
                    Allocation::PresentShare => "present",
                    Allocation::ResidentShare => "residents",
                },
                region: "sum of areas",
                origin: Some(OriginRecord {
                    kind: settings.kind.key(),
                    min_count: settings.min_count,
                    rows: split.rows().len() as u64,
                    area_days: days.len() as u64,
                    suppressed_cells: days.iter().map(|d| u64::from(d.suppressed_cells)).sum(),
                    incomplete_days: estimate.incomplete().len() as u64,
                }),
                ..Methods::default()
            },
        }
    }

    /// The record with the command line that made the run (program name first).
    pub fn set_command(&mut self, command: Vec<String>) {
        self.command = command;
    }

    /// Adds the yearly figures' method and negative policy.
    pub(crate) fn set_yearly(&mut self, yearly: &Yearly) {
        self.methods.annualisation = Some(yearly.method.clone());
        self.methods.negative = Some(yearly.negative.clone());
    }

    /// Adds the small-count protection (`None`: none).
    pub(crate) fn set_disclosure(&mut self, protection: Option<&Protection>) {
        self.methods.disclosure = protection.map(|p| DisclosureRecord {
            min_count: p.rule().min_count(),
            rounding: p.rule().rounding(),
            primary: p.primary(),
            secondary: p.secondary(),
        });
    }

    /// Adds the uncertainty analysis' draws and seed.
    pub(crate) fn set_uncertainty(&mut self, uncertainty: &Uncertainty) {
        self.methods.draws = Some(uncertainty.draws);
        self.methods.seed = Some(uncertainty.seed);
    }

    /// This record with the planners' view's methods added: percentile method, dimensioning
    /// percentile and threshold.
    pub fn with_population(&self, population: &Population) -> RunRecord {
        let mut record = self.clone();
        record.methods.percentile = Some(population.method.clone());
        record.methods.dimensioning = Some(population.dimensioning_percentile);
        record.methods.threshold = population.threshold.map(|t| match t {
            Threshold::Persons(p) => format!("{p} persons"),
            Threshold::TimesResidents(k) => format!("{k} × residents"),
        });
        record
    }

    /// The record as `(field, value)` lines for a sheet or a footer, in a fixed order: the
    /// build, the time, the command, the scenario, each input, the selection, the methods.
    pub fn lines(&self) -> Vec<(String, String)> {
        let mut lines = vec![
            (
                "deltid".to_owned(),
                format!("{} (commit {})", self.deltid.version, self.deltid.commit),
            ),
            ("created".to_owned(), self.created.clone()),
        ];
        if !self.command.is_empty() {
            lines.push(("command".to_owned(), self.command.join(" ")));
        }
        let s = &self.scenario;
        lines.push(("scenario".to_owned(), s.name.clone()));
        lines.push(("uplift".to_owned(), s.uplift.to_string()));
        for (key, value) in &s.deductions {
            lines.push((key.clone(), value.clone()));
        }
        for range in &s.ranges {
            lines.push(("range".to_owned(), range.clone()));
        }
        if s.scaling != [1.0; 3] {
            lines.push((
                "scaling".to_owned(),
                format!(
                    "deduplication {}, market share {}, foreign {}",
                    s.scaling[0], s.scaling[1], s.scaling[2]
                ),
            ));
        }
        if let Some(code) = &s.region_code {
            lines.push(("region code".to_owned(), code.clone()));
        }
        for input in &self.inputs {
            let mut value = input.path.display().to_string();
            if let (Some(hash), Some(bytes)) = (&input.blake3, input.bytes) {
                value.push_str(&format!(", {bytes} bytes, blake3 {hash}"));
            }
            if let Some(rows) = input.rows {
                value.push_str(&format!(", {rows} counts read"));
            }
            lines.push((input.role.to_owned(), value));
        }
        let selection = &self.selection;
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
        lines.push((
            "period".to_owned(),
            format!(
                "from {} to {} (half-open)",
                day(selection.from),
                day(selection.to)
            ),
        ));
        if let Some((first, last)) = selection.days {
            lines.push(("days".to_owned(), format!("{first} to {last}")));
        }
        if !selection.areas.is_empty() {
            lines.push(("areas".to_owned(), selection.areas.join(",")));
        }
        let m = &self.methods;
        lines.push(("allocation".to_owned(), m.allocation.to_owned()));
        lines.push(("region".to_owned(), m.region.to_owned()));
        let optional = [
            ("nights", m.nights.clone()),
            ("annualisation", m.annualisation.clone()),
            ("negative days", m.negative.clone()),
            ("percentiles", m.percentile.clone()),
            ("dimensioning", m.dimensioning.map(|d| d.to_string())),
            ("threshold", m.threshold.clone()),
            ("draws", m.draws.map(|d| d.to_string())),
            ("seed", m.seed.map(|d| d.to_string())),
            (
                "origin",
                m.origin.as_ref().map(|o| {
                    format!(
                        "{}, k = {}: {} rows split by origin, {} area-days, {} cells suppressed, {} days without every area",
                        o.kind, o.min_count, o.rows, o.area_days, o.suppressed_cells, o.incomplete_days
                    )
                }),
            ),
            (
                "disclosure",
                m.disclosure.as_ref().map(|d| {
                    let mut text = match d.min_count {
                        Some(k) => format!(
                            "figures under {k} persons suppressed ({} small, {} more so they cannot be worked out)",
                            d.primary, d.secondary
                        ),
                        None => "no suppression".to_owned(),
                    };
                    if let Some(base) = d.rounding {
                        text.push_str(&format!("; rounded to {base}"));
                    }
                    text
                }),
            ),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                lines.push((key.to_owned(), value));
            }
        }
        lines
    }
}

impl ScenarioRecord {
    fn new(scenario: &Scenario) -> ScenarioRecord {
        let deductions = Deduction::ALL
            .into_iter()
            .map(|d| {
                let value = match scenario.deduction(d) {
                    DeductionSource::Region(p) => format!("{p} persons per day for the region"),
                    DeductionSource::PerArea(values) => {
                        let values: Vec<String> = values.iter().map(f64::to_string).collect();
                        format!("per area: {}", values.join(", "))
                    }
                    DeductionSource::Table(table) => match table.fill() {
                        Some(fill) => format!("table {} (fill {fill})", table.path().display()),
                        None => format!("table {}", table.path().display()),
                    },
                };
                (d.key().to_owned(), value)
            })
            .collect();
        let ranges = scenario
            .uncertain()
            .iter()
            .map(|u| {
                let distribution = serde_json::to_string(&u.distribution).unwrap_or_default();
                format!("{}: {distribution}", u.parameter.key())
            })
            .collect();
        let scaling = scenario.scaling();
        ScenarioRecord {
            name: scenario.name().to_owned(),
            uplift: scenario.uplift().fraction(),
            deductions,
            ranges,
            scaling: [
                scaling.deduplication(),
                scaling.market_share(),
                scaling.foreign(),
            ],
            region_code: scenario.region_code().map(|c| c.as_str().to_owned()),
            areas: scenario.areas().len(),
        }
    }
}

impl SelectionRecord {
    fn new(selection: &Selection, span: Option<(NaiveDate, NaiveDate)>) -> SelectionRecord {
        SelectionRecord {
            from: selection.period.from(),
            to: selection.period.to(),
            areas: selection
                .areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            days: span,
        }
    }
}

impl InputFile {
    /// The scenario, its tables and the counts file (`read` counts or rows read from it).
    fn all(scenario: &Scenario, counts: &Counts, read: u64) -> Vec<InputFile> {
        let mut inputs = vec![InputFile::of("scenario", scenario.path(), None)];
        inputs.extend(
            scenario
                .files()
                .iter()
                .map(|file| InputFile::of("scenario table", file, None)),
        );
        inputs.push(match counts.file_digest() {
            // Taken by the reader as it read the file: no second read.
            Some(digest) => InputFile {
                role: "counts",
                path: counts.path().to_owned(),
                blake3: Some(digest.blake3.clone()),
                bytes: Some(digest.bytes),
                rows: Some(read),
            },
            None => InputFile::of("counts", counts.path(), Some(read)),
        });
        inputs
    }

    fn of(role: &'static str, path: &Path, rows: Option<u64>) -> InputFile {
        let digest = hashed_once(path).ok();
        InputFile {
            role,
            path: path.to_owned(),
            blake3: digest.as_ref().map(|(hash, _)| hash.clone()),
            bytes: digest.map(|(_, bytes)| bytes),
            rows,
        }
    }
}

/// The BLAKE3 hash of a file (64 lowercase hex digits, as `b3sum FILE` prints it) and its
/// size in bytes.
///
/// # Errors
/// The I/O error if the file cannot be read.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok((hasher.finalize().to_hex().to_string(), hasher.count()))
}

/// Starts hashing a counts file for the run record on a thread of its own, for a caller with a
/// core to spare (the command line, while it reads the scenario): [`RunRecord::new`] then takes
/// the hash from there, or waits for it, instead of reading the file again beside the
/// estimate. Nothing is done for a file the counts reader hashes as it reads (delimited text).
pub fn hash_ahead(path: &Path) {
    // Only a regular file: a pipe's bytes are the reader's (and opening one waits for a
    // writer), and the reader refuses pipes and devices.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file())
        || deltid_io::digest_taken_while_read(path)
    {
        return;
    }
    let path = path.to_owned();
    std::thread::spawn(move || hashed_once(&path));
}

/// A file as hashed: its path, size and time of last change, and on Unix its device, inode and
/// time of last status change, which any write or rename onto the path moves (a file swapped
/// for another of the same size and modification time is another file).
#[derive(Clone, Debug, PartialEq)]
struct FileKey {
    path: PathBuf,
    bytes: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    identity: (u64, u64, i64, i64),
}

impl FileKey {
    fn of(path: &Path) -> std::io::Result<FileKey> {
        let meta = std::fs::metadata(path)?;
        Ok(FileKey {
            path: path.to_owned(),
            bytes: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            identity: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
            },
        })
    }
}

/// The files hashed in this process, each with its hash once taken (or being taken: the lock
/// is held meanwhile).
type Hashed = Vec<(FileKey, Arc<Mutex<Option<(String, u64)>>>)>;

static HASHED: Mutex<Hashed> = Mutex::new(Vec::new());

/// [`hash_file`], read and hashed once in the process for the same file ([`FileKey`]), however
/// often it is asked for. A hash is kept only if the file did not change while it was read.
fn hashed_once(path: &Path) -> std::io::Result<(String, u64)> {
    let key = FileKey::of(path)?;
    let entry = {
        let mut hashed = HASHED.lock().unwrap_or_else(PoisonError::into_inner);
        match hashed.iter().find(|(k, _)| *k == key) {
            Some((_, entry)) => Arc::clone(entry),
            None => {
                let entry = Arc::new(Mutex::new(None));
                hashed.push((key.clone(), Arc::clone(&entry)));
                entry
            }
        }
    };
    let mut digest = entry.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(digest) = digest.as_ref() {
        return Ok(digest.clone());
    }
    let taken = hash_file(path)?;
    if FileKey::of(path)? == key {
        *digest = Some(taken.clone());
    }
    Ok(taken)
}

/// Now, UTC, RFC 3339 to the second.
fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(seconds as i64, 0)
        .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blake3_of_a_known_text() {
        // `printf abc | b3sum`.
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("abc.txt");
        std::fs::write(&path, "abc").expect("written");
        let (hash, bytes) = hash_file(&path).expect("hashed");
        assert_eq!(
            hash,
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
        assert_eq!(bytes, 3);
    }

    /// A file hashed ahead (as the command line does with Parquet counts) gives the run record
    /// its hash; a file changed since is hashed again, not taken from before.
    #[test]
    fn a_file_hashed_ahead_is_hashed_once_until_it_changes() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("counts.parquet");
        std::fs::write(&path, "abc").expect("written");
        assert!(!deltid_io::digest_taken_while_read(&path));
        let csv = dir.path().join("counts.csv");
        std::fs::write(&csv, "date,area,count\n").expect("written");
        assert!(deltid_io::digest_taken_while_read(&csv));
        hash_ahead(&path);
        let abc = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";
        assert_eq!(hashed_once(&path).expect("hashed"), (abc.to_owned(), 3));
        assert_eq!(hashed_once(&path).expect("hashed"), (abc.to_owned(), 3));
        std::fs::write(&path, "abcd").expect("written");
        let abcd = hash_file(&path).expect("hashed");
        assert_eq!(abcd.1, 4);
        assert_eq!(hashed_once(&path).expect("hashed"), abcd);
        assert!(hashed_once(&dir.path().join("missing.parquet")).is_err());
        // Swapped (renamed onto the path) for a file of the same size and modification time:
        // another file, hashed again.
        let swap = dir.path().join("swap.parquet");
        std::fs::write(&swap, "abce").expect("written");
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("a time");
        std::fs::File::options()
            .write(true)
            .open(&swap)
            .and_then(|f| f.set_modified(modified))
            .expect("time set");
        std::fs::rename(&swap, &path).expect("renamed");
        let abce = hash_file(&path).expect("hashed");
        assert_ne!(abce, abcd);
        assert_eq!(hashed_once(&path).expect("hashed"), abce);
    }
}
