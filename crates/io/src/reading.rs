//! What a read of counts takes and gives (options, progress, the counts with their problems),
//! and what every counts reader shares: the header's layout, problems collected in file order,
//! the search for repeated days, the store of a batch of rows.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use deltid_model::{
    Counts, CountsBuilder, CountsWriter, Error, FileDigest, Location, Nights, OriginSettings,
    OriginSplit, Place, Refused, Result, Scenario, SplitProblem, SplitRow, SplitValue, TimedCount,
    from_epoch_day, stray_days,
};

use crate::cell::{DateFormat, DateParser, NumberStyle, TimeParser};
use crate::rows::{
    Batch, Cell, Layout, MAX_REPORTED, Problem, ProblemKind, Rules, header_place, place_of,
};
use crate::source::{SourceOptions, column_index, same_name};

/// Names of the columns of a counts file. A name left at its default is also found under the
/// common Norwegian headers: `dato`; `kommunenummer`, `kommunenr`, `kommune`, `område`;
/// `antall`, `personer` (in any case).
///
/// Defaults: `date`, `area`, `count`, and no SIM-origin split. Other columns in the file are
/// ignored. In the wide shape only `date` is used: every other column is an area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountsColumns {
    /// Column holding the date.
    pub date: String,
    /// Column holding the area (a code, a label such as `K-3043 Ål`, an old code or a name).
    pub area: String,
    /// Column holding the count of persons present (non-negative, fractions allowed): all SIMs,
    /// domestic and foreign.
    pub count: String,
    /// Column holding the foreign SIMs (inbound roamers) among `count`, if the operator splits
    /// counts by SIM origin; they are scaled by the scenario's `[scaling] foreign` factor
    /// instead of the uplift. Each must be at most its row's count. Naming one implies the long
    /// shape.
    pub foreign: Option<String>,
    /// Column holding timestamps, for hourly or time-point counts (long shape, no date
    /// column): RFC 3339 with an offset, or local times in the scenario's `time_zone`. Without
    /// it, a header with no date column but one named `ts`, `time`, `timestamp` or
    /// `tidspunkt` (in any case) is read as hourly counts. Hourly counts become night counts
    /// ([`deltid_model::Nights`]).
    pub time: Option<String>,
    /// Column holding the origin of counts split by origin (`date, area, origin, count`), read
    /// when the scenario declares `[origin]`: an area of the scenario, another municipality
    /// (four digits), a country (two letters) or `total` (the area's unsplit count); a count
    /// of `-1` marks a suppressed cell. Without it, the header's `origin`, `opprinnelse`,
    /// `home` or `heimstad` (in any case) is taken; a file without such a column is read as
    /// counts of the usual kind (to compare with).
    pub origin: Option<String>,
}

/// Names of an origin column, found when none is named.
const ORIGIN_NAMES: [&str; 4] = ["origin", "opprinnelse", "home", "heimstad"];

/// Names recognised for a column left at its default name, in order of preference: the
/// default, then the common Norwegian headers (a municipality number before a name).
pub(crate) const DATE_NAMES: [&str; 2] = ["date", "dato"];
/// `område` is also the area column of deltid's own tables in Norwegian, so they read back.
pub(crate) const AREA_NAMES: [&str; 5] =
    ["area", "kommunenummer", "kommunenr", "kommune", "område"];
const COUNT_NAMES: [&str; 4] = ["count", "antall", "personer", "personar"];
/// Names of the persons column of a deduction table (bokmål and nynorsk beside English).
pub(crate) const PERSONS_NAMES: [&str; 4] = ["persons", "personer", "personar", "antall"];
/// Names of a timestamp column, found when the header has no date column.
const TIME_NAMES: [&str; 4] = ["ts", "time", "timestamp", "tidspunkt"];

