//! Night counts: hourly (or time-point) counts reduced to one count per area and night.
//!
//! A night is labelled by its evening date `D` and covers a window of local clock time,
//! by default 01:00 to 05:00 on `D + 1` (start included, end excluded). Counts are keyed by
//! their instant (UTC), never by local hour, so the 25-hour night of a change to winter time
//! keeps both of its 02:00 counts and the 23-hour night of a change to summer time simply has
//! one hour fewer. The night count of an area is, over the counts in its window
//! ([`NightRule`]): their minimum, their median, or the count at a named local hour.
//!
//! Counts outside the night window serve only the daytime figure: the day peak (maximum over
//! the day window, by default 10:00 to 18:00 local on `D`) minus the night count of night `D`
//! is the daytime excess, reported on its own and never deducted.
//!
//! The night counts fill the model's daily grid ([`Counts`](crate::Counts), one count per area
//! and evening date), so yearly figures, coverage, filling, intervals and outputs work on
//! nights as on days; the plan deducts only the residents at home from a night count (see
//! [`Measure`]).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{NaiveDateTime, NaiveTime, Timelike};

use crate::day::{Day, epoch_day, from_epoch_day};
use crate::stats::{PercentileMethod, quantile};

/// What a count measures, which decides the plan's deductions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Persons present during the day (the plan's daily counts): present persons minus
    /// residents, commuters, transit and day visitors.
    #[default]
    Day,
    /// Persons present at night (the night count of [`NightSettings`]): present persons minus
    /// the residents at home; day visitors, commuters and transit are not there at night and
    /// are not deducted.
    Night,
}

impl Measure {
    /// Whether a deduction applies to counts of this measure: every one by day, only the
    /// residents at night.
    pub fn deducts(self, deduction: crate::Deduction) -> bool {
        match self {
            Measure::Day => true,
            Measure::Night => deduction == crate::Deduction::Residents,
        }
    }
}

/// Who the residents at home at night are, whom the plan for nights deducts (`[night]
/// residents`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum NightResidents {
    /// The scenario's `residents` figure (the registered residents): the default.
    #[default]
    Registered,
    /// Per area, the median of the night's present persons (the night count with uplift and
    /// scaling, as the plan applies them) over quiet reference nights, by evening date: on
    /// those nights everyone present is taken to be a resident at home.
    Baseline(Vec<chrono::NaiveDate>),
}

/// The residents at home of a baseline: per area, the median present persons over the
/// reference nights that area was counted on, beside its registered figure.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ResidentsBaseline {
    /// The reference nights declared, by evening date.
    pub reference: Vec<chrono::NaiveDate>,
    /// Per area of the scenario (in its order): the baseline, if the area was counted on a
    /// reference night.
    pub areas: Vec<Option<BaselineFigure>>,
}

/// One area's baseline of residents at home.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct BaselineFigure {
    /// The median of present persons over the reference nights counted, persons.
    pub persons: f64,
    /// Reference nights with a count for the area.
    pub nights: u32,
    /// The scenario's registered residents of the area (per-area figures), persons; `None`
    /// when the scenario gives one region-level figure.
    pub registered: Option<f64>,
}

/// How a night's count is taken from the counts in its window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NightRule {
    /// The smallest count in the window (the default: the hour when fewest are awake and
    /// travelling).
    Minimum,
    /// The median of the counts in the window (the mean of the middle two for an even number).
    Median,
    /// The mean of the counts in the window.
    Mean,
    /// The count at this local hour (0..=23); with two counts at that hour (the night clocks
    /// go back) the first in time. A night without a count at the hour has no count.
    Hour(u32),
}

impl NightRule {
    /// The rule as written in a scenario: `minimum`, `median`, `mean` or `hour:03`.
    pub fn parse(text: &str) -> Option<NightRule> {
        match text.trim() {
            "minimum" | "min" => Some(NightRule::Minimum),
            "median" => Some(NightRule::Median),
            "mean" => Some(NightRule::Mean),
            other => {
                let hour: u32 = other.strip_prefix("hour:")?.trim().parse().ok()?;
                (hour < 24).then_some(NightRule::Hour(hour))
            }
        }
    }
}

impl fmt::Display for NightRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NightRule::Minimum => f.write_str("minimum"),
            NightRule::Median => f.write_str("median"),
            NightRule::Mean => f.write_str("mean"),
            NightRule::Hour(h) => write!(f, "hour:{h:02}"),
        }
    }
}

/// A window of local clock time, start included, end excluded. For the night, a start after
/// the end wraps over midnight (22:00-06:00: 22:00 on the evening date to 06:00 the next day);
/// otherwise the window lies on the day after the evening date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockWindow {
    start: NaiveTime,
    end: NaiveTime,
}

