//! The daily rows of an estimate, as every output writes them.

use chrono::NaiveDate;
use deltid_model::{AreaCode, DayLines, Estimate};
use serde::Serialize;

/// One day of one area (or of the region), all lines in persons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DailyRow {
    /// The day.
    pub date: NaiveDate,
    /// The area's code; `None` (an empty CSV cell) for the region.
    pub area: Option<AreaCode>,
    /// The area's or region's name.
    pub name: String,
    /// The day's lines, persons.
    #[serde(flatten)]
    pub lines: DayLines,
    /// A region day's overlap ratio (the areas' observed summed ÷ the region's own count);
    /// `None` for areas and without a region count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlap: Option<f64>,
}

/// The daily rows of an estimate: each selected area's days in date order, then the region's
/// days (see [`deltid_model::RegionRule`]). Made as they are read, so the rows of a national
/// file are never all in memory.
pub fn daily_rows(estimate: &Estimate) -> impl Iterator<Item = DailyRow> + '_ {
    let scenario = estimate.scenario();
    let areas = estimate.each_area_days().flat_map(move |(position, days)| {
        let area = &scenario.areas()[position];
        days.into_iter().map(move |(date, lines)| DailyRow {
            date,
            area: Some(area.code.clone()),
            name: area.name.clone(),
            lines,
            overlap: None,
        })
    });
    let name = estimate.plan().region_name();
    let region = estimate.region_days().map(move |day| DailyRow {
        date: day.date,
        area: None,
        name: name.clone(),
        lines: day.lines,
        overlap: day.overlap,
    });
    areas.chain(region)
}
