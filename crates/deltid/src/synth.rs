//! Synthetic daily counts with the shape of a Norwegian cabin region, for tests, benches and
//! first steps.
//!
//! The daily shape is made up, not measured: no public daily telecom counts exist for
//! Norway. Each area holds residents, most of them at home on most days, and holiday homes
//! whose occupancy follows the calendar labels of [`deltid_model::calendar`]: weekends in the ski
//! season, the winter school holiday, Easter, summer, the autumn holiday, Christmas to New
//! Year, long weekends in May, and quiet shoulder seasons. Each area-day gets seeded noise, then the
//! whole is scaled so that the region's mean per day is the requested one and rounded to whole
//! persons by largest remainder, so that mean is met exactly.
//!
//! [`Synth::write_csv`] streams the rows to a file in a few passes over the seeded noise, so any
//! size fits in memory, and [`Synth::scenario_toml`] writes a scenario to estimate them with
//! (the areas, with residents and the other deductions per area).

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use deltid_model::{
    AreaCode, Counts, CountsBuilder, Error, Label, Place, Result, Scenario, SchoolHolidays,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

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

/// The most areas a request may have (a million: every LAU region of Europe ten times over).
pub const MAX_AREAS: u32 = 1_000_000;
/// The most days a request may have (1 000 years).
pub const MAX_DAYS: u32 = 365_250;
/// The largest mean persons per day a request may ask for (a billion, so that no area's count
/// on any day comes near what a counts file may hold, [`deltid_model::MAX_PERSONS`]).
pub const MAX_MEAN: f64 = 1e9;

/// A request for synthetic counts: which areas, which days, which seed, which mean.
///
/// Checked when generated: 1 to [`MAX_AREAS`] areas, 1 to [`MAX_DAYS`] days, a mean of 0 to
/// [`MAX_MEAN`] persons per day.
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
    /// (1 000 to 20 000 residents; 0.5 to 3 holiday homes per resident, as in the cabin
    /// municipalities of the mountains, so that every area has more guest-nights than its
    /// scenario deducts for commuters, transit and day visitors). More than
    /// [`MAX_AREAS`] are not made (one more is, so that generating refuses the request).
    pub fn generic(areas: u32, start: NaiveDate, days: u32, seed: u64, mean: f64) -> Synth {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_a4ea);
        Synth {
            areas: (1..=areas.min(MAX_AREAS + 1))
                .map(|i| {
                    let residents = (1_000.0 + 19_000.0 * unit(&mut rng)).round();
                    SynthArea {
                        code: AreaCode::new(format!("{i:04}")),
                        name: format!("Area {i}"),
                        residents,
                        holiday_homes: (residents * (0.5 + 2.5 * unit(&mut rng))).round(),
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
    /// This holds every row in memory (about 24 bytes a row); [`Synth::write_csv`] and
    /// [`Synth::for_each_count`] stream instead.
    ///
    /// # Errors
    /// [`Error::InvalidSynth`] if there are no areas or days, the mean is negative or not
    /// finite, or the period runs past chrono's last date.
    pub fn generate(&self) -> Result<Vec<(NaiveDate, usize, u64)>> {
        let plan = self.plan()?;
        let mut rows = Vec::with_capacity(plan.rows());
        plan.for_each_count(|date, area, persons| {
            rows.push((plan.dates[date], area, persons));
            Ok(())
        })?;
        Ok(rows)
    }

    /// Calls `each` with every count in order (by date, then area): the date's index from
    /// [`Synth::start`], the area's index in [`Synth::areas`], and whole persons; the same counts
    /// as [`Synth::generate`], without holding them.
    ///
    /// Memory grows with the areas and days, not with the rows: the seeded noise is drawn again
    /// in each of a few passes (the sum to scale to the mean, then a radix selection of the largest remainders),
    /// so the cost is about six draws per row. An error from `each` stops the walk.
    ///
    /// # Errors
    /// As [`Synth::generate`], and whatever `each` returns.
    pub fn for_each_count(&self, each: impl FnMut(usize, usize, u64) -> Result<()>) -> Result<()> {
        self.plan()?.for_each_count(each)
    }

    /// Writes the counts as CSV with the header `date,area,count`, row by row: memory grows with
    /// the areas and days, not with the rows (100 000 areas × 1 000 days is 100 million rows,
    /// about 2.4 GB of CSV), as [`Synth::for_each_count`].
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
        let plan = self.plan()?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
        out.write_all(b"date,area,count\n")?;
        // Each line is "<date>,<code>,<persons>\n": the date and code parts are formatted once.
        let dates: Vec<String> = plan.dates.iter().map(|d| format!("{d},")).collect();
        let codes: Vec<String> = self.areas.iter().map(|a| format!("{},", a.code)).collect();
        let mut digits = [0u8; 20];
        plan.for_each_count(|date, area, persons| {
            out.write_all(dates[date].as_bytes())?;
            out.write_all(codes[area].as_bytes())?;
            out.write_all(decimal(persons, &mut digits))?;
            out.write_all(b"\n")?;
            Ok(())
        })?;
        out.flush()?;
        Ok(())
    }

    /// A scenario (TOML, for [`crate::scenario_from_toml`]) matching these counts: the
    /// synthetic areas with their codes and names, the plan's uplift of 6 %, and every deduction
    /// given per area, so that the estimate is the plain model (join each count with its area,
    /// uplift, deduct, mean per area) with no allocation rule involved.
    ///
    /// Per area: `residents` are the generator's residents in the units of the counts (scaled
    /// by the same factor that brings the counts to the requested mean, and rounded), so they are
    /// plausible for the counts: about 80-96 % of them are at home on a given day and the rest
    /// of the count is visitors. `commuters`, `transit` and `day_visitors` are each 5 % of the
    /// residents (the plan's 1 000 against 20 000), and `holiday_homes` the generator's holiday
    /// homes scaled likewise. `[calendar]` is the generator's school holidays. `counts`, when
    /// given, is written as the scenario's `counts` key (a path relative to the scenario file).
    ///
    /// # Errors
    /// As [`Synth::generate`] (it takes one pass over the noise to find the scale).
    ///
    /// # Examples
    /// ```
    /// use std::path::Path;
    /// use chrono::NaiveDate;
    /// use deltid::{scenario_from_toml, synth::Synth};
    /// let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    /// let toml = Synth::generic(3, start, 10, 7, 30_000.0).scenario_toml(Some("counts.csv"))?;
    /// let scenario = scenario_from_toml(&toml, Path::new("synthetic.toml"))?;
    /// assert_eq!(scenario.areas().len(), 3);
    /// assert_eq!(scenario.areas()[0].code.as_str(), "0001");
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn scenario_toml(&self, counts: Option<&str>) -> Result<String> {
        use std::fmt::Write as _;
        let plan = self.plan()?;
        let scale = plan.scale().1;
        let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let whole = |x: f64| (x * scale).round();
        let mut toml = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            toml,
            "# Scenario for synthetic counts from `deltid synth`: {} areas x {} days from {},\n\
             # seed {}, region mean {} persons per day.\n\
             # residents: the generator's residents in the units of the counts; commuters, \
             transit and\n# day visitors: {} % of the residents each; holiday_homes: the \
             generator's, scaled likewise.",
            self.areas.len(),
            self.days,
            self.start,
            self.seed,
            self.mean,
            SCENARIO_DEDUCTION_SHARE * 100.0,
        );
        let _ = writeln!(toml, "name = {}", quote("Synthetic region"));
        // The codes are all digits: files that lost their leading zeros (a spreadsheet, an
        // integer column) still read as these areas.
        let digits = self
            .areas
            .iter()
            .map(|a| a.code.as_str().len())
            .max()
            .unwrap_or(0);
        let _ = writeln!(toml, "uplift = {SCENARIO_UPLIFT}");
        if let Some(counts) = counts {
            let _ = writeln!(toml, "counts = {}", quote(counts));
        }
        let all_digits = self
            .areas
            .iter()
            .all(|a| a.code.as_str().bytes().all(|b| b.is_ascii_digit()));
        if all_digits && digits > 0 {
            let _ = writeln!(toml, "\n[area_codes]\ndigits = {digits}");
        }
        for area in &self.areas {
            let residents = whole(area.residents);
            let other = (residents * SCENARIO_DEDUCTION_SHARE).round();
            let _ = write!(
                toml,
                "\n[[area]]\ncode = {}\nname = {}\nresidents = {residents}\n\
                 commuters = {other}\ntransit = {other}\nday_visitors = {other}\n\
                 holiday_homes = {}\n",
                quote(area.code.as_str()),
                quote(&area.name),
                whole(area.holiday_homes),
            );
        }
        let calendar = toml::to_string(&self.calendar).map_err(|e| Error::InvalidSynth {
            reason: format!("cannot write the calendar: {e}"),
        })?;
        let _ = write!(toml, "\n[calendar]\n{calendar}");
        Ok(toml)
    }

    /// Checks the request and lays out its days.
    fn plan(&self) -> Result<Plan<'_>> {
        let invalid = |reason: &str| Error::InvalidSynth {
            reason: reason.to_owned(),
        };
        if self.areas.is_empty() || self.days == 0 {
            return Err(invalid("at least one area and one day are needed"));
        }
        if self.areas.len() > MAX_AREAS as usize {
            return Err(invalid(&format!("at most {MAX_AREAS} areas")));
        }
        if self.days > MAX_DAYS {
            return Err(invalid(&format!("at most {MAX_DAYS} days (1 000 years)")));
        }
        if !(self.mean.is_finite() && self.mean >= 0.0) {
            return Err(invalid("the mean must be a non-negative number of persons"));
        }
        if self.mean > MAX_MEAN {
            return Err(invalid(&format!(
                "a mean of at most {MAX_MEAN:e} persons per day (a billion)"
            )));
        }
        let dates: Vec<NaiveDate> = self.start.iter_days().take(self.days as usize).collect();
        if dates.len() != self.days as usize {
            return Err(invalid("the period runs past the last representable date"));
        }
        let shares = dates
            .iter()
            .map(|&date| (at_home(date), occupancy(self.calendar.label(date), date)))
            .collect();
        Ok(Plan {
            synth: self,
            dates,
            shares,
        })
    }

    /// The counts as [`Counts`] of a scenario with these areas' codes (such as
    /// [`Synth::scenario_toml`] writes), without a file; `label` names them.
    ///
    /// # Errors
    /// As [`Synth::generate`]; [`Error::InvalidSynth`] if the scenario lacks one of the areas.
    pub fn to_counts(&self, scenario: &Scenario, label: &Path) -> Result<Counts> {
        let positions = self
            .areas
            .iter()
            .map(|a| {
                scenario
                    .position(a.code.as_str())
                    .ok_or_else(|| Error::InvalidSynth {
                        reason: format!("the scenario has no area {}", a.code),
                    })
            })
            .collect::<Result<Vec<usize>>>()?;
        let builder = CountsBuilder::new(scenario, false);
        let mut writer = builder.writer();
        let plan = self.plan()?;
        plan.for_each_count(|date, area, persons| {
            writer
                .insert(
                    Place::Area(positions[area]),
                    plan.dates[date],
                    persons as f64,
                    0.0,
                )
                .map_err(|refused| Error::InvalidSynth {
                    reason: format!("a count was refused: {refused}"),
                })
        })?;
        drop(writer);
        Ok(builder.finish(label))
    }
}

/// Persons per occupied holiday home.
const PERSONS_PER_HOME: f64 = 2.5;

/// The uplift in a scenario from [`Synth::scenario_toml`]: the plan's 6 %.
const SCENARIO_UPLIFT: f64 = 0.06;

/// Commuters, transit and day visitors per area in a scenario from [`Synth::scenario_toml`],
/// each as a share of the area's residents (the plan: 1 000 each against 20 000 residents).
const SCENARIO_DEDUCTION_SHARE: f64 = 0.05;

/// A checked request with its days laid out: the generator's passes over the noise.
///
/// The counts are the noisy raw values scaled so that their total is `round(mean × days)`,
/// floored, and the shortfall given back one person each to the rows with the largest
/// remainders (ties to the earlier row). All of that is done in passes that draw the same
/// seeded noise again, so nothing proportional to the rows is held.
struct Plan<'a> {
    synth: &'a Synth,
    dates: Vec<NaiveDate>,
    /// Per date: the share of residents at home and the share of holiday homes occupied.
    shares: Vec<(f64, f64)>,
}

