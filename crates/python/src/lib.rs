//! Python bindings of deltid (module `deltid._deltid`; the package `deltid` wraps it in
//! polars DataFrames, see `python/deltid/__init__.py`).
//!
//! Everything is computed by the `deltid` library: a result here is the same value the
//! command-line tool writes (its JSON, its daily rows), so Python and the CLI agree to the
//! last digit. Errors are `deltid.DeltidError` with the file, place, column and value.

use std::path::PathBuf;

use chrono::NaiveDate;
use deltid::analysis::{
    Annualisation, NegativePolicy, PopulationOptions, Threshold, TypicalYearView,
    UncertaintyOptions, daily_rows,
};
use deltid::output::{Daily, Format, write_population, write_run};
use deltid::{
    CountsColumns, CountsOptions, DateFormat, DecimalMark, Location, NumberStyle, PercentileMethod,
    Period, Run, Selection, Shape, SourceOptions,
};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(
    _deltid,
    DeltidError,
    PyException,
    "An error of deltid: bad input (with `file`, `line` or `row` or `cell`, `column` and `value` where they apply) or an invalid option."
);

/// A deltid error as a Python exception, its message the library's and its parts attributes.
fn error(e: deltid::Error) -> PyErr {
    Python::attach(|py| {
        let err = DeltidError::new_err(e.to_string());
        let value = err.value(py);
        let (line, row, cell) = match e.location() {
            Some(Location::Line(line)) => (Some(line), None, None),
            Some(Location::Row(row)) => (None, Some(row), None),
            Some(Location::Cell { sheet, cell }) => (None, None, Some(format!("{sheet}!{cell}"))),
            None => (None, None, None),
        };
        // Setting attributes of a fresh exception cannot fail but for memory.
        let _ = value.setattr("file", e.path().map(|p| p.display().to_string()));
        let _ = value.setattr("line", line);
        let _ = value.setattr("row", row);
        let _ = value.setattr("cell", cell);
        let _ = value.setattr("column", e.column());
        let _ = value.setattr("value", e.value());
        err
    })
}

/// An invalid keyword argument, as the library would say it.
fn invalid(option: &str, reason: impl Into<String>) -> PyErr {
    error(deltid::Error::InvalidOption {
        option: option.to_owned(),
        reason: reason.into(),
    })
}

/// A scenario: the region's areas, the uplift, the deductions and how they are shared out.
#[pyclass(frozen, module = "deltid._deltid")]
struct Scenario {
    inner: deltid::Scenario,
}

#[pymethods]
impl Scenario {
    /// Reads and checks a scenario file (TOML); relative paths in it are taken from its folder.
    #[new]
    fn new(path: PathBuf) -> PyResult<Scenario> {
        Ok(Scenario {
            inner: deltid::read_scenario(path).map_err(error)?,
        })
    }

    /// A scenario from TOML text; `path` names it in errors and anchors relative paths.
    #[staticmethod]
    #[pyo3(signature = (text, path = None))]
    fn from_toml(text: &str, path: Option<PathBuf>) -> PyResult<Scenario> {
        let path = path.unwrap_or_else(|| PathBuf::from("scenario.toml"));
        Ok(Scenario {
            inner: deltid::scenario_from_toml(text, &path).map_err(error)?,
        })
    }

    /// The region's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The uplift, a fraction 0..1 (0.06 for 6 %).
    #[getter]
    fn uplift(&self) -> f64 {
        self.inner.uplift().fraction()
    }

    /// The scenario file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path().to_owned()
    }

    /// The counts file the scenario names, if any.
    #[getter]
    fn counts(&self) -> Option<PathBuf> {
        self.inner.counts().map(ToOwned::to_owned)
    }

    /// The areas as (code, name), in the scenario's order.
    #[getter]
    fn areas(&self) -> Vec<(String, String)> {
        self.inner
            .areas()
            .iter()
            .map(|a| (a.code.to_string(), a.name.clone()))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Scenario({:?}: {} areas, uplift {})",
            self.inner.name(),
            self.inner.areas().len(),
            self.inner.uplift().fraction()
        )
    }
}

/// A scenario's counts estimated and summarised, with the analyses added to it.
#[pyclass(module = "deltid._deltid")]
struct Estimate {
    run: Run,
}

/// The date format of a keyword argument: `auto`, `excel` or a chrono pattern.
fn date_format(text: &str) -> PyResult<DateFormat> {
    match text {
        "auto" => Ok(DateFormat::Auto),
        "excel" => Ok(DateFormat::ExcelSerial),
        pattern => DateFormat::pattern(pattern).map_err(|reason| invalid("date_format", reason)),
    }
}

#[pymethods]
impl Estimate {
    /// The summary, the analyses asked for, and with `daily` the daily rows, as the JSON the
    /// command line writes with `--format json`.
    #[pyo3(signature = (daily = false))]
    fn json(&self, daily: bool) -> PyResult<String> {
        let mut out = Vec::new();
        let daily = if daily { Daily::Include } else { Daily::Omit };
        write_run(&self.run, Format::Json, daily, &mut out).map_err(error)?;
        String::from_utf8(out).map_err(|e| invalid("json", e.to_string()))
    }

