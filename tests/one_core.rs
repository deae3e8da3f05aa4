//! The six cases of the one-core issue, each on every path it concerns: the estimate read
//! from CSV (whole and in tiny chunks) and from Parquet, the outputs (table, CSV, JSON,
//! yearly figures, population), and the query of `deltid sql` in DuckDB.

use std::path::Path;

use deltid::sql::{Dialect, SqlOptions, to_sql};
use deltid::{CountsOptions, Plan, Selection, TableRow, read_counts, read_scenario};

use crate::util::{assert_close, deltid, folder, stderr, stdout};

/// Runs a query in DuckDB over a counts CSV loaded with the given column types: the rows as
/// text, or the error.
fn duckdb(counts: &Path, sql: &str, date: &str, area: &str) -> Result<Vec<Vec<String>>, String> {
    const SCRIPT: &str = r#"
import sys, json
import duckdb
con = duckdb.connect()
con.execute("CREATE TABLE counts AS SELECT * FROM read_csv(?, header = true, quote = '', "
            "columns = {'date': '" + sys.argv[3] + "', 'area': '" + sys.argv[4] + "', 'count': 'DOUBLE'})",
            [sys.argv[1]])
try:
    rows = con.execute(open(sys.argv[2], encoding="utf-8").read()).fetchall()
    print(json.dumps({"rows": [[repr(v) if isinstance(v, float) else str(v) for v in r] for r in rows]}))
except Exception as e:
    print(json.dumps({"error": str(e)}))
"#;
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("query.sql");
    std::fs::write(&query, sql).unwrap();
    let stdout = crate::util::python_duckdb(
        SCRIPT,
        &[
            counts.as_os_str(),
            query.as_os_str(),
            date.as_ref(),
            area.as_ref(),
        ],
    );
    let result: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    match result.get("rows") {
        Some(rows) => Ok(serde_json::from_value(rows.clone()).unwrap()),
        None => Err(result["error"].as_str().unwrap_or_default().to_owned()),
    }
}

/// The summary query of a scenario file.
fn summary_sql(scenario: &Path) -> String {
    let scenario = read_scenario(scenario).unwrap();
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    to_sql(&plan, Dialect::DuckDb, &SqlOptions::default()).unwrap()
}

/// The region's guest-nights per year (plan's rule, exact) by the library from a counts file.
fn per_year(scenario: &Path, counts: &Path) -> deltid::Result<f64> {
    let scenario = read_scenario(scenario)?;
    let counts = read_counts(counts, &CountsOptions::default(), &scenario)?;
    let estimate = Plan::new(&scenario, &Selection::default())?.estimate(&counts)?;
    Ok(estimate.summary().region().guest_nights_per_year_plan())
}

const TWO_AREAS: &str = "uplift = 0.06\n[deductions]\nresidents = 100\ncommuters = 10\n\
    transit = 10\nday_visitors = 10\n[[area]]\ncode = \"0001\"\nname = \"A\"\n\
    [[area]]\ncode = \"0002\"\nname = \"B\"\n";

#[test]
fn area_cell_with_thin_space_ideographic_space_or_vertical_tab_reads_on_every_path() {
    // Two areas, 1 000 and 500 a day for ten days, uplift 6 %, 130 deducted for the region:
    // 1 500 × 1.06 − 130 = 1 460 a day, 1 460 × 365 = 532 900 a year.
    for blank in ['\u{2009}', '\u{3000}', '\u{b}'] {
        let mut csv = "date,area,count\n".to_owned();
        for day in 1..=10 {
            csv.push_str(&format!("2020-01-{day:02},0001{blank},1000\n"));
            csv.push_str(&format!("2020-01-{day:02},0002,500\n"));
        }
        let dir = folder(&[("s.toml", TWO_AREAS), ("counts.csv", &csv)]);
        let (scenario, counts) = (dir.path().join("s.toml"), dir.path().join("counts.csv"));
        assert_close(per_year(&scenario, &counts).unwrap(), 532_900.0);
        let s = read_scenario(&scenario).unwrap();
        let chunked = deltid::read_counts_in_chunks(&counts, &CountsOptions::default(), &s, 7, 3)
            .and_then(deltid::Reading::into_counts)
            .unwrap();
        assert_eq!(chunked.len(), 20, "{blank:?}");
        let rows = duckdb(&counts, &summary_sql(&scenario), "DATE", "VARCHAR").unwrap();
        let region = rows.last().unwrap();
        assert_close(region[13].parse().unwrap(), 532_900.0);
    }
}