impl CountsColumns {
    /// The names the date column may have: the one given, or with the default also `dato`.
    /// With them, the names of a timestamp column (the one given, or the common ones), so
    /// that the header of hourly counts is found too.
    pub(crate) fn date_names(&self) -> Vec<&str> {
        let mut all = names(&self.date, &DATE_NAMES);
        match &self.time {
            Some(time) => all.push(time),
            None => all.extend(TIME_NAMES),
        }
        all
    }

    /// The timestamp column of a header, if the counts are hourly: the one given, else, when
    /// the header has no date column, the first of the common names it has.
    pub(crate) fn time_in(&self, header: &[String]) -> Option<String> {
        if let Some(time) = &self.time {
            return Some(time.clone());
        }
        let dated = names(&self.date, &DATE_NAMES)
            .iter()
            .any(|name| header.iter().any(|h| same_name(h, name)));
        if dated {
            return None;
        }
        TIME_NAMES
            .iter()
            .find_map(|name| header.iter().find(|h| same_name(h, name)))
            .cloned()
    }

    /// The origin column of a header: the one given, else the first of the common names it
    /// has.
    pub(crate) fn origin_in(&self, header: &[String]) -> Option<String> {
        if let Some(origin) = &self.origin {
            return Some(origin.clone());
        }
        ORIGIN_NAMES
            .iter()
            .find_map(|name| header.iter().find(|h| same_name(h, name)))
            .cloned()
    }

    /// The columns as `header` names them: a column left at its default name (`date`,
    /// `area`, `count`) and absent from the header takes the first Norwegian name the header
    /// has (`dato`; `kommunenummer`, `kommunenr`, `kommune`, `område`; `antall`, `personer`),
    /// in any case. A column named otherwise, or with no such header, stays as it is.
    pub(crate) fn in_header(&self, header: &[String]) -> CountsColumns {
        let pick = |column: &String, known: &[&str]| {
            if header.contains(column) {
                return column.clone();
            }
            names(column, known)
                .iter()
                .find_map(|name| header.iter().find(|h| same_name(h, name)))
                .cloned()
                .unwrap_or_else(|| column.clone())
        };
        CountsColumns {
            date: pick(&self.date, &DATE_NAMES),
            area: pick(&self.area, &AREA_NAMES),
            count: pick(&self.count, &COUNT_NAMES),
            foreign: self.foreign.clone(),
            time: self.time.clone(),
            origin: self.origin.clone(),
        }
    }
}

/// `column` as `header` names it: the header's own spelling of `column` in any case, else,
/// when `column` is the default (`known[0]`), of the first other name the header has; `None`
/// when the header has none of them.
pub(crate) fn name_in(header: &[String], column: &str, known: &[&str]) -> Option<String> {
    names(column, known)
        .iter()
        .find_map(|name| header.iter().find(|h| same_name(h, name)))
        .cloned()
}

/// `column`, and the other names it is known by when it is the default (`known[0]`).
pub(crate) fn names<'a>(column: &'a str, known: &[&'a str]) -> Vec<&'a str> {
    if column == known[0] {
        known.to_vec()
    } else {
        vec![column]
    }
}

impl Default for CountsColumns {
    fn default() -> Self {
        CountsColumns {
            date: "date".to_owned(),
            area: "area".to_owned(),
            count: "count".to_owned(),
            foreign: None,
            time: None,
            origin: None,
        }
    }
}

/// The layout of a counts table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    /// Long if the header has the area and count columns, else wide.
    #[default]
    Auto,
    /// One row per date and area: date, area, count.
    Long,
    /// One row per date: a date column and one column per area (codes or names as headers),
    /// as spreadsheets have it. Empty cells are days without a count.
    Wide,
}

/// How to read a counts file: its columns, shape, file dialect, numbers and dates. The
/// defaults detect everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountsOptions {
    /// Column names.
    pub columns: CountsColumns,
    /// Long or wide.
    pub shape: Shape,
    /// Separator, encoding, sheet.
    pub source: SourceOptions,
    /// Decimal mark and thousands separators.
    pub numbers: NumberStyle,
    /// Date format.
    pub dates: DateFormat,
}