    /// The daily rows as columns: `date` (datetime.date), `area` (None for the region),
    /// `name`, the eight lines in persons, and `overlap` (None but for a region with its own
    /// count); under small-count protection as the command line publishes them: a
    /// suppressed day's figures None, the others rounded, and a column `suppressed`.
    fn daily_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let protection = self.run.protection();
        let rows: Vec<_> = daily_rows(self.run.estimate()).collect();
        let hidden: Vec<bool> = rows
            .iter()
            .map(|r| protection.is_some_and(|p| p.is_day_suppressed(r.area.as_ref(), r.date)))
            .collect();
        let published = |value: f64, hidden: bool| match protection {
            _ if hidden => None,
            Some(p) => Some(p.rule().round(value)),
            None => Some(value),
        };
        let columns = PyDict::new(py);
        columns.set_item(
            "date",
            rows.iter().map(|r| r.date).collect::<Vec<NaiveDate>>(),
        )?;
        columns.set_item(
            "area",
            rows.iter()
                .map(|r| r.area.as_ref().map(ToString::to_string))
                .collect::<Vec<_>>(),
        )?;
        columns.set_item(
            "name",
            rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        )?;
        for line in deltid::Line::ALL {
            columns.set_item(
                line.key(),
                rows.iter()
                    .zip(&hidden)
                    .map(|(r, &h)| published(r.lines[line], h))
                    .collect::<Vec<Option<f64>>>(),
            )?;
        }
        columns.set_item(
            "overlap",
            rows.iter()
                .zip(&hidden)
                .map(|(r, &h)| r.overlap.filter(|_| !h))
                .collect::<Vec<_>>(),
        )?;
        if protection.is_some() {
            columns.set_item("suppressed", hidden)?;
        }
        Ok(columns)
    }

    /// Adds yearly figures: `method` `plan`, `calendar` or `season-balanced`; `negative`
    /// `keep`, `clamp-day` or `clamp-period`.
    #[pyo3(signature = (method = "plan", negative = "keep"))]
    fn annualise(&mut self, method: &str, negative: &str) -> PyResult<()> {
        let method = match method {
            "plan" => Annualisation::Plan,
            "calendar" => Annualisation::Calendar,
            "season-balanced" => Annualisation::SeasonBalanced,
            other => {
                return Err(invalid(
                    "method",
                    format!("{other:?} is not plan, calendar or season-balanced"),
                ));
            }
        };
        let negative = match negative {
            "keep" => NegativePolicy::Keep,
            "clamp-day" => NegativePolicy::ClampDay,
            "clamp-period" => NegativePolicy::ClampPeriod,
            other => {
                return Err(invalid(
                    "negative",
                    format!("{other:?} is not keep, clamp-day or clamp-period"),
                ));
            }
        };
        self.run.annualise(method, negative).map_err(error)?;
        Ok(())
    }

    /// Adds the uncertainty of the region's guest-nights: `draws` seeded draws, each of the
    /// scenario's parameter ranges, a block-bootstrap resample of the days and a resample of
    /// the season-balanced fill's residuals together (so `draws` is also the resamples).
    #[pyo3(signature = (draws = None, seed = None))]
    fn quantify_uncertainty(&mut self, draws: Option<u32>, seed: Option<u64>) -> PyResult<()> {
        let defaults = UncertaintyOptions::default();
        let options = UncertaintyOptions::new(
            draws.unwrap_or(defaults.draws()),
            seed.unwrap_or(defaults.seed()),
        )
        .map_err(error)?;
        self.run.quantify_uncertainty(&options).map_err(error)
    }

    /// The emergency planners' view as the JSON of `deltid population --format json`:
    /// percentiles, the `top` busiest days, the dimensioning population (`dimensioning`, a
    /// fraction such as 0.95), days above a threshold (`above` persons, or `above_residents`
    /// times the residents), and with `annualise` `season-balanced` the same percentiles for a
    /// season-balanced typical year.
    #[pyo3(signature = (top = 10, dimensioning = 0.95, percentile_method = "linear", above = None, above_residents = None, annualise = None))]
    fn population_json(
        &self,
        top: usize,
        dimensioning: f64,
        percentile_method: &str,
        above: Option<f64>,
        above_residents: Option<f64>,
        annualise: Option<&str>,
    ) -> PyResult<String> {
        let typical_year = match annualise {
            None => TypicalYearView::Omit,
            Some("season-balanced") => TypicalYearView::SeasonBalanced,
            Some(other) => {
                return Err(invalid(
                    "annualise",
                    format!("{other:?} is not season-balanced"),
                ));
            }
        };
        let method = match percentile_method {
            "linear" => PercentileMethod::Linear,
            "nearest-rank" => PercentileMethod::NearestRank,
            other => {
                return Err(invalid(
                    "percentile_method",
                    format!("{other:?} is not linear or nearest-rank"),
                ));
            }
        };
        let threshold = match (above, above_residents) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "above",
                    "give a number of persons or times the residents, not both",
                ));
            }
            (Some(x), None) => Some(Threshold::Persons(x)),
            (None, Some(k)) => Some(Threshold::TimesResidents(k)),
            (None, None) => None,
        };
        let options = PopulationOptions {
            top,
            dimensioning,
            method,
            threshold,
            typical_year,
        };
        // As the run publishes it (under small-count protection, suppressed and rounded).
        let view = self.run.population(&options).map_err(error)?;
        let mut out = Vec::new();
        write_population(&view, &self.run, Format::Json, Daily::Omit, &mut out).map_err(error)?;
        String::from_utf8(out).map_err(|e| invalid("json", e.to_string()))
    }
}

