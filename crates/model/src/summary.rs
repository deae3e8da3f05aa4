//! Summaries over the period: means per day, the plan's table, negative days, calendar years.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::Serialize;

use crate::area::AreaCode;
use crate::counts::Place;
use crate::day::{Day, YearOf, days_in_year, from_epoch_day};
use crate::estimate::{AREA_BLOCK, BlockDay, Estimate, RegionDay};
use crate::lines::{DayLines, Line};
use crate::night::{Measure, NightStats};
use crate::plan::{RegionRule, Selection};
use crate::scenario::{Allocation, Scaling, Uplift};
use crate::stats::{Largest, PercentileMethod, Sum, quantile_of};
use crate::table::{PLAN_DAYS_PER_YEAR, PlanTable};

/// The most days with a negative residual a summary lists per area (it counts them all): a
/// country's areas over years can have millions.
pub const MAX_NEGATIVE_DATES: usize = 20;

/// Guest-nights summed over the days observed in one calendar year.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CalendarYear {
    /// The year.
    pub year: i32,
    /// Days with a count in the selection (for the region: region days).
    pub days_observed: u32,
    /// Days in the calendar year (365, or 366 in a leap year).
    pub days_in_year: u32,
    /// Sum of part-time residents present over the days observed, in nights. Only a full year
    /// (`days_observed == days_in_year`) is a yearly figure; a partial year is not scaled up.
    pub guest_nights: f64,
}

impl CalendarYear {
    /// Whether every day of the year was observed.
    pub fn is_complete(&self) -> bool {
        self.days_observed == self.days_in_year
    }
}

/// How the plan's table is made from a mean: the uplift, and the scaling factors when they
/// (or a foreign-SIM split) are in play.
#[derive(Clone, Copy, Debug, PartialEq)]
struct TableRule {
    uplift: Uplift,
    scaling: Option<Scaling>,
}

impl TableRule {
    fn table(self, mean: &DayLines) -> PlanTable {
        match self.scaling {
            // The plan's rounding of the uplift line holds only for observed × (1 + uplift).
            Some(scaling) => PlanTable::with_scaling(mean, self.uplift, scaling),
            None => PlanTable::new(mean, self.uplift),
        }
    }
}

/// Summary of one area, or of the region, over the selected period.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaSummary {
    code: Option<AreaCode>,
    name: String,
    days: u32,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    mean: DayLines,
    mean_foreign: f64,
    missing_days: u32,
    negative_days: u32,
    negative_sum: f64,
    negative_dates: Vec<NaiveDate>,
    guest_nights_per_year_plan: f64,
    busiest: Option<Busiest>,
    calendar_years: Vec<CalendarYear>,
    /// The table is made when asked for: a country's areas need no table each in memory.
    table: TableRule,
}

impl Serialize for AreaSummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The fields as written, with the table made.
        #[derive(Serialize)]
        struct Written<'a> {
            code: &'a Option<AreaCode>,
            name: &'a str,
            days: u32,
            first: Option<NaiveDate>,
            last: Option<NaiveDate>,
            mean: &'a DayLines,
            mean_foreign: f64,
            missing_days: u32,
            negative_days: u32,
            negative_sum: f64,
            negative_dates: &'a [NaiveDate],
            guest_nights_per_year_plan: f64,
            calendar_years: &'a [CalendarYear],
            table: PlanTable,
        }
        Written {
            code: &self.code,
            name: &self.name,
            days: self.days,
            first: self.first,
            last: self.last,
            mean: &self.mean,
            mean_foreign: self.mean_foreign,
            missing_days: self.missing_days,
            negative_days: self.negative_days,
            negative_sum: self.negative_sum,
            negative_dates: &self.negative_dates,
            guest_nights_per_year_plan: self.guest_nights_per_year_plan,
            calendar_years: &self.calendar_years,
            table: self.table(),
        }
        .serialize(serializer)
    }
}

