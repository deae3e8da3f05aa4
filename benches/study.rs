//! Simulation studies of deltid's intervals and of its season-balanced fill, shared by the
//! study script (`benches/studies.rs`, many seeds, release build) and its small versions in
//! the test suite (`tests/studies.rs`, loose bounds, debug build).
//!
//! Every series is simulated with a known truth, run through the library's own functions
//! ([`moving_block_bootstrap`], [`TypicalYear`]) and scored against that truth. The
//! generators are seeded (SplitMix64), so a seed gives the same study on every platform.

// Not every item is used by both the script and the tests; a simulation that cannot build its
// own series is a failed study, not a data path.
#![allow(dead_code, clippy::expect_used)]

use chrono::{Datelike, NaiveDate, Weekday};
use deltid::SchoolHolidays;
use deltid::analysis::{TypicalYear, moving_block_bootstrap};
use deltid::synth::Synth;

/// A seeded generator (SplitMix64, Steele, Lea & Flood 2014).
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number strictly inside 0..1.
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal number (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (a, b) = (self.unit(), self.unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
}

/// The shape of a series for the coverage study of the mean per day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noise {
    /// AR(1) with normal innovations.
    Gaussian,
    /// AR(1) with skewed innovations (lognormal, σ = 0.8, standardised), as counts are.
    Skewed,
    /// Gaussian AR(1) on a weekly pattern (weekends 1.35 × weekdays), the noise scaled with
    /// the level (weekend days noisier).
    Weekly,
}

impl Noise {
    /// The shape's name, for tables.
    pub fn name(self) -> &'static str {
        match self {
            Noise::Gaussian => "AR(1), normal",
            Noise::Skewed => "AR(1), skewed",
            Noise::Weekly => "AR(1) + weekly",
        }
    }
}

/// One simulated series of `days` days from 1 January 2021: level 26 527 persons (the plan's
/// guest-nights per day) plus an AR(1) of coefficient `phi` and standard deviation 3 000
/// (started in its stationary distribution), both scaled by a weekly pattern for
/// [`Noise::Weekly`].
/// Returns the series and its true mean (the expectation of its mean).
pub fn ar1_series(
    days: usize,
    phi: f64,
    noise: Noise,
    rng: &mut SplitMix,
) -> (Vec<(NaiveDate, f64)>, f64) {
    const LEVEL: f64 = 26_527.0;
    const SD: f64 = 3_000.0;
    let start = NaiveDate::from_ymd_opt(2021, 1, 1).expect("a date");
    let innovation_sd = SD * (1.0 - phi * phi).sqrt();
    let innovation = |rng: &mut SplitMix| match noise {
        Noise::Skewed => {
            // Lognormal(0, 0.8) standardised: mean e^0.32, variance e^0.64 (e^0.64 − 1).
            let v = (0.8 * rng.normal()).exp();
            (v - 0.32f64.exp()) / (0.64f64.exp() * (0.64f64.exp() - 1.0)).sqrt()
        }
        _ => rng.normal(),
    };
    let mut e = SD * innovation(rng);
    let pattern = |d: NaiveDate| match (noise, d.weekday()) {
        (Noise::Weekly, Weekday::Sat | Weekday::Sun) => 1.35,
        _ => 1.0,
    };
    let dates: Vec<NaiveDate> = start.iter_days().take(days).collect();
    let series = dates
        .iter()
        .map(|&d| {
            e = phi * e + innovation_sd * innovation(rng);
            (d, pattern(d) * (LEVEL + e))
        })
        .collect();
    let truth = dates.iter().map(|&d| LEVEL * pattern(d)).sum::<f64>() / days as f64;
    (series, truth)
}

/// The outcome of the coverage study in one setting.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// Series simulated.
    pub series: u32,
    /// Series given an interval.
    pub with_interval: u32,
    /// Intervals holding the true mean.
    pub covered: u32,
    /// Blocks of the intervals given, summed (days).
    pub blocks: f64,
}

impl Coverage {
    /// Share of the intervals given that hold the true mean.
    pub fn rate(&self) -> f64 {
        f64::from(self.covered) / f64::from(self.with_interval.max(1))
    }

    /// Share of the series refused an interval (too few days for their dependence).
    pub fn refused(&self) -> f64 {
        1.0 - f64::from(self.with_interval) / f64::from(self.series.max(1))
    }

    /// Mean block length of the intervals given, days.
    pub fn mean_block(&self) -> f64 {
        self.blocks / f64::from(self.with_interval.max(1))
    }
}

/// The 90 % sampling interval of the mean per day ([`moving_block_bootstrap`]) on `series`
/// simulated AR(1) series of `days` days, seeded by `seed`: how often it holds the true mean.
pub fn mean_coverage(
    phi: f64,
    days: usize,
    noise: Noise,
    series: u32,
    resamples: u32,
    seed: u64,
) -> Coverage {
    let mut rng = SplitMix(seed);
    let mut outcome = Coverage::default();
    for i in 0..series {
        let (days, truth) = ar1_series(days, phi, noise, &mut rng);
        outcome.series += 1;
        if let Ok(interval) = moving_block_bootstrap(&days, resamples, seed ^ u64::from(i)) {
            outcome.with_interval += 1;
            outcome.blocks += interval.dependence.block as f64;
            if interval.low <= truth && truth <= interval.high {
                outcome.covered += 1;
            }
        }
    }
    outcome
}