/// How far a read has come: bytes of the file read (of `total`, when known) and counts read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file read.
    pub bytes: u64,
    /// The file's size, when known.
    pub total: Option<u64>,
    /// Counts (area-days) read.
    pub rows: u64,
}

/// What a read gave: the counts of every good row, the problems found (the first
/// [`MAX_REPORTED`] in file order, and how many more), and the sheet read from a workbook.
#[derive(Debug)]
pub struct Reading {
    counts: Counts,
    problems: Vec<Error>,
    more: usize,
    sheet: Option<String>,
}

impl Reading {
    /// The counts of the rows without problems.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The problems found, in file order (at most [`MAX_REPORTED`]).
    pub fn problems(&self) -> &[Error] {
        &self.problems
    }

    /// Problems found beyond those listed.
    pub fn more(&self) -> usize {
        self.more
    }

    /// The sheet read, for a spreadsheet.
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }

    /// The reading with the digest of its file, when the reader took one.
    pub(crate) fn with_file_digest(mut self, digest: Option<FileDigest>) -> Reading {
        if let Some(digest) = digest {
            self.counts = self.counts.with_file_digest(digest);
        }
        self
    }

    /// The counts, or the problems as one error ([`Error::Many`] when there are several).
    ///
    /// # Errors
    /// The problems found; [`Error::EmptyInput`] when there are no counts
    /// ([`Error::NoNightCounts`] for hourly counts that give no night).
    pub fn into_counts(mut self) -> Result<Counts> {
        // A value refused without a problem listed (`more` alone) is still refused: counts
        // are never returned without it.
        match (self.problems.len(), self.more) {
            (0, 0)
                if self.counts.is_empty()
                    && self.counts.origins().is_none_or(OriginSplit::is_empty) =>
            {
                Err(self.counts.empty_error())
            }
            (0, 0) => Ok(self.counts),
            (1, 0) => Err(self.problems.remove(0)),
            _ => Err(Error::Many {
                path: self.counts.path().to_owned(),
                errors: self.problems,
                more: self.more,
            }),
        }
    }
}

/// What a header says of a file: its layout, the problems of a wide header's cells (cells
/// that name no area, by column), and for hourly counts the reader of their timestamps.
pub(crate) type HeaderLayout = (Layout, Vec<(usize, ProblemKind)>, Option<TimeParser>);

