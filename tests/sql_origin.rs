//! `deltid sql` on counts split by origin (issue 16, part 2): the query, run by DuckDB (through
//! Python's `duckdb` module, as tests/sql.rs runs it) over a table `date, area, origin, count`,
//! gives the issue's values and, on random splits, the figures of `deltid estimate` one by one.
//! PostgreSQL runs the same cases when `DELTID_TEST_POSTGRES` is set (see tests/sql.rs).

use std::fmt::Write as _;
use std::process::Command;

use deltid::sql::{Dialect, Rows, SPLIT_COLUMNS, SqlOptions, to_sql};
use deltid::{Bounds, CountsOptions, OriginEstimate, Plan, Selection, read_counts, read_scenario};

use crate::util::{data, deltid, folder, stderr, stdout};

/// Runs each `(counts CSV, count column type, query)` of a JSON manifest (argv[1]) in a fresh
/// DuckDB: prints a JSON list of each query's rows (lists of values, dates as text) or its
/// error as `{"error": message}`.
const DUCKDB: &str = r#"
import sys, json
try:
    import duckdb
except ImportError as e:
    print(e, file=sys.stderr)
    sys.exit(3)
results = []
for counts, count_type, sql in json.load(open(sys.argv[1], encoding="utf-8")):
    con = duckdb.connect()
    con.execute("CREATE TABLE counts AS SELECT * FROM read_csv(?, header = true, "
                "columns = {'date': 'VARCHAR', 'area': 'VARCHAR', 'origin': 'VARCHAR', 'count': '"
                + count_type + "'})", [counts])
    try:
        rows = con.execute(sql).fetchall()
        results.append([[v if isinstance(v, (float, bool, int)) or v is None else str(v)
                         for v in row] for row in rows])
    except Exception as e:
        results.append({"error": str(e)})
print(json.dumps(results))
"#;

/// One run: the counts file, the SQL type of its `count` column, the query.
struct Case {
    counts: std::path::PathBuf,
    count_type: &'static str,
    sql: String,
    /// The same query in PostgreSQL's dialect.
    postgres: String,
}

/// Runs every case in one DuckDB process, and in PostgreSQL when `DELTID_TEST_POSTGRES` is a
/// libpq connection string (as in tests/sql.rs): each case's rows or its error message, the
/// same from both engines (numbers within 1e-9 relative).
fn run_all(cases: &[Case]) -> Vec<Result<Vec<Vec<serde_json::Value>>, String>> {
    let duckdb = run_duckdb(cases);
    if let Ok(conn) = std::env::var("DELTID_TEST_POSTGRES") {
        for (case, duck) in cases.iter().zip(&duckdb) {
            let postgres = run_postgres(&conn, case);
            match (duck, &postgres) {
                (Ok(d), Ok(p)) => assert_same("PostgreSQL", &rows_of(p), &rows_of(d)),
                // The same message (numbers may be written otherwise: -2.0, -2).
                (Err(d), Err(p)) => {
                    let says = |e: &str| {
                        e.split("deltid: ")
                            .nth(1)
                            .map(|m| m.chars().take(8).collect::<String>())
                    };
                    assert_eq!(says(d), says(p), "DuckDB: {d}\nPostgreSQL: {p}");
                }
                _ => panic!("DuckDB {duck:?}\nPostgreSQL {postgres:?}"),
            }
        }
    }
    duckdb
}

/// One case in PostgreSQL (15 or later, through `psql`), its rows as DuckDB's are given.
fn run_postgres(conn: &str, case: &Case) -> Result<Vec<Vec<serde_json::Value>>, String> {
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("query.sql");
    let count_type = if case.count_type == "DOUBLE" {
        "DOUBLE PRECISION"
    } else {
        "TEXT"
    };
    let counts = case.counts.display().to_string().replace('\'', "''");
    std::fs::write(
        &query,
        format!(
            "CREATE TEMPORARY TABLE counts (date TEXT, area TEXT, origin TEXT, count {count_type});\n\
             \\copy counts FROM '{counts}' CSV HEADER\n{}",
            case.postgres
        ),
    )
    .unwrap();
    let output = Command::new("psql")
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
        .expect("psql runs");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let value = |i: usize, field: &str| -> serde_json::Value {
        match (i, field) {
            (_, "") => serde_json::Value::Null,
            (4 | 5 | 8, number) => serde_json::json!(number.parse::<f64>().unwrap()),
            (6 | 7, flag) => serde_json::json!(flag == "t"),
            (_, text) => serde_json::json!(text),
        }
    };
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split('\t')
                .enumerate()
                .map(|(i, f)| value(i, f))
                .collect()
        })
        .collect())
}

