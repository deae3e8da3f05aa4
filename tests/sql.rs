//! `deltid sql`: the emitted query, run by a real SQL engine, gives deltid's own estimate.
//!
//! DuckDB runs in every test run, through Python's `duckdb` module (tests/requirements.txt:
//! `python3 -m pip install -r tests/requirements.txt`); without it these tests fail. PostgreSQL
//! runs the same cases when asked to (not in CI):
//!
//! - `DELTID_TEST_POSTGRES="host=/tmp/pg port=54329 user=postgres"`: a libpq connection
//!   string for `psql` (PostgreSQL 15 or later; a temporary table is used; a UTF-8 database
//!   whose `LOWER` lowers non-ASCII letters, as `Ål`, e.g. locale `C.UTF-8`).
//!
//! Without it, the PostgreSQL text is checked for its dialect's details only. Spark is not run
//! here (no Spark on the machines these tests run on); its text is checked for its dialect's
//! details.

use std::path::{Path, PathBuf};
use std::process::Command;

use deltid::sql::{Dialect, Rows, SqlOptions, to_sql};
use deltid::{
    AreaSummary, CountsOptions, Estimate, Plan, PlanTable, RegionRule, Selection, Summary,
    TableRow, read_counts, read_scenario,
};

use crate::util::{EPS, assert_close, data, deltid, folder, stderr, stdout};

const INSTALL: &str = "python3 -m pip install -r tests/requirements.txt";

/// Loads the counts CSV (date, area, count) as table `counts`, the area column of the SQL type
/// argv[3], and runs the query; prints each row tab-separated, floats in full precision. Exit 3
/// without the duckdb module. With argv[4], the CSV holds hourly counts (ts, area, count), the
/// `ts` column of that SQL type, read with the session's time zone argv[5].
const DUCKDB: &str = r#"
import sys
try:
    import duckdb
except ImportError as e:
    print(e, file=sys.stderr)
    sys.exit(3)
con = duckdb.connect()
if len(sys.argv) > 4:
    con.execute("SET TimeZone = '" + sys.argv[5] + "'")
    first = "'ts': '" + sys.argv[4] + "'"
else:
    first = "'date': 'DATE'"
con.execute("CREATE TABLE counts AS SELECT * FROM read_csv(?, header = true, "
            "columns = {" + first + ", 'area': '" + sys.argv[3] + "', 'count': 'DOUBLE'})",
            [sys.argv[1]])
rows = con.execute(open(sys.argv[2], encoding="utf-8").read()).fetchall()
for row in rows:
    print("\t".join(repr(v) if isinstance(v, float) else str(v) for v in row))
"#;

/// The SQL type of the counts table's `area` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AreaColumn {
    /// Text, codes as written in the CSV file.
    Text,
    /// A whole number, as a CSV of bare codes is typed by DuckDB's `read_csv` (`0301` reads
    /// as 301): the leading zeros are lost.
    Integer,
}

impl AreaColumn {
    /// The type's name in `engine`'s SQL.
    fn sql_type(self, engine: &Engine) -> &'static str {
        match (self, engine) {
            (AreaColumn::Text, Engine::DuckDb) => "VARCHAR",
            (AreaColumn::Text, Engine::Postgres(_)) => "TEXT",
            (AreaColumn::Integer, _) => "BIGINT",
        }
    }
}

/// The SQL type of an hourly counts table's `ts` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TsColumn {
    /// Text as written in the CSV file.
    Text,
    /// `TIMESTAMP WITH TIME ZONE` (every cell written with an offset).
    WithZone,
    /// `TIMESTAMP` (every cell a local time of the scenario's zone).
    Local,
}

impl TsColumn {
    fn sql_type(self, engine: &Engine) -> &'static str {
        match (self, engine) {
            (TsColumn::Text, Engine::DuckDb) => "VARCHAR",
            (TsColumn::Text, Engine::Postgres(_)) => "TEXT",
            (TsColumn::WithZone, _) => "TIMESTAMPTZ",
            (TsColumn::Local, _) => "TIMESTAMP",
        }
    }
}

/// A SQL engine to run the queries on.
#[derive(Clone, Debug)]
enum Engine {
    DuckDb,
    Postgres(String),
}

impl Engine {
    fn dialect(&self) -> Dialect {
        match self {
            Engine::DuckDb => Dialect::DuckDb,
            Engine::Postgres(_) => Dialect::Postgres,
        }
    }

    /// DuckDB always; PostgreSQL when its variable is set.
    fn all() -> Vec<Engine> {
        let mut engines = vec![Engine::DuckDb];
        if let Ok(conn) = std::env::var("DELTID_TEST_POSTGRES") {
            engines.push(Engine::Postgres(conn));
        }
        engines
    }

    /// Runs `sql` on the counts in `counts` (CSV: date, area, count; area as text): the rows
    /// as text fields, or the engine's error message.
    fn run(&self, sql: &str, counts: &Path) -> Result<Vec<Vec<String>>, String> {
        self.run_as(sql, counts, AreaColumn::Text)
    }

    /// [`Engine::run`] with the area column of type `area`.
    fn run_as(
        &self,
        sql: &str,
        counts: &Path,
        area: AreaColumn,
    ) -> Result<Vec<Vec<String>>, String> {
        self.run_table(sql, counts, area, None)
    }

    /// Runs `sql` on hourly counts in `counts` (CSV: ts, area, count; area as text), the `ts`
    /// column of the engine's type for `ts`, read in a session whose time zone is `session`.
    fn run_hourly(
        &self,
        sql: &str,
        counts: &Path,
        ts: TsColumn,
        session: &str,
    ) -> Result<Vec<Vec<String>>, String> {
        self.run_table(sql, counts, AreaColumn::Text, Some((ts, session)))
    }

    fn run_table(
        &self,
        sql: &str,
        counts: &Path,
        area: AreaColumn,
        hourly: Option<(TsColumn, &str)>,
    ) -> Result<Vec<Vec<String>>, String> {
        let area = area.sql_type(self);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let query = dir.path().join("query.sql");
        let output = match self {
            Engine::DuckDb => {
                std::fs::write(&query, sql).expect("the query is written");
                let mut command = Command::new("python3");
                command
                    .arg("-c")
                    .arg(DUCKDB)
                    .arg(counts)
                    .arg(&query)
                    .arg(area);
                if let Some((ts, session)) = hourly {
                    command.arg(ts.sql_type(self)).arg(session);
                }
                let output = command
                    .output()
                    .unwrap_or_else(|e| panic!("cannot run python3 ({e}): {INSTALL}"));
                assert_ne!(
                    output.status.code(),
                    Some(3),
                    "the SQL tests need DuckDB for Python ({}): run `{INSTALL}`",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                output
            }
            Engine::Postgres(conn) => {
                let counts = counts.display().to_string().replace('\'', "''");
                let (first, session) = match hourly {
                    Some((ts, session)) => (format!("ts {}", ts.sql_type(self)), session),
                    None => ("date DATE".to_owned(), "UTC"),
                };
                let script = format!(
                    "SET TIME ZONE '{session}';\n\
                     CREATE TEMPORARY TABLE counts ({first}, area {area}, count DOUBLE PRECISION);\n\
                     \\copy counts FROM '{counts}' CSV HEADER\n{sql}"
                );
                std::fs::write(&query, script).expect("the query is written");
                Command::new("psql")
                    .args([
                        "-X",
                        "-q",
                        "-A",
                        "-t",
                        "-F",
                        "\t",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-d",
                    ])
                    .arg(conn)
                    .arg("-f")
                    .arg(&query)
                    .env("PGCLIENTENCODING", "UTF8")
                    .output()
                    .expect("psql runs")
            }
        };
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect())
    }
}

/// One field of an expected row.
#[derive(Debug)]
enum Field {
    Text(String),
    Number(f64),
    /// SQL's NULL: `None` from Python, an empty field from psql.
    Null,
}

/// Asserts the engine's rows equal deltid's: text fields exactly, numbers within [`EPS`]
/// relative to their size (sums are taken in another order).
#[track_caller]
fn assert_rows(engine: &Engine, case: &str, actual: &[Vec<String>], expected: &[Vec<Field>]) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{engine:?} {case}: number of rows"
    );
    for (i, (got, want)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(got.len(), want.len(), "{engine:?} {case}: row {i}: {got:?}");
        for (j, (got, want)) in got.iter().zip(want).enumerate() {
            match want {
                Field::Text(text) => {
                    assert_eq!(got, text, "{engine:?} {case}: row {i}, column {j}")
                }
                Field::Null => assert!(
                    got == "None" || got.is_empty(),
                    "{engine:?} {case}: row {i}, column {j}: expected NULL, got {got:?}"
                ),
                Field::Number(number) => {
                    let value: f64 = got.parse().unwrap_or_else(|_| {
                        panic!("{engine:?} {case}: row {i}, column {j}: {got:?} is no number")
                    });
                    let scale = number.abs().max(1.0);
                    assert!(
                        (value - number).abs() <= EPS * scale,
                        "{engine:?} {case}: row {i}, column {j}: expected {number}, got {value}"
                    );
                }
            }
        }
    }
}

/// deltid's summary rows: area, name, days, first, last, the eight means, guest-nights/year;
/// one per area, then the region's (area NULL).
fn summary_rows(summary: &Summary) -> Vec<Vec<Field>> {
    let row = |a: &AreaSummary| {
        let mut row = vec![
            a.code()
                .map_or(Field::Null, |c| Field::Text(c.as_str().to_owned())),
            Field::Text(a.name().to_owned()),
            Field::Number(f64::from(a.days())),
            a.first()
                .map_or(Field::Null, |d| Field::Text(d.to_string())),
            a.last().map_or(Field::Null, |d| Field::Text(d.to_string())),
        ];
        row.extend(a.mean().to_array().map(Field::Number));
        row.push(Field::Number(a.guest_nights_per_year_plan()));
        row
    };
    summary
        .areas()
        .iter()
        .chain([summary.region()])
        .map(row)
        .collect()
}

/// deltid's daily rows: date, area (NULL for the region), name and the eight lines, in the
/// order of `deltid estimate --daily` (each area's days, then the region's).
fn daily_rows(estimate: &Estimate) -> Vec<Vec<Field>> {
    deltid::analysis::daily_rows(estimate)
        .map(|day| {
            let mut row = vec![
                Field::Text(day.date.to_string()),
                day.area
                    .as_ref()
                    .map_or(Field::Null, |c| Field::Text(c.as_str().to_owned())),
                Field::Text(day.name.clone()),
            ];
            row.extend(day.lines.to_array().map(Field::Number));
            row
        })
        .collect()
}

