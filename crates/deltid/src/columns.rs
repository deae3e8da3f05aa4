//! Column names of the frames deltid builds. No column name is written as a literal elsewhere.

/// Calendar date of a count (polars `Date`).
pub const DATE: &str = "date";
/// Area code (string, leading zeros kept).
pub const AREA: &str = "area";
/// Area name from the scenario.
pub const NAME: &str = "name";
/// Persons counted in the telecom data that day.
pub const OBSERVED: &str = "observed";
/// Persons added by the uplift for people the data misses.
pub const UPLIFT: &str = "uplift";
/// Present population: observed plus uplift.
pub const PRESENT: &str = "present";
/// Registered residents deducted.
pub const RESIDENTS: &str = "residents";
/// External workforce (commuters in) deducted.
pub const COMMUTERS: &str = "commuters";
/// Transit traffic deducted.
pub const TRANSIT: &str = "transit";
/// Day visitors deducted.
pub const DAY_VISITORS: &str = "day_visitors";
/// Part-time residents present: present minus all deductions (= guest-nights that day).
pub const PART_TIME: &str = "part_time";
/// Number of areas summed into a region day.
pub const AREAS: &str = "areas";
/// Calendar year.
pub const YEAR: &str = "year";
/// Number of days in a group.
pub const DAYS: &str = "days";
/// Number of days with a negative part-time residual.
pub const NEGATIVE_DAYS: &str = "negative_days";
/// First date in a group.
pub const FIRST: &str = "first";
/// Last date in a group.
pub const LAST: &str = "last";
/// An area's share of a region-level deduction on a day (fraction 0..1).
pub const SHARE: &str = "share";
/// Position of an area in the scenario, for sorting.
pub const ORDER: &str = "order";