#[test]
fn integer_area_column_in_sql_fails_with_the_number_of_rows_it_cannot_place() {
    // `0301` typed as a whole number is 301: without `digits` no area; the query stops and
    // says how many rows it could not place, as `deltid estimate` refuses them.
    let scenario = "uplift = 0.06\n[deductions]\nresidents = 0\ncommuters = 0\ntransit = 0\n\
        day_visitors = 0\n[[area]]\ncode = \"0301\"\nname = \"Oslo\"\n";
    let csv = "date,area,count\n2020-01-01,0301,1000\n2020-01-02,0301,1000\n2020-01-03,0301,900\n";
    let dir = folder(&[("s.toml", scenario), ("counts.csv", csv)]);
    let (path, counts) = (dir.path().join("s.toml"), dir.path().join("counts.csv"));
    let error = duckdb(&counts, &summary_sql(&path), "DATE", "BIGINT").unwrap_err();
    assert!(
        error.contains("deltid: 3 rows name no area of the scenario, such as \"301\""),
        "{error}"
    );
    // deltid reads the text `0301` as it is; the whole number 301 it refuses too.
    assert!(per_year(&path, &counts).is_ok());
    std::fs::write(&counts, csv.replace("0301", "301")).unwrap();
    assert!(matches!(
        per_year(&path, &counts),
        Err(deltid::Error::UnknownArea { .. })
    ));
    // With `digits = 4` both read 301 as 0301: 1 000, 1 000 and 900 × 1.06 a day.
    std::fs::write(&path, format!("{scenario}[area_codes]\ndigits = 4\n")).unwrap();
    let rows = duckdb(&counts, &summary_sql(&path), "DATE", "BIGINT").unwrap();
    let expected = (1_000.0 + 1_000.0 + 900.0) / 3.0 * 1.06;
    assert_close(rows[0][7].parse().unwrap(), expected);
    assert_close(per_year(&path, &counts).unwrap() / 365.0, expected);
}

#[test]
fn synth_scenario_declares_its_codes_digits() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "synth",
            "--areas",
            "12",
            "--days",
            "3",
            "--output",
            "c.csv",
            "--scenario",
            "s.toml",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let toml = std::fs::read_to_string(dir.path().join("s.toml")).unwrap();
    assert!(toml.contains("[area_codes]\ndigits = 4\n"), "{toml}");
}

#[test]
fn text_dates_in_sql_read_as_the_estimate_reads_them_or_stop() {
    // Counts on 1, 2 and 3 July 2024 written dd.mm.yyyy, day visitors 500 on each of those
    // days from a table (fill 0): 5 000 × 1.06 − 500 = 4 800 a day, by deltid and by the
    // query over a text column. A slashed date, which reads two ways, stops the query.
    let scenario = "uplift = 0.06\n[deductions]\nresidents = 0\ncommuters = 0\ntransit = 0\n\
        day_visitors = { table = \"dv.csv\", fill = 0 }\n[[area]]\ncode = \"1\"\nname = \"A\"\n";
    let table = "date,persons\n2024-07-01,500\n2024-07-02,500\n2024-07-03,500\n";
    let csv = "date,area,count\n01.07.2024,1,5000\n02.07.2024,1,5000\n03.07.2024,1,5000\n";
    let dir = folder(&[("s.toml", scenario), ("dv.csv", table), ("counts.csv", csv)]);
    let (path, counts) = (dir.path().join("s.toml"), dir.path().join("counts.csv"));
    assert_close(per_year(&path, &counts).unwrap() / 365.0, 4_800.0);
    let rows = duckdb(&counts, &summary_sql(&path), "VARCHAR", "VARCHAR").unwrap();
    assert_close(rows[0][12].parse().unwrap(), 4_800.0);
    std::fs::write(&counts, csv.replace("01.07.2024", "07/01/2024")).unwrap();
    let error = duckdb(&counts, &summary_sql(&path), "VARCHAR", "VARCHAR").unwrap_err();
    assert!(
        error.contains("deltid: date \"07/01/2024\" is not a day written yyyy-mm-dd or dd.mm.yyyy"),
        "{error}"
    );
    // The PostgreSQL query never leaves a text date to the server's date style.
    let s = read_scenario(&path).unwrap();
    let plan = Plan::new(&s, &Selection::default()).unwrap();
    let postgres = to_sql(&plan, Dialect::Postgres, &SqlOptions::default()).unwrap();
    assert!(postgres.contains("to_date("), "{postgres}");
    assert!(postgres.contains("'DD.MM.YYYY'"), "{postgres}");
}