/// The query for a scenario file, over all its areas.
fn query(scenario: &Path, dialect: Dialect, options: &SqlOptions) -> deltid::Result<String> {
    let scenario = read_scenario(scenario)?;
    let plan = Plan::new(&scenario, &Selection::default())?;
    to_sql(&plan, dialect, options)
}

/// deltid's estimate of a scenario on counts, read as `deltid estimate` reads them (area
/// cells resolved by the scenario's `[area_codes]`).
fn estimate(scenario: &Path, counts: &Path) -> deltid::Result<Estimate> {
    let scenario = read_scenario(scenario)?;
    let counts = read_counts(counts, &CountsOptions::default(), &scenario)?;
    Plan::new(&scenario, &Selection::default())?.estimate(&counts)
}

/// Runs a scenario on counts through deltid and through every engine, summary and daily, and
/// asserts they agree; returns deltid's summary and the rows of DuckDB's summary query.
fn check(case: &str, scenario: &Path, counts: &Path) -> (Summary, Vec<Vec<String>>) {
    check_as(case, scenario, counts, AreaColumn::Text)
}

/// [`check`] with the counts table's area column of type `area`.
fn check_as(
    case: &str,
    scenario: &Path,
    counts: &Path,
    area: AreaColumn,
) -> (Summary, Vec<Vec<String>>) {
    let estimate = estimate(scenario, counts).expect("deltid estimates");
    let summary = estimate.summary();
    let mut duckdb = Vec::new();
    for engine in Engine::all() {
        for (rows, expected) in [
            (Rows::Summary, summary_rows(&summary)),
            (Rows::Daily, daily_rows(&estimate)),
        ] {
            let options = SqlOptions::new("counts", rows).expect("a table name");
            let sql = query(scenario, engine.dialect(), &options).expect("a query");
            let actual = engine
                .run_as(&sql, counts, area)
                .unwrap_or_else(|e| panic!("{engine:?} {case} {rows:?}: the query fails: {e}"));
            assert_rows(&engine, &format!("{case} {rows:?}"), &actual, &expected);
            if matches!(engine, Engine::DuckDb) && rows == Rows::Summary {
                duckdb = actual;
            }
        }
    }
    (summary, duckdb)
}

fn column(rows: &[Vec<String>], at: usize) -> Vec<f64> {
    rows.iter()
        .map(|r| r[at].parse().expect("a number"))
        .collect()
}

// The plan's table from the query's region row (the last): the region's means are its areas'
// means summed (here all six are counted every day, so that is also the mean of the region's
// daily sums). The table rounds each line: 46 724 + 2 803 − 23 000 = 26 527 a day, × 365 =
// 9 682 355 (the plan's figure). Without the rounding, the areas' guest-nights per year add up
// to 26 527.44 × 365 = 9 682 516 (README: "the plan's rule gives 9 682 516 (exact)").
#[test]
fn plan_2021_in_sql_equals_the_estimate_and_gives_the_plans_figure() {
    let (summary, rows) = check(
        "plan-2021",
        &data("hallingdal/plan-2021.toml"),
        &data("hallingdal/counts.csv"),
    );
    assert_eq!(rows.len(), 7, "six areas and the region");
    let (areas, region) = rows.split_at(6);
    assert_eq!(region[0][0], "None");
    assert_eq!(region[0][1], "Hallingdal");
    let at = |at: usize| column(region, at)[0];
    let mean = deltid::DayLines::from_array(std::array::from_fn(|i| at(5 + i)));
    for line in 5..14 {
        assert_close(column(areas, line).iter().sum::<f64>(), at(line));
    }
    let table = PlanTable::new(&mean, summary.uplift());
    assert_eq!(table.row(TableRow::Observed).rounded, 46_724);
    assert_eq!(table.row(TableRow::Uplift).rounded, 2_803);
    assert_eq!(table.row(TableRow::GuestNightsPerDay).rounded, 26_527);
    assert_eq!(table.row(TableRow::GuestNightsPerYear).rounded, 9_682_355);
    assert_eq!(at(13).round(), 9_682_516.0);
    assert_eq!(
        summary
            .region()
            .table()
            .row(TableRow::GuestNightsPerYear)
            .rounded,
        9_682_355
    );
}

#[test]
fn residents_per_area_and_resident_share_in_sql() {
    check(
        "ssb-2020",
        &data("hallingdal/ssb-2020.toml"),
        &data("hallingdal/counts.csv"),
    );
}

#[test]
fn residents_from_an_undated_per_area_table_in_sql() {
    check(
        "ssb-2023-table",
        &data("hallingdal/ssb-2023-table.toml"),
        &data("hallingdal/counts.csv"),
    );
}

/// The Hallingdal counts with area-days left out: every 7th row, and Hemsedal (3042) for all
/// of January 2020, so that many days are incomplete.
fn with_gaps() -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(data("hallingdal/counts.csv")).expect("the counts");
    let mut lines = text.lines();
    let mut kept = vec![lines.next().expect("a header").to_owned()];
    for (i, line) in lines.enumerate() {
        if i % 7 == 3 || (line.starts_with("2020-01-") && line.contains(",3042,")) {
            continue;
        }
        kept.push(line.to_owned());
    }
    let dir = folder(&[("counts.csv", &(kept.join("\n") + "\n"))]);
    let path = dir.path().join("counts.csv");
    (dir, path)
}

#[test]
fn incomplete_days_take_the_usual_share_in_sql() {
    let (_dir, counts) = with_gaps();
    let (summary, _) = check(
        "plan-2021 with gaps",
        &data("hallingdal/plan-2021.toml"),
        &counts,
    );
    // The gaps matter: the areas have different numbers of days, and some days are short.
    assert!(summary.incomplete_region_days() > 100);
    assert_ne!(summary.areas()[0].days(), summary.areas()[3].days());
    check(
        "ssb-2020 with gaps",
        &data("hallingdal/ssb-2020.toml"),
        &counts,
    );
}

/// Three areas, six days: a region figure from an undated table, a dated region table, a
/// dated per-area table with a fill, per-area residents, scaling factors, an area missing on
/// two days, a day with nobody counted, and a name with a quote.
const SMALL_SCENARIO: &str = r#"
name = "Small's"
uplift = 0.10
[deductions]
commuters = { table = "commuters.csv" }
transit = { table = "transit.csv" }
day_visitors = { table = "day_visitors.csv", fill = 0 }
[[area]]
code = "0001"
name = "A's"
residents = 50
[[area]]
code = "0002"
name = "B \"quoted\""
residents = 100
[[area]]
code = "0003"
name = "Cé\\d"
residents = 10
[scaling]
deduplication = 0.9
market_share = 0.6
"#;

const SMALL_COUNTS: &str = "\
date,area,count
2020-02-27,0001,100
2020-02-27,0002,200
2020-02-27,0003,30
2020-02-28,0001,100
2020-02-28,0002,200
2020-02-29,0001,200
2020-02-29,0002,100
2020-02-29,0003,10
2020-03-01,0001,0
2020-03-01,0002,0
2020-03-01,0003,0
2020-03-02,0001,150
2020-03-02,0002,50
2020-03-03,0001,150.5
2020-03-03,0002,51
2020-03-03,0003,20
";

const SMALL_TRANSIT: &str = "date,persons\n2020-02-27,10\n2020-02-28,10\n2020-02-29,20\n\
2020-03-01,0\n2020-03-02,40\n2020-03-03,5\n";

fn small(transit: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    small_with(SMALL_SCENARIO, transit)
}

/// [`small`] with another scenario text.
fn small_with(scenario: &str, transit: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = folder(&[
        ("scenario.toml", scenario),
        ("counts.csv", SMALL_COUNTS),
        ("commuters.csv", "persons\n30\n"),
        ("transit.csv", transit),
        (
            "day_visitors.csv",
            "date,area,persons\n2020-02-29,0001,5\n2020-03-01,0002,7\n2020-03-03,0003,2\n",
        ),
    ]);
    let scenario = dir.path().join("scenario.toml");
    let counts = dir.path().join("counts.csv");
    (dir, scenario, counts)
}

#[test]
fn deduction_tables_scaling_and_odd_names_in_sql() {
    let (_dir, scenario, counts) = small(SMALL_TRANSIT);
    let (summary, rows) = check("small", &scenario, &counts);
    assert_eq!(summary.areas().len(), 3);
    assert_eq!(rows[0][1], "A's");
    assert_eq!(rows[1][1], "B \"quoted\"");
    assert_eq!(rows[2][1], "Cé\\d");
}

// deltid refuses a day the transit table lacks; the query must stop too, naming the day,
// rather than give a mean over the other days.
#[test]
fn a_day_missing_from_a_deduction_table_stops_the_query() {
    let (_dir, scenario, counts) = small(&SMALL_TRANSIT.replace("2020-03-02,40\n", ""));
    let refused = estimate(&scenario, &counts).map(|_| ());
    assert!(
        matches!(refused, Err(deltid::Error::MissingDeductionDate { .. })),
        "{refused:?}"
    );
    for engine in Engine::all() {
        for rows in [Rows::Summary, Rows::Daily] {
            let options = SqlOptions::new("counts", rows).expect("a table name");
            let sql = query(&scenario, engine.dialect(), &options).expect("a query");
            let error = engine.run(&sql, &counts).expect_err("the query must fail");
            assert!(
                error.contains("no transit figure for 2020-03-02"),
                "{engine:?}: {error}"
            );
        }
    }
}

/// Two areas and the region's own count (`REG`), uplift 25 %, residents 1 000 for the region,
/// transit from a table by date for the region.
const OWN_SCENARIO: &str = r#"
name = "Valley"
uplift = 0.25
region_code = "REG"
[deductions]
residents = 1000
commuters = 0
transit = { table = "transit.csv" }
day_visitors = 0
[[area]]
code = "0001"
name = "A"
[[area]]
code = "0002"
name = "B"
"#;

const OWN_COUNTS: &str = "\
date,area,count
2020-01-01,0001,1000
2020-01-01,0002,500
2020-01-01,REG,1200
2020-01-02,0001,1000
2020-01-02,0002,500
2020-01-02,REG,1200
2020-01-03,0001,1000
2020-01-03,REG,1440
2020-01-04,0001,1000
2020-01-04,0002,500
";

