//! Outputs for spreadsheet and data users: CSV in Excel's Norwegian style, an .xlsx workbook
//! read back, Parquet read back, and binary formats kept off the terminal.

use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use polars::prelude::*;

use crate::util::{assert_close, data, deltid, folder, stderr, stdout};

/// Areas in the shipped Hallingdal counts, and days counted (2019-09-01 to 2021-02-28).
const AREAS: usize = 6;
const DAYS: usize = 547;

fn plan() -> String {
    data("hallingdal/plan-2021.toml").display().to_string()
}

/// The plan's table for the region, whole persons (nights on the last line): 46 724 counted;
/// plus round(46 724 × 0.06) = 2 803; minus 20 000, 1 000, 1 000 and 1 000; so 26 527 per day,
/// and 26 527 × 365 = 9 682 355 per year.
const PLAN_TABLE: [f64; 8] = [
    46_724.0,
    2_803.0,
    -20_000.0,
    -1_000.0,
    -1_000.0,
    -1_000.0,
    26_527.0,
    9_682_355.0,
];

/// The Excel serial number of a day (1900 date system: days since 1899-12-30).
fn excel_serial(day: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (day - epoch).num_days() as f64
}

/// A cell that must be a number (whole numbers may come back as either kind).
#[track_caller]
fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(x) => *x,
        Data::Int(n) => *n as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// A cell that must be an Excel date, as its serial number.
#[track_caller]
fn date(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(d) if d.is_datetime() => d.as_f64(),
        other => panic!("expected an Excel date, got {other:?}"),
    }
}

/// Runs deltid writing `file` in `dir`, and asserts success.
fn run_to_file(dir: &Path, args: &[&str], file: &str) {
    let mut args = args.to_vec();
    args.extend(["--output", file]);
    let out = deltid(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

/// The sheets of a workbook, by name, in order.
fn sheets(path: &Path) -> Vec<(String, Range<Data>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.worksheets()
}

fn header(range: &Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn csv_for_norwegian_excel_has_semicolons_and_decimal_commas() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &plan(),
            "--format",
            "csv",
            "--delimiter",
            ";",
            "--decimal",
            "comma",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + AREAS + 1);
    // A UTF-8 byte-order mark first, so Excel on Windows shows "Ål", not "Ã…l".
    assert!(lines[0].starts_with(
        "\u{feff}area;name;days;first;last;missing_days;negative_days;mean_observed;"
    ));
    // The region: means per day in full precision (2 803,44 = 46 724 × 6 %; 26 527,44 part-time
    // residents; × 365 = 9 682 515,6), then the plan's table in whole persons.
    let region: Vec<&str> = lines[AREAS + 1].split(';').collect();
    assert_eq!(region.len(), 24, "{}", lines[AREAS + 1]);
    assert_eq!(
        region[..7],
        [
            "",
            "Hallingdal",
            "547",
            "2019-09-01",
            "2021-02-28",
            "0",
            "0"
        ]
    );
    // The region's means are its areas' means summed (the region rule of issue "one region"),
    // so their last digits carry the rounding of that sum (2 803,4399999999996 for 2 803,44):
    // compared as numbers, each written with a decimal comma and no point.
    let means = [
        46_724.0,
        2_803.44,
        49_527.44,
        20_000.0,
        1_000.0,
        1_000.0,
        1_000.0,
        26_527.44,
        9_682_515.6,
    ];
    for (cell, expected) in region[7..16].iter().zip(means) {
        assert!(!cell.contains('.') && cell.contains(','), "{cell}");
        assert_close(cell.replace(',', ".").parse().unwrap(), expected);
    }
    assert_eq!(
        region[16..],
        [
            "46724", "2803", "-20000", "-1000", "-1000", "-1000", "26527", "9682355"
        ]
    );
}

#[test]
fn csv_daily_rows_with_tabs_have_no_decimal_points() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            &plan(),
            "--format",
            "csv",
            "--daily",
            "--delimiter",
            "tab",
            "--decimal",
            "comma",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + (AREAS + 1) * DAYS);
    assert_eq!(
        lines[0],
        "\u{feff}date\tweekday\tlabel\tarea\tname\tpresent\tresidents\tpart_time\tratio"
    );
    for line in &lines[1..] {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 9, "{line}");
        assert!(!line.contains('.'), "a decimal point in {line}");
        // Present population is fractional (observed × 1,06), so it carries a comma.
        assert!(fields[5].contains(','), "{line}");
    }
}

