//! The scenario: uplift, scaling, areas and deductions, validated when it is built.
//!
//! A scenario is built from a [`ScenarioSpec`], the scenario as written (in TOML, read by
//! `deltid-io`, or by any other front end), and is consistent once built: every value is in its
//! range, every deduction is given exactly once, codes are unique, and region-level figures can
//! be shared out.

mod deduction;
mod disclosure;
mod distribution;
mod scaling;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use deduction::{DeductionSource, DeductionTable, TableRow};
pub use disclosure::{Disclosure, MAX_MIN_COUNT, ROUNDING_BASES};
pub use distribution::{Distribution, Parameter, UncertainParameter};
pub use scaling::{MAX_FOREIGN_FACTOR, Scaling};

use crate::area::{Area, AreaCode, AreaResolver};
use crate::calendar::SchoolHolidays;
use crate::error::{Error, Location, Result};
use crate::language::Language;
use crate::lines::Deduction;
use crate::lines::MAX_PERSONS;
use crate::night::{NightResidents, NightSettings};

/// The time zone of naive local times when a scenario names none: deltid's scenarios are
/// Norwegian municipalities, so Norway's zone; a scenario elsewhere names its own.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Oslo";

/// How a region-level deduction is shared out to the areas.
///
/// The areas' shares add up to the region's figure on every day every area is counted, so the
/// region is the sum of its areas on every line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Allocation {
    /// Each area's share of the region's present persons on the same day (the default: it
    /// needs no extra data). Written `allocation = "present"`.
    ///
    /// On a day with nobody present anywhere the counted areas share equally. On a day when
    /// some of the scenario's areas have no count, the areas counted take only their usual
    /// part of the region's figure (their share of present persons × their mean share on the
    /// days every area is counted), not the missing areas' part too; without any such complete
    /// day, the areas counted share the whole figure.
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
                "region-level deductions allocated to areas by each area's share of present persons that day (equal shares on a day with nobody present; on a day with some area missing, the areas counted take their usual share)"
            }
            Allocation::ResidentShare => {
                "region-level deductions allocated to areas by each area's share of registered residents"
            }
        }
    }
}

/// The uplift for people the telecom data misses (no phone, SIM deviations), a fraction 0..1.
///
/// The Hallingdal plan uses 0.06 (6 %). The other scaling factors (multiple-SIM deduplication,
/// market share, foreign SIMs) are [`Scaling`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Uplift(f64);

impl Uplift {
    /// An uplift fraction; `None` unless it is finite and within 0..=1.
    ///
    /// # Examples
    /// ```
    /// use deltid_model::Uplift;
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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Calibration {
    /// Holiday homes (fritidsbustader) in the area, count (Statistics Norway publishes them
    /// per municipality).
    pub holiday_homes: Option<f64>,
    /// Official guest-nights in commercial accommodation per year (hotels, cabins for rent,
    /// camping), nights.
    pub commercial_guest_nights: Option<f64>,
}

/// A number of the scenario as written: a value (and whether it was written as a percent, such
/// as `"6 %"`), or a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum ParameterSpec {
    /// A value. `percent` tells that it was written as a percent and is already divided by
    /// 100; `written` is the text as written, for messages.
    Value {
        /// The value (a fraction for the uplift).
        value: f64,
        /// Whether it was written with `%`.
        percent: bool,
        /// As written.
        written: String,
    },
    /// A range for the uncertainty analysis; the estimate uses its mean.
    Distributed(Distribution),
}

/// A deduction as written: a number of persons per day, a range, or a table (`T` is how the
/// front end names a table; it reads it when [`Scenario::new`] asks).
#[derive(Clone, Debug, PartialEq)]
pub enum DeductionSpec<T> {
    /// One figure for the region, persons per day.
    Persons(f64),
    /// A range for the region's figure; the estimate uses its mean.
    Distributed(Distribution),
    /// A table, with the figure for what it lacks.
    Table {
        /// The table, as the front end names it.
        table: T,
        /// Persons per day for dates (and areas) the table lacks.
        fill: Option<f64>,
    },
}