impl AreaSummary {
    /// The area's code; `None` for the region.
    pub fn code(&self) -> Option<&AreaCode> {
        self.code.as_ref()
    }

    /// The area's (or region's) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Days with a count (for the region: its days, see [`RegionRule`]).
    pub fn days(&self) -> u32 {
        self.days
    }

    /// First day with a count; `None` for a region without a day of its own (no day with
    /// every area counted).
    pub fn first(&self) -> Option<NaiveDate> {
        self.first
    }

    /// Last day with a count; `None` as for [`AreaSummary::first`].
    pub fn last(&self) -> Option<NaiveDate> {
        self.last
    }

    /// Mean per day of each line, persons. For the region as the sum of its areas: the sum of
    /// the areas' means.
    pub fn mean(&self) -> &DayLines {
        &self.mean
    }

    /// Foreign SIMs (inbound roamers) among the observed, mean per day; 0 without a SIM-origin
    /// split.
    pub fn mean_foreign(&self) -> f64 {
        self.mean_foreign
    }

    /// Days in the summary's span ([`Summary::first`] to [`Summary::last`]) without a count
    /// (for the region: that are not region days). The means and the plan's yearly figure are
    /// over the days counted only.
    pub fn missing_days(&self) -> u32 {
        self.missing_days
    }

    /// Days whose part-time residual is negative (kept in every figure, not clamped).
    pub fn negative_days(&self) -> u32 {
        self.negative_days
    }

    /// Sum of the negative residuals over those days, nights (≤ 0).
    pub fn negative_sum(&self) -> f64 {
        self.negative_sum
    }

    /// The first days with a negative residual, in date order: at most
    /// [`MAX_NEGATIVE_DATES`] of the [`AreaSummary::negative_days`] (the daily rows have
    /// every one).
    pub fn negative_dates(&self) -> &[NaiveDate] {
        &self.negative_dates
    }

    /// Guest-nights per year by the plan's rule: mean part-time residents per day × 365,
    /// nights.
    pub fn guest_nights_per_year_plan(&self) -> f64 {
        self.guest_nights_per_year_plan
    }

    /// Part-time residents present on the area's busiest days, for an area the scenario gives
    /// holiday homes or commercial guest-nights for (the peaks the plausibility checks set
    /// beside them); `None` for other areas and for the region (whose days
    /// [`Estimate::region_days`] gives).
    pub fn busiest(&self) -> Option<Busiest> {
        self.busiest
    }

    /// Guest-nights per calendar year, with coverage.
    pub fn calendar_years(&self) -> &[CalendarYear] {
        &self.calendar_years
    }

    /// The plan's table for this area (or the region), made from its means.
    pub fn table(&self) -> PlanTable {
        self.table.table(&self.mean)
    }
}

/// Summary of an estimate: the region and each selected area.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    region_name: String,
    uplift: Uplift,
    scaling: Scaling,
    region_rule: RegionRule,
    overlap: Option<f64>,
    allocation: Allocation,
    selection: String,
    /// The selection itself, for its words in other languages.
    #[serde(skip)]
    selected: Selection,
    first: NaiveDate,
    last: NaiveDate,
    region: AreaSummary,
    incomplete_region_days: u32,
    days: u32,
    areas: Vec<AreaSummary>,
    areas_without_counts: Vec<(AreaCode, String)>,
    measure: Measure,
    night: Option<NightSummary>,
    residents_baseline: Option<NightBaseline>,
}

/// The residents at home at night from a baseline of quiet reference nights (`[night]
/// residents = "baseline"`): per selected area, the baseline deducted beside the registered
/// figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NightBaseline {
    /// The reference nights declared, by evening date.
    pub reference: Vec<NaiveDate>,
    /// Per selected area with a baseline: code, name, the baseline and registered figure.
    pub areas: Vec<(AreaCode, String, crate::night::BaselineFigure)>,
}

