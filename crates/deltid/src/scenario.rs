//! The scenario: uplift, areas and deductions, read from a TOML file and validated on load.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::area::AreaResolver;
use crate::area::{Area, AreaCode};
use crate::calendar::SchoolHolidays;
use crate::deduction::{Deduction, DeductionSource, DeductionTable, TableLayout};
use crate::error::{Error, Result};
use crate::read::MAX_PERSONS;
use crate::scaling::{RawScaling, Scaling};
use crate::uncertainty::{
    Distribution, Parameter, UncertainParameter, check_range, distribution_from_table,
};

/// How a region-level deduction is shared out to the areas.
///
/// The areas' shares always add up to the region's figure, so the region stays the sum of its
/// areas on every line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Each area's share of the region's present persons on the same day (the default: it
    /// needs no extra data). Written `allocation = "present"`.
    #[default]
    #[serde(rename = "present")]
    PresentShare,
    /// Each area's share of the registered residents given per area in the scenario. Written
    /// `allocation = "residents"`; needs per-area `residents`.
    #[serde(rename = "residents")]
    ResidentShare,
}

impl Allocation {
    /// A sentence naming the rule, for outputs.
    pub fn describe(self) -> &'static str {
        match self {
            Allocation::PresentShare => {
                "region-level deductions allocated to areas by each area's share of present persons that day (equal shares on a day with nobody present)"
            }
            Allocation::ResidentShare => {
                "region-level deductions allocated to areas by each area's share of registered residents"
            }
        }
    }
}

/// The uplift for people the telecom data misses (no phone, SIM deviations), a fraction 0..1.
///
/// The Hallingdal plan uses 0.06 (6 %). Later scaling factors (multiple-SIM deduplication,
/// market share, foreign SIMs) are meant to join it here as separate, named factors.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Uplift(f64);

impl Uplift {
    /// An uplift fraction; `None` unless it is finite and within 0..=1.
    ///
    /// # Examples
    /// ```
    /// use deltid::Uplift;
    /// assert_eq!(Uplift::new(0.06).map(|u| u.fraction()), Some(0.06));
    /// assert!(Uplift::new(6.0).is_none()); // a percent, not a fraction
    /// ```
    pub fn new(fraction: f64) -> Option<Uplift> {
        (fraction.is_finite() && (0.0..=1.0).contains(&fraction)).then_some(Uplift(fraction))
    }

    /// The fraction, 0..1.
    pub fn fraction(self) -> f64 {
        self.0
    }
}

/// Figures an area's estimate can be checked against, from official statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    /// The area.
    pub code: AreaCode,
    /// Holiday homes (fritidsbustader) in the area, count (Statistics Norway publishes them
    /// per municipality).
    pub holiday_homes: Option<f64>,
    /// Official guest-nights in commercial accommodation per year (hotels, cabins for rent,
    /// camping), nights.
    pub commercial_guest_nights: Option<f64>,
}