/// Runs every case in one DuckDB process: each case's rows or its error message.
fn run_duckdb(cases: &[Case]) -> Vec<Result<Vec<Vec<serde_json::Value>>, String>> {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("cases.json");
    let list: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| serde_json::json!([c.counts.display().to_string(), c.count_type, c.sql]))
        .collect();
    std::fs::write(&manifest, serde_json::to_string(&list).unwrap()).unwrap();
    let output = Command::new("python3")
        .arg("-c")
        .arg(DUCKDB)
        .arg(&manifest)
        .output()
        .expect("python3 runs");
    assert_ne!(
        output.status.code(),
        Some(3),
        "the SQL tests need DuckDB for Python: python3 -m pip install -r tests/requirements.txt"
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    results
        .into_iter()
        .map(|r| match r {
            serde_json::Value::Array(rows) => Ok(rows
                .into_iter()
                .map(|row| row.as_array().unwrap().clone())
                .collect()),
            other => Err(other["error"].as_str().unwrap_or_default().to_owned()),
        })
        .collect()
}

/// Hol and Gol (2020-2023 codes), 2 500 registered residents each, `[origin]` of `kind`
/// with k = 5, area codes of four digits.
fn scenario(kind: &str) -> String {
    scenario_k(kind, 5.0)
}

/// [`scenario`] with k = `min_count`.
fn scenario_k(kind: &str, min_count: f64) -> String {
    format!(
        r#"
name = "Two"
uplift = 0
counts = "split.csv"
[origin]
kind = "{kind}"
min_count = {min_count:?}
[area_codes]
digits = 4
[deductions]
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "3044"
name = "Hol"
residents = 2500
[[area]]
code = "3041"
name = "Gol"
residents = 2500
"#
    )
}

/// The figures of a split under a scenario of `kind`: deltid's estimate and the query's rows,
/// both as `(date, area, figure, low, high, exact, high_excluded, low_excluded, zero_filled)`.
struct Both {
    expected: Vec<Row>,
    sql: String,
    postgres: String,
    _dir: tempfile::TempDir,
    counts: std::path::PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    date: String,
    area: Option<String>,
    figure: String,
    low: f64,
    high: f64,
    exact: bool,
    high_excluded: bool,
    low_excluded: bool,
    zero_filled: Option<f64>,
}

/// The tidy rows of an estimate, in the order and with the figures of `write_origin`'s table.
fn tidy(estimate: &OriginEstimate, codes: &[&str]) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |date: chrono::NaiveDate,
                    area: Option<usize>,
                    figure: &str,
                    b: Bounds,
                    zero: Option<f64>| {
        rows.push(Row {
            date: date.to_string(),
            area: area.map(|a| codes[a].to_owned()),
            figure: figure.to_owned(),
            low: b.low,
            high: b.high,
            exact: b.is_exact(),
            high_excluded: b.high_open,
            low_excluded: b.low_open,
            zero_filled: zero,
        });
    };
    for d in estimate.days() {
        let at = Some(d.area);
        if let Some(total) = d.total {
            push(d.date, at, "total", Bounds::exact(total), None);
        }
        if let Some(mass) = d.suppressed {
            push(d.date, at, "suppressed", Bounds::exact(mass), None);
        }
        push(d.date, at, "local", d.local, Some(d.zero_filled.local));
        push(
            d.date,
            at,
            "elsewhere",
            d.elsewhere,
            Some(d.zero_filled.elsewhere),
        );
        push(
            d.date,
            at,
            "foreign",
            d.foreign,
            Some(d.zero_filled.foreign),
        );
        if let Some(away) = d.away {
            push(d.date, at, "residents_away", away, None);
        }
    }
    for g in estimate.guests() {
        push(
            g.date,
            Some(g.area),
            "guest_nights",
            g.guest_nights,
            Some(g.zero_filled),
        );
    }
    for (date, b, zero) in estimate.region() {
        push(*date, None, "guest_nights", *b, Some(*zero));
    }
    rows
}

fn prepare(kind: &str, split: &str) -> Both {
    prepare_in(kind, split, &Selection::default())
}

/// [`prepare`] for the days (or, previous night, the nights) of `selection`'s period, as
/// `deltid estimate --from --to` selects them ([`deltid::OriginSplit::within`]).
fn prepare_in(kind: &str, split: &str, selection: &Selection) -> Both {
    prepare_scenario(&scenario(kind), &["3044", "3041"], split, selection)
}