#[test]
fn region_is_the_sum_of_its_areas_when_an_area_misses_a_day() {
    // A counts 100 on 1, 2 and 3 January, B 100 on the 1st and 3rd only; uplift 0, nothing
    // deducted. Each area is 100 a day, 36 500 a year; the region 200 a day, 73 000 a year,
    // in every output. Its own days are the 1st and 3rd (every area counted); the 2nd is an
    // incomplete region day.
    let scenario = "uplift = 0\n[deductions]\nresidents = 0\ncommuters = 0\ntransit = 0\n\
        day_visitors = 0\n[[area]]\ncode = \"0001\"\nname = \"A\"\n[[area]]\ncode = \"0002\"\nname = \"B\"\n";
    let csv = "date,area,count\n2020-01-01,0001,100\n2020-01-02,0001,100\n2020-01-03,0001,100\n\
        2020-01-01,0002,100\n2020-01-03,0002,100\n";
    let dir = folder(&[("s.toml", scenario), ("counts.csv", csv)]);
    let run = |command: &str, more: &[&str]| {
        let mut args = vec![command, "--scenario", "s.toml", "--counts", "counts.csv"];
        args.extend(more);
        let out = deltid(dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let table = run("estimate", &[]);
    assert!(
        table.contains("guest-nights per year (mean per day × 365)               73 000"),
        "{table}"
    );
    let yearly = run("estimate", &["--annualise", "plan"]);
    assert!(
        yearly.contains(" region  Region             73 000       73 000"),
        "{yearly}"
    );
    let csv_out = run("estimate", &["--format", "csv"]);
    let region = csv_out.lines().last().unwrap();
    assert!(region.starts_with(",Region,2,"), "{region}");
    assert!(region.contains(",73000.0,"), "{region}");
    let json: serde_json::Value =
        serde_json::from_str(&run("estimate", &["--format", "json"])).unwrap();
    assert_eq!(json["summary"]["region"]["mean"]["part_time"], 200.0);
    assert_eq!(json["summary"]["incomplete_region_days"], 1);
    let population = run("population", &["--format", "csv"]);
    // The region's present population on its days (1st and 3rd): 200 both.
    let region = population.lines().last().unwrap();
    assert!(
        region.starts_with(",Region,2,0.0,200.0,200.0,200.0,200.0,200.0,"),
        "{region}"
    );
    // The library and the query agree.
    let (path, counts) = (dir.path().join("s.toml"), dir.path().join("counts.csv"));
    assert_close(per_year(&path, &counts).unwrap(), 73_000.0);
    let rows = duckdb(&counts, &summary_sql(&path), "DATE", "VARCHAR").unwrap();
    assert_eq!(rows.last().unwrap()[2], "2");
    assert_close(rows.last().unwrap()[13].parse().unwrap(), 73_000.0);
}

#[test]
fn region_with_its_own_count_deducts_its_own_figures() {
    // Areas A1, A2 and the region's own count REG; residents 1 000 for the region, uplift 0.
    // Day 1: A1 600, A2 600, REG 1 000. Day 2: A1 600, REG 1 000. The region's present persons
    // are its own count and its deduction its own figure: 1 000 − 1 000 = 0 guest-nights on
    // both days. The overlap is taken on day 1 only, when every area is counted:
    // (600 + 600) ÷ 1 000 = 1.2.
    let scenario = "uplift = 0\nregion_code = \"REG\"\n[deductions]\nresidents = 1000\n\
        commuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"A1\"\nname = \"A1\"\n\
        [[area]]\ncode = \"A2\"\nname = \"A2\"\n";
    let csv = "date,area,count\n2020-01-01,A1,600\n2020-01-01,A2,600\n2020-01-01,REG,1000\n\
        2020-01-02,A1,600\n2020-01-02,REG,1000\n";
    let dir = folder(&[("s.toml", scenario), ("counts.csv", csv)]);
    let (path, counts) = (dir.path().join("s.toml"), dir.path().join("counts.csv"));
    let s = read_scenario(&path).unwrap();
    let c = read_counts(&counts, &CountsOptions::default(), &s).unwrap();
    let estimate = Plan::new(&s, &Selection::default())
        .unwrap()
        .estimate(&c)
        .unwrap();
    let summary = estimate.summary();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2020, 1, d).unwrap();
    assert_eq!(estimate.region_day(day(2)).unwrap().lines.part_time(), 0.0);
    assert_eq!(summary.overlap(), Some(1.2));
    assert_eq!(summary.region().mean().part_time(), 0.0);
    let rows = duckdb(&counts, &summary_sql(&path), "DATE", "VARCHAR").unwrap();
    assert_close(rows.last().unwrap()[12].parse().unwrap(), 0.0);

    // Both days A1 600, A2 600, REG 1 000, residents 500: 1 000 − 500 = 500 a day, 182 500 a
    // year, in the table and by the plan's rule among the yearly figures, not the areas'
    // 2 × (600 − 250) = 700 a day.
    std::fs::write(
        &path,
        scenario.replace("residents = 1000", "residents = 500"),
    )
    .unwrap();
    std::fs::write(
        &counts,
        "date,area,count\n2020-01-01,A1,600\n2020-01-01,A2,600\n2020-01-01,REG,1000\n\
         2020-01-02,A1,600\n2020-01-02,A2,600\n2020-01-02,REG,1000\n",
    )
    .unwrap();
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "s.toml",
            "--annualise",
            "plan",
            "--uncertainty",
            "--counts",
            "counts.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("(mean per day × 365)              182 500"),
        "{text}"
    );
    assert!(
        text.contains(" region  Region            182 500      182 500"),
        "{text}"
    );
    // Two days are too few for a season-balanced figure (fewer than 6 months counted): none
    // in the uncertainty's table, and the note says why.
    assert!(
        !text.contains("guest-nights per year, season-balanced  "),
        "{text}"
    );
    assert!(text.contains("fewer than 6 calendar months"), "{text}");
    let s = read_scenario(&path).unwrap();
    let c = read_counts(&counts, &CountsOptions::default(), &s).unwrap();
    let summary = Plan::new(&s, &Selection::default())
        .unwrap()
        .estimate(&c)
        .unwrap()
        .summary();
    assert_eq!(
        summary
            .region()
            .table()
            .row(TableRow::GuestNightsPerYear)
            .rounded,
        182_500
    );
}

