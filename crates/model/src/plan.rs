//! The model, defined once: a scenario compiled into a plan, and the plan's lines for an area
//! or the region on a day.
//!
//! The method is the Hallingdal regional plan's (strategic plan 2021-2024, table "gjestedøgn"),
//! applied per area `a` and day `d`:
//!
//! ```text
//! observed(a,d)    count from the telecom data (persons present that day)
//! uplift(a,d)    = observed(a,d) × uplift                (plan: 6 %, people the data misses)
//! present(a,d)   = observed(a,d) + uplift(a,d)            (present population)
//! part_time(a,d) = present(a,d) − residents(a,d) − commuters(a,d)
//!                                − transit(a,d)   − day_visitors(a,d)
//! ```
//!
//! `part_time` is the number of part-time residents present, which is the number of
//! guest-nights spent that day.
//!
//! # Night counts
//! With counts that measure the night ([`Measure::Night`]: hourly counts reduced to one count
//! per area and night, see [`crate::night`], or a scenario with `[night]`), `observed(a,d)` is
//! the count of the night labelled by the evening date `d`, and only the residents at home are
//! deducted:
//!
//! ```text
//! part_time(a,d) = present(a,d) − residents(a,d)        (commuters, transit, day visitors: 0)
//! ```
//!
//! Day visitors, commuters and transit are not there at night, so they need no guess. The
//! residents are the scenario's `residents` deduction (the registered figure), or with
//! `[night] residents = "baseline"` each area's median present persons over the reference
//! nights ([`Plan::baseline_nights`], [`Plan::residents_baseline`]). A negative `part_time`
//! (deductions above present persons, e.g. residents away on holiday) is kept as it is, never
//! clamped.
//!
//! # Scaling layers
//! With a scenario's `[scaling]` factors or counts split by SIM origin, `present` comes from
//! Eurostat's layers instead (see [`Scaling`](crate::Scaling)):
//!
//! ```text
//! present(a,d) = (observed − foreign) × (1 + uplift) × deduplication ÷ market_share
//!              + foreign × foreign_factor
//! uplift(a,d)  = present(a,d) − observed(a,d)       (all the factors together)
//! ```
//!
//! With every factor 1 and no foreign SIMs it is the plan's model.
//!
//! # Deductions
//! Each deduction is one figure for the region, one per area, or a table by date (and area).
//! A figure for the region is shared out to the areas by the scenario's
//! [`Allocation`]: `deduction(a,d) = figure(d) × share(a,d)`.
//!
//! # The region
//! One rule gives the region's figures in every output:
//!
//! - **the sum of its areas** (the default): the region's mean per day of each line is the sum
//!   of its areas' means, each area over its own counted days, so guest-nights per year of the
//!   region are the sum of its areas'. The region's days (its daily rows, busiest days,
//!   percentiles, negative days, calendar years) are the days on which every selected area has
//!   a count; a day with some area missing is left out of them and counted as incomplete.
//! - **its own count**: when the scenario names a `region_code`, the counts have rows with it
//!   and no subset of areas is selected, the region's observed and present persons come from
//!   that count (scaled as the areas' are), and its deductions are the region's own figures
//!   (a region-level figure whole; per-area figures summed over every area), so a person seen
//!   in two areas on one day is counted once. The region's days are the days with its own
//!   count. Its overlap on a day every area is counted is the areas' observed summed ÷ the
//!   region's observed (1.1: a tenth of the region's persons were seen in two areas).

use std::fmt;

use chrono::NaiveDate;

use crate::area::AreaCode;
use crate::counts::{Counts, Place};
use crate::day::{Day, epoch_day, from_epoch_day};
use crate::error::{Error, Result};
use crate::lines::{DayLines, Deduction};
use crate::night::Measure;
use crate::scenario::{Allocation, DeductionSource, DeductionTable, Scenario};

