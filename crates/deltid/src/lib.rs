//! # deltid
//!
//! Turns daily telecom counts of persons present per area (municipality) into the figures
//! that cabin and tourism regions plan with: **present population** per day, **part-time
//! residents present** per day, and **guest-nights** per year.
//!
//! The method is the Hallingdal regional plan's (strategic plan 2021-2024): telecom counts,
//! plus an uplift for people the data misses, minus registered residents, commuters, transit
//! traffic and day visitors. See [`estimate`](mod@estimate) for the model in full.
//!
//! Data flows one way: [`Scenario::from_path`] and [`Counts::read_csv`] read and check,
//! [`estimate()`] estimates per area and day, [`Summary::new`] summarises, and [`report`]
//! writes.
//!
//! # Examples
//! ```
//! use deltid::{estimate, Counts, CountsColumns, Line, Scenario, Selection, Summary};
//!
//! let scenario = Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
//! let counts = Counts::read_csv(scenario.counts().unwrap(), &CountsColumns::default())?;
//! let daily = estimate(&scenario, &counts, &Selection::default())?;
//! let summary = Summary::new(&scenario, &daily)?;
//!
//! // The plan's table, to the person.
//! let table = &summary.region.waterfall;
//! assert_eq!(table.line(Line::Observed).rounded, 46_724);
//! assert_eq!(table.line(Line::Uplift).rounded, 2_803);
//! assert_eq!(table.line(Line::GuestNightsPerDay).rounded, 26_527);
//! assert_eq!(table.line(Line::GuestNightsPerYear).rounded, 9_682_355);
//! # Ok::<(), deltid::Error>(())
//! ```
#![deny(missing_docs)]

pub mod annualise;
mod area;
pub mod calendar;
pub mod chart;
pub mod columns;
mod counts;
mod deduction;
mod error;
pub mod estimate;
pub mod plausibility;
pub mod population;
mod read;
pub mod report;
pub mod scaling;
mod scenario;
mod sheet;
mod source;
pub mod sql;
pub mod stream;
mod summary;
pub mod synth;
pub mod uncertainty;
pub mod validate;
mod waterfall;

pub use area::AreaResolver;
pub use area::{Area, AreaCode};
pub use counts::{Counts, CountsColumns, CountsOptions, MAX_REPORTED, Shape};
pub use deduction::{Deduction, DeductionSource, DeductionTable};
pub use error::{Error, Result};
pub use estimate::{Estimate, Period, Selection, estimate};
pub use read::MAX_PERSONS;
pub use read::{DateFormat, DecimalMark, NumberStyle};
pub use scaling::Scaling;
pub use scenario::{Allocation, Calibration, Scenario, Uplift};
pub use source::{Encoding, Location, SourceOptions};
pub use summary::{AreaSummary, CalendarYear, Lines, Summary, days_in_year};
pub use waterfall::{Line, PLAN_DAYS_PER_YEAR, Waterfall, WaterfallLine};
