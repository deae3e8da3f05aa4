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
//! | `area` | text | the area's code as the scenario writes it (`"3041"`, leading zeros kept) |
//! | `count` | `DOUBLE` (or any number) | persons present that day |
//!
//! Rows whose `count` is null are days without a count. Rows with an area code the scenario
//! does not list are left out (the estimate refuses them: check the counts with
//! `deltid validate` first), and a second row for the same area and day would be counted twice
//! (the estimate refuses it too).
//!
//! # What cannot be written in SQL
//! The region's own count (`region_code`) is refused: the query gives one row per area, and
//! with the region's own count the region is no longer the sum of its areas, so summing the
//! rows would silently give another region figure than the estimate's. Counts split by SIM
//! origin (`--foreign-column`) have no column in the counts table: the query has no foreign
//! SIMs, as the estimate has none without that column, so `[scaling] foreign` has no effect.
//! A deduction table without a figure for a day counted (and no `fill`) stops the query with
//! an error naming the day, as the estimate stops.

use crate::columns::{
    AREA, COMMUTERS, COMPLETE, DATE, DAY_VISITORS, DAYS, FIRST, LAST, NAME, OBSERVED, ORDER,
    PART_TIME, PRESENT, RESIDENTS, SHARE, TRANSIT, UPLIFT, USUAL_SHARE,
};
use crate::deduction::{Deduction, DeductionSource, DeductionTable};
use crate::error::{Error, Result};
use crate::estimate::LINES;
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

    /// A `DOUBLE` expression that stops the query with `message` (a text expression).
    fn fail(self, message: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(error({message}) AS DOUBLE)"),
            Dialect::Spark => format!("CAST(raise_error({message}) AS DOUBLE)"),
            // No function raises in plain PostgreSQL SQL: a text that is no number fails to
            // cast, and the error shows the text.
            Dialect::Postgres => format!("CAST({message} AS DOUBLE PRECISION)"),
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
    /// One row per area with counts, in scenario order: `area`, `name`, `days` (days counted),
    /// `first`, `last` (dates), the means per day of the eight lines (`observed`, `uplift`,
    /// `present`, `residents`, `commuters`, `transit`, `day_visitors`, `part_time`; persons),
    /// and [`GUEST_NIGHTS_PER_YEAR_PLAN`] (mean `part_time` × 365, nights), as in
    /// [`AreaSummary`](crate::AreaSummary).
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
    /// [`Error::InvalidSelection`] if a part of the name is empty or holds a control character.
    pub fn new(table: &str, rows: Rows) -> Result<SqlOptions> {
        let parts: Vec<String> = table.split('.').map(str::to_owned).collect();
        if let Some(bad) = parts
            .iter()
            .find(|p| p.trim().is_empty() || p.chars().any(char::is_control))
        {
            return Err(Error::InvalidSelection {
                reason: format!(
                    "table name {table:?} has an empty or unprintable part {bad:?} (write NAME or SCHEMA.NAME)"
                ),
            });
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
/// allocation rule) and one statement ending in `;` and a newline.
///
/// # Errors
/// [`Error::InvalidScenario`] (key `region_code`) for a scenario with a region count of its
/// own, which the per-area rows cannot carry (see the [module docs](self)).
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
                "the SQL export gives one row per area, and with the region's own count ({code}) \
                 the region is not the sum of its areas: use `deltid estimate` for this \
                 scenario, or leave out region_code to take the region as the sum of its areas"
            ),
        });
    }
    Ok(Query::new(scenario, dialect).write(options))
}

/// The pieces of one query.
struct Query<'a> {
    scenario: &'a Scenario,
    d: Dialect,
}