/// The rule deltid used before issue 13, for comparison on the same series as
/// [`mean_coverage`] (same seeds): a moving-block bootstrap with blocks of ⌈n^(1/3)⌉ days, at
/// least 7, and the plain 5th to 95th percentile of the resampled means, centred on the
/// series' mean; no weekday removal, no calibration.
pub fn fixed_block_coverage(
    phi: f64,
    days: usize,
    noise: Noise,
    series: u32,
    resamples: u32,
    seed: u64,
) -> Coverage {
    let mut rng = SplitMix(seed);
    let mut resampling = SplitMix(seed ^ 0xb10c);
    let mut outcome = Coverage::default();
    let block = ((days as f64).cbrt().ceil() as usize).max(7).min(days);
    for _ in 0..series {
        let (days, truth) = ar1_series(days, phi, noise, &mut rng);
        let values: Vec<f64> = days.iter().map(|d| d.1).collect();
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let sums: Vec<f64> = (0..=n - block)
            .map(|i| values[i..i + block].iter().sum())
            .collect();
        let starts = sums.len() as u64;
        let (whole, rest) = (n / block, n % block);
        let mut means: Vec<f64> = (0..resamples)
            .map(|_| {
                let mut total: f64 = (0..whole)
                    .map(|_| sums[(resampling.next_u64() % starts) as usize])
                    .sum();
                if rest > 0 {
                    let start = (resampling.next_u64() % starts) as usize;
                    total += values[start..start + rest].iter().sum::<f64>();
                }
                total / n as f64
            })
            .collect();
        let centre = means.iter().sum::<f64>() / means.len() as f64;
        for m in &mut means {
            *m += mean - centre;
        }
        means.sort_by(f64::total_cmp);
        let at = |p: f64| {
            let h = (means.len() - 1) as f64 * p;
            let (low, high) = (h.floor() as usize, h.ceil() as usize);
            means[low] + (h - low as f64) * (means[high] - means[low])
        };
        outcome.series += 1;
        outcome.with_interval += 1;
        outcome.blocks += block as f64;
        if at(0.05) <= truth && truth <= at(0.95) {
            outcome.covered += 1;
        }
    }
    outcome
}

/// The seasonal shape of a simulated cabin region, for the fill study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Season {
    /// The cabin shape: a smooth seasonal curve with peaks in mid-February and
    /// mid-August (broad, about two months each), weekends 1.35 × weekdays.
    Cabin,
    /// The same with sharp peaks (about three weeks each).
    SharpPeaks,
    /// A summer peak in mid-July with a step for the school holidays: the peak falls inside a
    /// missing July, which no counted day shows (the limit of any fill).
    PeakInGap,
    /// deltid's own Hallingdal generator ([`Synth::hallingdal`]): occupancy by calendar label
    /// (ski-season weekends, winter holiday, Easter, summer, autumn, Christmas), ±10 % noise
    /// per area and day, the region's sum.
    Hallingdal,
}

impl Season {
    /// The shape's name, for tables.
    pub fn name(self) -> &'static str {
        match self {
            Season::Cabin => "cabin (peaks Feb, Aug)",
            Season::SharpPeaks => "sharp peaks",
            Season::PeakInGap => "peak in the gap",
            Season::Hallingdal => "Hallingdal generator",
        }
    }
}

/// Which days are missing, for the fill study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// One year (2021): July and a tenth of the other days.
    OneYearJuly,
    /// Two years (2021, 2022): July of both and a tenth of the other days.
    TwoYearsJuly,
    /// Two years: February 2022 (the winter peak) and a tenth of the other days.
    TwoYearsFebruary,
}

impl Gap {
    /// The gap's name, for tables.
    pub fn name(self) -> &'static str {
        match self {
            Gap::OneYearJuly => "1 year, July missing",
            Gap::TwoYearsJuly => "2 years, July missing in both",
            Gap::TwoYearsFebruary => "2 years, Feb 2022 missing",
        }
    }

    fn years(self) -> i32 {
        match self {
            Gap::OneYearJuly => 1,
            _ => 2,
        }
    }

    fn missing(self, date: NaiveDate, rng: &mut SplitMix) -> bool {
        let gap = match self {
            Gap::OneYearJuly | Gap::TwoYearsJuly => date.month() == 7,
            Gap::TwoYearsFebruary => date.year() == 2022 && date.month() == 2,
        };
        // The random draw is made for every day, so the tenth is the same whatever the gap.
        let tenth = rng.unit() < 0.1;
        gap || tenth
    }
}

/// A von Mises bump in the day of the year: 1 at `peak` (day of the year), width by `kappa`.
fn bump(day: f64, peak: f64, kappa: f64) -> f64 {
    (kappa * ((std::f64::consts::TAU * (day - peak) / 365.25).cos() - 1.0)).exp()
}