/// What night counts add to a summary: how hourly counts were reduced, hours present per night
/// and the daytime excess (day peak − night count, in present persons), per selected area with
/// counts, in scenario order. The daytime excess is reported, never deducted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NightSummary {
    /// The rule, window and day window, in words.
    pub method: String,
    /// The settings the counts were reduced by.
    #[serde(skip)]
    pub settings: crate::night::NightSettings,
    /// The time zone local times were read in.
    pub zone: String,
    /// Per area: code, name, and its nights' stats, with the daytime excess in present
    /// persons (the plan's uplift and scaling applied to day peak and night count alike, as
    /// the planners' view takes them).
    pub areas: Vec<(AreaCode, String, NightStats)>,
    /// The region's mean daytime excess per day: the areas' means summed (persons); `None`
    /// without a day with both figures.
    pub region_excess: Option<f64>,
}

// Here, so that an estimate does not depend on its summary.
impl Estimate {
    /// The summary: means per day, the plan's table, negative days and calendar years, per
    /// selected area and for the region.
    pub fn summary(&self) -> Summary {
        Summary::new(self)
    }
}

impl Summary {
    /// The region's name.
    pub fn region_name(&self) -> &str {
        &self.region_name
    }

    /// The uplift applied.
    pub fn uplift(&self) -> Uplift {
        self.uplift
    }

    /// The scaling factors besides the uplift.
    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    /// How the region's figures are made.
    pub fn region_rule(&self) -> RegionRule {
        self.region_rule
    }

    /// With the region's own count: the mean over the days every area is counted of the
    /// areas' observed summed ÷ the region's own count (above 1: people seen in several areas
    /// on a day); `None` when the region is the sum of its areas.
    pub fn overlap(&self) -> Option<f64> {
        self.overlap
    }

    /// How region-level deductions were shared out to areas.
    pub fn allocation(&self) -> Allocation {
        self.allocation
    }

    /// The selection, in words.
    pub fn selection(&self) -> &str {
        &self.selection
    }

    /// The selection: the period and the areas asked for.
    pub fn selected(&self) -> &Selection {
        &self.selected
    }

    /// Days with any count (of a selected area, or the region's own).
    pub fn days(&self) -> u32 {
        self.days
    }

    /// First day of the span: the period's start if given, else the first day counted.
    pub fn first(&self) -> NaiveDate {
        self.first
    }

    /// Last day of the span: the day before the period's end if given, else the last counted.
    pub fn last(&self) -> NaiveDate {
        self.last
    }

    /// The region.
    pub fn region(&self) -> &AreaSummary {
        &self.region
    }

    /// Days with some count that are not region days: with the region as the sum of its areas,
    /// days on which some selected area has no count; with its own count, days without it.
    pub fn incomplete_region_days(&self) -> u32 {
        self.incomplete_region_days
    }

    /// Each selected area with counts, in scenario order.
    pub fn areas(&self) -> &[AreaSummary] {
        &self.areas
    }

    /// Selected areas without any count in the period, as (code, name): they are not in the
    /// region's sum, and a day is a region day without them.
    pub fn areas_without_counts(&self) -> &[(AreaCode, String)] {
        &self.areas_without_counts
    }

    /// What the counts measured: days, or nights (only residents deducted).
    pub fn measure(&self) -> Measure {
        self.measure
    }

    /// How hourly counts were reduced to nights, when they were.
    pub fn night(&self) -> Option<&NightSummary> {
        self.night.as_ref()
    }

    /// The baseline of residents at home deducted at night, when the scenario asks for one.
    pub fn residents_baseline(&self) -> Option<&NightBaseline> {
        self.residents_baseline.as_ref()
    }