/// The layout of a header: long or wide by the options, with column positions, and the
/// problems of a wide header's cells (cells that name no area), by column. Hourly counts (a
/// timestamp column) are long, their timestamps in the date column's place.
pub(crate) fn layout(
    path: &Path,
    header: &[String],
    options: &CountsOptions,
    scenario: &Scenario,
) -> Result<HeaderLayout> {
    let columns = &options.columns.in_header(header);
    if let Some(time) = options.columns.time_in(header) {
        let times =
            TimeParser::new(scenario.time_zone()).ok_or_else(|| Error::InvalidScenario {
                path: scenario.path().to_owned(),
                key: "time_zone".to_owned(),
                reason: format!(
                    "{} is not a time zone of the IANA database (write e.g. \"Europe/Oslo\")",
                    deltid_model::quoted(scenario.time_zone())
                ),
            })?;
        if columns.foreign.is_some() {
            return Err(Error::UnsupportedInput {
                scenario: scenario.path().to_owned(),
                what: "hourly counts split by SIM origin".to_owned(),
                reason: "night counts are read from `time, area, count` without a foreign column"
                    .to_owned(),
            });
        }
        return Ok((
            Layout::Long {
                date: column_index(header, &time, path)?,
                area: column_index(header, &columns.area, path)?,
                count: column_index(header, &columns.count, path)?,
                foreign: None,
                origin: None,
            },
            Vec::new(),
            Some(times),
        ));
    }
    let date = column_index(header, &columns.date, path)?;
    let origin = options.columns.origin_in(header);
    // With [origin], a file with an origin column is a split; one without is read as the
    // scenario's other counts are (day counts to compare with), unless a column was named.
    let split = origin
        .as_ref()
        .filter(|o| header.contains(o) || options.columns.origin.is_some());
    match (scenario.origin(), split) {
        (Some(_), Some(origin)) => {
            if columns.foreign.is_some() {
                return Err(Error::UnsupportedInput {
                    scenario: scenario.path().to_owned(),
                    what: "counts split by origin with a foreign-SIM column".to_owned(),
                    reason: "foreign visitors are the rows whose origin is a country".to_owned(),
                });
            }
            return Ok((
                Layout::Long {
                    date,
                    area: column_index(header, &columns.area, path)?,
                    count: column_index(header, &columns.count, path)?,
                    foreign: None,
                    origin: Some(column_index(header, origin, path)?),
                },
                Vec::new(),
                None,
            ));
        }
        (None, Some(origin)) => {
            return Err(Error::UnsupportedInput {
                scenario: scenario.path().to_owned(),
                what: format!(
                    "counts split by origin (column {} of {})",
                    deltid_model::ticked(origin),
                    path.display()
                ),
                reason: "declare what the origin means in the scenario: [origin] kind = \"previous-night\", \"home\" or \"sim-country\", and min_count = the operator's smallest published count".to_owned(),
            });
        }
        _ => {}
    }
    let long = match options.shape {
        Shape::Long => true,
        Shape::Wide => false,
        Shape::Auto => {
            columns.foreign.is_some()
                || header.contains(&columns.area)
                || header.contains(&columns.count)
        }
    };
    if long {
        let area = column_index(header, &columns.area, path)?;
        let count = column_index(header, &columns.count, path)?;
        let foreign = columns
            .foreign
            .as_ref()
            .map(|name| column_index(header, name, path))
            .transpose()?;
        return Ok((
            Layout::Long {
                date,
                area,
                count,
                foreign,
                origin: None,
            },
            Vec::new(),
            None,
        ));
    }
    let mut problems = Vec::new();
    let mut areas = Vec::new();
    for (column, name) in header.iter().enumerate() {
        if column == date {
            continue;
        }
        // A blank header cell names no area: its column is read only to refuse a value in it.
        if name.trim().is_empty() {
            areas.push((column, None));
            continue;
        }
        match header_place(name, scenario) {
            Ok(place) => areas.push((column, Some(place))),
            Err(kind) => {
                problems.push((column, kind));
                areas.push((column, None));
            }
        }
    }
    Ok((Layout::Wide { date, areas }, problems, None))
}

/// The date parser of a counts file's date column (`column`, its name in the header): the
/// declared format, or the one its date cells fit.
///
/// # Errors
/// [`Error::AmbiguousDates`] when the cells fit two formats and none is declared.
pub(crate) fn choose_dates<'a>(
    path: &Path,
    column: &str,
    options: &CountsOptions,
    cells: impl Iterator<Item = &'a str> + Clone,
) -> Result<DateParser> {
    DateParser::choose(&options.dates, cells).map_err(|example| Error::AmbiguousDates {
        path: path.to_owned(),
        column: column.to_owned(),
        example,
    })
}

/// The problems of a header's cells (cells that name no area), as a batch of the header's
/// record.
pub(crate) fn header_batch(
    rules: &Rules<'_>,
    record: u64,
    problems: Vec<(usize, ProblemKind)>,
) -> Batch {
    let mut batch = Batch::default();
    for (column, kind) in problems {
        batch.problems.push(Problem {
            record,
            column,
            kind,
            value: rules.header[column].clone(),
        });
    }
    batch
}

