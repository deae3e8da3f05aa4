//! Daily counts per area in one compact form, from which every view is computed.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use chrono::NaiveDate;

use crate::day::{DAYS, Day, epoch_day, from_epoch_day, in_range};
use crate::lines::MAX_PERSONS;
use crate::night::{Measure, Nights};
use crate::scenario::Scenario;

/// Whose count a count is: an area of the scenario (its position), or the region's own count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// The area at this position among the scenario's areas.
    Area(usize),
    /// The region's own count (the scenario's `region_code`).
    Region,
}

/// Why a count was refused by [`CountsWriter::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The place already has a count that day.
    #[error("a second count for the same place and day")]
    Duplicate,
    /// The count is not a number of persons: negative, not finite, or above
    /// [`MAX_PERSONS`](crate::MAX_PERSONS).
    #[error("not a number of persons")]
    NotPersons,
    /// The foreign SIMs are more than the count they are part of (or not persons).
    #[error("more foreign SIMs than SIMs counted")]
    ForeignAboveCount,
    /// The date is outside [`MIN_YEAR`](crate::MIN_YEAR)..=[`MAX_YEAR`](crate::MAX_YEAR).
    #[error("a date outside the years taken")]
    DateOutOfRange,
    /// The place is not one of the scenario's (an area position beyond its areas, or the
    /// region when the scenario names no `region_code`).
    #[error("not an area of the scenario")]
    UnknownPlace,
}

/// One day's counts: per key (areas, then the region's own count), persons; `NaN` where a key
/// has no count.
#[derive(Clone, Debug)]
pub(crate) struct DayRow {
    pub(crate) observed: Observed,
    /// The foreign SIMs among the observed, when the counts split them.
    pub(crate) foreign: Option<Box<[f64]>>,
}

/// A day's counts, one per key: in 4 bytes each where every count of the day is exactly an
/// `f32` (whole persons up to 16 777 216, as most counts are), else in 8. Either way a count
/// reads back as the very `f64` that was added; `NaN` where a key has no count.
#[derive(Clone, Debug)]
pub(crate) enum Observed {
    /// Every count of the day is exactly an `f32`.
    Narrow(Box<[f32]>),
    /// Some count of the day is not.
    Wide(Box<[f64]>),
}

impl Observed {
    /// The count at `key`, `NaN` if none.
    #[inline]
    pub(crate) fn at(&self, key: usize) -> f64 {
        match self {
            Observed::Narrow(values) => f64::from(values[key]),
            Observed::Wide(values) => values[key],
        }
    }

    /// The number of keys with a count.
    fn counted(&self) -> usize {
        match self {
            Observed::Narrow(values) => values.iter().filter(|v| !v.is_nan()).count(),
            Observed::Wide(values) => values.iter().filter(|v| !v.is_nan()).count(),
        }
    }
}

/// Daily counts of persons present per area (and the region's own count), read and checked.
///
/// At most one count per area and day, each finite and within 0..=[`MAX_PERSONS`] persons,
/// with the foreign SIMs among it (0 without a SIM-origin split). Held compactly: one `f32`
/// per area and day of the counts' span where the day's counts are whole persons, else one
/// `f64` (and one more `f64` with a SIM-origin split), so that memory grows
/// with areas × days, not with the bytes of the file. Cloning is cheap (the counts are shared).
///
/// Built with a [`CountsBuilder`]; deltid's readers (`deltid-io`) build one from a file.
#[derive(Clone, Debug)]
pub struct Counts {
    inner: Arc<Grid>,
}

#[derive(Clone, Debug)]
struct Grid {
    path: PathBuf,
    rows: u64,
    areas: usize,
    keys: usize,
    first: Day,
    days: Vec<Option<DayRow>>,
    foreign: bool,
    /// Set when the counts are night counts reduced from hourly counts.
    nights: Option<Arc<Nights>>,
    /// Set when the reader saw every byte of the file, in order.
    digest: Option<FileDigest>,
    /// Set when the counts are split by origin.
    origins: Option<Arc<crate::origin::OriginSplit>>,
}

/// A file's BLAKE3 hash and size, as a reader read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigest {
    /// The BLAKE3 hash of the file's bytes (as `b3sum` prints it), 64 lowercase hex digits.
    pub blake3: String,
    /// The file's size, bytes.
    pub bytes: u64,
}

