//! Analysts' files complete: every section the readable text carries (calendar years, yearly
//! figures, uncertainty, plausibility, notes) is in the workbook and in CSV files beside the
//! main one, with whole-person columns beside the full-precision ones.

use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx, open_workbook};

use crate::util::{data, deltid, folder, stderr, stdout};

/// The plan's scenario with the uplift and the commuters given as ranges (so the uncertainty
/// has a sensitivity table) and holiday homes for Hol (so there is a plausibility check).
pub(crate) fn scenario() -> String {
    let counts = data("hallingdal/counts.csv")
        .display()
        .to_string()
        .replace('\\', "/");
    let mut text = format!(
        "name = \"Hallingdal\"\nuplift = {{ uniform = [0.04, 0.08] }}\ncounts = \"{counts}\"\n\
         [deductions]\nresidents = 20000\ncommuters = {{ triangular = [500, 1000, 1500] }}\n\
         transit = 1000\nday_visitors = 1000\n"
    );
    for (code, name) in [
        ("3039", "Flå"),
        ("3040", "Nesbyen"),
        ("3041", "Gol"),
        ("3042", "Hemsedal"),
        ("3043", "Ål"),
    ] {
        text.push_str(&format!("[[area]]\ncode = \"{code}\"\nname = \"{name}\"\n"));
    }
    text.push_str("[[area]]\ncode = \"3044\"\nname = \"Hol\"\nholiday_homes = 6000\n");
    // The shipped scenario's school holidays, which the season-balanced model uses.
    text.push_str("[calendar]\nwinter_holiday_weeks = [8, 9]\nautumn_holiday_weeks = [40]\n");
    text
}

/// Every section asked for: season-balanced yearly figures and intervals (the fewest draws).
const ALL: [&str; 5] = [
    "--annualise",
    "season-balanced",
    "--uncertainty",
    "--draws",
    "100",
];

fn json_of(dir: &Path) -> serde_json::Value {
    let mut args = vec!["estimate", "--scenario", "ranges.toml", "--format", "json"];
    args.extend(ALL);
    let out = deltid(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(x) => *x,
        Data::Int(n) => *n as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// The row of a sheet whose first two cells are empty (the region) or whose first cell is
/// `key`, as (header, cells).
fn row<'a>(range: &'a Range<Data>, first: &str) -> Vec<&'a Data> {
    range
        .rows()
        .skip(1)
        .find(|r| matches!(&r[0], Data::String(s) if s == first))
        .unwrap_or_else(|| panic!("no row {first:?}"))
        .iter()
        .collect()
}

