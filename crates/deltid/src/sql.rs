//! The estimate as one SQL query, so the same model runs in a warehouse or on Spark.
//!
//! [`to_sql`] writes the Hallingdal plan's method (strategic plan 2021-2024, table
//! "gjestedøgn"; see [`estimate`](mod@crate::estimate)) for one [`Scenario`] as a single
//! `SELECT` over a table of daily counts, in the SQL of DuckDB, Spark or PostgreSQL. Run on the
//! same counts, it gives the numbers of [`estimate()`](crate::estimate()) and
//! [`Summary::new`](crate::Summary::new) to floating-point accuracy (sums may be taken in
//! another order, so the last bits can differ):
//!
//! ```text
//! uplift(a,d)    = observed(a,d) × uplift          (with [scaling]: present − observed)
//! present(a,d)   = observed(a,d) + uplift(a,d)
//! part_time(a,d) = present(a,d) − residents − commuters − transit − day_visitors
//! ```
//!
//! Region-level deductions are shared out in the query exactly as the estimate does it: by
//! each area's share of present persons that day (with the estimate's "usual share" rule on
//! days when some areas have no count) or by the areas' registered residents. Per-area figures
//! and the resident shares are written into the query as an `areas` table, deduction tables as
//! `VALUES` tables of their own.
//!
//! # The counts table
//! One row per area and day, with the columns
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `date` | `DATE` (or anything that casts to it) | the day counted |
//! | `area` | text, or a whole number | the area, as deltid reads area cells (below) |
//! | `count` | `DOUBLE` (or any number) | persons present that day |
//!
//! Rows whose `count` is null are days without a count.
//!
//! Area cells are read as [`AreaResolver`](crate::AreaResolver) reads them for `deltid estimate`, the scenario's
//! `[area_codes]` included: the cell is cast to text and trimmed of spaces; a code of the
//! scenario is taken as it is; else the leading code of a Statistics Norway label
//! (`K-3043 Ål`, `3043 Ål`) or the cell itself, padded with leading zeros to `digits` digits
//! if it is all digits and shorter (`301` is `0301` with `digits = 4`, so an integer `area`
//! column works), is looked up in the `mapping` table of old codes (written into the query as
//! the `VALUES` table `area_codes`) and then among the scenario's codes; else the cell is
//! compared with the areas' names, ignoring case (the engine's `LOWER`: a PostgreSQL database
//! with the C locale lowers ASCII letters only). A name that fits several areas stops the
//! query, as the estimate refuses it. The padding applies to all-digit text only: an `area`
//! column of floating-point numbers (`301.0`) matches nothing.
//!
//! # The rows
//! The summary ([`Rows::Summary`]) has one row per area with counts, in scenario order, and
//! then one row for the region (`area` NULL, `name` the scenario's name), as
//! [`Summary::areas`](crate::Summary::areas) and [`Summary::region`](crate::Summary::region):
//! the region's lines on a day are the sums over the areas counted that day, and its means
//! are over the days with a count of some area. When areas miss days, the region's means are
//! not the sums of the areas' means (each over the area's own days): take the region row,
//! not a sum of the area rows. The daily rows ([`Rows::Daily`]) are the areas' only; the
//! region's day is their sum by date.
//!
//! # What the query does not check
//! The estimate reads its counts through checks that a query over a table cannot make
//! without extra passes, so check the table with `deltid validate` before trusting the
//! query's numbers (or, for a file larger than memory, `deltid estimate --stream`, which
//! refuses such rows too but reads area codes only as the scenario writes them):
//!
//! - rows of areas the scenario does not know (no code, label, old code or name of its
//!   areas), and rows with a null or empty area, are **left out**, where the estimate refuses
//!   them: so one national table serves every region's query, and a misspelt code loses its
//!   rows silently;
//! - a second row for the same area and day is **counted twice** (the estimate refuses it);
//! - dates are not checked beyond the cast to `DATE`.
//!
//! The query does stop, as the estimate does, on a count that is no number of persons (below
//! 0, above [`MAX_PERSONS`], NaN or infinite; the error names the area and day), on an area
//! name that fits several areas, and on a deduction table without a figure for a day counted
//! (and no `fill`), naming the figure the estimate names: the first deduction in the plan's
//! order that lacks one, its first day missing and, for a table by area, the first area in
//! scenario order. The query's header comment says the same.
//!
//! # What cannot be written in SQL
//! The region's own count (`region_code`) is refused: the query's region row is the sum of
//! its areas, and with the region's own count the estimate's region is not, so the query
//! would silently give another region figure than the estimate's. Counts split by SIM origin
//! (`--foreign-column`) have no column in the counts table: the query has no foreign SIMs, as
//! the estimate has none without that column, so `[scaling] foreign` has no effect.

use crate::area::AreaCode;
use crate::columns::{
    AREA, COMMUTERS, COMPLETE, DATE, DAY_VISITORS, DAYS, FIRST, LAST, NAME, OBSERVED, ORDER,
    PART_TIME, PRESENT, RESIDENTS, SHARE, TRANSIT, UPLIFT, USUAL_SHARE,
};
use crate::deduction::{Deduction, DeductionSource, DeductionTable};
use crate::error::{Error, Result};
use crate::estimate::LINES;
use crate::read::MAX_PERSONS;
use crate::scenario::{Allocation, Scenario};
use crate::waterfall::PLAN_DAYS_PER_YEAR;

/// The counts table's column of persons counted (`date` and `area` are [`DATE`] and [`AREA`]).
const COUNT: &str = "count";
/// The summary's column of guest-nights per year by the plan's rule (mean per day × 365).
pub const GUEST_NIGHTS_PER_YEAR_PLAN: &str = "guest_nights_per_year_plan";
/// The default name of the counts table.
pub const DEFAULT_TABLE: &str = "counts";
/// Working columns and tables of the query (never in its output).
const RAW_SHARE: &str = "raw_share";
const AREA_USUAL_SHARE: &str = "area_usual_share";
const PERSONS: &str = "persons";
/// An area cell as text, trimmed; its leading code (`''` if none); the code looked up.
const CELL: &str = "cell";
const LEAD: &str = "lead";
const KEY: &str = "key";
/// The mapping's old codes, and the codes an ambiguous name fits.
const OLD_CODE: &str = "old_code";
const FITS: &str = "fits";
/// The first error message of the missing deduction figures (NULL if none is missing).
const MESSAGE: &str = "message";