/// A half-open period of days, `from` ≤ date < `to`; either end may be open.
///
/// Half-open so that consecutive periods tile without overlap: `2020-01-01..2021-01-01` is the
/// calendar year 2020.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Period {
    /// Every day.
    pub fn all() -> Period {
        Period::default()
    }

    /// The days from `from` (included) to `to` (excluded).
    ///
    /// # Errors
    /// [`Error::InvalidSelection`] if both are given and `to` is not after `from`.
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use deltid_model::Period;
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    /// let year_2020 = Period::new(d(2020, 1, 1), d(2021, 1, 1))?;
    /// assert!(year_2020.contains(d(2020, 12, 31).unwrap()));
    /// assert!(!year_2020.contains(d(2021, 1, 1).unwrap()));
    /// assert!(Period::new(d(2021, 1, 1), d(2020, 1, 1)).is_err());
    /// # Ok::<(), deltid_model::Error>(())
    /// ```
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Period> {
        if let (Some(f), Some(t)) = (from, to)
            && t <= f
        {
            return Err(Error::InvalidSelection {
                reason: format!("period end {t} is not after its start {f} (the end is excluded)"),
            });
        }
        Ok(Period { from, to })
    }

    /// The first day, if the period has a start.
    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    /// The first day after the period, if it has an end.
    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    /// Whether a date lies in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| date >= f) && self.to.is_none_or(|t| date < t)
    }

    /// The period as a half-open range of days since 1970.
    pub(crate) fn days(&self) -> std::ops::Range<Day> {
        self.from.map_or(Day::MIN, epoch_day)..self.to.map_or(Day::MAX, epoch_day)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (None, None) => f.write_str("all days"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "before {b}"),
            (Some(a), Some(b)) => write!(f, "{a} to {b} (end excluded)"),
        }
    }
}

/// Which days and areas to estimate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// The days.
    pub period: Period,
    /// The areas to report; empty for all. Region-level deductions are allocated over all the
    /// scenario's areas first, so an area's figures do not depend on which others are selected.
    pub areas: Vec<AreaCode>,
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.period)?;
        if !self.areas.is_empty() {
            let codes: Vec<&str> = self.areas.iter().map(AreaCode::as_str).collect();
            write!(f, "; areas {}", codes.join(", "))?;
        }
        Ok(())
    }
}

/// How a deduction's figures reach the areas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Nothing is deducted (a region-level figure of 0).
    Nothing,
    /// The region's figure is shared out to the areas by the scenario's allocation.
    Shared,
    /// Each area has a figure of its own.
    PerArea,
}

/// How the region's figures are made (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegionRule {
    /// The sum of the selected areas: means summed; days with every selected area counted
    /// (of those with a count in the period: an area without any is left out and named).
    SumOfAreas,
    /// The region's own count, with the region's own deduction figures.
    OwnCount,
}

impl RegionRule {
    /// The rule in words, for outputs.
    pub fn describe(self) -> &'static str {
        match self {
            RegionRule::SumOfAreas => {
                "the region is the sum of its areas: its means per day are the areas' means summed (each area over its own days); its daily figures are from days with every area counted (of the areas with a count in the period)"
            }
            RegionRule::OwnCount => {
                "the region's present persons are from its own count (each person once), its deductions are the region's own figures"
            }
        }
    }
}

/// A deduction's figures for a day, as the plan looks them up.
#[derive(Clone, Debug, PartialEq)]
enum Rule {
    /// Nothing deducted (a region-level figure of 0).
    Zero,
    /// The region's figure on each day, shared out to the areas.
    Shared(Figures),
    /// Each area's own figure on each day.
    PerArea(Figures),
}

/// Figures by day (or one for every day) and by area (or one for the region), persons per day;
/// `NaN` where a table has no figure, which then takes the table's fill or is an error.
#[derive(Clone, Debug, PartialEq)]
struct Figures {
    /// The first day of a dated table (unused when undated).
    first: Day,
    /// Days held: 1 for an undated figure.
    days: usize,
    /// Areas held: 1 for the region's figure.
    areas: usize,
    /// Day-major values.
    values: Vec<f64>,
    /// The figure for what the table lacks.
    fill: Option<f64>,
    /// Whether the figures differ by day.
    dated: bool,
}

impl Figures {
    /// One figure for every day and area.
    fn constant(value: f64, areas: usize) -> Figures {
        Figures {
            first: 0,
            days: 1,
            areas,
            values: vec![value; areas],
            fill: None,
            dated: false,
        }
    }