impl Plan<'_> {
    fn rows(&self) -> usize {
        self.dates.len() * self.synth.areas.len()
    }

    /// Calls `each(date, area, raw)` for every row in order with its noisy, unscaled persons.
    fn for_each_raw(&self, mut each: impl FnMut(usize, usize, f64) -> Result<()>) -> Result<()> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.synth.seed);
        for (date, &(home, away)) in self.shares.iter().enumerate() {
            for (i, area) in self.synth.areas.iter().enumerate() {
                let noise = 0.9 + 0.2 * unit(&mut rng);
                let persons = area.residents * home + area.holiday_homes * PERSONS_PER_HOME * away;
                each(date, i, persons * noise)?;
            }
        }
        Ok(())
    }

    /// The target total, round(mean × days), and the factor that scales the raw values to it.
    fn scale(&self) -> (f64, f64) {
        let target = (self.synth.mean * self.dates.len() as f64).round();
        let mut sum = 0.0;
        let _ = self.for_each_raw(|_, _, raw| {
            sum += raw;
            Ok(())
        });
        (target, if sum > 0.0 { target / sum } else { 0.0 })
    }

    /// Calls `each(date, area, persons)` for every row in order.
    fn for_each_count(&self, mut each: impl FnMut(usize, usize, u64) -> Result<()>) -> Result<()> {
        let (target, scale) = self.scale();
        let mut rounding = Rounding::largest_remainders(target, |visit| {
            let _ = self.for_each_raw(|_, _, raw| {
                visit(raw * scale);
                Ok(())
            });
        });
        self.for_each_raw(|date, area, raw| each(date, area, rounding.round(raw * scale)))
    }
}

