//! The estimate: from daily counts to part-time residents present, per area and day.
//!
//! The method is the Hallingdal regional plan's (strategic plan 2021-2024, table "gjestedøgn"),
//! applied per area a and day d:
//!
//! ```text
//! observed(a,d)   count from the telecom data (persons present that day)
//! uplift(a,d)   = observed(a,d) × uplift                 (plan: 6 %, people the data misses)
//! present(a,d)  = observed(a,d) + uplift(a,d)             (present population)
//! part_time(a,d) = present(a,d) − residents(a,d) − commuters(a,d)
//!                                − transit(a,d)   − day_visitors(a,d)
//! ```
//!
//! `part_time` is the number of part-time residents present, which is the number of
//! guest-nights spent that day. A deduction given for the region is shared out to the areas by
//! the scenario's [`Allocation`] rule, so the region is the sum of its areas on every line. A
//! negative `part_time` (deductions above present persons, e.g. residents away on holiday) is
//! kept as it is and counted in the summary, never clamped.
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
//! # The region's own count
//! Summing the areas' daytime counts counts a person seen in two areas on one day twice (the
//! main road and the railway run through the whole valley). When the scenario names a
//! `region_code` and the counts have rows with it, and no subset of areas is selected, the
//! region's `observed` and `present` come from that count (scaled the same way) and its
//! deductions are the areas' deductions summed; the region then is *not* the sum of its areas
//! on the observed, uplift, present and part-time lines. Its daily [`OVERLAP`] is the areas'
//! observed summed ÷ the region's observed (1.1: a tenth of the region's persons were seen in
//! two areas). Region days are the days with both a region count and an area count.

use std::fmt;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::area::{Area, AreaCode};
use crate::columns::{
    AREA, AREAS, COMMUTERS, COMPLETE, COUNTED, DATE, DAY_VISITORS, FOREIGN, NAME, OBSERVED, ORDER,
    OVERLAP, PART_TIME, PRESENT, RESIDENTS, SHARE, TOTAL, TRANSIT, UPLIFT, USUAL_SHARE,
};
use crate::counts::Counts;
use crate::deduction::{Deduction, DeductionSource, DeductionTable};
use crate::error::{Error, Result};
use crate::read::{epoch_days, from_epoch_days};
use crate::scenario::{Allocation, Scenario};

/// The per-day lines of the model, in output order (all `f64`, persons).
pub const LINES: [&str; 8] = [
    OBSERVED,
    UPLIFT,
    PRESENT,
    RESIDENTS,
    COMMUTERS,
    TRANSIT,
    DAY_VISITORS,
    PART_TIME,
];

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
    /// use deltid::Period;
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    /// let year_2020 = Period::new(d(2020, 1, 1), d(2021, 1, 1))?;
    /// assert!(year_2020.contains(d(2020, 12, 31).unwrap()));
    /// assert!(!year_2020.contains(d(2021, 1, 1).unwrap()));
    /// assert!(Period::new(d(2021, 1, 1), d(2020, 1, 1)).is_err());
    /// # Ok::<(), deltid::Error>(())
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

    /// The period as a polars filter on the `date` column.
    pub(crate) fn expr(&self) -> Expr {
        let day = |d: NaiveDate| lit(epoch_days(d)).cast(DataType::Date);
        let mut keep = lit(true);
        if let Some(f) = self.from {
            keep = keep.and(col(DATE).gt_eq(day(f)));
        }
        if let Some(t) = self.to {
            keep = keep.and(col(DATE).lt(day(t)));
        }
        keep
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

/// The daily estimate for a selection: one row per area and day, and one per region day.
///
/// Both frames have [`DATE`], [`AREA`], [`NAME`], the eight [`LINES`] and [`FOREIGN`]
/// (persons per day); the region frame's area is empty, its name the region's, and it adds
/// [`AREAS`], the number of areas summed that day, and [`OVERLAP`], the areas' observed summed
/// ÷ the region's own count (null without a region count; see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct Estimate {
    /// Per area and day, sorted by area (scenario order) then date.
    pub areas: DataFrame,
    /// Per day, the sum over the selected areas (or the region's own count), sorted by date.
    pub region: DataFrame,
    /// The areas that were selected, in scenario order.
    pub selected: Vec<Area>,
    /// What was selected.
    pub selection: Selection,
}