/// The SQL dialect to write.
///
/// The query uses only common SQL (CTEs, window functions, `CASE`, `VALUES`); the dialects
/// differ in identifier quoting, type names, string escapes, inline tables and how a query
/// stops with an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// DuckDB (tested with DuckDB 2.0): identifiers in `"…"`, `DOUBLE`, `error()`.
    DuckDb,
    /// Spark SQL (3.1 and later, tested with 4.3): identifiers in `` `…` ``, `STRING`, string
    /// literals with backslash escapes, `raise_error()`, no `FILTER` clause.
    Spark,
    /// PostgreSQL (tested with 15): identifiers in `"…"`, `DOUBLE PRECISION`, `TEXT`; a missing
    /// deduction figure stops the query through a failing cast whose message names the day.
    Postgres,
}

impl Dialect {
    /// The dialect's name, as the command line writes it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::Postgres => "postgres",
        }
    }

    /// Quotes an identifier (a column, table or schema name), escaping the quote character.
    fn ident(self, name: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// A string literal.
    fn string(self, text: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
            // Spark reads backslash escapes in string literals, and '' ends one literal.
            Dialect::Spark => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// A double-precision literal of exactly `value` (the shortest decimal that reads back as
    /// it, cast from text so that no dialect reads it as a rounded decimal first).
    fn double(self, value: f64) -> String {
        format!("CAST('{value:?}' AS {})", self.double_type())
    }

    fn double_type(self) -> &'static str {
        match self {
            Dialect::DuckDb | Dialect::Spark => "DOUBLE",
            Dialect::Postgres => "DOUBLE PRECISION",
        }
    }

    fn text_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::Spark => "STRING",
            Dialect::Postgres => "TEXT",
        }
    }

    /// A `DOUBLE` expression that stops the query with `message` (a text expression that
    /// starts with `deltid:`, so that it is never a number).
    fn fail(self, message: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(error({message}) AS DOUBLE)"),
            Dialect::Spark => format!("CAST(raise_error({message}) AS DOUBLE)"),
            // No function raises in plain PostgreSQL SQL: a text that is no number fails to
            // cast, and the error shows the text.
            Dialect::Postgres => format!("CAST({message} AS DOUBLE PRECISION)"),
        }
    }

    /// A text expression that stops the query with `message`, as [`Dialect::fail`].
    fn fail_text(self, message: &str) -> String {
        format!("CAST({} AS {})", self.fail(message), self.text_type())
    }

    /// The leading code of an area cell (a trimmed text expression) as the area resolver takes
    /// it: the first word, after an optional `K-` (Statistics Norway's `K-3043 Ål`), if it is
    /// all digits; `''` otherwise.
    fn leading_code(self, cell: &str) -> String {
        let pattern = self.string(r"^(?:K-)?\s*([0-9]+)(?:\s|$)");
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("regexp_extract({cell}, {pattern}, 1)"),
            Dialect::Postgres => format!("COALESCE(substring({cell} from {pattern}), '')"),
        }
    }

    /// An inline table `name(columns)` of `rows` (each a list of SQL literals) as a CTE body.
    fn values(self, name: &str, columns: &[&str], rows: &[Vec<String>]) -> String {
        let rows: Vec<String> = rows
            .iter()
            .map(|r| format!("    ({})", r.join(", ")))
            .collect();
        let columns: Vec<String> = columns.iter().map(|c| self.ident(c)).collect();
        let alias = format!("{}({})", self.ident(name), columns.join(", "));
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!(
                "SELECT * FROM (VALUES\n{}\n  ) AS {alias}",
                rows.join(",\n")
            ),
            Dialect::Spark => format!("SELECT * FROM VALUES\n{}\n  AS {alias}", rows.join(",\n")),
        }
    }
}

/// What the query returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rows {
    /// One row per area with counts, in scenario order, then one for the region (`area` NULL,
    /// `name` the scenario's name): `area`, `name`, `days` (days counted), `first`, `last`
    /// (dates), the means per day of the eight lines (`observed`, `uplift`, `present`,
    /// `residents`, `commuters`, `transit`, `day_visitors`, `part_time`; persons), and
    /// [`GUEST_NIGHTS_PER_YEAR_PLAN`] (mean `part_time` × 365, nights), as in
    /// [`AreaSummary`](crate::AreaSummary). The region's lines on a day are the sums over the
    /// areas counted that day, its means over those days, as [`Summary::region`](crate::Summary::region).
    #[default]
    Summary,
    /// One row per area and day, ordered by area (scenario order) then date: `date`, `area`,
    /// `name` and the eight lines (persons), as the estimate's [`Estimate::areas`](crate::Estimate::areas).
    Daily,
}

/// The options of [`to_sql`]: which rows, and the counts table's name.
///
/// # Examples
/// ```
/// use deltid::sql::{Rows, SqlOptions};
/// let options = SqlOptions::new("warehouse.telecom_counts", Rows::Daily)?;
/// assert_eq!(options.table(), ["warehouse", "telecom_counts"]);
/// assert!(SqlOptions::new("warehouse..counts", Rows::Daily).is_err());
/// # Ok::<(), deltid::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlOptions {
    rows: Rows,
    table: Vec<String>,
}

impl Default for SqlOptions {
    /// The summary rows from a table named [`DEFAULT_TABLE`] (`counts`).
    fn default() -> Self {
        SqlOptions {
            rows: Rows::Summary,
            table: vec![DEFAULT_TABLE.to_owned()],
        }
    }
}