/// Rounding to whole persons that keeps the total: floor each value, then give the shortfall
/// back one person each to the values with the largest remainders (ties to the earlier value).
///
/// A value gets one more person when its remainder's bits are above `threshold`, or equal to
/// it and among the first `ties` such values (remainders are non-negative, and non-negative
/// floats order as their bits do).
#[derive(Debug, PartialEq)]
struct Rounding {
    threshold: u64,
    ties: u64,
}

impl Rounding {
    /// The rounding of the non-negative values that `walk` visits (in the same order every
    /// time it is called) to whole numbers adding up to `target`.
    ///
    /// The k values with the largest remainders are found by a radix selection over the
    /// remainders' bits, 16 bits a walk with a histogram of 65 536 counters: two to five walks
    /// in all, and memory that does not grow with the values.
    fn largest_remainders(target: f64, walk: impl Fn(&mut dyn FnMut(f64))) -> Rounding {
        const DIGIT: u32 = 16;
        const MASK: u64 = (1 << DIGIT) - 1;
        let mut histogram = vec![0u64; 1 << DIGIT];
        let (mut values, mut floors) = (0u64, 0u64);
        walk(&mut |x| {
            values += 1;
            floors += x.floor() as u64;
            histogram[(x.fract().to_bits() >> (64 - DIGIT)) as usize] += 1;
        });
        let short = (target as u64).saturating_sub(floors);
        if short == 0 {
            return Rounding {
                threshold: u64::MAX,
                ties: 0,
            };
        }
        if short >= values {
            return Rounding {
                threshold: 0,
                ties: u64::MAX,
            };
        }
        // The short-th largest remainder in the order (remainder descending, then earlier
        // first): find its bits digit by digit; `need` is its rank among the values sharing the
        // digits found so far.
        let mut prefix = 0u64;
        let mut need = short;
        let mut shift = 64 - DIGIT;
        loop {
            let mut digit = MASK;
            while histogram[digit as usize] < need {
                need -= histogram[digit as usize];
                digit -= 1;
            }
            prefix |= digit << shift;
            if histogram[digit as usize] == need {
                // Every value with these digits gets one more, and none below them.
                return Rounding {
                    threshold: prefix,
                    ties: u64::MAX,
                };
            }
            if shift == 0 {
                // Equal remainders: the first `need` of them.
                return Rounding {
                    threshold: prefix,
                    ties: need,
                };
            }
            let high = shift;
            shift -= DIGIT;
            histogram.fill(0);
            walk(&mut |x| {
                let bits = x.fract().to_bits();
                if bits >> high == prefix >> high {
                    histogram[((bits >> shift) & MASK) as usize] += 1;
                }
            });
        }
    }