impl ClockWindow {
    /// A window `start`..`end`; `None` if they are equal.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Option<ClockWindow> {
        (start != end).then_some(ClockWindow { start, end })
    }

    /// A window as written, `01:00-05:00`.
    pub fn parse(text: &str) -> Option<ClockWindow> {
        let (a, b) = text.split_once('-')?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
        ClockWindow::new(time(a)?, time(b)?)
    }

    /// Whether the window wraps over midnight.
    pub fn wraps(&self) -> bool {
        self.start > self.end
    }

    /// The start (included).
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// The end (excluded).
    pub fn end(&self) -> NaiveTime {
        self.end
    }

    fn contains(&self, time: NaiveTime) -> bool {
        if self.wraps() {
            time >= self.start || time < self.end
        } else {
            time >= self.start && time < self.end
        }
    }
}

impl fmt::Display for ClockWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// How hourly counts become night counts: the night window, the rule, and the day window of
/// the daytime excess. Defaults: 01:00-05:00, minimum, 10:00-18:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NightSettings {
    /// The night's window of local time (on the day after the evening date unless it wraps).
    pub window: ClockWindow,
    /// The rule that takes the night's count from the counts in the window.
    pub rule: NightRule,
    /// The day's window of local time (on the evening date), for the day peak; it may not wrap.
    pub day: ClockWindow,
}

impl Default for NightSettings {
    fn default() -> Self {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
        NightSettings {
            window: ClockWindow {
                start: at(1),
                end: at(5),
            },
            rule: NightRule::Minimum,
            day: ClockWindow {
                start: at(10),
                end: at(18),
            },
        }
    }
}

impl NightSettings {
    /// The evening date (days since 1970) of the night a local time falls in, if it falls in
    /// the night window.
    pub(crate) fn night_of(&self, local: NaiveDateTime) -> Option<Day> {
        let w = self.window;
        if !w.contains(local.time()) {
            return None;
        }
        let day = epoch_day(local.date());
        if w.wraps() && local.time() >= w.start {
            Some(day)
        } else {
            Some(day - 1)
        }
    }

    /// The date (days since 1970) whose day window a local time falls in, if any.
    pub(crate) fn day_of(&self, local: NaiveDateTime) -> Option<Day> {
        (!self.day.wraps() && self.day.contains(local.time())).then(|| epoch_day(local.date()))
    }

    /// A sentence naming the rule, window and day window, for notes and the run record.
    pub fn describe(&self) -> String {
        format!(
            "night counts: the {} over the counts from {} local time (the night labelled by its evening date); daytime excess: the maximum from {} minus the night count, in present persons",
            match self.rule {
                NightRule::Minimum => "minimum".to_owned(),
                NightRule::Median => "median".to_owned(),
                NightRule::Mean => "mean".to_owned(),
                NightRule::Hour(h) => format!("count at {h:02}:00"),
            },
            self.window,
            self.day
        )
    }
}

/// One hourly or time-point count: the place's key (area position, or the number of areas for
/// the region's own count), its instant (seconds since 1970 UTC), its local time in the
/// scenario's zone, persons counted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimedCount {
    /// The place's key.
    pub key: usize,
    /// Seconds since 1970-01-01 00:00 UTC.
    pub instant: i64,
    /// The local time of the instant.
    pub local: NaiveDateTime,
    /// Persons counted.
    pub persons: f64,
    /// Where the count was read (its line, sheet row or Parquet row), for messages; 0 for a
    /// count not read from a file.
    pub order: u64,
}

/// A night's count of one place: the count by the rule, and how many counts were in the
/// window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NightCount {
    /// The place's key.
    pub key: usize,
    /// The evening date, days since 1970.
    pub night: i32,
    /// Persons, by the rule.
    pub persons: f64,
    /// Counts (hours) present in the window.
    pub hours: u32,
}

/// A place's nights: how many were counted, hours present in them, and the daytime excess.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct NightStats {
    /// Nights with a count.
    pub nights: u32,
    /// The fewest hours present in a night counted.
    pub min_hours: u32,
    /// The most hours present in a night counted.
    pub max_hours: u32,
    /// Hours present summed over the nights counted.
    pub hours: u64,
    /// Days with both a day peak and a night count.
    pub excess_days: u32,
    /// The daytime excess (day peak − night count) summed over those days: in the counts'
    /// units as read; in present persons in a [`Summary`](crate::Summary)'s nights.
    pub excess_sum: f64,
}