fn column(range: &Range<Data>, name: &str) -> usize {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == name))
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn the_workbook_carries_every_section_with_whole_persons_beside() {
    let dir = folder(&[("ranges.toml", &scenario())]);
    let json = json_of(dir.path());
    let mut args = vec![
        "estimate",
        "--scenario",
        "ranges.toml",
        "--output",
        "all.xlsx",
    ];
    args.extend(ALL);
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut book: Xlsx<_> = open_workbook(dir.path().join("all.xlsx")).unwrap();
    let sheets = book.worksheets();
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "waterfall",
            "summary",
            "calendar_years",
            "yearly",
            "yearly_coverage",
            "uncertainty",
            "sensitivity",
            "plausibility",
            "notes",
            "daily",
            "run"
        ]
    );
    let sheet = |name: &str| &sheets.iter().find(|(n, _)| n == name).unwrap().1;

    // Calendar years: the region's 2020 (366 days counted) as the JSON's, whole beside exact.
    let years = sheet("calendar_years");
    let region_2020 = years
        .rows()
        .find(|r| r[0] == Data::Empty && number(&r[2]) == 2020.0)
        .expect("the region's 2020");
    let exact = json["summary"]["region"]["calendar_years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2020)
        .unwrap()["guest_nights"]
        .as_f64()
        .unwrap();
    let (g, w) = (
        column(years, "guest_nights"),
        column(years, "guest_nights_whole"),
    );
    assert_eq!(w, g + 1);
    assert!((number(&region_2020[g]) - exact).abs() < 1e-6);
    assert_eq!(number(&region_2020[w]), exact.round());
    assert_eq!(number(&region_2020[3]), 366.0);

    // Yearly figures: the README's 9 938 802 season-balanced beside the plan's 9 682 516.
    let yearly = sheet("yearly");
    let region = yearly
        .rows()
        .find(|r| r[0] == Data::Empty)
        .expect("the region");
    assert_eq!(
        number(&region[column(yearly, "guest_nights_per_year_whole")]),
        9_938_802.0
    );
    assert_eq!(
        number(&region[column(yearly, "guest_nights_per_year_plan_whole")]),
        9_682_516.0
    );
    let filled = number(&region[column(yearly, "filled_share")]);
    assert!((filled - json["yearly"]["region"]["filled_share"].as_f64().unwrap()).abs() < 1e-9);
    // Coverage: a row per area and year, 2019 to 2021 (7 places × 3 years).
    assert_eq!(sheet("yearly_coverage").rows().count(), 1 + 7 * 3);

    // Uncertainty: three figures, each at the means and its percentiles as the JSON's.
    let uncertainty = sheet("uncertainty");
    assert_eq!(uncertainty.rows().count(), 1 + 3);
    let per_day = row(uncertainty, "guest-nights per day");
    let at = column(uncertainty, "at_means");
    assert!(
        (number(per_day[at]) - json["uncertainty"]["per_day_at_means"].as_f64().unwrap()).abs()
            < 1e-6
    );
    assert_eq!(number(per_day[at + 1]), number(per_day[at]).round());
    let p95 = column(uncertainty, "parameters_p95");
    assert!(
        (number(per_day[p95]) - json["uncertainty"]["per_day"]["p95"].as_f64().unwrap()).abs()
            < 1e-6
    );
    // Sensitivity: the two parameters given as ranges.
    assert_eq!(sheet("sensitivity").rows().count(), 1 + 2);
    // Plausibility: Hol's 6 000 holiday homes.
    let plausibility = sheet("plausibility");
    let hol = row(plausibility, "3044");
    assert_eq!(number(hol[column(plausibility, "holiday_homes")]), 6000.0);

    // Notes: the allocation, the yearly method, the intervals' methods, as in the JSON.
    let notes: Vec<String> = sheet("notes")
        .rows()
        .skip(1)
        .map(|r| r[0].to_string())
        .collect();
    let json_notes: Vec<String> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(notes, json_notes);
    for part in [
        "region-level deductions allocated to areas by each area's share of present persons",
        "guest-nights per year, season-balanced",
        "moving-block bootstrap",
        "The residual holds hotel and rental guests",
    ] {
        assert!(notes.iter().any(|n| n.contains(part)), "{part}: {notes:#?}");
    }
}

#[test]
fn csv_writes_each_section_to_a_file_beside_it_all_or_nothing() {
    let dir = folder(&[("ranges.toml", &scenario())]);
    let mut args = vec![
        "estimate",
        "--scenario",
        "ranges.toml",
        "--output",
        "est.csv",
    ];
    args.extend(ALL);
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("est"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "est.calendar_years.csv",
            "est.csv",
            "est.csv.run.json",
            "est.notes.csv",
            "est.plausibility.csv",
            "est.sensitivity.csv",
            "est.uncertainty.csv",
            "est.yearly.csv",
            "est.yearly_coverage.csv",
        ]
    );
    let yearly = std::fs::read_to_string(dir.path().join("est.yearly.csv")).unwrap();
    let mut lines = yearly.lines();
    assert_eq!(
        lines.next(),
        Some(
            "area,name,guest_nights_per_year,guest_nights_per_year_whole,guest_nights_per_year_plan,guest_nights_per_year_plan_whole,filled_share"
        )
    );
    let region = lines.find(|l| l.starts_with(",Hallingdal,")).unwrap();
    let fields: Vec<&str> = region.split(',').collect();
    assert_eq!(fields[3], "9938802");
    assert_eq!(fields[5], "9682516");

    // Again without --force: refused before any work, nothing replaced; a section's file in
    // the way refuses the run too.
    std::fs::remove_file(dir.path().join("est.csv")).unwrap();
    std::fs::remove_file(dir.path().join("est.csv.run.json")).unwrap();
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("est.calendar_years.csv exists"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("est.csv").exists());
    // With --force every file is replaced together.
    args.push("--force");
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("est.csv").exists());

    // On standard output a CSV holds one table, and says where the others go.
    let mut args = vec!["estimate", "--scenario", "ranges.toml", "--format", "csv"];
    args.extend(ALL);
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("area,name,days,"));
    assert!(
        stderr(&out).contains("give --output FILE.csv for the others (calendar_years, yearly"),
        "{}",
        stderr(&out)
    );
}
