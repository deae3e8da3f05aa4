//! A plan run over counts: the daily lines of every selected area and of the region.

use chrono::NaiveDate;
use serde::Serialize;

use crate::counts::{Counts, DayRow, Place, narrow_count};
use crate::day::{Day, epoch_day, from_epoch_day};
use crate::error::{Error, Result};
use crate::lines::DayLines;
use crate::plan::{DayContext, Plan, RegionRule};
use crate::scenario::Scenario;

/// The region on one day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RegionDay {
    /// The day.
    pub date: NaiveDate,
    /// The region's lines, persons.
    pub lines: DayLines,
    /// The areas with a count that day (all selected ones when the region is the sum of its
    /// areas).
    pub areas: u32,
    /// With the region's own count, on a day every area is counted: the areas' observed summed
    /// ÷ the region's observed (above 1 when people were seen in several areas that day).
    pub overlap: Option<f64>,
}

/// One day of an estimate: each selected area's lines (`None` where the area has no count),
/// and the region's, if the region has that day.
#[derive(Clone, Debug, PartialEq)]
pub struct EstimateDay {
    /// The day.
    pub date: NaiveDate,
    /// Each selected area's lines, in the order of [`Plan::selected`].
    pub areas: Vec<Option<DayLines>>,
    /// The region's day (see [`RegionRule`]).
    pub region: Option<RegionDay>,
}

/// Selected areas taken together, in the order of [`Plan::selected`]: a pass over the counts
/// reads a block's cells of a day side by side, and the region's sum of its areas adds each
/// block's lines on their own before adding the blocks' sums in order (see
/// [`Estimate::region_of`]), so that one thread or several, a block each, give the same sum.
pub(crate) const AREA_BLOCK: usize = 256;

/// A block's lines summed on one day, and the areas counted.
pub(crate) type BlockDay = (DayLines, u32);

/// A region's sum of one figure of its areas on a day, added as the region's lines are: each
/// block of 256 selected areas on its own, the blocks' sums in order. For a figure
/// the region's lines do not carry (an area's part-time residents under a policy for negative
/// days), so that where it is the same figure it is the same sum, to the last digit.
///
/// # Examples
/// ```
/// use deltid_model::AreaSum;
/// let mut sum = AreaSum::default();
/// // Areas at positions 0, 1 and 300 of the selected areas (300 is in the second block).
/// for (slot, persons) in [(0, 0.1), (1, 0.2), (300, 0.3)] {
///     sum.add(slot, persons);
/// }
/// assert_eq!(sum.value(), (0.1 + 0.2) + 0.3);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct AreaSum {
    /// The sum of the blocks before the current one.
    blocks: f64,
    /// The current block's sum, and its number.
    block: (f64, usize),
}

impl AreaSum {
    /// Adds the figure of the area at position `slot` among the selected areas; areas come in
    /// the order of their positions.
    pub fn add(&mut self, slot: usize, figure: f64) {
        let block = slot / AREA_BLOCK;
        if block != self.block.1 {
            self.blocks += self.block.0;
            self.block = (0.0, block);
        }
        self.block.0 += figure;
    }

    /// The sum.
    pub fn value(self) -> f64 {
        self.blocks + self.block.0
    }
}

/// A plan run over counts: the daily lines of every selected area and of the region.
///
/// Made by [`Plan::estimate`]. Lines are computed from the compact counts when asked for, so
/// an estimate holds little beyond the counts: every view ([`Estimate::summary`], the daily
/// rows, the analyses) reads the same plan and the same counts.
#[derive(Clone, Debug)]
pub struct Estimate {
    plan: Plan,
    counts: Counts,
    region: RegionRule,
    /// Per day held by the counts: the context of the shares.
    contexts: Vec<DayContext>,
    /// Each area's usual share (its mean share of present persons on the days every area is
    /// counted), when some day lacks an area; else empty.
    usual: Vec<f64>,
    /// How many selected areas have a count in the period: a region day by the sum of its
    /// areas needs every one of them (an area with no count at all is left out, and named
    /// by the summary).
    counted_areas: u32,
    /// The region's days once made (by the summary's pass, or by the first to ask): every
    /// view of the region reads them from here instead of passing over the counts again.
    region_days: std::sync::OnceLock<Vec<RegionDay>>,
}