    /// The next value (in the walk's order), rounded.
    fn round(&mut self, x: f64) -> u64 {
        let bits = x.fract().to_bits();
        let extra = if bits > self.threshold {
            true
        } else if bits == self.threshold && self.ties > 0 {
            self.ties -= 1;
            true
        } else {
            false
        };
        x.floor() as u64 + u64::from(extra)
    }
}

/// The decimal digits of `n`, in `buffer`.
fn decimal(mut n: u64, buffer: &mut [u8; 20]) -> &[u8] {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buffer[at..];
        }
    }
}

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

/// Hourly counts with a known truth ([`Synth::write_hourly_csv`]): the share of registered
/// residents away from home by day (commuting out, 08:00 to 16:00 local).
const HOURLY_COMMUTING_OUT: f64 = 0.10;
/// Day visitors by day, per guest sleeping that night (10:00 to 17:00 local only).
const HOURLY_DAY_VISITORS: f64 = 0.30;
/// Night owls from elsewhere, per guest, in the area at 22:00 to 02:59 local (none from 03:00).
const HOURLY_AWAKE: f64 = 0.02;

impl Synth {
    /// The true guest-nights of the hourly counts ([`Synth::write_hourly_csv`]): per evening
    /// date (the first `days` from `start`) and area index, the guests sleeping in the area that
    /// night, whole persons. Holiday homes × 2.5 persons × the calendar's occupancy ×
    /// seeded noise (0.9 to 1.1); the request's `mean` is not used.
    ///
    /// # Errors
    /// As [`Synth::generate`].
    pub fn night_truth(&self) -> Result<Vec<(NaiveDate, usize, u64)>> {
        let plan = self.plan()?;
        Ok(self
            .guests(&plan, plan.dates.len() + 1)
            .into_iter()
            .take(plan.dates.len() * self.areas.len())
            .collect())
    }

    /// Guests per night (evening dates from the day before `start`, `nights` of them after it),
    /// by date then area.
    fn guests(&self, plan: &Plan<'_>, nights: usize) -> Vec<(NaiveDate, usize, u64)> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x6e16_4817);
        let mut out = Vec::with_capacity(nights * self.areas.len());
        let first = plan.dates[0];
        for date in first.iter_days().take(nights) {
            let occupied = occupancy(self.calendar.label(date), date);
            for (i, area) in self.areas.iter().enumerate() {
                let noise = 0.9 + 0.2 * unit(&mut rng);
                let guests = (area.holiday_homes * PERSONS_PER_HOME * occupied * noise).round();
                out.push((date, i, guests as u64));
            }
        }
        out
    }