#[test]
fn csv_decimal_comma_between_commas_is_a_usage_error() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &plan(),
            "--format",
            "csv",
            "--decimal",
            "comma",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("a decimal comma needs `;` or tab between fields"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn csv_options_with_another_format_are_a_usage_error() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &plan(),
            "--format",
            "json",
            "--delimiter",
            ";",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format csv"), "{}", stderr(&out));
}

#[test]
fn xlsx_estimate_holds_numbers_as_numbers_and_dates_as_dates() {
    let dir = folder(&[]);
    run_to_file(
        dir.path(),
        &["estimate", "--scenario", &plan(), "--format", "xlsx"],
        "hallingdal.xlsx",
    );
    let sheets = sheets(&dir.path().join("hallingdal.xlsx"));
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "waterfall",
            "summary",
            "calendar_years",
            "notes",
            "daily",
            "run"
        ]
    );

    // The plan's table: the region first, eight lines, numbers not text.
    let waterfall = &sheets[0].1;
    assert_eq!(
        header(waterfall),
        ["area", "name", "line", "persons", "exact"]
    );
    assert_eq!(waterfall.height(), 1 + (AREAS + 1) * PLAN_TABLE.len());
    let region: Vec<&[Data]> = waterfall.rows().skip(1).take(PLAN_TABLE.len()).collect();
    for (row, expected) in region.iter().zip(PLAN_TABLE) {
        assert_eq!(row[0], Data::Empty, "the region has no area code");
        assert_eq!(row[1], Data::String("Hallingdal".into()));
        assert_eq!(number(&row[3]), expected, "{row:?}");
    }
    // Exact values beside the rounded ones: 46 724 × 0.06 = 2 803.44.
    assert_close(number(&region[1][4]), 2_803.44);
    assert_eq!(
        region[0][2],
        Data::String("mean persons per day from telecom data".into())
    );

    // The summary: one row per area and the region; days counted and coverage as numbers
    // and dates.
    let summary = &sheets[1].1;
    assert_eq!(summary.height(), 1 + AREAS + 1);
    let head = header(summary);
    let at = |name: &str| head.iter().position(|h| h == name).unwrap();
    let region = summary.rows().next_back().unwrap();
    assert_eq!(number(&region[at("days")]), DAYS as f64);
    let first = NaiveDate::from_ymd_opt(2019, 9, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2021, 2, 28).unwrap();
    assert_eq!(date(&region[at("first")]), excel_serial(first));
    assert_eq!(date(&region[at("last")]), excel_serial(last));
    assert_close(number(&region[at("mean_uplift")]), 2_803.44);
    assert_eq!(
        number(&region[at("table_guest_nights_per_year")]),
        9_682_355.0
    );

    // The daily rows: every area's days, then the region's, each date an Excel date.
    let daily = &sheets[4].1;
    assert_eq!(
        header(daily)[..3],
        ["date".to_owned(), "area".to_owned(), "name".to_owned()]
    );
    assert_eq!(daily.height(), 1 + (AREAS + 1) * DAYS);
    for row in daily.rows().skip(1) {
        let serial = date(&row[0]);
        assert!(
            (excel_serial(first)..=excel_serial(last)).contains(&serial),
            "{row:?}"
        );
        for cell in &row[3..] {
            number(cell);
        }
    }
    let first_row = daily.rows().nth(1).unwrap();
    assert_eq!(date(&first_row[0]), excel_serial(first));
    // 2019-09-01 is Excel day 43 709 (2020-01-01 is 43 831, 122 days later).
    assert_eq!(excel_serial(first), 43_709.0);
    assert_eq!(first_row[1], Data::String("3039".into()), "codes stay text");
}

#[test]
fn xlsx_population_has_percentiles_peaks_and_days() {
    let dir = folder(&[]);
    run_to_file(
        dir.path(),
        &[
            "population",
            "--scenario",
            &plan(),
            "--top",
            "3",
            "--format",
            "xlsx",
        ],
        "planners.xlsx",
    );
    let sheets = sheets(&dir.path().join("planners.xlsx"));
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "percentiles",
            "peaks",
            "by_label",
            "by_month",
            "daily",
            "notes",
            "run"
        ]
    );

    let percentiles = &sheets[0].1;
    assert_eq!(percentiles.height(), 1 + AREAS + 1);
    let head = header(percentiles);
    let at = |name: &str| head.iter().position(|h| h == name).unwrap();
    for row in percentiles.rows().skip(1) {
        let p95 = number(&row[at("p95")]);
        assert!(p95 <= number(&row[at("max")]), "{row:?}");
        assert_eq!(number(&row[at("days")]), DAYS as f64);
    }

    // Three busiest days per area and for the region, ranked 1, 2, 3, busiest first.
    let peaks = &sheets[1].1;
    assert_eq!(header(peaks)[..3], ["rank", "date", "weekday"]);
    assert_eq!(peaks.height(), 1 + (AREAS + 1) * 3);
    let rows: Vec<&[Data]> = peaks.rows().skip(1).collect();
    let present = header(peaks).iter().position(|h| h == "present").unwrap();
    for group in rows.chunks(3) {
        let ranks: Vec<f64> = group.iter().map(|r| number(&r[0])).collect();
        assert_eq!(ranks, [1.0, 2.0, 3.0]);
        assert!(number(&group[0][present]) >= number(&group[2][present]));
        for row in group {
            date(&row[1]);
        }
    }

    let daily = &sheets[4].1;
    assert_eq!(daily.height(), 1 + (AREAS + 1) * DAYS);
    for row in daily.rows().skip(1) {
        date(&row[0]);
    }
}