// Changed on purpose: the query used to refuse a scenario with a `region_code`
// (Error::InvalidScenario, key `region_code`). It now reads the region's own count as deltid
// does (RegionRule::OwnCount): the region's present persons from its own rows, its deductions
// its own figures, its days those with its own count.
//
// By hand: the region has its own count on the 1st to the 3rd (1 200, 1 200, 1 440), present
// × 1.25 = 1 500, 1 500, 1 800; minus residents 1 000 and transit 100, 200, 300: 400, 300 and
// 500 guest-nights, a mean of 400 a day, 146 000 a year. The 4th has no count of the region:
// an incomplete region day. The areas' own means summed would be another figure (about 631):
// A's 1 250 − 2/3 of (1 000 + transit), B's 625 − 1/3 of it, each over its own days.
#[test]
fn a_region_count_of_its_own_in_sql() {
    let dir = folder(&[
        ("own.toml", OWN_SCENARIO),
        ("counts.csv", OWN_COUNTS),
        (
            "transit.csv",
            "date,persons\n2020-01-01,100\n2020-01-02,200\n2020-01-03,300\n2020-01-04,400\n",
        ),
    ]);
    let (scenario, counts) = (dir.path().join("own.toml"), dir.path().join("counts.csv"));
    let (summary, rows) = check("own count", &scenario, &counts);
    assert_eq!(summary.region_rule(), RegionRule::OwnCount);
    assert_eq!(summary.incomplete_region_days(), 1);
    // The areas' observed summed over the region's own on the days both areas are counted:
    // 1 500 ÷ 1 200 on the 1st and the 2nd.
    assert_eq!(summary.overlap(), Some(1.25));
    assert_eq!(rows.len(), 3, "two areas and the region");
    assert_eq!((rows[0][2].as_str(), rows[1][2].as_str()), ("4", "3"));
    let region = &rows[2];
    assert_eq!(
        (region[0].as_str(), region[2].as_str(), region[3].as_str()),
        ("None", "3", "2020-01-01")
    );
    assert_eq!(region[4], "2020-01-03");
    let number = |at: usize| region[at].parse::<f64>().expect("a number");
    assert_close(number(5), 1_280.0);
    assert_close(number(7), 1_600.0);
    assert_close(number(8), 1_000.0);
    assert_close(number(10), 200.0);
    assert_close(number(12), 400.0);
    assert_close(number(13), 146_000.0);
    let summed: f64 = column(&rows[..2], 12).iter().sum();
    assert!((summed - 400.0).abs() > 200.0, "{summed}");

    // Without rows of the region's own count in the table, the region is the sum of its
    // areas, in the query as in deltid.
    let without: String = OWN_COUNTS
        .lines()
        .filter(|l| !l.ends_with(",REG,1200") && !l.ends_with(",REG,1440"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&counts, without).expect("written");
    let (summary, rows) = check("own count, no rows of it", &scenario, &counts);
    assert_eq!(summary.region_rule(), RegionRule::SumOfAreas);
    assert_close(
        column(&rows[..2], 12).iter().sum(),
        column(&rows[2..], 12)[0],
    );
}

// Regression: with `digits`, the region's numeric code was compared as written while area
// codes were padded: region_code "1" beside area "1" (0001) took that area's rows as the
// region's own count, and region_code "0099" did not take rows written 99. Now "1" is refused
// as an area's code, and 99 is the region's, in deltid and in the query alike.
#[test]
fn a_numeric_region_code_is_padded_as_area_codes_are() {
    let scenario = |region: &str| {
        OWN_SCENARIO
            .replace(
                "region_code = \"REG\"",
                &format!("region_code = \"{region}\""),
            )
            .replace("code = \"0001\"", "code = \"1\"")
            + "[area_codes]\ndigits = 4\n"
    };
    let dir = folder(&[
        ("padded.toml", &scenario("0099")),
        ("clash.toml", &scenario("1")),
        ("counts.csv", &OWN_COUNTS.replace(",REG,", ",99,")),
        (
            "transit.csv",
            "date,persons\n2020-01-01,100\n2020-01-02,200\n2020-01-03,300\n2020-01-04,400\n",
        ),
    ]);
    let err = read_scenario(dir.path().join("clash.toml")).unwrap_err();
    assert!(
        err.to_string()
            .contains("`region_code`: \"1\" is an area's code (0001 with 4 digits)"),
        "{err}"
    );
    let (summary, rows) = check(
        "region 0099, rows 99",
        &dir.path().join("padded.toml"),
        &dir.path().join("counts.csv"),
    );
    // As in a_region_count_of_its_own_in_sql: 400 guest-nights a day from the region's own.
    assert_eq!(summary.region_rule(), RegionRule::OwnCount);
    assert_close(rows[2][12].parse::<f64>().expect("a number"), 400.0);
}

// What the query cannot do with the region's own count: a per-area deduction table by date
// (the region's figure is then every area's summed day by day). It is refused with
// Error::Unsupported, on the command line too (exit 1, nothing on stdout), rather than give
// another region figure than deltid's; deltid's estimate takes the scenario.
#[test]
fn a_region_count_with_a_per_area_table_by_date_is_refused() {
    let toml = OWN_SCENARIO.replace(
        "transit = { table = \"transit.csv\" }",
        "transit = { table = \"transit.csv\", fill = 0 }",
    );
    let dir = folder(&[
        ("own.toml", &toml),
        ("counts.csv", OWN_COUNTS),
        (
            "transit.csv",
            "date,area,persons\n2020-01-01,0001,60\n2020-01-02,0002,40\n",
        ),
    ]);
    let scenario = dir.path().join("own.toml");
    let err = query(&scenario, Dialect::DuckDb, &SqlOptions::default()).unwrap_err();
    assert!(matches!(&err, deltid::Error::Unsupported { .. }), "{err:?}");
    let message = err.to_string();
    // The library's message names no command; the command line adds the hint.
    assert!(
        message.contains("transit.csv") && message.contains("with deltid itself"),
        "{message}"
    );
    assert!(!message.contains("deltid estimate"), "{message}");
    // deltid's estimate: the region's transit is the areas' figures summed, 60 on the 1st and
    // 40 on the 2nd, 0 on the 3rd (fill): 1 500 − 1 000 − 60 = 440, 1 500 − 1 000 − 40 = 460,
    // 1 800 − 1 000 = 800; a mean of 1 700 ÷ 3 a day.
    let summary = estimate(&scenario, &dir.path().join("counts.csv"))
        .expect("deltid estimates")
        .summary();
    assert_close(summary.region().mean().part_time(), 1_700.0 / 3.0);
    let output = deltid(
        dir.path(),
        &["sql", "--scenario", "own.toml", "--dialect", "postgres"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot write the SQL query"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("hint: run `deltid estimate --scenario FILE`"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
}

/// Spark SQL without its string literals (`'…'`, backslash escapes) and comment lines.
fn spark_code(sql: &str) -> String {
    let mut code = String::new();
    for line in sql.lines().filter(|l| !l.starts_with("--")) {
        let (mut quoted, mut escaped) = (false, false);
        for ch in line.chars() {
            match (quoted, escaped, ch) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '\'') => quoted = false,
                (true, false, _) => {}
                (false, _, '\'') => quoted = true,
                (false, _, ch) => code.push(ch),
            }
        }
        code.push('\n');
    }
    code
}

#[test]
fn each_dialect_quotes_and_casts_its_own_way() {
    let options = SqlOptions::new("Warehouse.telecom counts", Rows::Summary).expect("a name");
    let sql =
        |dialect| query(&data("hallingdal/ssb-2020.toml"), dialect, &options).expect("a query");
    let (duckdb, postgres, spark) = (
        sql(Dialect::DuckDb),
        sql(Dialect::Postgres),
        sql(Dialect::Spark),
    );
    for text in [&duckdb, &postgres] {
        assert!(text.contains("FROM \"Warehouse\".\"telecom counts\" AS \"c\""));
        assert!(text.contains("\"c\".\"count\""));
        assert!(!text.contains('`'));
    }
    assert!(duckdb.contains("AS DOUBLE)") && !duckdb.contains("DOUBLE PRECISION"));
    assert!(postgres.contains("AS DOUBLE PRECISION)") && postgres.contains("AS TEXT)"));
    assert!(spark.contains("FROM `Warehouse`.`telecom counts` AS `c`"));
    assert!(spark.contains("`c`.`count`") && spark.contains("AS STRING)"));
    assert!(
        !spark_code(&spark).contains('"'),
        "Spark quotes identifiers with backticks"
    );
    assert!(spark.contains("FROM VALUES"));
    for text in [&duckdb, &postgres, &spark] {
        assert!(!text.to_uppercase().contains("FILTER"));
        assert!(text.contains("DATE") && text.trim_end().ends_with(';'));
        assert_eq!(text.matches(';').count(), 1, "one statement");
    }
    let (_dir, small, _) = small(SMALL_TRANSIT);
    let spark = query(&small, Dialect::Spark, &SqlOptions::default()).expect("a query");
    assert!(spark.contains("'A\\'s'") && spark.contains("raise_error("));
    let postgres = query(&small, Dialect::Postgres, &SqlOptions::default()).expect("a query");
    assert!(postgres.contains("'A''s'") && postgres.contains("DATE '2020-03-02'"));
}

#[test]
fn sql_on_the_command_line() {
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml");
    let scenario = scenario.to_str().expect("a UTF-8 path");
    let args = |extra: &[&'static str]| {
        let mut args = vec!["sql", "--scenario", scenario, "--dialect", "spark"];
        args.extend_from_slice(extra);
        args
    };
    let printed = deltid(dir.path(), &args(&["--daily", "--table", "db.counts"]));
    assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
    let library = query(
        Path::new(scenario),
        Dialect::Spark,
        &SqlOptions::new("db.counts", Rows::Daily).expect("a name"),
    )
    .expect("a query");
    assert_eq!(stdout(&printed), library);

    let written = deltid(dir.path(), &args(&["--output", "q.sql"]));
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(
        std::fs::read_to_string(dir.path().join("q.sql"))
            .expect("the file")
            .contains("GROUP BY")
    );
    let again = deltid(dir.path(), &args(&["--output", "q.sql"]));
    assert_eq!(
        again.status.code(),
        Some(2),
        "no --force: {}",
        stderr(&again)
    );
    let forced = deltid(dir.path(), &args(&["--output", "q.sql", "--force"]));
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    let bad = deltid(dir.path(), &args(&["--table", "db..counts"]));
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("table name"));
}

/// The Hallingdal counts with each line's area code rewritten by `rewrite` (line number from 0,
/// code).
fn rewritten(rewrite: impl Fn(usize, &str) -> String) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(data("hallingdal/counts.csv")).expect("the counts");
    let mut lines = text.lines();
    let mut out = vec![lines.next().expect("a header").to_owned()];
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        out.push(format!(
            "{},{},{}",
            fields[0],
            rewrite(i, fields[1]),
            fields[2]
        ));
    }
    let dir = folder(&[("counts.csv", &(out.join("\n") + "\n"))]);
    let path = dir.path().join("counts.csv");
    (dir, path)
}