    /// Summarises an estimate (see [`Estimate::summary`]).
    pub(crate) fn new(estimate: &Estimate) -> Summary {
        let plan = estimate.plan();
        let scenario = plan.scenario();
        let selected = plan.selected();
        let days = estimate.days_held();
        // The calendar year of each day held.
        let mut year_of = YearOf::default();
        let mut years = vec![0; days];
        for (index, day, _) in estimate.counts().indexed_days() {
            years[index] = year_of.year(day);
        }
        // The busiest days of the areas the scenario gives holiday homes or commercial
        // guest-nights for (the plausibility checks set them beside those).
        let calibration = scenario.calibration();
        let busiest: Vec<bool> = selected
            .iter()
            .map(|&p| {
                calibration[p].holiday_homes.is_some()
                    || calibration[p].commercial_guest_nights.is_some()
            })
            .collect();
        // One pass over the counts, a block of areas at a time: each area's tally, its busiest
        // days, and the block's sum on each day for the region. Blocks are shared out among
        // the cores when there is enough to share.
        let blocks = selected.len().div_ceil(AREA_BLOCK);
        // `series` holds, for each area of a block, its busiest days of part-time residents
        // so far (enough of them for the percentile): kept from block to block, so that the
        // memory is not given back and taken afresh each time.
        let tally = |block: usize, series: &mut Vec<Largest>| {
            let first = block * AREA_BLOCK;
            let slots = first..(first + AREA_BLOCK).min(selected.len());
            let mut tallies = vec![Tally::default(); slots.len()];
            series.resize_with(slots.len(), || Busiest::keeper(days));
            series.iter_mut().for_each(Largest::clear);
            let sums = estimate.visit_block(
                block,
                #[inline(always)]
                |slot, index, day, lines| {
                    tallies[slot - first].add(day, years[index], &lines);
                    if busiest[slot] {
                        series[slot - first].push(lines.part_time());
                    }
                },
            );
            for (tally, days) in tallies.iter_mut().zip(series.iter_mut()) {
                tally.busiest = Busiest::of_largest(days);
            }
            (tallies, sums)
        };
        let work = days.saturating_mul(selected.len());
        let threads = if work < 200_000 {
            1
        } else {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(blocks)
        };
        let parts: Vec<BlockTally> = if threads <= 1 {
            let mut series = Vec::new();
            (0..blocks).map(|block| tally(block, &mut series)).collect()
        } else {
            let next = AtomicUsize::new(0);
            let mut done: Vec<(usize, BlockTally)> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            let (mut done, mut series) = (Vec::new(), Vec::new());
                            loop {
                                let block = next.fetch_add(1, Ordering::Relaxed);
                                if block >= blocks {
                                    break done;
                                }
                                done.push((block, tally(block, &mut series)));
                            }
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            });
            done.sort_unstable_by_key(|(block, _)| *block);
            done.into_iter().map(|(_, part)| part).collect()
        };
        let mut tallies = Tallies::new();
        let mut sums = Vec::with_capacity(parts.len());
        for (areas, block) in parts {
            tallies.areas.push(areas);
            sums.push(block);
        }
        // The region's days, in date order, from the blocks' sums.
        let mut day_sums = Vec::with_capacity(sums.len());
        for (index, day, row) in estimate.counts().indexed_days() {
            if !plan.in_period(day) {
                continue;
            }
            day_sums.clear();
            day_sums.extend(sums.iter().map(|block| block[index]));
            let region = estimate.region_of(day, row, &day_sums);
            let counted = day_sums.iter().map(|(_, n)| n).sum();
            tallies.region_day(day, years[index], counted, region.as_ref());
        }
        estimate.keep_region_days(std::mem::take(&mut tallies.region_days));
        let uplift = scenario.uplift();
        let scaling = scenario.scaling();
        let foreign = estimate.counts().has_foreign();
        // The plan's rounding of the uplift line holds only for observed × (1 + uplift).
        let table = TableRule {
            uplift,
            scaling: (!scaling.is_identity() || foreign).then_some(scaling),
        };
        let first = plan
            .selection()
            .period
            .from()
            .or(tallies.first.map(from_epoch_day))
            .unwrap_or_default();
        let last = plan
            .selection()
            .period
            .to()
            .and_then(|t| t.pred_opt())
            .or(tallies.last.map(from_epoch_day))
            .unwrap_or_default();
        let span = u32::try_from((last - first).num_days() + 1).unwrap_or(0);
        // Each area's summary from its tally; the blocks of areas in contiguous parts on the
        // cores when there are many (a national run: 7 of its 8 ms on one core otherwise). The
        // first part is made with room for all, so that the others join it without a copy of it.
        let summarise = |from: usize, to: usize| {
            let first = from * AREA_BLOCK;
            let areas = (to * AREA_BLOCK).min(selected.len()) - first;
            let mut summaries = Vec::with_capacity(if from == 0 { selected.len() } else { areas });
            let mut without = Vec::new();
            let tallies = tallies.areas[from..to].iter().flatten();
            for (tally, &position) in tallies.zip(&selected[first..]) {
                let area = &scenario.areas()[position];
                if tally.days == 0 {
                    without.push((area.code.clone(), area.name.clone()));
                    continue;
                }
                summaries.push(tally.summary(
                    Some(area.code.clone()),
                    &area.name,
                    tally.mean(),
                    span,
                    table,
                ));
            }
            (summaries, without)
        };
        let least = 2_000usize.div_ceil(AREA_BLOCK);
        let mut parts = in_parts(tallies.areas.len(), threads, least, summarise).into_iter();
        let (mut summaries, mut without) = parts.next().unwrap_or_default();
        for (part, part_without) in parts {
            summaries.extend(part);
            without.extend(part_without);
        }
        let region_mean = match estimate.region_rule() {
            RegionRule::SumOfAreas => sum_of_means(tallies.areas.iter().flatten()),
            RegionRule::OwnCount => tallies.region.mean(),
        };
        let mut region =
            tallies
                .region
                .summary(None, &plan.region_name(), region_mean, span, table);
        if foreign {
            mean_foreign(estimate, &mut summaries, &mut region);
        }
        let night = estimate.counts().nights().map(|nights| {
            let areas: Vec<(AreaCode, String, NightStats)> = selected
                .iter()
                .map(|&i| (i, nights.stats(i)))
                .filter(|(_, stats)| stats.nights > 0)
                .map(|(i, mut stats)| {
                    let area = &scenario.areas()[i];
                    // The counts' excess in present persons, as the nights themselves are
                    // estimated (the plan's uplift and scaling are linear in the count).
                    stats.excess_sum = plan.present_of(stats.excess_sum);
                    (area.code.clone(), area.name.clone(), stats)
                })
                .collect();
            let excesses: Vec<f64> = areas.iter().filter_map(|a| a.2.mean_excess()).collect();
            NightSummary {
                method: nights.settings().describe(),
                settings: *nights.settings(),
                zone: nights.zone().to_owned(),
                region_excess: (!excesses.is_empty()).then(|| excesses.iter().sum()),
                areas,
            }
        });
        let residents_baseline = plan.residents_baseline().map(|baseline| NightBaseline {
            reference: baseline.reference.clone(),
            areas: selected
                .iter()
                .filter_map(|&i| {
                    let area = &scenario.areas()[i];
                    baseline.areas[i].map(|f| (area.code.clone(), area.name.clone(), f))
                })
                .collect(),
        });
        Summary {
            measure: plan.measure(),
            night,
            residents_baseline,
            region_name: plan.region_name(),
            uplift,
            scaling,
            region_rule: estimate.region_rule(),
            overlap: (tallies.overlap.1 > 0)
                .then(|| tallies.overlap.0.value() / f64::from(tallies.overlap.1)),
            allocation: scenario.allocation(),
            selection: plan.selection().to_string(),
            selected: plan.selection().clone(),
            first,
            last,
            region,
            incomplete_region_days: tallies.incomplete,
            days: tallies.days,
            areas: summaries,
            areas_without_counts: without,
        }
    }
}

