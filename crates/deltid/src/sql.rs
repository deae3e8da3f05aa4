//! The estimate as one SQL query, so the same model runs in a warehouse or on Spark.
//!
//! [`to_sql`] renders a compiled [`Plan`] (the Hallingdal plan's method, strategic plan
//! 2021-2024, table "gjestedøgn"; see [`deltid_model::plan`]) as a single `SELECT` over a table
//! of daily counts, in the SQL of DuckDB, Spark or PostgreSQL. Run on the same counts, it gives
//! the numbers of [`Plan::estimate`] and its summary to floating-point accuracy (sums may be
//! taken in another order, so the last bits can differ), or it stops with an error where
//! deltid's reader refuses the counts.
//!
//! # The counts table
//! One row per area and day, with the columns
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `date` | `DATE`, or text written `yyyy-mm-dd` (a time after it allowed) or `dd.mm.yyyy` | the day counted |
//! | `area` | text, or a whole number | the area, read as deltid reads area cells (below) |
//! | `count` | a number, or text | persons present that day |
//!
//! Rows whose `count` is null (or empty text) are days without a count. A text count is read
//! as the engines cast text to numbers: a decimal number with a point (`1250.5`, `1.25e3`,
//! white space around it allowed); other text, such as a decimal comma or thousands
//! separators that deltid's own reader takes, stops the query naming the cell. A text date in any other form stops
//! the query (`01/07/2024` reads two ways, and an engine's own date style may read it either
//! way), as does a day that does not exist or lies outside the years deltid takes.
//!
//! Area cells are read by the scenario's one rule ([`deltid_model::AreaResolver`]): the cell
//! is cast to text and trimmed of Unicode white space (the characters of
//! [`deltid_model::whitespace`]); the scenario's `region_code` is the region's own count; a
//! code of the scenario is that area; else the leading code of a Statistics Norway label
//! (`K-3043 Ål`, `3043 Ål`) or the cell itself, padded with leading zeros to `digits` digits if
//! it is all digits and shorter (`301` is `0301` with `digits = 4`, so an integer `area` column
//! works), is looked up in the `mapping` of old codes and then among the scenario's codes; else
//! the cell is compared with the areas' names, ignoring case (the engine's `LOWER`: a
//! PostgreSQL database with the C locale lowers ASCII letters only).
//!
//! # What stops the query
//! As deltid's reader refuses them, the query stops (DuckDB's `error()`, Spark's
//! `raise_error()`, a failing cast in PostgreSQL, each message starting `deltid:`) on: rows it
//! cannot place (no area of the scenario; the message gives their number and one of them), an
//! area name that fits several areas, a second row for an area and day, a count that is no
//! number (text that is not a number, naming the cell) or no number of persons (below 0, above
//! [`MAX_PERSONS`], NaN), a date it cannot read, and a
//! deduction table without a figure for a day counted (naming the figure deltid names). It
//! never returns fewer rows silently.
//!
//! # The rows
//! The summary ([`Rows::Summary`]) has one row per selected area with counts, in scenario
//! order, then one for the region (`area` NULL), as [`Summary`](crate::Summary): days, first
//! and last day, the means per day of the eight lines, and guest-nights per year by the plan's
//! rule. The region follows the plan's [`RegionRule`](crate::RegionRule): without the region's
//! own count its means are its areas' means summed and its days those with every selected area
//! counted; with rows of the scenario's `region_code` in the table (and all areas selected),
//! its lines come from its own count and the region's own deductions. The daily rows
//! ([`Rows::Daily`]) are each area's days, then the region's.
//!
//! # Night counts
//! A plan for nights ([`Measure::Night`](deltid_model::Measure): a scenario with `[night]`, or
//! a plan compiled with [`Plan::for_measure`]) reads a table of hourly or time-point counts
//! instead, one row per area and instant:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `ts` | text, `TIMESTAMP WITH TIME ZONE` or `TIMESTAMP` | the instant counted |
//! | `area` | text, or a whole number | the area, read as above |
//! | `count` | a number | persons present at that instant |
//!
//! The timestamp is read as deltid's reader reads it (`2024-10-27T01:00:00`, `2024-10-27 01:00`,
//! `27.10.2024 01:00`): written with an offset (`Z`, `+01:00`, `+0100`, and, as engines write
//! a `TIMESTAMP WITH TIME ZONE` as text, `+01`) it is that instant;
//! without one (a `TIMESTAMP` column, or text such as `2024-10-27 01:00`) it is a local time in
//! the scenario's `time_zone`, and one the zone has twice or skips stops the query. Rows are
//! keyed by instant: a second row for an area and instant stops the query. Each area's counts
//! are reduced to nights by the scenario's [`NightSettings`](deltid_model::NightSettings) as
//! [`Nights::reduce`](deltid_model::Nights::reduce) reduces them (the window in local time,
//! the night labelled by its evening date, the minimum, median, mean or first count at the
//! hour), and the plan for nights (only the residents at home deducted) takes the night
//! counts as the plan for days takes daily counts; `date` in the rows is the evening date. The
//! daytime excess and the hours present are not in the rows. With a baseline of residents at
//! home (`[night] residents = "baseline"`) the residents deducted per area are, as
//! [`Plan::estimate`] takes them, the median (linear between the middle two:
//! `percentile_cont(0.5)`) of the area's present persons (the night count with uplift and
//! scaling, written by the same piece of the query as the rows' present persons) over the
//! reference nights it has a night count on (CTE `baseline`). Like deltid's, the baseline is
//! taken from every reference night in the table, whatever the period selected (the plan's
//! period selects the nights estimated, not the reference nights); an area with no reference night and not selected deducts none, and a
//! selected area with night counts but none on a reference night stops the query, naming it
//! and the nights (seen on the rows of the period). Time zones need DuckDB's ICU
//! extension (built in) or PostgreSQL; Spark is refused ([`Error::Unsupported`]): its
//! `TIMESTAMP` lives in the session's zone, which cannot hold every local time of another.
//!
//! # Counts split by origin
//! A scenario with `[origin]` (see [`deltid_model::origin`]) reads a table `date, area,
//! origin, count` instead: one row per date, area and origin, `count` a number of persons (the
//! operator's extrapolated decimals) or a suppressed cell's `-1` (a number, or text written as
//! deltid's reader takes it: `-1`, `−1`, `-1.0`, `-1,0`); deleted rows are simply absent. Dates
//! and area cells are read as above; origin cells as [`deltid_model::Origin::read`] reads
//! them: trimmed, a total word in any case (`total`, `totalt`, `all`, `alle`, `*`), an area of
//! the scenario (code, label or name, by the area cells' rule), another municipality by the
//! cell's key as area cells have it (its leading code, `K-0301 Oslo` → `0301`, padded to the
//! scenario's `digits`, `301` → `0301`) when that is four digits in
//! [`MUNICIPALITY_CODES`](deltid_model::MUNICIPALITY_CODES) (0101 to 5699), or two letters: `NO`
//! Norway, else a country of [`COUNTRY_CODES`](deltid_model::COUNTRY_CODES) or
//! [`EUROSTAT_COUNTRY_CODES`](deltid_model::EUROSTAT_COUNTRY_CODES), in any case. A value
//! `0 < v < k` is suppressed and a published 0 is an exact 0
//! ([`is_suppressed`](deltid_model::is_suppressed)). For the previous-night origin the plan's
//! period selects nights by their evening date, the rows of the day after
//! ([`OriginSplit::within`](deltid_model::OriginSplit::within)). The query returns, whatever [`Rows`] says, the tidy table of
//! [`write_origin`](crate::output::write_origin) ([`SPLIT_COLUMNS`]): per date and area the
//! figures `total` and `suppressed` (where the area's total is given), `local`, `elsewhere`,
//! `foreign` and, for the long-term home, `residents_away`, each as bounds `low`, `high` with
//! `exact`, `high_excluded` and `low_excluded`, beside multimno's `zero_filled`; then `guest_nights` per area
//! by the origin's rule (previous night: at the night's evening date) and the region's (area
//! NULL) where every area has a figure. The figures are those of [`Plan::origin_estimate`] on
//! the same rows, to floating-point accuracy (a suppressed mass exactly `k` may fall either
//! side of `k` when sums are taken in another order). It stops, as deltid's reader does
//! ([`SplitProblem`](deltid_model::SplitProblem) and the reader's cell errors), on a count
//! of text that is no number (read as for the daily counts, naming the cell), on rows of no
//! area or of the region's own code, an origin it cannot read (a municipality code outside
//! 0101-5699, two letters that are no country), a municipality (an area of the scenario or
//! another) under `kind = "sim-country"`, a `-1` marker under `min_count = 0`, an area's
//! `total` below the sum of its published cells that day (beyond
//! [`TOTAL_SLACK`](deltid_model::TOTAL_SLACK), checked on every row whatever the period), an
//! empty count, a count below 0 (but `-1`), above [`MAX_PERSONS`] or NaN, a date it cannot
//! read, and a date, area and origin given twice (`301` and `K-0301 Oslo` are one origin). Registered residents from a table by date are refused
//! ([`Error::Unsupported`]). DuckDB runs the query in deltid's tests, PostgreSQL 15 the same
//! cases when asked to; Spark's text is written with the same pieces but not run.
//!
//! # What cannot be written in SQL
//! Counts split by SIM origin have no column in the counts table: the query has no foreign
//! SIMs, so `[scaling] foreign` has no effect. A region count of its own together with a
//! per-area deduction table by date is refused ([`Error::Unsupported`]).

use deltid_model::{
    Deduction, DeductionSource, DeductionTable, Error, Line, MAX_PERSONS, MAX_YEAR, MIN_YEAR,
    Measure, NightRule, PLAN_DAYS_PER_YEAR, Plan, Reach, Result, whitespace,
};

mod origin;
pub use origin::SPLIT_COLUMNS;

/// The summary's column of guest-nights per year by the plan's rule (mean per day × 365).
pub const GUEST_NIGHTS_PER_YEAR_PLAN: &str = "guest_nights_per_year_plan";
/// The default name of the counts table.
pub const DEFAULT_TABLE: &str = "counts";

// Columns and tables of the query.
const DATE: &str = "date";
const AREA: &str = "area";
const NAME: &str = "name";
const COUNT: &str = "count";
const ORDER: &str = "order";
const DAYS: &str = "days";
const FIRST: &str = "first";
const LAST: &str = "last";
const SHARE: &str = "share";
const PERSONS: &str = "persons";
const RAW_SHARE: &str = "raw_share";
const COMPLETE: &str = "complete";
const AREA_USUAL_SHARE: &str = "area_usual_share";
const USUAL_SHARE: &str = "usual_share";
/// An area cell as text, trimmed; its leading code (`''` if none); the code looked up.
const CELL: &str = "cell";
const LEAD: &str = "lead";
const KEY: &str = "key";
const DAY: &str = "day";
/// The mapping's old codes, the names as compared, and the codes an ambiguous name fits.
const OLD_CODE: &str = "old_code";
const LOWERED: &str = "lowered";
const FITS: &str = "fits";
/// The first error message of the missing deduction figures (NULL if none is missing).
const MESSAGE: &str = "message";
/// Hourly counts: the instant (UTC) and local time of a row, the timestamp cell as text, its
/// parts, and the offsets around it.
const INSTANT: &str = "instant";
const LOCAL: &str = "local_time";
const TS: &str = "ts";
const STAMP: &str = "stamp";
const NAIVE: &str = "naive";
const OFFSET: &str = "offset_seconds";
const BEFORE: &str = "offset_before";
const AFTER: &str = "offset_after";
const AT_HOUR: &str = "at_hour";
/// A timestamp cell: a date, a time (seconds and fractions optional), an optional offset.
const TIMESTAMP_PATTERN: &str = "^(?:([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]|([0-9]{2})[.]([0-9]{2})[.]([0-9]{4}) )([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$";
/// A count cell as text that the engines cast to a number: a decimal number (an exponent
/// allowed), or NaN or an infinity (which the checks of counts then refuse with their value).
const NUMBER_PATTERN: &str = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$|^[Nn][Aa][Nn]$|^[+-]?[Ii][Nn][Ff]([Ii][Nn][Ii][Tt][Yy])?$";
/// The area value of the region's own count among the resolved rows.
const REGION_MARK: &str = "\u{1}region";