    /// A deduction table as figures for `areas` areas (1 for a region-level table).
    fn table(table: &DeductionTable, areas: usize) -> Figures {
        let days = || table.rows().iter().filter_map(|r| r.0).map(epoch_day);
        let (first, days) = match (days().min(), days().max()) {
            (Some(first), Some(last)) if table.is_dated() => (first, (last - first) as usize + 1),
            _ => (0, 1),
        };
        let mut values = vec![f64::NAN; days * areas];
        for (date, area, persons) in table.rows() {
            let day = date.map_or(0, |d| (epoch_day(d) - first) as usize);
            values[day * areas + area.unwrap_or(0)] = *persons;
        }
        Figures {
            first,
            days,
            areas,
            values,
            fill: table.fill(),
            dated: table.is_dated(),
        }
    }

    /// The figure for an area (0 for the region's) on a day, if there is one.
    #[inline]
    fn at(&self, day: Day, area: usize) -> Option<f64> {
        let value = if self.dated {
            usize::try_from(day - self.first)
                .ok()
                .filter(|d| *d < self.days)
                .map_or(f64::NAN, |d| self.values[d * self.areas + area])
        } else {
            self.values[area]
        };
        if value.is_nan() {
            self.fill
        } else {
            Some(value)
        }
    }
}

/// How each area's share of the region-level deductions is found.
#[derive(Clone, Debug, PartialEq)]
enum Shares {
    /// No deduction is shared out.
    None,
    /// Each area's share of present persons that day.
    Present,
    /// Each area's fixed share of registered residents.
    Residents(Vec<f64>),
}

/// What the share of an area on a day depends on besides its own present persons: the day's
/// present persons over the scenario's areas counted, how many were counted, and (on a day
/// with some area missing) the usual shares of those counted.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct DayContext {
    /// Present persons in the scenario's areas counted that day.
    pub(crate) total: f64,
    /// The scenario's areas counted that day.
    pub(crate) counted: u32,
    /// Whether every area with a count in the period is counted that day.
    pub(crate) complete: bool,
    /// The usual shares of the areas counted, summed (used on a day with some area missing).
    pub(crate) usual_counted: f64,
}

/// A scenario compiled for a selection: the one definition of the model that every path of
/// deltid runs (the estimate, its summaries and analyses, the uncertainty analysis, the SQL
/// export).
///
/// [`Plan::estimate`] runs it over counts. The formulas are in the [module docs](self).
///
/// # Examples
/// ```
/// use std::path::Path;
/// use chrono::NaiveDate;
/// use deltid_model::{CountsBuilder, Line, Place, Plan, Selection};
/// # let scenario = deltid_model::doc_scenario();
/// // Two areas, uplift 6 %, residents 1 000 for the region shared by present persons.
/// let plan = Plan::new(&scenario, &Selection::default())?;
/// let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
/// let counts = CountsBuilder::new(&scenario, false);
/// let mut writer = counts.writer();
/// writer.insert(Place::Area(0), day, 1_000.0, 0.0)?;
/// writer.insert(Place::Area(1), day, 500.0, 0.0)?;
/// drop(writer);
/// let estimate = plan.estimate(&counts.finish(Path::new("counts")))?;
/// // Area 0: present 1 060, share 1 060 ÷ 1 590 of 1 000 residents: 1 060 − 666.67 = 393.33.
/// let lines = estimate.area_day(0, day).unwrap();
/// assert!((lines[Line::PartTime] - (1_060.0 - 1_000.0 * 1_060.0 / 1_590.0)).abs() < 1e-9);
/// // The region: 1 590 present − 1 000 residents.
/// assert!((estimate.region_day(day).unwrap().lines[Line::PartTime] - 590.0).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Plan {
    scenario: Scenario,
    selection: Selection,
    /// Positions of the selected areas, in scenario order.
    selected: Vec<usize>,
    /// Persons added to each domestic SIM and to each foreign SIM counted.
    per_domestic: f64,
    per_foreign: f64,
    rules: [Rule; 4],
    shares: Shares,
    /// Each area's four deductions when none depends on the day (figures per area or shared
    /// by resident share, none from a table by date): the rules evaluated once, not per day.
    fixed: Option<Vec<[f64; 4]>>,
    period: std::ops::Range<Day>,
    measure: Measure,
    /// The baseline the residents were taken from (`[night] residents = "baseline"`), once
    /// the plan is applied to counts.
    baseline: Option<crate::night::ResidentsBaseline>,
}