impl Estimate {
    /// Region days on which some selected area has no count: the region's sum is short then.
    ///
    /// # Errors
    /// [`Error::Polars`] only on a defect.
    pub fn incomplete_region_days(&self) -> Result<u32> {
        let wanted = self.selected.len() as u32;
        Ok(self
            .region
            .column(AREAS)?
            .u32()?
            .iter()
            .filter(|n| n.is_some_and(|n| n < wanted))
            .count() as u32)
    }
}

/// Estimates part-time residents present per area and day, and their sum for the region.
///
/// Checks that every area in the counts is in the scenario, that the selection is possible,
/// and that deduction tables cover every day counted.
///
/// # Errors
/// [`Error::UnknownArea`] (with the counts line where the area first occurs),
/// [`Error::InvalidSelection`], [`Error::EmptySelection`], [`Error::MissingDeductionDate`].
///
/// # Examples
/// ```
/// use deltid::{estimate, Counts, CountsColumns, Scenario, Selection};
/// let scenario = Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
/// let counts = Counts::read_csv(scenario.counts().unwrap(), &CountsColumns::default())?;
/// let estimate = estimate(&scenario, &counts, &Selection::default())?;
/// assert_eq!(estimate.selected.len(), 6);
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn estimate(scenario: &Scenario, counts: &Counts, selection: &Selection) -> Result<Estimate> {
    let known = || {
        scenario
            .areas()
            .iter()
            .map(|a| a.code.to_string())
            .collect()
    };
    let region_code = scenario.region_code();
    for (area, at) in counts.areas() {
        if scenario.area(area).is_none() && Some(area) != region_code {
            return Err(Error::UnknownArea {
                path: counts.path().to_owned(),
                at: at.clone(),
                area: area.to_string(),
                scenario: scenario.path().to_owned(),
                known: known(),
            });
        }
    }
    for area in &selection.areas {
        if scenario.area(area).is_none() {
            return Err(Error::InvalidSelection {
                reason: format!(
                    "area {:?} is not in the scenario (known: {})",
                    area.as_str(),
                    known().join(", ")
                ),
            });
        }
    }
    let selected: Vec<Area> = scenario
        .areas()
        .iter()
        .filter(|a| selection.areas.is_empty() || selection.areas.contains(&a.code))
        .cloned()
        .collect();

    let counted = counts.lazy().filter(selection.period.expr());
    let (area_counts, region_counts) = match region_code {
        Some(code) => {
            let own = col(AREA).eq(lit(code.as_str()));
            (
                counted.clone().filter(own.clone().not()),
                Some(counted.filter(own)),
            )
        }
        None => (counted, None),
    };
    let all = daily(scenario, area_counts, Engine::InMemory)?
        .sort([ORDER, DATE], SortMultipleOptions::default())
        .select(output_columns().collect::<Vec<_>>())
        .collect()?;
    check_tables_cover(scenario, &all)?;

    let codes = Series::new(
        "selected".into(),
        selected.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(),
    );
    let areas = all
        .lazy()
        .filter(col(AREA).is_in(lit(codes).implode(false), false))
        .collect()?;
    if areas.height() == 0 {
        return Err(Error::EmptySelection {
            selection: selection.to_string(),
        });
    }
    let region_name = if selection.areas.is_empty() {
        scenario.name().to_owned()
    } else {
        format!("{}, selected areas", scenario.name())
    };
    let sums = areas.clone().lazy().group_by([col(DATE)]).agg(
        LINES
            .iter()
            .chain([&FOREIGN])
            .map(|l| col(*l).sum())
            .chain([len().cast(DataType::UInt32).alias(AREAS)])
            .collect::<Vec<_>>(),
    );
    // The region's own count stands for the whole region only, not for a subset of areas.
    let own = match region_counts {
        Some(own) if selection.areas.is_empty() => Some(own.collect()?),
        _ => None,
    };
    let region = match own {
        Some(own) if own.height() > 0 => region_from_count(scenario, own.lazy(), sums),
        _ => sums.with_column(lit(NULL).cast(DataType::Float64).alias(OVERLAP)),
    };
    let region = region
        .with_columns([lit("").alias(AREA), lit(region_name).alias(NAME)])
        .sort([DATE], SortMultipleOptions::default())
        .select(
            output_columns()
                .chain([col(AREAS), col(OVERLAP)])
                .collect::<Vec<_>>(),
        )
        .collect()?;
    Ok(Estimate {
        areas,
        region,
        selected,
        selection: selection.clone(),
    })
}