/// `work(from, to)` over `0..len` cut into contiguous parts, one a thread on up to `threads`
/// threads (one part when `len` is below `least` a thread); the results in order.
fn in_parts<T: Send>(
    len: usize,
    threads: usize,
    least: usize,
    work: impl Fn(usize, usize) -> T + Sync,
) -> Vec<T> {
    let parts = threads.min(len / least.max(1)).max(1);
    if parts == 1 {
        return vec![work(0, len)];
    }
    let size = len.div_ceil(parts);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..len)
            .step_by(size)
            .map(|from| scope.spawn(move || work(from, (from + size).min(len))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Part-time residents present on the busiest days of a period, persons: on the 95th
/// percentile day (linear interpolation between the days, as Excel's PERCENTILE.INC) and on
/// the busiest day.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Busiest {
    /// On the 95th percentile day.
    pub p95: f64,
    /// On the busiest day.
    pub max: f64,
}

impl Busiest {
    /// The percentile of the busiest days, a fraction 0..1, and how it is taken.
    const PERCENTILE: (f64, PercentileMethod) = (0.95, PercentileMethod::Linear);

    /// The busiest of days' part-time residents (reordered); `None` without days.
    pub fn of(days: &mut [f64]) -> Option<Busiest> {
        let max = days.iter().copied().max_by(f64::total_cmp)?;
        let (p, method) = Busiest::PERCENTILE;
        Some(Busiest {
            p95: quantile_of(days, p, method)?,
            max,
        })
    }

    /// A stream of up to `days` days' part-time residents kept for their busiest days.
    fn keeper(days: usize) -> Largest {
        Largest::for_quantile(days, Busiest::PERCENTILE.0)
    }

    /// The busiest of the days added to `largest` (made by [`Busiest::keeper`]): the same
    /// as [`Busiest::of`] those days.
    fn of_largest(largest: &mut Largest) -> Option<Busiest> {
        let (p, method) = Busiest::PERCENTILE;
        Some(Busiest {
            p95: largest.quantile(p, method)?,
            max: largest.max()?,
        })
    }
}

/// A block's pass over the counts ([`AREA_BLOCK`] areas): its areas' tallies, and its sum of
/// lines on each day held.
type BlockTally = (Vec<Tally>, Vec<BlockDay>);

/// Running totals of the areas and the region, fed one day at a time.
#[derive(Clone, Debug)]
struct Tallies {
    /// The areas', by block of [`AREA_BLOCK`] areas as the pass made them (not copied into
    /// one list: 3.5 MB at 10 000 areas).
    areas: Vec<Vec<Tally>>,
    region: Tally,
    /// Days with some count that are not region days.
    incomplete: u32,
    /// Days with any count.
    days: u32,
    /// Overlap ratios summed, and the days they were taken on.
    overlap: (Sum, u32),
    first: Option<Day>,
    last: Option<Day>,
    /// The region's days, in date order (kept by the estimate for every later view).
    region_days: Vec<RegionDay>,
}

impl Tallies {
    fn new() -> Tallies {
        Tallies {
            areas: Vec::new(),
            region: Tally::default(),
            incomplete: 0,
            days: 0,
            overlap: (Sum::default(), 0),
            first: None,
            last: None,
            region_days: Vec::new(),
        }
    }

    /// Adds a day of the period (in date order): the region's, and the areas counted that day.
    fn region_day(&mut self, day: Day, year: i32, counted: u32, region: Option<&RegionDay>) {
        let mut any = counted > 0;
        match region {
            Some(region) => {
                self.region_days.push(*region);
                self.region.add(day, year, &region.lines);
                if let Some(overlap) = region.overlap {
                    self.overlap.0.add(overlap);
                    self.overlap.1 += 1;
                }
                any = true;
            }
            None if any => self.incomplete += 1,
            None => {}
        }
        if any {
            self.first.get_or_insert(day);
            self.last = Some(day);
            self.days += 1;
        }
    }
}

/// The areas' means per day summed. Areas counted on the same number of days are summed
/// first and divided once, so that when every area has every day (the usual case) the region's
/// mean is its total over the days divided by the days, without a rounding error per area
/// (2 803.44, not 2 803.439 999 999 999 6).
fn sum_of_means<'a>(areas: impl Iterator<Item = &'a Tally>) -> DayLines {
    let mut by_days: BTreeMap<u32, [Sum; 8]> = BTreeMap::new();
    for area in areas.filter(|a| a.days > 0) {
        let group = by_days.entry(area.days).or_default();
        for (sum, total) in group.iter_mut().zip(area.totals()) {
            sum.merge(&total);
        }
    }
    let mut means = [Sum::default(); 8];
    for (days, totals) in by_days {
        for (mean, total) in means.iter_mut().zip(totals) {
            mean.add(total.value() / f64::from(days));
        }
    }
    DayLines::from_array(means.map(|m| m.value()))
}