/// [`prepare_in`] under a scenario's text whose areas' codes are `codes`, in order.
fn prepare_scenario(text: &str, codes: &[&str], split: &str, selection: &Selection) -> Both {
    let dir = folder(&[("plan.toml", text), ("split.csv", split)]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let counts = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    let plan = Plan::new(&scenario, selection).unwrap();
    let period = &selection.period;
    let split = counts.origins().unwrap().within(|d| period.contains(d));
    let estimate = plan.origin_estimate(&split);
    let sql = to_sql(&plan, Dialect::DuckDb, &SqlOptions::default()).unwrap();
    let postgres = to_sql(&plan, Dialect::Postgres, &SqlOptions::default()).unwrap();
    Both {
        expected: tidy(&estimate, codes),
        sql,
        postgres,
        counts: dir.path().join("split.csv"),
        _dir: dir,
    }
}

/// The query's rows as [`Row`]s (checking the columns' count and names' order by position).
fn rows_of(result: &[Vec<serde_json::Value>]) -> Vec<Row> {
    result
        .iter()
        .map(|r| {
            assert_eq!(r.len(), SPLIT_COLUMNS.len(), "{r:?}");
            Row {
                date: r[0].as_str().unwrap().to_owned(),
                area: r[1].as_str().map(str::to_owned),
                figure: r[3].as_str().unwrap().to_owned(),
                low: r[4].as_f64().unwrap(),
                high: r[5].as_f64().unwrap(),
                exact: r[6].as_bool().unwrap(),
                high_excluded: r[7].as_bool().unwrap(),
                low_excluded: r[8].as_bool().unwrap(),
                zero_filled: r[9].as_f64(),
            }
        })
        .collect()
}

/// Asserts the query's rows are deltid's, figure by figure: the same rows in the same order,
/// numbers within 1e-9 relative (sums are taken in another order), flags equal.
#[track_caller]
fn assert_same(what: &str, actual: &[Row], expected: &[Row]) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: rows\n{actual:#?}\n{expected:#?}"
    );
    for (a, e) in actual.iter().zip(expected) {
        let same = a.date == e.date
            && a.area == e.area
            && a.figure == e.figure
            && close(a.low, e.low)
            && close(a.high, e.high)
            && a.high_excluded == e.high_excluded
            && a.low_excluded == e.low_excluded
            && match (a.zero_filled, e.zero_filled) {
                (Some(x), Some(y)) => close(x, y),
                (None, None) => true,
                _ => false,
            };
        assert!(same, "{what}: SQL {a:?}\n  deltid {e:?}");
        // Exact where the bounds meet to the last bits; sums in another order may differ
        // there, so only a bounded figure must be bounded in both.
        if !close(e.low, e.high) || e.high_excluded {
            assert_eq!(a.exact, e.exact, "{what}: {a:?} {e:?}");
        }
    }
}

fn find<'a>(rows: &'a [Row], date: &str, area: Option<&str>, figure: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.date == date && r.area.as_deref() == area && r.figure == figure)
        .unwrap_or_else(|| panic!("no {figure} of {area:?} on {date} in {rows:#?}"))
}

#[track_caller]
fn assert_row(row: &Row, low: f64, high: f64, high_excluded: bool) {
    assert!((row.low - low).abs() < 1e-9, "{row:?}: low {low}");
    assert!((row.high - high).abs() < 1e-9, "{row:?}: high {high}");
    assert_eq!(row.high_excluded, high_excluded, "{row:?}");
}

