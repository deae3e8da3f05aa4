//! The eight daily lines of the model, and the four deductions among them.

use std::fmt;
use std::ops::{Index, IndexMut};

use serde::Serialize;

/// The largest number of persons deltid accepts in one count or deduction: ten billion, more
/// than the world's population. Larger values are data errors, and the bound keeps every sum
/// exact in `f64` and within `i64` when rounded.
pub const MAX_PERSONS: f64 = 1e10;

/// A line of the model for one area (or the region) on one day, in persons.
///
/// In the order of the Hallingdal plan's table: what the telecom data counted, what the uplift
/// adds, the present population, the four deductions, and the residual: part-time residents
/// present, which is the guest-nights spent that day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// Persons counted in the telecom data (all SIMs, domestic and foreign).
    Observed,
    /// Persons added for people the data misses: present − observed (the plan's 6 %, and the
    /// scaling factors when the scenario gives any).
    Uplift,
    /// Present population: observed plus uplift.
    Present,
    /// Registered residents deducted.
    Residents,
    /// External workforce (commuters in) deducted.
    Commuters,
    /// Transit traffic deducted.
    Transit,
    /// Day visitors deducted.
    DayVisitors,
    /// Part-time residents present: present minus the four deductions (guest-nights that
    /// day); may be negative.
    PartTime,
}

impl Line {
    /// The eight lines, in the plan's order.
    pub const ALL: [Line; 8] = [
        Line::Observed,
        Line::Uplift,
        Line::Present,
        Line::Residents,
        Line::Commuters,
        Line::Transit,
        Line::DayVisitors,
        Line::PartTime,
    ];

    /// The line's name in files (column names, JSON keys): `observed`, `uplift`, `present`,
    /// `residents`, `commuters`, `transit`, `day_visitors`, `part_time`.
    pub fn key(self) -> &'static str {
        match self {
            Line::Observed => "observed",
            Line::Uplift => "uplift",
            Line::Present => "present",
            Line::Residents => "residents",
            Line::Commuters => "commuters",
            Line::Transit => "transit",
            Line::DayVisitors => "day_visitors",
            Line::PartTime => "part_time",
        }
    }

    /// The deduction this line is, if it is one.
    pub fn deduction(self) -> Option<Deduction> {
        Deduction::ALL.into_iter().find(|d| d.line() == self)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A group of people present who are not part-time residents, deducted from present persons.
///
/// The four deductions of the Hallingdal plan's table (strategic plan 2021-2024): registered
/// residents, external workforce (commuters in), transit traffic and day tourism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deduction {
    /// Registered residents of the area (folkeregistrerte innbyggjarar).
    Residents,
    /// External workforce: commuters in from outside the region.
    Commuters,
    /// Transit traffic passing through (gjennomgangstrafikk).
    Transit,
    /// Day visitors who do not stay the night (dagsturisme).
    DayVisitors,
}

impl Deduction {
    /// All four, in the plan's order.
    pub const ALL: [Deduction; 4] = [
        Deduction::Residents,
        Deduction::Commuters,
        Deduction::Transit,
        Deduction::DayVisitors,
    ];

    /// Its line of the model.
    pub fn line(self) -> Line {
        match self {
            Deduction::Residents => Line::Residents,
            Deduction::Commuters => Line::Commuters,
            Deduction::Transit => Line::Transit,
            Deduction::DayVisitors => Line::DayVisitors,
        }
    }

    /// The key in the scenario file, which is also the column name in outputs.
    pub fn key(self) -> &'static str {
        self.line().key()
    }

    /// The line's label in the plan's table.
    pub fn label(self) -> &'static str {
        match self {
            Deduction::Residents => "minus registered residents",
            Deduction::Commuters => "minus external workforce (commuters in)",
            Deduction::Transit => "minus transit traffic",
            Deduction::DayVisitors => "minus day tourism (day visitors)",
        }
    }

    /// Position in [`Deduction::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Deduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The eight lines of one area (or the region) on one day, or their means over days; persons.
///
/// Indexed by [`Line`].
///
/// # Examples
/// ```
/// use deltid_model::{DayLines, Line};
/// let mut lines = DayLines::default();
/// lines[Line::Present] = 1_060.0;
/// assert_eq!(lines[Line::Present], 1_060.0);
/// assert_eq!(lines.part_time(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DayLines([f64; 8]);

impl DayLines {
    /// The lines from values in the order of [`Line::ALL`].
    pub fn from_array(values: [f64; 8]) -> DayLines {
        DayLines(values)
    }

    /// The values in the order of [`Line::ALL`].
    pub fn to_array(self) -> [f64; 8] {
        self.0
    }

    /// Persons counted in the telecom data.
    pub fn observed(&self) -> f64 {
        self[Line::Observed]
    }

    /// Present population.
    pub fn present(&self) -> f64 {
        self[Line::Present]
    }

    /// Part-time residents present (guest-nights that day).
    pub fn part_time(&self) -> f64 {
        self[Line::PartTime]
    }

    /// The figure of one deduction.
    pub fn deduction(&self, deduction: Deduction) -> f64 {
        self[deduction.line()]
    }

    /// Each line and its value, in the plan's order.
    pub fn iter(&self) -> impl Iterator<Item = (Line, f64)> + '_ {
        Line::ALL.into_iter().zip(self.0)
    }

    /// The lines of two days added line by line (the region's day from its areas').
    pub fn plus(self, other: &DayLines) -> DayLines {
        DayLines(std::array::from_fn(|i| self.0[i] + other.0[i]))
    }
}

impl Index<Line> for DayLines {
    type Output = f64;

    fn index(&self, line: Line) -> &f64 {
        &self.0[line.index()]
    }
}

impl IndexMut<Line> for DayLines {
    fn index_mut(&mut self, line: Line) -> &mut f64 {
        &mut self.0[line.index()]
    }
}

impl Serialize for DayLines {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(8))?;
        for (line, value) in self.iter() {
            map.serialize_entry(line.key(), &value)?;
        }
        map.end()
    }
}