/// Collects the problems of a read in file order.
pub(crate) struct Collector<'a> {
    rules: &'a Rules<'a>,
    /// (sort key, error): the sort key is the record's line or row, then its column.
    problems: Vec<((u64, usize), Error)>,
    more: usize,
    /// Unknown or ambiguous area cells already reported.
    reported: HashSet<String>,
    /// Counts refused as a second count of a place and day.
    pub(crate) repeats: u64,
    /// Hourly or time-point counts, to be reduced to nights at the end.
    hours: Vec<TimedCount>,
    /// Counts split by origin.
    splits: Vec<SplitRow>,
    /// Where each split count is (its order in the file, and the place of its count cell and
    /// of its origin cell), in the order of `splits`.
    split_places: Vec<(u64, Location, Location)>,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(rules: &'a Rules<'a>) -> Collector<'a> {
        Collector {
            rules,
            problems: Vec::new(),
            more: 0,
            reported: HashSet::new(),
            repeats: 0,
            hours: Vec::new(),
            splits: Vec::new(),
            split_places: Vec::new(),
        }
    }

    /// Takes one batch's problems, each with its place in the file (and an order to sort by).
    pub(crate) fn take(
        &mut self,
        mut batch: Batch,
        locate: impl Fn(u64, usize) -> (u64, Location),
    ) {
        self.hours.append(&mut batch.hours);
        self.splits.append(&mut batch.splits);
        if let Layout::Long {
            count,
            origin: Some(origin),
            ..
        } = self.rules.layout
        {
            for record in batch.split_records.drain(..) {
                let (order, at) = locate(record, count);
                let (_, origin_at) = locate(record, origin);
                self.split_places.push((order, at, origin_at));
            }
        }
        for problem in batch.problems {
            let area = matches!(
                problem.kind,
                ProblemKind::UnknownArea | ProblemKind::AmbiguousArea(_)
            );
            if area && !self.reported.insert(problem.value.clone()) {
                continue;
            }
            let (order, at) = locate(problem.record, problem.column);
            let column = problem.column;
            let error = self.rules.error(problem, at);
            self.problems.push(((order, column), error));
        }
        self.more += batch.more;
        self.repeats += batch.repeats;
    }

    /// The reading: the problems and the repeats found (each with its order) sorted into file
    /// order and cut to [`MAX_REPORTED`]. Dates far outside the others' span are problems too
    /// (found by `replay`, placed by `locate`), and their counts are left out.
    ///
    /// # Errors
    /// What `replay` gives, if stray dates send it through the file again.
    pub(crate) fn finish(
        mut self,
        builder: CountsBuilder,
        (repeats, sheet): (Option<Vec<(u64, Error)>>, Option<String>),
        (replay, locate): (&Replay<'_>, &dyn Fn(u64) -> Location),
    ) -> Result<Reading> {
        if self.rules.times.is_some() {
            return self.finish_nights(builder, sheet, locate);
        }
        if let (
            Layout::Long {
                origin: Some(_), ..
            },
            Some(settings),
        ) = (&self.rules.layout, self.rules.scenario.origin())
        {
            return Ok(self.finish_split(*settings, builder, sheet));
        }
        let (mut counts, unseen) = builder.finish_with_unseen_repeats(self.rules.path);
        // A place and day two writers added at the same moment was refused by neither: a
        // repeat all the same, counted here, so that the count does not hang on the timing.
        self.repeats += unseen;
        // Repeats not found while reading are found, with their lines, by a second pass.
        let repeats = match repeats {
            Some(repeats) => repeats,
            None if self.repeats == 0 => Vec::new(),
            None => find_repeats(self.rules, replay, locate)?,
        };
        let (strays, span) = stray_days(&counts.days_counted());
        if !strays.is_empty() {
            let column = match &self.rules.layout {
                Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
            };
            for (order, error) in find_strays(self.rules, replay, locate, &strays, span)? {
                self.problems.push(((order, column), error));
            }
            counts = counts.without_days(&strays);
        }
        let unlisted = (self.repeats as usize).saturating_sub(repeats.len());
        self.problems
            .extend(repeats.into_iter().map(|(order, e)| ((order, 0), e)));
        Ok(self.reading(unlisted, counts, sheet))
    }

    /// The reading of `counts`: the problems sorted into file order and cut to
    /// [`MAX_REPORTED`], with how many more there were (`unlisted` besides those counted).
    fn reading(mut self, unlisted: usize, counts: Counts, sheet: Option<String>) -> Reading {
        self.problems.sort_by_key(|(order, _)| *order);
        let total = self.problems.len() + self.more + unlisted;
        let problems: Vec<Error> = self
            .problems
            .into_iter()
            .take(MAX_REPORTED)
            .map(|(_, e)| e)
            .collect();
        Reading {
            more: total - problems.len(),
            problems,
            counts,
            sheet,
        }
    }
}

