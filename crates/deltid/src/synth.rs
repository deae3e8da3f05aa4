//! Synthetic daily counts with the shape of a Norwegian cabin region, for tests, benches and
//! first steps.
//!
//! The daily shape is made up, not measured: no public daily telecom counts exist for
//! Norway. Each area holds residents, most of them at home on most days, and holiday homes
//! whose occupancy follows the calendar labels of [`crate::calendar`]: weekends in the ski
//! season, the winter school holiday, Easter, summer, the autumn holiday, Christmas to New
//! Year, long weekends in May, and quiet shoulder seasons. Each area-day gets seeded noise, then the
//! whole is scaled so that the region's mean per day is the requested one and rounded to whole
//! persons by largest remainder, so that mean is met exactly.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use polars::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use crate::area::AreaCode;
use crate::calendar::{Label, SchoolHolidays};
use crate::columns::{AREA, DATE, OBSERVED};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::read::epoch_days;
use crate::source::Location;

/// An area of a synthetic region.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthArea {
    /// Its code.
    pub code: AreaCode,
    /// Its name.
    pub name: String,
    /// Registered residents, persons.
    pub residents: f64,
    /// Holiday homes (cabins, apartments), count.
    pub holiday_homes: f64,
}

/// A request for synthetic counts: which areas, which days, which seed, which mean.
#[derive(Clone, Debug, PartialEq)]
pub struct Synth {
    /// The areas.
    pub areas: Vec<SynthArea>,
    /// First day.
    pub start: NaiveDate,
    /// Number of consecutive days.
    pub days: u32,
    /// Seed of the noise; the same request always gives the same counts.
    pub seed: u64,
    /// The region's mean persons per day over all days (sum over areas); met exactly when
    /// `mean × days` is a whole number.
    pub mean: f64,
    /// The school holidays that shape the visits.
    pub calendar: SchoolHolidays,
}

/// Hallingdal's six municipalities (codes of 2020-2023), registered residents on 1 January 2020
/// (Statistics Norway, table 07459) and holiday homes (illustrative figures that add up to the
/// plan's "about 18 000" cabins; not official counts).
const HALLINGDAL: [(&str, &str, f64, f64); 6] = [
    ("3039", "Flå", 1050.0, 1500.0),
    ("3040", "Nesbyen", 3273.0, 2700.0),
    ("3041", "Gol", 4608.0, 2800.0),
    ("3042", "Hemsedal", 2486.0, 2400.0),
    ("3043", "Ål", 4674.0, 3200.0),
    ("3044", "Hol", 4441.0, 5400.0),
];

impl Synth {
    /// Hallingdal's six municipalities (codes 3039-3044, residents of 2020, illustrative
    /// holiday homes), with winter holidays in weeks 8 (Oslo and Akershus, whose cabin owners
    /// come) and 9 (Buskerud).
    pub fn hallingdal(start: NaiveDate, days: u32, seed: u64, mean: f64) -> Synth {
        Synth {
            areas: HALLINGDAL
                .iter()
                .map(|&(code, name, residents, holiday_homes)| SynthArea {
                    code: AreaCode::new(code),
                    name: name.to_owned(),
                    residents,
                    holiday_homes,
                })
                .collect(),
            start,
            days,
            seed,
            mean,
            calendar: SchoolHolidays {
                winter_holiday_weeks: vec![8, 9],
                ..SchoolHolidays::default()
            },
        }
    }