impl Counts {
    /// The file the counts came from (or what the builder was told).
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Counts held: one per place and day.
    pub fn len(&self) -> u64 {
        self.inner.rows
    }

    /// Whether there are no counts.
    pub fn is_empty(&self) -> bool {
        self.inner.rows == 0
    }

    /// The error for counts that hold none: [`Error::NoNightCounts`](crate::Error::NoNightCounts) for hourly counts read
    /// that give no night, else [`Error::EmptyInput`](crate::Error::EmptyInput).
    pub fn empty_error(&self) -> crate::Error {
        let path = self.path().to_owned();
        match self.nights() {
            Some(nights) if nights.rows() > 0 => {
                let settings = nights.settings();
                crate::Error::NoNightCounts {
                    path,
                    rows: nights.rows(),
                    in_window: nights.rows_in_window(),
                    window: settings.window.to_string(),
                    hour: match settings.rule {
                        crate::night::NightRule::Hour(h) if nights.rows_in_window() > 0 => {
                            Some(format!("{h:02}:00"))
                        }
                        _ => None,
                    },
                    zone: nights.zone().to_owned(),
                }
            }
            _ => crate::Error::EmptyInput { path },
        }
    }

    /// Whether the counts split foreign SIMs out.
    pub fn has_foreign(&self) -> bool {
        self.inner.foreign
    }

    /// How the counts were reduced to nights, when they are night counts from hourly counts
    /// (each day's count is then the night labelled by that evening date).
    pub fn nights(&self) -> Option<&Nights> {
        self.inner.nights.as_deref()
    }

    /// What the counts measure: [`Measure::Night`] for night counts reduced from hourly
    /// counts, else [`Measure::Day`].
    pub fn measure(&self) -> Measure {
        if self.inner.nights.is_some() {
            Measure::Night
        } else {
            Measure::Day
        }
    }

    /// The split by origin, when the counts are split by origin (`date, area, origin,
    /// count`); the grid then holds nothing.
    pub fn origins(&self) -> Option<&crate::origin::OriginSplit> {
        self.inner.origins.as_deref()
    }

    /// The same counts with a split by origin.
    pub fn with_origins(self, split: crate::origin::OriginSplit) -> Counts {
        let mut grid = Arc::unwrap_or_clone(self.inner);
        grid.origins = Some(Arc::new(split));
        Counts {
            inner: Arc::new(grid),
        }
    }

    /// The same counts marked as night counts reduced by `nights` (the counts must be
    /// `nights`' counts, each at its evening date).
    pub fn with_nights(self, nights: Nights) -> Counts {
        let mut grid = Arc::unwrap_or_clone(self.inner);
        grid.nights = Some(Arc::new(nights));
        Counts {
            inner: Arc::new(grid),
        }
    }

    /// The BLAKE3 hash and size of the file the counts were read from, when the reader read every
    /// byte of it in order (delimited text); `None` otherwise, and for counts built in memory.
    pub fn file_digest(&self) -> Option<&FileDigest> {
        self.inner.digest.as_ref()
    }

    /// The same counts with the digest of the file they were read from, taken by the reader
    /// over every byte it read (so that a run record need not read the file again).
    pub fn with_file_digest(self, digest: FileDigest) -> Counts {
        let mut grid = Arc::unwrap_or_clone(self.inner);
        grid.digest = Some(digest);
        Counts {
            inner: Arc::new(grid),
        }
    }

    /// The number of the scenario's areas.
    pub fn areas(&self) -> usize {
        self.inner.areas
    }