/// Estimates a scenario's counts: `counts` a file deltid reads (CSV, xlsx/xls/ods, Parquet),
/// else the scenario's own; the keyword arguments are the command line's options.
#[pyfunction]
#[pyo3(signature = (
    scenario, counts = None, *, start = None, end = None, areas = None,
    date_column = None, area_column = None, count_column = None, foreign_column = None,
    shape = None, sheet = None, delimiter = None, encoding = None, decimal = None,
    thousands_dot = false, date_format = None
))]
#[allow(clippy::too_many_arguments)]
fn estimate(
    scenario: &Scenario,
    counts: Option<PathBuf>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    areas: Option<Vec<String>>,
    date_column: Option<String>,
    area_column: Option<String>,
    count_column: Option<String>,
    foreign_column: Option<String>,
    shape: Option<&str>,
    sheet: Option<String>,
    delimiter: Option<&str>,
    encoding: Option<&str>,
    decimal: Option<&str>,
    thousands_dot: bool,
    date_format: Option<&str>,
) -> PyResult<Estimate> {
    let defaults = CountsColumns::default();
    let columns = CountsColumns {
        date: date_column.unwrap_or(defaults.date),
        area: area_column.unwrap_or(defaults.area),
        count: count_column.unwrap_or(defaults.count),
        foreign: foreign_column,
        time: None,
        origin: None,
    };
    let shape = match shape {
        None | Some("auto") => Shape::Auto,
        Some("long") => Shape::Long,
        Some("wide") => Shape::Wide,
        Some(other) => {
            return Err(invalid(
                "shape",
                format!("{other:?} is not auto, long or wide"),
            ));
        }
    };
    let delimiter = match delimiter {
        None => None,
        Some(",") => Some(b','),
        Some(";") => Some(b';'),
        Some("\t" | "tab") => Some(b'\t'),
        Some(other) => {
            return Err(invalid(
                "delimiter",
                format!("{other:?} is not ',', ';' or tab"),
            ));
        }
    };
    let encoding = match encoding {
        None | Some("auto") => deltid::Encoding::Auto,
        Some("utf-8" | "utf8") => deltid::Encoding::Utf8,
        Some("windows-1252" | "latin-1" | "latin1") => deltid::Encoding::Windows1252,
        Some(other) => {
            return Err(invalid(
                "encoding",
                format!("{other:?} is not utf-8 or windows-1252"),
            ));
        }
    };
    let decimal = match decimal {
        None | Some("auto") => None,
        Some("point" | ".") => Some(DecimalMark::Point),
        Some("comma" | ",") => Some(DecimalMark::Comma),
        Some(other) => {
            return Err(invalid(
                "decimal",
                format!("{other:?} is not auto, point or comma"),
            ));
        }
    };
    if thousands_dot && decimal != Some(deltid::DecimalMark::Comma) {
        return Err(invalid(
            "thousands_dot",
            "needs decimal=\"comma\" (a `.` between thousands, as in 1.234,5)".to_owned(),
        ));
    }
    let options = CountsOptions {
        columns,
        shape,
        source: SourceOptions {
            delimiter,
            encoding,
            sheet,
        },
        numbers: NumberStyle {
            decimal,
            thousands_dot,
        },
        dates: date_format
            .map(self::date_format)
            .transpose()?
            .unwrap_or_default(),
    };
    let selection = Selection {
        period: Period::new(start, end).map_err(error)?,
        areas: areas
            .unwrap_or_default()
            .into_iter()
            .map(deltid::AreaCode::new)
            .collect(),
    };
    let run = Run::from_scenario(
        &scenario.inner,
        counts.as_deref(),
        &options,
        &selection,
        None,
    )
    .map_err(error)?;
    Ok(Estimate { run })
}

/// The extension module.
#[pymodule]
fn _deltid(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Scenario>()?;
    m.add_class::<Estimate>()?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add("DeltidError", m.py().get_type::<DeltidError>())?;
    Ok(())
}