impl Plan {
    /// Compiles a scenario for a selection, for the measure the scenario declares: nights with
    /// `[night]`, else days.
    ///
    /// # Errors
    /// [`Error::InvalidSelection`] if a selected area is not in the scenario.
    pub fn new(scenario: &Scenario, selection: &Selection) -> Result<Plan> {
        let measure = if scenario.night().is_some() {
            Measure::Night
        } else {
            Measure::Day
        };
        Plan::for_measure(scenario, selection, measure)
    }

    /// Compiles a scenario for a selection and counts that measure `measure`: for
    /// [`Measure::Night`] only the residents are deducted (see the [module docs](self)).
    ///
    /// # Errors
    /// [`Error::InvalidSelection`] if a selected area is not in the scenario.
    pub fn for_measure(
        scenario: &Scenario,
        selection: &Selection,
        measure: Measure,
    ) -> Result<Plan> {
        let areas = scenario.areas().len();
        let mut selected = Vec::new();
        for code in &selection.areas {
            match scenario.position(code.as_str()) {
                Some(i) if !selected.contains(&i) => selected.push(i),
                Some(_) => {}
                None => {
                    return Err(Error::InvalidSelection {
                        reason: format!(
                            "area {:?} is not in the scenario {}",
                            code.as_str(),
                            scenario.path().display()
                        ),
                    });
                }
            }
        }
        selected.sort_unstable();
        if selected.is_empty() {
            selected = (0..areas).collect();
        }
        let rules = Deduction::ALL.map(|d| match scenario.deduction(d) {
            _ if !measure.deducts(d) => Rule::Zero,
            DeductionSource::Region(persons) if *persons == 0.0 => Rule::Zero,
            DeductionSource::Region(persons) => Rule::Shared(Figures::constant(*persons, 1)),
            DeductionSource::PerArea(values) => Rule::PerArea(Figures {
                first: 0,
                days: 1,
                areas,
                values: values.clone(),
                fill: None,
                dated: false,
            }),
            DeductionSource::Table(table) if table.is_per_area() => {
                Rule::PerArea(Figures::table(table, areas))
            }
            DeductionSource::Table(table) => Rule::Shared(Figures::table(table, 1)),
        });
        let shares = if !rules.iter().any(|r| matches!(r, Rule::Shared(_))) {
            Shares::None
        } else {
            match (scenario.allocation(), scenario.registered_residents()) {
                (Allocation::ResidentShare, Some(residents)) => {
                    let total: f64 = residents.iter().sum();
                    Shares::Residents(residents.iter().map(|r| r / total).collect())
                }
                _ => Shares::Present,
            }
        };
        let (per_domestic, per_foreign) = scenario.scaling().added(scenario.uplift().fraction());
        let mut plan = Plan {
            scenario: scenario.clone(),
            selection: selection.clone(),
            selected,
            per_domestic,
            per_foreign,
            rules,
            shares,
            fixed: None,
            period: selection.period.days(),
            measure,
            baseline: None,
        };
        plan.fixed = plan.fixed_deductions();
        Ok(plan)
    }

    /// Each area's deductions, when no rule depends on the day: from the same rules as
    /// [`Plan::area_lines`] evaluates each day (so the same numbers), on any day.
    fn fixed_deductions(&self) -> Option<Vec<[f64; 4]>> {
        let by_day = self.rules.iter().any(|rule| match rule {
            Rule::Zero => false,
            Rule::Shared(figures) | Rule::PerArea(figures) => figures.dated,
        });
        if by_day || self.shares == Shares::Present {
            return None;
        }
        let context = DayContext::default();
        (0..self.scenario.areas().len())
            .map(|area| self.deductions(area, 0, 0.0, &context, &[]))
            .collect()
    }