    /// The first and last day with any count, if there is one.
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let first = self.inner.days.iter().position(Option::is_some)?;
        let last = self.inner.days.iter().rposition(Option::is_some)?;
        Some((
            from_epoch_day(self.inner.first + first as Day),
            from_epoch_day(self.inner.first + last as Day),
        ))
    }

    /// The days with any count, since 1970, in order.
    pub fn days_counted(&self) -> Vec<i32> {
        self.days().map(|(day, _)| day).collect()
    }

    /// The same counts without those of the days `drop` (days since 1970, in any order; days
    /// without counts are ignored), the span shrunk to the days left: how the counts of stray
    /// dates ([`stray_days`](crate::stray_days)) are left out. Counts no clone shares are
    /// moved, not copied.
    ///
    /// # Examples
    /// ```
    /// use std::path::Path;
    /// use chrono::NaiveDate;
    /// use deltid_model::{CountsBuilder, Place, epoch_day};
    /// # let scenario = deltid_model::doc_scenario();
    /// let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// let builder = CountsBuilder::new(&scenario, false);
    /// let mut writer = builder.writer();
    /// for day in [date(2020, 1, 1), date(2020, 1, 2), date(2030, 1, 1)] {
    ///     writer.insert(Place::Area(0), day, 100.0, 0.0)?;
    /// }
    /// drop(writer);
    /// let counts = builder.finish(Path::new("counts.csv"));
    /// let kept = counts.without_days(&[epoch_day(date(2030, 1, 1))]);
    /// assert_eq!(kept.span(), Some((date(2020, 1, 1), date(2020, 1, 2))));
    /// assert_eq!(kept.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn without_days(self, drop: &[i32]) -> Counts {
        let mut grid = Arc::unwrap_or_clone(self.inner);
        for &day in drop {
            let slot = day
                .checked_sub(grid.first)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| grid.days.get_mut(i));
            if let Some(row) = slot.and_then(Option::take) {
                let counted = row.observed.counted();
                grid.rows = grid.rows.saturating_sub(counted as u64);
            }
        }
        let lead = grid
            .days
            .iter()
            .position(Option::is_some)
            .unwrap_or(grid.days.len());
        grid.days.drain(..lead);
        grid.first += lead as Day;
        while grid.days.last().is_some_and(Option::is_none) {
            grid.days.pop();
        }
        Counts {
            inner: Arc::new(grid),
        }
    }

    /// The count of a place on a date: persons observed and the foreign SIMs among them.
    pub fn get(&self, place: Place, date: NaiveDate) -> Option<(f64, f64)> {
        let key = self.key(place)?;
        let row = self.row(epoch_day(date))?;
        let observed = row.observed.at(key);
        let foreign = row.foreign.as_ref().map_or(0.0, |f| f[key]);
        (!observed.is_nan()).then_some((observed, foreign))
    }

    /// Each day a place has a count, in date order, with persons observed.
    pub fn series(&self, place: Place) -> impl Iterator<Item = (NaiveDate, f64)> + '_ {
        let key = self.key(place);
        self.days().filter_map(move |(day, row)| {
            let observed = row.observed.at(key?);
            (!observed.is_nan()).then(|| (from_epoch_day(day), observed))
        })
    }

    /// The position of a place's counts in a day's row.
    pub(crate) fn key(&self, place: Place) -> Option<usize> {
        match place {
            Place::Area(i) if i < self.inner.areas => Some(i),
            Place::Region if self.inner.keys > self.inner.areas => Some(self.inner.areas),
            _ => None,
        }
    }

    /// The counts of a day, if any place has one.
    pub(crate) fn row(&self, day: Day) -> Option<&DayRow> {
        self.inner.days.get(self.index(day)?)?.as_ref()
    }

    /// The position of a day among the days held (`None` before the first or after the last).
    pub(crate) fn index(&self, day: Day) -> Option<usize> {
        usize::try_from(day.checked_sub(self.inner.first)?)
            .ok()
            .filter(|i| *i < self.inner.days.len())
    }

    /// The number of days held, from the first day with a count to the last.
    pub(crate) fn days_held(&self) -> usize {
        self.inner.days.len()
    }

    /// Each day with a count, in date order, with its position among the days held.
    pub(crate) fn indexed_days(&self) -> impl Iterator<Item = (usize, Day, &DayRow)> + '_ {
        let first = self.inner.first;
        self.inner
            .days
            .iter()
            .enumerate()
            .filter_map(move |(i, row)| Some((i, first + i as Day, row.as_ref()?)))
    }

    /// Each day with a count, in date order.
    pub(crate) fn days(&self) -> impl Iterator<Item = (Day, &DayRow)> + '_ {
        let first = self.inner.first;
        self.inner
            .days
            .iter()
            .enumerate()
            .filter_map(move |(i, row)| Some((first + i as Day, row.as_ref()?)))
    }
}

