//! `deltid sql`: the emitted query, run by a real SQL engine, gives deltid's own estimate.
//!
//! DuckDB runs in every test run, through Python's `duckdb` module (tests/requirements.txt:
//! `python3 -m pip install -r tests/requirements.txt`); without it these tests fail. PostgreSQL
//! and Spark run the same cases when asked to (not in CI):
//!
//! - `DELTID_TEST_POSTGRES="host=/tmp/pg port=54329 user=postgres"`: a libpq connection
//!   string for `psql` (PostgreSQL 10 or later; a temporary table is used);
//! - `DELTID_TEST_SPARK_PYTHON=/path/to/venv/bin/python`: a Python with `pyspark` (and Java).
//!
//! Without them, the PostgreSQL and Spark texts are checked for their dialect's details only.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use deltid::sql::{Dialect, Rows, SqlOptions, to_sql};
use deltid::{
    Counts, CountsColumns, Line, Lines, Scenario, Selection, Summary, Waterfall, estimate,
};
use polars::prelude::{DataFrame, DataType};

use crate::util::{EPS, data, deltid, folder, stderr, stdout};

const INSTALL: &str = "python3 -m pip install -r tests/requirements.txt";

/// Loads the counts CSV (date, area, count) as table `counts` and runs the query; prints each
/// row tab-separated, floats in full precision. Exit 3 without the duckdb module.
const DUCKDB: &str = r#"
import sys
try:
    import duckdb
except ImportError as e:
    print(e, file=sys.stderr)
    sys.exit(3)
con = duckdb.connect()
con.execute("CREATE TABLE counts AS SELECT * FROM read_csv(?, header = true, "
            "columns = {'date': 'DATE', 'area': 'VARCHAR', 'count': 'DOUBLE'})", [sys.argv[1]])
rows = con.execute(open(sys.argv[2], encoding="utf-8").read()).fetchall()
for row in rows:
    print("\t".join(repr(v) if isinstance(v, float) else str(v) for v in row))
"#;

/// The same for Spark (a local session); the counts as temporary view `counts`.
const SPARK: &str = r#"
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "2").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
spark.read.csv(sys.argv[1], header=True, schema="date DATE, area STRING, count DOUBLE") \
    .createOrReplaceTempView("counts")
query = open(sys.argv[2], encoding="utf-8").read().rstrip().rstrip(";")
for row in spark.sql(query).collect():
    print("\t".join(repr(v) if isinstance(v, float) else str(v) for v in row))
"#;

/// A SQL engine to run the queries on.
#[derive(Clone, Debug)]
enum Engine {
    DuckDb,
    Postgres(String),
    Spark(String),
}

impl Engine {
    fn dialect(&self) -> Dialect {
        match self {
            Engine::DuckDb => Dialect::DuckDb,
            Engine::Postgres(_) => Dialect::Postgres,
            Engine::Spark(_) => Dialect::Spark,
        }
    }

    /// DuckDB always; PostgreSQL and Spark when their variables are set.
    fn all() -> Vec<Engine> {
        let mut engines = vec![Engine::DuckDb];
        if let Ok(conn) = std::env::var("DELTID_TEST_POSTGRES") {
            engines.push(Engine::Postgres(conn));
        }
        if let Ok(python) = std::env::var("DELTID_TEST_SPARK_PYTHON") {
            engines.push(Engine::Spark(python));
        }
        engines
    }