/// The SQL dialect to write.
///
/// The query uses only common SQL (CTEs, window functions, `CASE`, `VALUES`); the dialects
/// differ in identifier quoting, type names, string escapes, inline tables, regular
/// expressions and how a query stops with an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// DuckDB (tested with DuckDB 2.0): identifiers in `"…"`, `DOUBLE`, `error()`.
    DuckDb,
    /// Spark SQL (3.1 and later): identifiers in `` `…` ``, `STRING`, string literals with
    /// backslash escapes, `raise_error()`, no `FILTER` clause.
    Spark,
    /// PostgreSQL (15 and later): identifiers in `"…"`, `DOUBLE PRECISION`, `TEXT`; the query
    /// stops through a failing cast whose message names the problem.
    Postgres,
}

impl Dialect {
    /// The dialect's name: `duckdb`, `spark` or `postgres`.
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

    /// A string literal of printable text; other characters go through [`Dialect::text`].
    fn string(self, text: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
            // Spark reads backslash escapes in string literals, and '' ends one literal.
            Dialect::Spark => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// A text expression of any characters: printable runs as literals, the rest by code
    /// point, so the query stays plain text.
    fn text(self, text: &str) -> String {
        if text
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() || c == ' ')
        {
            return self.string(text);
        }
        let mut parts = Vec::new();
        let mut run = String::new();
        for c in text.chars() {
            if !c.is_control() && (!c.is_whitespace() || c == ' ') {
                run.push(c);
                continue;
            }
            if !run.is_empty() {
                parts.push(self.string(&run));
                run.clear();
            }
            parts.push(self.character(c));
        }
        if !run.is_empty() {
            parts.push(self.string(&run));
        }
        match self {
            Dialect::Spark => format!("concat({})", parts.join(", ")),
            _ => format!("({})", parts.join(" || ")),
        }
    }

    /// One character by its code point.
    fn character(self, c: char) -> String {
        match self {
            // Spark's chr takes a byte; a literal with a Unicode escape holds any character.
            Dialect::Spark => format!("'\\u{:04x}'", c as u32),
            Dialect::DuckDb | Dialect::Postgres => format!("chr({})", c as u32),
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
            // cast, and the error shows the text. The message must depend on a row: the
            // planner casts a constant at once (even in a CASE branch never taken), so a
            // constant message would stop every query.
            Dialect::Postgres => format!("CAST({message} AS DOUBLE PRECISION)"),
        }
    }

    /// A text expression that stops the query with `message`, as [`Dialect::fail`].
    fn fail_text(self, message: &str) -> String {
        format!("CAST({} AS {})", self.fail(message), self.text_type())
    }

    /// A `DATE` expression that stops the query with `message` (which must depend on a row,
    /// as for [`Dialect::fail`]).
    fn fail_date(self, message: &str) -> String {
        match self {
            // A text that is no date fails to cast.
            Dialect::Postgres => format!("CAST({message} AS DATE)"),
            _ => format!("CAST({} AS DATE)", self.fail_text(message)),
        }
    }

    /// Concatenation of text expressions.
    fn concat(self, parts: &[String]) -> String {
        match self {
            Dialect::Spark => format!("concat({})", parts.join(", ")),
            _ => parts.join(" || "),
        }
    }

    /// Whether a text expression matches a regular expression (written for RE2, Java and
    /// PostgreSQL alike: no escapes but the white-space class of [`Dialect::white_space`]).
    fn matches(self, text: &str, pattern: &str) -> String {
        let pattern = self.string(pattern);
        match self {
            Dialect::DuckDb => format!("regexp_matches({text}, {pattern})"),
            Dialect::Spark => format!("({text} RLIKE {pattern})"),
            Dialect::Postgres => format!("({text} ~ {pattern})"),
        }
    }