impl Collector<'_> {
    /// The reading of counts split by origin: the split, each area, day and origin once (a
    /// repeat is a problem); the grid holds nothing.
    fn finish_split(
        mut self,
        settings: OriginSettings,
        builder: CountsBuilder,
        sheet: Option<String>,
    ) -> Reading {
        let scenario = self.rules.scenario;
        let rows = std::mem::take(&mut self.splits);
        let counts = builder.finish(self.rules.path);
        let counts = match OriginSplit::new(settings, rows.clone()) {
            Ok(split) => counts.with_origins(split),
            Err(found) => {
                let (count_column, origin_column) = match self.rules.layout {
                    Layout::Long {
                        count,
                        origin: Some(origin),
                        ..
                    } => (count, origin),
                    _ => (0, 0),
                };
                let name = |c: usize| self.rules.header.get(c).cloned().unwrap_or_default();
                let areas = scenario.areas();
                let path = self.rules.path.to_owned();
                for problem in found {
                    let row = match problem {
                        SplitProblem::Repeat { second: row, .. }
                        | SplitProblem::TotalBelowPublished { row, .. }
                        | SplitProblem::MarkerWithoutThreshold { row }
                        | SplitProblem::MunicipalityUnderSimCountry { row } => row,
                    };
                    let (order, at, origin_at) = self.split_places[row].clone();
                    let r = &rows[row];
                    let area = areas[r.area].code.to_string();
                    let date = from_epoch_day(r.day).to_string();
                    let origin = r.origin.code(areas);
                    let count_text = match r.value {
                        SplitValue::Published(v) => persons_text(v),
                        SplitValue::Marked => "-1".to_owned(),
                    };
                    let bad = |at: Location, column: usize, value: String, reason: String| {
                        Error::BadOrigin {
                            path: path.clone(),
                            at,
                            column: name(column),
                            value,
                            reason,
                        }
                    };
                    let error = match problem {
                        SplitProblem::Repeat { first, .. } => Error::DuplicateOrigin {
                            path: path.clone(),
                            at: origin_at,
                            first: self.split_places[first].1.clone(),
                            column: name(origin_column),
                            value: origin.clone(),
                            area,
                            date,
                            origin,
                        },
                        SplitProblem::TotalBelowPublished {
                            total, published, ..
                        } => bad(
                            at,
                            count_column,
                            count_text,
                            format!(
                                "total {} is below the {} published for area {area} on {date}: the suppressed mass cannot be negative",
                                persons_text(total),
                                persons_text(published)
                            ),
                        ),
                        SplitProblem::MarkerWithoutThreshold { .. } => bad(
                            at,
                            count_column,
                            count_text,
                            "a -1 marker is a cell suppressed for being under the operator's k, and [origin] min_count = 0 suppresses nothing: give the operator's smallest published count".to_owned(),
                        ),
                        SplitProblem::MunicipalityUnderSimCountry { .. } => bad(
                            origin_at,
                            origin_column,
                            origin,
                            "a municipality, but [origin] kind = \"sim-country\" has countries only (two letters; NO for Norwegian SIMs): declare kind = \"home\" or \"previous-night\" if the origins are homes".to_owned(),
                        ),
                    };
                    self.problems.push(((order, count_column), error));
                }
                counts
            }
        };
        self.reading(0, counts, sheet)
    }

    /// The reading of hourly counts: reduced to nights by the scenario's night settings, each
    /// night's count stored at its evening date.
    fn finish_nights(
        mut self,
        builder: CountsBuilder,
        sheet: Option<String>,
        locate: &dyn Fn(u64) -> Location,
    ) -> Result<Reading> {
        let scenario = self.rules.scenario;
        let hours = std::mem::take(&mut self.hours);
        let keys = scenario.areas().len() + 1;
        let nights =
            match Nights::reduce(scenario.night_settings(), scenario.time_zone(), keys, hours) {
                Ok(nights) => Some(nights),
                Err(same) => {
                    let area = match place_of(same.key as u32, scenario) {
                        Place::Area(i) => scenario.areas()[i].code.to_string(),
                        Place::Region => scenario
                            .region_code()
                            .map_or_else(String::new, ToString::to_string),
                    };
                    let instant = chrono::DateTime::from_timestamp(same.instant, 0)
                        .map_or_else(|| same.instant.to_string(), |t| t.to_rfc3339());
                    let column = match &self.rules.layout {
                        Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
                    };
                    self.problems.push((
                        (same.second.order, column),
                        Error::SameInstant {
                            path: self.rules.path.to_owned(),
                            at: locate(same.second.order),
                            first: locate(same.first.order),
                            column: self.rules.header.get(column).cloned().unwrap_or_default(),
                            value: same.second.local.format("%Y-%m-%dT%H:%M:%S").to_string(),
                            area,
                            instant,
                            local: same.second.local.format("%Y-%m-%d %H:%M:%S").to_string(),
                            zone: scenario.time_zone().to_owned(),
                            counts: format!(
                                "{} and {}",
                                trim_float(same.first.persons),
                                trim_float(same.second.persons)
                            ),
                        },
                    ));
                    None
                }
            };
        if let Some(nights) = &nights {
            let mut writer = builder.writer();
            for night in nights.counts() {
                let place = place_of(night.key as u32, scenario);
                // Night counts are persons read and checked, each place and night once.
                if writer
                    .insert_day(place, night.night, night.persons, 0.0)
                    .is_err()
                {
                    self.more += 1;
                }
            }
        }
        let mut counts = builder.finish(self.rules.path);
        if let Some(nights) = nights {
            counts = counts.with_nights(nights);
        }
        Ok(self.reading(0, counts, sheet))
    }
}