/// An area as written: code, name, per-area deductions and calibration figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AreaSpec {
    /// The code, as written.
    pub code: String,
    /// The name.
    pub name: String,
    /// Per-area figures of the four deductions, persons per day, in the plan's order.
    pub deductions: [Option<f64>; 4],
    /// Figures to check the estimate against.
    pub calibration: Calibration,
    /// Where the code is written when the area comes from a table (the scenario's
    /// `areas_table`), for messages; `None` for an `[[area]]` entry.
    pub at: Option<Location>,
}

/// One row of a code-mapping table: an old code, the scenario code it maps to, and where the
/// row is.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingRow {
    /// The old code, trimmed.
    pub from: String,
    /// The scenario's code.
    pub to: String,
    /// Where the row is in the mapping file.
    pub at: Location,
}

/// The scenario as written, before it is checked: what a scenario file holds, with relative
/// paths already resolved and the code mapping already read.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioSpec<T> {
    /// The scenario file (names it in messages).
    pub path: PathBuf,
    /// The region's name (`Region` if not given).
    pub name: Option<String>,
    /// The uplift, a fraction 0..1 (required).
    pub uplift: Option<ParameterSpec>,
    /// The counts file the scenario names.
    pub counts: Option<PathBuf>,
    /// How region-level deductions are shared out.
    pub allocation: Option<Allocation>,
    /// The areas.
    pub areas: Vec<AreaSpec>,
    /// The region-level deductions, in the plan's order.
    pub deductions: [Option<DeductionSpec<T>>; 4],
    /// School holidays for calendar labels.
    pub calendar: SchoolHolidays,
    /// Digits all-digit codes are padded to (`[area_codes] digits`).
    pub digits: Option<usize>,
    /// The code-mapping file and its rows (`[area_codes] mapping`).
    pub mapping: Option<(PathBuf, Vec<MappingRow>)>,
    /// `[scaling]`: deduplication, market share, persons per foreign SIM.
    pub scaling: [Option<f64>; 3],
    /// The code of the region's own count in the counts.
    pub region_code: Option<String>,
    /// The table the areas were read from (`areas = "areas.csv"`), if any.
    pub areas_table: Option<PathBuf>,
    /// The language of outputs (`language = "nn"`), if given.
    pub language: Option<Language>,
    /// The time zone naive local times in hourly counts are read in (`time_zone`), an IANA
    /// name; [`DEFAULT_TIME_ZONE`] if not given.
    pub time_zone: Option<String>,
    /// `[night]`: the counts measure nights, reduced by these settings.
    pub night: Option<NightSettings>,
    /// `[origin]`: the counts are split by origin, of this kind and threshold.
    pub origin: Option<crate::origin::OriginSettings>,
    /// `[night] residents`: the residents at home deducted at night.
    pub night_residents: NightResidents,
    /// `[disclosure]`: the smallest count published and the rounding base.
    pub disclosure: Disclosure,
}

impl<T> ScenarioSpec<T> {
    /// An empty scenario as written, for `path`; every field unset.
    pub fn new(path: &Path) -> ScenarioSpec<T> {
        ScenarioSpec {
            path: path.to_owned(),
            name: None,
            uplift: None,
            counts: None,
            allocation: None,
            areas: Vec::new(),
            deductions: [None, None, None, None],
            calendar: SchoolHolidays::default(),
            digits: None,
            mapping: None,
            scaling: [None; 3],
            region_code: None,
            areas_table: None,
            language: None,
            time_zone: None,
            night: None,
            origin: None,
            night_residents: NightResidents::Registered,
            disclosure: Disclosure::default(),
        }
    }
}

/// A validated scenario: everything the estimate needs besides the counts.
///
/// Built with [`Scenario::new`] from a [`ScenarioSpec`] (deltid's TOML reader builds one from a
/// scenario file). A scenario is consistent: the uplift is a fraction 0..1, every deduction is
/// given exactly once (for the region, for every area, or as a table), all figures are
/// non-negative persons per day, area codes are unique, and region-level figures can be
/// allocated.
///
/// Cheap to clone: the checked scenario is shared, never changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario(std::sync::Arc<Checked>);