    /// Writes hourly counts (CSV: `ts,area,count`, the time RFC 3339 with its offset in
    /// Europe/Oslo) with a known truth: every registered resident sleeps at home (10 % commute
    /// out from 08:00 to 16:00), the guests of night `D` ([`Synth::night_truth`]) are present
    /// from 15:00 on `D` to 15:00 on `D + 1`, a few of them (2 %) still out from 22:00 to 02:59,
    /// and day visitors (0.3 per guest) only from 10:00 to 17:00. So the minimum over
    /// 01:00-05:00 is residents + guests exactly, and the plan for nights with uplift 0 and the
    /// registered residents gives the guests back. Rows run from `start` 12:00 to 12:00 the
    /// day after the last date, hour by hour in UTC (so 23 or 25 hours on the nights the clocks
    /// change); the request's `mean` is not used. Residents and holiday homes are persons.
    ///
    /// # Errors
    /// As [`Synth::generate`]; [`Error::Write`] if writing fails.
    pub fn write_hourly_csv(&self, out: impl Write) -> Result<()> {
        use chrono::{TimeZone, Timelike};
        let plan = self.plan()?;
        let areas = self.areas.len();
        let nights = plan.dates.len() + 1;
        // Guests of the night before the first date too (they are there on its morning).
        let before = plan.dates[0].pred_opt().unwrap_or(plan.dates[0]);
        let earlier = Synth {
            start: before,
            days: 1,
            ..self.clone()
        };
        let first_night = earlier.guests(&earlier.plan()?, 1);
        let guests = self.guests(&plan, nights);
        let guest = |night: i64, area: usize| -> f64 {
            if night < 0 {
                first_night[area].2 as f64
            } else {
                guests
                    .get(night as usize * areas + area)
                    .map_or(0.0, |g| g.2 as f64)
            }
        };
        let zone = chrono_tz::Europe::Oslo;
        let local_midnight = |date: NaiveDate| {
            zone.from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map(|t| t.timestamp())
        };
        let last = plan.dates[plan.dates.len() - 1]
            .succ_opt()
            .unwrap_or(plan.dates[0]);
        let (Some(from), Some(to)) = (local_midnight(plan.dates[0]), local_midnight(last)) else {
            return Err(Error::InvalidSynth {
                reason: "no local midnight for the period".to_owned(),
            });
        };
        // From noon on the first date (its evening's night is the first) to noon after the
        // last: every night whole, and none before the first date.
        let (from, to) = (from + 12 * 3600, to + 12 * 3600);
        let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
        out.write_all(b"ts,area,count\n")?;
        let mut instant = from;
        while instant <= to {
            let Some(at) = zone.timestamp_opt(instant, 0).single() else {
                break;
            };
            let local = at.naive_local();
            let hour = local.hour();
            let day = (local.date() - plan.dates[0]).num_days();
            // The guests present: those of the night starting this evening from 15:00, else
            // those of last night.
            let night = if hour >= 15 { day } else { day - 1 };
            let stamp = at.to_rfc3339();
            for (i, area) in self.areas.iter().enumerate() {
                let g = guest(night, i);
                let mut persons = area.residents + g;
                if (8..16).contains(&hour) {
                    persons -= (area.residents * HOURLY_COMMUTING_OUT).round();
                }
                if (10..17).contains(&hour) {
                    persons += (guest(day, i) * HOURLY_DAY_VISITORS).round();
                }
                if !(3..22).contains(&hour) {
                    // Night owls from elsewhere, still out in the area before 03:00.
                    persons += (g * HOURLY_AWAKE).round();
                }
                writeln!(out, "{stamp},{},{}", area.code, persons.max(0.0) as u64)?;
            }
            instant += 3600;
        }
        out.flush()?;
        Ok(())
    }

    /// A scenario (TOML) for the hourly counts of [`Synth::write_hourly_csv`]: uplift 0 (the
    /// counts are persons), the registered residents per area, the other deductions 0 (not
    /// deducted at night anyway), `time_zone = "Europe/Oslo"` and `[night]` at its defaults
    /// (minimum over 01:00-05:00).
    pub fn hourly_scenario_toml(&self, counts: Option<&str>) -> String {
        use std::fmt::Write as _;
        let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let mut toml = String::new();
        let _ = writeln!(
            toml,
            "# Scenario for synthetic hourly counts from `deltid synth --hourly`: {} areas, {} nights from {},\n\
             # seed {}. Residents are the generator's registered residents, all asleep at home;\n\
             # uplift 0: the counts are persons.\n\
             name = {}\nuplift = 0\ntime_zone = \"Europe/Oslo\"",
            self.areas.len(),
            self.days,
            self.start,
            self.seed,
            quote("Synthetic region, nights"),
        );
        if let Some(counts) = counts {
            let _ = writeln!(toml, "counts = {}", quote(counts));
        }
        let _ = writeln!(
            toml,
            "\n[night]\nwindow = \"01:00-05:00\"\nrule = \"minimum\"\nday = \"10:00-18:00\"\n\n[deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0"
        );
        for area in &self.areas {
            let _ = write!(
                toml,
                "\n[[area]]\ncode = {}\nname = {}\nresidents = {}\n",
                quote(area.code.as_str()),
                quote(&area.name),
                area.residents.round(),
            );
        }
        toml
    }
}