/// Persons as text for a message: shortest, without the noise of a sum's last bits.
fn persons_text(value: f64) -> String {
    let rounded = (value * 1e6).round() / 1e6;
    format!("{rounded}")
}

/// A count as a message shows it: whole numbers without a decimal point.
fn trim_float(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// The first occurrence of each stray day (see [`stray_days`]) in file order, as
/// [`Error::StrayDate`] with its order in the file.
fn find_strays(
    rules: &Rules<'_>,
    replay: &Replay<'_>,
    locate: &dyn Fn(u64) -> Location,
    strays: &[i32],
    (first, last): (i32, i32),
) -> Result<Vec<(u64, Error)>> {
    let wanted: HashSet<i32> = strays.iter().copied().collect();
    let mut found: HashMap<i32, u64> = HashMap::new();
    replay(&mut |order, cell| {
        if wanted.contains(&cell.day) {
            found.entry(cell.day).or_insert(order);
        }
    })?;
    let column = match &rules.layout {
        Layout::Long { date, .. } | Layout::Wide { date, .. } => *date,
    };
    let mut found: Vec<(i32, u64)> = found.into_iter().collect();
    found.sort_by_key(|(_, order)| *order);
    Ok(found
        .into_iter()
        .map(|(day, order)| {
            let days = if day < first { first - day } else { day - last };
            (
                order,
                Error::StrayDate {
                    path: rules.path.to_owned(),
                    at: locate(order),
                    column: rules.header.get(column).cloned().unwrap_or_default(),
                    value: from_epoch_day(day).to_string(),
                    first: from_epoch_day(first).to_string(),
                    last: from_epoch_day(last).to_string(),
                    days: i64::from(days),
                },
            )
        })
        .collect())
}

/// A replay of every count of a file, each with its order in the file (a line or row).
pub(crate) type Replay<'a> = dyn Fn(&mut dyn FnMut(u64, &Cell)) -> Result<()> + 'a;

/// Finds the first [`MAX_REPORTED`] repeats of a place and day in file order, with where the
/// first count of each was: from a replay of every count with its order in the file (a line or
/// row), called twice.
pub(crate) fn find_repeats(
    rules: &Rules<'_>,
    replay: &Replay<'_>,
    locate: &dyn Fn(u64) -> Location,
) -> Result<Vec<(u64, Error)>> {
    // The days seen by each place, as bits per day: memory for the days present only.
    let keys = rules.scenario.areas().len() + 1;
    let mut seen: HashMap<i32, Vec<u64>> = HashMap::new();
    let mut repeats: Vec<((u32, i32), u64)> = Vec::new();
    replay(&mut |order, cell| {
        if repeats.len() >= MAX_REPORTED {
            return;
        }
        let bits = seen
            .entry(cell.day)
            .or_insert_with(|| vec![0; keys.div_ceil(64)]);
        let (word, bit) = (cell.key as usize / 64, 1u64 << (cell.key % 64));
        if bits[word] & bit != 0 {
            repeats.push(((cell.key, cell.day), order));
        }
        bits[word] |= bit;
    })?;
    drop(seen);
    let wanted: HashSet<(u32, i32)> = repeats.iter().map(|r| r.0).collect();
    let mut firsts: HashMap<(u32, i32), u64> = HashMap::new();
    replay(&mut |order, cell| {
        let pair = (cell.key, cell.day);
        if wanted.contains(&pair) {
            firsts.entry(pair).or_insert(order);
        }
    })?;
    Ok(repeats
        .into_iter()
        .map(|(pair, order)| {
            let first = firsts.get(&pair).copied().unwrap_or(order);
            (
                order,
                duplicate_error(rules, pair, locate(order), locate(first)),
            )
        })
        .collect())
}

/// The cells a reader gathers before it stores them ([`store`]): counts are stored as they
/// come, a few at a time, while they are still in cache.
pub(crate) const STORE_EVERY: usize = 256;

/// Stores a batch's counts through a writer, counting the repeats refused.
pub(crate) fn store(writer: &mut CountsWriter<'_>, rules: &Rules<'_>, batch: &mut Batch) {
    let (mut repeats, mut more) = (0, 0);
    let cells = batch.cells.drain(..).map(|cell| {
        let place = place_of(cell.key, rules.scenario);
        (place, cell.day, cell.observed, cell.foreign)
    });
    writer.insert_days(cells, |why| match why {
        Refused::Duplicate => repeats += 1,
        // The rows' checks refuse every other case first.
        _ => more += 1,
    });
    batch.repeats += repeats;
    batch.more += more;
}

/// [`Error::DuplicateRow`] for a place and day.
pub(crate) fn duplicate_error(
    rules: &Rules<'_>,
    (key, day): (u32, i32),
    at: Location,
    first: Location,
) -> Error {
    let area = match place_of(key, rules.scenario) {
        Place::Area(i) => rules.scenario.areas()[i].code.to_string(),
        Place::Region => rules
            .scenario
            .region_code()
            .map_or_else(String::new, ToString::to_string),
    };
    Error::DuplicateRow {
        path: rules.path.to_owned(),
        at,
        first,
        area,
        date: deltid_model::from_epoch_day(day).to_string(),
    }
}