/// The level of a seasonal shape on a date (before noise), persons.
fn level(season: Season, date: NaiveDate, calendar: &SchoolHolidays) -> f64 {
    use deltid::Label;
    let day = f64::from(date.ordinal0());
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    let week = if weekend { 1.35 } else { 1.0 };
    let shape = match season {
        Season::Cabin => 0.4 + 0.4 * bump(day, 45.0, 2.5) + 0.5 * bump(day, 226.0, 3.0),
        Season::SharpPeaks => 0.35 + 0.45 * bump(day, 45.0, 6.0) + 0.55 * bump(day, 226.0, 8.0),
        Season::PeakInGap | Season::Hallingdal => {
            let holiday = match calendar.label(date) {
                Label::WinterHoliday => 0.6,
                Label::EasterWeek
                | Label::EasterSaturday
                | Label::MaundyThursday
                | Label::GoodFriday
                | Label::EasterSunday
                | Label::EasterMonday => 0.7,
                Label::SummerHoliday => 0.3,
                Label::ChristmasHoliday | Label::ChristmasDay | Label::BoxingDay => 0.5,
                Label::AutumnHoliday => 0.2,
                _ => 0.0,
            };
            0.4 + 0.3 * bump(day, 45.0, 2.0) + 0.3 * bump(day, 200.0, 3.0) + holiday
        }
    };
    26_527.0 * shape * week
}

/// One case of the fill study, scored against its truth.
#[derive(Clone, Copy, Debug)]
pub struct FillCase {
    /// The true typical year: the mean of the full years' guest-nights, each scaled to 365
    /// days, nights.
    pub truth: f64,
    /// The season-balanced figure from the gappy series, nights.
    pub season_balanced: f64,
    /// The plan's rule (mean per day × 365) from the gappy series, nights.
    pub plan: f64,
    /// The season-balanced figure's 90 % interval (the fill's error), nights; `None` if none
    /// was given.
    pub interval: Option<(f64, f64)>,
}

impl FillCase {
    /// The season-balanced figure's error, fraction of the truth.
    pub fn error(&self) -> f64 {
        self.season_balanced / self.truth - 1.0
    }

    /// The plan's rule's error, fraction of the truth.
    pub fn plan_error(&self) -> f64 {
        self.plan / self.truth - 1.0
    }

    /// Whether the interval holds the truth.
    pub fn covered(&self) -> Option<bool> {
        self.interval
            .map(|(low, high)| low <= self.truth && self.truth <= high)
    }
}

/// One simulated case of the fill study: a series of `season`'s shape over the gap's years
/// (noise: multiplicative AR(1), φ = 0.7, sd 6 %, except the Hallingdal generator's own),
/// the gap's days removed, the season-balanced figure and its interval (`draws` draws)
/// computed by [`TypicalYear`], and the truth from the full series.
pub fn fill_case(season: Season, gap: Gap, seed: u64, draws: u32) -> FillCase {
    let mut rng = SplitMix(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xf111);
    let start = NaiveDate::from_ymd_opt(2021, 1, 1).expect("a date");
    let end = 2021 + gap.years();
    let calendar = match season {
        Season::Hallingdal => SchoolHolidays {
            winter_holiday_weeks: vec![8, 9],
            ..SchoolHolidays::default()
        },
        _ => SchoolHolidays::default(),
    };
    let dates: Vec<NaiveDate> = start.iter_days().take_while(|d| d.year() < end).collect();
    let full: Vec<(NaiveDate, f64)> = match season {
        Season::Hallingdal => {
            let synth = Synth::hallingdal(start, dates.len() as u32, seed, 46_724.0);
            let mut totals = vec![0.0; dates.len()];
            for (date, _, persons) in synth.generate().expect("synthetic counts") {
                totals[(date - start).num_days() as usize] += persons as f64;
            }
            dates.iter().copied().zip(totals).collect()
        }
        _ => {
            let phi: f64 = 0.7;
            let mut e = rng.normal();
            dates
                .iter()
                .map(|&d| {
                    e = phi * e + (1.0 - phi * phi).sqrt() * rng.normal();
                    (d, level(season, d, &calendar) * (1.0 + 0.06 * e))
                })
                .collect()
        }
    };
    let truth = (2021..end)
        .map(|y| {
            let total: f64 = full
                .iter()
                .filter(|(d, _)| d.year() == y)
                .map(|d| d.1)
                .sum();
            total * 365.0 / f64::from(deltid::days_in_year(y))
        })
        .sum::<f64>()
        / f64::from(gap.years());
    let gappy: Vec<(NaiveDate, f64)> = full
        .iter()
        .copied()
        .filter(|(d, _)| !gap.missing(*d, &mut rng))
        .collect();
    let year = TypicalYear::new(&gappy, &calendar);
    let plan = gappy.iter().map(|d| d.1).sum::<f64>() / gappy.len() as f64 * 365.0;
    FillCase {
        truth,
        season_balanced: year.figure().expect("counted days"),
        plan,
        interval: year.interval(draws, seed).ok(),
    }
}

/// Mean, standard deviation and the largest absolute value of some numbers.
pub fn spread(values: &[f64]) -> (f64, f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    let largest = values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    (mean, sd, largest)
}