/// Builds [`Counts`] one count at a time, refusing what is no count; threads can add counts
/// at once, each through its own [`CountsWriter`].
///
/// # Examples
/// ```
/// use std::path::Path;
/// use chrono::NaiveDate;
/// use deltid_model::{CountsBuilder, Place, Refused, Scenario};
/// # let scenario = deltid_model::doc_scenario();
/// let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
/// let builder = CountsBuilder::new(&scenario, false);
/// let mut writer = builder.writer();
/// writer.insert(Place::Area(0), day, 1_200.0, 0.0)?;
/// assert_eq!(writer.insert(Place::Area(0), day, 900.0, 0.0), Err(Refused::Duplicate));
/// assert_eq!(writer.insert(Place::Area(1), day, -1.0, 0.0), Err(Refused::NotPersons));
/// drop(writer);
/// let counts = builder.finish(Path::new("counts.csv"));
/// assert_eq!(counts.get(Place::Area(0), day), Some((1_200.0, 0.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CountsBuilder {
    areas: usize,
    keys: usize,
    foreign: bool,
    /// The first and last days taken.
    bounds: (Day, Day),
    grid: RwLock<SharedGrid>,
    rows: AtomicU64,
}

/// The days of a builder: the first day held, and a row per day from it.
#[derive(Debug, Default)]
struct SharedGrid {
    first: Day,
    days: VecDeque<Option<Arc<SharedRow>>>,
}

/// One day's counts while threads add to them: `f32` bits, [`EMPTY`] where none yet, [`WIDE`]
/// where the count is not exactly an `f32` and is held in `wide` (made on the day's first
/// such count) as `f64` bits.
#[derive(Debug)]
struct SharedRow {
    observed: Box<[AtomicU32]>,
    wide: OnceLock<Box<[AtomicU64]>>,
    foreign: Option<Box<[AtomicU64]>>,
}

/// The bits of "no count yet" (a NaN no count can be: counts are checked finite).
const EMPTY: u32 = f32::NAN.to_bits();
/// The bits of "the count is in the wide row" (another NaN).
const WIDE: u32 = EMPTY + 1;

impl CountsBuilder {
    /// The key of a count the builder takes, or why it does not: a day of the years taken, a
    /// place of the scenario, persons, and foreign SIMs not above them.
    #[inline]
    fn checked(
        &self,
        place: Place,
        day: Day,
        observed: f64,
        foreign: f64,
    ) -> Result<usize, Refused> {
        if !(self.bounds.0..=self.bounds.1).contains(&day) {
            return Err(Refused::DateOutOfRange);
        }
        let key = match place {
            Place::Area(i) if i < self.areas => i,
            Place::Region if self.keys > self.areas => self.areas,
            _ => return Err(Refused::UnknownPlace),
        };
        if !(observed.is_finite() && (0.0..=MAX_PERSONS).contains(&observed)) {
            return Err(Refused::NotPersons);
        }
        if !(foreign.is_finite() && foreign >= 0.0 && foreign <= observed) {
            return Err(Refused::ForeignAboveCount);
        }
        Ok(key)
    }

    /// A builder for the counts of a scenario's areas (and its region's own count, if it names
    /// a `region_code`); `foreign` if the counts split foreign SIMs out.
    pub fn new(scenario: &Scenario, foreign: bool) -> CountsBuilder {
        let areas = scenario.areas().len();
        CountsBuilder {
            areas,
            keys: areas + usize::from(scenario.region_code().is_some()),
            foreign,
            bounds: (*DAYS.start(), *DAYS.end()),
            grid: RwLock::new(SharedGrid::default()),
            rows: AtomicU64::new(0),
        }
    }