/// The running totals of one area (or the region).
#[derive(Clone, Debug, Default)]
struct Tally {
    days: u32,
    first: Day,
    last: Day,
    /// Compensated sums of the years before the current one.
    sums: [Sum; 8],
    /// Plain sums of the current year (a year's days add without loss that matters here).
    current: [f64; 8],
    /// The current year and its days counted.
    year: i32,
    year_days: u32,
    negative_days: u32,
    negative_sum: Sum,
    negative_dates: Vec<Day>,
    /// The years before the current one, in order: year, days counted, part-time residents
    /// summed.
    years: Vec<(i32, u32, Sum)>,
    /// The busiest days, where they are summarised.
    busiest: Option<Busiest>,
}

impl Tally {
    /// Adds one day (days come in date order).
    #[inline(always)]
    fn add(&mut self, day: Day, year: i32, lines: &DayLines) {
        if self.days == 0 || year != self.year {
            self.start_year(day, year);
        }
        self.days += 1;
        self.year_days += 1;
        self.last = day;
        for (sum, value) in self.current.iter_mut().zip(lines.to_array()) {
            *sum += value;
        }
        let part_time = lines[Line::PartTime];
        if part_time < 0.0 {
            self.add_negative(day, part_time);
        }
    }

    /// The first day, or the first of a new year (kept out of [`Tally::add`]'s loop).
    #[cold]
    #[inline(never)]
    fn start_year(&mut self, day: Day, year: i32) {
        if self.days == 0 {
            self.first = day;
        } else {
            self.flush();
        }
        self.year = year;
    }