impl NightStats {
    /// Mean hours present per night counted.
    pub fn mean_hours(&self) -> f64 {
        if self.nights == 0 {
            0.0
        } else {
            self.hours as f64 / f64::from(self.nights)
        }
    }

    /// The mean daytime excess per day (day peak − night count), persons; `None` without a
    /// day with both.
    pub fn mean_excess(&self) -> Option<f64> {
        (self.excess_days > 0).then(|| self.excess_sum / f64::from(self.excess_days))
    }
}

/// Counts reduced to nights: what the counts grid holds for each place and evening date, and
/// beside it the settings, hours present and daytime excess.
#[derive(Clone, Debug, PartialEq)]
pub struct Nights {
    settings: NightSettings,
    /// The scenario's time zone, by name.
    zone: String,
    counts: Vec<NightCount>,
    /// Per key: stats.
    stats: Vec<NightStats>,
    /// Hours present by (key, night).
    hours: BTreeMap<(usize, i32), u32>,
    /// The day peak (the largest count in the day window) by (key, date).
    peaks: BTreeMap<(usize, i32), f64>,
    /// Counts read (rows of the hourly file).
    rows: u64,
    /// Counts read that fall in a night's window.
    in_window: u64,
}

/// Two counts of one place at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SameInstant {
    /// The place's key.
    pub key: usize,
    /// The instant, seconds since 1970 UTC.
    pub instant: i64,
    /// The count read first (by [`TimedCount::order`]).
    pub first: TimedCount,
    /// The count read second.
    pub second: TimedCount,
}

impl Nights {
    /// Reduces hourly or time-point counts of `keys` places to nights by `settings`.
    ///
    /// # Errors
    /// [`SameInstant`] for the first place and instant counted twice.
    ///
    /// # Examples
    /// ```
    /// use chrono::{NaiveDate, NaiveDateTime};
    /// use deltid_model::{NightSettings, Nights, TimedCount};
    /// // 2024-10-27 in Oslo: the clocks go back at 03:00; local 01, 02, 02, 03, 04.
    /// let local = |d, h| NaiveDate::from_ymd_opt(2024, 10, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let utc0 = local(26, 23).and_utc().timestamp();
    /// let rows: Vec<TimedCount> = [(1, 900.0), (2, 880.0), (2, 870.0), (3, 860.0), (4, 865.0)]
    ///     .iter()
    ///     .enumerate()
    ///     .map(|(i, &(h, persons))| TimedCount {
    ///         key: 0,
    ///         instant: utc0 + 3600 * i as i64,
    ///         local: local(27, h),
    ///         persons,
    ///         order: 2 + i as u64,
    ///     })
    ///     .collect();
    /// let nights = Nights::reduce(NightSettings::default(), "Europe/Oslo", 1, rows).unwrap();
    /// assert_eq!(nights.counts()[0].persons, 860.0);
    /// assert_eq!(nights.counts()[0].hours, 5);
    /// ```
    pub fn reduce(
        settings: NightSettings,
        zone: &str,
        keys: usize,
        mut rows: Vec<TimedCount>,
    ) -> Result<Nights, SameInstant> {
        let read = rows.len() as u64;
        rows.sort_by_key(|r| (r.key, r.instant, r.order));
        if let Some(pair) = rows
            .windows(2)
            .find(|p| p[0].key == p[1].key && p[0].instant == p[1].instant)
        {
            return Err(SameInstant {
                key: pair[0].key,
                instant: pair[0].instant,
                first: pair[0],
                second: pair[1],
            });
        }
        // Per (key, night): the counts in the window, in time order, with their local hour.
        let mut windows: BTreeMap<(usize, i32), Vec<(u32, f64)>> = BTreeMap::new();
        let mut peaks: BTreeMap<(usize, i32), f64> = BTreeMap::new();
        let mut in_window = 0;
        for row in &rows {
            if let Some(night) = settings.night_of(row.local) {
                in_window += 1;
                windows
                    .entry((row.key, night))
                    .or_default()
                    .push((row.local.hour(), row.persons));
            }
            if let Some(day) = settings.day_of(row.local) {
                let peak = peaks.entry((row.key, day)).or_insert(f64::NEG_INFINITY);
                *peak = peak.max(row.persons);
            }
        }
        let mut counts = Vec::with_capacity(windows.len());
        let mut hours = BTreeMap::new();
        let mut stats = vec![NightStats::default(); keys];
        for ((key, night), values) in windows {
            let present = values.len() as u32;
            let persons = match settings.rule {
                NightRule::Minimum => values.iter().map(|v| v.1).fold(f64::INFINITY, f64::min),
                NightRule::Median => {
                    let mut sorted: Vec<f64> = values.iter().map(|v| v.1).collect();
                    sorted.sort_by(f64::total_cmp);
                    quantile(&sorted, 0.5, PercentileMethod::Linear).unwrap_or(f64::NAN)
                }
                NightRule::Mean => values.iter().map(|v| v.1).sum::<f64>() / f64::from(present),
                NightRule::Hour(h) => match values.iter().find(|v| v.0 == h) {
                    Some(v) => v.1,
                    None => continue,
                },
            };
            hours.insert((key, night), present);
            let s = &mut stats[key];
            if s.nights == 0 {
                s.min_hours = present;
            }
            s.nights += 1;
            s.min_hours = s.min_hours.min(present);
            s.max_hours = s.max_hours.max(present);
            s.hours += u64::from(present);
            if let Some(peak) = peaks.get(&(key, night)) {
                s.excess_days += 1;
                s.excess_sum += peak - persons;
            }
            counts.push(NightCount {
                key,
                night,
                persons,
                hours: present,
            });
        }
        Ok(Nights {
            settings,
            zone: zone.to_owned(),
            counts,
            stats,
            hours,
            peaks,
            rows: read,
            in_window,
        })
    }