/// The smallest count published in a home-zone split from [`Synth::write_home_split_csv`]
/// (Telia's and multimno's k), persons: smaller cells are deleted.
pub const HOME_SPLIT_MIN_COUNT: f64 = 5.0;

/// Where day visitors of a home-zone split slept the night before, with their shares: Oslo,
/// Bærum, Drammen (2020-2023 codes), Sweden, Germany, Denmark.
const VISITOR_ORIGINS: [(&str, f64); 6] = [
    ("0301", 0.50),
    ("3024", 0.20),
    ("3005", 0.15),
    ("SE", 0.08),
    ("DE", 0.05),
    ("DK", 0.02),
];

impl Synth {
    /// Writes counts split by home zone (CSV: `date,area,origin,count`; the origin is where
    /// the person slept the night before, as Telia's home zone) with a known truth, the same
    /// people as [`Synth::write_hourly_csv`]: on day `D` (the `days` days after `start`),
    /// residents who slept at home and the guests of night `D − 1` ([`Synth::night_truth`]) are
    /// counted in their area with that area as origin, except the 10 % of residents who
    /// commute to the next area of the list (counted there, with their home area as origin),
    /// and day visitors (0.3 per guest of night `D`) come from Oslo, Bærum, Drammen, Sweden,
    /// Germany and Denmark (a municipality whose code is an area's is given the next free code
    /// of 0101-5699, so that no origin reads as an area). Counts are persons to a tenth; a cell under
    /// [`HOME_SPLIT_MIN_COUNT`] ([`crate::is_suppressed`]) is deleted (an empty one too), and each area-day has a
    /// `total` row (every cell, the deleted ones too). So the persons who slept in an area,
    /// summed over the region, minus its registered residents give the guests back exactly.
    ///
    /// # Errors
    /// As [`Synth::generate`]; [`Error::Write`] if writing fails.
    pub fn write_home_split_csv(&self, out: impl Write) -> Result<()> {
        let plan = self.plan()?;
        let areas = self.areas.len();
        let days = plan.dates.len();
        // Nights from `start`: night j is the evening date start + j.
        let guests = self.guests(&plan, days + 1);
        let guest = |night: usize, area: usize| guests[night * areas + area].2 as f64;
        let tenth = |x: f64| (x * 10.0).round() / 10.0;
        let origins = self.visitor_origins();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
        out.write_all(b"date,area,origin,count\n")?;
        for j in 0..days {
            let Some(date) = plan.dates[j].succ_opt() else {
                break;
            };
            for (a, area) in self.areas.iter().enumerate() {
                let commuting = |i: usize| {
                    if areas > 1 {
                        (self.areas[i].residents * HOURLY_COMMUTING_OUT).round()
                    } else {
                        0.0
                    }
                };
                let mut cells: Vec<(String, f64)> = vec![(
                    area.code.to_string(),
                    area.residents - commuting(a) + guest(j, a),
                )];
                if areas > 1 {
                    let from = (a + areas - 1) % areas;
                    cells.push((self.areas[from].code.to_string(), commuting(from)));
                }
                let visitors = guest(j + 1, a) * HOURLY_DAY_VISITORS;
                for (origin, share) in &origins {
                    cells.push((origin.clone(), tenth(visitors * share)));
                }
                let total: f64 = cells.iter().map(|c| c.1).sum();
                for (origin, count) in &cells {
                    if *count != 0.0 && !crate::is_suppressed(*count, HOME_SPLIT_MIN_COUNT) {
                        writeln!(out, "{date},{},{origin},{}", area.code, tenth(*count))?;
                    }
                }
                writeln!(out, "{date},{},total,{}", area.code, tenth(total))?;
            }
        }
        out.flush()?;
        Ok(())
    }

    /// The day visitors' origins of a split with their shares: [`VISITOR_ORIGINS`], a
    /// municipality whose code is one of the areas' taken by the next free code of 0101-5699
    /// (so that no origin reads as an area), and left out when none is free.
    fn visitor_origins(&self) -> Vec<(String, f64)> {
        let taken: std::collections::HashSet<&str> =
            self.areas.iter().map(|a| a.code.as_str()).collect();
        let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (code, share) in VISITOR_ORIGINS {
            if code.len() == 2 {
                out.push((code.to_owned(), share));
                continue;
            }
            let first: u32 = code.parse().unwrap_or(101);
            let free = (first..=5699)
                .chain(101..first)
                .map(|n| format!("{n:04}"))
                .find(|c| !taken.contains(c.as_str()) && !used.contains(c));
            if let Some(free) = free {
                used.insert(free.clone());
                out.push((free, share));
            }
        }
        out
    }