#[test]
fn csv_dialect_is_one_for_every_chunking() {
    // A stray quote inside an unquoted field, lines ended by CR alone, a trailing empty field:
    // read the same whole and cut into chunks of every size from 1 to 40 bytes.
    let scenario = "uplift = 0\n[deductions]\nresidents = 0\ncommuters = 0\ntransit = 0\n\
        day_visitors = 0\n[[area]]\ncode = \"1\"\nname = \"A\"\n";
    let csv = "date,area,count,note\r2020-01-01,1,100,snow 12\" deep\r\
        2020-01-02,1,200,\r2020-01-03,1,300,ok\r";
    let dir = folder(&[("s.toml", scenario), ("counts.csv", csv)]);
    let (path, counts) = (dir.path().join("s.toml"), dir.path().join("counts.csv"));
    // (100 + 200 + 300) ÷ 3 = 200 a day.
    assert_close(per_year(&path, &counts).unwrap() / 365.0, 200.0);
    let s = read_scenario(&path).unwrap();
    for bytes in 1..=40 {
        for threads in [1, 2] {
            let c = deltid::read_counts_in_chunks(
                &counts,
                &CountsOptions::default(),
                &s,
                bytes,
                threads,
            )
            .and_then(deltid::Reading::into_counts)
            .unwrap_or_else(|e| panic!("{bytes} bytes: {e}"));
            let summary = Plan::new(&s, &Selection::default())
                .unwrap()
                .estimate(&c)
                .unwrap()
                .summary();
            assert_close(summary.region().mean().observed(), 200.0);
        }
    }
    // A line number counts lines ended by CR alone too: the bad count is on line 3.
    std::fs::write(&counts, csv.replace(",200,", ",-5,")).unwrap();
    let error = per_year(&path, &counts).unwrap_err().to_string();
    assert!(error.contains("line 3, column `count`"), "{error}");
}