    /// The settings the counts were reduced by.
    pub fn settings(&self) -> &NightSettings {
        &self.settings
    }

    /// The time zone naive local times were read in.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// Each place's night counts, by key then night.
    pub fn counts(&self) -> &[NightCount] {
        &self.counts
    }

    /// Hourly (or time-point) counts read.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Hourly (or time-point) counts read that fall in a night's window.
    pub fn rows_in_window(&self) -> u64 {
        self.in_window
    }

    /// A place's stats, by key.
    pub fn stats(&self, key: usize) -> NightStats {
        self.stats.get(key).copied().unwrap_or_default()
    }

    /// Hours present in a place's night (by key and evening date), if it has a count.
    pub fn hours(&self, key: usize, evening: chrono::NaiveDate) -> Option<u32> {
        self.hours.get(&(key, epoch_day(evening))).copied()
    }

    /// A place's day peaks (the largest count in the day window of each date with a count in
    /// it), by key, in date order: (date, persons observed).
    pub fn day_peaks(&self, key: usize) -> impl Iterator<Item = (chrono::NaiveDate, f64)> + '_ {
        self.peaks
            .range((key, i32::MIN)..=(key, i32::MAX))
            .map(|(&(_, day), &persons)| (from_epoch_day(day), persons))
    }

    /// The evening date of a night count.
    pub fn evening(count: &NightCount) -> chrono::NaiveDate {
        from_epoch_day(count.night)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2024, 6, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn windows_place_local_times_in_their_night() {
        let june = |d| epoch_day(at(d, 0).date());
        let default = NightSettings::default();
        // 01:00-05:00 on the day after the evening date: 00:59 and 05:00 are outside.
        assert_eq!(default.night_of(at(2, 1)), Some(june(1)));
        assert_eq!(default.night_of(at(2, 4)), Some(june(1)));
        assert_eq!(default.night_of(at(2, 5)), None);
        assert_eq!(default.night_of(at(2, 0)), None);
        assert_eq!(default.day_of(at(2, 10)), Some(june(2)));
        assert_eq!(default.day_of(at(2, 18)), None);
        // 22:00-06:00 wraps: 23:00 on the 1st and 05:00 on the 2nd are both the night of the 1st.
        let wrapping = NightSettings {
            window: ClockWindow::parse("22:00-06:00").unwrap_or(default.window),
            ..default
        };
        assert!(wrapping.window.wraps());
        assert_eq!(wrapping.night_of(at(1, 23)), Some(june(1)));
        assert_eq!(wrapping.night_of(at(2, 5)), Some(june(1)));
        assert_eq!(wrapping.night_of(at(2, 12)), None);
        assert_eq!(ClockWindow::parse("03:00-03:00"), None);
        assert_eq!(NightRule::parse("hour:24"), None);
        assert_eq!(NightRule::parse("hour:03"), Some(NightRule::Hour(3)));
    }

    #[test]
    fn a_place_counted_twice_at_one_instant_is_refused() {
        let row = |persons, order| TimedCount {
            key: 1,
            instant: 3_600,
            local: at(2, 3),
            persons,
            order,
        };
        // Read second on line 9, first on line 4: told in file order.
        let result = Nights::reduce(
            NightSettings::default(),
            "UTC",
            2,
            vec![row(2.0, 9), row(1.0, 4)],
        );
        assert_eq!(
            result.err(),
            Some(SameInstant {
                key: 1,
                instant: 3_600,
                first: row(1.0, 4),
                second: row(2.0, 9),
            })
        );
    }
}