/// A scenario's checked parts.
#[derive(Clone, Debug, PartialEq)]
struct Checked {
    path: PathBuf,
    name: String,
    uplift: Uplift,
    counts: Option<PathBuf>,
    allocation: Allocation,
    calibration: Vec<Calibration>,
    deductions: [DeductionSource; 4],
    uncertain: Vec<UncertainParameter>,
    calendar: SchoolHolidays,
    resolver: AreaResolver,
    scaling: Scaling,
    region_code: Option<AreaCode>,
    /// Files read for the scenario besides the scenario file: areas table, code mapping,
    /// deduction tables.
    files: Vec<PathBuf>,
    language: Option<Language>,
    time_zone: String,
    night: Option<NightSettings>,
    origin: Option<crate::origin::OriginSettings>,
    night_residents: NightResidents,
    disclosure: Disclosure,
}

impl Scenario {
    /// Checks a scenario as written and builds it; `read_table` reads a deduction table given
    /// as `T` with its fill (persons per day for what it lacks), area cells resolved by the
    /// scenario's areas.
    ///
    /// # Errors
    /// [`Error::InvalidScenario`] naming the key for a value out of range, a deduction given
    /// twice or not at all, a code empty or listed twice (for areas from a table,
    /// [`Error::EmptyArea`] and [`Error::DuplicateArea`] naming their place there);
    /// [`Error::UnknownArea`] for a mapping none of whose
    /// rows maps to a code the scenario lists (rows to other codes are left out: one national
    /// table may serve several scenarios); whatever `read_table` returns.
    ///
    /// # Examples
    /// ```
    /// use std::path::Path;
    /// use deltid_model::{AreaSpec, DeductionSpec, ParameterSpec, Scenario, ScenarioSpec};
    /// let mut spec = ScenarioSpec::<()>::new(Path::new("plan.toml"));
    /// spec.uplift = Some(ParameterSpec::Value { value: 0.06, percent: false, written: "0.06".into() });
    /// spec.deductions = [20_000.0, 1_000.0, 1_000.0, 1_000.0].map(|p| Some(DeductionSpec::Persons(p)));
    /// spec.areas.push(AreaSpec { code: "3324".into(), name: "Gol".into(), ..AreaSpec::default() });
    /// let scenario = Scenario::new(spec.clone(), |_, _, _| unreachable!("no tables"))?;
    /// assert_eq!(scenario.uplift().fraction(), 0.06);
    ///
    /// spec.uplift = Some(ParameterSpec::Value { value: 6.0, percent: false, written: "6".into() });
    /// let err = Scenario::new(spec, |_, _, _| unreachable!()).unwrap_err();
    /// assert!(err.to_string().contains("`uplift`"));
    /// # Ok::<(), deltid_model::Error>(())
    /// ```
    pub fn new<T>(
        spec: ScenarioSpec<T>,
        mut read_table: impl FnMut(&T, Option<f64>, &AreaResolver) -> Result<DeductionTable>,
    ) -> Result<Scenario> {
        let path = spec.path.clone();
        let invalid = |key: &str, reason: String| Error::InvalidScenario {
            path: path.clone(),
            key: key.to_owned(),
            reason,
        };
        let mut uncertain = Vec::new();
        let uplift = match spec.uplift {
            None => {
                return Err(invalid(
                    "uplift",
                    "not given: write the uplift as a fraction (0.06) or a percent (\"6 %\")"
                        .to_owned(),
                ));
            }
            Some(ParameterSpec::Distributed(distribution)) => {
                distribution::check_range(Parameter::Uplift, &distribution)
                    .map_err(|reason| invalid("uplift", reason))?;
                uncertain.push(UncertainParameter {
                    parameter: Parameter::Uplift,
                    distribution,
                });
                Uplift::new(distribution.mean())
            }
            // 1 written as a fraction most likely means 1 %, not 100 %.
            Some(ParameterSpec::Value {
                value,
                percent,
                written,
            }) => Some(Uplift::new(value).filter(|_| percent || value < 1.0).ok_or_else(|| {
                let percent = percent_of(value);
                invalid(
                    "uplift",
                    format!(
                        "{written} read as a fraction is {percent} %, most likely a percentage meant (a fraction is below 1): write 0.06 or \"6 %\" for 6 %, or \"{percent} %\" if that is meant"
                    ),
                )
            })?),
        }
        .ok_or_else(|| invalid("uplift", "not a fraction between 0 and 1".to_owned()))?;

        if spec.areas.is_empty() {
            return Err(invalid(
                "area",
                "no areas: list each area as [[area]] with code and name".to_owned(),
            ));
        }
        if spec.digits.is_some_and(|d| !(1..=12).contains(&d)) {
            return Err(invalid(
                "area_codes.digits",
                "must be between 1 and 12".to_owned(),
            ));
        }
        // With `digits`, all-digit codes are padded everywhere, the scenario's own included, so
        // that "1" and "0001" cannot be two areas.
        let canonical = |code: &str| -> AreaCode {
            let code = AreaCode::new(code);
            match spec.digits {
                Some(digits)
                    if !code.as_str().is_empty()
                        && code.as_str().bytes().all(|b| b.is_ascii_digit())
                        && code.as_str().len() < digits =>
                {
                    AreaCode::new(format!("{:0>digits$}", code.as_str()))
                }
                _ => code,
            }
        };
        let mut areas: Vec<Area> = Vec::with_capacity(spec.areas.len());
        let mut seen: HashMap<AreaCode, usize> = HashMap::with_capacity(spec.areas.len());
        let mut calibration = Vec::with_capacity(spec.areas.len());
        for (i, area) in spec.areas.iter().enumerate() {
            // Named only in an error: a national scenario has 100 000 areas.
            let key = || format!("area[{}]", i + 1);
            let code = canonical(&area.code);
            // An area from a table is named at its place there, an entry by its key.
            let in_table = spec.areas_table.as_ref().zip(area.at.as_ref());
            if code.as_str().is_empty() {
                return Err(match in_table {
                    Some((table, at)) => Error::EmptyArea {
                        path: table.clone(),
                        at: at.clone(),
                        column: "code".to_owned(),
                    },
                    None => invalid(&format!("{}.code", key()), "empty".to_owned()),
                });
            }
            if let Some(first) = seen.insert(code.clone(), i) {
                if let (Some((table, at)), Some(first_at)) = (in_table, &spec.areas[first].at) {
                    return Err(Error::DuplicateArea {
                        path: table.clone(),
                        at: at.clone(),
                        first: first_at.clone(),
                        column: "code".to_owned(),
                        code: area.code.trim().to_owned(),
                    });
                }
                return Err(invalid(
                    &format!("{}.code", key()),
                    format!(
                        "area code {:?} is area[{}]'s code too (written {:?} there)",
                        area.code,
                        first + 1,
                        spec.areas[first].code
                    ),
                ));
            }
            for (name, value) in [
                ("holiday_homes", area.calibration.holiday_homes),
                (
                    "commercial_guest_nights",
                    area.calibration.commercial_guest_nights,
                ),
            ] {
                if value.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                    return Err(invalid(
                        &format!("{}.{name}", key()),
                        "must be a non-negative number".to_owned(),
                    ));
                }
            }
            calibration.push(area.calibration.clone());
            areas.push(Area {
                code,
                // Composed (NFC), so that outputs and messages show "Ål" as one letter
                // however the file wrote it.
                name: crate::area::composed(area.name.clone()),
            });
        }