#[test]
fn the_issues_cases_through_sql_give_the_issues_values() {
    // Hol's home-zone split: local 2 100.4, Oslo 1 250.7, Bærum 410.2, Drammen 96.0, Germany
    // 31.5, area total 3 940.0 (rows deleted).
    let hol = "date,area,origin,count
2024-07-10,3044,3044,2100.4
2024-07-10,3044,0301,1250.7
2024-07-10,3044,3024,410.2
2024-07-10,3044,3005,96.0
2024-07-10,3044,DE,31.5
2024-07-10,3044,total,3940.0
";
    // Gol: 500 published from elsewhere and three cells marked -1 (Hol, Germany, Sweden), no
    // total (k = 5).
    let marked = "date,area,origin,count
2024-07-10,3041,3041,1000
2024-07-10,3041,0301,300
2024-07-10,3041,3024,200
2024-07-10,3041,3044,-1
2024-07-10,3041,DE,-1
2024-07-10,3041,SE,-1
";
    // 4.97 after extrapolation: under k = 5, suppressed.
    let under = "date,area,origin,count
2024-07-10,3041,3041,1000
2024-07-10,3041,0301,300
2024-07-10,3041,3005,4.97
";
    // Both areas on the 11th by where they slept the night of the 10th.
    let night = "date,area,origin,count
2024-07-11,3044,3044,2400
2024-07-11,3044,3041,300
2024-07-11,3044,0301,900
2024-07-11,3044,total,3600
2024-07-11,3041,3041,2600
2024-07-11,3041,3044,150
2024-07-11,3041,DE,40
2024-07-11,3041,total,2790
";
    // Hol's local cell deleted, the suppressed mass exactly k: 945 − (900 + 40 + 0) = 5.
    let mass_k = "date,area,origin,count
2024-07-10,3044,0301,900
2024-07-10,3044,DE,40
2024-07-10,3044,SE,0
2024-07-10,3044,total,945
";
    // Gol's local cell a published 0: an exact 0, not a cell under k (Hol's too).
    let zero = "date,area,origin,count
2024-07-10,3041,3041,0
2024-07-10,3041,3044,0
2024-07-10,3041,0301,300
";
    // SIM countries, Hol: Norwegian 1 000, Swedish 20, total 1 023 (3 suppressed, foreign:
    // every SIM but the Norwegian ones).
    let sim = "date,area,origin,count
2024-07-10,3044,NO,1000
2024-07-10,3044,SE,20
2024-07-10,3044,total,1023
";
    let cases = [
        prepare("previous-night", hol),
        prepare("home", marked),
        prepare("home", under),
        prepare("previous-night", night),
        prepare(
            "previous-night",
            &night.replace("2024-07-11,3041,3044,150\n", ""),
        ),
        prepare("home", mass_k),
        prepare("home", zero),
        prepare_scenario(
            crate::origin::TESTER_SCENARIO,
            &["3039", "3040"],
            crate::origin::TESTER_SPLIT,
            &Selection::default(),
        ),
        prepare("sim-country", sim),
    ];
    let results = run_all(
        &cases
            .iter()
            .map(|c| Case {
                counts: c.counts.clone(),
                count_type: "DOUBLE",
                sql: c.sql.clone(),
                postgres: c.postgres.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let rows: Vec<Vec<Row>> = results
        .iter()
        .map(|r| rows_of(r.as_ref().unwrap()))
        .collect();
    for (i, (case, rows)) in cases.iter().zip(&rows).enumerate() {
        assert_same(&format!("case {i}"), rows, &case.expected);
    }
    let on = "2024-07-10";
    // Published 3 888.8; suppressed 3 940.0 − 3 888.8 = 51.2; from elsewhere 3 940.0 − 2 100.4
    // = 1 839.6 exactly; foreign 31.5 to 31.5 + 51.2 = 82.7.
    let hol = &rows[0];
    assert_row(find(hol, on, Some("3044"), "suppressed"), 51.2, 51.2, false);
    assert_row(
        find(hol, on, Some("3044"), "elsewhere"),
        1839.6,
        1839.6,
        false,
    );
    assert_row(find(hol, on, Some("3044"), "foreign"), 31.5, 82.7, false);
    assert_eq!(
        find(hol, on, Some("3044"), "elsewhere").zero_filled,
        Some(1250.7 + 410.2 + 96.0 + 31.5)
    );
    // 500 ≤ elsewhere < 500 + 3 × 5 = 515, never 497; foreign 0 to under 10; residents away
    // 2 500 − 1 000 = 1 500; the home's guests are those from elsewhere.
    let gol = &rows[1];
    assert_row(find(gol, on, Some("3041"), "elsewhere"), 500.0, 515.0, true);
    assert_row(find(gol, on, Some("3041"), "foreign"), 0.0, 10.0, true);
    assert_row(
        find(gol, on, Some("3041"), "residents_away"),
        1500.0,
        1500.0,
        false,
    );
    assert_row(
        find(gol, on, Some("3041"), "guest_nights"),
        500.0,
        515.0,
        true,
    );
    // Hol has no split: no region's figure.
    assert!(gol.iter().all(|r| r.area.is_some()));
    // Regression: foreign was 20 to 23, though under SIM countries everyone from elsewhere
    // (1 023 − 1 000 = 23 exactly) is foreign, the 3 suppressed too.
    let sim = &rows[8];
    assert_row(find(sim, on, Some("3044"), "elsewhere"), 23.0, 23.0, false);
    assert_row(find(sim, on, Some("3044"), "foreign"), 23.0, 23.0, false);
    // 4.97 not summed: 300 to under 300 + 2 × 5 = 310 (4.97's cell, and Hol's, an area of
    // the scenario Gol never names, by the one rule `may_hold_suppressed`).
    assert_row(
        find(&rows[2], on, Some("3041"), "elsewhere"),
        300.0,
        310.0,
        true,
    );
    // Slept in Hol 2 400 + 150 = 2 550, minus 2 500: 50; in Gol 300 + 2 600 − 2 500 = 400;
    // the region's night 450.
    let nights = &rows[3];
    assert_row(
        find(nights, on, Some("3044"), "guest_nights"),
        50.0,
        50.0,
        false,
    );
    assert_row(
        find(nights, on, Some("3041"), "guest_nights"),
        400.0,
        400.0,
        false,
    );
    assert_row(find(nights, on, None, "guest_nights"), 450.0, 450.0, false);
    // Gol's Hol cell deleted (150 suppressed in Gol, more than k): 2 400 to under 2 405 slept
    // in Hol: −100 to under −95; multimno's −100.
    let deleted = find(&rows[4], on, Some("3044"), "guest_nights");
    assert_row(deleted, -100.0, -95.0, true);
    assert_eq!(deleted.zero_filled, Some(-100.0));
    // Mass 5 = k: the deleted local cell is under k, so local is 0 to under 5 and from
    // elsewhere over 940 to 945 (its low end open, so not exact); the SE 0 is exact.
    let local = find(&rows[5], on, Some("3044"), "local");
    assert_row(local, 0.0, 5.0, true);
    assert!(!local.exact);
    let elsewhere = find(&rows[5], on, Some("3044"), "elsewhere");
    assert_row(elsewhere, 940.0, 945.0, false);
    assert!(!elsewhere.exact);
    // A published local 0: local exactly 0, from elsewhere exactly 300, residents away 2 500.
    let local = find(&rows[6], on, Some("3041"), "local");
    assert_row(local, 0.0, 0.0, false);
    assert!(local.exact);
    assert_row(
        find(&rows[6], on, Some("3041"), "elsewhere"),
        300.0,
        300.0,
        false,
    );
    assert_row(
        find(&rows[6], on, Some("3041"), "residents_away"),
        2500.0,
        2500.0,
        false,
    );
    // The tester's case (tests/origin.rs, computed there): Nesbyen's cell of origin Flå,
    // never named, is 0 to under 5 in both figures: Nesbyen's persons from elsewhere 1 234
    // to under 1 239, Flå's guest-nights 1 050 + [0, 5) − 1 000 = 50 to under 55, the
    // region's 150 to under 155.
    let tester = &rows[7];
    assert_row(
        find(tester, "2024-07-11", Some("3040"), "elsewhere"),
        1234.0,
        1239.0,
        true,
    );
    assert_row(
        find(tester, on, Some("3039"), "guest_nights"),
        50.0,
        55.0,
        true,
    );
    assert_row(find(tester, on, None, "guest_nights"), 150.0, 155.0, true);
}

/// A random split of Hol and Gol over five days, valid for `kind`: values often under k,
/// published zeros, with or without area totals (the sum of every cell, so never below the
/// published ones), markers or deleted rows, an area missing some days, cells written as names,
/// labels, codes missing a leading zero, lower-case countries and other total words; origins
/// that are countries only for SIM countries.
fn random_split(seed: u64, kind: &str) -> (String, bool) {
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::{RngCore, SeedableRng};
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let with_total = unit() < 0.5;
    let marked = unit() < 0.5;
    let text_cells = unit() < 0.5;
    let origins: &[&str] = if kind == "sim-country" {
        &["NO", "DE", "SE", "DK", "UK"]
    } else {
        &["3044", "3041", "0301", "3024", "NO", "DE", "SE"]
    };
    let mut csv = String::from("date,area,origin,count\n");
    for day in 0..5u32 {
        for (a, area) in ["3044", "3041"].iter().enumerate() {
            if unit() < 0.15 {
                continue; // no split of this area that day
            }
            let written = match (text_cells, a, day % 3) {
                (true, 0, 1) => "K-3044 Hol",
                (true, 1, 2) => " gol ",
                _ => area,
            };
            let mut total = 0.0;
            for &origin in origins {
                // Hundredths (three decimals would read as thousands), so that a suppressed
                // mass is seldom k to the last bit: at exactly k (5.0 = 2.5 + 2.5) sums taken
                // in another order may fall either side of it, and whether the cell's top is
                // open with them (tests below take mass = k exactly, in sums that are exact).
                let value = match unit() {
                    u if u < 0.07 => 0.0,
                    u if u < 0.3 => (unit() * 800.0).round() / 100.0,
                    u if u < 0.35 => 4.97,
                    _ => (unit() * 300_000.0).round() / 100.0,
                };
                total += value;
                let origin = match (text_cells, origin, day % 3) {
                    (true, "DE", _) => "de",
                    (true, "SE", _) => " se",
                    (true, "3041", _) if day == 3 => "Gol",
                    (true, "0301", 1) => "K-0301 Oslo",
                    (true, "0301", 2) => "301",
                    _ => origin,
                };
                let on = format!("2024-07-{:02}", 10 + day);
                if value == 0.0 {
                    // A published 0, "none": an exact 0.
                    writeln!(csv, "{on},{written},{origin},0").unwrap();
                } else if value < 5.0 {
                    match unit() {
                        u if u < 0.3 => {} // deleted
                        _ if marked => writeln!(csv, "{on},{written},{origin},-1").unwrap(),
                        _ => writeln!(csv, "{on},{written},{origin},{value}").unwrap(),
                    }
                } else if unit() < 0.05 {
                    // a row deleted though published elsewhere
                } else {
                    writeln!(csv, "{on},{written},{origin},{value}").unwrap();
                }
            }
            if with_total {
                let word = if text_cells { "Alle" } else { "total" };
                let on = format!("2024-07-{:02}", 10 + day);
                writeln!(csv, "{on},{written},{word},{total}").unwrap();
            }
        }
    }
    (csv, with_total)
}

#[test]
fn sql_and_deltid_agree_figure_by_figure_on_random_splits() {
    let mut cases = Vec::new();
    let mut both = Vec::new();
    let mut totals = [0, 0];
    let mut zeros = 0;
    for seed in 0..40u64 {
        for kind in ["previous-night", "home", "sim-country"] {
            let (csv, with_total) = random_split(seed, kind);
            totals[usize::from(with_total)] += 1;
            zeros += csv.lines().filter(|l| l.ends_with(",0")).count();
            // Every fourth seed over a period: the days 11th to 13th (previous night: the
            // nights with those evening dates, from the rows of the 12th to the 14th).
            let selection = if seed % 4 == 3 {
                let d = |day| chrono::NaiveDate::from_ymd_opt(2024, 7, day);
                Selection {
                    period: deltid::Period::new(d(11), d(14)).unwrap(),
                    ..Selection::default()
                }
            } else {
                Selection::default()
            };
            let prepared = prepare_in(kind, &csv, &selection);
            if seed == 3 {
                // The query's header says how the period selects.
                let says = if kind == "previous-night" {
                    "-- period: the nights with evening dates 2024-07-11 to 2024-07-14 (end excluded)"
                } else {
                    "-- period: the days 2024-07-11 to 2024-07-14 (end excluded)"
                };
                assert!(prepared.sql.contains(says), "{}", prepared.sql);
            }
            cases.push(Case {
                counts: prepared.counts.clone(),
                count_type: if seed % 2 == 0 { "DOUBLE" } else { "VARCHAR" },
                sql: prepared.sql.clone(),
                postgres: prepared.postgres.clone(),
            });
            both.push((seed, kind, csv.clone(), prepared));
        }
    }
    assert!(
        totals[0] > 15 && totals[1] > 15 && zeros > 50,
        "{totals:?} {zeros}"
    );
    let results = run_all(&cases);
    let mut guests = 0;
    let mut open = 0;
    for ((seed, kind, csv, prepared), result) in both.iter().zip(&results) {
        let rows = rows_of(
            result
                .as_ref()
                .unwrap_or_else(|e| panic!("seed {seed} {kind}: {e}\n{csv}")),
        );
        assert_same(
            &format!("seed {seed} {kind}\n{csv}"),
            &rows,
            &prepared.expected,
        );
        guests += rows.iter().filter(|r| r.figure == "guest_nights").count();
        open += rows.iter().filter(|r| r.high_excluded).count();
    }
    // The cases reach guest-nights and open bounds.
    assert!(guests > 100 && open > 100, "{guests} {open}");
}

#[test]
fn the_shipped_home_split_in_sql_equals_deltid_estimate_json() {
    let scenario = data("home-split/scenario.toml");
    let dir = tempfile::tempdir().unwrap();
    let query = deltid(
        dir.path(),
        &[
            "sql",
            "--scenario",
            scenario.to_str().unwrap(),
            "--dialect",
            "duckdb",
        ],
    );
    assert!(query.status.success(), "{}", stderr(&query));
    let postgres = deltid(
        dir.path(),
        &[
            "sql",
            "--scenario",
            scenario.to_str().unwrap(),
            "--dialect",
            "postgres",
        ],
    );
    assert!(postgres.status.success(), "{}", stderr(&postgres));
    let json = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            scenario.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let results = run_all(&[Case {
        counts: data("home-split/split.csv"),
        count_type: "DOUBLE",
        sql: stdout(&query),
        postgres: stdout(&postgres),
    }]);
    let rows = rows_of(results[0].as_ref().unwrap());
    // Every day's parts and every night's guest-nights of the JSON output, in the SQL rows.
    let bounds = |b: &serde_json::Value| {
        (
            b["low"].as_f64().unwrap(),
            b["high"].as_f64().unwrap(),
            b["high_excluded"].as_bool().unwrap(),
        )
    };
    let mut checked = 0;
    for day in value["days"].as_array().unwrap() {
        let (date, area) = (day["date"].as_str().unwrap(), day["area"].as_str().unwrap());
        for figure in ["local", "elsewhere", "foreign"] {
            let (low, high, open) = bounds(&day[figure]);
            let row = find(&rows, date, Some(area), figure);
            assert_row(row, low, high, open);
            // Regression: `exact` compared the bounds with `=`, so the last bits of two sums
            // decided it, differently in SQL (25 of the 777 rows).
            assert_eq!(
                row.exact,
                day[figure]["exact"].as_bool().unwrap(),
                "{date} {area} {figure}: {row:?}"
            );
            checked += 1;
        }
    }
    for g in value["guest_nights"].as_array().unwrap() {
        let (low, high, open) = bounds(&g["guest_nights"]);
        let row = find(
            &rows,
            g["date"].as_str().unwrap(),
            g["area"].as_str(),
            "guest_nights",
        );
        assert_row(row, low, high, open);
        assert_eq!(
            row.exact,
            g["guest_nights"]["exact"].as_bool().unwrap(),
            "{row:?}"
        );
        assert!((row.zero_filled.unwrap() - g["zero_filled"].as_f64().unwrap()).abs() < 1e-9);
        checked += 1;
    }
    for r in value["region"].as_array().unwrap() {
        let (low, high, open) = bounds(&r["guest_nights"]);
        assert_row(
            find(&rows, r["date"].as_str().unwrap(), None, "guest_nights"),
            low,
            high,
            open,
        );
        checked += 1;
    }
    // 21 days × 6 areas × 3 parts; 21 nights (each before a day with every area) × 7 rows
    // (6 areas and the region).
    assert_eq!(checked, 21 * 6 * 3 + 21 * 7, "{checked}");
    assert_eq!(rows.len(), 777);
}

#[test]
fn what_deltids_reader_refuses_stops_the_query() {
    let good = "date,area,origin,count\n2024-07-10,3044,3044,100\n2024-07-10,3044,DE,20\n";
    let sim = "date,area,origin,count\n2024-07-10,3044,NO,100\n2024-07-10,3044,DE,20\n";
    // (kind, k, table, what the message says, what it names)
    let bad = [
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,XYZ,5\n"),
            "origin that is not an area",
            "\"XYZ\"",
        ),
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,de,7\n"),
            "twice",
            "2024-07-10",
        ),
        (
            "home",
            5.0,
            format!("{good}2024-07-10,Oslo,DE,7\n"),
            "name no area",
            "\"Oslo\"",
        ),
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,SE,\n"),
            "is empty",
            "\"SE\"",
        ),
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,SE,-2\n"),
            "not a number of persons",
            "-2",
        ),
        // Text that is no number: the engine's cast never speaks, deltid's message names it.
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,SE,12 persons\n"),
            "is not a number",
            "count \"12 persons\" of area \"3044\", origin \"SE\" on \"2024-07-10\"",
        ),
        (
            "previous-night",
            5.0,
            format!("{good}2024-07-10,3044,SE,n/a\n"),
            "is not a number",
            "count \"n/a\" of area \"3044\", origin \"SE\"",
        ),
        (
            "home",
            5.0,
            format!("{good}10/07/2024,3044,SE,7\n"),
            "is not a day written",
            "10/07/2024",
        ),
        // Municipality codes out of 0101-5699, with or without a label or padding.
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,9999,7\n"),
            "origin that is not an area",
            "\"9999\"",
        ),
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,K-0100 Nowhere,7\n"),
            "0101 to 5699",
            "\"K-0100 Nowhere\"",
        ),
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,5700,7\n"),
            "origin that is not an area",
            "\"5700\"",
        ),
        // Two letters that are no country (ISO 3166-1 alpha-2, or Eurostat's EL, UK, XK).
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,XX,7\n"),
            "ISO 3166-1 alpha-2",
            "\"XX\"",
        ),
        (
            "sim-country",
            5.0,
            format!("{sim}2024-07-10,3044,zz,7\n"),
            "origin that is not an area",
            "\"zz\"",
        ),
        // Oslo by its label and by its code missing the leading zero: the same origin twice.
        (
            "home",
            5.0,
            format!("{good}2024-07-10,3044,K-0301 Oslo,7\n2024-07-10,3044,301,8\n"),
            "twice",
            "2024-07-10",
        ),
        // A total below the published cells (100 + 20 = 120 > 110; the 4.97 under k is not
        // published, the 0 is an exact 0).
        (
            "home",
            5.0,
            format!(
                "{good}2024-07-10,3044,SE,4.97\n2024-07-10,3044,FI,0\n2024-07-10,3044,total,110\n"
            ),
            "total below the sum of their published cells",
            "2024-07-10 for area 3044",
        ),
        // -1 markers under k = 0.
        (
            "home",
            0.0,
            format!("{good}2024-07-10,3044,SE,-1\n2024-07-11,3044,SE,-1\n"),
            "min_count = 0",
            "2 counts are -1 markers (such as on 2024-07-10)",
        ),
        // A municipality, an area of the scenario or another, under SIM countries.
        (
            "sim-country",
            5.0,
            format!("{sim}2024-07-10,3044,0301,7\n"),
            "sim-country",
            "\"0301\"",
        ),
        (
            "sim-country",
            5.0,
            format!("{sim}2024-07-10,3044,Gol,7\n"),
            "has countries only",
            "\"Gol\"",
        ),
    ];
    let mut cases = Vec::new();
    let mut dirs = Vec::new();
    for (kind, k, csv, _, _) in &bad {
        // deltid's reader refuses each of them.
        let dir = folder(&[("plan.toml", &scenario_k(kind, *k)), ("split.csv", csv)]);
        let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
        assert!(
            read_counts(
                dir.path().join("split.csv"),
                &CountsOptions::default(),
                &scenario
            )
            .is_err(),
            "{csv}"
        );
        let plan = Plan::new(&scenario, &Selection::default()).unwrap();
        cases.push(Case {
            counts: dir.path().join("split.csv"),
            count_type: "VARCHAR",
            sql: to_sql(&plan, Dialect::DuckDb, &SqlOptions::default()).unwrap(),
            postgres: to_sql(&plan, Dialect::Postgres, &SqlOptions::default()).unwrap(),
        });
        dirs.push(dir);
    }
    // The markers in every form the reader takes, as text: never summed as −1.
    let markers = format!(
        "{good}2024-07-10,3044,SE,-1\n2024-07-10,3044,0301,\u{2212}1\n2024-07-10,3044,3024, -1.0\n2024-07-10,3044,3005,\"-1,0\"\n"
    );
    let prepared = prepare("home", &markers);
    cases.push(Case {
        counts: prepared.counts.clone(),
        count_type: "VARCHAR",
        sql: prepared.sql.clone(),
        postgres: prepared.postgres.clone(),
    });
    let results = run_all(&cases);
    for ((_, _, csv, says, names), result) in bad.iter().zip(&results) {
        let error = result.as_ref().expect_err(csv);
        assert!(
            error.contains("deltid: ") && error.contains(says) && error.contains(names),
            "{csv}: {error}"
        );
    }
    let rows = rows_of(results.last().unwrap().as_ref().unwrap());
    assert_same("markers", &rows, &prepared.expected);
    // 20 published from elsewhere, four marked cells and Gol's, never named (an area of the
    // scenario): 20 to under 20 + 5 × 5 = 45.
    assert_row(
        find(&rows, "2024-07-10", Some("3044"), "elsewhere"),
        20.0,
        45.0,
        true,
    );
}