    /// A day of negative part-time residents.
    #[cold]
    #[inline(never)]
    fn add_negative(&mut self, day: Day, part_time: f64) {
        self.negative_days += 1;
        self.negative_sum.add(part_time);
        if self.negative_dates.len() < MAX_NEGATIVE_DATES {
            self.negative_dates.push(day);
        }
    }

    /// Closes the current year: its part-time sum joins the years, its plain sums the
    /// compensated ones.
    fn flush(&mut self) {
        if self.year_days == 0 {
            return;
        }
        let part_time = Sum::of(self.current[Line::PartTime as usize]);
        match self.years.last_mut() {
            Some((y, days, sum)) if *y == self.year => {
                *days += self.year_days;
                sum.merge(&part_time);
            }
            _ => self.years.push((self.year, self.year_days, part_time)),
        }
        self.year_days = 0;
        for (sum, current) in self.sums.iter_mut().zip(&mut self.current) {
            sum.add(*current);
            *current = 0.0;
        }
    }

    /// Sum over the days of each line.
    fn totals(&self) -> [Sum; 8] {
        let mut sums = self.sums;
        for (sum, current) in sums.iter_mut().zip(self.current) {
            sum.add(current);
        }
        sums
    }

    /// Mean per day of each line.
    fn mean(&self) -> DayLines {
        let days = f64::from(self.days.max(1));
        DayLines::from_array(self.totals().map(|sum| sum.value() / days))
    }