    /// `areas` made-up areas with codes `0001`, `0002`, … and sizes drawn from the seed
    /// (1 000 to 20 000 residents; 0 to 3 holiday homes per resident).
    pub fn generic(areas: u32, start: NaiveDate, days: u32, seed: u64, mean: f64) -> Synth {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_a4ea);
        Synth {
            areas: (1..=areas)
                .map(|i| {
                    let residents = (1_000.0 + 19_000.0 * unit(&mut rng)).round();
                    SynthArea {
                        code: AreaCode::new(format!("{i:04}")),
                        name: format!("Area {i}"),
                        residents,
                        holiday_homes: (residents * 3.0 * unit(&mut rng)).round(),
                    }
                })
                .collect(),
            start,
            days,
            seed,
            mean,
            calendar: SchoolHolidays::default(),
        }
    }

    /// The counts, one per area and day: (date, area index, whole persons), by date then area.
    ///
    /// # Errors
    /// [`Error::InvalidSynth`] if there are no areas or days, the mean is negative or not
    /// finite, or the period runs past chrono's last date.
    pub fn generate(&self) -> Result<Vec<(NaiveDate, usize, u64)>> {
        let invalid = |reason: &str| Error::InvalidSynth {
            reason: reason.to_owned(),
        };
        if self.areas.is_empty() || self.days == 0 {
            return Err(invalid("at least one area and one day are needed"));
        }
        if !(self.mean.is_finite() && self.mean >= 0.0) {
            return Err(invalid("the mean must be a non-negative number of persons"));
        }
        let dates: Vec<NaiveDate> = self.start.iter_days().take(self.days as usize).collect();
        if dates.len() != self.days as usize {
            return Err(invalid("the period runs past the last representable date"));
        }

        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut raw = Vec::with_capacity(dates.len() * self.areas.len());
        for date in &dates {
            let (home, away) = (at_home(*date), occupancy(self.calendar.label(*date), *date));
            for area in &self.areas {
                let noise = 0.9 + 0.2 * unit(&mut rng);
                let persons = area.residents * home + area.holiday_homes * PERSONS_PER_HOME * away;
                raw.push(persons * noise);
            }
        }

        // Scale to the target total, then round by largest remainder so the total is exact.
        let target = (self.mean * dates.len() as f64).round();
        let sum: f64 = raw.iter().sum();
        let scale = if sum > 0.0 { target / sum } else { 0.0 };
        let scaled: Vec<f64> = raw.iter().map(|r| r * scale).collect();
        let mut whole: Vec<u64> = scaled.iter().map(|x| x.floor() as u64).collect();
        let short = (target as u64).saturating_sub(whole.iter().sum());
        let mut order: Vec<usize> = (0..scaled.len()).collect();
        order.sort_by(|&a, &b| {
            let (fa, fb) = (scaled[a].fract(), scaled[b].fract());
            fb.total_cmp(&fa).then(a.cmp(&b))
        });
        for &i in order.iter().take(short as usize) {
            whole[i] += 1;
        }

        let n = self.areas.len();
        Ok(whole
            .into_iter()
            .enumerate()
            .map(|(i, persons)| (dates[i / n], i % n, persons))
            .collect())
    }

    /// Writes the counts as CSV with the header `date,area,count`.
    ///
    /// # Errors
    /// As [`Synth::generate`]; [`Error::Write`] if the writer fails.
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use deltid::synth::Synth;
    /// let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    /// let mut csv = Vec::new();
    /// Synth::generic(2, start, 3, 7, 1000.0).write_csv(&mut csv)?;
    /// let text = String::from_utf8(csv).unwrap();
    /// assert_eq!(text.lines().count(), 1 + 2 * 3);
    /// assert!(text.starts_with("date,area,count\n2020-01-01,0001,"));
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn write_csv(&self, out: impl Write) -> Result<()> {
        let rows = self.generate()?;
        let mut out = std::io::BufWriter::new(out);
        writeln!(out, "date,area,count")?;
        for (date, area, persons) in rows {
            writeln!(out, "{date},{},{persons}", self.areas[area].code)?;
        }
        out.flush()?;
        Ok(())
    }

    /// The counts as checked [`Counts`], without a file; `label` names them in errors.
    ///
    /// # Errors
    /// As [`Synth::generate`].
    pub fn to_counts(&self, label: &Path) -> Result<Counts> {
        let rows = self.generate()?;
        let dates: Vec<i32> = rows.iter().map(|r| epoch_days(r.0)).collect();
        let areas: Vec<&str> = rows.iter().map(|r| self.areas[r.1].code.as_str()).collect();
        let persons: Vec<f64> = rows.iter().map(|r| r.2 as f64).collect();
        let frame = DataFrame::new_infer_height(vec![
            Column::new(DATE.into(), dates).cast(&DataType::Date)?,
            Column::new(AREA.into(), areas),
            Column::new(OBSERVED.into(), persons),
        ])?;
        let first_lines = self
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), Location::Line(i as u64 + 2)))
            .collect();
        Counts::from_parts(label, frame, first_lines)
    }
}

/// Persons per occupied holiday home.
const PERSONS_PER_HOME: f64 = 2.5;