#[test]
fn every_view_of_many_areas_sums_the_region_and_finds_the_peaks_alike() {
    // 700 areas × 300 days, every 2 801st row dropped: the summary's pass runs in blocks of 256
    // areas on every core, the daily rows one day at a time, the yearly figures area by area.
    // The region's days, its incomplete days, its yearly sums and each area's busiest days must
    // be the same from each, to the last bit.
    let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let synth = deltid::synth::Synth::generic(700, start, 300, 11, 2_000_000.0);
    let dir = folder(&[]);
    let mut csv = Vec::new();
    synth.write_csv(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let kept: Vec<&str> = csv
        .lines()
        .enumerate()
        .filter(|(i, _)| *i == 0 || i % 2_801 != 0)
        .map(|(_, line)| line)
        .collect();
    let path = dir.path().join("c.csv");
    std::fs::write(&path, kept.join("\n")).unwrap();
    let scenario = deltid::scenario_from_toml(
        &synth.scenario_toml(Some("c.csv")).unwrap(),
        &dir.path().join("s.toml"),
    )
    .unwrap();
    let counts = read_counts(&path, &CountsOptions::default(), &scenario).unwrap();
    let estimate = Plan::new(&scenario, &Selection::default())
        .unwrap()
        .estimate(&counts)
        .unwrap();
    let summary = estimate.summary();

    // The region: the summary's days against the daily rows' days.
    let from_summary: Vec<deltid::RegionDay> = estimate.region_days().collect();
    let from_rows: Vec<deltid::RegionDay> = estimate.days().filter_map(|d| d.region).collect();
    assert_eq!(from_summary, from_rows);
    // 74 rows dropped, 700 × 4 + 1 apart (each a different day): those days are no region days,
    // and the summary counts them as incomplete.
    let with_all = from_rows.len() as u32;
    assert_eq!(with_all, 300 - 74);
    assert_eq!(summary.incomplete_region_days(), 300 - with_all);

    // The yearly figures' region (the areas' days summed, as they are) against the summary's
    // calendar years (the region's days summed): the same sums, year by year.
    use deltid::analysis::{Annualisation, NegativePolicy, Yearly};
    let yearly = Yearly::new(&estimate, Annualisation::Calendar, NegativePolicy::Keep);
    let counted: Vec<(i32, f64)> = yearly
        .region
        .years
        .iter()
        .map(|y| (y.year, y.counted))
        .collect();
    let calendar: Vec<(i32, f64)> = summary
        .region()
        .calendar_years()
        .iter()
        .map(|y| (y.year, y.guest_nights))
        .collect();
    assert_eq!(counted, calendar);

    // Each area's busiest days (every area has holiday homes) against its own days.
    for (position, area) in summary.areas().iter().enumerate() {
        let mut days: Vec<f64> = estimate
            .area_days(position)
            .map(|(_, lines)| lines.part_time())
            .collect();
        assert_eq!(area.days() as usize, days.len());
        assert_eq!(area.busiest(), deltid::Busiest::of(&mut days), "{position}");
        assert!(area.busiest().is_some());
    }
}
