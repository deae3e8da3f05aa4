//! Analyses of an estimate, each returning data (rendered by [`crate::output`]): the daily
//! rows, yearly figures with coverage, the emergency planners' view, uncertainty, plausibility, and a
//! data-quality check of the counts.

mod annualise;
mod compare;
mod daily;
mod disclosure;
mod plausibility;
mod population;
mod resample;
mod seasonal;
mod split_year;
mod uncertainty;
mod validate;

pub(crate) use population::ResidentsSource;

pub use annualise::{
    Annualisation, AreaYearly, FilledPeak, MIN_SEASON_MONTH_DAYS, MIN_SEASON_MONTHS,
    NegativePolicy, PEAK_STRETCH_DAYS, TypicalYear, YearCoverage, Yearly,
};
pub use compare::{CompareRow, Comparison};
pub use daily::{DailyRow, daily_rows};
pub use disclosure::{Protection, Published};
pub use plausibility::{AreaPlausibility, Plausibility, SURVEY_GUEST_NIGHTS_PER_CABIN};
pub use population::{
    AreaPopulation, GroupSummary, Percentiles, Population, PopulationDay, PopulationOptions,
    Threshold, TypicalYearPercentiles, TypicalYearView, population_days,
};
pub use resample::{
    Dependence, HIGH, LOW, MAX_DRAWS, MIN_BLOCKS, MIN_DRAWS, MIN_SAMPLING_DAYS, MeanInterval,
    block_length, moving_block_bootstrap,
};
pub use seasonal::{MAX_HARMONICS, ModelTerms, SeasonalModel};
pub use split_year::{SplitYear, SplitYearly, SplitYears};
pub use uncertainty::{
    DEFAULT_DRAWS, DEFAULT_SEED, Percentiles as DrawPercentiles, Sensitivity, Uncertainty,
    UncertaintyOptions,
};
pub use validate::{
    AreaCheck, Finding, HOLIDAY_EDGE_DAYS, LEVEL_SHIFT_FRACTION, LEVEL_SHIFT_WINDOW, LevelShift,
    MIN_CHANGES, MIN_WINDOW_DAYS, OUTLIER_SCORE, Outlier, Validation, WARNINGS_LISTED,
    ZERO_DATES_LISTED,
};
