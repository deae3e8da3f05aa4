//! # deltid
//!
//! Turns daily telecom counts of persons present per area (municipality) into the figures
//! that cabin and tourism regions plan with: **present population** per day, **part-time
//! residents present** per day, and **guest-nights** per year.
//!
//! The method is the Hallingdal regional plan's (strategic plan 2021-2024): telecom counts,
//! plus an uplift for people the data misses, minus registered residents, commuters, transit
//! traffic and day visitors. It is defined once, in [`plan`] (the `deltid-model` crate); every
//! path renders that one definition: the estimate and its summary, the analyses, and the SQL
//! export ([`sql`]).
//!
//! Data flows one way: [`read_scenario`] and [`read_counts`] read and check,
//! [`Plan::estimate`] estimates per area and day, [`Estimate::summary`] summarises,
//! [`analysis`] adds yearly figures, the planners' view, uncertainty and plausibility, and
//! [`output`] writes. [`Run`] does it all in one call.
//!
//! Counts split by origin (`date, area, origin, count`, a scenario with `[origin]`) are read by
//! the same [`read_counts`] and estimated on their own by [`Plan::origin_estimate`]
//! ([`origin`]: the split's parts and guest-nights by the origin's rule, with bounds where
//! suppressed cells leave them open); [`analysis::Comparison`] puts the residual, night and
//! home-zone estimates side by side.
//!
//! # Examples
//! ```
//! use deltid::{read_counts, read_scenario, CountsOptions, Plan, Selection, TableRow};
//!
//! let scenario = read_scenario("../../data/hallingdal/plan-2021.toml")?;
//! let counts = read_counts(scenario.counts().unwrap(), &CountsOptions::default(), &scenario)?;
//! let estimate = Plan::new(&scenario, &Selection::default())?.estimate(&counts)?;
//! let summary = estimate.summary();
//!
//! // The plan's table, to the person.
//! let table = summary.region().table();
//! assert_eq!(table.row(TableRow::Observed).rounded, 46_724);
//! assert_eq!(table.row(TableRow::Uplift).rounded, 2_803);
//! assert_eq!(table.row(TableRow::GuestNightsPerDay).rounded, 26_527);
//! assert_eq!(table.row(TableRow::GuestNightsPerYear).rounded, 9_682_355);
//! # Ok::<(), deltid::Error>(())
//! ```
#![deny(missing_docs)]

pub mod analysis;
mod catalogue;
pub mod output;
mod record;
mod run;
pub mod sql;
pub mod synth;
mod words;

pub use deltid_io::{
    CountsColumns, CountsOptions, DateFormat, DecimalMark, Encoding, MAX_REPORTED, NumberStyle,
    Progress, Reading, Shape, SourceOptions, TableLayout, TableRef, read_counts,
    read_counts_in_chunks, read_counts_with, read_deduction_table, read_scenario,
    scenario_from_toml,
};
pub use deltid_model::{
    Allocation, Area, AreaCode, AreaResolver, AreaSpec, AreaSum, AreaSummary, BaselineFigure,
    Busiest, CalendarYear, Calibration, ClockWindow, Counts, CountsBuilder, CountsWriter,
    DEFAULT_TIME_ZONE, DayLines, Deduction, DeductionRow, DeductionSource, DeductionSpec,
    DeductionTable, Disclosure, Distribution, Error, Estimate, EstimateDay, FileDigest, Label,
    Language, Line, Location, MAX_ECHOED, MAX_FOREIGN_FACTOR, MAX_MIN_COUNT, MAX_NEGATIVE_DATES,
    MAX_PERSONS, MAX_YEAR, MIN_YEAR, MappingRow, Measure, NightBaseline, NightCount,
    NightResidents, NightRule, NightSettings, NightStats, NightSummary, Nights, PLAN_DAYS_PER_YEAR,
    Parameter, ParameterSpec, PercentileMethod, Period, Place, Plan, PlanTable, ROUNDING_BASES,
    Reach, Refused, RegionDay, RegionRule, ResidentsBaseline, Resolution, Result, SameInstant,
    Scaling, Scenario, ScenarioSpec, SchoolHolidays, Selection, Sum, Summary, TableLine, TableRow,
    TimedCount, UncertainParameter, Uplift, calendar, days_in_year, epoch_day, from_epoch_day,
    night, plan, quantile, quantile_of, trim_cell,
};
pub use deltid_model::{
    Bounds, COUNTRY_CODES, DEFAULT_ORIGIN_MIN_COUNT, EUROSTAT_COUNTRY_CODES, GuestNight,
    MUNICIPALITY_CODES, Origin, OriginDay, OriginEstimate, OriginKind, OriginSettings, OriginSplit,
    SplitProblem, SplitRow, SplitValue, ZeroFilled, is_suppressed, may_hold_suppressed, origin,
};
pub use record::{
    Build, COMMIT, DisclosureRecord, InputFile, Methods, OriginRecord, RunRecord, ScenarioRecord,
    SelectionRecord, VERSION, hash_ahead, hash_file,
};
pub use run::Run;
