//! Where a deduction's figures come from: one figure for the region, one per area, or a table.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// Where a deduction's figures (persons per day) come from.
#[derive(Clone, Debug, PartialEq)]
pub enum DeductionSource {
    /// One figure for the whole region, persons per day, shared out to the areas by the
    /// scenario's [`Allocation`](crate::Allocation) rule.
    Region(f64),
    /// One figure per area, persons per day, in the order of the scenario's areas.
    PerArea(Vec<f64>),
    /// A table of figures by date, by area, or both.
    Table(DeductionTable),
}

impl DeductionSource {
    /// Whether the figures are the region's, to be shared out to the areas: a region-level
    /// figure or a table without an area column.
    pub fn is_shared(&self) -> bool {
        match self {
            DeductionSource::Region(_) => true,
            DeductionSource::PerArea(_) => false,
            DeductionSource::Table(table) => !table.is_per_area(),
        }
    }
}

/// One row of a deduction table: its date (`None` in an undated table), its area's position
/// among the scenario's areas (`None` in a region-level table), and persons per day.
pub type TableRow = (Option<NaiveDate>, Option<usize>, f64);

/// A deduction given as a table: by date, by area, or both.
///
/// Without an area column the figure is the region's and is shared out to the areas like a
/// region-level figure; without a date column it holds on every day. Dates (and areas) the
/// table lacks take the `fill` figure if the scenario gives one, and are an error otherwise.
///
/// Built only by [`DeductionTable::new`], which checks that every row has the same shape.
#[derive(Clone, Debug, PartialEq)]
pub struct DeductionTable {
    path: PathBuf,
    fill: Option<f64>,
    dated: bool,
    per_area: bool,
    rows: Vec<TableRow>,
}

impl DeductionTable {
    /// A table from the rows of `path`: dated if the first row has a date, per area if it has
    /// an area; `None` if there are no rows or the rows differ in shape. Figures are persons
    /// per day; `fill` is the figure for what the table lacks.
    pub fn new(path: &Path, fill: Option<f64>, rows: Vec<TableRow>) -> Option<DeductionTable> {
        let (date, area, _) = rows.first()?;
        let (dated, per_area) = (date.is_some(), area.is_some());
        rows.iter()
            .all(|(d, a, _)| d.is_some() == dated && a.is_some() == per_area)
            .then(|| DeductionTable {
                path: path.to_owned(),
                fill,
                dated,
                per_area,
                rows,
            })
    }

    /// The file the table was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The figure for dates (and areas) the table lacks, persons per day; `None` makes them an
    /// error.
    pub fn fill(&self) -> Option<f64> {
        self.fill
    }

    /// Whether the table gives figures per area (it has an area column).
    pub fn is_per_area(&self) -> bool {
        self.per_area
    }

    /// Whether the table gives figures by date (it has a date column).
    pub fn is_dated(&self) -> bool {
        self.dated
    }

    /// The rows, in file order (rows of one key summed when the scenario asks for it).
    pub fn rows(&self) -> &[TableRow] {
        &self.rows
    }
}