    /// The first group of a regular expression in a text expression, `''` if it does not match.
    fn extract(self, text: &str, pattern: &str) -> String {
        let pattern = self.string(pattern);
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("regexp_extract({text}, {pattern}, 1)"),
            Dialect::Postgres => format!("COALESCE(substring({text} from {pattern}), '')"),
        }
    }

    /// The white-space characters of [`deltid_model::trim_cell`] as a bracket expression's
    /// inside, by code point.
    fn white_space(self) -> String {
        whitespace()
            .into_iter()
            .map(|c| match self {
                Dialect::Postgres => format!("\\u{:04x}", c as u32),
                Dialect::DuckDb | Dialect::Spark => format!("\\x{{{:x}}}", c as u32),
            })
            .collect()
    }

    /// A text expression trimmed of the white space of [`deltid_model::trim_cell`].
    fn trim(self, text: &str) -> String {
        let blank: String = whitespace().into_iter().collect();
        let blank = self.text(&blank);
        match self {
            Dialect::DuckDb => format!("trim({text}, {blank})"),
            Dialect::Spark => format!("trim(BOTH {blank} FROM {text})"),
            Dialect::Postgres => format!("btrim({text}, {blank})"),
        }
    }

    /// A `dd.mm.yyyy` text as a `DATE` (the text already checked for the shape).
    fn dotted_date(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(strptime({text}, '%d.%m.%Y') AS DATE)"),
            Dialect::Spark => format!("to_date({text}, 'd.M.yyyy')"),
            Dialect::Postgres => format!("to_date({text}, 'DD.MM.YYYY')"),
        }
    }

    /// The `n`-th group of a regular expression in a text expression, `''` if it does not
    /// match or the group is empty.
    fn group(self, text: &str, pattern: &str, n: usize) -> String {
        let pattern = self.string(pattern);
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("regexp_extract({text}, {pattern}, {n})"),
            Dialect::Postgres => format!("COALESCE((regexp_match({text}, {pattern}))[{n}], '')"),
        }
    }

    /// A `TIMESTAMP` of UTC as the local time in `zone` (an IANA name).
    fn local_of(self, utc: &str, zone: &str) -> String {
        format!(
            "(({utc}) AT TIME ZONE 'UTC') AT TIME ZONE {}",
            self.string(zone)
        )
    }

    /// A `TIMESTAMP` of local time in `zone` as UTC (for a local time the zone has twice or
    /// skips, one the engine chooses: checked by the caller).
    fn utc_of(self, local: &str, zone: &str) -> String {
        format!(
            "(({local}) AT TIME ZONE {}) AT TIME ZONE 'UTC'",
            self.string(zone)
        )
    }

    /// An interval of a whole number of seconds.
    fn seconds(self, seconds: &str) -> String {
        format!("({seconds}) * INTERVAL '1 second'")
    }

    /// The median of a `DOUBLE` expression, linear between the middle two.
    fn median(self, value: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => {
                format!("percentile_cont(0.5) WITHIN GROUP (ORDER BY {value})")
            }
            Dialect::Spark => format!("percentile({value}, 0.5)"),
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
    /// One row per selected area with counts, in scenario order, then one for the region
    /// (`area` NULL): `area`, `name`, `days`, `first`, `last` (dates), the means per day of the
    /// eight lines (persons), and [`GUEST_NIGHTS_PER_YEAR_PLAN`] (nights), as
    /// [`AreaSummary`](crate::AreaSummary).
    #[default]
    Summary,
    /// One row per area and day, by area (scenario order) then date, then the region's days:
    /// `date`, `area` (NULL for the region), `name` and the eight lines (persons), as
    /// [`crate::analysis::daily_rows`].
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
    /// [`Error::InvalidOption`] (option `table`) if the name is empty, a part of it is empty,
    /// or it holds a control character.
    pub fn new(table: &str, rows: Rows) -> Result<SqlOptions> {
        let wrong = |what: String| Error::InvalidOption {
            option: "table".to_owned(),
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

/// Writes a plan's estimate as one SQL query over a counts table.
///
/// The query reads the table named in `options` (columns `date`, `area`, `count`: see the
/// [module docs](self)) and returns the rows `options.rows()` names, in persons per day (and
/// nights per year for [`GUEST_NIGHTS_PER_YEAR_PLAN`]), computed by the plan as
/// [`Plan::estimate`] computes them. The text is a few comment lines (scenario, dialect,
/// uplift, allocation rule, how area cells are read, what stops the query) and one statement
/// ending in `;` and a newline.
///
/// # Errors
/// [`Error::Unsupported`] for a scenario with a region count of its own and a per-area
/// deduction table by date, and for counts split by origin (`[origin]`) whose registered
/// residents come from a table by date.
///
/// # Examples
/// ```
/// use deltid::{read_scenario, Plan, Selection};
/// use deltid::sql::{to_sql, Dialect, SqlOptions};
///
/// let scenario = read_scenario("../../data/hallingdal/plan-2021.toml")?;
/// let plan = Plan::new(&scenario, &Selection::default())?;
/// let sql = to_sql(&plan, Dialect::DuckDb, &SqlOptions::default())?;
/// assert!(sql.contains("FROM \"counts\" AS \"c\""));
/// assert!(sql.contains("CAST('20000.0' AS DOUBLE)")); // the region's residents
/// # Ok::<(), deltid::Error>(())
/// ```
pub fn to_sql(plan: &Plan, dialect: Dialect, options: &SqlOptions) -> Result<String> {
    let scenario = plan.scenario();
    if plan.measure() == Measure::Night && dialect == Dialect::Spark {
        return Err(Error::Unsupported {
            scenario: scenario.path().to_owned(),
            what: "the Spark SQL query for night counts".to_owned(),
            reason: "Spark's TIMESTAMP is an instant shown in the session's zone, so a local time of the scenario's zone that the session's zone skips cannot be held, and its to_utc_timestamp chooses one of a local time the zone has twice without saying so: use DuckDB or PostgreSQL, or deltid itself, on the hourly counts".to_owned(),
        });
    }
    if let Some(settings) = scenario.origin() {
        origin::check(plan, settings)?;
        return Ok(Query {
            plan,
            d: dialect,
            baseline: None,
        }
        .write_split(settings, options));
    }
    if scenario.region_code().is_some() {
        for deduction in Deduction::ALL {
            if let DeductionSource::Table(table) = scenario.deduction(deduction)
                && table.is_per_area()
                && table.is_dated()
                && plan.reach(deduction) != Reach::Nothing
            {
                return Err(Error::Unsupported {
                    scenario: scenario.path().to_owned(),
                    what: "the SQL query".to_owned(),
                    reason: format!(
                        "with the region's own count, the region's {deduction} are every area's figures summed day by day, which the query does not do for a table by date and area ({}): estimate these counts with deltid itself (the plan's estimate), or give the table by date for the region",
                        table.path().display()
                    ),
                });
            }
        }
    }
    // A baseline of residents at home: the plan's form with per-area residents, which the
    // query takes from its `baseline` CTE (the figures here are placeholders, never written).
    if let Some(reference) = plan.baseline_nights() {
        let form = plan.with_area_residents(vec![0.0; scenario.areas().len()])?;
        return Ok(Query {
            plan: &form,
            d: dialect,
            baseline: Some(reference),
        }
        .write(options));
    }
    Ok(Query {
        plan,
        d: dialect,
        baseline: None,
    }
    .write(options))
}

/// The pieces of one query.
struct Query<'a> {
    plan: &'a Plan,
    d: Dialect,
    /// The reference nights of a baseline of residents at home (`[night] residents =
    /// "baseline"`): `plan` is then the form with per-area residents
    /// ([`Plan::with_area_residents`]), whose figures the query takes from its CTE `baseline`.
    baseline: Option<&'a [chrono::NaiveDate]>,
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

    /// The name of a deduction table's figure column once joined.
    fn figure(deduction: Deduction) -> String {
        format!("{}_figure", deduction.key())
    }

    fn write(&self, options: &SqlOptions) -> String {
        let scenario = self.plan.scenario();
        let mut ctes: Vec<(String, String)> = Vec::new();
        ctes.push(("areas".to_owned(), self.areas()));
        for deduction in Deduction::ALL {
            if let DeductionSource::Table(table) = scenario.deduction(deduction)
                && let Some(body) = self.table_values(table)
            {
                ctes.push((Self::table_name(deduction), body));
            }
        }
        self.counted(options, &mut ctes);
        let own = self.own_count();
        let presents: &[(&str, &str)] = if own {
            &[("present", "counted"), ("region_present", "region_counted")]
        } else {
            &[("present", "counted")]
        };
        for &(name, from) in presents {
            let (uplift, present) = self.present_of(&self.c("k", Line::Observed.key()));
            ctes.push((
                name.to_owned(),
                format!(
                    "SELECT {k}.*, {uplift} AS {uplift_},\n    \
                     {present} AS {present_}\n  FROM {from} AS {k}",
                    k = self.q("k"),
                    uplift_ = self.q(Line::Uplift.key()),
                    present_ = self.q(Line::Present.key()),
                    from = self.q(from),
                ),
            ));
        }
        let shared = if self.plan.shares_by_present() {
            self.present_share(&mut ctes);
            "shared"
        } else {
            "present"
        };
        self.deducted(shared, &mut ctes);
        ctes.push((
            "daily".to_owned(),
            format!(
                "SELECT {x}.*, {part_time} AS {part_time_}\n  FROM {deducted} AS {x}",
                x = self.q("x"),
                part_time = self.residual("x"),
                part_time_ = self.q(Line::PartTime.key()),
                deducted = self.q("deducted"),
            ),
        ));
        self.region(&mut ctes);

        let mut sql = String::new();
        for line in self.header(options) {
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
        self.finish(sql, &ctes, &select)
    }

    /// The uplift line and present persons of an `observed` expression, as the plan adds them
    /// to a count (present = observed + uplift, the uplift as the plan adds it per SIM,
    /// [`Plan::added_per_sim`]: observed × uplift when the scaling ratio is 1, to the last bit;
    /// the table has no foreign SIMs). The one place the query writes them.
    fn present_of(&self, observed: &str) -> (String, String) {
        let (per_domestic, _) = self.plan.added_per_sim();
        let uplift = format!("{observed} * {}", self.d.double(per_domestic));
        let present = format!("{observed} + {uplift}");
        (uplift, present)
    }

    /// The query: `head` (its comment lines), then `WITH` the CTEs in order, then `select`.
    fn finish(&self, mut head: String, ctes: &[(String, String)], select: &str) -> String {
        head.push_str("WITH\n");
        let ctes: Vec<String> = ctes
            .iter()
            .map(|(name, body)| format!("{} AS (\n  {body}\n)", self.q(name)))
            .collect();
        head.push_str(&ctes.join(",\n"));
        head.push('\n');
        head.push_str(select);
        head.push_str(";\n");
        head
    }

    /// present − residents − commuters − transit − day visitors, of a row alias, as the plan
    /// takes them (left to right).
    fn residual(&self, alias: &str) -> String {
        let mut text = self.c(alias, Line::Present.key());
        for deduction in Deduction::ALL {
            text.push_str(" - ");
            text.push_str(&self.c(alias, deduction.key()));
        }
        text
    }

    /// The comment lines above the query.
    fn header(&self, options: &SqlOptions) -> Vec<String> {
        let scenario = self.plan.scenario();
        let scaling = scenario.scaling();
        let mut lines = vec![
            format!(
                "deltid {}: {} for {}, by the Hallingdal plan's method (strategic plan 2021-2024)",
                env!("CARGO_PKG_VERSION"),
                match options.rows {
                    Rows::Summary => "means per day per area",
                    Rows::Daily => "estimate per area and day",
                },
                scenario.name(),
            ),
            format!(
                "scenario {}, dialect {}, counts table {} ({}), {}",
                scenario.path().display(),
                self.d.name(),
                options.table.join("."),
                if self.night() {
                    "ts, area, count: hourly or time-point counts"
                } else {
                    "date, area, count: one row per area and day"
                },
                self.plan.selection(),
            ),
            format!(
                "uplift {:?}{}",
                scenario.uplift().fraction(),
                match scaling.describe() {
                    s if s.is_empty() => String::new(),
                    s => format!(", scaling: {s}"),
                },
            ),
            scenario.allocation().describe().to_owned(),
            self.describe_area_codes(),
            if self.night() {
                "the query stops on rows it cannot place, an area name that fits two areas, a \
                 second row for an area and instant, a count that is text but no number, below 0, above 1e10 or NaN, a time \
                 that is not yyyy-mm-ddThh:mm[:ss] with or without an offset, a local time the \
                 zone has twice or skips, and a missing deduction figure"
            } else {
                "the query stops on rows it cannot place, an area name that fits two areas, a \
                 second row for an area and day, a count that is text but no number, below 0, above 1e10 or NaN, a date that \
                 is not yyyy-mm-dd or dd.mm.yyyy, and a missing deduction figure"
            }
            .to_owned(),
        ];
        if self.night() {
            lines.insert(
                2,
                format!(
                    "{}, times without an offset in {}, only the residents at home deducted (the plan for nights){}",
                    scenario.night_settings().describe(),
                    scenario.time_zone(),
                    match self.baseline {
                        Some(reference) => format!(
                            ": per area the median present persons of the reference nights {} (every one in the table, whatever the period)",
                            reference
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None => String::new(),
                    },
                ),
            );
        }
        lines
    }

    /// How area cells are read, for the header.
    fn describe_area_codes(&self) -> String {
        let resolver = self.plan.scenario().resolver();
        let mut text = "area cells: cast to text and trimmed of white space, then a code, a \
                        label (K-3043 Ål) or a name of the scenario's areas"
            .to_owned();
        if let Some(digits) = resolver.digits() {
            text.push_str(&format!(
                ", all-digit codes padded to {digits} digits (301 is 0301)"
            ));
        }
        if !resolver.mapping().is_empty() {
            text.push_str(&format!(
                ", {} old codes mapped to the scenario's by its [area_codes] mapping",
                resolver.mapping().len(),
            ));
        }
        if let Some(code) = resolver.region() {
            text.push_str(&format!(", {code} the region's own count"));
        }
        text
    }

    /// The scenario's areas: code, name, order, per-area deductions, resident shares.
    fn areas(&self) -> String {
        let d = self.d;
        let scenario = self.plan.scenario();
        let mut columns = vec![AREA, NAME, ORDER];
        let mut per_area: Vec<&[f64]> = Vec::new();
        for deduction in Deduction::ALL {
            // A baseline's residents come from the counts (CTE `baseline`), joined later.
            if self.baseline.is_some() && deduction == Deduction::Residents {
                continue;
            }
            if let DeductionSource::PerArea(values) = scenario.deduction(deduction) {
                columns.push(deduction.key());
                per_area.push(values);
            }
        }
        let shares = self.plan.resident_shares();
        if shares.is_some() {
            columns.push(SHARE);
        }
        let rows: Vec<Vec<String>> = scenario
            .areas()
            .iter()
            .enumerate()
            .map(|(i, area)| {
                let mut row = vec![
                    d.text(area.code.as_str()),
                    d.text(&area.name),
                    i.to_string(),
                ];
                row.extend(per_area.iter().map(|v| d.double(v[i])));
                if let Some(shares) = shares {
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
        let areas = self.plan.scenario().areas();
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
            .rows()
            .iter()
            .map(|(date, area, persons)| {
                let mut row = Vec::new();
                if table.is_dated() {
                    row.push(date.map_or_else(|| "NULL".to_owned(), |v| format!("DATE '{v}'")));
                }
                if table.is_per_area() {
                    row.push(
                        area.map_or_else(|| "NULL".to_owned(), |a| d.text(areas[a].code.as_str())),
                    );
                }
                row.push(d.double(*persons));
                row
            })
            .collect();
        Some(d.values("v", &columns, &rows))
    }

    /// The counts placed among the scenario's areas (CTE `counted`, with the area table's
    /// columns) and the region's own counts (CTE `region_counted`), every cell read by the
    /// scenario's rule, and the checks that stop the query (see the module docs).
    fn counted(&self, options: &SqlOptions, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let text = d.text_type();
        let (mapped, named) = self.area_tables(ctes);

        let date = self.read_date("c");
        let table: Vec<String> = options.table.iter().map(|p| self.q(p)).collect();
        if self.night() {
            self.hourly_cells(&table.join("."), ctes);
        } else {
            ctes.push((
                "cells".to_owned(),
                format!(
                    "SELECT {date} AS {date_},\n    {cell} AS {cell_},\n    \
                     {read_count} AS {observed}\n  \
                     FROM {table} AS {c}\n  \
                     WHERE {count} IS NOT NULL AND {count_text} <> ''",
                    date_ = self.q(DATE),
                    cell = d.trim(&format!("CAST({} AS {text})", self.c("c", AREA))),
                    cell_ = self.q(CELL),
                    read_count = self.read_row_count("c", DATE),
                    count = self.c("c", COUNT),
                    count_text = self.count_text("c"),
                    observed = self.q(Line::Observed.key()),
                    table = table.join("."),
                    c = self.q("c"),
                ),
            ));
        }
        // A day that does not exist, or one outside the years deltid takes.
        let day = self.c("e", DATE);
        let day_message = d.concat(&[
            d.string("deltid: date "),
            format!("CAST({day} AS {text})"),
            d.string(&format!(
                " is not a day from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31"
            )),
        ]);
        ctes.push((
            "leads".to_owned(),
            format!(
                "SELECT {e}.*, {lead} AS {lead_},\n    \
                 CASE WHEN {day} IS NULL OR {day} < DATE '{MIN_YEAR}-01-01' \
                 OR {day} > DATE '{MAX_YEAR}-12-31' THEN {fail} ELSE {day} END AS {day_}\n  \
                 FROM {cells} AS {e}",
                e = self.q("e"),
                lead = self.lead(&self.c("e", CELL)),
                lead_ = self.q(LEAD),
                fail = d.fail_date(&day_message),
                day_ = self.q(DAY),
                cells = self.q("cells"),
            ),
        ));
        ctes.push((
            "keyed".to_owned(),
            format!(
                "SELECT {l}.*,\n    \
                 {keyed} AS {key}\n  \
                 FROM {leads} AS {l}",
                l = self.q("l"),
                keyed = self.key(&self.c("l", LEAD), &self.c("l", CELL)),
                key = self.q(KEY),
                leads = self.q("leads"),
            ),
        ));

        let (joins, resolved) = self.lookup("k", (mapped, named), true);
        let areas = self.q("areas");
        ctes.push((
            "resolved".to_owned(),
            format!(
                "SELECT {day} AS {date}, {cell}, {observed}{timed},\n    COALESCE({resolved}) AS {area}\n  \
                 FROM {keyed} AS {k}\n  {joins}",
                timed = self.timed_columns("k"),
                day = self.c("k", DAY),
                date = self.q(DATE),
                cell = self.c("k", CELL),
                observed = self.c("k", Line::Observed.key()),
                resolved = resolved.join(",\n      "),
                area = self.q(AREA),
                keyed = self.q("keyed"),
                k = self.q("k"),
                joins = joins.join("\n  "),
            ),
        ));

        // What deltid's reader refuses stops the query: rows it cannot place (with their
        // number and one of them), a second row for an area and day, a count that is no number
        // of persons (NaN compares above every number).
        ctes.push((
            "unplaced".to_owned(),
            format!(
                "SELECT COUNT(*) AS {n}, MIN({cell}) AS {cell_}\n  FROM {resolved} AS {r}\n  \
                 WHERE {area} IS NULL",
                n = self.q("n"),
                cell = self.c("r", CELL),
                cell_ = self.q(CELL),
                resolved = self.q("resolved"),
                r = self.q("r"),
                area = self.c("r", AREA),
            ),
        ));
        // By day, a second row for an area and day; at night, for an area and instant.
        let when = if self.night() { INSTANT } else { DATE };
        ctes.push((
            "repeated".to_owned(),
            // The first day repeated and, on it, the least area repeated: a pair that is in the
            // table twice (the least area and the least day of all pairs may not be one).
            format!(
                "SELECT COUNT(*) AS {n},\n    \
                 MIN(CASE WHEN {date} = {first} THEN {area} END) AS {area_},\n    \
                 MIN({first}) AS {date_}\n  \
                 FROM (SELECT {r_area} AS {area_}, {r_date} AS {date_},\n      \
                 MIN({r_date}) OVER () AS {first_}\n    \
                 FROM {resolved} AS {r}\n    \
                 GROUP BY {r_area}, {r_date} HAVING COUNT(*) > 1) AS {t}",
                n = self.q("n"),
                area = self.c("t", AREA),
                area_ = self.q(AREA),
                date = self.c("t", DATE),
                date_ = self.q(DATE),
                first = self.c("t", FIRST),
                first_ = self.q(FIRST),
                r_area = self.c("r", AREA),
                r_date = self.c("r", when),
                resolved = self.q("resolved"),
                r = self.q("r"),
                t = self.q("t"),
            ),
        ));
        let observed = self.c("r", Line::Observed.key());
        let unplaced_message = d.concat(&[
            d.string("deltid: "),
            format!("CAST({} AS {text})", self.c("u", "n")),
            d.string(" rows name no area of the scenario, such as \""),
            self.c("u", CELL),
            d.string("\""),
        ]);
        let repeated_message = d.concat(&[
            d.string("deltid: area "),
            self.shown_area(&self.c("t", AREA)),
            d.string(" has "),
            format!("CAST({} AS {text})", self.c("t", DATE)),
            d.string(if self.night() {
                " (UTC) twice (and "
            } else {
                " twice (and "
            }),
            format!("CAST({} - 1 AS {text})", self.c("t", "n")),
            d.string(if self.night() {
                " more repeated instants)"
            } else {
                " more repeated days)"
            }),
        ]);
        let count_message = d.concat(&[
            d.string("deltid: count "),
            format!("CAST({observed} AS {text})"),
            d.string(" for area "),
            self.shown_area(&self.c("r", AREA)),
            d.string(" on "),
            format!("CAST({} AS {text})", self.c("r", DATE)),
            d.string(&format!(
                " is not a number of persons from 0 to {MAX_PERSONS:.0}"
            )),
        ]);
        let checked = format!(
            "CASE WHEN {unplaced} > 0 THEN {fail_unplaced}\n      \
             WHEN {repeated} > 0 THEN {fail_repeated}\n      \
             WHEN {observed} >= {zero} AND {observed} <= {max} THEN {observed}\n      \
             ELSE {fail_count} END",
            unplaced = self.c("u", "n"),
            fail_unplaced = d.fail(&unplaced_message),
            repeated = self.c("t", "n"),
            fail_repeated = d.fail(&repeated_message),
            zero = d.double(0.0),
            max = d.double(MAX_PERSONS),
            fail_count = d.fail(&count_message),
        );
        ctes.push((
            "checked".to_owned(),
            format!(
                "SELECT {r_date} AS {date}, {r_area} AS {area}, {checked} AS {observed_}{timed}\n  \
                 FROM {resolved} AS {r}\n  CROSS JOIN {unplaced_} AS {u}\n  \
                 CROSS JOIN {repeated_} AS {t}",
                timed = self.timed_columns("r"),
                r_date = self.c("r", DATE),
                date = self.q(DATE),
                r_area = self.c("r", AREA),
                area = self.q(AREA),
                observed_ = self.q(Line::Observed.key()),
                resolved = self.q("resolved"),
                r = self.q("r"),
                unplaced_ = self.q("unplaced"),
                u = self.q("u"),
                repeated_ = self.q("repeated"),
                t = self.q("t"),
            ),
        ));
        // At night, the hourly rows reduced to one count per area and night (CTE `nights`).
        let checked = if self.night() {
            self.nights(ctes);
            "nights"
        } else {
            "checked"
        };
        // A baseline of residents at home: each area's figure joined to its rows.
        let (residents, baseline_joins) = match self.baseline {
            Some(reference) => self.baseline(reference, ctes),
            None => (String::new(), String::new()),
        };
        let period = self.period(&self.c("h", DATE));
        ctes.push((
            "counted".to_owned(),
            format!(
                "SELECT {h_date} AS {date}, {a}.*, {h_observed} AS {observed}{residents}\n  \
                 FROM {checked} AS {h}\n  JOIN {areas} AS {a} ON {a_area} = {h_area}{baseline_joins}{period}",
                h_date = self.c("h", DATE),
                date = self.q(DATE),
                a = self.q("a"),
                h_observed = self.c("h", Line::Observed.key()),
                observed = self.q(Line::Observed.key()),
                checked = self.q(checked),
                h = self.q("h"),
                a_area = self.c("a", AREA),
                h_area = self.c("h", AREA),
                period = if period.is_empty() {
                    String::new()
                } else {
                    format!("\n  WHERE {period}")
                },
            ),
        ));
        if !self.own_count() {
            return;
        }
        let region_only = format!("{} = {}", self.c("h", AREA), d.text(REGION_MARK));
        let region_where = if period.is_empty() {
            region_only
        } else {
            format!("{region_only} AND {period}")
        };
        ctes.push((
            "region_counted".to_owned(),
            format!(
                "SELECT {h_date} AS {date}, {h_observed} AS {observed}\n  \
                 FROM {checked} AS {h}\n  WHERE {region_where}",
                h_date = self.c("h", DATE),
                date = self.q(DATE),
                h_observed = self.c("h", Line::Observed.key()),
                observed = self.q(Line::Observed.key()),
                checked = self.q(checked),
                h = self.q("h"),
            ),
        ));
    }

    /// The baseline of residents at home from the night counts (CTE `nights`), as
    /// [`Plan::estimate`] takes it: per area, the median (linear between the middle two) of
    /// its present persons ([`Query::present_of`] the night count) over the `reference` nights
    /// it has a count on, whatever the period selected (CTE `baseline`: `area`, `persons`,
    /// NULL without a reference night); and the first selected area in scenario order that
    /// has night counts but none on a reference night, as the message the query stops with
    /// (CTE `baseline_missing`, one row, NULL if none). Returns the `residents` column of a
    /// row of `counted` (alias `a` the areas' columns) and the joins it needs: the area's
    /// figure, 0 for an area without one (not selected: it has nothing to estimate), or the
    /// failure.
    fn baseline(
        &self,
        reference: &[chrono::NaiveDate],
        ctes: &mut Vec<(String, String)>,
    ) -> (String, String) {
        let d = self.d;
        let text = d.text_type();
        let nights: Vec<String> = reference.iter().map(|n| format!("DATE '{n}'")).collect();
        let on_reference = if nights.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("{} IN ({})", self.c("n", DATE), nights.join(", "))
        };
        let (_, present) = self.present_of(&self.c("n", Line::Observed.key()));
        ctes.push((
            "baseline".to_owned(),
            format!(
                "SELECT {n_area} AS {area}, {median} AS {persons}\n  \
                 FROM {nights_} AS {n}\n  GROUP BY {n_area}",
                n_area = self.c("n", AREA),
                area = self.q(AREA),
                median = d.median(&format!("CASE WHEN {on_reference} THEN {present} END")),
                persons = self.q(PERSONS),
                nights_ = self.q("nights"),
                n = self.q("n"),
            ),
        ));
        // The first such area: the least zero-padded order; its code and name by it.
        let listed: Vec<String> = reference.iter().map(ToString::to_string).collect();
        let first = self.c("f", FIRST);
        let message = d.concat(&[
            d.string("deltid: area "),
            format!("SUBSTR({first}, 11)"),
            d.string(" ("),
            self.c("w", NAME),
            d.text(&format!(
                ") has no night count on any of the reference nights ({}): the baseline of residents at home needs counts of quiet nights (name nights that are counted, or use residents = \"registered\")",
                listed.join(", ")
            )),
        ]);
        ctes.push((
            "baseline_missing".to_owned(),
            format!(
                "SELECT {message} AS {message_}\n  \
                 FROM (SELECT MIN(CASE WHEN {b_persons} IS NULL THEN \
                 LPAD(CAST({y_order} AS {text}), 10, '0') || {y_area} END) AS {first_}\n    \
                 FROM {baseline} AS {b}\n    JOIN {areas} AS {y} ON {y_area} = {b_area}\n    \
                 WHERE {selected}) AS {f}\n  \
                 LEFT JOIN {areas} AS {w} ON {w_area} = SUBSTR({first}, 11)",
                message_ = self.q(MESSAGE),
                b_persons = self.c("b", PERSONS),
                y_order = self.c("y", ORDER),
                y_area = self.c("y", AREA),
                first_ = self.q(FIRST),
                baseline = self.q("baseline"),
                b = self.q("b"),
                areas = self.q("areas"),
                y = self.q("y"),
                b_area = self.c("b", AREA),
                selected = self.selected_areas(),
                f = self.q("f"),
                w = self.q("w"),
                w_area = self.c("w", AREA),
            ),
        ));
        let residents = format!(
            ",\n    CASE WHEN {message} IS NOT NULL THEN {fail}\n      \
             ELSE COALESCE({persons}, {zero}) END AS {residents}",
            message = self.c("bm", MESSAGE),
            fail = d.fail(&self.c("bm", MESSAGE)),
            persons = self.c("bl", PERSONS),
            zero = d.double(0.0),
            residents = self.q(Deduction::Residents.key()),
        );
        let joins = format!(
            "\n  LEFT JOIN {baseline} AS {bl} ON {bl_area} = {a_area}\n  \
             CROSS JOIN {missing} AS {bm}",
            baseline = self.q("baseline"),
            bl = self.q("bl"),
            bl_area = self.c("bl", AREA),
            a_area = self.c("a", AREA),
            missing = self.q("baseline_missing"),
            bm = self.q("bm"),
        );
        (residents, joins)
    }

    /// Whether the plan takes night counts: the table then holds hourly counts.
    fn night(&self) -> bool {
        self.plan.measure() == Measure::Night
    }

    /// `, alias.instant, alias.local_time` at night (the columns hourly rows carry through the
    /// placing of areas), else nothing.
    fn timed_columns(&self, alias: &str) -> String {
        if self.night() {
            format!(", {}, {}", self.c(alias, INSTANT), self.c(alias, LOCAL))
        } else {
            String::new()
        }
    }

    /// The hourly rows (CTE `cells`: `date` the local date, `cell`, `observed`, `instant` and
    /// `local_time`, both `TIMESTAMP`s) from the table's `ts`, `area` and `count`, each
    /// timestamp read as deltid's reader reads it: with an offset (`Z`, `+01:00`; a typed
    /// `TIMESTAMP WITH TIME ZONE` column is written so as text) its instant, without one a
    /// local time in the scenario's zone, refused when the zone has it twice or skips it.
    fn hourly_cells(&self, table: &str, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let text = d.text_type();
        let zone = self.plan.scenario().time_zone().to_owned();
        let raw = d.trim(&format!("CAST({} AS {text})", self.c("c", TS)));
        let stamp = self.c("s", STAMP);
        // The offset's sign, hours and minutes.
        let offset = d.group(&stamp, TIMESTAMP_PATTERN, 6);
        let minutes = format!(
            "CAST(COALESCE(NULLIF(REPLACE(SUBSTR({offset}, 4), ':', ''), ''), '0') AS INTEGER)"
        );
        let seconds = format!(
            "CASE WHEN {offset} = '' THEN NULL WHEN {offset} = 'Z' THEN 0\n      \
             ELSE (CASE WHEN SUBSTR({offset}, 1, 1) = '-' THEN -1 ELSE 1 END)\n        \
             * (CAST(SUBSTR({offset}, 2, 2) AS INTEGER) * 3600 + {minutes} * 60) END"
        );
        ctes.push((
            "stamps".to_owned(),
            format!(
                "SELECT {raw} AS {stamp_},\n    {cell} AS {cell_},\n    \
                 {read_count} AS {observed}\n  \
                 FROM {table} AS {c}\n  WHERE {count} IS NOT NULL AND {count_text} <> ''",
                stamp_ = self.q(STAMP),
                cell = d.trim(&format!("CAST({} AS {text})", self.c("c", AREA))),
                cell_ = self.q(CELL),
                read_count = self.read_row_count("c", TS),
                count = self.c("c", COUNT),
                count_text = self.count_text("c"),
                observed = self.q(Line::Observed.key()),
                c = self.q("c"),
            ),
        ));
        // The cell checked for its shape (a NULL timestamp is no time either), the local
        // time or time with the offset as written, and the offset in seconds (NULL without).
        // The date as written, yyyy-mm-dd or dd.mm.yyyy, in ISO order.
        let iso = d.group(&stamp, TIMESTAMP_PATTERN, 1);
        let date = format!(
            "CASE WHEN {iso} <> '' THEN {iso} ELSE {} || '-' || {} || '-' || {} END",
            d.group(&stamp, TIMESTAMP_PATTERN, 4),
            d.group(&stamp, TIMESTAMP_PATTERN, 3),
            d.group(&stamp, TIMESTAMP_PATTERN, 2),
        );
        let naive = format!(
            "CAST({date} || ' ' || {} AS TIMESTAMP)",
            d.group(&stamp, TIMESTAMP_PATTERN, 5),
        );
        let fail = d.fail_text(&d.concat(&[
            d.string("deltid: time \""),
            format!("COALESCE({stamp}, '')"),
            d.string(
                "\" is not a time written yyyy-mm-ddThh:mm[:ss] or dd.mm.yyyy hh:mm[:ss], with or without an offset (Z, +01:00, +0100, +01)",
            ),
        ]));
        ctes.push((
            "parts".to_owned(),
            format!(
                "SELECT {cell}, {observed},\n    \
                 CASE WHEN {stamp} IS NOT NULL AND {shape} THEN {stamp} ELSE {fail} END AS {stamp_}\n  \
                 FROM {stamps} AS {s}",
                cell = self.c("s", CELL),
                observed = self.c("s", Line::Observed.key()),
                shape = d.matches(&stamp, TIMESTAMP_PATTERN),
                stamp_ = self.q(STAMP),
                stamps = self.q("stamps"),
                s = self.q("s"),
            ),
        ));
        ctes.push((
            "stamped".to_owned(),
            format!(
                "SELECT {s}.*, {naive} AS {naive_},\n    {seconds} AS {offset_}\n  \
                 FROM {parts} AS {s}",
                s = self.q("s"),
                naive_ = self.q(NAIVE),
                offset_ = self.q(OFFSET),
                parts = self.q("parts"),
            ),
        ));
        // The instant: the time written minus its offset; without one the zone's (for a local
        // time it has twice, one of them: refused below).
        let n = self.c("i", NAIVE);
        let off = self.c("i", OFFSET);
        let instant = format!(
            "CASE WHEN {off} IS NULL THEN {zoned}\n      ELSE {n} - {interval} END",
            zoned = d.utc_of(&n, &zone),
            interval = d.seconds(&off),
        );
        ctes.push((
            "instants".to_owned(),
            format!(
                "SELECT {i}.*, {instant} AS {instant_}\n  FROM {stamped} AS {i}",
                i = self.q("i"),
                instant_ = self.q(INSTANT),
                stamped = self.q("stamped"),
            ),
        ));
        // The local time, and the zone's offsets a day before and after: a local time
        // without an offset is the zone's twice when both offsets give it back and differ,
        // and skipped when the instant chosen does not give it back.
        let t = self.c("t", INSTANT);
        let day = "INTERVAL '1 day'";
        let offset_at = |at: String| format!("{} - ({at})", d.local_of(&at, &zone));
        ctes.push((
            "timed".to_owned(),
            format!(
                "SELECT {tt}.*, {local} AS {local_},\n    \
                 {before} AS {before_},\n    {after} AS {after_}\n  \
                 FROM {instants} AS {tt}",
                tt = self.q("t"),
                local = d.local_of(&t, &zone),
                local_ = self.q(LOCAL),
                before = offset_at(format!("{t} - {day}")),
                before_ = self.q(BEFORE),
                after = offset_at(format!("{t} + {day}")),
                after_ = self.q(AFTER),
                instants = self.q("instants"),
            ),
        ));
        let n = self.c("e", NAIVE);
        let local = self.c("e", LOCAL);
        let gives_back =
            |offset: String| format!("{} = {n}", d.local_of(&format!("{n} - {offset}"), &zone));
        let local_message = |what: &str| {
            d.fail_date(&d.concat(&[
                d.string("deltid: local time \""),
                self.c("e", STAMP),
                d.text(&format!(
                    "\" {what} in {zone}: write it with its offset (such as +01:00)"
                )),
            ]))
        };
        ctes.push((
            "cells".to_owned(),
            format!(
                "SELECT CASE WHEN {off} IS NULL AND {local} <> {n} THEN {skipped}\n      \
                 WHEN {off} IS NULL AND {before} <> {after} AND {back_before} AND {back_after}\n        \
                 THEN {twice}\n      \
                 ELSE CAST({local} AS DATE) END AS {date},\n    \
                 {cell}, {observed}, {instant}, {local}\n  FROM {timed} AS {e}",
                off = self.c("e", OFFSET),
                skipped = local_message("does not exist (the clocks skip it)"),
                before = self.c("e", BEFORE),
                after = self.c("e", AFTER),
                back_before = gives_back(self.c("e", BEFORE)),
                back_after = gives_back(self.c("e", AFTER)),
                twice = local_message("occurs twice (the night the clocks go back)"),
                date = self.q(DATE),
                cell = self.c("e", CELL),
                observed = self.c("e", Line::Observed.key()),
                instant = self.c("e", INSTANT),
                timed = self.q("timed"),
                e = self.q("e"),
            ),
        ));
    }

    /// The checked hourly rows reduced to nights (CTE `nights`: `date` the evening date,
    /// `area`, `observed` the night count), by the window and rule of the plan's
    /// [`NightSettings`](deltid_model::NightSettings), as [`deltid_model::Nights::reduce`]
    /// takes them.
    fn nights(&self, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let settings = self.plan.scenario().night_settings();
        let window = settings.window;
        let local = self.c("h", LOCAL);
        let time = |t: chrono::NaiveTime| format!("TIME '{}'", t.format("%H:%M:%S"));
        let clock = format!("CAST({local} AS TIME)");
        let (start, end) = (time(window.start()), time(window.end()));
        let (inside, evening) = if window.wraps() {
            (
                format!("({clock} >= {start} OR {clock} < {end})"),
                format!(
                    "CASE WHEN {clock} >= {start} THEN CAST({local} AS DATE)\n      \
                     ELSE CAST({local} AS DATE) - 1 END"
                ),
            )
        } else {
            (
                format!("{clock} >= {start} AND {clock} < {end}"),
                format!("CAST({local} AS DATE) - 1"),
            )
        };
        let hour_column = match settings.rule {
            // The first count in time at the hour.
            NightRule::Hour(hour) => format!(
                ",\n    MIN(CASE WHEN EXTRACT(HOUR FROM {w_local}) = {hour} THEN {w_instant} END)\n      \
                 OVER (PARTITION BY {w_area}, {w_date}) AS {at_hour}",
                w_local = self.c("w", LOCAL),
                w_instant = self.c("w", INSTANT),
                w_area = self.c("w", AREA),
                w_date = self.c("w", DATE),
                at_hour = self.q(AT_HOUR),
            ),
            _ => String::new(),
        };
        ctes.push((
            "in_window".to_owned(),
            format!(
                "SELECT {evening} AS {date}, {area}, {observed}, {instant}, {local}\n  \
                 FROM {checked} AS {h}\n  WHERE {inside}",
                date = self.q(DATE),
                area = self.c("h", AREA),
                observed = self.c("h", Line::Observed.key()),
                instant = self.c("h", INSTANT),
                checked = self.q("checked"),
                h = self.q("h"),
            ),
        ));
        let value = self.c("w", Line::Observed.key());
        let (count, having) = match settings.rule {
            NightRule::Minimum => (format!("MIN({value})"), String::new()),
            NightRule::Median => (d.median(&value), String::new()),
            NightRule::Mean => (format!("AVG({value})"), String::new()),
            NightRule::Hour(_) => {
                let at = format!(
                    "MAX(CASE WHEN {} = {} THEN {value} END)",
                    self.c("w", INSTANT),
                    self.c("w", AT_HOUR)
                );
                // A night without a count at the hour has no count.
                (at.clone(), format!("\n  HAVING {at} IS NOT NULL"))
            }
        };
        ctes.push((
            "nights".to_owned(),
            format!(
                "SELECT {w_date} AS {date}, {w_area} AS {area}, {count} AS {observed}\n  \
                 FROM (SELECT {ww}.*{hour_column}\n    FROM {in_window} AS {ww}) AS {w}\n  \
                 GROUP BY {w_date}, {w_area}{having}",
                w_date = self.c("w", DATE),
                date = self.q(DATE),
                w_area = self.c("w", AREA),
                area = self.q(AREA),
                observed = self.q(Line::Observed.key()),
                ww = self.q("w"),
                in_window = self.q("in_window"),
                w = self.q("w"),
            ),
        ));
    }

    /// The scenario's old area codes (CTE `area_codes`) and area names as the resolver
    /// compares them (CTE `area_names`), each pushed when there are any: whether each was.
    fn area_tables(&self, ctes: &mut Vec<(String, String)>) -> (bool, bool) {
        let d = self.d;
        let text = d.text_type();
        let scenario = self.plan.scenario();
        let resolver = scenario.resolver();
        let mut mapping: Vec<(&String, &usize)> = resolver.mapping().iter().collect();
        mapping.sort();
        if !mapping.is_empty() {
            let rows: Vec<Vec<String>> = mapping
                .iter()
                .map(|(from, to)| vec![d.text(from), d.text(scenario.areas()[**to].code.as_str())])
                .collect();
            ctes.push((
                "area_codes".to_owned(),
                d.values("v", &[OLD_CODE, AREA], &rows),
            ));
        }
        // One row per name as the resolver compares it (deltid_model::name_key: trimmed, lower
        // case, composed), with the area it names, or NULL and the areas it fits when it fits
        // several; and one per name in its decomposed form, since the engines lower a cell as
        // it is written.
        let mut names: Vec<(String, Vec<&str>)> = Vec::new();
        for area in scenario.areas() {
            let key = deltid_model::name_key(&area.name);
            if key.is_empty() {
                continue;
            }
            match names.iter_mut().find(|n| n.0 == key) {
                Some(n) => n.1.push(area.code.as_str()),
                None => names.push((key, vec![area.code.as_str()])),
            }
        }
        let null = format!("CAST(NULL AS {text})");
        let name_rows: Vec<Vec<String>> = names
            .iter()
            .flat_map(|(key, codes)| {
                let area = match codes.as_slice() {
                    [code] => d.text(code),
                    _ => null.clone(),
                };
                let fits = d.text(&codes.join(", "));
                std::iter::once(key.clone())
                    .chain(deltid_model::decomposed_name_key(key))
                    .map(move |form| vec![d.text(&form), area.clone(), fits.clone()])
            })
            .collect();
        if !name_rows.is_empty() {
            ctes.push((
                "area_names".to_owned(),
                d.values("v", &[LOWERED, AREA, FITS], &name_rows),
            ));
        }
        (!mapping.is_empty(), !name_rows.is_empty())
    }

    /// The date of a row of the table (alias `c`): its `date` cell read as a `DATE` (a `DATE`,
    /// or text written yyyy-mm-dd or dd.mm.yyyy); any other text, or none, stops the query
    /// (the message of a missing date names the row's `area` cell).
    fn read_date(&self, c: &str) -> String {
        let d = self.d;
        let text = d.text_type();
        // Dates: a DATE, or text in the two forms that cannot be misread.
        let raw = d.trim(&format!("CAST({} AS {text})", self.c(c, DATE)));
        let date_message = d.concat(&[
            d.string("deltid: date \""),
            raw.clone(),
            d.string("\" is not a day written yyyy-mm-dd or dd.mm.yyyy"),
        ]);
        format!(
            "CASE WHEN {raw} IS NULL THEN {fail_null}\n      \
             WHEN {iso} THEN CAST(SUBSTR({raw}, 1, 10) AS DATE)\n      \
             WHEN {dotted} THEN {dotted_date}\n      \
             ELSE {fail} END",
            iso = d.matches(&raw, "^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$"),
            dotted = d.matches(&raw, "^[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}$"),
            dotted_date = d.dotted_date(&raw),
            fail = d.fail_date(&date_message),
            // The message names the row's area cell: it must not be a constant, which
            // PostgreSQL's planner would cast (and fail on) before any row is read.
            fail_null = d.fail_date(&d.concat(&[
                d.string("deltid: a row with a count has no date (area \""),
                format!(
                    "COALESCE({}, '')",
                    d.trim(&format!("CAST({} AS {text})", self.c(c, AREA)))
                ),
                d.string("\")"),
            ])),
        )
    }

    /// The `count` cell of a row of the table (alias `c`) as text, trimmed of white space
    /// (NULL for NULL).
    fn count_text(&self, c: &str) -> String {
        let d = self.d;
        d.trim(&format!("CAST({} AS {})", self.c(c, COUNT), d.text_type()))
    }

    /// A count cell's trimmed text (`text`, not NULL) as a `DOUBLE`: a number as the engines
    /// cast it (of a number column, the number; of a text column, a decimal number with a
    /// point), else the query stops naming the cell: `deltid: count "…"` then `context` (text
    /// expressions naming the row, such as its area) and `is not a number`.
    fn read_count(&self, text: &str, context: &[String]) -> String {
        let d = self.d;
        let mut message = vec![
            d.string("deltid: count \""),
            text.to_owned(),
            d.string("\""),
        ];
        message.extend_from_slice(context);
        message.push(d.string(" is not a number (a decimal number with a point, such as 1250.5)"));
        format!(
            "CASE WHEN {number} THEN CAST({text} AS {double}) ELSE {fail} END",
            number = d.matches(text, NUMBER_PATTERN),
            double = d.double_type(),
            fail = d.fail(&d.concat(&message)),
        )
    }

    /// [`Query::read_count`] of the `count` cell of a row of the table (alias `c`), the message
    /// naming its area cell and its `when` cell (`date` or `ts`) as written.
    fn read_row_count(&self, c: &str, when: &str) -> String {
        let d = self.d;
        let text = d.text_type();
        let cell = |column: &str| {
            format!(
                "COALESCE({}, '')",
                d.trim(&format!("CAST({} AS {text})", self.c(c, column)))
            )
        };
        self.read_count(
            &self.count_text(c),
            &[
                d.string(" of area \""),
                cell(AREA),
                d.string(&format!("\" at {when} \"")),
                cell(when),
                d.string("\""),
            ],
        )
    }

    /// The leading code of a trimmed area cell (`K-3043 Ål`, `3043 Ål`: `3043`), `''` if none.
    fn lead(&self, cell: &str) -> String {
        let white = self.d.white_space();
        self.d
            .extract(cell, &format!("^(?:K-[{white}]*)?([0-9]+)(?:[{white}]|$)"))
    }

    /// The code an area cell is looked up by: its leading code, padded with zeros to the
    /// scenario's digits when shorter, or the cell itself without one.
    fn key(&self, lead: &str, cell: &str) -> String {
        let resolver = self.plan.scenario().resolver();
        let padded = match resolver.digits() {
            Some(digits) => {
                format!("WHEN LENGTH({lead}) < {digits} THEN LPAD({lead}, {digits}, '0')\n      ")
            }
            None => String::new(),
        };
        format!("CASE WHEN {lead} = '' THEN {cell}\n      {padded}ELSE {lead} END")
    }

    /// The joins that place a row (alias `k`, with the columns `cell` and `key`) among the
    /// scenario's areas in the resolver's order, and the candidates whose first non-NULL is its
    /// area's code (the region's mark for the region's own code, NULL if none). `tables` says
    /// which of [`Query::area_tables`] exist; with `ambiguous_fails`, a name that fits several
    /// areas stops the query, else it places nothing.
    fn lookup(
        &self,
        k: &str,
        tables: (bool, bool),
        ambiguous_fails: bool,
    ) -> (Vec<String>, Vec<String>) {
        let d = self.d;
        let resolver = self.plan.scenario().resolver();
        let (mapped, named) = tables;
        // The lookups in the resolver's order: the region's code, the cell as a code, the key
        // through the mapping, the key as a code, the cell as a name.
        let areas = self.q("areas");
        let mut joins = vec![format!(
            "LEFT JOIN {areas} AS {x} ON {x_area} = {cell}",
            x = self.q("x"),
            x_area = self.c("x", AREA),
            cell = self.c(k, CELL),
        )];
        let mut found = Vec::new();
        if let Some(code) = resolver.region() {
            // The region's code as written, or as its key (padded to the scenario's digits).
            found.push(format!(
                "CASE WHEN {cell} = {code} OR {key} = {code} THEN {mark} END",
                cell = self.c(k, CELL),
                key = self.c(k, KEY),
                code = d.text(code.as_str()),
                mark = d.text(REGION_MARK),
            ));
        }
        found.push(self.c("x", AREA));
        if mapped {
            joins.push(format!(
                "LEFT JOIN {codes} AS {m} ON {old} = {key}",
                codes = self.q("area_codes"),
                m = self.q("m"),
                old = self.c("m", OLD_CODE),
                key = self.c(k, KEY),
            ));
            found.push(self.c("m", AREA));
        }
        joins.push(format!(
            "LEFT JOIN {areas} AS {p} ON {p_area} = {key}",
            p = self.q("p"),
            p_area = self.c("p", AREA),
            key = self.c(k, KEY),
        ));
        found.push(self.c("p", AREA));
        let mut resolved = found.clone();
        if named {
            joins.push(format!(
                "LEFT JOIN {names} AS {n} ON {lowered} = LOWER({cell})",
                names = self.q("area_names"),
                n = self.q("n"),
                lowered = self.c("n", LOWERED),
                cell = self.c(k, CELL),
            ));
            let unfound: Vec<String> = found.iter().map(|f| format!("{f} IS NULL")).collect();
            let message = d.concat(&[
                d.string("deltid: area name \""),
                self.c(k, CELL),
                d.string("\" fits more than one area ("),
                self.c("n", FITS),
                d.string("): use codes"),
            ]);
            resolved.push(if ambiguous_fails {
                format!(
                    "CASE WHEN {unfound} AND {fits} IS NOT NULL AND {n_area} IS NULL\n      \
                     THEN {fail} ELSE {n_area} END",
                    unfound = unfound.join(" AND "),
                    fits = self.c("n", FITS),
                    n_area = self.c("n", AREA),
                    fail = d.fail_text(&message),
                )
            } else {
                self.c("n", AREA)
            });
        }
        (joins, resolved)
    }

    /// A resolved area value as messages show it: the region's own rows by the scenario's
    /// `region_code`, not by the query's internal mark for them.
    fn shown_area(&self, area: &str) -> String {
        let d = self.d;
        match self.plan.scenario().resolver().region() {
            Some(code) => format!(
                "CASE WHEN {area} = {mark} THEN {code} ELSE {area} END",
                mark = d.text(REGION_MARK),
                code = d.text(code.as_str()),
            ),
            None => area.to_owned(),
        }
    }

    /// Whether the scenario names a region count of its own (the query then reads it).
    fn own_count(&self) -> bool {
        self.plan.scenario().region_code().is_some()
    }

    /// The plan's period as a condition on a date column; empty for every day.
    fn period(&self, date: &str) -> String {
        let period = self.plan.selection().period;
        let mut conditions = Vec::new();
        if let Some(from) = period.from() {
            conditions.push(format!("{date} >= DATE '{from}'"));
        }
        if let Some(to) = period.to() {
            conditions.push(format!("{date} < DATE '{to}'"));
        }
        conditions.join(" AND ")
    }

    /// Each area's share of region-level deductions by present persons (`SHARE`), as the plan
    /// takes it: the day's share of present persons (equal shares on a day with nobody
    /// present); on a day when some of the scenario's areas have no count, times the counted
    /// areas' usual share (the sum of their mean shares on the complete days), unless that is 0
    /// or there is no complete day.
    fn present_share(&self, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let by_date = format!("OVER (PARTITION BY {})", self.c("p", DATE));
        let total = format!("SUM({}) {by_date}", self.c("p", Line::Present.key()));
        let counted = format!("COUNT(*) {by_date}");
        // Every area with a count in the period (an area with none at all does not make every
        // day incomplete), as the plan counts them.
        let with_counts = format!(
            "(SELECT COUNT(DISTINCT {}) FROM {})",
            self.q(AREA),
            self.q("present")
        );
        ctes.push((
            "raw_share".to_owned(),
            format!(
                "SELECT {p}.*,\n    \
                 CASE WHEN {total} > 0 THEN {present} / {total}\n      \
                 ELSE {one} / CAST({counted} AS {double}) END AS {raw},\n    \
                 {counted} = {n} AS {complete}\n  \
                 FROM {from} AS {p}",
                p = self.q("p"),
                present = self.c("p", Line::Present.key()),
                one = d.double(1.0),
                double = d.double_type(),
                raw = self.q(RAW_SHARE),
                n = with_counts,
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

    /// The tables joined to a CTE of rows by date (and area, for the areas' rows), each
    /// table's figure a column of its own: the rows' CTE name and the tables joined.
    fn joined(
        &self,
        from: &str,
        name: &str,
        by_area: bool,
        ctes: &mut Vec<(String, String)>,
    ) -> (String, Vec<(Deduction, DeductionTable)>) {
        let scenario = self.plan.scenario();
        let mut joined: Vec<(Deduction, DeductionTable)> = Vec::new();
        for deduction in Deduction::ALL {
            // The region's own rows join its tables by date (per-area tables by date are
            // refused with a region count, see `to_sql`).
            // A deduction the plan does not make (at night, all but the residents) joins no
            // table.
            let wanted = self.plan.reach(deduction) != Reach::Nothing
                && if by_area {
                    table_dated_or_per_area(scenario.deduction(deduction))
                } else {
                    table_dated_for_region(scenario.deduction(deduction))
                };
            if let (true, DeductionSource::Table(table)) = (wanted, scenario.deduction(deduction)) {
                joined.push((deduction, table.clone()));
            }
        }
        if joined.is_empty() {
            return (from.to_owned(), joined);
        }
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
                self.q(&Self::figure(*deduction))
            ));
        }
        ctes.push((
            name.to_owned(),
            format!(
                "SELECT {}\n  FROM {} AS {}{}",
                select.join(", "),
                self.q(from),
                self.q("s"),
                joins.concat()
            ),
        ));
        (name.to_owned(), joined)
    }

    /// A table's figure on a joined row: its fill where it has none, or the error naming the
    /// first figure missing.
    fn table_figure(&self, deduction: Deduction, table: &DeductionTable, missing: &str) -> String {
        let d = self.d;
        let persons = self.c("s", &Self::figure(deduction));
        match table.fill() {
            Some(fill) => format!("COALESCE({persons}, {})", d.double(fill)),
            None => format!(
                "CASE WHEN {persons} IS NULL THEN {} ELSE {persons} END",
                d.fail(&self.c(missing, MESSAGE))
            ),
        }
    }

    /// The four deductions per area and day (CTE `deducted`), as the plan's rules take them,
    /// from `from` (which has `SHARE` when a figure is shared out) and the deduction tables;
    /// and the same for the region's own count (CTE `region_deducted`).
    fn deducted(&self, from: &str, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let scenario = self.plan.scenario();
        let share = self.c("s", SHARE);
        let (source, joined) = self.joined(from, "joined", true, ctes);
        let unfilled: Vec<&(Deduction, DeductionTable)> =
            joined.iter().filter(|(_, t)| t.fill().is_none()).collect();
        if !unfilled.is_empty() {
            ctes.push((
                "missing".to_owned(),
                self.missing(&unfilled, "joined", true),
            ));
        }
        let mut select = vec![format!("{}.*", self.q("s"))];
        for deduction in Deduction::ALL {
            let key = deduction.key();
            let value = match (self.plan.reach(deduction), scenario.deduction(deduction)) {
                (Reach::Nothing, _) => d.double(0.0),
                (_, DeductionSource::Region(persons)) => {
                    format!("{} * {share}", d.double(*persons))
                }
                (_, DeductionSource::PerArea(_)) => self.c("s", key),
                (_, DeductionSource::Table(table)) if !table.is_dated() && !table.is_per_area() => {
                    let persons = table.rows().first().map_or(0.0, |r| r.2);
                    format!("{} * {share}", d.double(persons))
                }
                (reach, DeductionSource::Table(table)) => {
                    let figure = self.table_figure(deduction, table, "z");
                    if reach == Reach::Shared {
                        format!("{figure} * {share}")
                    } else {
                        figure
                    }
                }
            };
            select.push(format!("{value} AS {}", self.q(&format!("{key}_deducted"))));
        }
        let missing = if unfilled.is_empty() {
            String::new()
        } else {
            format!("\n  CROSS JOIN {} AS {}", self.q("missing"), self.q("z"))
        };
        // The deductions under their own names, after the figures they came from.
        let mut columns = vec![
            self.c("y", DATE),
            self.c("y", AREA),
            self.c("y", NAME),
            self.c("y", ORDER),
            self.c("y", Line::Observed.key()),
            self.c("y", Line::Uplift.key()),
            self.c("y", Line::Present.key()),
        ];
        columns.extend(Deduction::ALL.map(|dd| {
            format!(
                "{} AS {}",
                self.c("y", &format!("{}_deducted", dd.key())),
                self.q(dd.key())
            )
        }));
        ctes.push((
            "deducted".to_owned(),
            format!(
                "SELECT {}\n  FROM (SELECT {}\n    FROM {} AS {}{missing}) AS {}",
                columns.join(", "),
                select.join(",\n      "),
                self.q(&source),
                self.q("s"),
                self.q("y"),
            ),
        ));

        if !self.own_count() {
            return;
        }
        // The region's own count: its own figures, whole.
        let (source, joined) = self.joined("region_present", "region_joined", false, ctes);
        let unfilled: Vec<&(Deduction, DeductionTable)> =
            joined.iter().filter(|(_, t)| t.fill().is_none()).collect();
        if !unfilled.is_empty() {
            ctes.push((
                "region_missing".to_owned(),
                self.missing(&unfilled, "region_joined", false),
            ));
        }
        let mut select = vec![
            self.c("s", DATE),
            self.c("s", Line::Observed.key()),
            self.c("s", Line::Uplift.key()),
            self.c("s", Line::Present.key()),
        ];
        // A day for the figures of undated rules: they hold on every day.
        let any_day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        for deduction in Deduction::ALL {
            let value = match scenario.deduction(deduction) {
                DeductionSource::Table(table)
                    if self.plan.reach(deduction) != Reach::Nothing
                        && table_dated_for_region(scenario.deduction(deduction)) =>
                {
                    self.table_figure(deduction, table, "z")
                }
                // A baseline: the region's own figure is every area's summed, as for figures
                // per area.
                _ if self.baseline.is_some() && deduction == Deduction::Residents => format!(
                    "COALESCE((SELECT SUM({persons}) FROM {baseline} AS {b} \
                     JOIN {areas} AS {a} ON {a_area} = {b_area}), {zero})",
                    persons = self.c("b", PERSONS),
                    baseline = self.q("baseline"),
                    b = self.q("b"),
                    areas = self.q("areas"),
                    a = self.q("a"),
                    a_area = self.c("a", AREA),
                    b_area = self.c("b", AREA),
                    zero = d.double(0.0),
                ),
                // Undated: one figure for every day (refused above when it is missing).
                _ => d.double(
                    self.plan
                        .region_figure(deduction, any_day)
                        .unwrap_or(f64::NAN),
                ),
            };
            select.push(format!("{value} AS {}", self.q(deduction.key())));
        }
        let missing = if unfilled.is_empty() {
            String::new()
        } else {
            format!(
                "\n  CROSS JOIN {} AS {}",
                self.q("region_missing"),
                self.q("z")
            )
        };
        ctes.push((
            "region_deducted".to_owned(),
            format!(
                "SELECT {}\n  FROM {} AS {}{missing}",
                select.join(",\n    "),
                self.q(&source),
                self.q("s"),
            ),
        ));
    }

    /// The error deltid gives for the first missing figure of the rows of `joined`, as one
    /// row of one text column ([`MESSAGE`], NULL when no figure is missing): of the first
    /// deduction (in the plan's order) that lacks a figure, the first day, and on that day (for
    /// the areas' rows) the first area in scenario order. The first is found as the least of
    /// `date || order || area`, dates and the zero-padded order as text sorting as they do as
    /// numbers.
    fn missing(
        &self,
        unfilled: &[&(Deduction, DeductionTable)],
        joined: &str,
        by_area: bool,
    ) -> String {
        let d = self.d;
        let text = d.text_type();
        let mut firsts = Vec::new();
        let mut messages = Vec::new();
        for (deduction, table) in unfilled {
            let first = format!("{}_first", deduction.key());
            let mut sort = vec![format!("CAST({} AS {text})", self.c("j", DATE))];
            let per_area = table.is_per_area() && by_area;
            if per_area {
                sort.push(format!(
                    "LPAD(CAST({} AS {text}), 10, '0')",
                    self.c("j", ORDER)
                ));
                sort.push(self.c("j", AREA));
            }
            firsts.push(format!(
                "MIN(CASE WHEN {} IS NULL THEN {} END) AS {}",
                self.c("j", &Self::figure(*deduction)),
                d.concat(&sort),
                self.q(&first),
            ));
            let first = self.c("f", &first);
            // As deltid_model::Error::MissingDeductionDate reads.
            let mut parts = vec![d.text(&format!(
                "deltid: {}: no {} figure for ",
                table.path().display(),
                deduction.key()
            ))];
            let dated = table.is_dated();
            if dated {
                parts.push(format!("SUBSTR({first}, 1, 10)"));
            }
            if per_area {
                parts.push(d.string(if dated { ", area " } else { "area " }));
                parts.push(format!("SUBSTR({first}, 21)"));
            } else if !dated {
                parts.push(d.string("the region"));
            }
            parts.push(d.string(deltid_model::missing_figure_advice(deduction.key())));
            // NULL when the first is: text || NULL is NULL in every dialect.
            messages.push(d.concat(&parts));
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
            joined = self.q(joined),
            j = self.q("j"),
            f = self.q("f"),
        )
    }

    /// The region's days by the plan's region rule (CTE `region_days`: date and the eight
    /// lines): with rows of its own count, those; else the sums of the selected areas on the
    /// days every one of them with a count in the period is counted.
    fn region(&self, ctes: &mut Vec<(String, String)>) {
        let selected = self.selected_areas();
        // Every selected area with a count in the period, as the estimate counts them.
        let with_counts = format!(
            "(SELECT COUNT(DISTINCT {}) FROM {} AS {} WHERE {selected})",
            self.c("y", AREA),
            self.q("daily"),
            self.q("y"),
        );
        let lines: Vec<&str> = Line::ALL.iter().map(|l| l.key()).collect();
        let sums: Vec<String> = lines
            .iter()
            .map(|l| format!("SUM({}) AS {}", self.c("y", l), self.q(l)))
            .collect();
        ctes.push((
            "area_sum_days".to_owned(),
            format!(
                "SELECT {date}, {sums}\n  FROM {daily} AS {y}\n  WHERE {selected}\n  \
                 GROUP BY {date}\n  HAVING COUNT(*) = {n}",
                date = self.c("y", DATE),
                sums = sums.join(", "),
                daily = self.q("daily"),
                y = self.q("y"),
                selected = selected,
                n = with_counts,
            ),
        ));
        let own: Vec<String> = std::iter::once(self.c("o", DATE))
            .chain(lines.iter().take(7).map(|l| self.c("o", l)))
            .chain([format!(
                "{} AS {}",
                self.residual("o"),
                self.q(Line::PartTime.key())
            )])
            .collect();
        let columns: Vec<String> = std::iter::once(DATE)
            .chain(lines.iter().copied())
            .map(|c| self.c("w", c))
            .collect();
        let Some(own_rule) = self.own_rule() else {
            ctes.push((
                "region_days".to_owned(),
                format!("SELECT * FROM {}", self.q("area_sum_days")),
            ));
            return;
        };
        ctes.push((
            "region_days".to_owned(),
            format!(
                "SELECT {columns}\n  FROM (SELECT {own} FROM {region} AS {o}) AS {w}\n  \
                 WHERE {own_rule}\n  UNION ALL\n  \
                 SELECT {sum_columns}\n  FROM {area_sum} AS {v}\n  WHERE NOT ({own_rule})",
                columns = columns.join(", "),
                own = own.join(", "),
                region = self.q("region_deducted"),
                o = self.q("o"),
                w = self.q("w"),
                sum_columns = std::iter::once(DATE)
                    .chain(lines.iter().copied())
                    .map(|c| self.c("v", c))
                    .collect::<Vec<_>>()
                    .join(", "),
                area_sum = self.q("area_sum_days"),
                v = self.q("v"),
            ),
        ));
    }

    /// The condition under which the region's days are its own count's: rows of it in the
    /// table and every area selected (it stands for the whole region only); `None` without a
    /// region code.
    fn own_rule(&self) -> Option<String> {
        if !self.own_count() {
            return None;
        }
        Some(if self.plan.selects_all() {
            format!("(SELECT COUNT(*) FROM {}) > 0", self.q("region_deducted"))
        } else {
            "1 = 0".to_owned()
        })
    }

    /// A condition on the `y` rows: the area is one of the selected ones.
    fn selected_areas(&self) -> String {
        let d = self.d;
        if self.plan.selects_all() {
            return "1 = 1".to_owned();
        }
        let areas = self.plan.scenario().areas();
        let codes: Vec<String> = self
            .plan
            .selected()
            .iter()
            .map(|&i| d.text(areas[i].code.as_str()))
            .collect();
        format!("{} IN ({})", self.c("y", AREA), codes.join(", "))
    }

    /// The daily rows: each selected area's days, by area in scenario order then date, then
    /// the region's days.
    fn select_daily(&self) -> String {
        let d = self.d;
        let lines: Vec<&str> = Line::ALL.iter().map(|l| l.key()).collect();
        let area_columns: Vec<String> = [DATE, AREA, NAME]
            .into_iter()
            .chain(lines.iter().copied())
            .map(|c| self.c("y", c))
            .chain([self.c("y", ORDER)])
            .collect();
        let region_columns: Vec<String> = std::iter::once(self.c("r", DATE))
            .chain([
                format!("CAST(NULL AS {}) AS {}", d.text_type(), self.q(AREA)),
                format!("{} AS {}", d.text(&self.plan.region_name()), self.q(NAME)),
            ])
            .chain(lines.iter().map(|c| self.c("r", c)))
            .chain([format!(
                "{} AS {}",
                self.plan.scenario().areas().len(),
                self.q(ORDER)
            )])
            .collect();
        let out: Vec<String> = [DATE, AREA, NAME]
            .into_iter()
            .chain(lines.iter().copied())
            .map(|c| self.c("u", c))
            .collect();
        format!(
            "SELECT {out}\nFROM (\n  SELECT {areas} FROM {daily} AS {y} WHERE {selected}\n  \
             UNION ALL\n  SELECT {region} FROM {region_days} AS {r}\n) AS {u}\n\
             ORDER BY {order}, {date}",
            out = out.join(", "),
            areas = area_columns.join(", "),
            daily = self.q("daily"),
            y = self.q("y"),
            selected = self.selected_areas(),
            region = region_columns.join(", "),
            region_days = self.q("region_days"),
            r = self.q("r"),
            u = self.q("u"),
            order = self.c("u", ORDER),
            date = self.c("u", DATE),
        )
    }

    /// One row per selected area, then one for the region: days, first and last day, the
    /// means, guest-nights per year.
    fn select_summary(&self, ctes: &mut Vec<(String, String)>) -> String {
        let d = self.d;
        let y = |column: &str| self.c("y", column);
        let lines: Vec<&str> = Line::ALL.iter().map(|l| l.key()).collect();
        let per_year = d.double(PLAN_DAYS_PER_YEAR);
        let mut columns = vec![
            format!("{} AS {}", y(AREA), self.q(AREA)),
            format!("{} AS {}", y(NAME), self.q(NAME)),
            format!("{} AS {}", y(ORDER), self.q(ORDER)),
            format!("COUNT(*) AS {}", self.q(DAYS)),
            format!("MIN({}) AS {}", y(DATE), self.q(FIRST)),
            format!("MAX({}) AS {}", y(DATE), self.q(LAST)),
        ];
        columns.extend(
            lines
                .iter()
                .map(|l| format!("AVG({}) AS {}", y(l), self.q(l))),
        );
        columns.push(format!(
            "AVG({}) * {per_year} AS {}",
            y(Line::PartTime.key()),
            self.q(GUEST_NIGHTS_PER_YEAR_PLAN)
        ));
        ctes.push((
            "area_rows".to_owned(),
            format!(
                "SELECT {}\n  FROM {} AS {}\n  WHERE {}\n  GROUP BY {}, {}, {}",
                columns.join(",\n    "),
                self.q("daily"),
                self.q("y"),
                self.selected_areas(),
                y(AREA),
                y(NAME),
                y(ORDER),
            ),
        ));
        // The region's means: its areas' means summed, or its own count's.
        let r = |column: &str| self.c("r", column);
        let summed: Vec<String> = lines
            .iter()
            .map(|l| format!("SUM({}) AS {}", self.c("a", l), self.q(l)))
            .collect();
        ctes.push((
            "region_sums".to_owned(),
            format!(
                "SELECT {}, SUM({}) AS {}\n  FROM {} AS {}",
                summed.join(", "),
                self.c("a", GUEST_NIGHTS_PER_YEAR_PLAN),
                self.q(GUEST_NIGHTS_PER_YEAR_PLAN),
                self.q("area_rows"),
                self.q("a"),
            ),
        ));
        let own_rule = self.own_rule().unwrap_or_else(|| "1 = 0".to_owned());
        let means: Vec<String> = lines
            .iter()
            .map(|l| {
                format!(
                    "CASE WHEN {own_rule} THEN AVG({}) ELSE MAX({}) END AS {}",
                    r(l),
                    self.c("s", l),
                    self.q(l)
                )
            })
            .collect();
        ctes.push((
            "region_row".to_owned(),
            format!(
                "SELECT CAST(NULL AS {text}) AS {area}, {name} AS {name_}, {order} AS {order_},\n    \
                 COUNT({r_date}) AS {days}, MIN({r_date}) AS {first}, MAX({r_date}) AS {last},\n    \
                 {means},\n    \
                 CASE WHEN {own_rule} THEN AVG({r_part}) * {per_year} ELSE MAX({s_year}) END AS {year}\n  \
                 FROM {region_sums} AS {s}\n  LEFT JOIN {region_days} AS {rr} ON 1 = 1",
                text = d.text_type(),
                area = self.q(AREA),
                name = d.text(&self.plan.region_name()),
                name_ = self.q(NAME),
                order = self.plan.scenario().areas().len(),
                order_ = self.q(ORDER),
                r_date = r(DATE),
                days = self.q(DAYS),
                first = self.q(FIRST),
                last = self.q(LAST),
                means = means.join(",\n    "),
                r_part = r(Line::PartTime.key()),
                s_year = self.c("s", GUEST_NIGHTS_PER_YEAR_PLAN),
                year = self.q(GUEST_NIGHTS_PER_YEAR_PLAN),
                region_sums = self.q("region_sums"),
                s = self.q("s"),
                region_days = self.q("region_days"),
                rr = self.q("r"),
            ),
        ));
        let out: Vec<String> = [AREA, NAME, DAYS, FIRST, LAST]
            .into_iter()
            .chain(lines.iter().copied())
            .chain([GUEST_NIGHTS_PER_YEAR_PLAN])
            .map(|c| self.c("u", c))
            .collect();
        // The region's row is an aggregate without GROUP BY: one row even without counts; it
        // is kept when some area has counts.
        format!(
            "SELECT {}\nFROM (\n  SELECT * FROM {}\n  UNION ALL\n  SELECT * FROM {}\n) AS {}\n\
             WHERE {} IS NOT NULL OR EXISTS (SELECT 1 FROM {})\nORDER BY {}",
            out.join(", "),
            self.q("area_rows"),
            self.q("region_row"),
            self.q("u"),
            self.c("u", AREA),
            self.q("area_rows"),
            self.c("u", ORDER),
        )
    }
}

/// Whether a deduction is a table joined to the areas' rows: by date, by area, or both.
fn table_dated_or_per_area(source: &DeductionSource) -> bool {
    matches!(source, DeductionSource::Table(t) if t.is_dated() || t.is_per_area())
}

/// Whether a deduction is a table joined to the region's own rows: by date, not by area.
fn table_dated_for_region(source: &DeductionSource) -> bool {
    matches!(source, DeductionSource::Table(t) if t.is_dated() && !t.is_per_area())
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
        // Invisible characters by code point, so the query stays plain text.
        assert_eq!(Dialect::DuckDb.text("a\u{2009}"), "('a' || chr(8201))");
        assert_eq!(Dialect::Spark.text("a\u{2009}"), "concat('a', '\\u2009')");
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

    // PostgreSQL casts a constant at planning time, even in a CASE branch never taken: a
    // failing cast of a constant message stopped every PostgreSQL query ("a row with a count
    // has no date"). Every message literal of the PostgreSQL query is joined to a value of a
    // row, never cast on its own.
    #[test]
    fn no_postgres_failure_is_a_constant() {
        let toml = "uplift = 0.06\nregion_code = \"REG\"\n[deductions]\nresidents = 10\n\
                    commuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"0001\"\n\
                    name = \"A\"\n[[area]]\ncode = \"0002\"\nname = \"A\"\n[area_codes]\n\
                    digits = 4\n";
        let scenarios = [
            crate::read_scenario("../../data/hallingdal/plan-2021.toml"),
            crate::read_scenario("../../data/hallingdal/ssb-2023-table.toml"),
            // Night counts: the hourly reading's messages too.
            crate::read_scenario("../../data/hourly/scenario.toml"),
            crate::scenario_from_toml(toml, std::path::Path::new("s.toml")),
            // A baseline of residents at home: its message too.
            crate::scenario_from_toml(
                "uplift = 0.06\n[night]\nresidents = \"baseline\"\nreference = [\"2024-01-08\"]\n\
                 [deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\n\
                 code = \"0001\"\nname = \"A\"\nresidents = 10\n",
                std::path::Path::new("b.toml"),
            ),
        ];
        for scenario in scenarios {
            let scenario = scenario.unwrap_or_else(|e| panic!("{e}"));
            let plan = Plan::new(&scenario, &crate::Selection::default())
                .unwrap_or_else(|e| panic!("{e}"));
            for rows in [Rows::Summary, Rows::Daily] {
                let options = SqlOptions::new("counts", rows).unwrap_or_else(|e| panic!("{e}"));
                let sql =
                    to_sql(&plan, Dialect::Postgres, &options).unwrap_or_else(|e| panic!("{e}"));
                let mut failures = 0;
                for (at, _) in sql.match_indices("CAST('deltid: ") {
                    failures += 1;
                    let literal = &sql[at + "CAST(".len()..];
                    // The literal's end: a quote not doubled.
                    let mut chars = literal.char_indices().skip(1).peekable();
                    let mut end = None;
                    while let Some((i, c)) = chars.next() {
                        if c == '\'' {
                            if chars.peek().map(|p| p.1) == Some('\'') {
                                chars.next();
                            } else {
                                end = Some(i);
                                break;
                            }
                        }
                    }
                    let after = end.map_or("", |e| &literal[e + 1..]);
                    assert!(
                        after.starts_with(" ||"),
                        "a constant message is cast: {}",
                        &literal[..literal.len().min(120)]
                    );
                }
                assert!(failures > 0, "the messages are found");
            }
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
