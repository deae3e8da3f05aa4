//! `deltid validate`: the shipped counts check clean, and a damaged copy of them gets each
//! finding at its place.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use deltid::analysis::{AreaCheck, LevelShift, Outlier, Validation};
use deltid::{AreaCode, CountsOptions, read_scenario};

use crate::util::{data, deltid, folder, stderr, stdout};

fn plan() -> PathBuf {
    data("hallingdal/plan-2021.toml")
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// The shipped counts with each data line (`date,area,count`) passed through `edit`, which
/// returns the lines to write in its place; written to `counts.csv` in `dir`.
fn damaged(dir: &Path, edit: impl Fn(&str, &str, f64) -> Vec<String>) -> PathBuf {
    let text = std::fs::read_to_string(data("hallingdal/counts.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = vec![lines.next().unwrap().to_owned()];
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        out.extend(edit(cells[0], cells[1], cells[2].parse().unwrap()));
    }
    let path = dir.join("counts.csv");
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
    path
}

/// Warnings only: a week of Nesbyen (3040) removed, Gol (3041) removed entirely, a zero for Flå
/// (3039), Hemsedal (3042) ×10 from 2020-10-01, a single day ×20 for Hol (3044).
fn with_warnings(dir: &Path) -> PathBuf {
    damaged(dir, |date, area, count| {
        let count = match (area, date) {
            ("3041", _) => return vec![],
            ("3040", d) if ("2020-05-11"..="2020-05-17").contains(&d) => return vec![],
            ("3039", "2019-11-13") => 0.0,
            ("3042", d) if d >= "2020-10-01" => count * 10.0,
            ("3044", "2020-06-10") => count * 20.0,
            _ => count,
        };
        vec![format!("{date},{area},{count}")]
    })
}

/// Errors: line 100 (2019-09-17, Gol) counts -5; the first data row (line 2) is repeated at
/// the end (line 3284), and a row for area 9999 follows (line 3285).
fn with_errors(dir: &Path) -> PathBuf {
    damaged(dir, |date, area, count| match (date, area) {
        ("2019-09-17", "3041") => vec![format!("{date},{area},-5")],
        ("2021-02-28", "3044") => vec![
            format!("{date},{area},{count}"),
            "2019-09-01,3039,1868".to_owned(),
            "2020-01-01,9999,100".to_owned(),
        ],
        _ => vec![format!("{date},{area},{count}")],
    })
}

fn validate(counts: &Path) -> Validation {
    let scenario = read_scenario(plan()).unwrap();
    Validation::run(&scenario, Some(counts), &CountsOptions::default()).unwrap()
}

/// An area with every day of the span and nothing found, as the shipped counts are.
fn clean(code: &str, name: &str) -> AreaCheck {
    AreaCheck {
        code: AreaCode::new(code),
        name: name.to_owned(),
        days: 547,
        first: Some(day("2019-09-01")),
        last: Some(day("2021-02-28")),
        missing: vec![],
        missing_days: 0,
        zero_days: 0,
        zero_dates: vec![],
        level_shifts: vec![],
        outliers: vec![],
    }
}

#[test]
fn shipped_counts_validate_with_every_day_of_every_area() {
    let scenario = read_scenario(plan()).unwrap();
    let report = Validation::run(&scenario, None, &CountsOptions::default()).unwrap();
    assert_eq!(report.errors, Vec::<String>::new());
    assert_eq!(report.warnings, Vec::<String>::new());
    assert_eq!(report.first, Some(day("2019-09-01")));
    assert_eq!(report.last, Some(day("2021-02-28")));
    let expected = [
        ("3039", "Flå"),
        ("3040", "Nesbyen"),
        ("3041", "Gol"),
        ("3042", "Hemsedal"),
        ("3043", "Ål"),
        ("3044", "Hol"),
    ]
    .map(|(code, name)| clean(code, name));
    assert_eq!(report.areas, expected);

    let dir = folder(&[]);
    let plan = plan().display().to_string();
    let out = deltid(dir.path(), &["validate", "--scenario", &plan]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("No errors, no warnings."),
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out), "");
}

#[test]
fn damaged_copy_gets_each_warning_at_its_date() {
    let dir = folder(&[]);
    let report = validate(&with_warnings(dir.path()));
    assert_eq!(report.errors, Vec::<String>::new());
    let mut expected = [
        ("3039", "Flå"),
        ("3040", "Nesbyen"),
        ("3041", "Gol"),
        ("3042", "Hemsedal"),
        ("3043", "Ål"),
        ("3044", "Hol"),
    ]
    .map(|(code, name)| clean(code, name));
    // Flå 2019-11-13 set to 0 after 1881 on 2019-11-12: a zero day, and an outlier, whose
    // return to 1817 the next day is not a second one.
    expected[0].zero_days = 1;
    expected[0].zero_dates = vec![day("2019-11-13")];
    expected[0].outliers = vec![Outlier {
        date: day("2019-11-13"),
        count: 0.0,
        previous: 1881.0,
        score: report.areas[0].outliers[0].score,
        holiday_edge: false,
    }];
    // Nesbyen: the week removed, exactly.
    expected[1].days = 540;
    expected[1].missing = vec![[day("2020-05-11"), day("2020-05-17")]];
    expected[1].missing_days = 7;
    // Gol: no counts, so the whole span is missing.
    expected[2].days = 0;
    expected[2].first = None;
    expected[2].last = None;
    expected[2].missing = vec![[day("2019-09-01"), day("2021-02-28")]];
    expected[2].missing_days = 547;
    // Hemsedal: medians of the shipped counts, 2020-09-03..30 = 4282.5 and
    // 2020-10-01..28 = 4177 (×10 = 41 770), computed from data/hallingdal/counts.csv.
    expected[3].level_shifts = vec![LevelShift {
        date: day("2020-10-01"),
        before: 4282.5,
        after: 41_770.0,
        holiday_edge: false,
    }];
    // Hol: 8077 × 20 = 161 540 on 2020-06-10, after 7855.
    expected[5].outliers = vec![Outlier {
        date: day("2020-06-10"),
        count: 161_540.0,
        previous: 7855.0,
        score: report.areas[5].outliers[0].score,
        holiday_edge: false,
    }];
    assert_eq!(report.areas, expected);
    assert!(report.areas[0].outliers[0].score < -8.0);
    assert!(report.areas[5].outliers[0].score > 8.0);
    assert_eq!(
        report.warnings,
        [
            "3039 Flå: 1 day counted as zero: 2019-11-13",
            "3039 Flå: outlier on 2019-11-13: 0 persons, against 1 881 on the counted day before (robust score -51.9)",
            "3040 Nesbyen: 7 days without a count: 2020-05-11 to 2020-05-17",
            "3041 Gol: no counts at all",
            "3042 Hemsedal: level shift on 2020-10-01: median 4 283 persons over the 28 days before, 41 770 from it on (×9.75)",
            "3044 Hol: outlier on 2020-06-10: 161 540 persons, against 7 855 on the counted day before (robust score 24.4)",
        ]
    );

    let plan = plan().display().to_string();
    let out = deltid(
        dir.path(),
        &["validate", "--scenario", &plan, "--counts", "counts.csv"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings only: {}",
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("6 warnings:"), "{text}");
    for warning in &report.warnings {
        assert!(
            text.contains(&format!("- {warning}\n")),
            "{warning} not in\n{text}"
        );
    }
}

#[test]
fn damaged_copy_gets_each_error_with_its_lines() {
    let dir = folder(&[]);
    let counts = with_errors(dir.path());
    let report = validate(&counts);
    let (file, plan) = (counts.display(), plan().display().to_string());
    assert_eq!(
        report.errors,
        [
            // In file order; known codes echoed quoted (deltid::quoted).
            format!("{file}: line 100, column `count`: negative number of persons \"-5\""),
            format!("{file}: line 3284: second row for area 3039 on 2019-09-01 (first at line 2)"),
            format!(
                "{file}: line 3285, column `area`: area \"9999\" is not in the scenario {plan} (did you mean \"3039\", \"3040\" or \"3041\"? 6 areas known)"
            ),
        ]
    );
    assert_eq!(report.areas, []);
    assert!(report.has_errors());

    let out = deltid(
        dir.path(),
        &["validate", "--scenario", &plan, "--counts", "counts.csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("3 errors; the counts were not checked further:"),
        "{text}"
    );
    assert!(
        text.contains(
            "counts.csv: line 3284: second row for area 3039 on 2019-09-01 (first at line 2)"
        ),
        "{text}"
    );
    assert_eq!(stderr(&out), "deltid: error: counts.csv: 3 errors\n");
}

#[test]
fn json_report_parses_and_has_the_fields() {
    let dir = folder(&[]);
    with_warnings(dir.path());
    let plan = plan().display().to_string();
    let out = deltid(
        dir.path(),
        &[
            "validate",
            "--scenario",
            &plan,
            "--counts",
            "counts.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["counts"], "counts.csv");
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(json["warnings"].as_array().unwrap().len(), 6);
    assert_eq!(json["first"], "2019-09-01");
    assert_eq!(json["last"], "2021-02-28");
    let areas = json["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 6);
    let nesbyen = &areas[1];
    for field in [
        "code",
        "name",
        "days",
        "first",
        "last",
        "missing",
        "missing_days",
        "zero_days",
        "zero_dates",
        "level_shifts",
        "outliers",
    ] {
        assert!(nesbyen.get(field).is_some(), "no {field} in {nesbyen}");
    }
    assert_eq!(nesbyen["code"], "3040");
    assert_eq!(
        nesbyen["missing"],
        serde_json::json!([["2020-05-11", "2020-05-17"]])
    );
    assert_eq!(
        areas[3]["level_shifts"],
        serde_json::json!([{"date": "2020-10-01", "before": 4282.5, "after": 41770.0, "holiday_edge": false}])
    );
    assert_eq!(areas[5]["outliers"][0]["date"], "2020-06-10");

    let bad = folder(&[]);
    with_errors(bad.path());
    let out = deltid(
        bad.path(),
        &[
            "validate",
            "--scenario",
            &plan,
            "--counts",
            "counts.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["errors"].as_array().unwrap().len(), 3);
    assert_eq!(json["areas"], serde_json::json!([]));
}

#[test]
fn validate_refuses_other_formats_and_a_selection() {
    let dir = folder(&[]);
    let plan = plan().display().to_string();
    for extra in [
        &["--format", "parquet", "--output", "x.parquet"][..],
        &["--from", "2020-01-01"],
        &["--area", "3041"],
    ] {
        let mut args = vec!["validate", "--scenario", &plan];
        args.extend(extra);
        let out = deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn jumps_at_the_edges_of_holidays_are_listed_but_not_warned_about() {
    // Hol (3044) ×10 from 2020-04-14, the Tuesday after Easter Monday (13 April 2020), and
    // Ål (3043) ×20 on 2020-12-21 alone, the first day of the Christmas holiday: both jumps are
    // found, both lie on a holiday's edge, so the warnings only count them. Flå (3039) ×10 from
    // 2020-11-10, a plain Tuesday, stays a warning.
    let dir = folder(&[]);
    let counts = damaged(dir.path(), |date, area, count| {
        let count = match (area, date) {
            ("3044", d) if d >= "2020-04-14" => count * 10.0,
            ("3043", "2020-12-21") => count * 20.0,
            ("3039", d) if d >= "2020-11-10" => count * 10.0,
            _ => count,
        };
        vec![format!("{date},{area},{count}")]
    });
    let report = validate(&counts);
    let hol = &report.areas[5];
    assert_eq!(hol.level_shifts.len(), 1);
    assert_eq!(hol.level_shifts[0].date, day("2020-04-14"));
    assert!(hol.level_shifts[0].holiday_edge);
    let al = &report.areas[4];
    assert_eq!(al.outliers.len(), 1);
    assert_eq!(al.outliers[0].date, day("2020-12-21"));
    assert!(al.outliers[0].holiday_edge);
    let fla = &report.areas[0];
    assert_eq!(fla.level_shifts.len(), 1);
    assert!(!fla.level_shifts[0].holiday_edge);
    assert_eq!(report.warnings.len(), 2, "{:#?}", report.warnings);
    assert!(report.warnings[0].starts_with("3039 Flå: level shift on 2020-11-10"));
    assert_eq!(
        report.warnings[1],
        "1 level shift and 1 outlier day at the start or end of a holiday, as expected in a \
         cabin region: listed per area in the report (JSON), not warned about"
    );
}

#[test]
fn csv_and_xlsx_reports_list_each_finding_as_a_row() {
    // Warnings: a row per finding with its area, first day and kind, the message as in the
    // text (the damaged copy of `with_warnings`: Flå's zero on 2019-11-13, also an outlier,
    // Nesbyen's missing week from 2020-05-11, Gol without counts, Hemsedal's level shift on
    // 2020-10-01, Hol's outlier on 2020-06-10).
    let dir = folder(&[]);
    with_warnings(dir.path());
    let plan = plan().display().to_string();
    let args = ["validate", "--scenario", &plan, "--counts", "counts.csv"];
    let out = deltid(dir.path(), &[&args[..], &["--format", "csv"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("file,line,area,date,kind,message"));
    let rows: Vec<Vec<String>> = rows
        .map(|l| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes());
            reader
                .records()
                .next()
                .unwrap()
                .unwrap()
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    let report = validate(&dir.path().join("counts.csv"));
    assert_eq!(rows.len(), report.warnings.len());
    let key: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[2].as_str(), r[3].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        key,
        [
            ("3039", "2019-11-13", "zero_days"),
            ("3039", "2019-11-13", "outlier"),
            ("3040", "2020-05-11", "missing_days"),
            ("3041", "", "no_counts"),
            ("3042", "2020-10-01", "level_shift"),
            ("3044", "2020-06-10", "outlier"),
        ]
    );
    for (row, warning) in rows.iter().zip(&report.warnings) {
        assert_eq!(row[0], "counts.csv");
        assert_eq!(row[1], "");
        assert_eq!(&row[5], warning);
    }

    // Errors: each with its line, as the reader found it.
    let bad = folder(&[]);
    with_errors(bad.path());
    let out = deltid(
        bad.path(),
        &[&args[..], &["--format", "xlsx", "--output", "report.xlsx"]].concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(bad.path().join("report.xlsx")).unwrap();
    let sheets = book.worksheets();
    assert_eq!(sheets[0].0, "findings");
    assert_eq!(sheets[1].0, "areas");
    let rows: Vec<Vec<String>> = sheets[0]
        .1
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], ["file", "line", "area", "date", "kind", "message"]);
    let key: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        key,
        [
            ("line 100", "", "error"),
            ("line 3284", "3039", "error"),
            ("line 3285", "9999", "error"),
        ]
    );
    assert!(rows[2][5].ends_with("second row for area 3039 on 2019-09-01 (first at line 2)"));
}