impl SqlOptions {
    /// Options for a counts table `table`, which may be qualified by dots
    /// (`catalog.schema.counts`; each part is quoted on its own, so its case is kept).
    ///
    /// # Errors
    /// [`Error::InvalidSelection`] (the counts table is what the query selects from) if the
    /// name is empty, a part of it is empty, or it holds a control character; the reason
    /// names the table name and what is wrong with it.
    pub fn new(table: &str, rows: Rows) -> Result<SqlOptions> {
        let wrong = |what: String| Error::InvalidSelection {
            reason: format!("{what} (write NAME or SCHEMA.NAME, such as telecom.counts)"),
        };
        if table.trim().is_empty() {
            return Err(wrong("empty table name".to_owned()));
        }
        if table.chars().any(char::is_control) {
            return Err(wrong(format!(
                "table name {table:?} holds a control character"
            )));
        }
        let parts: Vec<String> = table.split('.').map(str::to_owned).collect();
        if parts.iter().any(|p| p.trim().is_empty()) {
            return Err(wrong(format!(
                "table name {table:?} has an empty part between dots"
            )));
        }
        Ok(SqlOptions { rows, table: parts })
    }

    /// Which rows the query returns.
    pub fn rows(&self) -> Rows {
        self.rows
    }

    /// The counts table's name, part by part (schema, table).
    pub fn table(&self) -> &[String] {
        &self.table
    }
}

/// Writes a scenario's estimate as one SQL query over a counts table.
///
/// The query reads the table named in `options` (columns `date`, `area`, `count`: see the
/// [module docs](self)) and returns the rows `options.rows()` names, in persons per day (and
/// nights per year for [`GUEST_NIGHTS_PER_YEAR_PLAN`]), computed by the Hallingdal plan's
/// method as [`estimate()`](crate::estimate()) computes them: the uplift (and `[scaling]`
/// factors), the four deductions given for the region, per area or as tables, region-level
/// figures shared out by the scenario's [`Allocation`], and part-time residents present as the
/// residual (negative days kept). The text is a few comment lines (scenario, dialect, uplift,
/// allocation rule, how area cells are read, what the query does not check) and one statement
/// ending in `;` and a newline.
///
/// # Errors
/// [`Error::InvalidScenario`] (key `region_code`) for a scenario with a region count of its
/// own, which the query's region row cannot carry (see the [module docs](self)).
///
/// # Examples
/// ```
/// use std::path::Path;
/// use deltid::Scenario;
/// use deltid::sql::{to_sql, Dialect, SqlOptions};
///
/// let scenario = Scenario::from_path("../../data/hallingdal/plan-2021.toml")?;
/// let sql = to_sql(&scenario, Dialect::DuckDb, &SqlOptions::default())?;
/// assert!(sql.contains("FROM \"counts\" AS \"c\""));
/// assert!(sql.contains("CAST('20000.0' AS DOUBLE)")); // the region's residents
///
/// // A region count of its own cannot be written as per-area rows.
/// let toml = r#"
///     uplift = 0.06
///     region_code = "HALLINGDAL"
///     [deductions]
///     residents = 20000
///     commuters = 1000
///     transit = 1000
///     day_visitors = 1000
///     [[area]]
///     code = "3041"
///     name = "Gol"
/// "#;
/// let own = Scenario::from_toml_str(toml, Path::new("own.toml"))?;
/// let err = to_sql(&own, Dialect::Spark, &SqlOptions::default()).unwrap_err();
/// assert!(err.to_string().contains("`region_code`"));
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn to_sql(scenario: &Scenario, dialect: Dialect, options: &SqlOptions) -> Result<String> {
    if let Some(code) = scenario.region_code() {
        return Err(Error::InvalidScenario {
            path: scenario.path().to_owned(),
            key: "region_code".to_owned(),
            reason: format!(
                "the SQL export's region row is the sum of its areas, and with the region's \
                 own count ({code}) the estimate's region is not: use `deltid estimate` for \
                 this scenario, or leave out region_code to take the region as the sum of its \
                 areas"
            ),
        });
    }
    let codes = AreaCodes::of(scenario);
    Ok(Query {
        scenario,
        d: dialect,
        codes,
    }
    .write(options))
}

/// How the scenario reads area cells (`[area_codes]`), as its [`AreaResolver`](crate::AreaResolver) does: all-digit
/// codes shorter than `digits` padded with zeros, then old codes mapped to the scenario's.
#[derive(Debug, Default)]
struct AreaCodes {
    digits: Option<usize>,
    /// Old code → the scenario's code, sorted by old code.
    mapping: Vec<(String, AreaCode)>,
}

impl AreaCodes {
    /// The scenario's `[area_codes]`, as its area resolver holds them.
    fn of(scenario: &Scenario) -> AreaCodes {
        let resolver = scenario.area_resolver();
        let mut mapping: Vec<(String, AreaCode)> = resolver
            .mapping()
            .iter()
            .map(|(from, to)| (from.clone(), to.clone()))
            .collect();
        mapping.sort();
        AreaCodes {
            digits: resolver.digits(),
            mapping,
        }
    }
}

/// The pieces of one query.
struct Query<'a> {
    scenario: &'a Scenario,
    d: Dialect,
    codes: AreaCodes,
}