/// A validated scenario: everything the estimate needs besides the counts.
///
/// Read from TOML with [`Scenario::from_path`] or [`Scenario::from_toml_str`]. A scenario that
/// loaded is consistent: the uplift is a fraction 0..1, every deduction is given exactly once
/// (for the region, for every area, or as a table), all figures are non-negative persons per
/// day, area codes are unique, and region-level figures can be allocated.
///
/// ```toml
/// name = "Hallingdal"      # region name for outputs (default "Region")
/// uplift = 0.06            # fraction
/// counts = "counts.csv"    # optional, relative to this file
/// allocation = "present"   # or "residents": how region-level deductions are shared out
/// [deductions]             # region-level figures, persons per day
/// residents = 20000
/// commuters = 1000
/// transit = 1000
/// day_visitors = { table = "day_visitors.csv", fill = 0 }   # by date
/// # uplift and region-level figures may be ranges; the estimate uses their means:
/// # uplift = { uniform = [0.04, 0.08] }, commuters = { triangular = [500, 1000, 1500] },
/// # transit = { normal = [1000, 150] } (see deltid::uncertainty)
/// [[area]]
/// code = "3324"
/// name = "Gol"
/// [calendar]               # optional; school holidays for calendar labels (Buskerud's)
/// winter_holiday_weeks = [8, 9]
/// ```
///
/// Optional scaling layers ([`Scaling`]) and a region-level count:
///
/// ```toml
/// region_code = "HALLINGDAL"   # count rows with this code are the region's own count
/// [scaling]                    # each 1 if not given
/// deduplication = 0.95         # persons per SIM (multiple-SIM factor), fraction (0, 1]
/// market_share = 0.6           # the operator's share of the target population, (0, 1]
/// foreign = 1.0                # persons per foreign SIM, instead of the uplift
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    path: PathBuf,
    name: String,
    uplift: Uplift,
    counts: Option<PathBuf>,
    allocation: Allocation,
    areas: Vec<Area>,
    calibration: Vec<Calibration>,
    deductions: [DeductionSource; 4],
    uncertain: Vec<UncertainParameter>,
    calendar: SchoolHolidays,
    resolver: AreaResolver,
    scaling: Scaling,
    region_code: Option<AreaCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    uplift: toml::Value,
    counts: Option<PathBuf>,
    allocation: Option<Allocation>,
    #[serde(default)]
    deductions: RawDeductions,
    #[serde(rename = "area", default)]
    areas: Vec<RawArea>,
    #[serde(default)]
    calendar: SchoolHolidays,
    #[serde(default)]
    area_codes: RawAreaCodes,
    #[serde(default)]
    scaling: RawScaling,
    region_code: Option<String>,
}

/// How area cells in inputs are read: `[area_codes]` with `digits` and `mapping`.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAreaCodes {
    digits: Option<usize>,
    mapping: Option<PathBuf>,
}

/// The deductions as written; each is kept as a TOML value so that every wrong shape gets its
/// own message.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeductions {
    residents: Option<toml::Value>,
    commuters: Option<toml::Value>,
    transit: Option<toml::Value>,
    day_visitors: Option<toml::Value>,
}

/// A deduction as written: a number, or an inline table `{ table = "file.csv", fill = 0 }`.
enum RawDeduction {
    Persons(f64),
    /// `{ uniform = [..] }`, `{ triangular = [..] }` or `{ normal = [..] }`.
    Distributed(Distribution),
    Table {
        table: PathBuf,
        fill: Option<f64>,
        layout: TableLayout,
    },
}