/// The model as a lazy frame: counts (`date`, `area`, `observed`, `observed_foreign`) in, one
/// row per area and day out with [`DATE`], [`AREA`], [`NAME`], [`ORDER`] (the area's index in
/// the scenario, `u32`), the eight [`LINES`] and [`FOREIGN`], in no particular order; other
/// input columns pass through.
///
/// This is the whole estimate; [`estimate`] adds the checks around it and
/// [`stream`](crate::stream) runs it over a file larger than memory. Areas must already be
/// known to the scenario (an unknown one gets a null name, order and share). Region-level
/// deductions shared by present persons need the per-day totals first: they are collected
/// with `engine` (one pass over the counts, two more when some day lacks an area).
///
/// # Errors
/// [`Error::Polars`] only if a frame cannot be built (a defect).
pub fn daily(scenario: &Scenario, counts: LazyFrame, engine: Engine) -> Result<LazyFrame> {
    let uplift = scenario.uplift().fraction();
    let frame = counts
        .join(
            area_table(scenario)?.lazy(),
            [col(AREA)],
            [col(AREA)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(scenario.scaling().added(uplift).alias(UPLIFT))
        .with_column((col(OBSERVED) + col(UPLIFT)).alias(PRESENT));
    let mut frame = if needs_share(scenario) {
        with_share(frame, scenario.allocation(), scenario.areas().len(), engine)?
    } else {
        frame
    };

    for deduction in Deduction::ALL {
        let key = deduction.key();
        frame = match scenario.deduction(deduction) {
            // Nothing to share out: no per-day totals needed.
            DeductionSource::Region(persons) if *persons == 0.0 => {
                frame.with_column(lit(0.0).alias(key))
            }
            DeductionSource::Region(persons) => {
                frame.with_column((lit(*persons) * col(SHARE)).alias(key))
            }
            // Joined from the area table above.
            DeductionSource::PerArea(_) => frame,
            DeductionSource::Table(table) => {
                let joined = match table_frame(table, key)? {
                    Some((keys, rows)) => {
                        frame.join(rows, &keys, &keys, JoinArgs::new(JoinType::Left))
                    }
                    // An undated region-level table is one figure for every day.
                    None => {
                        frame.with_column(lit(table.rows.first().map_or(0.0, |r| r.2)).alias(key))
                    }
                };
                let mut value = col(key);
                if let Some(fill) = table.fill {
                    value = value.fill_null(lit(fill));
                }
                if !table.is_per_area() {
                    value = value * col(SHARE);
                }
                joined.with_column(value.alias(key))
            }
        };
    }

    Ok(frame.with_column(part_time()))
}

/// Whether some deduction is a region-level figure other than 0, to be shared out to the
/// areas.
pub(crate) fn needs_share(scenario: &Scenario) -> bool {
    Deduction::ALL.iter().any(|d| match scenario.deduction(*d) {
        DeductionSource::Region(persons) => *persons != 0.0,
        DeductionSource::PerArea(_) => false,
        DeductionSource::Table(table) => !table.is_per_area(),
    })
}

/// Part-time residents present: present minus the four deductions.
fn part_time() -> Expr {
    (col(PRESENT) - col(RESIDENTS) - col(COMMUTERS) - col(TRANSIT) - col(DAY_VISITORS))
        .alias(PART_TIME)
}

/// The region's days from its own count (`date`, `observed`, `observed_foreign`), scaled as the
/// areas are, with the deductions and the number of areas from `sums` (the areas' day sums) and
/// the overlap ratio; only days in both.
fn region_from_count(scenario: &Scenario, own: LazyFrame, sums: LazyFrame) -> LazyFrame {
    let own = own
        .with_column(
            scenario
                .scaling()
                .added(scenario.uplift().fraction())
                .alias(UPLIFT),
        )
        .with_column((col(OBSERVED) + col(UPLIFT)).alias(PRESENT))
        .select([
            col(DATE),
            col(OBSERVED),
            col(FOREIGN),
            col(UPLIFT),
            col(PRESENT),
        ]);
    // The areas' observed sum rides in the overlap column until divided by the region's count.
    let sums = sums.select(
        [col(DATE), col(OBSERVED).alias(OVERLAP), col(AREAS)]
            .into_iter()
            .chain(Deduction::ALL.iter().map(|d| col(d.key())))
            .collect::<Vec<_>>(),
    );
    own.join(
        sums,
        [col(DATE)],
        [col(DATE)],
        JoinArgs::new(JoinType::Inner),
    )
    .with_column(
        when(col(OBSERVED).gt(lit(0.0)))
            .then(col(OVERLAP) / col(OBSERVED))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias(OVERLAP),
    )
    .with_column(part_time())
}

/// A deduction table as a frame to join on its keys (date and/or area), the figures in column
/// `key`; `None` for an undated region-level table, which has no key.
fn table_frame(table: &DeductionTable, key: &str) -> Result<Option<(Vec<Expr>, LazyFrame)>> {
    let mut keys = Vec::new();
    let mut cols = Vec::new();
    if table.is_dated() {
        let dates: Vec<i32> = table
            .rows
            .iter()
            .map(|r| r.0.map_or(0, epoch_days))
            .collect();
        keys.push(col(DATE));
        cols.push(Column::new(DATE.into(), dates).cast(&DataType::Date)?);
    }
    if table.is_per_area() {
        let areas: Vec<&str> = table
            .rows
            .iter()
            .map(|r| r.1.as_ref().map_or("", AreaCode::as_str))
            .collect();
        keys.push(col(AREA));
        cols.push(Column::new(AREA.into(), areas));
    }
    if keys.is_empty() {
        return Ok(None);
    }
    let persons: Vec<f64> = table.rows.iter().map(|r| r.2).collect();
    cols.push(Column::new(key.into(), persons));
    Ok(Some((keys, DataFrame::new_infer_height(cols)?.lazy())))
}

/// The columns of a daily frame, in order.
fn output_columns() -> impl Iterator<Item = Expr> {
    [DATE, AREA, NAME]
        .into_iter()
        .chain(LINES)
        .chain([FOREIGN])
        .map(col)
}

/// An area's share (fraction 0..1) of a region-level deduction on a day, as column [`SHARE`].
///
/// By present share, on a day when some of the scenario's areas have no count, the areas
/// counted take only their usual part of the region's figure (their mean share on the days
/// every area is counted), not the missing areas' part too; without any complete day, the
/// areas counted share the whole figure.
///
/// The per-day totals (and, when some day is incomplete, the usual shares) are small frames
/// collected with `engine` and joined back, not window expressions: each is one pass over the
/// counts, so the model streams over a file larger than memory (see [`crate::stream`]).
fn with_share(
    frame: LazyFrame,
    allocation: Allocation,
    areas_in_scenario: usize,
    engine: Engine,
) -> Result<LazyFrame> {
    if allocation == Allocation::ResidentShare {
        // Joined from the area table.
        return Ok(frame);
    }
    let by_date = |a: LazyFrame, b: DataFrame| {
        a.join(
            b.lazy(),
            [col(DATE)],
            [col(DATE)],
            JoinArgs::new(JoinType::Left),
        )
    };
    // Persons present and areas counted per day: one row per day.
    let days = frame
        .clone()
        .group_by([col(DATE)])
        .agg([
            col(PRESENT).sum().alias(TOTAL),
            len().cast(DataType::Float64).alias(COUNTED),
        ])
        .collect_with_engine(engine)?
        .unwrap_single();
    let complete_days = days
        .column(COUNTED)?
        .f64()?
        .iter()
        .all(|n| n == Some(areas_in_scenario as f64));
    // A day with nobody present anywhere shares equally instead of dividing by zero.
    let share = when(col(TOTAL).gt(lit(0.0)))
        .then(col(PRESENT) / col(TOTAL))
        .otherwise(lit(1.0) / col(COUNTED));
    let frame = by_date(frame, days).with_columns([
        share.alias(SHARE),
        col(COUNTED)
            .eq(lit(areas_in_scenario as f64))
            .alias(COMPLETE),
    ]);
    if complete_days {
        return Ok(frame);
    }
    // Each area's usual share: its mean share on complete days (none: no row, so null).
    let usual = frame
        .clone()
        .filter(col(COMPLETE))
        .group_by([col(AREA)])
        .agg([col(SHARE).mean().alias(USUAL_SHARE)])
        .collect_with_engine(engine)?
        .unwrap_single();
    // The usual shares of the areas counted, summed per day.
    let usual_counted = frame
        .clone()
        .select([col(DATE), col(AREA)])
        .join(
            usual.lazy(),
            [col(AREA)],
            [col(AREA)],
            JoinArgs::new(JoinType::Left),
        )
        .group_by([col(DATE)])
        .agg([col(USUAL_SHARE).sum()])
        .collect_with_engine(engine)?
        .unwrap_single();
    Ok(by_date(frame, usual_counted).with_column(
        when(col(COMPLETE).or(col(USUAL_SHARE).fill_null(lit(0.0)).lt_eq(lit(0.0))))
            .then(col(SHARE))
            .otherwise(col(SHARE) * col(USUAL_SHARE))
            .alias(SHARE),
    ))
}

/// The scenario's areas as a frame: code, name, per-area deductions and resident shares.
fn area_table(scenario: &Scenario) -> Result<DataFrame> {
    let areas = scenario.areas();
    let mut cols = vec![
        Column::new(
            AREA.into(),
            areas.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            NAME.into(),
            areas.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(ORDER.into(), (0..areas.len() as u32).collect::<Vec<_>>()),
    ];
    for deduction in Deduction::ALL {
        if let DeductionSource::PerArea(values) = scenario.deduction(deduction) {
            cols.push(Column::new(deduction.key().into(), values.clone()));
        }
    }
    if scenario.allocation() == Allocation::ResidentShare
        && let Some(residents) = scenario.registered_residents()
    {
        let total: f64 = residents.iter().sum();
        let shares: Vec<f64> = residents.iter().map(|v| v / total).collect();
        cols.push(Column::new(SHARE.into(), shares));
    }
    Ok(DataFrame::new_infer_height(cols)?)
}

/// [`Error::MissingDeductionDate`] for the first day a deduction table lacks.
fn check_tables_cover(scenario: &Scenario, daily: &DataFrame) -> Result<()> {
    for deduction in Deduction::ALL {
        let DeductionSource::Table(table) = scenario.deduction(deduction) else {
            continue;
        };
        let column = daily.column(deduction.key())?;
        if column.null_count() == 0 {
            continue;
        }
        let first = daily
            .clone()
            .lazy()
            .filter(col(deduction.key()).is_null())
            .sort([DATE], SortMultipleOptions::default())
            .select([col(DATE).cast(DataType::Int32), col(AREA)])
            .first()
            .collect()?;
        let date = first.column(DATE)?.i32()?.get(0).unwrap_or_default();
        let area = first.column(AREA)?.str()?.get(0).unwrap_or_default();
        return Err(Error::MissingDeductionDate {
            path: table.path.clone(),
            deduction: deduction.key().to_owned(),
            date: from_epoch_days(date).to_string(),
            area: table.is_per_area().then(|| area.to_owned()),
        });
    }
    Ok(())
}