/// A uniform number in 0..1 from the generator's raw bits (stable across rand versions).
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Share of registered residents at home: fewer in the summer holiday and at Christmas.
fn at_home(date: NaiveDate) -> f64 {
    let (m, d) = (date.month(), date.day());
    if m == 7 {
        0.80
    } else if (m == 6 && d >= 20) || (m == 8 && d <= 15) || (m == 12 && d >= 24) {
        0.90
    } else {
        0.96
    }
}

/// Share of holiday homes occupied (0..1) on a date with its calendar label.
///
/// Friday and Saturday nights are the weekend peaks; the ski season (15 December to 20 April)
/// lifts weekends most.
fn occupancy(label: Label, date: NaiveDate) -> f64 {
    let (m, d) = (date.month(), date.day());
    let weekend = matches!(date.weekday(), Weekday::Fri | Weekday::Sat);
    let ski = (m == 12 && d >= 15) || m <= 3 || (m == 4 && d <= 20);
    let pick = |on_weekend: f64, otherwise: f64| if weekend { on_weekend } else { otherwise };
    match label {
        Label::MaundyThursday
        | Label::GoodFriday
        | Label::EasterSaturday
        | Label::EasterSunday
        | Label::EasterMonday => 0.95,
        Label::EasterWeek => 0.55,
        Label::WinterHoliday => pick(0.95, 0.80),
        Label::ChristmasHoliday | Label::NewYearsDay | Label::BoxingDay if m == 12 && d < 24 => {
            0.45
        }
        Label::ChristmasHoliday | Label::NewYearsDay | Label::BoxingDay => 0.85,
        Label::ChristmasDay => 0.60,
        Label::AscensionDay | Label::WhitSunday | Label::WhitMonday => 0.45,
        Label::LabourDay | Label::ConstitutionDay => 0.30,
        Label::AutumnHoliday => pick(0.55, 0.40),
        Label::SummerHoliday if m == 7 => pick(0.60, 0.50),
        Label::SummerHoliday => pick(0.48, 0.38),
        Label::Weekend | Label::Weekday if ski => pick(0.65, 0.18),
        Label::Weekend | Label::Weekday => pick(0.22, 0.06),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, 9, 1).expect("a date")
    }

    #[test]
    fn hits_the_mean_exactly_for_any_size() {
        // total = round(mean × days), met exactly by largest-remainder rounding.
        for (areas, days, mean) in [
            (1, 1, 7.0),
            (6, 547, 46_724.0),
            (40, 30, 12_345.0),
            (3, 7, 0.0),
        ] {
            let rows = Synth::generic(areas, start(), days, 1, mean)
                .generate()
                .expect("rows");
            assert_eq!(rows.len(), (areas * days) as usize);
            let total: u64 = rows.iter().map(|r| r.2).sum();
            assert_eq!(total as f64, (mean * f64::from(days)).round());
        }
    }

    #[test]
    fn peaks_fall_in_holidays_and_ski_weekends() {
        // The busiest region day of the shipped Hallingdal period is a holiday or a ski-season
        // weekend, and the quietest is an ordinary shoulder-season weekday.
        let synth = Synth::hallingdal(start(), 547, 2021, 46_724.0);
        let rows = synth.generate().expect("rows");
        let mut by_day: Vec<(NaiveDate, u64)> = Vec::new();
        for chunk in rows.chunks(synth.areas.len()) {
            by_day.push((chunk[0].0, chunk.iter().map(|r| r.2).sum()));
        }
        let busiest = by_day.iter().max_by_key(|d| d.1).expect("days").0;
        let quietest = by_day.iter().min_by_key(|d| d.1).expect("days").0;
        let label = |d| synth.calendar.label(d);
        assert!(
            occupancy(label(busiest), busiest) >= 0.85,
            "busiest {busiest}"
        );
        assert!(
            occupancy(label(quietest), quietest) <= 0.06,
            "quietest {quietest}"
        );
    }

    #[test]
    fn refuses_impossible_requests() {
        for synth in [
            Synth::generic(0, start(), 10, 1, 100.0),
            Synth::generic(2, start(), 0, 1, 100.0),
            Synth::generic(2, start(), 10, 1, -1.0),
            Synth::generic(2, start(), 10, 1, f64::NAN),
        ] {
            assert!(matches!(synth.generate(), Err(Error::InvalidSynth { .. })));
        }
    }
}
