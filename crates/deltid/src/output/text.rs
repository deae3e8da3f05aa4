//! Readable text: the plan's table, per-area lines, calendar years and notes.

use std::io::Write;

use comfy_table::{CellAlignment, Table, presets};
use deltid_model::{AreaCode, RegionRule, Result, Summary};

pub use crate::words::persons;
use crate::words::{count, whole};

/// A table without borders.
pub(crate) fn table() -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table
}

/// Aligns the columns from `from` on to the right (numbers).
pub(crate) fn right_align(table: &mut Table, from: usize) {
    let width = table.column_count();
    for i in from..width {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Writes the summary as readable text: the plan's table for the region, the same lines per
/// area beneath it, calendar-year sums with coverage, and notes on rounding, allocation, the
/// region rule, missing and negative days.
///
/// # Errors
/// [`Error::Write`](deltid_model::Error::Write) if the writer fails.
pub fn write_summary_table(summary: &Summary, mut out: impl Write) -> Result<()> {
    let region = summary.region();
    writeln!(
        out,
        "{}: guest-nights from telecom counts ({})",
        summary.region_name(),
        summary.selection()
    )?;
    writeln!(
        out,
        "{} from {} to {} with counts, {}\n",
        count(summary.days(), "day"),
        summary.first(),
        summary.last(),
        count(summary.areas().len() as u32, "area")
    )?;

    let mut plan = table();
    plan.set_header(["line", "persons"]);
    for line in &region.table().lines {
        plan.add_row([line.label.to_string(), persons(line.rounded)]);
    }
    right_align(&mut plan, 1);
    writeln!(out, "{plan}\n")?;

    writeln!(out, "Per area, whole persons per day:")?;
    let mut areas = table();
    areas.set_header([
        "area",
        "name",
        "observed",
        "uplift",
        "residents",
        "commuters",
        "transit",
        "day visitors",
        "guest-nights/day",
        "guest-nights/year",
    ]);
    for area in summary.areas().iter().chain([region]) {
        let code = area.code().map_or("region", AreaCode::as_str);
        let mut row = vec![code.to_owned(), area.name().to_owned()];
        row.extend(area.table().lines.iter().map(|l| persons(l.rounded)));
        areas.add_row(row);
    }
    right_align(&mut areas, 2);
    writeln!(out, "{areas}\n")?;

    writeln!(
        out,
        "Guest-nights per calendar year (sum over the days observed; partial years are not scaled up):"
    )?;
    let mut years = table();
    years.set_header(["area", "name", "year", "days observed", "guest-nights"]);
    for area in summary.areas().iter().chain([region]) {
        let code = area.code().map_or("region", AreaCode::as_str);
        for year in area.calendar_years() {
            years.add_row([
                code.to_owned(),
                area.name().to_owned(),
                year.year.to_string(),
                format!("{} of {}", year.days_observed, year.days_in_year),
                whole(year.guest_nights),
            ]);
        }
    }
    right_align(&mut years, 2);
    writeln!(out, "{years}\n")?;

    writeln!(out, "Notes:")?;
    writeln!(
        out,
        "- rounding as in the plan: each line to whole persons, the next computed from the rounded lines; each area is rounded on its own, so areas may differ from the region by a person or two; CSV and JSON carry the unrounded figures"
    )?;
    writeln!(out, "- {}", summary.allocation().describe())?;
    if !summary.scaling().is_identity() {
        writeln!(
            out,
            "- scaling besides the uplift (Eurostat's MNO terms): {}; the uplift line is present − observed and holds them",
            summary.scaling().describe()
        )?;
    }
    writeln!(out, "- {}", summary.region_rule().describe())?;
    if let Some(overlap) = summary.overlap() {
        writeln!(
            out,
            "- {}: the areas' counts add up to {overlap:.3} × the region's own count on the days every area is counted (a person seen in two areas on a day counts in both)",
            region.name()
        )?;
    }
    for (code, name) in summary.areas_without_counts() {
        writeln!(
            out,
            "- {name} ({code}) has no count in the period: it is not in the region's figures, and the region's days are those with every other area counted"
        )?;
    }
    for area in summary.areas() {
        if area.missing_days() > 0 {
            writeln!(
                out,
                "- {}: {} without a count between {} and {}; its means (and mean × 365) are over the {} counted",
                area.name(),
                count(area.missing_days(), "day"),
                summary.first(),
                summary.last(),
                count(area.days(), "day"),
            )?;
        }
    }
    if summary.incomplete_region_days() > 0 {
        let which = match summary.region_rule() {
            RegionRule::SumOfAreas => "with no count for some area",
            RegionRule::OwnCount => "without the region's own count",
        };
        writeln!(
            out,
            "- {}: {} {which}, left out of the region's days (its busiest days, negative days and calendar years); its means are still its areas' means summed",
            region.name(),
            count(summary.incomplete_region_days(), "day"),
        )?;
    }
    for area in summary.areas().iter().chain([region]) {
        if area.negative_days() > 0 {
            writeln!(
                out,
                "- {}: {} with more deducted than present, the first on {}, summing to {} nights (negative part-time residents, counted as they are)",
                area.name(),
                count(area.negative_days(), "day"),
                area.negative_dates()
                    .first()
                    .map_or_else(String::new, ToString::to_string),
                whole(area.negative_sum()),
            )?;
        }
    }
    Ok(())
}