    /// A scenario (TOML) for the split of [`Synth::write_home_split_csv`]: uplift 0, the
    /// registered residents per area, the other deductions 0, and `[origin]` of kind
    /// `previous-night` with `min_count` [`HOME_SPLIT_MIN_COUNT`].
    pub fn home_split_scenario_toml(&self, counts: Option<&str>) -> String {
        let hourly = self.hourly_scenario_toml(counts);
        let head = format!(
            "# Scenario for a synthetic home-zone split from `deltid synth --home-split`: {} areas, {} days after {},\n\
             # seed {}. Residents are the generator's registered residents; uplift 0: the counts are persons.\n",
            self.areas.len(),
            self.days,
            self.start,
            self.seed,
        );
        let body: String = hourly
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("time_zone"))
            .collect::<Vec<_>>()
            .join("\n");
        let night = "[night]\nwindow = \"01:00-05:00\"\nrule = \"minimum\"\nday = \"10:00-18:00\"";
        let origin =
            format!("[origin]\nkind = \"previous-night\"\nmin_count = {HOME_SPLIT_MIN_COUNT}");
        let body = body
            .replace(night, &origin)
            .replace("Synthetic region, nights", "Synthetic region, home zones");
        format!("{head}{body}\n")
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

    /// The generator as it was first written, holding every row: the streaming passes must
    /// give exactly its counts (the shipped Hallingdal counts were made with it).
    fn materialised(synth: &Synth) -> Vec<(NaiveDate, usize, u64)> {
        let dates: Vec<NaiveDate> = synth.start.iter_days().take(synth.days as usize).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(synth.seed);
        let mut raw = Vec::new();
        for date in &dates {
            let (home, away) = (
                at_home(*date),
                occupancy(synth.calendar.label(*date), *date),
            );
            for area in &synth.areas {
                let noise = 0.9 + 0.2 * unit(&mut rng);
                let persons = area.residents * home + area.holiday_homes * PERSONS_PER_HOME * away;
                raw.push(persons * noise);
            }
        }
        let target = (synth.mean * dates.len() as f64).round();
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
        let n = synth.areas.len();
        whole
            .into_iter()
            .enumerate()
            .map(|(i, persons)| (dates[i / n], i % n, persons))
            .collect()
    }

    #[test]
    fn streaming_gives_the_materialised_counts() {
        let mut cases = vec![
            Synth::hallingdal(start(), 547, 2021, 46_724.0),
            Synth::generic(1, start(), 1, 1, 7.0),
            Synth::generic(3, start(), 7, 1, 0.0),
            Synth::generic(50, start(), 3, 1, 1.0),
            Synth::generic(7, start(), 100, 3, 54_321.5),
            Synth::generic(200, start(), 400, 9, 1_560_000.0),
        ];
        // No persons to scale: every remainder is 0, and the mean is met by one person each
        // on the earliest rows (ties go to the earlier row).
        let mut twins = Synth::generic(4, start(), 5, 1, 10.0);
        for area in &mut twins.areas {
            area.residents = 0.0;
            area.holiday_homes = 0.0;
        }
        cases.push(twins);
        for synth in &cases {
            let streamed = synth.generate().expect("rows");
            assert_eq!(streamed, materialised(synth), "{} areas", synth.areas.len());
        }
    }