impl RawDeduction {
    /// Reads a deduction's value, or says what is wrong with it.
    fn from_value(value: toml::Value) -> std::result::Result<RawDeduction, String> {
        const SHAPE: &str = "expected a number of persons per day, or { table = \"file.csv\" } with optional fill = <persons>, date/area/persons = \"<column>\", sum = true, or a range { uniform = [low, high] }, { triangular = [low, mode, high] }, { normal = [mean, sd] }";
        let number = |v: &toml::Value| match v {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        if let Some(persons) = number(&value) {
            return Ok(RawDeduction::Persons(persons));
        }
        let toml::Value::Table(table) = value else {
            return Err(format!("{SHAPE}, found {value}"));
        };
        if let Some(distribution) = distribution_from_table(&table) {
            return distribution.map(RawDeduction::Distributed);
        }
        const KEYS: [&str; 6] = ["table", "fill", "date", "area", "persons", "sum"];
        if let Some(key) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!("unknown key `{key}`: {SHAPE}"));
        }
        let file = match table.get("table") {
            Some(toml::Value::String(file)) => PathBuf::from(file),
            Some(other) => {
                return Err(format!(
                    "`table` must be a file name in quotes, found {other}"
                ));
            }
            None => return Err(format!("no `table` key: {SHAPE}")),
        };
        let fill = match table.get("fill") {
            None => None,
            Some(v) => Some(
                number(v)
                    .ok_or_else(|| format!("`fill` must be a number of persons, found {v}"))?,
            ),
        };
        let mut layout = TableLayout::default();
        for (key, slot) in [
            ("date", &mut layout.date),
            ("area", &mut layout.area),
            ("persons", &mut layout.persons),
        ] {
            match table.get(key) {
                None => {}
                Some(toml::Value::String(column)) => *slot = column.clone(),
                Some(other) => {
                    return Err(format!(
                        "`{key}` must be a column name in quotes, found {other}"
                    ));
                }
            }
        }
        match table.get("sum") {
            None => {}
            Some(toml::Value::Boolean(sum)) => layout.sum = *sum,
            Some(other) => return Err(format!("`sum` must be true or false, found {other}")),
        }
        Ok(RawDeduction::Table {
            table: file,
            fill,
            layout,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    code: String,
    name: String,
    residents: Option<f64>,
    commuters: Option<f64>,
    transit: Option<f64>,
    day_visitors: Option<f64>,
    holiday_homes: Option<f64>,
    commercial_guest_nights: Option<f64>,
}

impl RawArea {
    fn deduction(&self, deduction: Deduction) -> Option<f64> {
        match deduction {
            Deduction::Residents => self.residents,
            Deduction::Commuters => self.commuters,
            Deduction::Transit => self.transit,
            Deduction::DayVisitors => self.day_visitors,
        }
    }
}

impl RawDeductions {
    fn take(&mut self, deduction: Deduction) -> Option<toml::Value> {
        match deduction {
            Deduction::Residents => self.residents.take(),
            Deduction::Commuters => self.commuters.take(),
            Deduction::Transit => self.transit.take(),
            Deduction::DayVisitors => self.day_visitors.take(),
        }
    }
}

impl Scenario {
    /// Reads and validates a scenario file. Relative paths in it (counts, tables) are taken
    /// relative to the file's folder, and deduction tables are read now.
    ///
    /// # Errors
    /// [`Error::ReadFile`] if it cannot be read; [`Error::ReadScenario`] for invalid TOML or an
    /// unknown or mistyped key (with line and column); [`Error::InvalidScenario`] naming the key
    /// for a value out of range or a deduction given twice or not at all; the errors of
    /// [`DeductionTable::read`] for a deduction table.
    ///
    /// # Examples
    /// ```
    /// let scenario = deltid::Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
    /// assert_eq!(scenario.uplift().fraction(), 0.06);
    /// assert_eq!(scenario.areas().len(), 6);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        Scenario::from_toml_str(&text, path)
    }

    /// Parses and validates a scenario from TOML text; `path` names it in errors and anchors
    /// its relative paths.
    ///
    /// # Errors
    /// As [`Scenario::from_path`], except [`Error::ReadFile`] for the scenario itself.
    ///
    /// # Examples
    /// ```
    /// use std::path::Path;
    /// use deltid::Scenario;
    /// let toml = r#"
    ///     uplift = 0.06
    ///     [deductions]
    ///     residents = 20000
    ///     commuters = 1000
    ///     transit = 1000
    ///     day_visitors = 1000
    ///     [[area]]
    ///     code = "3324"
    ///     name = "Gol"
    /// "#;
    /// let scenario = Scenario::from_toml_str(toml, Path::new("plan.toml"))?;
    /// assert_eq!(scenario.areas()[0].code.as_str(), "3324");
    ///
    /// let err = Scenario::from_toml_str(&toml.replace("0.06", "6"), Path::new("plan.toml"))
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("`uplift`"));
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Scenario> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| Error::ReadScenario {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let invalid = |key: &str, reason: String| Error::InvalidScenario {
            path: path.to_owned(),
            key: key.to_owned(),
            reason,
        };
        let folder = path.parent().unwrap_or(Path::new(""));

        let mut uncertain = Vec::new();
        if let toml::Value::Table(table) = &raw.uplift
            && let Some(distribution) = distribution_from_table(table)
        {
            let distribution = distribution.map_err(|reason| invalid("uplift", reason))?;
            check_range(Parameter::Uplift, &distribution)
                .map_err(|reason| invalid("uplift", reason))?;
            uncertain.push(UncertainParameter {
                parameter: Parameter::Uplift,
                distribution,
            });
        }
        let fraction = match &raw.uplift {
            // A distribution: the estimate uses its mean.
            toml::Value::Table(_) => uncertain.first().map(|u| u.distribution.mean()),
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            // "6 %", "6%", "6,5 %": a percent; "0.06": a fraction.
            toml::Value::String(text) => match text.trim().strip_suffix('%') {
                Some(percent) => {
                    crate::read::parse_number(percent, Default::default()).map(|p| p / 100.0)
                }
                None => crate::read::parse_number(text, Default::default()),
            },
            _ => None,
        };
        let uplift = fraction.and_then(Uplift::new).ok_or_else(|| {
            invalid(
                "uplift",
                format!(
                    "{} is not a fraction between 0 and 1 (write 0.06 or \"6 %\" for 6 %)",
                    raw.uplift
                ),
            )
        })?;

        if raw.areas.is_empty() {
            return Err(invalid(
                "area",
                "no areas: list each area as [[area]] with code and name".to_owned(),
            ));
        }
        let mut areas: Vec<Area> = Vec::with_capacity(raw.areas.len());
        let mut seen = std::collections::HashSet::with_capacity(raw.areas.len());
        let mut calibration: Vec<Calibration> = Vec::with_capacity(raw.areas.len());
        for (i, area) in raw.areas.iter().enumerate() {
            let code = AreaCode::new(&area.code);
            if code.as_str().is_empty() {
                return Err(invalid(
                    &format!("area[{}].code", i + 1),
                    "empty".to_owned(),
                ));
            }
            if !seen.insert(code.clone()) {
                return Err(invalid(
                    &format!("area[{}].code", i + 1),
                    format!("area code {:?} listed twice", code.as_str()),
                ));
            }
            for (key, value) in [
                ("holiday_homes", area.holiday_homes),
                ("commercial_guest_nights", area.commercial_guest_nights),
            ] {
                if value.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                    return Err(invalid(
                        &format!("area[{}].{key}", i + 1),
                        "must be a non-negative number".to_owned(),
                    ));
                }
            }
            calibration.push(Calibration {
                code: code.clone(),
                holiday_homes: area.holiday_homes,
                commercial_guest_nights: area.commercial_guest_nights,
            });
            areas.push(Area {
                code,
                name: area.name.clone(),
            });
        }
        let mut mapping = std::collections::HashMap::new();
        if let Some(file) = &raw.area_codes.mapping {
            let file = folder.join(file);
            for (from, to, at) in read_mapping(&file)? {
                if !seen.contains(&to) {
                    return Err(Error::UnknownArea {
                        path: file.clone(),
                        at,
                        area: to.to_string(),
                        scenario: path.to_owned(),
                        known: areas.iter().map(|a| a.code.to_string()).collect(),
                    });
                }
                mapping.insert(from, to);
            }
        }
        if raw
            .area_codes
            .digits
            .is_some_and(|d| !(1..=12).contains(&d))
        {
            return Err(invalid(
                "area_codes.digits",
                "must be between 1 and 12".to_owned(),
            ));
        }
        let scaling =
            Scaling::from_raw(&raw.scaling).map_err(|(key, reason)| invalid(&key, reason))?;
        let region_code = raw.region_code.as_ref().map(AreaCode::new);
        if let Some(code) = &region_code {
            if code.as_str().is_empty() {
                return Err(invalid("region_code", "empty".to_owned()));
            }
            if seen.contains(code) {
                return Err(invalid(
                    "region_code",
                    format!(
                        "{:?} is an area's code: the region's own count needs a code of its own",
                        code.as_str()
                    ),
                ));
            }
        }
        let resolver = AreaResolver::new(path, &areas, raw.area_codes.digits, mapping)
            .with_region(region_code.clone());