impl Query<'_> {
    fn new(scenario: &Scenario, dialect: Dialect) -> Query<'_> {
        Query {
            scenario,
            d: dialect,
        }
    }

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

        // The counts of the scenario's areas, with the area table's columns.
        let table: Vec<String> = options.table.iter().map(|p| self.q(p)).collect();
        ctes.push((
            "counted".to_owned(),
            format!(
                "SELECT CAST({date} AS DATE) AS {date_}, {a}.*, CAST({count} AS {double}) AS {observed}\n  \
                 FROM {table} AS {c_}\n  \
                 JOIN {areas} AS {a} ON CAST({area} AS {text}) = {a_area}\n  \
                 WHERE {count} IS NOT NULL",
                date = self.c("c", DATE),
                date_ = self.q(DATE),
                a = self.q("a"),
                count = self.c("c", COUNT),
                double = d.double_type(),
                observed = self.q(OBSERVED),
                table = table.join("."),
                c_ = self.q("c"),
                areas = self.q("areas"),
                area = self.c("c", AREA),
                text = d.text_type(),
                a_area = self.c("a", AREA),
            ),
        ));
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
        ctes.push(("deducted".to_owned(), self.deducted(shared)));
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
        sql.push_str("WITH\n");
        let ctes: Vec<String> = ctes
            .iter()
            .map(|(name, body)| format!("{} AS (\n  {body}\n)", self.q(name)))
            .collect();
        sql.push_str(&ctes.join(",\n"));
        sql.push('\n');
        sql.push_str(&match options.rows {
            Rows::Daily => self.select_daily(),
            Rows::Summary => self.select_summary(),
        });
        sql.push_str(";\n");
        sql
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

    /// The four deductions per area and day, from `from` (which has `SHARE` when a figure is
    /// shared out) and the deduction tables.
    fn deducted(&self, from: &str) -> String {
        let d = self.d;
        let share = self.c("s", SHARE);
        let mut select = vec![
            self.c("s", DATE),
            self.c("s", AREA),
            self.c("s", NAME),
            self.c("s", ORDER),
            self.c("s", OBSERVED),
            self.c("s", UPLIFT),
            self.c("s", PRESENT),
        ];
        let mut joins = Vec::new();
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
                    let alias = format!("t_{key}");
                    let mut on = Vec::new();
                    if table.is_dated() {
                        on.push(format!("{} = {}", self.c(&alias, DATE), self.c("s", DATE)));
                    }
                    if table.is_per_area() {
                        on.push(format!("{} = {}", self.c(&alias, AREA), self.c("s", AREA)));
                    }
                    joins.push(format!(
                        "\n  LEFT JOIN {} AS {} ON {}",
                        self.q(&Self::table_name(deduction)),
                        self.q(&alias),
                        on.join(" AND ")
                    ));
                    let persons = self.c(&alias, PERSONS);
                    let figure = match table.fill {
                        Some(fill) => format!("COALESCE({persons}, {})", d.double(fill)),
                        None => format!(
                            "CASE WHEN {persons} IS NULL THEN {} ELSE {persons} END",
                            d.fail(&self.missing_message(deduction, table))
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
        format!(
            "SELECT {}\n  FROM {} AS {}{}",
            select.join(",\n    "),
            self.q(from),
            self.q("s"),
            joins.concat()
        )
    }

    /// The text of the error for a day (and area) a deduction table lacks, as a text
    /// expression, worded as [`Error::MissingDeductionDate`].
    fn missing_message(&self, deduction: Deduction, table: &DeductionTable) -> String {
        let d = self.d;
        let text = |expr: String| format!("CAST({expr} AS {})", d.text_type());
        let mut parts = vec![
            d.string(&format!(
                "deltid: {}: no {} figure for ",
                table.path.display(),
                deduction.key()
            )),
            text(self.c("s", DATE)),
        ];
        if table.is_per_area() {
            parts.push(d.string(", area "));
            parts.push(self.c("s", AREA));
        }
        parts.push(d.string(" (add a row, or give `fill = 0` beside `table` in the scenario)"));
        parts.join(" || ")
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

    /// One row per area: days, first and last day, the means, guest-nights per year.
    fn select_summary(&self) -> String {
        let d = self.d;
        let mut columns = vec![
            self.c("y", AREA),
            self.c("y", NAME),
            format!("COUNT(*) AS {}", self.q(DAYS)),
            format!("MIN({}) AS {}", self.c("y", DATE), self.q(FIRST)),
            format!("MAX({}) AS {}", self.c("y", DATE), self.q(LAST)),
        ];
        columns.extend(
            LINES
                .iter()
                .map(|l| format!("AVG({}) AS {}", self.c("y", l), self.q(l))),
        );
        columns.push(format!(
            "AVG({}) * {} AS {}",
            self.c("y", PART_TIME),
            d.double(PLAN_DAYS_PER_YEAR),
            self.q(GUEST_NIGHTS_PER_YEAR_PLAN)
        ));
        format!(
            "SELECT {}\nFROM {} AS {}\nGROUP BY {}, {}, {}\nORDER BY {}",
            columns.join(",\n  "),
            self.q("daily"),
            self.q("y"),
            self.c("y", AREA),
            self.c("y", NAME),
            self.c("y", ORDER),
            self.c("y", ORDER),
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