// The tester's case: Hol's rows under its 2024 code 3330, which plan-2021.toml's codes.csv maps
// to 3044. The query joined the raw codes, so Hol's rows were dropped (five rows, not six) and
// the other five areas took all of the region's deductions.
#[test]
fn old_area_codes_in_the_counts_are_mapped_in_sql() {
    let (_dir, counts) = rewritten(|_, code| {
        if code == "3044" {
            "3330".to_owned()
        } else {
            code.to_owned()
        }
    });
    let (summary, rows) = check(
        "plan-2021, Hol as 3330",
        &data("hallingdal/plan-2021.toml"),
        &counts,
    );
    assert_eq!(rows.len(), 7, "six areas and the region");
    assert_eq!(rows[5][0], "3044");
    assert_eq!(
        summary
            .region()
            .table()
            .row(TableRow::GuestNightsPerYear)
            .rounded,
        9_682_355
    );
}

// Every way deltid reads an area cell, as the area resolver does: codes with surrounding
// spaces, codes that lost their leading zero (padded to `digits = 4`, then mapped), old codes
// through the mapping, Statistics Norway's labels and names in any case and either Unicode form.
#[test]
fn area_labels_names_and_short_codes_resolve_in_sql() {
    let (_dir, counts) = rewritten(|i, code| {
        let variants: &[&str] = match code {
            "3039" => &["615", "0615", "3320", "K-3039 Flå", "3039"],
            "3040" => &[" 3040 ", "K-3040", "3322"],
            "3041" => &["gol", "GOL", "3041 Gol"],
            // Tabs and no-break spaces around a cell are trimmed, as deltid trims them.
            "3042" => &[
                "Hemsedal",
                "618",
                "3042",
                "\tK-3042 Hemsedal",
                "Hemsedal\u{a0}",
            ],
            // Ål with the ring as a combining mark (Unicode's decomposed form), in any case.
            "3043" => &["K-3043 Ål", "Ål", "3328", "A\u{30a}l", "A\u{30a}L"],
            _ => &["620", "3044"],
        };
        variants[i % variants.len()].to_owned()
    });
    let (_, rows) = check(
        "plan-2021, codes as labels, names, old and short codes",
        &data("hallingdal/plan-2021.toml"),
        &counts,
    );
    assert_eq!(rows.len(), 7);
}

/// Two areas with four-digit codes, one of them without a count on the second day.
const DIGITS_SCENARIO: &str = r#"
name = "Digits"
uplift = 0.06
[deductions]
residents = 100
commuters = 10
transit = 5
day_visitors = { table = "day_visitors.csv" }
[[area]]
code = "0301"
name = "Oslo"
[[area]]
code = "0615"
name = "Flå"
[area_codes]
digits = 4
"#;

// The tester's second case: codes with a leading zero in a column DuckDB reads as BIGINT
// (0301 is 301). The query compared "301" with "0301" and dropped every row.
#[test]
fn an_integer_area_column_is_padded_to_the_scenarios_digits_in_sql() {
    let dir = folder(&[
        ("scenario.toml", DIGITS_SCENARIO),
        (
            "counts.csv",
            "date,area,count\n2021-01-01,301,1000\n2021-01-01,615,200\n\
             2021-01-02,301,1100\n2021-01-03,301,900\n2021-01-03,615,250\n",
        ),
        (
            "day_visitors.csv",
            "date,persons\n2021-01-01,10\n2021-01-02,20\n2021-01-03,30\n",
        ),
    ]);
    let (summary, rows) = check_as(
        "digits = 4, integer area column",
        &dir.path().join("scenario.toml"),
        &dir.path().join("counts.csv"),
        AreaColumn::Integer,
    );
    assert_eq!(summary.areas().len(), 2);
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[0][0].as_str(), rows[1][0].as_str()), ("0301", "0615"));
}

// Changed on purpose: the region's row used to be its own mean over the region's days (the
// areas counted that day, summed), which with gaps was another figure than the sum of the area
// rows. It is now, as in every output of deltid, the sum of the areas' means (each area over
// its own days), so the region's guest-nights per year are the sum of its areas'; its days,
// first and last day are those with every area counted.
#[test]
fn the_summary_ends_with_the_regions_row_as_deltid_computes_it() {
    let (_dir, counts) = with_gaps();
    let (summary, rows) = check(
        "plan-2021 with gaps",
        &data("hallingdal/plan-2021.toml"),
        &counts,
    );
    let (areas, region) = rows.split_at(rows.len() - 1);
    assert_eq!(areas.len(), 6);
    assert_eq!(
        (region[0][0].as_str(), region[0][1].as_str()),
        ("None", "Hallingdal")
    );
    // The days with all six areas, counted from the file by hand.
    let text = std::fs::read_to_string(&counts).expect("the counts");
    let mut per_day = std::collections::BTreeMap::<&str, usize>::new();
    for line in text.lines().skip(1) {
        *per_day.entry(&line[..10]).or_default() += 1;
    }
    let complete: Vec<&str> = per_day
        .iter()
        .filter(|(_, n)| **n == 6)
        .map(|(d, _)| *d)
        .collect();
    assert!(complete.len() < per_day.len());
    assert_eq!(region[0][2], complete.len().to_string());
    assert_eq!(region[0][2], summary.region().days().to_string());
    assert_eq!(
        (region[0][3].as_str(), region[0][4].as_str()),
        (complete[0], complete[complete.len() - 1])
    );
    assert_eq!(
        summary.incomplete_region_days() as usize,
        per_day.len() - complete.len()
    );
    for line in 5..14 {
        assert_close(
            column(areas, line).iter().sum::<f64>(),
            column(region, line)[0],
        );
    }
    assert_close(column(region, 12)[0], summary.region().mean().part_time());
}

/// The deltid error for `scenario` on `counts`, and each engine's error for the query, summary
/// and daily.
fn refusals(scenario: &Path, counts: &Path) -> (deltid::Error, Vec<(String, String)>) {
    let refused = estimate(scenario, counts)
        .map(|_| ())
        .expect_err("deltid refuses the counts");
    let mut errors = Vec::new();
    for engine in Engine::all() {
        for rows in [Rows::Summary, Rows::Daily] {
            let options = SqlOptions::new("counts", rows).expect("a table name");
            let sql = query(scenario, engine.dialect(), &options).expect("a query");
            let error = engine.run(&sql, counts).expect_err("the query must fail");
            errors.push((format!("{engine:?} {rows:?}"), error));
        }
    }
    (refused, errors)
}

// The tester's case: DuckDB named the last of the days a table lacks (2021-02-28), the estimate
// the first (2021-02-26). The query names the one deltid names: the first deduction (in the
// plan's order) that lacks a figure, its first day, and on that day the first area in
// scenario order.
#[test]
fn a_missing_deduction_figure_names_the_first_day_missing() {
    let day_visitors = "date,area,persons\n2020-02-29,0001,5\n2020-03-01,0002,7\n";
    let no_fill = SMALL_SCENARIO.replace(
        "{ table = \"day_visitors.csv\", fill = 0 }",
        "{ table = \"day_visitors.csv\" }",
    );
    let transit_gaps = SMALL_TRANSIT
        .replace("2020-02-28,10\n", "")
        .replace("2020-03-02,40\n", "")
        .replace("2020-03-03,5\n", "");
    let cases = [
        (
            "transit",
            SMALL_SCENARIO,
            transit_gaps.as_str(),
            "no transit figure for 2020-02-28 ",
        ),
        (
            "day visitors",
            no_fill.as_str(),
            SMALL_TRANSIT,
            "no day_visitors figure for 2020-02-27, area 0001 ",
        ),
        (
            "both",
            no_fill.as_str(),
            transit_gaps.as_str(),
            "no transit figure for 2020-02-28 ",
        ),
    ];
    for (case, scenario, transit, expected) in cases {
        let (dir, scenario, counts) = small_with(scenario, transit);
        std::fs::write(dir.path().join("day_visitors.csv"), day_visitors).expect("written");
        let (refused, errors) = refusals(&scenario, &counts);
        let deltid_says = refused.to_string();
        assert!(
            deltid_says.contains(expected),
            "{case}: deltid: {deltid_says}"
        );
        for (engine, error) in errors {
            assert!(
                error.contains(&format!("deltid: {deltid_says}")),
                "{case}, {engine}: {error}\nexpected: {deltid_says}"
            );
        }
    }
    // A table of residents by area without dates, one area left out: named without a date,
    // and without the advice of `fill = 0`, which would count every resident as a guest.
    let by_table = SMALL_SCENARIO
        .replace(
            "[deductions]\n",
            "[deductions]\nresidents = { table = \"residents.csv\" }\n",
        )
        .replace("residents = 50\n", "")
        .replace("residents = 100\n", "")
        .replace("residents = 10\n", "");
    let (dir, scenario, counts) = small_with(&by_table, SMALL_TRANSIT);
    std::fs::write(
        dir.path().join("residents.csv"),
        "area,persons\n0001,50\n0003,10\n",
    )
    .expect("written");
    let (refused, errors) = refusals(&scenario, &counts);
    let deltid_says = refused.to_string();
    assert!(
        deltid_says.ends_with("residents.csv: no residents figure for area 0002 (add a row)"),
        "deltid: {deltid_says}"
    );
    for (engine, error) in errors {
        assert!(
            error.contains(&format!("deltid: {deltid_says}")),
            "residents, {engine}: {error}\nexpected: {deltid_says}"
        );
    }
}

// deltid refuses negative, NaN and infinite counts; the query stops on them too (it used to
// take them as persons), naming the area and day. Changed on purpose: the message no longer
// sends the user to `deltid validate` (the query checks the counts itself); it says what a
// count must be.
#[test]
fn a_negative_or_nan_count_stops_the_query() {
    for (bad, shown) in [("-5", "-5"), ("NaN", "nan")] {
        let counts = SMALL_COUNTS.replace("2020-02-29,0002,100", &format!("2020-02-29,0002,{bad}"));
        let (dir, scenario, _) = small(SMALL_TRANSIT);
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, counts).expect("written");
        let (refused, errors) = refusals(&scenario, &path);
        assert!(
            refused.to_string().contains("persons"),
            "{bad}: deltid: {refused}"
        );
        for (engine, error) in errors {
            assert!(
                error.contains("deltid: count ")
                    && error.to_lowercase().contains(shown)
                    && error.contains("area 0002 on 2020-02-29")
                    && error.contains("is not a number of persons from 0 to 10000000000"),
                "{bad}, {engine}: {error}"
            );
        }
    }
}

// A count without a date: deltid refuses it, and the query stops, naming the row's area. The
// message used to be a constant, which PostgreSQL casts while planning: every PostgreSQL
// query stopped with it, whatever the table held.
#[test]
fn a_count_without_a_date_stops_the_query() {
    let (dir, scenario, _) = small(SMALL_TRANSIT);
    let path = dir.path().join("undated.csv");
    std::fs::write(&path, SMALL_COUNTS.to_owned() + ",0002,40\n").expect("written");
    let (refused, errors) = refusals(&scenario, &path);
    assert!(refused.to_string().contains("date"), "{refused}");
    for (engine, error) in errors {
        assert!(
            error.contains("deltid: a row with a count has no date (area \"0002\")"),
            "{engine}: {error}"
        );
    }
}