    /// What the counts the plan takes measure: days, or nights (only residents deducted).
    pub fn measure(&self) -> Measure {
        self.measure
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The selection.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// Positions of the selected areas among the scenario's, in scenario order.
    pub fn selected(&self) -> &[usize] {
        &self.selected
    }

    /// The region's name in outputs: the scenario's; with some areas selected, the one
    /// area's name, or the scenario's name and "selected areas" (the scenario's alone when
    /// every area is selected: that is the region, read from its own count if it has one).
    pub fn region_name(&self) -> String {
        let name = self.scenario.name();
        match self.selected.as_slice() {
            _ if self.selection.areas.is_empty() => name.to_owned(),
            [one] => self.scenario.areas()[*one].name.clone(),
            _ if self.selects_all() => name.to_owned(),
            _ => format!("{name}, selected areas"),
        }
    }

    /// Whether every area of the scenario is selected.
    pub fn selects_all(&self) -> bool {
        self.selected.len() == self.scenario.areas().len()
    }

    /// Persons added per domestic SIM and per foreign SIM counted: present persons are
    /// `observed + domestic × per_domestic + foreign × per_foreign`.
    pub fn added_per_sim(&self) -> (f64, f64) {
        (self.per_domestic, self.per_foreign)
    }

    /// The baseline of residents at home the plan deducts at night (`[night] residents =
    /// "baseline"`), per area beside the registered figure: set on the plan of an
    /// [`Estimate`](crate::Estimate) (see [`Plan::estimate`]); `None` otherwise.
    pub fn residents_baseline(&self) -> Option<&crate::night::ResidentsBaseline> {
        self.baseline.as_ref()
    }

    /// The reference nights (evening dates) of the baseline of residents at home this plan
    /// deducts: `Some` for a plan for nights whose scenario says `[night] residents =
    /// "baseline"`, `None` when it deducts the scenario's `residents` figure.
    pub fn baseline_nights(&self) -> Option<&[NaiveDate]> {
        match self.scenario.night_residents() {
            crate::night::NightResidents::Baseline(reference) if self.measure == Measure::Night => {
                Some(reference)
            }
            _ => None,
        }
    }

    /// The plan for nights with per-area residents at home `persons` (persons, one per area
    /// of the scenario, in its order) in place of the scenario's `residents` figure, the rest
    /// (selection, uplift, scaling) as this plan's: the form of a plan deducting a baseline
    /// ([`Plan::estimate`] fills it with each area's median; the SQL export with its own).
    ///
    /// # Errors
    /// [`Error::InvalidScenario`] (key `night.residents`) if `persons` does not hold one
    /// figure per area.
    pub fn with_area_residents(&self, persons: Vec<f64>) -> Result<Plan> {
        let areas = self.scenario.areas().len();
        if persons.len() != areas {
            return Err(Error::InvalidScenario {
                path: self.scenario.path().to_owned(),
                key: "night.residents".to_owned(),
                reason: format!(
                    "{} residents figures for {areas} areas: one per area is needed",
                    persons.len()
                ),
            });
        }
        Plan::for_measure(
            &self.scenario.with_residents(persons),
            &self.selection,
            Measure::Night,
        )
    }

    /// The plan with the residents of a baseline of reference nights in place of the
    /// scenario's figure, for a plan for nights whose scenario asks for one; else `None`.
    ///
    /// # Errors
    /// [`Error::InvalidScenario`] (key `night.reference`) if a selected area with counts has
    /// none on any reference night.
    pub(crate) fn with_baseline(&self, counts: &crate::Counts) -> Result<Option<Plan>> {
        let Some(reference) = self.baseline_nights() else {
            return Ok(None);
        };
        let reference = reference.to_vec();
        let registered = self.scenario.registered_residents();
        let areas = self.scenario.areas();
        let mut figures = Vec::with_capacity(areas.len());
        for (i, area) in areas.iter().enumerate() {
            let place = crate::Place::Area(i);
            let mut present: Vec<f64> = reference
                .iter()
                .filter_map(|&night| counts.get(place, night))
                .map(|(observed, foreign)| self.present(observed, foreign).1)
                .collect();
            present.sort_by(f64::total_cmp);
            let median =
                crate::stats::quantile(&present, 0.5, crate::stats::PercentileMethod::Linear);
            let counted = counts.series(place).next().is_some();
            if median.is_none() && counted && self.selected.contains(&i) {
                return Err(Error::InvalidScenario {
                    path: self.scenario.path().to_owned(),
                    key: "night.reference".to_owned(),
                    reason: format!(
                        "{} ({}) has no night count on any of the reference nights ({}) in {}: the baseline of residents at home needs counts of quiet nights (name nights that are counted, or use residents = \"registered\")",
                        area.name,
                        area.code.as_str(),
                        reference
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        counts.path().display()
                    ),
                });
            }
            figures.push(median.map(|persons| crate::night::BaselineFigure {
                persons,
                nights: present.len() as u32,
                registered: registered.as_ref().map(|r| r[i]),
            }));
        }
        // An area without counts on any reference night (and none counted, or not selected)
        // keeps no residents: it has no night to estimate.
        let persons: Vec<f64> = figures
            .iter()
            .map(|f| f.map_or(0.0, |f| f.persons))
            .collect();
        let mut plan = self.with_area_residents(persons)?;
        plan.baseline = Some(crate::night::ResidentsBaseline {
            reference: reference.clone(),
            areas: figures,
        });
        Ok(Some(plan))
    }

    /// The change of the region's mean guest-nights per day when the uplift grows by 1 (the
    /// derivative the uncertainty analysis needs; the model is linear in the uplift): the
    /// region's mean domestic SIMs per day × deduplication ÷ market share.
    pub fn uplift_slope(&self, mean_domestic: f64) -> f64 {
        let scaling = self.scenario.scaling();
        mean_domestic * scaling.deduplication() / scaling.market_share()
    }

    /// Whether deduction figures are shared out by present persons, so that each day's present
    /// persons over all areas are needed first.
    pub fn shares_by_present(&self) -> bool {
        self.shares == Shares::Present
    }

    /// Whether a day is in the selected period.
    pub(crate) fn in_period(&self, day: Day) -> bool {
        self.period.contains(&day)
    }

    /// How a deduction's figures reach the areas, as the plan compiled them.
    pub fn reach(&self, deduction: Deduction) -> Reach {
        match &self.rules[deduction.index()] {
            Rule::Zero => Reach::Nothing,
            Rule::Shared(_) => Reach::Shared,
            Rule::PerArea(_) => Reach::PerArea,
        }
    }

    /// Each area's fixed share of the region-level figures (fractions that add up to 1, in
    /// scenario order), when they are shared out by registered residents.
    pub fn resident_shares(&self) -> Option<&[f64]> {
        match &self.shares {
            Shares::Residents(shares) => Some(shares),
            _ => None,
        }
    }

    /// The region's own figure of a deduction on a date, persons: a shared figure whole, per-area
    /// figures summed over every area (as deducted from the region's own count); `None` where a
    /// table has no figure and no fill.
    pub fn region_figure(&self, deduction: Deduction, date: NaiveDate) -> Option<f64> {
        Plan::region_rule_figure(&self.rules[deduction.index()], epoch_day(date))
    }

    /// The figure of a deduction for an area on a date (the region's figure for a shared
    /// deduction, before it is shared out), persons; `None` where a table has no figure and no
    /// fill.
    pub fn figure(&self, deduction: Deduction, area: usize, date: NaiveDate) -> Option<f64> {
        let day = epoch_day(date);
        match &self.rules[deduction.index()] {
            Rule::Zero => Some(0.0),
            Rule::Shared(figures) => figures.at(day, 0),
            Rule::PerArea(figures) => figures.at(day, area),
        }
    }

    /// The registered residents of an area on a date, persons: its own figure when residents
    /// are given per area, its share of the region's figure when they are shared out by
    /// registered residents, 0 when no residents are deducted; `None` when the region's figure
    /// is shared out by present persons (then an area has no registered figure of its own) or
    /// a table has no figure for the date.
    pub fn registered_residents(&self, area: usize, date: NaiveDate) -> Option<f64> {
        let figure = self.figure(Deduction::Residents, area, date)?;
        match self.reach(Deduction::Residents) {
            Reach::Nothing => Some(0.0),
            Reach::PerArea => Some(figure),
            Reach::Shared => self
                .resident_shares()
                .and_then(|shares| shares.get(area))
                .map(|share| figure * share),
        }
    }

    /// What counts split by origin give under this plan: the scenario's areas, registered
    /// residents by [`Plan::registered_residents`] (see [`crate::origin`]). Every area is
    /// estimated; with some areas selected only theirs are kept, without the region's figures
    /// ([`OriginEstimate::only`](crate::origin::OriginEstimate::only)).
    pub fn origin_estimate(
        &self,
        split: &crate::origin::OriginSplit,
    ) -> crate::origin::OriginEstimate {
        let estimate = crate::origin::OriginEstimate::new(
            split,
            self.scenario().areas().len(),
            |area, date| self.registered_residents(area, date),
        );
        if self.selects_all() {
            estimate
        } else {
            estimate.only(&self.selected)
        }
    }

    /// Present persons of `observed` persons counted (no foreign SIMs among them): the
    /// observed plus the uplift and scaling, as the plan adds them to a count.
    pub fn present_of(&self, observed: f64) -> f64 {
        self.present(observed, 0.0).1
    }

    /// Present persons from a count: the uplift line and present population.
    fn present(&self, observed: f64, foreign: f64) -> (f64, f64) {
        let added = (observed - foreign) * self.per_domestic + foreign * self.per_foreign;
        (added, observed + added)
    }

    /// The eight lines from a count and the four deductions (the residual is the last line).
    #[inline]
    fn lines(
        &self,
        observed: f64,
        foreign: f64,
        deductions: impl Fn(f64) -> Option<[f64; 4]>,
    ) -> Option<DayLines> {
        let (added, present) = self.present(observed, foreign);
        let [residents, commuters, transit, day_visitors] = deductions(present)?;
        let part_time = present - residents - commuters - transit - day_visitors;
        Some(DayLines::from_array([
            observed,
            added,
            present,
            residents,
            commuters,
            transit,
            day_visitors,
            part_time,
        ]))
    }

    /// An area's lines on a day from its count and the day's context; `None` where a table has
    /// no figure.
    #[inline(always)]
    pub(crate) fn area_lines(
        &self,
        area: usize,
        day: Day,
        count: (f64, f64),
        context: &DayContext,
        usual: &[f64],
    ) -> Option<DayLines> {
        let mut found = None;
        self.areas_lines(
            &[area],
            day,
            context,
            usual,
            |_| Some(count),
            |_, lines| {
                found = Some(lines);
            },
        );
        found
    }

    /// The lines of the areas at `areas` (positions among the scenario's areas) on one day, as
    /// [`Plan::area_lines`] gives each from its count (`count(area)`, `None` without one):
    /// calls `each(i, lines)`, `i` the area's place in `areas`, for each area with lines, in
    /// order. What is the same for the whole day is settled once, not once an area: passes
    /// over millions of area-days run this.
    #[inline(always)]
    pub(crate) fn areas_lines(
        &self,
        areas: &[usize],
        day: Day,
        context: &DayContext,
        usual: &[f64],
        count: impl Fn(usize) -> Option<(f64, f64)>,
        each: impl FnMut(usize, DayLines),
    ) {
        match &self.fixed {
            Some(fixed) => self.each_area_lines(areas, count, each, |area, _| Some(fixed[area])),
            None => self.each_area_lines(areas, count, each, |area, present| {
                self.deductions(area, day, present, context, usual)
            }),
        }
    }

    /// [`Plan::areas_lines`] with each area's four deductions by `deductions(area, present)`.
    #[inline(always)]
    fn each_area_lines(
        &self,
        areas: &[usize],
        count: impl Fn(usize) -> Option<(f64, f64)>,
        mut each: impl FnMut(usize, DayLines),
        deductions: impl Fn(usize, f64) -> Option<[f64; 4]>,
    ) {
        for (i, &area) in areas.iter().enumerate() {
            if let Some((observed, foreign)) = count(area)
                && let Some(lines) =
                    self.lines(observed, foreign, |present| deductions(area, present))
            {
                each(i, lines);
            }
        }
    }

    /// An area's four deductions on a day, with its present persons that day; `None` where a
    /// table has no figure.
    #[inline(always)]
    fn deductions(
        &self,
        area: usize,
        day: Day,
        present: f64,
        context: &DayContext,
        usual: &[f64],
    ) -> Option<[f64; 4]> {
        let share = self.share(area, present, context, usual);
        let mut deductions = [0.0; 4];
        for (slot, rule) in deductions.iter_mut().zip(&self.rules) {
            *slot = match rule {
                Rule::Zero => 0.0,
                Rule::Shared(figures) => figures.at(day, 0)? * share,
                Rule::PerArea(figures) => figures.at(day, area)?,
            };
        }
        Some(deductions)
    }

    /// The region's lines on a day from its own count: its deductions are the region's own
    /// figures (shared figures whole, per-area figures summed over every area).
    pub(crate) fn region_lines(
        &self,
        day: Day,
        (observed, foreign): (f64, f64),
    ) -> Option<DayLines> {
        self.lines(observed, foreign, |_| self.region_deductions(day))
    }

    /// The region's own figures of the four deductions on a day.
    fn region_deductions(&self, day: Day) -> Option<[f64; 4]> {
        let mut deductions = [0.0; 4];
        for (slot, rule) in deductions.iter_mut().zip(&self.rules) {
            *slot = Plan::region_rule_figure(rule, day)?;
        }
        Some(deductions)
    }

    /// The region's own figure of one rule on a day.
    fn region_rule_figure(rule: &Rule, day: Day) -> Option<f64> {
        Some(match rule {
            Rule::Zero => 0.0,
            Rule::Shared(figures) => figures.at(day, 0)?,
            Rule::PerArea(figures) => {
                let mut sum = 0.0;
                for area in 0..figures.areas {
                    sum += figures.at(day, area)?;
                }
                sum
            }
        })
    }

    /// An area's share (fraction 0..1) of the region-level figures on a day.
    #[inline]
    fn share(&self, area: usize, present: f64, context: &DayContext, usual: &[f64]) -> f64 {
        match &self.shares {
            Shares::None => 0.0,
            Shares::Residents(shares) => shares[area],
            Shares::Present => {
                let share = Plan::present_share(present, context);
                if context.complete || usual.is_empty() || context.usual_counted <= 0.0 {
                    share
                } else {
                    share * context.usual_counted
                }
            }
        }
    }

    /// An area's share of the present persons counted on a day (equal shares on a day with
    /// nobody present).
    pub(crate) fn present_share(present: f64, context: &DayContext) -> f64 {
        if context.total > 0.0 {
            present / context.total
        } else {
            1.0 / f64::from(context.counted)
        }
    }

    /// The first figure a table lacks for a day counted, as the error naming it: the first
    /// deduction in the plan's order, its first day, and for a table by area the first area in
    /// scenario order.
    pub(crate) fn check_figures(&self, counts: &Counts, own_region: bool) -> Result<()> {
        let areas = self.scenario.areas().len();
        for (deduction, rule) in Deduction::ALL.iter().zip(&self.rules) {
            let (Rule::Shared(figures) | Rule::PerArea(figures)) = rule else {
                continue;
            };
            let complete = figures.fill.is_some()
                || (!figures.dated && !figures.values.iter().any(|v| v.is_nan()));
            if complete {
                continue;
            }
            let shared = matches!(rule, Rule::Shared(_));
            for (day, row) in counts.days().filter(|(d, _)| self.in_period(*d)) {
                let region = own_region
                    && counts
                        .key(Place::Region)
                        .is_some_and(|k| !row.observed.at(k).is_nan());
                let missing = (0..areas).find(|&a| {
                    let counted = !row.observed.at(a).is_nan() || region;
                    counted && figures.at(day, if shared { 0 } else { a }).is_none()
                });
                if let Some(area) = missing {
                    let DeductionSource::Table(table) = self.scenario.deduction(*deduction) else {
                        continue;
                    };
                    return Err(Error::MissingDeductionDate {
                        path: table.path().to_owned(),
                        deduction: deduction.key().to_owned(),
                        date: figures.dated.then(|| from_epoch_day(day).to_string()),
                        area: (!shared).then(|| self.scenario.areas()[area].code.to_string()),
                    });
                }
            }
        }
        Ok(())
    }
}