        let mut region = raw.deductions;
        let mut sources = Vec::with_capacity(4);
        for deduction in Deduction::ALL {
            let key = deduction.key();
            let per_area: Vec<Option<f64>> =
                raw.areas.iter().map(|a| a.deduction(deduction)).collect();
            let given = per_area.iter().filter(|v| v.is_some()).count();
            let check = |key: String, value: f64| {
                if value.is_finite() && (0.0..=MAX_PERSONS).contains(&value) {
                    Ok(value)
                } else {
                    Err(invalid(
                        &key,
                        format!(
                            "{value} is not a non-negative number of persons per day (at most {MAX_PERSONS})"
                        ),
                    ))
                }
            };
            let raw = region
                .take(deduction)
                .map(RawDeduction::from_value)
                .transpose()
                .map_err(|reason| invalid(&format!("deductions.{key}"), reason))?;
            let source = match (raw, given) {
                (Some(_), n) if n > 0 => {
                    return Err(invalid(
                        &format!("deductions.{key}"),
                        format!(
                            "given both for the region and for {n} area(s): give one or the other"
                        ),
                    ));
                }
                (Some(RawDeduction::Distributed(distribution)), _) => {
                    let parameter = Parameter::Deduction(deduction);
                    check_range(parameter, &distribution)
                        .map_err(|reason| invalid(&format!("deductions.{key}"), reason))?;
                    uncertain.push(UncertainParameter {
                        parameter,
                        distribution,
                    });
                    DeductionSource::Region(distribution.mean())
                }
                (Some(RawDeduction::Persons(v)), _) => {
                    DeductionSource::Region(check(format!("deductions.{key}"), v)?)
                }
                (
                    Some(RawDeduction::Table {
                        table,
                        fill,
                        layout,
                    }),
                    _,
                ) => {
                    let fill = fill
                        .map(|v| check(format!("deductions.{key}.fill"), v))
                        .transpose()?;
                    DeductionSource::Table(DeductionTable::read(
                        &folder.join(table),
                        fill,
                        &layout,
                        &resolver,
                    )?)
                }
                (None, 0) => {
                    return Err(invalid(
                        &format!("deductions.{key}"),
                        format!(
                            "not given: set it under [deductions] for the region, or `{key}` in every [[area]] (0 if none)"
                        ),
                    ));
                }
                (None, n) if n < areas.len() => {
                    let missing = per_area.iter().position(Option::is_none).unwrap_or(0);
                    return Err(invalid(
                        &format!("area[{}].{key}", missing + 1),
                        format!(
                            "missing for area {}: give `{key}` for every area or once under [deductions]",
                            areas[missing].code
                        ),
                    ));
                }
                (None, _) => {
                    let mut values = Vec::with_capacity(areas.len());
                    for (i, v) in per_area.iter().enumerate() {
                        values.push(check(format!("area[{}].{key}", i + 1), v.unwrap_or(0.0))?);
                    }
                    DeductionSource::PerArea(values)
                }
            };
            sources.push(source);
        }
        let deductions: [DeductionSource; 4] = sources
            .try_into()
            .map_err(|_| invalid("deductions", "internal: expected four".to_owned()))?;