        let mut mapping = HashMap::new();
        if let Some((file, rows)) = &spec.mapping {
            let mut firsts: HashMap<String, (usize, &Location)> = HashMap::new();
            // A mapping may cover more than the scenario (one national table for several
            // scenarios): rows to codes the scenario does not list are left out, but a table
            // with no row for the scenario is an error (a wrong file, or every code mistyped).
            if let (Some(first), false) = (
                rows.first(),
                rows.iter().any(|r| seen.contains_key(&canonical(&r.to))),
            ) {
                return Err(Error::UnknownArea {
                    path: file.clone(),
                    at: first.at.clone(),
                    column: "to".to_owned(),
                    area: first.to.clone(),
                    scenario: path.clone(),
                    known: areas.clone(),
                });
            }
            for row in rows {
                let Some(&to) = seen.get(&canonical(&row.to)) else {
                    continue;
                };
                let from = canonical(&row.from).to_string();
                match firsts.get(&from) {
                    Some((first, _)) if *first == to => {}
                    Some((first, at)) => {
                        return Err(invalid(
                            "area_codes.mapping",
                            format!(
                                "{}: old code {from:?} maps to {} at {at} and to {} at {} (a split area cannot be mapped by code)",
                                file.display(),
                                areas[*first].code,
                                areas[to].code,
                                row.at
                            ),
                        ));
                    }
                    None => {
                        firsts.insert(from.clone(), (to, &row.at));
                    }
                }
                mapping.insert(from, to);
            }
        }