    fn summary(
        &self,
        code: Option<AreaCode>,
        name: &str,
        mean: DayLines,
        span: u32,
        table: TableRule,
    ) -> AreaSummary {
        AreaSummary {
            code,
            name: name.to_owned(),
            days: self.days,
            first: (self.days > 0).then(|| from_epoch_day(self.first)),
            last: (self.days > 0).then(|| from_epoch_day(self.last)),
            mean,
            mean_foreign: 0.0,
            missing_days: span.saturating_sub(self.days),
            negative_days: self.negative_days,
            negative_sum: self.negative_sum.value(),
            negative_dates: self
                .negative_dates
                .iter()
                .map(|d| from_epoch_day(*d))
                .collect(),
            guest_nights_per_year_plan: mean[Line::PartTime] * PLAN_DAYS_PER_YEAR,
            busiest: self.busiest,
            calendar_years: {
                let mut closed = self.clone();
                closed.flush();
                closed
                    .years
                    .iter()
                    .map(|(year, days, sum)| CalendarYear {
                        year: *year,
                        days_observed: *days,
                        days_in_year: days_in_year(*year),
                        guest_nights: sum.value(),
                    })
                    .collect()
            },
            table,
        }
    }
}

/// Sets the mean foreign SIMs per day of each area (over its days) and of the region (the
/// areas' summed, or over the region's own days).
fn mean_foreign(estimate: &Estimate, areas: &mut [AreaSummary], region: &mut AreaSummary) {
    let scenario = estimate.scenario();
    for area in areas.iter_mut() {
        let Some(position) = area
            .code
            .as_ref()
            .and_then(|c| scenario.position(c.as_str()))
        else {
            continue;
        };
        let mut sum = Sum::default();
        for (date, _) in estimate.area_days(position) {
            if let Some((_, foreign)) = estimate.counts().get(Place::Area(position), date) {
                sum.add(foreign);
            }
        }
        area.mean_foreign = sum.value() / f64::from(area.days.max(1));
    }
    region.mean_foreign = match estimate.region_rule() {
        RegionRule::SumOfAreas => areas.iter().map(|a| a.mean_foreign).sum(),
        RegionRule::OwnCount => {
            let mut sum = Sum::default();
            for day in estimate.region_days() {
                if let Some((_, foreign)) = estimate.counts().get(Place::Region, day.date) {
                    sum.add(foreign);
                }
            }
            sum.value() / f64::from(region.days.max(1))
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CountsBuilder, Place, Plan, Selection, doc_scenario};

    #[test]
    fn negative_dates_are_listed_up_to_the_limit_and_all_counted() {
        // The doc scenario deducts 1 000 residents from A and B by present share; A counts
        // 10 and B 0 on each of 30 days from 2020-01-01, so A's share is all of it and A is
        // 10 × 1.06 − 1 000 = −989.4 every day. Split over threads or not, the summary counts
        // 30 negative days and lists the first 20 in date order.
        let scenario = doc_scenario();
        let builder = CountsBuilder::new(&scenario, false);
        let mut writer = builder.writer();
        let first = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        for day in first.iter_days().take(30) {
            writer.insert(Place::Area(0), day, 10.0, 0.0).unwrap();
            writer.insert(Place::Area(1), day, 0.0, 0.0).unwrap();
        }
        drop(writer);
        let counts = builder.finish(std::path::Path::new("counts"));
        let plan = Plan::new(&scenario, &Selection::default()).unwrap();
        let summary = plan.estimate(&counts).unwrap().summary();
        let a = &summary.areas()[0];
        assert_eq!(a.negative_days(), 30);
        assert!((a.negative_sum() - 30.0 * (10.6 - 1_000.0)).abs() < 1e-6);
        let listed: Vec<NaiveDate> = first.iter_days().take(MAX_NEGATIVE_DATES).collect();
        assert_eq!(a.negative_dates(), listed.as_slice());
    }
}