// A second row for an area and day (the old query counted it twice, and its header said so):
// deltid refuses it, and the query stops too, naming a pair that is in the table twice: the
// first day repeated and on it the least area. It named the least area and the least day of
// all pairs, here "area 0001 has 2020-02-29 twice", which 0001 has not.
#[test]
fn a_repeated_area_day_stops_the_query() {
    let (dir, scenario, _) = small(SMALL_TRANSIT);
    let path = dir.path().join("twice.csv");
    // 0002 on 2020-02-29 as a code and as a label, and 0001 on 2020-03-02 twice: two areas,
    // each with a day twice.
    std::fs::write(
        &path,
        SMALL_COUNTS.to_owned() + "2020-02-29,K-0002,100\n2020-03-02,0001,1\n",
    )
    .expect("written");
    let (refused, errors) = refusals(&scenario, &path);
    assert!(
        matches!(
            refused,
            deltid::Error::DuplicateRow { .. } | deltid::Error::Many { .. }
        ),
        "{refused}"
    );
    for (engine, error) in errors {
        assert!(
            error.contains("deltid: area 0002 has 2020-02-29 twice (and 1 more repeated days)"),
            "{engine}: {error}"
        );
    }
}

// The region's own rows are named by its `region_code` in the query's messages, as deltid
// names them; they were named by the query's internal mark for them (a control character and
// "region").
#[test]
fn the_regions_own_rows_are_named_by_its_code_when_the_query_stops() {
    let dir = folder(&[
        ("own.toml", OWN_SCENARIO),
        (
            "transit.csv",
            "date,persons\n2020-01-01,100\n2020-01-02,200\n2020-01-03,300\n2020-01-04,400\n",
        ),
    ]);
    let scenario = dir.path().join("own.toml");
    let counts = dir.path().join("counts.csv");
    let cases = [
        (
            OWN_COUNTS.to_owned() + "2020-01-02, REG ,1\n",
            "deltid: area REG has 2020-01-02 twice (and 0 more repeated days)",
        ),
        (
            OWN_COUNTS.replace("2020-01-02,REG,1200", "2020-01-02,REG,-3"),
            " for area REG on 2020-01-02 is not a number of persons",
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(&counts, text).expect("written");
        let (refused, errors) = refusals(&scenario, &counts);
        assert!(
            matches!(
                refused,
                deltid::Error::DuplicateRow { .. } | deltid::Error::NegativeNumber { .. }
            ),
            "{refused}"
        );
        for (engine, error) in errors {
            assert!(
                error.contains(expected) && !error.contains("region has"),
                "{engine}: {error}"
            );
        }
    }
}

// A name that fits two of the scenario's areas is refused by deltid; the query stops too, as
// it cannot know which area the row is for.
#[test]
fn an_ambiguous_area_name_stops_the_query() {
    let scenario = "uplift = 0.06\n[deductions]\nresidents = 10\ncommuters = 0\ntransit = 0\n\
                    day_visitors = 0\n[[area]]\ncode = \"3034\"\nname = \"Nes\"\n\
                    [[area]]\ncode = \"3228\"\nname = \"Nes\"\n";
    let dir = folder(&[
        ("nes.toml", scenario),
        (
            "counts.csv",
            "date,area,count\n2021-01-01,3034,50\n2021-01-01,nes,60\n",
        ),
    ]);
    let (refused, errors) = refusals(&dir.path().join("nes.toml"), &dir.path().join("counts.csv"));
    assert!(
        matches!(refused, deltid::Error::AmbiguousArea { .. }),
        "{refused}"
    );
    for (engine, error) in errors {
        assert!(
            error.contains("deltid: area name \"nes\" fits more than one area (3034, 3228)"),
            "{engine}: {error}"
        );
    }
}

// Changed on purpose: rows of areas the scenario does not list (and rows without an area)
// used to be left out silently, so that one national table served every region's query. The
// query now stops as deltid does, saying how many rows it cannot place and showing one (the
// least), so that a misspelt code is never dropped unnoticed; a national table is filtered
// to the region's rows first (a view, named with `--table`).
#[test]
fn rows_the_scenario_cannot_place_stop_the_query() {
    let (_dir, scenario, counts) = small(SMALL_TRANSIT);
    // Four rows: another municipality, an unknown code, an empty cell, a name of no area.
    let national = SMALL_COUNTS.to_owned()
        + "2020-02-27,0301,5000\n2020-02-28,9999,1\n2020-02-28,,3\n2020-02-28,Oslo,9\n";
    let path = counts.with_file_name("national.csv");
    std::fs::write(&path, national).expect("written");
    let (refused, errors) = refusals(&scenario, &path);
    assert!(
        matches!(
            refused,
            deltid::Error::UnknownArea { .. }
                | deltid::Error::EmptyArea { .. }
                | deltid::Error::Many { .. }
        ),
        "{refused}"
    );
    for (engine, error) in errors {
        assert!(
            error.contains("deltid: 4 rows name no area of the scenario, such as \"0301\""),
            "{engine}: {error}"
        );
    }
    // The region's own rows filtered out of the national table give deltid's estimate.
    check("small", &scenario, &counts);
}

// Changed on purpose: the query's header used to list what it did not check (rows of unknown
// areas left out, a second row for an area and day counted twice: check with `deltid
// validate`). The query now checks them itself; its header says what stops it, and how it
// reads area cells.
#[test]
fn the_query_says_what_stops_it_and_how_it_reads_areas() {
    let sql = query(
        &data("hallingdal/plan-2021.toml"),
        Dialect::DuckDb,
        &SqlOptions::default(),
    )
    .expect("a query");
    let header: String = sql
        .lines()
        .take_while(|l| l.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    for words in [
        "rows it cannot place",
        "second row for an area and day",
        "a missing deduction figure",
        "12 old codes mapped",
        "padded to 4 digits",
    ] {
        assert!(header.contains(words), "{words:?} in\n{header}");
    }
    assert!(!header.contains("left out") && !header.contains("counted twice"));
}

// `--table ''` said "invalid selection", which is about periods and areas.
#[test]
fn an_empty_table_name_is_reported_as_such() {
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml");
    let scenario = scenario.to_str().expect("a UTF-8 path");
    for (table, expected) in [("", "empty table name"), ("db..counts", "empty part")] {
        let output = deltid(
            dir.path(),
            &[
                "sql",
                "--scenario",
                scenario,
                "--dialect",
                "duckdb",
                "--table",
                table,
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let error = stderr(&output);
        assert!(
            error.contains(expected) && error.contains("--table") && !error.contains("selection"),
            "{table:?}: {error}"
        );
        assert!(stdout(&output).is_empty());
    }
}

// ---- Night counts: hourly counts reduced to nights in SQL (issue 16, part 1) ----

/// A scenario of Hol and Gol for nights: 2 500 residents each, commuters, transit and day
/// visitors that the plan for nights does not deduct, `[night]` with `window` and `rule`.
fn night_scenario(uplift: f64, window: &str, rule: &str) -> String {
    night_scenario_with(uplift, window, rule, "")
}

/// [`night_scenario`] with more lines in `[night]` (such as a baseline's).
fn night_scenario_with(uplift: f64, window: &str, rule: &str, night: &str) -> String {
    format!(
        "name = \"Two\"\nuplift = {uplift}\ntime_zone = \"Europe/Oslo\"\n\
         [night]\nwindow = \"{window}\"\nrule = \"{rule}\"\n{night}\
         [deductions]\ncommuters = 100\ntransit = 50\nday_visitors = 70\n\
         [[area]]\ncode = \"3044\"\nname = \"Hol\"\nresidents = 2500\n\
         [[area]]\ncode = \"3041\"\nname = \"Gol\"\nresidents = 2500\n"
    )
}

/// Runs a scenario for nights on hourly counts through deltid and every engine (the `ts`
/// column typed `ts`, the session in `session`), summary and daily, asserting they agree;
/// returns deltid's estimate and DuckDB's daily rows.
fn check_hourly(
    case: &str,
    scenario: &Path,
    counts: &Path,
    ts: TsColumn,
    session: &str,
) -> (Estimate, Vec<Vec<String>>) {
    check_hourly_in(case, scenario, counts, ts, session, &Selection::default())
}

/// [`check_hourly`] for a selection of nights and areas.
fn check_hourly_in(
    case: &str,
    scenario: &Path,
    counts: &Path,
    ts: TsColumn,
    session: &str,
    selection: &Selection,
) -> (Estimate, Vec<Vec<String>>) {
    let plan = Plan::new(&read_scenario(scenario).expect("a scenario"), selection).expect("a plan");
    let estimate = plan
        .estimate(&read_counts(counts, &CountsOptions::default(), plan.scenario()).expect("counts"))
        .expect("deltid estimates");
    assert_eq!(estimate.plan().measure(), deltid::Measure::Night, "{case}");
    let summary = estimate.summary();
    let mut duckdb = Vec::new();
    for engine in Engine::all() {
        for (rows, expected) in [
            (Rows::Summary, summary_rows(&summary)),
            (Rows::Daily, daily_rows(&estimate)),
        ] {
            let options = SqlOptions::new("counts", rows).expect("a table name");
            let sql = to_sql(&plan, engine.dialect(), &options).expect("a query");
            let actual = engine
                .run_hourly(&sql, counts, ts, session)
                .unwrap_or_else(|e| panic!("{engine:?} {case} {rows:?}: the query fails: {e}"));
            assert_rows(&engine, &format!("{case} {rows:?}"), &actual, &expected);
            if matches!(engine, Engine::DuckDb) && rows == Rows::Daily {
                duckdb = actual;
            }
        }
    }
    (estimate, duckdb)
}

/// Hol's observed night counts of DuckDB's daily rows: (evening date, persons).
fn hol_nights(rows: &[Vec<String>]) -> Vec<(String, f64)> {
    rows.iter()
        .filter(|r| r[1] == "3044")
        .map(|r| (r[0].clone(), r[3].parse().expect("a number")))
        .collect()
}

/// The cases of the issue, in one table: Hol's 25-hour and 23-hour nights, a count at 03:00
/// on 1 February, and Hol and Gol by day and by night.
const ISSUE_HOURS: &str = "ts,area,count\n\
    2024-02-01 03:00,3044,500\n\
    2024-06-10T12:00:00+02:00,3044,5000\n\
    2024-06-11T03:00:00+02:00,3044,3000\n\
    2024-06-10T12:00:00+02:00,3041,2000\n\
    2024-06-11T03:00:00+02:00,3041,4000\n\
    2024-10-26T23:00:00Z,3044,900\n\
    2024-10-27T00:00:00Z,3044,880\n\
    2024-10-27T01:00:00Z,3044,870\n\
    2024-10-27T02:00:00Z,3044,860\n\
    2024-10-27T03:00:00Z,3044,865\n\
    2025-03-30T00:00:00Z,3044,700\n\
    2025-03-30T01:00:00Z,3044,690\n\
    2025-03-30T02:00:00Z,3044,695\n";

#[test]
fn the_issues_night_cases_in_sql() {
    // By hand, Hol's nights (evening date: the counts in 01:00-05:00 local on the next day):
    // - 2024-01-31: 500 (the count at 03:00 on 1 February);
    // - 2024-06-10: 3 000 (the 12:00 count of 5 000 is by day);
    // - 2024-10-26: UTC 23, 00, 01, 02, 03 are local 01, 02, 02, 03, 04 (25-hour night):
    //   minimum 860, mean (900 + 880 + 870 + 860 + 865) / 5 = 875;
    // - 2025-03-29: UTC 00, 01, 02 are local 01, 03, 04 (23-hour night): minimum 690,
    //   mean (700 + 690 + 695) / 3 = 695.
    // The count at 02:00 ("hour:02"): only the 25-hour night has one, twice; the first in time
    // is UTC 00:00, 880.
    let cases: [(&str, Vec<(&str, f64)>); 3] = [
        (
            "minimum",
            vec![
                ("2024-01-31", 500.0),
                ("2024-06-10", 3000.0),
                ("2024-10-26", 860.0),
                ("2025-03-29", 690.0),
            ],
        ),
        (
            "mean",
            vec![
                ("2024-01-31", 500.0),
                ("2024-06-10", 3000.0),
                ("2024-10-26", 875.0),
                ("2025-03-29", 695.0),
            ],
        ),
        ("hour:02", vec![("2024-10-26", 880.0)]),
    ];
    for (rule, want) in cases {
        let dir = folder(&[
            ("plan.toml", &night_scenario(0.0, "01:00-05:00", rule)),
            ("counts.csv", ISSUE_HOURS),
        ]);
        let (estimate, rows) = check_hourly(
            rule,
            &dir.path().join("plan.toml"),
            &dir.path().join("counts.csv"),
            TsColumn::Text,
            "UTC",
        );
        let want: Vec<(String, f64)> = want.iter().map(|(d, p)| (d.to_string(), *p)).collect();
        assert_eq!(hol_nights(&rows), want, "{rule}");
        if rule == "minimum" {
            // Uplift 0, 2 500 residents at home in each, nothing else deducted at night: on
            // 2024-06-10 Hol 3 000 − 2 500 = 500 and Gol 4 000 − 2 500 = 1 500 guest-nights,
            // the region's 2 000 (by day, 5 000 and 2 000 would put them all in Hol).
            let gol: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == "3041").collect();
            assert_eq!(gol.len(), 1);
            assert_eq!(gol[0][10].parse::<f64>().ok(), Some(1500.0));
            let hol = rows
                .iter()
                .find(|r| r[1] == "3044" && r[0] == "2024-06-10")
                .expect("Hol's night");
            assert_eq!(hol[10].parse::<f64>().ok(), Some(500.0));
            let region = rows.last().expect("the region's day");
            assert_eq!(
                (region[0].as_str(), region[2].as_str()),
                ("2024-06-10", "Two")
            );
            assert_eq!(region[10].parse::<f64>().ok(), Some(2000.0));
            // Commuters, transit and day visitors are not deducted at night.
            for row in &rows {
                assert_eq!(&row[7..10], ["0.0", "0.0", "0.0"], "{row:?}");
            }
            // Gol's only night: 1 500 guest-nights, its mean.
            assert_close(estimate.summary().areas()[1].mean().part_time(), 1500.0);
        }
    }
}

/// [`ISSUE_HOURS`] spelled as users write times: dates as dd.mm.yyyy, offsets as `+0200`
/// and `+02`, some as local times without one (none of them twice or never in Oslo).
const ISSUE_HOURS_SPELLED: &str = "ts,area,count\n\
    01.02.2024 03:00,3044,500\n\
    2024-06-10T12:00:00+0200,3044,5000\n\
    11.06.2024 03:00+02,3044,3000\n\
    10.06.2024 12:00,3041,2000\n\
    2024-06-11 03:00+02:00,3041,4000\n\
    2024-10-27 01:00+02,3044,900\n\
    2024-10-27T02:00:00+0200,3044,880\n\
    27.10.2024 02:00+01:00,3044,870\n\
    27.10.2024 03:00:00+0100,3044,860\n\
    27.10.2024 04:00,3044,865\n\
    30.03.2025 01:00,3044,700\n\
    2025-03-30 03:00+02,3044,690\n\
    30.03.2025 04:00:00+0200,3044,695\n";

#[test]
fn dotted_dates_and_short_offsets_read_alike_in_deltid_and_sql() {
    // The same instants as ISSUE_HOURS, so the same nights by hand: minimum 500 (31 January),
    // 3 000 (10 June), 860 (the 25-hour night), 690 (the 23-hour night).
    let dir = folder(&[
        ("plan.toml", &night_scenario(0.0, "01:00-05:00", "minimum")),
        ("counts.csv", ISSUE_HOURS_SPELLED),
    ]);
    let (_, rows) = check_hourly(
        "spelled",
        &dir.path().join("plan.toml"),
        &dir.path().join("counts.csv"),
        TsColumn::Text,
        "UTC",
    );
    let want: Vec<(String, f64)> = [
        ("2024-01-31", 500.0),
        ("2024-06-10", 3000.0),
        ("2024-10-26", 860.0),
        ("2025-03-29", 690.0),
    ]
    .iter()
    .map(|(d, p)| (d.to_string(), *p))
    .collect();
    assert_eq!(hol_nights(&rows), want);
}

#[test]
fn typed_timestamp_columns_are_read_as_deltids_reader_reads_text() {
    // The same counts in a TIMESTAMP WITH TIME ZONE column (the engine writes it with its
    // session's offset, +02 or +01 without minutes) and, as local times, in a TIMESTAMP
    // column (the 25-hour night's two 02:00 counts cannot be written so and are left out).
    let with_offsets = ISSUE_HOURS.replace("2024-02-01 03:00", "2024-02-01T03:00:00+01:00");
    let local: String = std::iter::once("ts,area,count".to_owned())
        .chain(
            [
                ("2024-02-01 03:00:00", "3044", 500),
                ("2024-06-10 12:00:00", "3044", 5000),
                ("2024-06-11 03:00:00", "3044", 3000),
                ("2024-10-27 01:00:00", "3044", 900),
                ("2024-10-27 03:00:00", "3044", 860),
                ("2024-10-27 04:00:00", "3044", 865),
                ("2025-03-30 01:00:00", "3044", 700),
                ("2025-03-30 03:00:00", "3044", 690),
                ("2025-03-30 04:00:00", "3044", 695),
                ("2024-06-10 12:00:00", "3041", 2000),
                ("2024-06-11 03:00:00", "3041", 4000),
            ]
            .iter()
            .map(|(t, a, c)| format!("{t},{a},{c}")),
        )
        .collect::<Vec<_>>()
        .join("\n");
    for (case, counts, ts, session, mean) in [
        (
            "timestamptz",
            with_offsets.as_str(),
            TsColumn::WithZone,
            "Europe/Oslo",
            875.0,
        ),
        (
            "timestamptz",
            with_offsets.as_str(),
            TsColumn::WithZone,
            "UTC",
            875.0,
        ),
        // Local 01, 03, 04 on 2024-10-27: (900 + 860 + 865) / 3 = 875.
        ("timestamp", local.as_str(), TsColumn::Local, "UTC", 875.0),
    ] {
        let dir = folder(&[
            ("plan.toml", &night_scenario(0.06, "01:00-05:00", "mean")),
            ("counts.csv", counts),
        ]);
        let (_, rows) = check_hourly(
            case,
            &dir.path().join("plan.toml"),
            &dir.path().join("counts.csv"),
            ts,
            session,
        );
        let night = hol_nights(&rows)
            .into_iter()
            .find(|n| n.0 == "2024-10-26")
            .expect("the 25-hour night");
        assert_eq!(night.1, mean, "{case} {session}");
    }
}

/// As [`refusals`], for hourly counts (`ts` as text).
fn hourly_refusals(scenario: &Path, counts: &Path) -> (deltid::Error, Vec<(String, String)>) {
    let refused = estimate(scenario, counts)
        .map(|_| ())
        .expect_err("deltid refuses the counts");
    let mut errors = Vec::new();
    for engine in Engine::all() {
        for rows in [Rows::Summary, Rows::Daily] {
            let options = SqlOptions::new("counts", rows).expect("a table name");
            let sql = query(scenario, engine.dialect(), &options).expect("a query");
            let error = engine
                .run_hourly(&sql, counts, TsColumn::Text, "UTC")
                .expect_err("the query must fail");
            errors.push((format!("{engine:?} {rows:?}"), error));
        }
    }
    (refused, errors)
}

#[test]
fn local_times_the_zone_has_twice_or_skips_stop_the_query() {
    for (ts, what) in [
        ("2024-10-27 02:00", "occurs twice"),
        ("2025-03-30 02:30", "does not exist"),
        ("27.10.24 01:00", "is not a time"),
    ] {
        let counts = format!("ts,area,count\n2024-10-27 01:00,3044,5\n{ts},3044,7\n");
        let dir = folder(&[
            ("plan.toml", &night_scenario(0.0, "01:00-05:00", "minimum")),
            ("counts.csv", &counts),
        ]);
        let (refused, errors) = hourly_refusals(
            &dir.path().join("plan.toml"),
            &dir.path().join("counts.csv"),
        );
        assert!(refused.to_string().contains(ts), "{refused}");
        for (engine, error) in errors {
            assert!(
                error.contains("deltid: ") && error.contains(what),
                "{engine}: {error}"
            );
            assert!(error.contains(ts), "{engine}: {error}");
        }
    }
    // The same instant twice for one area.
    let counts = "ts,area,count\n2024-10-27T01:00:00+02:00,3044,5\n2024-10-26T23:00:00Z,3044,7\n";
    let dir = folder(&[
        ("plan.toml", &night_scenario(0.0, "01:00-05:00", "minimum")),
        ("counts.csv", counts),
    ]);
    let (_, errors) = hourly_refusals(
        &dir.path().join("plan.toml"),
        &dir.path().join("counts.csv"),
    );
    for (engine, error) in errors {
        assert!(
            error.contains("deltid: area 3044 has 2024-10-26 23:00:00 (UTC) twice"),
            "{engine}: {error}"
        );
    }
}

#[test]
fn spark_refuses_night_counts_with_its_reason() {
    let dir = folder(&[("plan.toml", &night_scenario(0.0, "01:00-05:00", "minimum"))]);
    let error = query(
        &dir.path().join("plan.toml"),
        Dialect::Spark,
        &SqlOptions::default(),
    )
    .expect_err("Spark is refused");
    assert!(error.to_string().contains("session's zone"), "{error}");
}

/// A small random generator (xorshift), so the cases are the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Oslo's offset from UTC at a UTC instant (seconds since 1970) of 2024-2025: summer time
/// (+2) from 2024-03-31 01:00 UTC to 2024-10-27 01:00 UTC and from 2025-03-30 01:00 UTC.
pub(crate) fn oslo_offset(utc: i64) -> i64 {
    let at = |y, m, d| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|t| t.and_utc().timestamp())
            .unwrap_or_default()
    };
    let summer = (at(2024, 3, 31)..at(2024, 10, 27)).contains(&utc)
        || (at(2025, 3, 30)..at(2025, 10, 26)).contains(&utc);
    if summer { 7200 } else { 3600 }
}

/// Random hourly counts over the two nights the clocks change (2024-10-26/27 and
/// 2025-03-29/30) and a few around them, with hours missing, each time written with `Z`,
/// with Oslo's offset or as a local time (never a local time Oslo has twice); a rule and a
/// window (one wrapping over midnight) picked at random.
pub(crate) fn random_hourly(seed: u64) -> HourlyCase {
    let mut r = Xorshift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let rules = ["minimum", "median", "mean", "hour:03", "hour:02"];
    let windows = ["01:00-05:00", "22:00-06:00", "00:30-04:30", "02:00-03:00"];
    let rule = rules[r.below(rules.len() as u64) as usize];
    let window = windows[r.below(windows.len() as u64) as usize];
    let uplift = [0.0, 0.06, 0.125][r.below(3) as usize];
    // Every other case (by a draw after the counts') deducts a baseline of residents at home
    // over two or three reference nights, one of them the 25-hour night.
    let candidates = ["2024-10-24", "2024-10-26", "2025-03-28", "2024-10-25"];
    let mut counts = String::from("ts,area,count\n");
    let mut rows = Vec::new();
    let starts = [(2024, 10, 24), (2025, 3, 27)];
    for (y, m, d) in starts {
        let start = chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp())
            .unwrap_or_default();
        for area in ["3044", "3041"] {
            // Every half hour for five days, about a fifth missing.
            for step in 0..(5 * 48) {
                if r.below(5) == 0 {
                    continue;
                }
                let utc = start + step * 1800;
                let offset = oslo_offset(utc);
                let instant = chrono::DateTime::from_timestamp(utc, 0).unwrap_or_default();
                let local = instant.naive_utc() + chrono::Duration::seconds(offset);
                // Local times Oslo has twice: 02:00-02:59 on 2024-10-27.
                let twice = local.date()
                    == chrono::NaiveDate::from_ymd_opt(2024, 10, 27).unwrap_or_default()
                    && local.format("%H").to_string() == "02";
                let ts = match (r.below(3), twice) {
                    (0, _) => instant.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    (1, _) | (_, true) => format!(
                        "{}+0{}:00",
                        local.format("%Y-%m-%dT%H:%M:%S"),
                        offset / 3600
                    ),
                    _ => local.format("%Y-%m-%d %H:%M").to_string(),
                };
                let persons = 2000 + r.below(3000);
                let count = if r.below(4) == 0 {
                    format!("{persons}.{}", r.below(10))
                } else {
                    persons.to_string()
                };
                counts.push_str(&format!("{ts},{area},{count}\n"));
                rows.push((utc, area, count.parse().unwrap_or(f64::NAN)));
            }
        }
    }
    let reference = (r.below(2) == 0).then(|| candidates[..2 + r.below(3) as usize].to_vec());
    let scenario = match &reference {
        Some(nights) => night_scenario_with(
            uplift,
            window,
            rule,
            &format!(
                "residents = \"baseline\"\nreference = [{}]\n",
                nights
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        None => night_scenario(uplift, window, rule),
    };
    HourlyCase {
        scenario,
        counts,
        rows,
        rule,
        window,
        uplift,
        reference,
    }
}

/// Random hourly counts ([`random_hourly`]): the scenario (Hol and Gol, 2 500 residents each)
/// and counts as written, and the counts as generated: (instant in seconds since 1970 UTC,
/// area code, persons), with the rule, window and uplift picked, and the reference nights
/// (evening dates) of a baseline of residents at home, if the case deducts one.
pub(crate) struct HourlyCase {
    pub scenario: String,
    pub counts: String,
    pub rows: Vec<(i64, &'static str, f64)>,
    pub rule: &'static str,
    pub window: &'static str,
    pub uplift: f64,
    pub reference: Option<Vec<&'static str>>,
}

#[test]
fn random_hourly_counts_with_the_clock_changes_agree_in_sql() {
    let mut baselines = 0;
    for seed in 1..=8 {
        let HourlyCase {
            scenario,
            counts,
            reference,
            ..
        } = random_hourly(seed);
        baselines += usize::from(reference.is_some());
        let dir = folder(&[("plan.toml", &scenario), ("counts.csv", &counts)]);
        let (estimate, _) = check_hourly(
            &format!("seed {seed}"),
            &dir.path().join("plan.toml"),
            &dir.path().join("counts.csv"),
            TsColumn::Text,
            "UTC",
        );
        // Both clock-change nights are among the nights (unless the rule's hour is missing).
        assert!(
            estimate.summary().region().days() > 0,
            "seed {seed}: {scenario}"
        );
        assert_eq!(
            estimate.plan().residents_baseline().is_some(),
            reference.is_some(),
            "seed {seed}"
        );
    }
    assert!(
        (2..=6).contains(&baselines),
        "some cases with a baseline, some without: {baselines}"
    );
}

#[test]
fn the_shipped_hourly_counts_in_sql_and_on_the_command_line() {
    // data/hourly: 6 areas, 21 nights; the query of `deltid sql` is the library's, and run on
    // the hourly counts it gives deltid's estimate, night by night.
    let scenario = data("hourly/scenario.toml");
    let counts = data("hourly/counts.csv");
    let (estimate, rows) = check_hourly("data/hourly", &scenario, &counts, TsColumn::Text, "UTC");
    assert_eq!(estimate.summary().region().days(), 21);
    assert_eq!(rows.len(), 21 * 7, "21 nights of 6 areas and the region");
    let dir = tempfile::tempdir().unwrap();
    let out = deltid(
        dir.path(),
        &[
            "sql",
            "--scenario",
            scenario.to_str().unwrap(),
            "--dialect",
            "duckdb",
            "--daily",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let options = SqlOptions::new("counts", Rows::Daily).unwrap();
    assert_eq!(
        stdout(&out),
        query(&scenario, Dialect::DuckDb, &options).unwrap()
    );
    // --nights compiles the plan for nights for a scenario without [night].
    let out = deltid(
        dir.path(),
        &[
            "sql",
            "--scenario",
            data("hallingdal/plan-2021.toml").to_str().unwrap(),
            "--dialect",
            "postgres",
            "--nights",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("(ts, area, count: hourly or time-point counts)"));
    // The scenario's 1 000 commuters are not deducted at night.
    assert!(
        stdout(&out).contains("CAST('0.0' AS DOUBLE PRECISION) AS \"commuters_deducted\""),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("CAST('1000.0' AS DOUBLE PRECISION) * "));
}

// ---- A baseline of residents at home in the nights' SQL ----

/// Hol and Gol with uplift 0.25 and a baseline over three reference nights (evening dates 8,
/// 9 and 10 January 2024), one count per night at 02:00 local time (+01:00 in winter):
/// Hol 80, 104, 72 on the reference nights and 400 on the 12th; Gol 160 and 208 on the first
/// two reference nights only, 320 on the 12th.
const BASELINE_HOURS: &str = "ts,area,count\n\
    2024-01-09T02:00:00+01:00,3044,80\n\
    2024-01-10T02:00:00+01:00,3044,104\n\
    2024-01-11T02:00:00+01:00,3044,72\n\
    2024-01-13T02:00:00+01:00,3044,400\n\
    2024-01-09T02:00:00+01:00,3041,160\n\
    2024-01-10T02:00:00+01:00,3041,208\n\
    2024-01-13T02:00:00+01:00,3041,320\n";

fn baseline_scenario() -> String {
    night_scenario_with(
        0.25,
        "01:00-05:00",
        "minimum",
        "residents = \"baseline\"\nreference = \"2024-01-08..2024-01-10\"\n",
    )
}

/// The figure of `column` (a line's index in the daily rows) for an area's night.
fn night_figure(rows: &[Vec<String>], area: &str, date: &str, column: usize) -> f64 {
    rows.iter()
        .find(|r| r[1] == area && r[0] == date)
        .unwrap_or_else(|| panic!("{area} {date} in {rows:?}"))[column]
        .parse()
        .expect("a number")
}

#[test]
fn a_baseline_of_residents_at_home_in_sql() {
    // By hand, present = count × 1.25: Hol 100, 130, 90 on the reference nights, median
    // 100; Gol 200 and 260 on two of them, median (200 + 260) / 2 = 230. Guest-nights on the
    // 12th: Hol 500 − 100 = 400, Gol 400 − 230 = 170, the region 570.
    let dir = folder(&[
        ("plan.toml", &baseline_scenario()),
        ("counts.csv", BASELINE_HOURS),
    ]);
    let (scenario, counts) = (dir.path().join("plan.toml"), dir.path().join("counts.csv"));
    let (estimate, rows) = check_hourly("baseline", &scenario, &counts, TsColumn::Text, "UTC");
    let (residents, part_time) = (6, 10);
    for (date, hol) in [
        ("2024-01-08", 0.0),
        ("2024-01-09", 30.0),
        ("2024-01-10", -10.0),
    ] {
        assert_eq!(night_figure(&rows, "3044", date, residents), 100.0);
        assert_eq!(night_figure(&rows, "3044", date, part_time), hol);
    }
    assert_eq!(night_figure(&rows, "3041", "2024-01-08", residents), 230.0);
    assert_eq!(night_figure(&rows, "3041", "2024-01-09", part_time), 30.0);
    assert_eq!(night_figure(&rows, "3044", "2024-01-12", part_time), 400.0);
    assert_eq!(night_figure(&rows, "3041", "2024-01-12", part_time), 170.0);
    let region = rows.last().expect("the region's nights");
    assert_eq!(region[0], "2024-01-12");
    assert_eq!(region[residents].parse::<f64>().ok(), Some(330.0));
    assert_eq!(region[part_time].parse::<f64>().ok(), Some(570.0));
    let baseline = estimate.plan().residents_baseline().expect("a baseline");
    assert_eq!(
        baseline.areas[0].map(|b| (b.persons, b.nights)),
        Some((100.0, 3))
    );
    assert_eq!(
        baseline.areas[1].map(|b| (b.persons, b.nights)),
        Some((230.0, 2))
    );

    // The period selects nights, never the baseline's: from the 12th, the same 100 and 230
    // are deducted (the reference nights lie before the period).
    let selection = Selection {
        period: deltid::Period::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 12), None)
            .expect("a period"),
        areas: Vec::new(),
    };
    let (_, rows) = check_hourly_in(
        "baseline from the 12th",
        &scenario,
        &counts,
        TsColumn::Text,
        "UTC",
        &selection,
    );
    assert_eq!(rows.len(), 3, "two areas' night and the region's: {rows:?}");
    assert_eq!(night_figure(&rows, "3044", "2024-01-12", residents), 100.0);
    assert_eq!(night_figure(&rows, "3041", "2024-01-12", residents), 230.0);
    // Only Hol selected: its figures are the same (the region is Hol).
    let selection = Selection {
        period: deltid::Period::all(),
        areas: vec![deltid::AreaCode::new("3044")],
    };
    let (_, rows) = check_hourly_in(
        "baseline for Hol",
        &scenario,
        &counts,
        TsColumn::Text,
        "UTC",
        &selection,
    );
    assert_eq!(night_figure(&rows, "3044", "2024-01-12", part_time), 400.0);
}

#[test]
fn an_area_without_a_reference_night_stops_the_query() {
    // Gol is counted on the 12th only: no reference night, which deltid refuses, and so
    // does the query, naming the area and the nights.
    let counts = "ts,area,count\n\
        2024-01-09T02:00:00+01:00,3044,80\n\
        2024-01-13T02:00:00+01:00,3044,400\n\
        2024-01-13T02:00:00+01:00,3041,320\n";
    let dir = folder(&[("plan.toml", &baseline_scenario()), ("counts.csv", counts)]);
    let (refused, errors) = hourly_refusals(
        &dir.path().join("plan.toml"),
        &dir.path().join("counts.csv"),
    );
    assert!(refused.to_string().contains("Gol (3041)"), "{refused}");
    for (engine, error) in errors {
        assert!(
            error.contains(
                "deltid: area 3041 (Gol) has no night count on any of the reference nights (2024-01-08, 2024-01-09, 2024-01-10)"
            ),
            "{engine}: {error}"
        );
    }
    // With Hol alone selected, Gol's missing baseline is no error (deltid's as the query's).
    let scenario = read_scenario(dir.path().join("plan.toml")).expect("a scenario");
    let selection = Selection {
        period: deltid::Period::all(),
        areas: vec![deltid::AreaCode::new("3044")],
    };
    let (_, rows) = check_hourly_in(
        "Hol alone",
        scenario.path(),
        &dir.path().join("counts.csv"),
        TsColumn::Text,
        "UTC",
        &selection,
    );
    assert_eq!(
        night_figure(&rows, "3044", "2024-01-12", part_time_of()),
        400.0
    );
}

/// The guest-nights' index in the daily rows.
fn part_time_of() -> usize {
    10
}

/// `deltid estimate --format csv` summary rows by area code (`""` the region): days, first,
/// last, the eight means and guest-nights per year by the plan's rule.
fn estimate_csv(csv: &str) -> Vec<(String, Vec<String>)> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("a header").clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let mut columns = vec![at("days"), at("first"), at("last")];
    columns.extend(
        deltid::Line::ALL
            .iter()
            .map(|l| at(&format!("mean_{}", l.key()))),
    );
    columns.push(at("guest_nights_per_year_plan"));
    reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV record");
            (
                record[0].to_owned(),
                columns.iter().map(|&i| record[i].to_owned()).collect(),
            )
        })
        .collect()
}

#[test]
fn sql_from_to_on_the_command_line_gives_the_estimates_figures() {
    // The query of `deltid sql --from --to` run in DuckDB gives the summary of `deltid
    // estimate --from --to` on the same counts: days (July 2020 of the Hallingdal counts),
    // nights by their evening date (five of the shipped hourly counts), and nights with a
    // baseline of residents at home taken from reference nights before the period.
    let dir = folder(&[]);
    let hourly = data("hourly/counts.csv");
    let baseline = std::fs::read_to_string(data("hourly/scenario.toml"))
        .expect("the scenario")
        .replace(
            "counts = \"counts.csv\"",
            &format!("counts = {:?}", hourly.display().to_string()),
        )
        .replace(
            "[night]\n",
            "[night]\nresidents = \"baseline\"\nreference = \"2024-10-14..2024-10-16\"\n",
        );
    std::fs::write(dir.path().join("baseline.toml"), baseline).expect("written");
    let cases = [
        (
            data("hallingdal/plan-2021.toml"),
            data("hallingdal/counts.csv"),
            ["2020-07-01", "2020-08-01"],
            31,
        ),
        (
            data("hourly/scenario.toml"),
            hourly.clone(),
            ["2024-10-20", "2024-10-25"],
            5,
        ),
        (
            dir.path().join("baseline.toml"),
            hourly.clone(),
            ["2024-10-20", "2024-10-25"],
            5,
        ),
    ];
    for (scenario, counts, [from, to], days) in cases {
        let scenario = scenario.to_str().expect("a UTF-8 path");
        let period = ["--from", from, "--to", to];
        let run = |args: &[&str]| {
            let out = deltid(dir.path(), args);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            stdout(&out)
        };
        let mut args = vec!["sql", "--scenario", scenario, "--dialect", "duckdb"];
        args.extend(period);
        let sql = run(&args);
        let mut args = vec!["estimate", "--scenario", scenario, "--format", "csv"];
        args.extend(period);
        let want = estimate_csv(&run(&args));
        let night = scenario.contains("hourly") || scenario.ends_with("baseline.toml");
        let rows = if night {
            Engine::DuckDb.run_hourly(&sql, &counts, TsColumn::Text, "UTC")
        } else {
            Engine::DuckDb.run(&sql, &counts)
        }
        .unwrap_or_else(|e| panic!("{scenario}: {e}"));
        assert_eq!(rows.len(), want.len(), "{scenario}: {rows:?}");
        for (row, (area, figures)) in rows.iter().zip(&want) {
            let code = if row[0] == "None" {
                ""
            } else {
                row[0].as_str()
            };
            assert_eq!(code, area, "{scenario}");
            assert_eq!(row[2].parse::<u32>().ok(), Some(days), "{scenario} {area}");
            assert_eq!(&row[2..5], &figures[..3], "{scenario} {area}");
            for (got, want) in row[5..].iter().zip(&figures[3..]) {
                let (got, want): (f64, f64) = (
                    got.parse().expect("a number"),
                    want.parse().expect("a number"),
                );
                // The CSV's means have six decimals.
                assert!(
                    (got - want).abs() <= 1e-6 + 1e-9 * want.abs(),
                    "{scenario} {area}: {got} against {want}"
                );
            }
        }
    }
    // --to not after --from is a usage error, as for estimate.
    let out = deltid(
        dir.path(),
        &[
            "sql",
            "--scenario",
            data("hallingdal/plan-2021.toml").to_str().expect("a path"),
            "--dialect",
            "duckdb",
            "--from",
            "2020-07-01",
            "--to",
            "2020-07-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not after --from"),
        "{}",
        stderr(&out)
    );
}

/// Runs `sql` in DuckDB over `csv` loaded with every column as text (`VARCHAR`): the rows, or
/// the engine's error.
fn run_text_table(sql: &str, csv: &str) -> Result<Vec<Vec<String>>, String> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (counts, query) = (dir.path().join("counts.csv"), dir.path().join("query.sql"));
    std::fs::write(&counts, csv).expect("written");
    std::fs::write(&query, sql).expect("written");
    let script = "import sys, duckdb\ncon = duckdb.connect()\n\
        con.execute(\"CREATE TABLE counts AS SELECT * FROM read_csv(?, header = true, all_varchar = true)\", [sys.argv[1]])\n\
        for row in con.execute(open(sys.argv[2], encoding='utf-8').read()).fetchall():\n    \
        print('\\t'.join(str(v) for v in row))\n";
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&counts)
        .arg(&query)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}): {INSTALL}"));
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect())
}