        raw.calendar
            .check()
            .map_err(|(key, reason)| invalid(&key, reason))?;

        let allocation = raw.allocation.unwrap_or_default();
        if allocation == Allocation::ResidentShare {
            let residents = registered_residents(&areas, &deductions[Deduction::Residents.index()]);
            if !residents.is_some_and(|r| r.iter().sum::<f64>() > 0.0) {
                return Err(invalid(
                    "allocation",
                    "\"residents\" needs residents per area: `residents` in every [[area]], or an undated table with an area column (and not all 0)"
                        .to_owned(),
                ));
            }
        }

        Ok(Scenario {
            path: path.to_owned(),
            name: raw.name.unwrap_or_else(|| "Region".to_owned()),
            uplift,
            counts: raw.counts.map(|c| folder.join(c)),
            allocation,
            areas,
            calibration,
            deductions,
            uncertain,
            calendar: raw.calendar,
            resolver,
            scaling,
            region_code,
        })
    }

    /// The scenario file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The region's name, for outputs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The uplift for people the data misses.
    pub fn uplift(&self) -> Uplift {
        self.uplift
    }

    /// The counts file the scenario names, resolved against the scenario's folder.
    pub fn counts(&self) -> Option<&Path> {
        self.counts.as_deref()
    }

    /// How region-level deductions are shared out to the areas.
    pub fn allocation(&self) -> Allocation {
        self.allocation
    }

    /// The areas of the region, in the scenario's order.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// Where a deduction's figures come from.
    pub fn deduction(&self, deduction: Deduction) -> &DeductionSource {
        &self.deductions[deduction.index()]
    }

    /// The school holidays for calendar labels (Buskerud's unless the scenario's `[calendar]`
    /// says otherwise).
    pub fn calendar(&self) -> &SchoolHolidays {
        &self.calendar
    }

    /// Registered residents per area (persons, in the order of [`Scenario::areas`]) when the
    /// scenario gives them per area: as `residents` in every `[[area]]`, or as an undated table
    /// with an area column (areas the table lacks count 0).
    pub fn registered_residents(&self) -> Option<Vec<f64>> {
        registered_residents(&self.areas, &self.deductions[Deduction::Residents.index()])
    }

    /// The scaling factors besides the uplift (`[scaling]`), each 1 unless given.
    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    /// The code of the region's own count in the counts (`region_code`), if the operator gives
    /// one: a count of everyone in the region that day, each person once, while the areas'
    /// counts summed count a person seen in two areas twice.
    pub fn region_code(&self) -> Option<&AreaCode> {
        self.region_code.as_ref()
    }

    /// How area cells in inputs are read as this scenario's codes (`[area_codes]`).
    pub fn area_resolver(&self) -> &AreaResolver {
        &self.resolver
    }

    /// The parameters given as distributions (uplift first, then deductions in the plan's
    /// order); the estimate uses each one's mean. See [`crate::uncertainty`].
    pub fn uncertain(&self) -> &[UncertainParameter] {
        &self.uncertain
    }

    /// Figures to check the estimate against, per area in scenario order: holiday homes and
    /// official commercial guest-nights, where the scenario gives them.
    pub fn calibration(&self) -> &[Calibration] {
        &self.calibration
    }

    /// The area with a code, if the scenario lists it.
    pub fn area(&self, code: &AreaCode) -> Option<&Area> {
        self.resolver
            .position(code.as_str())
            .and_then(|i| self.areas.get(i))
    }
}

/// Reads a code-mapping table: columns `from` and `to`, one old code per row.
fn read_mapping(path: &Path) -> Result<Vec<(String, AreaCode, crate::source::Location)>> {
    let table = crate::source::Table::read(path, &crate::source::SourceOptions::default(), "from")?;
    let from = crate::read::column_index(&table.header, "from", path)?;
    let to = crate::read::column_index(&table.header, "to", path)?;
    Ok(table
        .records
        .iter()
        .map(|r| {
            (
                r.cell(from).trim().to_owned(),
                AreaCode::new(r.cell(to)),
                table.locate(r, to),
            )
        })
        .collect())
}

/// Residents per area from a per-area source, if the residents deduction is one.
fn registered_residents(areas: &[Area], source: &DeductionSource) -> Option<Vec<f64>> {
    match source {
        DeductionSource::PerArea(values) => Some(values.clone()),
        DeductionSource::Table(table) if table.is_per_area() && !table.is_dated() => Some(
            areas
                .iter()
                .map(|a| {
                    table
                        .rows
                        .iter()
                        .filter(|(_, area, _)| area.as_ref() == Some(&a.code))
                        .map(|r| r.2)
                        .sum()
                })
                .collect(),
        ),
        _ => None,
    }
}