impl Query<'_> {
    /// A quoted identifier.
    fn q(&self, name: &str) -> String {
        self.d.ident(name)
    }

    /// `alias.column`, both quoted.
    fn c(&self, alias: &str, column: &str) -> String {
        format!("{}.{}", self.q(alias), self.q(column))
    }

    /// The name of the CTE holding a deduction's table.
    fn table_name(deduction: Deduction) -> String {
        format!("{}_table", deduction.key())
    }

    /// Whether any deduction is a region-level figure, to be shared out.
    fn shares_out(&self) -> bool {
        Deduction::ALL
            .iter()
            .any(|d| match self.scenario.deduction(*d) {
                DeductionSource::Region(_) => true,
                DeductionSource::PerArea(_) => false,
                DeductionSource::Table(table) => !table.is_per_area(),
            })
    }

    fn write(&self, options: &SqlOptions) -> String {
        let d = self.d;
        let mut ctes: Vec<(String, String)> = Vec::new();
        ctes.push(("areas".to_owned(), self.areas()));
        for deduction in Deduction::ALL {
            if let DeductionSource::Table(table) = self.scenario.deduction(deduction)
                && let Some(body) = self.table_values(table)
            {
                ctes.push((Self::table_name(deduction), body));
            }
        }

        self.counted(options, &mut ctes);
        // present = observed + uplift, the uplift written as the estimate writes it
        // (Scaling::added): observed × uplift when the scaling ratio is 1, so that the plan's
        // model is reproduced to the last bit.
        let scaling = self.scenario.scaling();
        let uplift = self.scenario.uplift().fraction();
        let ratio = scaling.deduplication() / scaling.market_share();
        let per_observed = if ratio == 1.0 {
            uplift
        } else {
            (1.0 + uplift) * ratio - 1.0
        };
        ctes.push((
            "scaled".to_owned(),
            format!(
                "SELECT {k}.*, {observed} * {factor} AS {uplift}\n  FROM {counted} AS {k}",
                k = self.q("k"),
                observed = self.c("k", OBSERVED),
                factor = d.double(per_observed),
                uplift = self.q(UPLIFT),
                counted = self.q("counted"),
            ),
        ));
        ctes.push((
            "present".to_owned(),
            format!(
                "SELECT {s}.*, {observed} + {uplift} AS {present}\n  FROM {scaled} AS {s}",
                s = self.q("s"),
                observed = self.c("s", OBSERVED),
                uplift = self.c("s", UPLIFT),
                present = self.q(PRESENT),
                scaled = self.q("scaled"),
            ),
        ));
        let shared = if self.scenario.allocation() == Allocation::PresentShare && self.shares_out()
        {
            self.present_share(&mut ctes);
            "shared"
        } else {
            "present"
        };
        self.deducted(shared, &mut ctes);
        ctes.push((
            "daily".to_owned(),
            format!(
                "SELECT {x}.*, {present} - {res} - {com} - {tra} - {day} AS {part_time}\n  \
                 FROM {deducted} AS {x}",
                x = self.q("x"),
                present = self.c("x", PRESENT),
                res = self.c("x", RESIDENTS),
                com = self.c("x", COMMUTERS),
                tra = self.c("x", TRANSIT),
                day = self.c("x", DAY_VISITORS),
                part_time = self.q(PART_TIME),
                deducted = self.q("deducted"),
            ),
        ));

        let header = [
            format!(
                "deltid {}: {} for {}, by the Hallingdal plan's method (strategic plan 2021-2024)",
                env!("CARGO_PKG_VERSION"),
                match options.rows {
                    Rows::Summary => "means per day per area",
                    Rows::Daily => "estimate per area and day",
                },
                self.scenario.name(),
            ),
            format!(
                "scenario {}, dialect {}, counts table {} (date, area, count: one row per area and day)",
                self.scenario.path().display(),
                d.name(),
                options.table.join("."),
            ),
            format!(
                "uplift {uplift:?}{}",
                match scaling.describe() {
                    s if s.is_empty() => String::new(),
                    s => format!(", scaling: {s}"),
                },
            ),
            self.scenario.allocation().describe().to_owned(),
            self.describe_area_codes(),
            "not checked here: rows of areas the scenario does not know are left out, a second \
             row for an area and day is counted twice (check the table with deltid validate, \
             or deltid estimate --stream for a large file). The query stops on a count below \
             0, above 1e10 or NaN, a name that fits two areas, a missing deduction figure"
                .to_owned(),
        ];
        let mut sql = String::new();
        for line in header {
            // A comment ends at a line break, and some tools split scripts at every `;`.
            let line: String = line
                .chars()
                .map(|ch| match ch {
                    ';' => ',',
                    ch if ch.is_control() => ' ',
                    ch => ch,
                })
                .collect();
            sql.push_str("-- ");
            sql.push_str(&line);
            sql.push('\n');
        }
        let select = match options.rows {
            Rows::Daily => self.select_daily(),
            Rows::Summary => self.select_summary(&mut ctes),
        };
        sql.push_str("WITH\n");
        let ctes: Vec<String> = ctes
            .iter()
            .map(|(name, body)| format!("{} AS (\n  {body}\n)", self.q(name)))
            .collect();
        sql.push_str(&ctes.join(",\n"));
        sql.push('\n');
        sql.push_str(&select);
        sql.push_str(";\n");
        sql
    }

    /// The counts of the scenario's areas with the area table's columns (CTE `counted`), area
    /// cells read as the scenario's [`AreaResolver`](crate::AreaResolver) reads them: as text, trimmed; a code of
    /// the scenario as it is; else the leading code of a label (`K-3043 Ål`, `3043 Ål`) or the
    /// cell, all-digit codes padded to `digits`, through the mapping of old codes, else as
    /// a code; else an area's name in any case (a name that fits several areas stops the
    /// query). Cells that are none of these are left out. A count that is no number of persons
    /// (below 0, above [`MAX_PERSONS`], NaN) stops the query.
    fn counted(&self, options: &SqlOptions, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let text = d.text_type();
        if !self.codes.mapping.is_empty() {
            let rows: Vec<Vec<String>> = self
                .codes
                .mapping
                .iter()
                .map(|(from, to)| vec![d.string(from), d.string(to.as_str())])
                .collect();
            ctes.push((
                "area_codes".to_owned(),
                d.values("v", &[OLD_CODE, AREA], &rows),
            ));
        }
        // One row per name (as the resolver compares them: trimmed, lower case), with the
        // area it names, or NULL and the areas it fits when it fits several.
        let mut names: Vec<(String, String, Vec<&str>)> = Vec::new();
        for area in self.scenario.areas() {
            let name = area.name.trim();
            let key = name.to_lowercase();
            if key.is_empty() {
                continue;
            }
            match names.iter_mut().find(|n| n.0 == key) {
                Some(n) => n.2.push(area.code.as_str()),
                None => names.push((key, name.to_owned(), vec![area.code.as_str()])),
            }
        }
        let null = format!("CAST(NULL AS {text})");
        let rows: Vec<Vec<String>> = names
            .iter()
            .map(|(_, name, codes)| {
                let area = match codes.as_slice() {
                    [code] => d.string(code),
                    _ => null.clone(),
                };
                vec![d.string(name), area, d.string(&codes.join(", "))]
            })
            .collect();
        if !rows.is_empty() {
            ctes.push((
                "area_names".to_owned(),
                d.values("v", &[NAME, AREA, FITS], &rows),
            ));
        }

        let table: Vec<String> = options.table.iter().map(|p| self.q(p)).collect();
        ctes.push((
            "cells".to_owned(),
            format!(
                "SELECT CAST({date} AS DATE) AS {date_}, \
                 TRIM(BOTH {blank} FROM CAST({area} AS {text})) AS {cell},\n    \
                 CAST({count} AS {double}) AS {observed}\n  \
                 FROM {table} AS {c}\n  \
                 WHERE {count} IS NOT NULL",
                date = self.c("c", DATE),
                date_ = self.q(DATE),
                area = self.c("c", AREA),
                // As Rust's trim: spaces, tabs, line ends and no-break spaces.
                blank = "' ' || CHR(9) || CHR(10) || CHR(13) || CHR(160)",
                cell = self.q(CELL),
                count = self.c("c", COUNT),
                double = d.double_type(),
                observed = self.q(OBSERVED),
                table = table.join("."),
                c = self.q("c"),
            ),
        ));
        ctes.push((
            "leads".to_owned(),
            format!(
                "SELECT {e}.*, {lead} AS {lead_}\n  FROM {cells} AS {e}",
                e = self.q("e"),
                lead = d.leading_code(&self.c("e", CELL)),
                lead_ = self.q(LEAD),
                cells = self.q("cells"),
            ),
        ));
        let lead = self.c("l", LEAD);
        let padded = match self.codes.digits {
            Some(digits) => {
                format!("WHEN LENGTH({lead}) < {digits} THEN LPAD({lead}, {digits}, '0')\n      ")
            }
            None => String::new(),
        };
        ctes.push((
            "keyed".to_owned(),
            format!(
                "SELECT {l}.*,\n    \
                 CASE WHEN {lead} = '' THEN {cell}\n      {padded}ELSE {lead} END AS {key}\n  \
                 FROM {leads} AS {l}",
                l = self.q("l"),
                cell = self.c("l", CELL),
                key = self.q(KEY),
                leads = self.q("leads"),
            ),
        ));

        // The lookups in the resolver's order: the cell as a code, the key through the
        // mapping, the key as a code, the cell as a name.
        let areas = self.q("areas");
        let mut joins = vec![format!(
            "LEFT JOIN {areas} AS {x} ON {x_area} = {cell}",
            x = self.q("x"),
            x_area = self.c("x", AREA),
            cell = self.c("k", CELL),
        )];
        let mut found = vec![self.c("x", AREA)];
        if !self.codes.mapping.is_empty() {
            joins.push(format!(
                "LEFT JOIN {codes} AS {m} ON {old} = {key}",
                codes = self.q("area_codes"),
                m = self.q("m"),
                old = self.c("m", OLD_CODE),
                key = self.c("k", KEY),
            ));
            found.push(self.c("m", AREA));
        }
        joins.push(format!(
            "LEFT JOIN {areas} AS {p} ON {p_area} = {key}",
            p = self.q("p"),
            p_area = self.c("p", AREA),
            key = self.c("k", KEY),
        ));
        found.push(self.c("p", AREA));
        let mut resolved = found.clone();
        if !rows.is_empty() {
            joins.push(format!(
                "LEFT JOIN {names} AS {n} ON LOWER({name}) = LOWER({cell})",
                names = self.q("area_names"),
                n = self.q("n"),
                name = self.c("n", NAME),
                cell = self.c("k", CELL),
            ));
            let unfound: Vec<String> = found.iter().map(|f| format!("{f} IS NULL")).collect();
            let message = [
                d.string("deltid: area name \""),
                self.c("k", CELL),
                d.string("\" fits more than one area ("),
                self.c("n", FITS),
                d.string("): use codes"),
            ]
            .join(" || ");
            resolved.push(format!(
                "CASE WHEN {unfound} AND {fits} IS NOT NULL AND {n_area} IS NULL\n      \
                 THEN {fail} ELSE {n_area} END",
                unfound = unfound.join(" AND "),
                fits = self.c("n", FITS),
                n_area = self.c("n", AREA),
                fail = d.fail_text(&message),
            ));
        }
        ctes.push((
            "resolved".to_owned(),
            format!(
                "SELECT {date}, {observed},\n    COALESCE({resolved}) AS {area}\n  \
                 FROM {keyed} AS {k}\n  {joins}",
                date = self.c("k", DATE),
                observed = self.c("k", OBSERVED),
                resolved = resolved.join(",\n      "),
                area = self.q(AREA),
                keyed = self.q("keyed"),
                k = self.q("k"),
                joins = joins.join("\n  "),
            ),
        ));

        // deltid refuses what is no number of persons; NaN compares above every number.
        let observed = self.c("r", OBSERVED);
        let message = [
            d.string("deltid: count "),
            format!("CAST({observed} AS {text})"),
            d.string(" for area "),
            self.c("a", AREA),
            d.string(" on "),
            format!("CAST({} AS {text})", self.c("r", DATE)),
            d.string(&format!(
                " is not a number of persons from 0 to {MAX_PERSONS:.0} (check the counts with \
                 deltid validate)"
            )),
        ]
        .join(" || ");
        ctes.push((
            "counted".to_owned(),
            format!(
                "SELECT {date}, {a}.*,\n    \
                 CASE WHEN {observed} IS NULL OR ({observed} >= {zero} AND {observed} <= {max})\n      \
                 THEN {observed} ELSE {fail} END AS {observed_}\n  \
                 FROM {resolved} AS {r}\n  \
                 JOIN {areas} AS {a} ON {a_area} = {r_area}",
                date = self.c("r", DATE),
                a = self.q("a"),
                zero = d.double(0.0),
                max = d.double(MAX_PERSONS),
                fail = d.fail(&message),
                observed_ = self.q(OBSERVED),
                resolved = self.q("resolved"),
                r = self.q("r"),
                a_area = self.c("a", AREA),
                r_area = self.c("r", AREA),
            ),
        ));
    }

    /// How area cells are read, for the header.
    fn describe_area_codes(&self) -> String {
        let mut text = "area cells: cast to text and trimmed, then a code, a label \
                        (K-3043 Ål) or a name of the scenario's areas"
            .to_owned();
        if let Some(digits) = self.codes.digits {
            text.push_str(&format!(
                ", all-digit codes padded to {digits} digits (301 is 0301)"
            ));
        }
        if !self.codes.mapping.is_empty() {
            text.push_str(&format!(
                ", then {} old codes mapped to the scenario's by its [area_codes] mapping",
                self.codes.mapping.len(),
            ));
        }
        text
    }

    /// The scenario's areas: code, name, order, per-area deductions, resident shares.
    fn areas(&self) -> String {
        let d = self.d;
        let scenario = self.scenario;
        let mut columns = vec![AREA, NAME, ORDER];
        let mut per_area: Vec<&[f64]> = Vec::new();
        for deduction in Deduction::ALL {
            if let DeductionSource::PerArea(values) = scenario.deduction(deduction) {
                columns.push(deduction.key());
                per_area.push(values);
            }
        }
        let shares = match scenario.allocation() {
            // As the estimate's area table: each area's residents ÷ the region's.
            Allocation::ResidentShare => scenario.registered_residents().map(|residents| {
                let total: f64 = residents.iter().sum();
                residents.iter().map(|v| v / total).collect::<Vec<f64>>()
            }),
            Allocation::PresentShare => None,
        };
        if shares.is_some() {
            columns.push(SHARE);
        }
        let rows: Vec<Vec<String>> = scenario
            .areas()
            .iter()
            .enumerate()
            .map(|(i, area)| {
                let mut row = vec![
                    d.string(area.code.as_str()),
                    d.string(&area.name),
                    i.to_string(),
                ];
                row.extend(per_area.iter().map(|v| d.double(v[i])));
                if let Some(shares) = &shares {
                    row.push(d.double(shares[i]));
                }
                row
            })
            .collect();
        d.values("v", &columns, &rows)
    }

    /// A deduction table as an inline table keyed by date and/or area; `None` for an undated
    /// region-level table (one figure for every day, written into the query).
    fn table_values(&self, table: &DeductionTable) -> Option<String> {
        let d = self.d;
        let mut columns = Vec::new();
        if table.is_dated() {
            columns.push(DATE);
        }
        if table.is_per_area() {
            columns.push(AREA);
        }
        if columns.is_empty() {
            return None;
        }
        columns.push(PERSONS);
        let rows: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|(date, area, persons)| {
                let mut row = Vec::new();
                if table.is_dated() {
                    row.push(date.map_or_else(|| "NULL".to_owned(), |v| format!("DATE '{v}'")));
                }
                if table.is_per_area() {
                    row.push(
                        area.as_ref()
                            .map_or_else(|| "NULL".to_owned(), |a| d.string(a.as_str())),
                    );
                }
                row.push(d.double(*persons));
                row
            })
            .collect();
        Some(d.values("v", &columns, &rows))
    }

    /// Each area's share of region-level deductions by present persons (`SHARE`), as the
    /// estimate's `with_share`: the day's share of present persons (equal shares on a day with
    /// nobody present); on a day when some of the scenario's areas have no count, times the
    /// counted areas' usual share (the sum of their mean shares on the complete days), unless
    /// that is 0 or there is no complete day.
    fn present_share(&self, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let by_date = format!("OVER (PARTITION BY {})", self.c("p", DATE));
        let total = format!("SUM({}) {by_date}", self.c("p", PRESENT));
        let counted = format!("COUNT(*) {by_date}");
        ctes.push((
            "raw_share".to_owned(),
            format!(
                "SELECT {p}.*,\n    \
                 CASE WHEN {total} > 0 THEN {present} / {total}\n      \
                 ELSE {one} / CAST({counted} AS {double}) END AS {raw},\n    \
                 {counted} = {n} AS {complete}\n  \
                 FROM {from} AS {p}",
                p = self.q("p"),
                present = self.c("p", PRESENT),
                one = d.double(1.0),
                double = d.double_type(),
                raw = self.q(RAW_SHARE),
                n = self.scenario.areas().len(),
                complete = self.q(COMPLETE),
                from = self.q("present"),
            ),
        ));
        // CASE, not FILTER: Spark has no FILTER clause on window aggregates.
        ctes.push((
            "area_usual_share".to_owned(),
            format!(
                "SELECT {r}.*,\n    \
                 AVG(CASE WHEN {complete} THEN {raw} END) OVER (PARTITION BY {area}) AS {usual}\n  \
                 FROM {from} AS {r}",
                r = self.q("r"),
                complete = self.c("r", COMPLETE),
                raw = self.c("r", RAW_SHARE),
                area = self.c("r", AREA),
                usual = self.q(AREA_USUAL_SHARE),
                from = self.q("raw_share"),
            ),
        ));
        ctes.push((
            "usual_share".to_owned(),
            format!(
                "SELECT {u}.*,\n    \
                 COALESCE(SUM({area_usual}) OVER (PARTITION BY {date}), {zero}) AS {usual}\n  \
                 FROM {from} AS {u}",
                u = self.q("u"),
                area_usual = self.c("u", AREA_USUAL_SHARE),
                date = self.c("u", DATE),
                zero = d.double(0.0),
                usual = self.q(USUAL_SHARE),
                from = self.q("area_usual_share"),
            ),
        ));
        ctes.push((
            "shared".to_owned(),
            format!(
                "SELECT {w}.*,\n    \
                 CASE WHEN {complete} OR {usual} <= 0 THEN {raw} ELSE {raw} * {usual} END AS {share}\n  \
                 FROM {from} AS {w}",
                w = self.q("w"),
                complete = self.c("w", COMPLETE),
                usual = self.c("w", USUAL_SHARE),
                raw = self.c("w", RAW_SHARE),
                share = self.q(SHARE),
                from = self.q("usual_share"),
            ),
        ));
    }

    /// The four deductions per area and day (CTE `deducted`), from `from` (which has `SHARE`
    /// when a figure is shared out) and the deduction tables: each table's figure joined as a
    /// column of its own (CTE `joined`), and the error for a missing figure worked out once
    /// (CTE `missing`) so that it names the figure deltid names.
    fn deducted(&self, from: &str, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let share = self.c("s", SHARE);
        let figure = |deduction: Deduction| format!("{}_figure", deduction.key());
        // The tables joined by date and/or area, and those without a fill.
        let mut joined: Vec<(Deduction, &DeductionTable)> = Vec::new();
        for deduction in Deduction::ALL {
            if let DeductionSource::Table(table) = self.scenario.deduction(deduction)
                && (table.is_dated() || table.is_per_area())
            {
                joined.push((deduction, table));
            }
        }
        let source = if joined.is_empty() {
            from.to_owned()
        } else {
            let mut select = vec![format!("{}.*", self.q("s"))];
            let mut joins = Vec::new();
            for (deduction, table) in &joined {
                let alias = format!("t_{}", deduction.key());
                let mut on = Vec::new();
                if table.is_dated() {
                    on.push(format!("{} = {}", self.c(&alias, DATE), self.c("s", DATE)));
                }
                if table.is_per_area() {
                    on.push(format!("{} = {}", self.c(&alias, AREA), self.c("s", AREA)));
                }
                joins.push(format!(
                    "\n  LEFT JOIN {} AS {} ON {}",
                    self.q(&Self::table_name(*deduction)),
                    self.q(&alias),
                    on.join(" AND ")
                ));
                select.push(format!(
                    "{} AS {}",
                    self.c(&alias, PERSONS),
                    self.q(&figure(*deduction))
                ));
            }
            ctes.push((
                "joined".to_owned(),
                format!(
                    "SELECT {}\n  FROM {} AS {}{}",
                    select.join(", "),
                    self.q(from),
                    self.q("s"),
                    joins.concat()
                ),
            ));
            "joined".to_owned()
        };
        let unfilled: Vec<&(Deduction, &DeductionTable)> =
            joined.iter().filter(|(_, t)| t.fill.is_none()).collect();
        if !unfilled.is_empty() {
            ctes.push(("missing".to_owned(), self.missing(&unfilled)));
        }

        let mut select = vec![
            self.c("s", DATE),
            self.c("s", AREA),
            self.c("s", NAME),
            self.c("s", ORDER),
            self.c("s", OBSERVED),
            self.c("s", UPLIFT),
            self.c("s", PRESENT),
        ];
        for deduction in Deduction::ALL {
            let key = deduction.key();
            let value = match self.scenario.deduction(deduction) {
                DeductionSource::Region(persons) => format!("{} * {share}", d.double(*persons)),
                DeductionSource::PerArea(_) => self.c("s", key),
                DeductionSource::Table(table) if !table.is_dated() && !table.is_per_area() => {
                    // As the estimate: the first row's figure on every day, shared out.
                    let persons = table.rows.first().map_or(0.0, |r| r.2);
                    format!("{} * {share}", d.double(persons))
                }
                DeductionSource::Table(table) => {
                    let persons = self.c("s", &figure(deduction));
                    let figure = match table.fill {
                        Some(fill) => format!("COALESCE({persons}, {})", d.double(fill)),
                        None => format!(
                            "CASE WHEN {persons} IS NULL THEN {} ELSE {persons} END",
                            d.fail(&self.c("z", MESSAGE))
                        ),
                    };
                    if table.is_per_area() {
                        figure
                    } else {
                        format!("{figure} * {share}")
                    }
                }
            };
            select.push(format!("{value} AS {}", self.q(key)));
        }
        let missing = if unfilled.is_empty() {
            String::new()
        } else {
            format!("\n  CROSS JOIN {} AS {}", self.q("missing"), self.q("z"))
        };
        ctes.push((
            "deducted".to_owned(),
            format!(
                "SELECT {}\n  FROM {} AS {}{missing}",
                select.join(",\n    "),
                self.q(&source),
                self.q("s"),
            ),
        ));
    }

    /// The error deltid gives for the first missing figure, as one row of one text column
    /// ([`MESSAGE`], NULL when no figure is missing): of the first deduction (in the plan's
    /// order) that lacks a figure, the first day, and on that day the first area in scenario
    /// order. The first is found as the least of `date || order || area`, dates and the
    /// zero-padded order as text sorting as they do as numbers.
    fn missing(&self, unfilled: &[&(Deduction, &DeductionTable)]) -> String {
        let d = self.d;
        let text = d.text_type();
        let mut firsts = Vec::new();
        let mut messages = Vec::new();
        for (deduction, table) in unfilled {
            let first = format!("{}_first", deduction.key());
            let mut sort = vec![format!("CAST({} AS {text})", self.c("j", DATE))];
            if table.is_per_area() {
                sort.push(format!(
                    "LPAD(CAST({} AS {text}), 10, '0')",
                    self.c("j", ORDER)
                ));
                sort.push(self.c("j", AREA));
            }
            firsts.push(format!(
                "MIN(CASE WHEN {} IS NULL THEN {} END) AS {}",
                self.c("j", &format!("{}_figure", deduction.key())),
                sort.join(" || "),
                self.q(&first),
            ));
            let first = self.c("f", &first);
            let mut parts = vec![
                d.string(&format!(
                    "deltid: {}: no {} figure for ",
                    table.path.display(),
                    deduction.key()
                )),
                format!("SUBSTR({first}, 1, 10)"),
            ];
            if table.is_per_area() {
                parts.push(d.string(", area "));
                parts.push(format!("SUBSTR({first}, 21)"));
            }
            parts.push(d.string(" (add a row, or give `fill = 0` beside `table` in the scenario)"));
            // NULL when the first is: text || NULL is NULL in every dialect.
            messages.push(parts.join(" || "));
        }
        let message = if messages.len() == 1 {
            messages.remove(0)
        } else {
            format!("COALESCE(\n    {})", messages.join(",\n    "))
        };
        format!(
            "SELECT {message} AS {message_}\n  \
             FROM (SELECT {firsts}\n    FROM {joined} AS {j}) AS {f}",
            message_ = self.q(MESSAGE),
            firsts = firsts.join(",\n      "),
            joined = self.q("joined"),
            j = self.q("j"),
            f = self.q("f"),
        )
    }

    /// The daily rows, by area in scenario order, then date.
    fn select_daily(&self) -> String {
        let columns: Vec<String> = [DATE, AREA, NAME]
            .into_iter()
            .chain(LINES)
            .map(|c| self.c("y", c))
            .collect();
        format!(
            "SELECT {}\nFROM {} AS {}\nORDER BY {}, {}",
            columns.join(", "),
            self.q("daily"),
            self.q("y"),
            self.c("y", ORDER),
            self.c("y", DATE),
        )
    }

    /// One row per area, then one for the region: days, first and last day, the means,
    /// guest-nights per year. The region's days are the days with a count of some area, its
    /// lines each day the sum over the areas counted that day (as the estimate's region), its
    /// means over its days.
    fn select_summary(&self, ctes: &mut Vec<(String, String)>) -> String {
        let d = self.d;
        let y = |column: &str| self.c("y", column);
        let summary = |area: String, name: String, order: String| {
            let mut columns = vec![
                format!("{area} AS {}", self.q(AREA)),
                format!("{name} AS {}", self.q(NAME)),
                format!("{order} AS {}", self.q(ORDER)),
                format!("COUNT(*) AS {}", self.q(DAYS)),
                format!("MIN({}) AS {}", y(DATE), self.q(FIRST)),
                format!("MAX({}) AS {}", y(DATE), self.q(LAST)),
            ];
            columns.extend(
                LINES
                    .iter()
                    .map(|l| format!("AVG({}) AS {}", y(l), self.q(l))),
            );
            columns.push(format!(
                "AVG({}) * {} AS {}",
                y(PART_TIME),
                d.double(PLAN_DAYS_PER_YEAR),
                self.q(GUEST_NIGHTS_PER_YEAR_PLAN)
            ));
            columns.join(",\n    ")
        };
        ctes.push((
            "area_rows".to_owned(),
            format!(
                "SELECT {}\n  FROM {} AS {}\n  GROUP BY {}, {}, {}",
                summary(y(AREA), y(NAME), y(ORDER)),
                self.q("daily"),
                self.q("y"),
                y(AREA),
                y(NAME),
                y(ORDER),
            ),
        ));
        let sums: Vec<String> = LINES
            .iter()
            .map(|l| format!("SUM({}) AS {}", y(l), self.q(l)))
            .collect();
        ctes.push((
            "region_days".to_owned(),
            format!(
                "SELECT {}, {}\n  FROM {} AS {}\n  GROUP BY {}",
                y(DATE),
                sums.join(", "),
                self.q("daily"),
                self.q("y"),
                y(DATE),
            ),
        ));
        ctes.push((
            "region_row".to_owned(),
            format!(
                "SELECT {}\n  FROM {} AS {}",
                summary(
                    format!("CAST(NULL AS {})", d.text_type()),
                    d.string(self.scenario.name()),
                    self.scenario.areas().len().to_string(),
                ),
                self.q("region_days"),
                self.q("y"),
            ),
        ));
        let columns: Vec<String> = [AREA, NAME, DAYS, FIRST, LAST]
            .into_iter()
            .chain(LINES)
            .chain([GUEST_NIGHTS_PER_YEAR_PLAN])
            .map(|c| self.c("u", c))
            .collect();
        // The region's row is an aggregate without GROUP BY: one row even without counts.
        format!(
            "SELECT {}\nFROM (\n  SELECT * FROM {}\n  UNION ALL\n  SELECT * FROM {}\n) AS {}\n\
             WHERE {} > 0\nORDER BY {}",
            columns.join(", "),
            self.q("area_rows"),
            self.q("region_row"),
            self.q("u"),
            self.c("u", DAYS),
            self.c("u", ORDER),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_strings_are_escaped_per_dialect() {
        let cases = [
            (Dialect::DuckDb, "\"a\"\"b\"", "'it''s'"),
            (Dialect::Postgres, "\"a\"\"b\"", "'it''s'"),
            (Dialect::Spark, "`a\"b`", "'it\\'s'"),
        ];
        for (dialect, ident, string) in cases {
            assert_eq!(dialect.ident("a\"b"), ident, "{dialect:?}");
            assert_eq!(dialect.string("it's"), string, "{dialect:?}");
        }
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
        assert_eq!(Dialect::Spark.string("a\\b"), "'a\\\\b'");
    }

    #[test]
    fn doubles_read_back_exactly() {
        for v in [0.06, 0.1 + 0.2, 1.0 / 3.0, 20_000.0, 1e-7, 1e21] {
            let text = Dialect::Postgres.double(v);
            let inner = text
                .strip_prefix("CAST('")
                .and_then(|t| t.strip_suffix("' AS DOUBLE PRECISION)"))
                .unwrap_or_default();
            assert_eq!(inner.parse::<f64>().ok(), Some(v), "{text}");
        }
    }

    #[test]
    fn area_codes_come_from_the_scenario_as_loaded() {
        let toml = "uplift = 0.06\n[deductions]\nresidents = 10\ncommuters = 0\ntransit = 0\n\
                    day_visitors = 0\n[[area]]\ncode = \"0301\"\nname = \"Oslo\"\n";
        let path = std::path::Path::new("no-such-folder/own.toml");
        let sql = |text: &str| {
            Scenario::from_toml_str(text, path)
                .and_then(|s| to_sql(&s, Dialect::Postgres, &SqlOptions::default()))
                .unwrap_or_else(|e| e.to_string())
        };
        // Without [area_codes]: no padding, no mapping table.
        let plain = sql(toml);
        assert!(!plain.contains("LPAD("), "{plain}");
        // With digits = 4, also for a scenario that never was a file.
        let padded = sql(&format!("{toml}[area_codes]\ndigits = 4\n"));
        assert!(padded.contains("LPAD(\"l\".\"lead\", 4, '0')"), "{padded}");
        assert!(!padded.contains("area_codes"), "no mapping table: {padded}");
    }

    #[test]
    fn table_names_split_at_dots() {
        let options = SqlOptions::new("db.counts", Rows::Summary).map(|o| o.table);
        assert_eq!(
            options.ok(),
            Some(vec!["db".to_owned(), "counts".to_owned()])
        );
        for bad in ["", "db.", ".counts", "a..b", " ", "a\nb"] {
            assert!(SqlOptions::new(bad, Rows::Summary).is_err(), "{bad:?}");
        }
    }
}