#[test]
fn each_dialect_writes_the_split_and_dated_residents_are_refused() {
    let dir = folder(&[("plan.toml", &scenario("previous-night"))]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    let options = SqlOptions::new("telecom.split", Rows::Daily).unwrap();
    let spark = to_sql(&plan, Dialect::Spark, &options).unwrap();
    assert!(spark.contains("FROM `telecom`.`split` AS `c`") && spark.contains("raise_error("));
    assert!(spark.contains("date_sub("));
    let postgres = to_sql(&plan, Dialect::Postgres, &options).unwrap();
    assert!(postgres.contains("DOUBLE PRECISION") && !postgres.contains("error("));
    for text in [&spark, &postgres] {
        assert!(!text.to_uppercase().contains("FILTER ("));
        assert!(text.trim_end().ends_with(';'));
    }
    // Registered residents by date are not written into the query.
    let residents = "date,persons\n2024-07-10,5000\n";
    let dated = scenario_text_with_table();
    let dir = folder(&[("plan.toml", &dated), ("residents.csv", residents)]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    let refused = to_sql(&plan, Dialect::DuckDb, &SqlOptions::default()).unwrap_err();
    assert!(
        refused.to_string().contains("residents.csv")
            && refused.to_string().contains("with deltid itself")
            && !refused.to_string().contains("deltid estimate"),
        "{refused}"
    );
}

/// The two-area scenario with registered residents from a table by date.
fn scenario_text_with_table() -> String {
    scenario("previous-night")
        .replace("residents = 2500\n", "")
        .replace(
            "[deductions]\n",
            "[deductions]\nresidents = { table = \"residents.csv\" }\n",
        )
}

#[test]
fn sql_from_to_on_the_command_line_selects_the_split_as_estimate_does() {
    // The shipped previous-night split, 20 and 21 October 2024: the nights with those
    // evening dates, the rows of the 21st and 22nd. `deltid sql --from --to` run in DuckDB
    // gives the rows of `deltid estimate --from --to --format csv`, figure by figure.
    let scenario = data("home-split/scenario.toml");
    let scenario = scenario.to_str().unwrap();
    let period = ["--from", "2024-10-20", "--to", "2024-10-22"];
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = deltid(dir.path(), args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let query = |dialect: &str| {
        let mut args = vec!["sql", "--scenario", scenario, "--dialect", dialect];
        args.extend(period);
        run(&args)
    };
    let (sql, postgres) = (query("duckdb"), query("postgres"));
    assert!(sql.contains("period: the nights with evening dates 2024-10-20 to 2024-10-22"));
    let mut args = vec!["estimate", "--scenario", scenario, "--format", "csv"];
    args.extend(period);
    let csv = run(&args);
    let number = |f: &str| f.parse::<f64>().unwrap_or_else(|e| panic!("{f}: {e}"));
    let mut expected: Vec<Row> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), SPLIT_COLUMNS.len(), "{line}");
            Row {
                date: f[0].to_owned(),
                area: (!f[1].is_empty()).then(|| f[1].to_owned()),
                figure: f[3].to_owned(),
                low: number(f[4]),
                high: number(f[5]),
                exact: f[6] == "true",
                high_excluded: f[7] == "true",
                low_excluded: f[8] == "true",
                zero_filled: (!f[9].is_empty()).then(|| number(f[9])),
            }
        })
        .collect();
    let results = run_all(&[Case {
        counts: data("home-split/split.csv"),
        count_type: "DOUBLE",
        sql,
        postgres,
    }]);
    let mut actual = rows_of(results[0].as_ref().expect("the query runs"));
    let key = |r: &Row| (r.date.clone(), r.area.clone(), r.figure.clone());
    actual.sort_by_key(key);
    expected.sort_by_key(key);
    // Guest-nights at the evening dates 20 and 21 October only; the parts on the 21st and 22nd.
    let dates: std::collections::BTreeSet<&str> = actual.iter().map(|r| r.date.as_str()).collect();
    assert_eq!(
        dates.into_iter().collect::<Vec<_>>(),
        ["2024-10-20", "2024-10-21", "2024-10-22"]
    );
    assert!(
        actual
            .iter()
            .filter(|r| r.date == "2024-10-20")
            .all(|r| r.figure == "guest_nights"),
        "{actual:#?}"
    );
    assert!(expected.len() > 50, "{}", expected.len());
    assert_same("sql --from --to", &actual, &expected);
}