    /// A writer that adds counts; one for each thread that adds.
    pub fn writer(&self) -> CountsWriter<'_> {
        CountsWriter {
            builder: self,
            first: 0,
            rows: Vec::new(),
            added: 0,
        }
    }

    /// The row of a day, made (empty) if new.
    fn row(&self, day: Day) -> Arc<SharedRow> {
        {
            let grid = self.grid.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(Some(row)) = usize::try_from(day - grid.first)
                .ok()
                .and_then(|i| grid.days.get(i))
            {
                return Arc::clone(row);
            }
        }
        let mut grid = self.grid.write().unwrap_or_else(PoisonError::into_inner);
        if grid.days.is_empty() {
            grid.first = day;
        }
        while day < grid.first {
            grid.days.push_front(None);
            grid.first -= 1;
        }
        let index = (day - grid.first) as usize;
        while index >= grid.days.len() {
            grid.days.push_back(None);
        }
        let (keys, foreign) = (self.keys, self.foreign);
        Arc::clone(grid.days[index].get_or_insert_with(|| {
            Arc::new(SharedRow {
                observed: (0..keys).map(|_| AtomicU32::new(EMPTY)).collect(),
                wide: OnceLock::new(),
                foreign: foreign.then(|| wide_slots(keys, 0.0f64.to_bits())),
            })
        }))
    }

    /// Counts added so far (each writer's once it is dropped).
    pub fn len(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The counts, named by `path` (the file they came from).
    pub fn finish(self, path: &Path) -> Counts {
        self.finish_with_unseen_repeats(path).0
    }

    /// [`CountsBuilder::finish`], and the repeats of a place and day that two writers added at
    /// the same moment, so that neither was refused (the counts added less the places and days
    /// held; 0 with one writer), counted in the same pass.
    pub fn finish_with_unseen_repeats(self, path: &Path) -> (Counts, u64) {
        let added = self.len();
        let grid = self
            .grid
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let held = std::cell::Cell::new(0u64);
        // In place: a row of atomics becomes a row of numbers in the same memory.
        let values = |row: Box<[AtomicU64]>| -> Box<[f64]> {
            Vec::from(row)
                .into_iter()
                .map(|a| f64::from_bits(a.into_inner()))
                .collect()
        };
        let observed = |row: Box<[AtomicU32]>, wide: Option<Box<[AtomicU64]>>| -> Observed {
            // Two plain loops (the compiler makes them vector code): a 10 000-area grid of
            // 1 000 days took 20 ms in one loop that also counted.
            let narrow: Vec<f32> = Vec::from(row)
                .into_iter()
                .map(|a| f32::from_bits(a.into_inner()))
                .collect();
            let counted = narrow.iter().filter(|v| v.to_bits() != EMPTY).count();
            held.set(held.get() + counted as u64);
            match wide {
                None => Observed::Narrow(narrow.into_boxed_slice()),
                Some(wide) => Observed::Wide(
                    narrow
                        .into_iter()
                        .map(f32::to_bits)
                        .zip(Vec::from(wide))
                        .map(|(bits, wide)| match bits {
                            WIDE => f64::from_bits(wide.into_inner()),
                            bits => f64::from(f32::from_bits(bits)),
                        })
                        .collect(),
                ),
            }
        };
        let days = grid
            .days
            .into_iter()
            .map(|row| {
                row.map(|row| {
                    let copy = |row: &[AtomicU64]| -> Box<[AtomicU64]> {
                        row.iter()
                            .map(|a| AtomicU64::new(a.load(Ordering::Relaxed)))
                            .collect()
                    };
                    let row = Arc::try_unwrap(row).unwrap_or_else(|shared| SharedRow {
                        observed: shared
                            .observed
                            .iter()
                            .map(|a| AtomicU32::new(a.load(Ordering::Relaxed)))
                            .collect(),
                        wide: shared
                            .wide
                            .get()
                            .map(|w| copy(w))
                            .map_or_else(OnceLock::new, OnceLock::from),
                        foreign: shared.foreign.as_deref().map(copy),
                    });
                    DayRow {
                        observed: observed(row.observed, row.wide.into_inner()),
                        foreign: row.foreign.map(values),
                    }
                })
            })
            .collect();
        let counts = Counts {
            inner: Arc::new(Grid {
                path: path.to_owned(),
                // The places and days held: one less than added for each repeat two writers
                // added at the same moment.
                rows: held.get(),
                areas: self.areas,
                keys: self.keys,
                first: grid.first,
                days,
                foreign: self.foreign,
                nights: None,
                digest: None,
                origins: None,
            }),
        };
        (counts, added.saturating_sub(held.get()))
    }
}

/// Adds counts to a [`CountsBuilder`], keeping the days it has used at hand.
#[derive(Debug)]
pub struct CountsWriter<'a> {
    builder: &'a CountsBuilder,
    first: Day,
    rows: Vec<Option<Arc<SharedRow>>>,
    added: u64,
}