#[test]
fn a_count_cell_of_text_that_is_no_number_stops_the_query_naming_it() {
    // Daily and hourly counts in a text column: numbers (spaces around them, an exponent)
    // are read, an empty cell is a day without a count, other text stops the query with
    // deltid's message naming the cell (not the engine's cast error).
    let dir = folder(&[
        ("night.toml", &night_scenario(0.0, "01:00-05:00", "minimum")),
        (
            "plan.toml",
            "name = \"One\"\nuplift = 0\n[deductions]\nresidents = 0\ncommuters = 0\n\
             transit = 0\nday_visitors = 0\n[[area]]\ncode = \"3044\"\nname = \"Hol\"\n",
        ),
    ]);
    let daily = query(
        &dir.path().join("plan.toml"),
        Dialect::DuckDb,
        &SqlOptions::new("counts", Rows::Daily).expect("a name"),
    )
    .expect("a query");
    let rows = run_text_table(
        &daily,
        "date,area,count\n2020-01-01,3044, 1250.5 \n2020-01-02,3044,1.25e3\n2020-01-03,3044,\n",
    )
    .expect("numbers as text are read");
    let observed: Vec<&str> = rows
        .iter()
        .filter(|r| r[1] == "3044")
        .map(|r| r[3].as_str())
        .collect();
    assert_eq!(observed, ["1250.5", "1250.0"]);
    let error = run_text_table(
        &daily,
        "date,area,count\n2020-01-01,3044,1250\n2020-01-02,3044,12 persons\n",
    )
    .expect_err("text that is no number");
    assert!(
        error.contains(
            "deltid: count \"12 persons\" of area \"3044\" at date \"2020-01-02\" is not a number"
        ),
        "{error}"
    );
    let nights = query(
        &dir.path().join("night.toml"),
        Dialect::DuckDb,
        &SqlOptions::default(),
    )
    .expect("a query");
    let error = run_text_table(
        &nights,
        "ts,area,count\n2024-01-09T02:00:00+01:00,3041,n/a\n",
    )
    .expect_err("text that is no number");
    assert!(
        error.contains(
            "deltid: count \"n/a\" of area \"3041\" at ts \"2024-01-09T02:00:00+01:00\" is not a number"
        ),
        "{error}"
    );
}