    #[test]
    fn largest_remainders_match_a_sort_with_ties_to_the_earlier() {
        // By sorting, as the generator first did.
        let sorted = |values: &[f64], target: f64| {
            let mut whole: Vec<u64> = values.iter().map(|x| x.floor() as u64).collect();
            let short = (target as u64).saturating_sub(whole.iter().sum());
            let mut order: Vec<usize> = (0..values.len()).collect();
            order.sort_by(|&a, &b| {
                values[b]
                    .fract()
                    .total_cmp(&values[a].fract())
                    .then(a.cmp(&b))
            });
            for &i in order.iter().take(short as usize) {
                whole[i] += 1;
            }
            whole
        };
        let streamed = |values: &[f64], target: f64| {
            let mut rounding = Rounding::largest_remainders(target, |visit| {
                values.iter().for_each(|&x| visit(x));
            });
            values
                .iter()
                .map(|&x| rounding.round(x))
                .collect::<Vec<u64>>()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let noisy: Vec<f64> = (0..5_000).map(|_| 10.0 * unit(&mut rng)).collect();
        let noisy_sum: f64 = noisy.iter().sum();
        // Remainders that share their first 16, 32 or 48 bits, and exact ties.
        let close: Vec<f64> = (0..300)
            .map(|i| 2.0 + 0.25 + f64::from(i % 7) * f64::EPSILON * 4.0)
            .collect();
        for (values, target) in [
            (vec![0.5; 9], 7.0),
            (vec![0.5; 9], 4.0),
            (vec![1.5, 0.5, 2.5, 0.5], 6.0),
            (vec![0.0; 4], 0.0),
            (vec![0.3, 0.3], 5.0),
            (close.clone(), 700.0),
            (close, 777.0),
            (noisy.clone(), noisy_sum.round()),
            (noisy, noisy_sum.floor() - 100.0),
        ] {
            assert_eq!(
                streamed(&values, target),
                sorted(&values, target),
                "{values:?}"
            );
        }
    }

    #[test]
    fn every_made_up_area_has_guest_nights_under_its_own_scenario() {
        // 357 areas (Norway's municipalities) over three years: the plan's method on the
        // synth's own scenario gives each area a positive mean of part-time residents.
        let synth = Synth::generic(357, start(), 3 * 365, 2021, 4_000_000.0);
        let toml = synth.scenario_toml(None).expect("toml");
        let scenario = crate::scenario_from_toml(&toml, Path::new("s.toml")).expect("parses");
        let counts = synth
            .to_counts(&scenario, Path::new("synth"))
            .expect("counts");
        let plan = crate::Plan::new(&scenario, &crate::Selection::default()).expect("plan");
        let summary = plan.estimate(&counts).expect("estimate").summary();
        let areas = summary.areas();
        assert_eq!(areas.len(), 357);
        for area in areas {
            let (part_time, observed) = (area.mean().part_time(), area.mean().observed());
            assert!(
                part_time > 0.05 * observed,
                "{}: {part_time} part-time of {observed}",
                area.name()
            );
        }
    }

    #[test]
    fn writes_a_scenario_that_matches_the_counts() {
        let synth = Synth::generic(25, start(), 30, 4, 200_000.0);
        let toml = synth.scenario_toml(Some("counts.csv")).expect("toml");
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("synthetic.toml");
        std::fs::write(&path, &toml).expect("written");
        let scenario = crate::read_scenario(&path).expect("the scenario parses");
        assert_eq!(scenario.areas().len(), 25);
        assert_eq!(
            scenario.counts(),
            Some(dir.path().join("counts.csv").as_path())
        );
        assert_eq!(scenario.uplift().fraction(), 0.06);
        assert_eq!(scenario.calendar(), &synth.calendar);

        // Its codes are the counts' codes, in the same order.
        let rows = synth.generate().expect("rows");
        let codes: Vec<&str> = scenario.areas().iter().map(|a| a.code.as_str()).collect();
        let counted: Vec<&str> = rows[..25]
            .iter()
            .map(|r| synth.areas[r.1].code.as_str())
            .collect();
        assert_eq!(codes, counted);

        // Residents per area are plausible for the counts: each area's mean count lies between
        // 80 % of its residents (everyone at home, least noise) and residents plus visitors.
        let residents = scenario.registered_residents().expect("per area");
        for (i, r) in residents.iter().enumerate() {
            let mean = rows
                .iter()
                .filter(|row| row.1 == i)
                .map(|row| row.2 as f64)
                .sum::<f64>()
                / 30.0;
            assert!(
                *r > 0.0 && mean >= 0.8 * r,
                "area {i}: mean {mean}, residents {r}"
            );
        }
        for deduction in [
            crate::Deduction::Commuters,
            crate::Deduction::Transit,
            crate::Deduction::DayVisitors,
        ] {
            let crate::DeductionSource::PerArea(values) = scenario.deduction(deduction) else {
                panic!("{deduction:?} is not per area");
            };
            for (v, r) in values.iter().zip(&residents) {
                assert_eq!(*v, (r * 0.05).round());
            }
        }

        // The Hallingdal names (with å) survive, and without counts there is no counts key.
        let toml = Synth::hallingdal(start(), 10, 1, 46_724.0)
            .scenario_toml(None)
            .expect("toml");
        let scenario = crate::scenario_from_toml(&toml, Path::new("h.toml")).expect("it parses");
        assert_eq!(scenario.areas()[4].name, "Ål");
        assert_eq!(scenario.counts(), None);
    }

    #[test]
    fn refuses_impossible_requests() {
        for synth in [
            Synth::generic(0, start(), 10, 1, 100.0),
            Synth::generic(2, start(), 0, 1, 100.0),
            Synth::generic(2, start(), 10, 1, -1.0),
            Synth::generic(2, start(), 10, 1, f64::NAN),
            // Beyond the limits: no 2^64 - 1 counts, no allocation of 4 billion areas.
            Synth::generic(2, start(), 10, 1, 1e300),
            Synth::generic(u32::MAX, start(), 10, 1, 100.0),
            Synth::generic(2, start(), MAX_DAYS + 1, 1, 100.0),
        ] {
            assert!(matches!(synth.generate(), Err(Error::InvalidSynth { .. })));
        }
    }
}
