//! # deltid-model
//!
//! The method of deltid, defined once, with no file formats and no dataframes: the scenario
//! (uplift, scaling, deductions, areas), the calendar, the compact form of the counts, the
//! compiled [`Plan`] with the per-day lines of the model, and the summary with the Hallingdal
//! plan's table. Readers (`deltid-io`), analyses, outputs and the SQL export (`deltid`) are
//! built on it; the `deltid` crate re-exports everything here.
//!
//! The model, per area `a` and day `d` (see [`plan`](mod@plan) for the whole of it):
//!
//! ```text
//! present(a,d)   = observed(a,d) × (1 + uplift)
//! part_time(a,d) = present(a,d) − residents − commuters − transit − day_visitors
//! guest-nights per year = mean part_time per day × 365 (the plan's rule)
//! ```
#![deny(missing_docs)]

mod area;
pub mod calendar;
mod counts;
mod day;
mod error;
mod estimate;
mod language;
mod lines;
pub mod night;
pub mod origin;
pub mod plan;
mod scenario;
mod stats;
mod summary;
mod table;

pub use area::{
    Area, AreaCode, AreaResolver, Resolution, decomposed_name_key, leading_code, name_key,
    trim_cell, whitespace,
};
pub use calendar::{Label, SchoolHolidays};
pub use counts::{Counts, CountsBuilder, CountsWriter, FileDigest, Place, Refused};
pub use day::{
    MAX_YEAR, MIN_YEAR, STRAY_GAP, days_in_year, days_taken, epoch_day, from_epoch_day, in_range,
    stray_days,
};
pub use error::{Error, Location, MAX_ECHOED, Result, missing_figure_advice, quoted, ticked};
pub use estimate::{AreaSum, Estimate, EstimateDay, RegionDay};
pub use language::Language;
pub use lines::{DayLines, Deduction, Line, MAX_PERSONS};
pub use night::{
    BaselineFigure, ClockWindow, Measure, NightCount, NightResidents, NightRule, NightSettings,
    NightStats, Nights, ResidentsBaseline, SameInstant, TimedCount,
};
pub use origin::{
    Bounds, COUNTRY_CODES, DEFAULT_ORIGIN_MIN_COUNT, EUROSTAT_COUNTRY_CODES, EXACT_WITHIN,
    GuestNight, MUNICIPALITY_CODES, Origin, OriginDay, OriginEstimate, OriginKind, OriginSettings,
    OriginSplit, Part, SUPPRESSED_MARKERS, SplitProblem, SplitRow, SplitValue, TOTAL_SLACK,
    TOTAL_WORDS, ZeroFilled, is_suppressed, may_hold_suppressed,
};
pub use plan::{Period, Plan, Reach, RegionRule, Selection};
pub use scenario::{
    Allocation, AreaSpec, Calibration, DEFAULT_TIME_ZONE, DeductionSource, DeductionSpec,
    DeductionTable, Disclosure, Distribution, MAX_FOREIGN_FACTOR, MAX_MIN_COUNT, MappingRow,
    Parameter, ParameterSpec, ROUNDING_BASES, Scaling, Scenario, ScenarioSpec,
    TableRow as DeductionRow, UncertainParameter, Uplift,
};
pub use stats::{PercentileMethod, Sum, quantile, quantile_of};
pub use summary::{
    AreaSummary, Busiest, CalendarYear, MAX_NEGATIVE_DATES, NightBaseline, NightSummary, Summary,
};
pub use table::{PLAN_DAYS_PER_YEAR, PlanTable, TableLine, TableRow, whole_persons};

/// A scenario of two areas (`0001` A, `0002` B), uplift 6 %, residents 1 000 for the region
/// shared by present persons and no other deduction: for the examples in the docs.
#[doc(hidden)]
pub fn doc_scenario() -> Scenario {
    let mut spec = ScenarioSpec::<()>::new(std::path::Path::new("example.toml"));
    spec.uplift = Some(ParameterSpec::Value {
        value: 0.06,
        percent: false,
        written: "0.06".to_owned(),
    });
    spec.deductions = [1_000.0, 0.0, 0.0, 0.0].map(|p| Some(DeductionSpec::Persons(p)));
    for (code, name) in [("0001", "A"), ("0002", "B")] {
        spec.areas.push(AreaSpec {
            code: code.to_owned(),
            name: name.to_owned(),
            ..AreaSpec::default()
        });
    }
    // The spec above is valid; a failure here is a defect the doctests show at once.
    Scenario::new(spec, |_, _, _| unreachable!("no tables")).unwrap_or_else(|e| panic!("{e}"))
}