impl CountsWriter<'_> {
    /// Adds the count of a place on a date: `observed` persons (all SIMs), `foreign` the
    /// foreign SIMs among them (0 without a split). When two writers add the same place and
    /// day, the first to add it keeps it.
    ///
    /// # Errors
    /// [`Refused`] says why a count is not taken; nothing is added then.
    pub fn insert(
        &mut self,
        place: Place,
        date: NaiveDate,
        observed: f64,
        foreign: f64,
    ) -> Result<(), Refused> {
        if !in_range(date) {
            return Err(Refused::DateOutOfRange);
        }
        self.insert_day(place, epoch_day(date), observed, foreign)
    }

    /// [`CountsWriter::insert`] with the date as days since 1970-01-01 ([`epoch_day`]): for
    /// readers that keep dates so.
    ///
    /// # Errors
    /// As [`CountsWriter::insert`].
    #[inline]
    pub fn insert_day(
        &mut self,
        place: Place,
        day: i32,
        observed: f64,
        foreign: f64,
    ) -> Result<(), Refused> {
        let mut result = Ok(());
        self.insert_days([(place, day, observed, foreign)], |why| result = Err(why));
        result
    }

    /// Adds counts (place, day as in [`CountsWriter::insert_day`], persons observed, foreign
    /// SIMs among them) as [`CountsWriter::insert_day`] adds each, in order, and gives each
    /// count refused to `refused`. A run of counts on the same day (as a file sorted by date
    /// has them) looks its day up once: for readers, which add millions.
    pub fn insert_days(
        &mut self,
        counts: impl IntoIterator<Item = (Place, i32, f64, f64)>,
        mut refused: impl FnMut(Refused),
    ) {
        let builder = self.builder;
        // The last day's place in `rows` (a day before the first moves the others up).
        let mut current: Option<(Day, usize)> = None;
        for (place, day, observed, foreign) in counts {
            let key = match builder.checked(place, day, observed, foreign) {
                Ok(key) => key,
                Err(why) => {
                    refused(why);
                    continue;
                }
            };
            let index = match current {
                Some((at, index)) if at == day => index,
                _ => current.insert((day, self.row_index(day))).1,
            };
            let row = self.rows[index].get_or_insert_with(|| builder.row(day));
            match put(row, builder.keys, key, observed, foreign) {
                Ok(()) => self.added += 1,
                Err(why) => refused(why),
            }
        }
    }

    /// The place of a day's row in this writer's list, which is made to hold it.
    #[inline]
    fn row_index(&mut self, day: Day) -> usize {
        if self.rows.is_empty() {
            self.first = day;
        }
        if day < self.first {
            let before = (self.first - day) as usize;
            self.rows.splice(0..0, std::iter::repeat_n(None, before));
            self.first = day;
        }
        let index = (day - self.first) as usize;
        if index >= self.rows.len() {
            self.rows.resize(index + 1, None);
        }
        index
    }
}

/// Puts a checked count at `key` (of `keys`) in a day's row, unless the key has one already.
#[inline]
fn put(
    row: &SharedRow,
    keys: usize,
    key: usize,
    observed: f64,
    foreign: f64,
) -> Result<(), Refused> {
    // -0 is a count of 0; keep the sign out of outputs.
    let value = observed + 0.0;
    // A load and a store, not one atomic exchange: two writers adding the same place and
    // day at the same moment may both succeed, which `finish_with_unseen_repeats` then counts.
    let slot = &row.observed[key];
    if slot.load(Ordering::Relaxed) != EMPTY {
        return Err(Refused::Duplicate);
    }
    let narrow = value as f32;
    if f64::from(narrow) == value {
        slot.store(narrow.to_bits(), Ordering::Relaxed);
    } else {
        let wide = row.wide.get_or_init(|| wide_slots(keys, 0));
        wide[key].store(value.to_bits(), Ordering::Relaxed);
        slot.store(WIDE, Ordering::Relaxed);
    }
    if let Some(f) = &row.foreign {
        f[key].store((foreign + 0.0).to_bits(), Ordering::Relaxed);
    }
    Ok(())
}

impl Drop for CountsWriter<'_> {
    fn drop(&mut self) {
        self.builder.rows.fetch_add(self.added, Ordering::Relaxed);
    }
}

/// A row of `keys` atomic `f64` slots, each holding `bits`.
fn wide_slots(keys: usize, bits: u64) -> Box<[AtomicU64]> {
    (0..keys).map(|_| AtomicU64::new(bits)).collect()
}

impl DayRow {
    /// The count at a key: persons observed and foreign SIMs among them; `None` if none.
    #[inline]
    pub(crate) fn get(&self, key: usize) -> Option<(f64, f64)> {
        let observed = self.observed.at(key);
        (!observed.is_nan()).then(|| (observed, self.foreign.as_ref().map_or(0.0, |f| f[key])))
    }

