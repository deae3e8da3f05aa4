//! Column names of the frames deltid builds. No column name is written as a literal elsewhere.

/// Calendar date of a count (polars `Date`).
pub const DATE: &str = "date";
/// Area code (string, leading zeros kept).
pub const AREA: &str = "area";
/// Area name from the scenario.
pub const NAME: &str = "name";
/// Persons counted in the telecom data that day.
pub const OBSERVED: &str = "observed";
/// Foreign SIMs (inbound roamers) among the observed, scaled by their own factor; 0 when the
/// counts have no SIM-origin split.
pub const FOREIGN: &str = "observed_foreign";
/// Persons added by the uplift for people the data misses: present − observed, so it holds the
/// scaling factors too when any is not 1.
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
/// A region day's overlap ratio: the areas' observed counts summed ÷ the region's own count
/// (above 1 when people were seen in several areas that day); null without a region count.
pub const OVERLAP: &str = "overlap";
/// Number of areas summed into a region day.
pub const AREAS: &str = "areas";
/// Calendar year.
pub const YEAR: &str = "year";
/// Number of days in a group.
pub const DAYS: &str = "days";
/// Number of days with a negative part-time residual.
pub const NEGATIVE_DAYS: &str = "negative_days";
/// Sum of the negative part-time residuals in a group, nights.
pub const NEGATIVE_SUM: &str = "negative_sum";
/// First date in a group.
pub const FIRST: &str = "first";
/// Last date in a group.
pub const LAST: &str = "last";
/// An area's share of a region-level deduction on a day (fraction 0..1).
pub const SHARE: &str = "share";
/// Position of an area in the scenario, for sorting.
pub const ORDER: &str = "order";
/// Whether every area of the scenario has a count that day (working column).
pub const COMPLETE: &str = "complete";
/// An area's mean share of region-level deductions on complete days, then their sum over the
/// areas counted that day (working column).
pub const USUAL_SHARE: &str = "usual_share";
/// Persons present in all the areas counted on a day (working column).
pub const TOTAL: &str = "total";
/// Number of areas counted on a day, as `f64` (working column).
pub const COUNTED: &str = "counted";
/// Row number in the counts file, 0-based, not counting the header (working column).
pub const ROW: &str = "__deltid_row";