    /// Runs `sql` on the counts in `counts` (CSV: date, area, count): the rows as text
    /// fields, or the engine's error message.
    fn run(&self, sql: &str, counts: &Path) -> Result<Vec<Vec<String>>, String> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let query = dir.path().join("query.sql");
        let output = match self {
            Engine::DuckDb => {
                std::fs::write(&query, sql).expect("the query is written");
                let output = Command::new("python3")
                    .arg("-c")
                    .arg(DUCKDB)
                    .arg(counts)
                    .arg(&query)
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
                let script = format!(
                    "CREATE TEMPORARY TABLE counts (date DATE, area TEXT, count DOUBLE PRECISION);\n\
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
                    .output()
                    .expect("psql runs")
            }
            Engine::Spark(python) => {
                std::fs::write(&query, sql).expect("the query is written");
                Command::new(python)
                    .arg("-c")
                    .arg(SPARK)
                    .arg(counts)
                    .arg(&query)
                    .output()
                    .expect("python with pyspark runs")
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

fn lines(mean: &Lines) -> [f64; 8] {
    [
        mean.observed,
        mean.uplift,
        mean.present,
        mean.residents,
        mean.commuters,
        mean.transit,
        mean.day_visitors,
        mean.part_time,
    ]
}

/// deltid's summary rows: area, name, days, first, last, the eight means, guest-nights/year.
fn summary_rows(summary: &Summary) -> Vec<Vec<Field>> {
    summary
        .areas
        .iter()
        .map(|a| {
            let mut row = vec![
                Field::Text(a.code.as_ref().map(|c| c.to_string()).unwrap_or_default()),
                Field::Text(a.name.clone()),
                Field::Number(f64::from(a.days)),
                Field::Text(a.first.to_string()),
                Field::Text(a.last.to_string()),
            ];
            row.extend(lines(&a.mean).map(Field::Number));
            row.push(Field::Number(a.guest_nights_per_year_plan));
            row
        })
        .collect()
}

/// deltid's daily rows: date, area, name and the eight lines, in the estimate's order.
fn daily_rows(areas: &DataFrame) -> Vec<Vec<Field>> {
    let text = |name: &str| -> Vec<String> {
        let column = areas.column(name).expect("a column of the estimate");
        let column = column.str().expect("a text column");
        column.iter().map(|v| v.unwrap_or("").to_owned()).collect()
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    let dates: Vec<String> = areas
        .column("date")
        .and_then(|c| c.cast(&DataType::Int32))
        .expect("a date column")
        .i32()
        .expect("days since 1970")
        .iter()
        .map(|d| (epoch + chrono::Days::new(d.unwrap_or(0) as u64)).to_string())
        .collect();
    let (codes, names) = (text("area"), text("name"));
    let numbers: Vec<Vec<f64>> = deltid::estimate::LINES
        .iter()
        .map(|l| {
            let column = areas.column(l).expect("a line of the estimate");
            let column = column.f64().expect("persons");
            column.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
        })
        .collect();
    (0..areas.height())
        .map(|i| {
            let mut row = vec![
                Field::Text(dates[i].clone()),
                Field::Text(codes[i].clone()),
                Field::Text(names[i].clone()),
            ];
            row.extend(numbers.iter().map(|n| Field::Number(n[i])));
            row
        })
        .collect()
}

/// Runs a scenario on counts through deltid and through every engine, summary and daily, and
/// asserts they agree; returns deltid's summary and the rows of DuckDB's summary query.
fn check(case: &str, scenario: &Path, counts: &Path) -> (Summary, Vec<Vec<String>>) {
    let scenario = Scenario::from_path(scenario).expect("the scenario loads");
    let read = Counts::read_csv(counts, &CountsColumns::default()).expect("the counts load");
    let daily = estimate(&scenario, &read, &Selection::default()).expect("deltid estimates");
    let summary = Summary::new(&scenario, &daily).expect("deltid summarises");
    let mut duckdb = Vec::new();
    for engine in Engine::all() {
        for (rows, expected) in [
            (Rows::Summary, summary_rows(&summary)),
            (Rows::Daily, daily_rows(&daily.areas)),
        ] {
            let options = SqlOptions::new("counts", rows).expect("a table name");
            let sql = to_sql(&scenario, engine.dialect(), &options).expect("a query");
            let actual = engine
                .run(&sql, counts)
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

// The plan's table from the query's per-area means: the region is the sum of its areas on
// every day here (all six counted every day), so its means are the areas' means summed. The
// table rounds each line: 46 724 + 2 803 − 23 000 = 26 527 a day, × 365 = 9 682 355 (the
// plan's figure). Without the rounding, the areas' guest-nights per year add up to
// 26 527.44 × 365 = 9 682 516 (README: "the plan's rule gives 9 682 516 (exact)").
#[test]
fn plan_2021_in_sql_equals_the_estimate_and_gives_the_plans_figure() {
    let (summary, rows) = check(
        "plan-2021",
        &data("hallingdal/plan-2021.toml"),
        &data("hallingdal/counts.csv"),
    );
    assert_eq!(rows.len(), 6);
    let sum = |at: usize| column(&rows, at).iter().sum::<f64>();
    let mean = Lines {
        observed: sum(5),
        uplift: sum(6),
        present: sum(7),
        residents: sum(8),
        commuters: sum(9),
        transit: sum(10),
        day_visitors: sum(11),
        part_time: sum(12),
    };
    let table = Waterfall::new(&mean, summary.uplift);
    assert_eq!(table.line(Line::Observed).rounded, 46_724);
    assert_eq!(table.line(Line::Uplift).rounded, 2_803);
    assert_eq!(table.line(Line::GuestNightsPerDay).rounded, 26_527);
    assert_eq!(table.line(Line::GuestNightsPerYear).rounded, 9_682_355);
    assert_eq!(sum(13).round(), 9_682_516.0);
    assert_eq!(
        summary
            .region
            .waterfall
            .line(Line::GuestNightsPerYear)
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
    assert!(summary.incomplete_region_days > 100);
    assert_ne!(summary.areas[0].days, summary.areas[3].days);
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
    let dir = folder(&[
        ("scenario.toml", SMALL_SCENARIO),
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
    assert_eq!(summary.areas.len(), 3);
    assert_eq!(rows[0][1], "A's");
    assert_eq!(rows[1][1], "B \"quoted\"");
    assert_eq!(rows[2][1], "Cé\\d");
}

// deltid refuses a day the transit table lacks; the query must stop too, naming the day,
// rather than give a mean over the other days.
#[test]
fn a_day_missing_from_a_deduction_table_stops_the_query() {
    let (_dir, scenario_path, counts) = small(&SMALL_TRANSIT.replace("2020-03-02,40\n", ""));
    let scenario = Scenario::from_path(&scenario_path).expect("the scenario loads");
    let read = Counts::read_csv(&counts, &CountsColumns::default()).expect("the counts load");
    let refused = estimate(&scenario, &read, &Selection::default()).map(|_| ());
    assert!(
        matches!(refused, Err(deltid::Error::MissingDeductionDate { .. })),
        "{refused:?}"
    );
    for engine in Engine::all() {
        for rows in [Rows::Summary, Rows::Daily] {
            let options = SqlOptions::new("counts", rows).expect("a table name");
            let sql = to_sql(&scenario, engine.dialect(), &options).expect("a query");
            let error = engine.run(&sql, &counts).expect_err("the query must fail");
            assert!(
                error.contains("no transit figure for 2020-03-02"),
                "{engine:?}: {error}"
            );
        }
    }
}

#[test]
fn a_region_count_of_its_own_is_refused() {
    let toml = "uplift = 0.06\nregion_code = \"HALLINGDAL\"\n[deductions]\nresidents = 20000\n\
                commuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3041\"\n\
                name = \"Gol\"\n";
    let dir = folder(&[("own.toml", toml)]);
    let scenario = Scenario::from_path(dir.path().join("own.toml")).expect("the scenario loads");
    let err = to_sql(&scenario, Dialect::DuckDb, &SqlOptions::default()).unwrap_err();
    assert!(
        matches!(&err, deltid::Error::InvalidScenario { key, .. } if key == "region_code"),
        "{err}"
    );
    let output = deltid(
        dir.path(),
        &["sql", "--scenario", "own.toml", "--dialect", "postgres"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`region_code`"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn each_dialect_quotes_and_casts_its_own_way() {
    let scenario =
        Scenario::from_path(data("hallingdal/ssb-2020.toml")).expect("the scenario loads");
    let options = SqlOptions::new("Warehouse.telecom counts", Rows::Summary).expect("a name");
    let sql = |dialect| to_sql(&scenario, dialect, &options).expect("a query");
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
        !spark.contains('"'),
        "Spark quotes identifiers with backticks"
    );
    assert!(spark.contains("FROM VALUES"));
    for text in [&duckdb, &postgres, &spark] {
        assert!(!text.to_uppercase().contains("FILTER"));
        assert!(text.contains("DATE") && text.trim_end().ends_with(';'));
        assert_eq!(text.matches(';').count(), 1, "one statement");
    }
    let (_dir, scenario_path, _) = small(SMALL_TRANSIT);
    let small = Scenario::from_path(scenario_path).expect("the scenario loads");
    let spark = to_sql(&small, Dialect::Spark, &SqlOptions::default()).expect("a query");
    assert!(spark.contains("'A\\'s'") && spark.contains("raise_error("));
    let postgres = to_sql(&small, Dialect::Postgres, &SqlOptions::default()).expect("a query");
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
    let library = to_sql(
        &Scenario::from_path(scenario).expect("the scenario loads"),
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