// The plan applied to counts (here, so that the plan does not depend on its result).
impl Plan {
    /// Runs the plan over counts: the daily lines of every selected area and of the region,
    /// from which the summary and every analysis are made.
    ///
    /// # Errors
    /// [`Error::MissingDeductionDate`] if a deduction table lacks a figure for a day counted;
    /// [`Error::EmptySelection`] if no selected area has a count in the period;
    /// [`Error::Unsupported`] for night counts reduced from hourly counts and a plan for days
    /// (compile it with [`Plan::for_measure`]): a day plan would deduct day visitors,
    /// commuters and transit from persons asleep; [`Error::InvalidScenario`] (key
    /// `night.reference`) for a baseline of residents at home (`[night] residents =
    /// "baseline"`) when a selected area with counts has none on any reference night.
    ///
    /// With such a baseline, the estimate's plan deducts per area the median present persons
    /// of the reference nights ([`Plan::residents_baseline`]) instead of the scenario's
    /// residents.
    pub fn estimate(&self, counts: &Counts) -> Result<Estimate> {
        if counts.measure() == crate::Measure::Night && self.measure() == crate::Measure::Day {
            return Err(Error::Unsupported {
                scenario: self.scenario().path().to_owned(),
                what: format!("a plan for days over the night counts of {}", counts.path().display()),
                reason: "night counts are estimated by the plan for nights (only the residents at home deducted): compile the plan for Measure::Night".to_owned(),
            });
        }
        match self.with_baseline(counts)? {
            Some(plan) => Estimate::new(plan, counts.clone()),
            None => Estimate::new(self.clone(), counts.clone()),
        }
    }
}

impl Estimate {
    pub(crate) fn new(plan: Plan, counts: Counts) -> Result<Estimate> {
        let areas = plan.scenario().areas().len();
        let own = counts.key(Place::Region).filter(|_| plan.selects_all());
        let own_in_period = own.is_some_and(|key| {
            counts
                .days()
                .any(|(day, row)| plan.in_period(day) && !row.observed.at(key).is_nan())
        });
        let region = if own_in_period {
            RegionRule::OwnCount
        } else {
            RegionRule::SumOfAreas
        };
        let (per_domestic, per_foreign) = plan.added_per_sim();
        let present = |(observed, foreign): (f64, f64)| {
            observed + (observed - foreign) * per_domestic + foreign * per_foreign
        };
        // The scenario's areas with a count in the period: "every area counted" means every
        // one of these (an area without any count does not make every day incomplete).
        let mut has_counts = vec![false; areas];
        let mut with_counts = 0;
        for (day, row) in counts.days() {
            if with_counts == areas {
                break;
            }
            if plan.in_period(day) {
                for (key, has) in has_counts.iter_mut().enumerate() {
                    if !*has && row.get(key).is_some() {
                        *has = true;
                        with_counts += 1;
                    }
                }
            }
        }
        let counted_areas = plan.selected().iter().filter(|&&a| has_counts[a]).count() as u32;
        let mut contexts = vec![DayContext::default(); counts.days_held()];
        let mut incomplete = false;
        for (i, day, row) in counts.indexed_days() {
            // Only shares by present persons need the day's context.
            if !plan.shares_by_present() || !plan.in_period(day) {
                continue;
            }
            let context = &mut contexts[i];
            for key in 0..areas {
                if let Some(count) = row.get(key) {
                    context.total += present(count);
                    context.counted += 1;
                }
            }
            context.complete = context.counted as usize == with_counts;
            incomplete |= context.counted > 0 && !context.complete;
        }
        let mut usual = Vec::new();
        if plan.shares_by_present() && incomplete {
            let mut sums = vec![0.0; areas];
            let mut complete_days = 0u32;
            for (i, day, row) in counts.indexed_days() {
                let context = &contexts[i];
                if !plan.in_period(day) || !context.complete {
                    continue;
                }
                complete_days += 1;
                for (key, sum) in sums.iter_mut().enumerate() {
                    if let Some(count) = row.get(key) {
                        *sum += Plan::present_share(present(count), context);
                    }
                }
            }
            if complete_days > 0 {
                usual = sums.iter().map(|s| s / f64::from(complete_days)).collect();
                for (i, _, row) in counts.indexed_days() {
                    contexts[i].usual_counted = (0..areas)
                        .filter(|&key| row.get(key).is_some())
                        .map(|key| usual[key])
                        .sum();
                }
            }
        }
        plan.check_figures(&counts, region == RegionRule::OwnCount)?;
        let estimate = Estimate {
            plan,
            counts,
            region,
            contexts,
            usual,
            counted_areas,
            region_days: std::sync::OnceLock::new(),
        };
        let any = estimate.counts.days().any(|(day, row)| {
            estimate.plan.in_period(day)
                && (estimate
                    .plan
                    .selected()
                    .iter()
                    .any(|&a| row.get(a).is_some())
                    || (region == RegionRule::OwnCount
                        && own.is_some_and(|k| row.get(k).is_some())))
        });
        if !any {
            return Err(Error::EmptySelection {
                selection: estimate.plan.selection().to_string(),
            });
        }
        Ok(estimate)
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        self.plan.scenario()
    }