    /// The row's counts where they are 4 bytes each without foreign SIMs (most rows), to read
    /// with [`narrow_count`]: a pass over many keys of a row asks its kind once.
    #[inline]
    pub(crate) fn narrow(&self) -> Option<&[f32]> {
        match (&self.observed, &self.foreign) {
            (Observed::Narrow(values), None) => Some(values),
            _ => None,
        }
    }
}

/// The count at `key` of a row's [`DayRow::narrow`] counts, as [`DayRow::get`] gives it.
#[inline(always)]
pub(crate) fn narrow_count(values: &[f32], key: usize) -> Option<(f64, f64)> {
    let observed = f64::from(values[key]);
    (!observed.is_nan()).then_some((observed, 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// Two areas: area 0 on 2020-01-01..=03 and 2030-01-01, area 1 on 2020-01-02 and
    /// 2002-06-30 (a typing error for 2020).
    fn counts() -> Counts {
        let builder = CountsBuilder::new(&crate::doc_scenario(), false);
        let mut writer = builder.writer();
        let rows = [
            (0, date(2020, 1, 1), 10.0),
            (0, date(2020, 1, 2), 11.0),
            (0, date(2020, 1, 3), 12.0),
            (0, date(2030, 1, 1), 99.0),
            (1, date(2020, 1, 2), 20.0),
            (1, date(2002, 6, 30), 98.0),
        ];
        for (area, day, count) in rows {
            assert_eq!(writer.insert(Place::Area(area), day, count, 0.0), Ok(()));
        }
        drop(writer);
        builder.finish(Path::new("counts.csv"))
    }

    #[test]
    fn counts_read_back_exactly_in_narrow_and_wide_days() {
        // 1 January: whole persons, held in 4 bytes each. 2 January: one count that is no
        // f32 (1 839.6) makes the day wide; 16 777 217 (2^24 + 1) is no f32 either.
        let builder = CountsBuilder::new(&crate::doc_scenario(), false);
        let mut writer = builder.writer();
        let (a, b) = (Place::Area(0), Place::Area(1));
        let rows = [
            (a, date(2020, 1, 1), 1_200.0),
            (b, date(2020, 1, 1), 16_777_216.0),
            (a, date(2020, 1, 2), 1_839.6),
            (b, date(2020, 1, 2), 7.5),
            (a, date(2020, 1, 3), 16_777_217.0),
            (b, date(2020, 1, 3), -0.0),
        ];
        for (place, day, value) in rows {
            writer.insert(place, day, value, 0.0).unwrap();
        }
        // A repeat is refused whichever row holds the first.
        assert_eq!(
            writer.insert(a, date(2020, 1, 2), 1.0, 0.0),
            Err(Refused::Duplicate)
        );
        assert_eq!(
            writer.insert(b, date(2020, 1, 1), 1.0, 0.0),
            Err(Refused::Duplicate)
        );
        drop(writer);
        // Six added, six held (in narrow and wide days alike): no repeat went unseen.
        let (counts, unseen) = builder.finish_with_unseen_repeats(Path::new("counts.csv"));
        assert_eq!(unseen, 0);
        for (place, day, value) in rows {
            let (got, _) = counts.get(place, day).unwrap();
            assert_eq!(got.to_bits(), (value + 0.0).to_bits(), "{day}");
        }
        let kinds: Vec<bool> = counts
            .days()
            .map(|(_, row)| matches!(row.observed, Observed::Narrow(_)))
            .collect();
        assert_eq!(kinds, [true, false, false]);
        assert_eq!(counts.len(), 6);
    }

    #[test]
    fn counts_added_in_runs_are_those_added_one_by_one() {
        // Runs of days, back and forth, with every refusal: a repeat within a run and across
        // runs, a day before 1900, a place beyond the areas, the region (the scenario names
        // no region code), bad persons, more foreign SIMs than SIMs; a wide value; -0.
        let (a, b) = (Place::Area(0), Place::Area(1));
        let day = |d| epoch_day(date(2020, 1, d));
        let counts = [
            (a, day(2), 5.0, 0.0),
            (b, day(2), 1_839.6, 0.0),
            (a, day(2), 6.0, 0.0),
            (a, day(1), -0.0, 0.0),
            (b, day(3), 7.0, 0.0),
            (b, day(1), 8.0, 0.0),
            (b, day(2), 9.0, 0.0),
            (a, epoch_day(date(1850, 1, 1)), 1.0, 0.0),
            (Place::Area(2), day(4), 1.0, 0.0),
            (Place::Region, day(4), 1.0, 0.0),
            (a, day(4), f64::NAN, 0.0),
            (a, day(4), -1.0, 0.0),
            (a, day(4), 2.0, 3.0),
            (a, day(4), 2.0, 1.0),
        ];
        let builder = CountsBuilder::new(&crate::doc_scenario(), true);
        let mut writer = builder.writer();
        let one_by_one: Vec<Result<(), Refused>> = counts
            .iter()
            .map(|&(place, day, observed, foreign)| {
                writer.insert_day(place, day, observed, foreign)
            })
            .collect();
        drop(writer);
        let single = builder.finish(Path::new("a.csv"));
        let builder = CountsBuilder::new(&crate::doc_scenario(), true);
        let mut writer = builder.writer();
        let mut refused = Vec::new();
        writer.insert_days(counts, |why| refused.push(why));
        drop(writer);
        let runs = builder.finish(Path::new("b.csv"));
        let expected: Vec<Refused> = one_by_one.iter().filter_map(|r| r.err()).collect();
        assert_eq!(refused, expected);
        assert_eq!(
            expected,
            [
                Refused::Duplicate,
                Refused::Duplicate,
                Refused::DateOutOfRange,
                Refused::UnknownPlace,
                Refused::UnknownPlace,
                Refused::NotPersons,
                Refused::NotPersons,
                Refused::ForeignAboveCount,
            ]
        );
        assert_eq!((single.len(), runs.len()), (6, 6));
        for place in [a, b] {
            for d in 1..=4 {
                let (one, other) = (
                    single.get(place, date(2020, 1, d)),
                    runs.get(place, date(2020, 1, d)),
                );
                assert_eq!(
                    one.map(|(o, f)| (o.to_bits(), f)),
                    other.map(|(o, f)| (o.to_bits(), f))
                );
            }
        }
        assert_eq!(runs.get(a, date(2020, 1, 4)), Some((2.0, 1.0)));
        assert_eq!(runs.get(b, date(2020, 1, 2)), Some((1_839.6, 0.0)));
    }

    #[test]
    fn days_left_out_take_their_counts_and_the_span_shrinks() {
        let counts = counts();
        let days = counts.days_counted();
        assert_eq!(days.len(), 5);
        let (strays, span) = crate::stray_days(&days);
        let stray_dates: Vec<NaiveDate> = strays.iter().map(|&d| from_epoch_day(d)).collect();
        assert_eq!(stray_dates, [date(2002, 6, 30), date(2030, 1, 1)]);
        assert_eq!(
            span,
            (epoch_day(date(2020, 1, 1)), epoch_day(date(2020, 1, 3)))
        );
        let shared = counts.clone();
        let kept = counts.without_days(&strays);
        // Four counts of 2020 are left, two of them on 2020-01-02; the strays' are gone.
        assert_eq!(kept.len(), 4);
        assert_eq!(kept.span(), Some((date(2020, 1, 1), date(2020, 1, 3))));
        assert_eq!(kept.days_held(), 3);
        assert_eq!(kept.get(Place::Area(0), date(2030, 1, 1)), None);
        assert_eq!(kept.get(Place::Area(1), date(2002, 6, 30)), None);
        assert_eq!(
            kept.get(Place::Area(1), date(2020, 1, 2)),
            Some((20.0, 0.0))
        );
        let series: Vec<f64> = kept.series(Place::Area(0)).map(|(_, c)| c).collect();
        assert_eq!(series, [10.0, 11.0, 12.0]);
        // A clone taken before is not changed (the counts were copied, not moved).
        assert_eq!(shared.len(), 6);
        assert_eq!(
            shared.get(Place::Area(0), date(2030, 1, 1)),
            Some((99.0, 0.0))
        );
        // Days without counts and days far outside the span are ignored; dropping all of
        // them leaves no counts.
        let kept = kept.without_days(&[i32::MIN, i32::MAX, epoch_day(date(2021, 1, 1))]);
        assert_eq!(kept.len(), 4);
        let none = kept.without_days(&days);
        assert!(none.is_empty());
        assert_eq!(none.span(), None);
    }
}