#[test]
fn parquet_estimate_holds_the_daily_rows_with_a_date_column() {
    let dir = folder(&[]);
    run_to_file(
        dir.path(),
        &["estimate", "--scenario", &plan(), "--format", "parquet"],
        "daily.parquet",
    );
    let file = std::fs::File::open(dir.path().join("daily.parquet")).unwrap();
    let frame = ParquetReader::new(file).finish().unwrap();
    assert_eq!(frame.height(), (AREAS + 1) * DAYS);
    let names: Vec<&str> = frame
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "date",
            "area",
            "name",
            "observed",
            "uplift",
            "present",
            "residents",
            "commuters",
            "transit",
            "day_visitors",
            "part_time"
        ]
    );
    assert_eq!(frame.column("date").unwrap().dtype(), &DataType::Date);
    assert_eq!(
        frame.column("observed").unwrap().dtype(),
        &DataType::Float64
    );
    // The region's rows have no area code; its mean observed count is the plan's 46 724.
    let areas = frame.column("area").unwrap().str().unwrap();
    let observed = frame.column("observed").unwrap().f64().unwrap();
    let region: Vec<f64> = areas
        .iter()
        .zip(observed.iter())
        .filter(|(area, _)| area.is_none())
        .map(|(_, observed)| observed.unwrap())
        .collect();
    assert_eq!(region.len(), DAYS);
    assert_close(region.iter().sum::<f64>() / DAYS as f64, 46_724.0);
}

#[test]
fn parquet_population_holds_the_labelled_days() {
    let dir = folder(&[]);
    run_to_file(
        dir.path(),
        &["population", "--scenario", &plan(), "--format", "parquet"],
        "days.parquet",
    );
    let file = std::fs::File::open(dir.path().join("days.parquet")).unwrap();
    let frame = ParquetReader::new(file).finish().unwrap();
    assert_eq!(frame.height(), (AREAS + 1) * DAYS);
    assert_eq!(frame.column("date").unwrap().dtype(), &DataType::Date);
    let labels = frame.column("label").unwrap().str().unwrap();
    assert_eq!(labels.get(0), Some("weekend"), "2019-09-01 is a Sunday");
}

#[test]
fn binary_formats_to_stdout_are_refused() {
    let dir = folder(&[]);
    for command in ["estimate", "population"] {
        for format in ["xlsx", "parquet"] {
            let out = deltid(
                dir.path(),
                &[command, "--scenario", &plan(), "--format", format],
            );
            assert_eq!(out.status.code(), Some(2), "{command} {format}");
            assert!(out.stdout.is_empty(), "{command} {format}");
            assert!(
                stderr(&out).contains(&format!(
                    "--format {format} writes a binary file, not text for a terminal: give --output FILE"
                )),
                "{}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn the_format_follows_the_output_files_extension() {
    let dir = folder(&[]);
    // No --format: the workbook the name asks for, not text in a file named .xlsx.
    run_to_file(
        dir.path(),
        &["estimate", "--scenario", &plan()],
        "rapport.xlsx",
    );
    let names: Vec<String> = sheets(&dir.path().join("rapport.xlsx"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "waterfall",
            "summary",
            "calendar_years",
            "notes",
            "daily",
            "run"
        ]
    );
    run_to_file(
        dir.path(),
        &["estimate", "--scenario", &plan()],
        "summary.csv",
    );
    let csv = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    assert!(csv.starts_with("area,name,days,"), "{csv}");
    run_to_file(
        dir.path(),
        &["estimate", "--scenario", &plan()],
        "summary.json",
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["summary"]["region"]["table"]["lines"][7]["rounded"],
        9_682_355
    );
}

#[test]
fn a_format_that_contradicts_the_extension_is_refused() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &plan(),
            "--format",
            "csv",
            "--output",
            "rapport.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--format csv but --output names a .xlsx file"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("rapport.xlsx").exists());
}