    /// The counts.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// How the region's figures are made.
    pub fn region_rule(&self) -> RegionRule {
        self.region
    }

    /// The lines of the area at position `area` (among the scenario's areas) on a date, if it
    /// has a count then and the date is in the period.
    pub fn area_day(&self, area: usize, date: NaiveDate) -> Option<DayLines> {
        let day = epoch_day(date);
        let index = self.counts.index(day)?;
        self.area_lines(area, day, index, self.counts.row(day)?)
    }

    /// The region on a date, if it has that day (see [`RegionRule`]).
    pub fn region_day(&self, date: NaiveDate) -> Option<RegionDay> {
        let day = epoch_day(date);
        let index = self.counts.index(day)?;
        let row = self.counts.row(day)?;
        self.day_into(index, day, row, &mut Vec::new())
    }

    /// Every day with a count in the period, in date order.
    pub fn days(&self) -> impl Iterator<Item = EstimateDay> + '_ {
        self.counts
            .indexed_days()
            .filter(|(_, day, _)| self.plan.in_period(*day))
            .map(|(index, day, row)| {
                let mut areas = Vec::with_capacity(self.plan.selected().len());
                let region = self.day_into(index, day, row, &mut areas);
                EstimateDay {
                    date: from_epoch_day(day),
                    areas,
                    region,
                }
            })
    }

    /// The days held by the counts, as positions (of the sums of [`Estimate::visit_block`]).
    pub(crate) fn days_held(&self) -> usize {
        self.counts.days_held()
    }

    /// One day: each selected area's lines into `areas` (cleared first), and the region's day.
    fn day_into(
        &self,
        index: usize,
        day: Day,
        row: &DayRow,
        areas: &mut Vec<Option<DayLines>>,
    ) -> Option<RegionDay> {
        areas.clear();
        if !self.plan.in_period(day) {
            areas.resize(self.plan.selected().len(), None);
            return None;
        }
        let blocks = self.plan.selected().chunks(AREA_BLOCK).map(|block| {
            let mut sum: BlockDay = (DayLines::default(), 0);
            let start = areas.len();
            areas.resize(start + block.len(), None);
            let slots = &mut areas[start..];
            self.areas_lines(block, index, day, row, |i, lines| {
                sum.0 = sum.0.plus(&lines);
                sum.1 += 1;
                slots[i] = Some(lines);
            });
            sum
        });
        // Collected first: the blocks fill `areas` as they are summed.
        let blocks: Vec<BlockDay> = blocks.collect();
        self.region_of(day, row, &blocks)
    }

    /// The region's day from its blocks' sums that day, in block order ([`AREA_BLOCK`]): their
    /// sum, added in that order, and the areas counted.
    pub(crate) fn region_of(
        &self,
        day: Day,
        row: &DayRow,
        blocks: &[BlockDay],
    ) -> Option<RegionDay> {
        let (mut sum, mut counted) = (DayLines::default(), 0);
        for (lines, areas) in blocks {
            sum = sum.plus(lines);
            counted += areas;
        }
        self.region_lines(day, row, &sum, counted)
    }

    /// Calls `visit(slot, index, day, lines)` with the lines of each area of block `block`
    /// ([`AREA_BLOCK`] areas of [`Plan::selected`]; `slot` is the area's position there) on
    /// each day in the period it has a count, day by day in date order and the block's areas in
    /// order within a day; returns the block's sum on each day held (by position).
    ///
    /// The lines come by value: made in registers and added there, they skip a round trip
    /// through memory (a stall on reading back whole what was just written a figure at a time).
    pub(crate) fn visit_block(
        &self,
        block: usize,
        mut visit: impl FnMut(usize, usize, Day, DayLines),
    ) -> Vec<BlockDay> {
        let selected = self.plan.selected();
        let first = block * AREA_BLOCK;
        let slots = first..(first + AREA_BLOCK).min(selected.len());
        let areas = &selected[slots];
        let mut sums = vec![(DayLines::default(), 0); self.days_held()];
        for (index, day, row) in self.counts.indexed_days() {
            if !self.plan.in_period(day) {
                continue;
            }
            let mut sum = (DayLines::default(), 0);
            self.areas_lines(
                areas,
                index,
                day,
                row,
                #[inline(always)]
                |i, lines| {
                    sum.0 = sum.0.plus(&lines);
                    sum.1 += 1;
                    visit(first + i, index, day, lines);
                },
            );
            sums[index] = sum;
        }
        sums
    }

    /// Every selected area's days, area by area in the order of [`Plan::selected`]: the
    /// area's position among the scenario's areas and its days with a count in the period, in
    /// date order (as [`Estimate::area_days`] gives them).
    ///
    /// For analyses of every area: the counts are held day by day, so this reads them for a
    /// few hundred areas at a time, each day's cells side by side, instead of one area at a
    /// time across every day. It holds the days of that many areas at once.
    pub fn each_area_days(&self) -> impl Iterator<Item = (usize, Vec<(NaiveDate, DayLines)>)> + '_ {
        self.each_area_map(|date, lines| (date, *lines))
    }

    /// As [`Estimate::each_area_days`], each day taken through `f` (for instance one line of
    /// it, so that a few hundred areas' days take 8 bytes a day instead of a whole day of lines).
    pub fn each_area_map<'a, T: Clone + 'a>(
        &'a self,
        f: impl Fn(NaiveDate, &DayLines) -> T + Copy + 'a,
    ) -> impl Iterator<Item = (usize, Vec<T>)> + 'a {
        self.areas_map(self.plan.selected(), f)
    }

    /// As [`Estimate::each_area_map`] for the areas at `positions` (positions among the
    /// scenario's areas, each selected), in that order: to share the areas out among threads.
    pub fn areas_map<'a, T: Clone + 'a>(
        &'a self,
        positions: &'a [usize],
        f: impl Fn(NaiveDate, &DayLines) -> T + Copy + 'a,
    ) -> impl Iterator<Item = (usize, Vec<T>)> + 'a {
        let held = self.days_held();
        // Areas read together: their cells of a day are side by side in memory.
        positions.chunks(AREA_BLOCK).flat_map(move |positions| {
            let mut days: Vec<Vec<T>> = vec![Vec::with_capacity(held); positions.len()];
            for (index, day, row) in self.counts.indexed_days() {
                if !self.plan.in_period(day) {
                    continue;
                }
                let date = from_epoch_day(day);
                self.areas_lines(positions, index, day, row, |i, lines| {
                    days[i].push(f(date, &lines));
                });
            }
            positions.iter().copied().zip(days)
        })
    }

    /// Each day the area at position `area` has a count in the period, in date order.
    pub fn area_days(&self, area: usize) -> impl Iterator<Item = (NaiveDate, DayLines)> + '_ {
        self.counts
            .indexed_days()
            .filter(|(_, day, _)| self.plan.in_period(*day))
            .filter_map(move |(index, day, row)| {
                Some((from_epoch_day(day), self.area_lines(area, day, index, row)?))
            })
    }

    /// The region's days, in date order (see [`RegionRule`]).
    pub fn region_days(&self) -> impl Iterator<Item = RegionDay> + '_ {
        self.region_days
            .get_or_init(|| {
                // Summed as the summary sums them.
                let mut areas = Vec::new();
                self.counts
                    .indexed_days()
                    .filter_map(|(index, day, row)| self.day_into(index, day, row, &mut areas))
                    .collect()
            })
            .iter()
            .copied()
    }

    /// Keeps the region's days made by a pass over every day (the summary's), in date order,
    /// for [`Estimate::region_days`].
    pub(crate) fn keep_region_days(&self, days: Vec<RegionDay>) {
        // Made already: the same days, from the same plan and counts.
        let _ = self.region_days.set(days);
    }

    /// The lines of the areas at `areas` (positions among the scenario's areas) on a day held
    /// at `index` in the period: `each(i, lines)` for each with a count, `i` its place in
    /// `areas`, in order. The same lines as [`Estimate::area_lines`] gives each, for passes
    /// over every area of a day.
    #[inline(always)]
    fn areas_lines(
        &self,
        areas: &[usize],
        index: usize,
        day: Day,
        row: &DayRow,
        each: impl FnMut(usize, DayLines),
    ) {
        let (context, usual) = (&self.contexts[index], &self.usual);
        match row.narrow() {
            Some(values) => {
                let count = |key| narrow_count(values, key);
                self.plan
                    .areas_lines(areas, day, context, usual, count, each);
            }
            None => {
                let count = |key| row.get(key);
                self.plan
                    .areas_lines(areas, day, context, usual, count, each);
            }
        }
    }

    /// An area's lines on a day held at `index`, if it has a count in the period.
    #[inline(always)]
    pub(crate) fn area_lines(
        &self,
        area: usize,
        day: Day,
        index: usize,
        row: &DayRow,
    ) -> Option<DayLines> {
        if !self.plan.in_period(day) {
            return None;
        }
        let count = row.get(area)?;
        // Every figure was checked when the estimate was made.
        self.plan
            .area_lines(area, day, count, &self.contexts[index], &self.usual)
    }

    /// The region's day from its areas' lines that day: their sum, and how many were counted.
    pub(crate) fn region_lines(
        &self,
        day: Day,
        row: &DayRow,
        sum: &DayLines,
        counted: u32,
    ) -> Option<RegionDay> {
        if !self.plan.in_period(day) {
            return None;
        }
        match self.region {
            RegionRule::SumOfAreas => (counted == self.counted_areas).then(|| RegionDay {
                date: from_epoch_day(day),
                lines: *sum,
                areas: counted,
                overlap: None,
            }),
            RegionRule::OwnCount => {
                let key = self.counts.key(Place::Region)?;
                let count = row.get(key)?;
                let lines = self.plan.region_lines(day, count)?;
                let complete = counted as usize == self.plan.scenario().areas().len();
                Some(RegionDay {
                    date: from_epoch_day(day),
                    lines,
                    areas: counted,
                    overlap: (complete && count.0 > 0.0).then(|| sum.observed() / count.0),
                })
            }
        }
    }
}