        let scaling = Scaling::from_spec(spec.scaling[0], spec.scaling[1], spec.scaling[2])
            .map_err(|(key, reason)| invalid(&key, reason))?;
        // Padded as the areas' codes are: with `digits = 4`, region_code "1" is "0001".
        let region_code = spec.region_code.as_deref().map(canonical);
        if let Some(code) = &region_code {
            if code.as_str().is_empty() {
                return Err(invalid("region_code", "empty".to_owned()));
            }
            if seen.contains_key(code) {
                return Err(invalid(
                    "region_code",
                    format!(
                        "{:?} is an area's code{}: the region's own count needs a code of its own",
                        spec.region_code.as_deref().unwrap_or_default(),
                        spec.digits
                            .filter(|_| spec.region_code.as_deref() != Some(code.as_str()))
                            .map(|d| format!(" ({} with {d} digits)", code.as_str()))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        let resolver = AreaResolver::new(&path, areas, spec.digits, mapping, region_code.clone());
        // The scenario's areas are the resolver's: one copy of 100 000 codes and names.
        let areas = resolver.areas();

        // The key is written out only for a message (it was 40 000 strings for 10 000 areas).
        let check = |key: &dyn Fn() -> String, value: f64| {
            if value.is_finite() && (0.0..=MAX_PERSONS).contains(&value) {
                Ok(value)
            } else {
                Err(invalid(
                    &key(),
                    format!(
                        "{value} is not a non-negative number of persons per day (at most {MAX_PERSONS})"
                    ),
                ))
            }
        };
        let mut sources = Vec::with_capacity(4);
        for (deduction, region) in Deduction::ALL.into_iter().zip(spec.deductions) {
            let key = deduction.key();
            let per_area: Vec<Option<f64>> = spec
                .areas
                .iter()
                .map(|a| a.deductions[deduction.index()])
                .collect();
            let given = per_area.iter().filter(|v| v.is_some()).count();
            let source = match (region, given) {
                (Some(_), n) if n > 0 => {
                    return Err(invalid(
                        &format!("deductions.{key}"),
                        format!(
                            "given both for the region and for {n} area(s): give one or the other"
                        ),
                    ));
                }
                (Some(DeductionSpec::Distributed(distribution)), _) => {
                    let parameter = Parameter::Deduction(deduction);
                    distribution::check_range(parameter, &distribution)
                        .map_err(|reason| invalid(&format!("deductions.{key}"), reason))?;
                    uncertain.push(UncertainParameter {
                        parameter,
                        distribution,
                    });
                    DeductionSource::Region(distribution.mean())
                }
                (Some(DeductionSpec::Persons(v)), _) => {
                    DeductionSource::Region(check(&|| format!("deductions.{key}"), v)?)
                }
                (Some(DeductionSpec::Table { table, fill }), _) => {
                    if let Some(fill) = fill {
                        check(&|| format!("deductions.{key}.fill"), fill)?;
                    }
                    DeductionSource::Table(read_table(&table, fill, &resolver)?)
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
                        values.push(check(
                            &|| format!("area[{}].{key}", i + 1),
                            v.unwrap_or(0.0),
                        )?);
                    }
                    DeductionSource::PerArea(values)
                }
            };
            sources.push(source);
        }
        let deductions: [DeductionSource; 4] = sources
            .try_into()
            .map_err(|_| invalid("deductions", "expected four".to_owned()))?;

        spec.calendar
            .check()
            .map_err(|(key, reason)| invalid(&key, reason))?;

        let allocation = spec.allocation.unwrap_or_default();
        if allocation == Allocation::ResidentShare {
            let residents = registered_residents(areas.len(), &deductions[0]);
            if !residents.is_some_and(|r| r.iter().sum::<f64>() > 0.0) {
                return Err(invalid(
                    "allocation",
                    "\"residents\" needs residents per area: `residents` in every [[area]], or an undated table with an area column (and not all 0)"
                        .to_owned(),
                ));
            }
        }

        let mut files: Vec<PathBuf> = spec.areas_table.into_iter().collect();
        files.extend(spec.mapping.as_ref().map(|(file, _)| file.clone()));
        for source in &deductions {
            if let DeductionSource::Table(table) = source
                && !files.iter().any(|f| f == table.path())
            {
                files.push(table.path().to_owned());
            }
        }
        Ok(Scenario(std::sync::Arc::new(Checked {
            path: path.clone(),
            name: spec.name.unwrap_or_else(|| "Region".to_owned()),
            uplift,
            counts: spec.counts,
            allocation,
            calibration,
            deductions,
            uncertain,
            calendar: spec.calendar,
            resolver,
            scaling,
            region_code,
            files,
            language: spec.language,
            time_zone: spec
                .time_zone
                .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
            night: spec.night,
            origin: spec.origin,
            night_residents: spec.night_residents,
            disclosure: spec.disclosure,
        })))
    }

    /// The time zone (an IANA name) naive local times in hourly counts are read in: the
    /// scenario's `time_zone`, else [`DEFAULT_TIME_ZONE`].
    pub fn time_zone(&self) -> &str {
        &self.0.time_zone
    }

    /// The night settings the scenario declares (`[night]`), if any: the counts then measure
    /// nights ([`Measure::Night`](crate::Measure)).
    pub fn night(&self) -> Option<&NightSettings> {
        self.0.night.as_ref()
    }

    /// The origin settings the scenario declares (`[origin]`), if any: the counts are then
    /// split by origin (`date, area, origin, count`).
    pub fn origin(&self) -> Option<&crate::origin::OriginSettings> {
        self.0.origin.as_ref()
    }

    /// Who the residents at home at night are (`[night] residents`): the registered figure
    /// (the default) or a baseline of reference nights.
    pub fn night_residents(&self) -> &NightResidents {
        &self.0.night_residents
    }

    /// The scenario with per-area residents `persons` (in area order) in place of its
    /// residents figure, as a baseline gives them.
    pub(crate) fn with_residents(&self, persons: Vec<f64>) -> Scenario {
        let mut checked = (*self.0).clone();
        checked.deductions[0] = DeductionSource::PerArea(persons);
        Scenario(std::sync::Arc::new(checked))
    }

    /// The night settings hourly counts are reduced by: the scenario's, else the defaults.
    pub fn night_settings(&self) -> NightSettings {
        self.0.night.unwrap_or_default()
    }

    /// The language the scenario asks outputs to be written in, if it names one.
    pub fn language(&self) -> Option<Language> {
        self.0.language
    }

    /// The scenario's publication rule (`[disclosure]`); protects nothing if not given.
    pub fn disclosure(&self) -> Disclosure {
        self.0.disclosure
    }

    /// The files read for the scenario besides the scenario file itself, in the order read:
    /// the areas table, the code mapping and the deduction tables (each once). Empty for a
    /// scenario built in code without files.
    pub fn files(&self) -> &[PathBuf] {
        &self.0.files
    }

    /// The scenario file.
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// The region's name, for outputs.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The uplift for people the data misses.
    pub fn uplift(&self) -> Uplift {
        self.0.uplift
    }

    /// The counts file the scenario names, resolved against the scenario's folder.
    pub fn counts(&self) -> Option<&Path> {
        self.0.counts.as_deref()
    }

    /// Every file the scenario was read from or names: the scenario file, the counts file it
    /// names (if any), and [`Scenario::files`] (areas table, code mapping, deduction tables).
    /// An output must replace none of them.
    pub fn inputs(&self) -> Vec<&Path> {
        let mut files = vec![self.0.path.as_path()];
        files.extend(self.0.counts.as_deref());
        files.extend(self.0.files.iter().map(PathBuf::as_path));
        files
    }

    /// How region-level deductions are shared out to the areas.
    pub fn allocation(&self) -> Allocation {
        self.0.allocation
    }

    /// The areas of the region, in the scenario's order.
    pub fn areas(&self) -> &[Area] {
        self.0.resolver.areas()
    }

    /// Where a deduction's figures come from.
    pub fn deduction(&self, deduction: Deduction) -> &DeductionSource {
        &self.0.deductions[deduction.index()]
    }

    /// The school holidays for calendar labels (Buskerud's unless the scenario's `[calendar]`
    /// says otherwise).
    pub fn calendar(&self) -> &SchoolHolidays {
        &self.0.calendar
    }

    /// Registered residents per area (persons, in the order of [`Scenario::areas`]) when the
    /// scenario gives them per area: as `residents` in every `[[area]]`, or as an undated table
    /// with an area column (areas the table lacks count 0).
    pub fn registered_residents(&self) -> Option<Vec<f64>> {
        registered_residents(self.areas().len(), &self.0.deductions[0])
    }

    /// The scaling factors besides the uplift (`[scaling]`), each 1 unless given.
    pub fn scaling(&self) -> Scaling {
        self.0.scaling
    }

    /// The code of the region's own count in the counts (`region_code`), if the operator gives
    /// one: a count of everyone in the region that day, each person once, while the areas'
    /// counts summed count a person seen in two areas twice.
    pub fn region_code(&self) -> Option<&AreaCode> {
        self.0.region_code.as_ref()
    }

    /// How area cells in inputs are read as this scenario's areas (`[area_codes]`).
    pub fn resolver(&self) -> &AreaResolver {
        &self.0.resolver
    }

    /// The parameters given as distributions (uplift first, then deductions in the plan's
    /// order); the estimate uses each one's mean.
    pub fn uncertain(&self) -> &[UncertainParameter] {
        &self.0.uncertain
    }

    /// Figures to check the estimate against, per area in scenario order.
    pub fn calibration(&self) -> &[Calibration] {
        &self.0.calibration
    }

    /// The position of the area with a code among [`Scenario::areas`], if the scenario lists
    /// it (the code as the resolver reads a cell: padded, mapped).
    pub fn position(&self, code: &str) -> Option<usize> {
        match self.0.resolver.resolve(code) {
            crate::area::Resolution::Area(i) => Some(i),
            _ => None,
        }
    }
}

/// Residents per area from a per-area source, if the residents deduction is one.
fn registered_residents(areas: usize, source: &DeductionSource) -> Option<Vec<f64>> {
    match source {
        DeductionSource::PerArea(values) => Some(values.clone()),
        DeductionSource::Table(table) if table.is_per_area() && !table.is_dated() => {
            // An area the table lacks has its fill, as the deduction itself gives it.
            let mut residents = vec![None; areas];
            for (_, area, persons) in table.rows() {
                if let Some(slot) = area.and_then(|a| residents.get_mut(a)) {
                    *slot = Some(slot.unwrap_or(0.0) + persons);
                }
            }
            Some(
                residents
                    .into_iter()
                    .map(|r| r.or(table.fill()).unwrap_or(0.0))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// A fraction as a percentage, to a millionth of a per cent (1.1 is 110, not 110.00000000000001).
fn percent_of(fraction: f64) -> f64 {
    (fraction * 100.0 * 1e6).round() / 1e6
}
