//! Counts split by origin (issue 16, part 2): the issue's cases with its values, computed by
//! hand beside each test, guest-nights by the previous-night rule, the reader's errors, and
//! the CLI.

use chrono::NaiveDate;
use deltid::{
    Bounds, CountsOptions, Error, OriginDay, OriginEstimate, Plan, Selection, read_counts,
    read_scenario,
};

use crate::util::{assert_close, deltid, folder, stderr, stdout};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Hol and Gol (2020-2023 codes), 2 500 registered residents each, with `[origin]` of `kind`.
fn scenario(kind: &str) -> String {
    format!(
        r#"
name = "Two"
uplift = 0
counts = "split.csv"
[origin]
kind = "{kind}"
min_count = 5
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

/// The estimate of a split written as `split.csv` beside a scenario of `kind`.
fn estimate(kind: &str, split: &str) -> Result<OriginEstimate, Error> {
    let dir = folder(&[("plan.toml", &scenario(kind)), ("split.csv", split)]);
    let scenario = read_scenario(dir.path().join("plan.toml"))?;
    let counts = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )?;
    let plan = Plan::new(&scenario, &Selection::default())?;
    Ok(plan.origin_estimate(counts.origins().unwrap()))
}

fn day(estimate: &OriginEstimate, area: usize, on: NaiveDate) -> &OriginDay {
    estimate
        .days()
        .iter()
        .find(|d| d.area == area && d.date == on)
        .unwrap()
}

#[track_caller]
fn assert_bounds(b: &Bounds, low: f64, high: f64, high_open: bool) {
    assert_close(b.low, low);
    assert_close(b.high, high);
    assert_eq!(b.high_open, high_open, "{b:?}");
}

/// The issue's home-zone split of Hol on one day: local 2 100.4, Oslo 1 250.7, Bærum 410.2,
/// Drammen 96.0, Germany 31.5, some rows deleted, area total 3 940.0.
const HOL: &str = "date,area,origin,count
2024-07-10,3044,3044,2100.4
2024-07-10,3044,0301,1250.7
2024-07-10,3044,3024,410.2
2024-07-10,3044,3005,96.0
2024-07-10,3044,DE,31.5
2024-07-10,3044,total,3940.0
";

#[test]
fn hol_split_elsewhere_exact_suppressed_mass_and_foreign_interval() {
    let estimate = estimate("previous-night", HOL).unwrap();
    let hol = day(&estimate, 0, date(2024, 7, 10));
    // Published: 2100.4 + 1250.7 + 410.2 + 96.0 + 31.5 = 3888.8; suppressed 3940.0 − 3888.8.
    assert_close(hol.published, 3888.8);
    assert_close(hol.suppressed.unwrap(), 51.2);
    // Persons from elsewhere: total − local = 3940.0 − 2100.4 = 1839.6, exactly (the local
    // cell is published, so all the suppressed mass is from elsewhere).
    assert!(hol.elsewhere.is_exact() || (hol.elsewhere.high - hol.elsewhere.low) < 1e-9);
    assert_bounds(&hol.elsewhere, 1839.6, 1839.6, false);
    // Foreign: Germany's 31.5, and up to all of the suppressed 51.2: 31.5 to 82.7.
    assert_bounds(&hol.foreign, 31.5, 82.7, false);
    assert_bounds(&hol.local, 2100.4, 2100.4, false);
    // multimno's convention beside it: suppressed = 0.
    assert_close(hol.zero_filled.elsewhere, 1250.7 + 410.2 + 96.0 + 31.5);
    assert_close(hol.zero_filled.foreign, 31.5);
}

#[test]
fn three_marked_cells_and_500_published_give_500_to_under_515_never_497() {
    // Gol: local published; 300 + 200 = 500 from elsewhere published and three cells marked
    // −1 (Hol, Germany, Sweden); no total. k = 5: 500 ≤ elsewhere < 500 + 3 × 5 = 515. (Hol
    // is among them: an area of the scenario absent from Gol's rows would be a fourth cell
    // that may be suppressed.)
    let split = "date,area,origin,count
2024-07-10,3041,3041,1000
2024-07-10,3041,0301,300
2024-07-10,3041,3024,200
2024-07-10,3041,3044,-1
2024-07-10,3041,DE,-1
2024-07-10,3041,SE,-1
";
    let estimate = estimate("home", split).unwrap();
    let gol = day(&estimate, 1, date(2024, 7, 10));
    assert_bounds(&gol.elsewhere, 500.0, 515.0, true);
    // Foreign: two of the marked cells are countries: 0 ≤ foreign < 10.
    assert_bounds(&gol.foreign, 0.0, 10.0, true);
    assert_eq!(gol.suppressed_cells, 3);
    assert_eq!(gol.suppressed, None);
    // The markers are never summed as −1: the published sum is 1 500, not 1 497.
    assert_close(gol.published, 1500.0);
    assert_close(gol.zero_filled.elsewhere, 500.0);
    // Home: residents away = 2 500 registered − 1 000 present.
    assert_bounds(gol.away.as_ref().unwrap(), 1500.0, 1500.0, false);
    // The long-term home's guests: persons present from elsewhere, the same bounds.
    let guests = &estimate.guests()[0];
    assert_bounds(&guests.guest_nights, 500.0, 515.0, true);
}

#[test]
fn a_value_of_4_97_is_under_k_5_and_suppressed_though_it_rounds_to_5() {
    assert!(deltid::is_suppressed(4.97, 5.0));
    assert!(!deltid::is_suppressed(5.0, 5.0));
    let split = "date,area,origin,count
2024-07-10,3041,3041,1000
2024-07-10,3041,0301,300
2024-07-10,3041,3005,4.97
";
    let estimate = estimate("home", split).unwrap();
    let gol = day(&estimate, 1, date(2024, 7, 10));
    // 4.97 is not summed: 300 published, and two cells that may hold up to under 5 each:
    // 4.97's and Hol's (an area of the scenario Gol's rows never name): 300 to under 310.
    assert_close(gol.published, 1300.0);
    assert_eq!(gol.suppressed_cells, 1);
    assert_bounds(&gol.elsewhere, 300.0, 310.0, true);
}

#[test]
fn without_a_total_origins_given_on_other_days_may_be_deleted() {
    // Gol gives Oslo and Germany on the 10th; on the 11th Germany's row is missing (deleted
    // or none): 0 ≤ foreign < 5 that day. Hol, an area of the scenario, is never named by
    // Gol: it may be deleted on both days. From elsewhere on the 11th: Oslo 310 + Germany
    // [0, 5) + Hol [0, 5) = 310 to under 320; on the 10th 300 + 20 + Hol [0, 5).
    let split = "date,area,origin,count
2024-07-10,3041,3041,1000
2024-07-10,3041,0301,300
2024-07-10,3041,DE,20
2024-07-11,3041,3041,1000
2024-07-11,3041,0301,310
";
    let estimate = estimate("home", split).unwrap();
    let second = day(&estimate, 1, date(2024, 7, 11));
    assert_bounds(&second.foreign, 0.0, 5.0, true);
    assert_bounds(&second.elsewhere, 310.0, 320.0, true);
    let first = day(&estimate, 1, date(2024, 7, 10));
    assert_bounds(&first.foreign, 20.0, 20.0, false);
    assert_bounds(&first.elsewhere, 320.0, 325.0, true);
}

/// A tester's case: two areas, Flå (3039, 1 000 registered residents) and Nesbyen (3040,
/// 3 000), previous-night origin, k = 5, no area totals.
pub(crate) const TESTER_SCENARIO: &str = r#"
name = "Flå and Nesbyen"
uplift = 0
counts = "split.csv"
[origin]
kind = "previous-night"
min_count = 5
[deductions]
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "3039"
name = "Flå"
residents = 1000
[[area]]
code = "3040"
name = "Nesbyen"
residents = 3000
"#;

/// The tester's split: Nesbyen's rows name only Nesbyen and Sweden, on every day; Flå names
/// itself, Nesbyen and Oslo. Nobody from Flå is ever seen in Nesbyen: that cell (Nesbyen,
/// origin Flå) is absent on both days.
pub(crate) const TESTER_SPLIT: &str = "date,area,origin,count
2024-07-11,3039,3039,1050
2024-07-11,3039,3040,200
2024-07-11,3039,0301,300
2024-07-11,3040,3040,2900
2024-07-11,3040,SE,1234
2024-07-12,3039,3039,1050
2024-07-12,3039,3040,200
2024-07-12,3039,0301,300
2024-07-12,3040,3040,2900
2024-07-12,3040,SE,1234
";

#[test]
fn one_rule_for_a_cell_that_may_hold_a_suppressed_count_in_parts_and_guest_nights() {
    let dir = folder(&[("plan.toml", TESTER_SCENARIO), ("split.csv", TESTER_SPLIT)]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let counts = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    let estimate = plan.origin_estimate(counts.origins().unwrap());
    // The one rule (`may_hold_suppressed`): Nesbyen's absent cell of origin Flå, an area of
    // the scenario, may hold 0 to under k = 5 persons, though the file never names it; an
    // origin that is no area of the scenario and never named for the area (Oslo in Nesbyen)
    // is taken as absent.
    let settings = deltid::OriginSettings::new(deltid::OriginKind::PreviousNight);
    assert!(deltid::may_hold_suppressed(
        &settings,
        &deltid::Origin::Area(0),
        None,
        false
    ));
    assert!(!deltid::may_hold_suppressed(
        &settings,
        &deltid::Origin::Municipality("0301".to_owned()),
        None,
        false
    ));
    assert!(deltid::may_hold_suppressed(
        &settings,
        &deltid::Origin::Municipality("0301".to_owned()),
        None,
        true
    ));
    for on in [date(2024, 7, 11), date(2024, 7, 12)] {
        // Nesbyen's persons from elsewhere: Sweden's 1 234 published, plus the Flå cell in
        // [0, 5): 1 234 to under 1 239 (before, exact 1 234: the parts took the never-named
        // cell as absent while the guest-nights took it as possible).
        let nesbyen = day(&estimate, 1, on);
        assert_bounds(&nesbyen.elsewhere, 1234.0, 1239.0, true);
        assert_bounds(&nesbyen.foreign, 1234.0, 1234.0, false);
        // Its local cell is published: 2 900 exactly.
        assert_bounds(&nesbyen.local, 2900.0, 2900.0, false);
        // Flå's from elsewhere: Nesbyen 200 + Oslo 300, every cell published and every area
        // of the scenario named: 500 exactly.
        let fla = day(&estimate, 0, on);
        assert_bounds(&fla.elsewhere, 500.0, 500.0, false);
        assert!(fla.elsewhere.is_exact());
        let night = on.pred_opt().unwrap();
        let of = |area: usize| {
            estimate
                .guests()
                .iter()
                .find(|g| g.area == area && g.date == night)
                .unwrap()
        };
        // Slept in Flå the night before: 1 050 counted in Flå + the same Flå cell in Nesbyen,
        // [0, 5): 1 050 to under 1 055; minus 1 000 registered: 50 to under 55. The cell
        // enters both figures alike.
        assert_bounds(&of(0).persons, 1050.0, 1055.0, true);
        assert_bounds(&of(0).guest_nights, 50.0, 55.0, true);
        assert_close(of(0).zero_filled, 50.0);
        // Slept in Nesbyen: 200 counted in Flå + 2 900 in Nesbyen = 3 100, minus 3 000: 100,
        // exactly (both cells published).
        assert_bounds(&of(1).guest_nights, 100.0, 100.0, false);
        // The region's night: 150 to under 155.
        let (_, region, zero) = *estimate.region().iter().find(|r| r.0 == night).unwrap();
        assert_bounds(&region, 150.0, 155.0, true);
        assert_close(zero, 150.0);
    }
}

/// Both areas on the 11th: the persons counted anywhere in the region that day by where they
/// slept the night of the 10th.
const NIGHT: &str = "date,area,origin,count
2024-07-11,3044,3044,2400
2024-07-11,3044,3041,300
2024-07-11,3044,0301,900
2024-07-11,3044,total,3600
2024-07-11,3041,3041,2600
2024-07-11,3041,3044,150
2024-07-11,3041,DE,40
2024-07-11,3041,total,2790
";

#[test]
fn previous_night_guest_nights_are_the_regions_column_sums_minus_residents() {
    let estimate = estimate("previous-night", NIGHT).unwrap();
    let night = date(2024, 7, 10);
    let of = |area: usize| {
        estimate
            .guests()
            .iter()
            .find(|g| g.area == area && g.date == night)
            .unwrap()
    };
    // Slept in Hol: 2 400 counted in Hol + 150 counted in Gol = 2 550; minus 2 500 = 50.
    assert_bounds(&of(0).persons, 2550.0, 2550.0, false);
    assert_bounds(&of(0).guest_nights, 50.0, 50.0, false);
    // Slept in Gol: 300 in Hol + 2 600 in Gol = 2 900; minus 2 500 = 400.
    assert_bounds(&of(1).guest_nights, 400.0, 400.0, false);
    // The region's night: 450, and the day method would have put Oslo's 900 in Hol too.
    let (on, region, zero) = estimate.region()[0];
    assert_eq!(on, night);
    assert_bounds(&region, 450.0, 450.0, false);
    assert_close(zero, 450.0);
}

#[test]
fn a_deleted_cell_of_the_column_sum_is_between_0_and_k() {
    // Gol's row of persons who slept in Hol is deleted; Gol's total shows 150 suppressed,
    // more than k, so the cell is 0 to under 5: slept in Hol 2 400 to under 2 405.
    let split = NIGHT.replace("2024-07-11,3041,3044,150\n", "");
    let estimate = estimate("previous-night", &split).unwrap();
    let hol = estimate.guests().iter().find(|g| g.area == 0).unwrap();
    assert_bounds(&hol.persons, 2400.0, 2405.0, true);
    assert_bounds(&hol.guest_nights, -100.0, -95.0, true);
    // multimno's convention: the deleted cell as 0.
    assert_close(hol.zero_filled, -100.0);
}

#[test]
fn sim_country_splits_foreign_from_norwegian_and_gives_no_guest_nights() {
    let split = "date,area,origin,count
2024-07-10,3044,NO,3500
2024-07-10,3044,DE,120
2024-07-10,3044,SE,-1
";
    let estimate = estimate("sim-country", split).unwrap();
    let hol = day(&estimate, 0, date(2024, 7, 10));
    assert_bounds(&hol.local, 3500.0, 3500.0, false);
    assert_bounds(&hol.foreign, 120.0, 125.0, true);
    assert!(estimate.guests().is_empty());
}

#[test]
fn bad_origins_repeats_and_undeclared_splits_are_errors_with_their_place() {
    let bad = "date,area,origin,count\n2024-07-10,3044,Oslo!,12\n";
    let err = estimate("home", bad).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("line 2"), "{text}");
    assert!(
        text.contains("`origin`") && text.contains("\"Oslo!\""),
        "{text}"
    );
    assert!(matches!(err, Error::BadOrigin { .. }), "{err:?}");

    let twice = "date,area,origin,count\n2024-07-10,3044,DE,12\n2024-07-10,3044,de,13\n";
    let err = estimate("home", twice).unwrap_err();
    // The second row's line, its origin cell and the first row's line.
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line 3, column `origin`: \"DE\": a second row for area 3044 on 2024-07-10 from origin DE (first at line 2)",
            err.path().unwrap().display()
        )
    );
    assert_eq!(err.location(), Some(deltid::Location::Line(3)));

    // A split without [origin] in the scenario: refused, naming what to declare.
    let dir = folder(&[
        (
            "plan.toml",
            &scenario("home").replace("[origin]\nkind = \"home\"\nmin_count = 5\n", ""),
        ),
        ("split.csv", HOL),
    ]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let err = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap_err();
    assert!(err.to_string().contains("[origin] kind"), "{err}");

    // An unknown kind in the scenario names the key.
    let dir = folder(&[("plan.toml", &scenario_text_kind("yesterday"))]);
    let err = read_scenario(dir.path().join("plan.toml")).unwrap_err();
    assert!(err.to_string().contains("origin.kind"), "{err}");
}

fn scenario_text_kind(kind: &str) -> String {
    scenario(kind)
}

#[test]
fn the_cli_estimates_a_split_and_says_what_it_did() {
    let dir = folder(&[
        ("plan.toml", &scenario("previous-night")),
        ("split.csv", HOL),
    ]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--counts",
            "split.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1 839.6"), "{text}");
    assert!(text.contains("31.5 to 82.7"), "{text}");
    assert!(text.contains("51.2"), "{text}");
    assert!(stderr(&out).contains(
        "6 rows split by origin (origin = where the person slept the night before, k = 5)"
    ));

    // Nynorsk: decimal comma, thousands spaced.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--lang", "nn"],
    );
    let text = stdout(&out);
    assert!(
        text.contains("1 839,6") && text.contains("31,5 til 82,7"),
        "{text}"
    );

    // CSV: the tidy table, read back.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let foreign = csv
        .lines()
        .find(|l| l.contains(",foreign,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert_eq!(
        foreign,
        "2024-07-10,3044,Hol,foreign,31.5,82.7,false,false,false,31.5"
    );
    assert!(csv.starts_with(
        "date,area,name,figure,low,high,exact,high_excluded,low_excluded,zero_filled\n"
    ));

    // JSON: the bounds as numbers.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let day = &json["days"][0];
    assert_eq!(day["foreign"]["low"], 31.5);
    assert_close(day["foreign"]["high"].as_f64().unwrap(), 82.7);
    assert_close(day["suppressed"].as_f64().unwrap(), 51.2);

    // --from and --to select the split's days (--area: tests/origin_split.rs).
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--from",
            "2024-07-11",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no counts split by origin in the period selected (from 2024-07-11)"),
        "{}",
        stderr(&out)
    );

    // SQL writes the split's query (run on DuckDB in tests/sql_origin.rs).
    let out = deltid(
        dir.path(),
        &["sql", "--scenario", "plan.toml", "--dialect", "duckdb"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("counts split by origin") && stdout(&out).contains("k = 5.0"),
        "{}",
        stdout(&out)
    );
}

/// The Hol split's rows: date, area, origin, count (−1 for a marked cell).
fn hol_rows() -> Vec<(NaiveDate, &'static str, &'static str, f64)> {
    let on = date(2024, 7, 10);
    vec![
        (on, "3044", "3044", 2100.4),
        (on, "3044", "0301", 1250.7),
        (on, "3044", "3024", 410.2),
        (on, "3044", "3005", 96.0),
        (on, "3044", "DE", 31.5),
        (on, "3044", "SE", -1.0),
        (on, "3044", "total", 3940.0),
    ]
}

#[test]
fn xlsx_and_parquet_splits_read_as_csv_does() {
    use polars::prelude::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    let dir = folder(&[("plan.toml", &scenario("previous-night"))]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    let rows = hol_rows();

    let xlsx = dir.path().join("split.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = Format::new().set_num_format("dd.mm.yyyy");
    for (c, name) in ["date", "area", "origin", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).unwrap();
    }
    for (i, (on, area, origin, count)) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        let excel = ExcelDateTime::parse_from_str(&on.to_string()).unwrap();
        sheet
            .write_with_format(row, 0, &excel, &date_format)
            .unwrap();
        sheet.write(row, 1, *area).unwrap();
        sheet.write(row, 2, *origin).unwrap();
        sheet.write(row, 3, *count).unwrap();
    }
    workbook.save(&xlsx).unwrap();

    let mut frame = df!(
        "date" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "area" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "origin" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "count" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )
    .unwrap();
    let parquet = dir.path().join("split.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut frame)
        .unwrap();

    for path in [xlsx, parquet] {
        let counts = read_counts(&path, &CountsOptions::default(), &scenario)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let split = counts.origins().unwrap();
        assert_eq!(split.rows().len(), 7, "{}", path.display());
        let estimate = plan.origin_estimate(split);
        let hol = day(&estimate, 0, date(2024, 7, 10));
        // As the CSV case, with Sweden marked −1: one marked cell, the same bounds.
        assert_eq!(hol.suppressed_cells, 1, "{}", path.display());
        assert_close(hol.suppressed.unwrap(), 51.2);
        assert_bounds(&hol.elsewhere, 1839.6, 1839.6, false);
        assert_bounds(&hol.foreign, 31.5, 82.7, false);
    }
}

#[test]
fn compare_writes_each_interval_as_words_and_names_the_dates_of_inputs_that_do_not_meet() {
    // Hol and Gol, uplift 0, 2 500 registered residents each. Night of the 10th: 3 000 and
    // 4 000 (guest-nights 500 and 1 500). Split on the 11th by where people slept: Hol's are
    // 2 800 in Hol plus a cell in Gol marked −1 (0 to under k): with k = 5, 2 800 to under
    // 2 805, guest-nights 300 to under 305, and night − home zone 500 − [300, 305) =
    // (195, 200], its LOW end left out: "over 195.0 to 200.0". With k = 0.04: home zone 300 to
    // under 300.04 and night − home zone over 199.96 to 200, both ends 300.0 and 200.0 to a
    // tenth: one number each, never "300.0 to under 300.0".
    let plan = |k: &str| {
        format!(
            "name = \"Two\"\nuplift = 0\ntime_zone = \"Europe/Oslo\"\n[deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3044\"\nname = \"Hol\"\nresidents = 2500\n[[area]]\ncode = \"3041\"\nname = \"Gol\"\nresidents = 2500\n[origin]\nkind = \"previous-night\"\nmin_count = {k}\n"
        )
    };
    let dir = folder(&[
        ("plan.toml", &plan("5")),
        ("small_k.toml", &plan("0.04")),
        (
            "day.csv",
            "date,area,count\n2024-07-10,3044,5000\n2024-07-10,3041,2000\n",
        ),
        (
            "hourly.csv",
            "ts,area,count\n2024-07-11T00:00:00Z,3044,3000\n2024-07-11T00:00:00Z,3041,4000\n",
        ),
        (
            "august.csv",
            "ts,area,count\n2024-08-02T00:00:00Z,3044,3000\n2024-08-03T00:00:00Z,3044,3000\n",
        ),
        (
            "split.csv",
            "date,area,origin,count\n2024-07-11,3044,3044,2800\n2024-07-11,3044,3041,300\n\
             2024-07-11,3041,3041,3700\n2024-07-11,3041,3044,-1\n",
        ),
    ]);
    let compare = |scenario: &str, files: &[&str]| {
        let mut args = vec!["compare", "--scenario", scenario];
        for f in files {
            args.extend(["--counts", f]);
        }
        deltid(dir.path(), &args)
    };
    let line = |text: &str, name: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let out = compare("plan.toml", &["hourly.csv", "split.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // date, area, residual, deducted, night, home zone, residual − night, excess, night − home zone
    assert_eq!(
        line(&text, "Hol"),
        [
            "2024-07-10",
            "Hol",
            "–",
            "–",
            "500.0",
            "300.0 to under 305.0",
            "–",
            "–",
            "over 195.0 to 200.0"
        ],
        "{text}"
    );
    // Gol's cells are all published: exact, one number.
    assert_eq!(
        line(&text, "Gol")[5..],
        ["1 500.0", "–", "–", "0.0"],
        "{text}"
    );
    let out = compare("small_k.toml", &["hourly.csv", "split.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        line(&text, "Hol")[5..],
        ["300.0", "–", "–", "200.0"],
        "{text}"
    );
    assert!(!text.contains(" to "), "{text}");

    // Inputs that do not meet: the message names each file and the dates it covers.
    let out = compare("plan.toml", &["day.csv", "august.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("deltid: error: the counts files have no area and date in common, so there is nothing to compare (a night is compared with the day of its evening date): day.csv is the residual from day counts: the day 2024-07-10; august.csv is the night estimate from hourly counts: nights with evening dates 2024-08-01 to 2024-08-02 (2 dates)\n"),
        "{err}"
    );
    assert!(!err.contains("invalid option"), "{err}");
    // The library's error says the same without the files.
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let estimate = |file: &str| {
        let counts =
            read_counts(dir.path().join(file), &CountsOptions::default(), &scenario).unwrap();
        Plan::for_measure(&scenario, &Selection::default(), counts.measure())
            .unwrap()
            .estimate(&counts)
            .unwrap()
    };
    let (day, august) = (estimate("day.csv"), estimate("august.csv"));
    match deltid::analysis::Comparison::new(Some(&day), Some(&august), None) {
        Err(Error::NothingInCommon { covered }) => assert_eq!(
            covered,
            [
                "the residual from day counts: the day 2024-07-10",
                "the night estimate from hourly counts: nights with evening dates 2024-08-01 to 2024-08-02 (2 dates)",
            ]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn compare_names_residual_minus_night_for_the_issues_hol_and_gol() {
    // The issue's case, uplift 0: Hol 5 000 by day and 3 000 by night, Gol 2 000 and 4 000,
    // 2 500 residents at home in each; no other deduction. Residual: Hol 2 500, Gol −500;
    // night: Hol 500, Gol 1 500 (the region's 2 000 either way).
    let plan = "name = \"Two\"\nuplift = 0\ntime_zone = \"Europe/Oslo\"\n[deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3044\"\nname = \"Hol\"\nresidents = 2500\n[[area]]\ncode = \"3041\"\nname = \"Gol\"\nresidents = 2500\n";
    let day = "date,area,count\n2024-07-10,3044,5000\n2024-07-10,3041,2000\n";
    // The night of the 10th: 02:00 local on the 11th (00:00 UTC, summer time).
    let hourly = "ts,area,count\n2024-07-11T00:00:00Z,3044,3000\n2024-07-11T00:00:00Z,3041,4000\n";
    let dir = folder(&[
        ("plan.toml", plan),
        ("day.csv", day),
        ("hourly.csv", hourly),
    ]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let estimate = |file: &str| {
        let counts =
            read_counts(dir.path().join(file), &CountsOptions::default(), &scenario).unwrap();
        Plan::for_measure(&scenario, &Selection::default(), counts.measure())
            .unwrap()
            .estimate(&counts)
            .unwrap()
    };
    let (by_day, by_night) = (estimate("day.csv"), estimate("hourly.csv"));
    let comparison =
        deltid::analysis::Comparison::new(Some(&by_day), Some(&by_night), None).unwrap();
    let rows = comparison.rows();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let (hol, gol, region) = (&rows[0], &rows[1], &rows[2]);
    assert_eq!((hol.area, gol.area, region.area), (Some(0), Some(1), None));
    assert_close(hol.residual.unwrap(), 2500.0);
    assert_close(hol.night.unwrap(), 500.0);
    // Hol: 2 000 more by day than at night (day visitors + commuters + transit), none deducted.
    assert_close(hol.residual_minus_night().unwrap(), 2000.0);
    assert_close(hol.daytime_excess().unwrap(), 2000.0);
    assert_close(gol.residual_minus_night().unwrap(), -2000.0);
    assert_close(region.residual.unwrap(), 2000.0);
    assert_close(region.night.unwrap(), 2000.0);
    assert_close(region.residual_minus_night().unwrap(), 0.0);

    // One estimate is not a comparison; a night estimate in the day's place is refused.
    assert!(deltid::analysis::Comparison::new(Some(&by_day), None, None).is_err());
    assert!(deltid::analysis::Comparison::new(Some(&by_night), Some(&by_night), None).is_err());

    // The CLI says the same.
    let out = deltid(
        dir.path(),
        &[
            "compare",
            "--scenario",
            "plan.toml",
            "--counts",
            "day.csv",
            "--counts",
            "hourly.csv",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(
        csv.contains("2024-07-10,3044,Hol,2500.0,0.0,500.0,,,,2000.0,2000.0,,,\n"),
        "{csv}"
    );
    assert!(
        csv.contains("2024-07-10,,,2000.0,0.0,2000.0,,,,0.0,0.0,,,\n"),
        "{csv}"
    );

    // The third way: a split by where people slept, counted on the 11th. Slept in Hol:
    // 2 800 (in Hol) + 200 (in Gol) = 3 000; in Gol: 300 + 3 700 = 4 000; Gol's 2 Germans are
    // deleted (under 5), its total shows them. Guest-nights 500 and 1 500, as the night counts.
    let split = "date,area,origin,count
2024-07-11,3044,3044,2800
2024-07-11,3044,3041,300
2024-07-11,3044,0301,200
2024-07-11,3044,total,3300
2024-07-11,3041,3041,3700
2024-07-11,3041,3044,200
2024-07-11,3041,total,3902
";
    let with_origin = format!("{plan}[origin]\nkind = \"previous-night\"\nmin_count = 5\n");
    std::fs::write(dir.path().join("split.toml"), with_origin).unwrap();
    std::fs::write(dir.path().join("split.csv"), split).unwrap();
    let out = deltid(
        dir.path(),
        &[
            "compare",
            "--scenario",
            "split.toml",
            "--counts",
            "day.csv",
            "--counts",
            "hourly.csv",
            "--counts",
            "split.csv",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    // Hol: residual 2 500, night 500, home zone 500 exactly: every cell of the region's
    // columns of Hol and Gol is published (the deleted cell is Germany's), so night − home
    // zone is 0; the residual's 2 000 more is the daytime excess.
    assert!(
        csv.contains(
            "2024-07-10,3044,Hol,2500.0,0.0,500.0,500.0,500.0,false,2000.0,2000.0,0.0,false,0.0\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("2024-07-10,,,2000.0,0.0,2000.0,2000.0,2000.0,false,0.0,0.0,0.0,false,0.0\n"),
        "{csv}"
    );
    // Gol's Germans are seen only through its total: foreign 0 to 2 (the suppressed mass).
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "split.toml",
            "--counts",
            "split.csv",
            "--format",
            "csv",
        ],
    );
    let csv = stdout(&out);
    assert!(
        csv.contains("2024-07-11,3041,Gol,foreign,0.0,2.0,false,false,false,0.0\n"),
        "{csv}"
    );
}

#[test]
fn the_shipped_home_split_recovers_its_truth_within_its_bounds() {
    use crate::util::data;
    let scenario = read_scenario(data("home-split/scenario.toml")).unwrap();
    let counts = read_counts(
        data("home-split/split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    // Read in tiny chunks on three threads: the same split.
    let chunked = deltid::read_counts_in_chunks(
        &data("home-split/split.csv"),
        &CountsOptions::default(),
        &scenario,
        97,
        3,
    )
    .unwrap()
    .into_counts()
    .unwrap();
    assert_eq!(chunked.origins(), counts.origins());
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    let estimate = plan.origin_estimate(counts.origins().unwrap());
    let truth = std::fs::read_to_string(data("home-split/truth.csv")).unwrap();
    let mut checked = 0;
    for line in truth.lines().skip(1) {
        let [on, area, guests] = line.split(',').collect::<Vec<_>>()[..] else {
            panic!("{line}")
        };
        let on: NaiveDate = on.parse().unwrap();
        let area = scenario
            .areas()
            .iter()
            .position(|a| a.code.as_str() == area)
            .unwrap();
        let guests: f64 = guests.parse().unwrap();
        let g = estimate
            .guests()
            .iter()
            .find(|g| g.area == area && g.date == on)
            .unwrap();
        // Only visitors' cells from outside the region are deleted, so the column sums are
        // whole: the published sum (suppressed = 0) is the truth, inside the bounds.
        assert_close(g.zero_filled, guests);
        assert!(g.guest_nights.low <= guests + 1e-9 && guests <= g.guest_nights.high);
        checked += 1;
    }
    assert_eq!(checked, 21 * 6);
    // Some cells under k were deleted, and the totals show their mass.
    assert!(estimate.days().iter().any(|d| d.suppressed.unwrap() > 0.0));

    // The generator makes the shipped bytes again, and the CLI compares the split with the
    // night counts of the same people (data/hourly): the same guest-nights.
    let dir = tempfile::tempdir().unwrap();
    let out = deltid(
        dir.path(),
        &[
            "synth",
            "--home-split",
            "--start",
            "2024-10-14",
            "--days",
            "21",
            "--seed",
            "16",
            "--output",
            "split.csv",
            "--truth",
            "truth.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for file in ["split.csv", "truth.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join(file)).unwrap(),
            std::fs::read(data(&format!("home-split/{file}"))).unwrap(),
            "{file}"
        );
    }
    let out = deltid(
        &crate::util::root(),
        &[
            "compare",
            "--scenario",
            "data/home-split/scenario.toml",
            "--counts",
            "data/hourly/counts.csv",
            "--counts",
            "data/home-split/split.csv",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = json["comparison"].as_array().unwrap();
    assert_eq!(rows.len(), 21 * 7);
    for row in rows {
        // The night counts' guest-nights are the truth, the split's published sum too.
        let low = row["night_minus_home_zone"]["high"].as_f64().unwrap();
        assert!(low.abs() < 1e-9, "{row}");
    }
}

/// Random true splits, suppressed under k by deletion or a −1 marker, with or without totals:
/// every true figure lies within its bounds, and the published sums (suppressed = 0) at or
/// below it. Day 0 publishes every origin of every area (large counts), so the origins a
/// deleted row may hide are those the file names for the area (the rule without a total).
#[test]
fn true_figures_lie_within_their_bounds_on_random_splits() {
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::{RngCore, SeedableRng};
    let origins = ["3044", "3041", "0301", "3024", "DE", "SE"];
    let k = 5.0;
    for seed in 0..200u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut unit = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let with_total = unit() < 0.5;
        let marked = unit() < 0.5;
        let mut csv = String::from("date,area,origin,count\n");
        // truth[(day, area)] = (local, elsewhere, foreign); slept[(day, origin area)].
        let mut truth = std::collections::HashMap::new();
        let mut slept = std::collections::HashMap::new();
        for day in 0..4u32 {
            let on = date(2024, 7, 10 + day);
            for (a, area) in ["3044", "3041"].iter().enumerate() {
                let (mut local, mut elsewhere, mut foreign, mut total) = (0.0, 0.0, 0.0, 0.0);
                for origin in origins {
                    let value = if day == 0 {
                        100.0 + (unit() * 100.0).round() / 10.0
                    } else if unit() < 0.4 {
                        (unit() * 80.0).round() / 10.0 // 0 to 8: often under k
                    } else {
                        (unit() * 3000.0).round() / 10.0
                    };
                    total += value;
                    if origin == *area {
                        local += value;
                    } else {
                        elsewhere += value;
                    }
                    if origin.len() == 2 {
                        foreign += value;
                    }
                    if origin == "3044" || origin == "3041" {
                        *slept.entry((on, origin)).or_insert(0.0) += value;
                    }
                    if value < k {
                        if marked {
                            csv.push_str(&format!("{on},{area},{origin},-1\n"));
                        }
                    } else {
                        csv.push_str(&format!("{on},{area},{origin},{value}\n"));
                    }
                }
                if with_total {
                    csv.push_str(&format!("{on},{area},total,{total}\n"));
                }
                truth.insert((on, a), (local, elsewhere, foreign));
            }
        }
        for kind in ["previous-night", "home"] {
            let estimate = estimate(kind, &csv).unwrap();
            let within = |b: &Bounds, x: f64, what: &str| {
                let tol = 1e-9 * x.abs().max(1.0);
                assert!(
                    b.low - tol <= x && x <= b.high + tol,
                    "seed {seed} {kind} {what}: {x} not in {b:?}\n{csv}"
                );
                if b.high_open {
                    assert!(x < b.high + tol, "seed {seed} {what}");
                }
            };
            for d in estimate.days() {
                let (local, elsewhere, foreign) = truth[&(d.date, d.area)];
                within(&d.local, local, "local");
                within(&d.elsewhere, elsewhere, "elsewhere");
                within(&d.foreign, foreign, "foreign");
                assert!(d.zero_filled.elsewhere <= elsewhere + 1e-9);
            }
            if kind == "previous-night" {
                for g in estimate.guests() {
                    let next = g.date.succ_opt().unwrap();
                    let code = ["3044", "3041"][g.area];
                    within(
                        &g.guest_nights,
                        slept[&(next, code)] - 2500.0,
                        "guest-nights",
                    );
                }
                assert_eq!(estimate.guests().len(), 2 * 4);
            }
        }
    }
}

/// The estimate of `split` beside a scenario of `kind` whose `k` is `k`.
fn estimate_k(kind: &str, k: &str, split: &str) -> Result<OriginEstimate, Error> {
    let dir = folder(&[
        (
            "plan.toml",
            &scenario(kind).replace("min_count = 5", &format!("min_count = {k}")),
        ),
        ("split.csv", split),
    ]);
    let scenario = read_scenario(dir.path().join("plan.toml"))?;
    let counts = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )?;
    let plan = Plan::new(&scenario, &Selection::default())?;
    Ok(plan.origin_estimate(counts.origins().unwrap()))
}

/// The error's text after the file's path.
fn message(err: &Error) -> String {
    let text = err.to_string();
    let path = err.path().unwrap().display().to_string();
    text.replace(&path, "FILE")
}

#[test]
fn a_total_below_the_published_cells_is_an_error_at_the_total() {
    // Hol on 2024-01-02: 120 published from Hol itself and 30 from Gol... counted in Gol, so
    // Hol's published sum is 120 (+ the -1 marker, never a value); its total 10 < 120 would
    // give a suppressed mass of −110 and negative persons.
    let split = "date,area,origin,count
2024-01-02,3044,3044,120
2024-01-02,3041,3044,30
2024-01-02,3044,total,10
2024-01-02,3044,3041,-1
";
    let err = estimate("previous-night", split).unwrap_err();
    assert_eq!(
        message(&err),
        "FILE: line 4, column `count`: \"10\": total 10 is below the 120 published for area 3044 on 2024-01-02: the suppressed mass cannot be negative"
    );
    // A value under k is not published: 120 + 4 (suppressed) against a total of 122 is fine,
    // and leaves 2 suppressed.
    let split = "date,area,origin,count
2024-01-02,3044,3044,120
2024-01-02,3044,3041,4
2024-01-02,3044,total,122
";
    let read = estimate("home", split).unwrap();
    assert_close(day(&read, 0, date(2024, 1, 2)).suppressed.unwrap(), 2.0);
    // A total equal to the published sum up to the last bits of the decimals is accepted.
    let split = "date,area,origin,count
2024-01-02,3044,3044,0.1
2024-01-02,3044,0301,0.2
2024-01-02,3044,total,0.3
";
    assert!(estimate_k("home", "0.1", split).is_ok());
}

#[test]
fn markers_under_k_0_and_municipalities_under_sim_country_are_refused() {
    let split = "date,area,origin,count
2024-07-10,3044,3044,100
2024-07-10,3044,0301,-1
";
    // k = 0: a −1 marker (suppressed under k) contradicts it; "0.0 to under 0.0" is never shown.
    let err = estimate_k("home", "0", split).unwrap_err();
    let text = message(&err);
    assert!(
        text.starts_with("FILE: line 3, column `count`: \"-1\": a -1 marker is a cell suppressed for being under the operator's k, and [origin] min_count = 0"),
        "{text}"
    );
    // The same file under k = 5 reads: Oslo's cell is 0 to under 5, and so is Gol's (an area
    // of the scenario Hol's rows never name): 0 to under 10.
    let read = estimate_k("home", "5", split).unwrap();
    assert_bounds(&day(&read, 0, date(2024, 7, 10)).elsewhere, 0.0, 10.0, true);

    // sim-country: origins are countries; a municipality code is the wrong kind, named.
    let split = "date,area,origin,count
2024-07-10,3044,NO,100
2024-07-10,3044,DE,20
2024-07-10,3044,0301,40
";
    let err = estimate("sim-country", split).unwrap_err();
    let text = message(&err);
    assert!(
        text.starts_with("FILE: line 4, column `origin`: \"0301\": a municipality, but [origin] kind = \"sim-country\" has countries only"),
        "{text}"
    );
    // An area of the scenario too (Hol's own code).
    let err = estimate("sim-country", &split.replace("0301", "3044")).unwrap_err();
    assert!(message(&err).contains("\"3044\": a municipality"), "{err}");
}

#[test]
fn a_total_without_a_local_row_bounds_the_local_cell_by_k_and_the_mass() {
    // Hol's total 150, published 60 (from Gol) + 30 (Oslo): suppressed mass S = 60; Hol's own
    // row is deleted, so under k = 5 (S ≥ k). Gol's cell from Hol is marked: under 5.
    let split = "date,area,origin,count
2024-01-02,3044,total,150
2024-01-02,3044,3041,60
2024-01-02,3044,0301,30
2024-01-02,3041,3041,2600
2024-01-02,3041,3044,-1
";
    let read = estimate("previous-night", split).unwrap();
    let hol = day(&read, 0, date(2024, 1, 2));
    assert_close(hol.suppressed.unwrap(), 60.0);
    assert_bounds(&hol.local, 0.0, 5.0, true);
    // From elsewhere = 150 − local: over 145, at most 150.
    assert_bounds(&hol.elsewhere, 145.0, 150.0, false);
    assert!(hol.elsewhere.low_open);
    // Slept in Hol on the night of 2024-01-01: Hol's deleted cell [0, 5) + Gol's marked cell
    // [0, 5) = [0, 10); minus 2 500 registered: −2 500 to under −2 490, never below what the
    // published cells prove (none of origin Hol is published: the sum's low end is 0).
    let guests = |area: usize| {
        read.guests()
            .iter()
            .find(|g| g.area == area)
            .unwrap()
            .clone()
    };
    assert_eq!(guests(0).date, date(2024, 1, 1));
    assert_bounds(&guests(0).persons, 0.0, 10.0, true);
    assert_bounds(&guests(0).guest_nights, -2500.0, -2490.0, true);
    // Gol: 2 600 own + 60 counted in Hol = 2 660 slept, exact; − 2 500 = 160.
    assert_bounds(&guests(1).guest_nights, 160.0, 160.0, false);

    // S under k: total 93 leaves 3 suppressed; the deleted local cell is at most 3, closed.
    let read = estimate("previous-night", &split.replace("total,150", "total,93")).unwrap();
    let hol = day(&read, 0, date(2024, 1, 2));
    assert_bounds(&hol.local, 0.0, 3.0, false);
    // S = k: total 95 leaves 5; the deleted cell is under 5, open.
    let read = estimate("previous-night", &split.replace("total,150", "total,95")).unwrap();
    assert_bounds(&day(&read, 0, date(2024, 1, 2)).local, 0.0, 5.0, true);

    // The CLI says why Hol's guest-nights are negative.
    let dir = folder(&[
        ("plan.toml", &scenario("previous-night")),
        ("split.csv", split),
    ]);
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("-2 500.0 to under -2 490.0"), "{text}");
    assert!(
        text.contains("guest-nights are below 0 in Hol on 1 night: more residents are registered than persons the split shows to have slept there"),
        "{text}"
    );
}

#[test]
fn residents_away_below_0_is_shown_as_it_is_with_a_note() {
    // Home: Gol's residents present 2 520 against 2 500 registered: away = −20, exact.
    let split = "date,area,origin,count
2024-07-10,3041,3041,2520
2024-07-10,3041,0301,300
";
    let read = estimate("home", split).unwrap();
    assert_bounds(
        day(&read, 1, date(2024, 7, 10)).away.as_ref().unwrap(),
        -20.0,
        -20.0,
        false,
    );
    let dir = folder(&[("plan.toml", &scenario("home")), ("split.csv", split)]);
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "residents away are below 0 in Gol on 1 day: more residents present than registered"
        ),
        "{text}"
    );
}

#[test]
fn synth_home_split_of_400_areas_reads_back_with_its_truth() {
    // Areas 0001-0400 include 0301, Oslo's code: the day visitors from Oslo are given the next
    // free code (0401), so no origin reads as an area and no area-day repeats an origin.
    let dir = tempfile::tempdir().unwrap();
    let out = deltid(
        dir.path(),
        &[
            "synth",
            "--home-split",
            "--areas",
            "400",
            "--start",
            "2024-10-14",
            "--days",
            "2",
            "--output",
            "split.csv",
            "--scenario",
            "plan.toml",
            "--truth",
            "truth.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let split = std::fs::read_to_string(dir.path().join("split.csv")).unwrap();
    assert!(split.contains(",0401,"), "Oslo's visitors under 0401");
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let counts = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    let read = plan.origin_estimate(counts.origins().unwrap());
    assert_eq!(read.days().len(), 400 * 2);
    // Every night's guests come back: the published column sums are the truth.
    let truth = std::fs::read_to_string(dir.path().join("truth.csv")).unwrap();
    let mut checked = 0;
    for line in truth.lines().skip(1) {
        let [on, area, guests] = line.split(',').collect::<Vec<_>>()[..] else {
            panic!("{line}")
        };
        let on: NaiveDate = on.parse().unwrap();
        let area = scenario
            .areas()
            .iter()
            .position(|a| a.code.as_str() == area);
        let g = read
            .guests()
            .iter()
            .find(|g| Some(g.area) == area && g.date == on)
            .unwrap();
        assert_close(g.zero_filled, guests.parse().unwrap());
        checked += 1;
    }
    assert_eq!(checked, 400 * 2);

    // --mean does not scale these people: refused, with the reason.
    let out = deltid(dir.path(), &["synth", "--home-split", "--mean", "5000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--mean is for daily counts: --home-split counts residents"),
        "{}",
        stderr(&out)
    );
    let out = deltid(dir.path(), &["synth", "--hourly", "--mean", "5000"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn from_and_to_select_the_same_nights_for_a_split_and_for_hourly_counts() {
    // The shipped split and hourly counts are the same people. --from 2024-10-20 --to
    // 2024-10-22 (end excluded) selects the nights with evening dates 20 and 21 in both: the
    // split's night 21 is seen on day 22, so its rows of days 21 and 22 are kept.
    let root = crate::util::root();
    let period = [
        "--from",
        "2024-10-20",
        "--to",
        "2024-10-22",
        "--format",
        "csv",
    ];
    let args = |scenario: &'static str| {
        let mut v = vec!["estimate", "--scenario", scenario];
        v.extend(period);
        v
    };
    let out = deltid(&root, &args("data/home-split/scenario.toml"));
    assert!(out.status.success(), "{}", stderr(&out));
    let split: std::collections::BTreeSet<String> = stdout(&out)
        .lines()
        .filter(|l| l.contains(",guest_nights,"))
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        split.into_iter().collect::<Vec<_>>(),
        ["2024-10-20", "2024-10-21"]
    );
    // The day figures are of the days after those nights.
    assert!(stdout(&out).contains("\n2024-10-22,3039,Flå,local,"));
    assert!(!stdout(&out).contains("\n2024-10-20,3039,Flå,local,"));
    let out = deltid(&root, &args("data/hourly/scenario.toml"));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let flå = text.lines().find(|l| l.starts_with("3039,")).unwrap();
    // area, name, nights, first, last
    assert_eq!(
        flå.split(',').take(5).collect::<Vec<_>>(),
        ["3039", "Flå", "2", "2024-10-20", "2024-10-21"]
    );
    // The library's selection is the one rule: for the previous night, the rows of the days after.
    let scenario = read_scenario(crate::util::data("home-split/scenario.toml")).unwrap();
    let counts = read_counts(
        crate::util::data("home-split/split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    let window = deltid::Period::new(Some(date(2024, 10, 20)), Some(date(2024, 10, 22))).unwrap();
    let kept = counts.origins().unwrap().within(|d| window.contains(d));
    let days: std::collections::BTreeSet<_> = kept
        .rows()
        .iter()
        .map(|r| deltid::from_epoch_day(r.day))
        .collect();
    assert_eq!(
        days.into_iter().collect::<Vec<_>>(),
        [date(2024, 10, 21), date(2024, 10, 22)]
    );
}

#[test]
fn origin_cells_read_as_area_cells_do_and_unknown_codes_are_named() {
    // With the scenario's digits (4), `301` is Oslo's 0301 and `K-0301 Oslo` too, as area
    // cells read; `K-3044 Hol` is Hol itself (local).
    let plan = scenario("home").replace("[origin]", "[area_codes]\ndigits = 4\n[origin]");
    let split = "date,area,origin,count
2024-07-10,3044,K-3044 Hol,2000
2024-07-10,3044,301,300
2024-07-10,3044,K-3024 Bærum,100
2024-07-10,3044,de,40
2024-07-10,3044,total,2445
";
    let dir = folder(&[("plan.toml", &plan), ("split.csv", split)]);
    let read_with = |dir: &tempfile::TempDir| -> Result<OriginEstimate, Error> {
        let scenario = read_scenario(dir.path().join("plan.toml"))?;
        let counts = read_counts(
            dir.path().join("split.csv"),
            &CountsOptions::default(),
            &scenario,
        )?;
        let plan = Plan::new(&scenario, &Selection::default())?;
        Ok(plan.origin_estimate(counts.origins().unwrap()))
    };
    let read = read_with(&dir).unwrap();
    let hol = day(&read, 0, date(2024, 7, 10));
    // Local 2 000 (published); elsewhere = 2 445 − 2 000 = 445 exactly; foreign 40 + up to
    // the suppressed 2 445 − 2 440 = 5.
    assert_bounds(&hol.local, 2000.0, 2000.0, false);
    assert_bounds(&hol.elsewhere, 445.0, 445.0, false);
    assert_bounds(&hol.foreign, 40.0, 45.0, false);
    // The origins are read as codes: 301 is 0301 (a second row of 0301 is a repeat).
    let codes: Vec<String> = counts_origins(&dir);
    assert_eq!(codes, ["3044", "0301", "3024", "DE", "total"]);
    let dir = folder(&[
        ("plan.toml", &plan),
        ("split.csv", &format!("{split}2024-07-10,3044,0301,12\n")),
    ]);
    let err = read_with(&dir).unwrap_err();
    assert!(
        message(&err).contains("line 7, column `origin`: \"0301\": a second row for area 3044 on 2024-07-10 from origin 0301 (first at line 3)"),
        "{err}"
    );

    // Not a country, not a municipality: named with the cell.
    for (cell, why) in [
        ("XX", "\"XX\": not a country code (ISO 3166-1 alpha-2"),
        (
            "9999",
            "\"9999\": not a Norwegian municipality code (four digits from 0101 to 5699)",
        ),
        ("0042", "\"0042\": not a Norwegian municipality code"),
    ] {
        let err = estimate(
            "home",
            &format!("date,area,origin,count\n2024-07-10,3044,{cell},12\n"),
        )
        .unwrap_err();
        let text = message(&err);
        assert!(
            text.starts_with("FILE: line 2, column `origin`: "),
            "{text}"
        );
        assert!(text.contains(why), "{text}");
    }
    // Eurostat's UK and EL are countries.
    let read = estimate(
        "home",
        "date,area,origin,count\n2024-07-10,3044,3044,100\n2024-07-10,3044,UK,12\n2024-07-10,3044,el,8\n",
    )
    .unwrap();
    assert_bounds(&day(&read, 0, date(2024, 7, 10)).foreign, 20.0, 20.0, false);
}

/// The origin codes of the split read from `dir`, in the order read.
fn counts_origins(dir: &tempfile::TempDir) -> Vec<String> {
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let counts = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    counts
        .origins()
        .unwrap()
        .rows()
        .iter()
        .map(|r| r.origin.code(scenario.areas()))
        .collect()
}

#[test]
fn split_outputs_count_in_words_and_say_what_to_run_instead() {
    // One area-day, one marked cell, k = 10: singular nouns, and the note's example under k.
    let plan = scenario("home").replace("min_count = 5", "min_count = 10");
    let split = "date,area,origin,count\n2024-07-10,3044,3044,100\n2024-07-10,3044,DE,-1\n";
    let dir = folder(&[("plan.toml", &plan), ("split.csv", split)]);
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "1 area-day from 2024-07-10 to 2024-07-10; 1 cell marked -1 or published under 10;"
        ),
        "{text}"
    );
    assert!(text.contains("published under 10, as 9.97)"), "{text}");
    assert!(
        stderr(&out).contains(
            "2 rows split by origin (origin = the person's long-term home, k = 10) read as 1 area-day;"
        ),
        "{}",
        stderr(&out)
    );
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--lang", "nn"],
    );
    let text = stdout(&out);
    assert!(
        text.contains("1 område-dag frå") && text.contains("1 celle merkte"),
        "{text}"
    );

    // population and report on a split: what it is and what to run, no type names.
    for command in ["population", "report"] {
        let out = deltid(
            dir.path(),
            &[command, "--scenario", "plan.toml", "--output", "out.html"],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("split.csv holds counts split by origin"),
            "{err}"
        );
        assert!(
            err.contains("hint: run `deltid estimate --scenario FILE`"),
            "{err}"
        );
        assert!(!err.contains("OriginEstimate"), "{err}");
    }

    // A huge k is refused without echoing its 301 digits.
    let dir = folder(&[(
        "plan.toml",
        &scenario("home").replace("min_count = 5", "min_count = 1e300"),
    )]);
    let err = read_scenario(dir.path().join("plan.toml")).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`origin.min_count`: 1e300: the operator's smallest"),
        "{text}"
    );
    assert!(text.len() < 200, "{text}");

    // A split without [origin] is a problem of reading, said so.
    let dir = folder(&[
        (
            "plan.toml",
            &scenario("home").replace("[origin]\nkind = \"home\"\nmin_count = 5\n", ""),
        ),
        ("split.csv", split),
    ]);
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    assert!(
        stderr(&out).contains("cannot read counts split by origin (column `origin` of"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tables_carry_booleans_and_persons_without_float_noise_and_a_published_0_is_exact() {
    // 0.1 + 0.2 published from Oslo and Bærum, 4.0 more from Drammen: elsewhere 4.3, which a
    // float sum makes 4.300000000000001; a published 0 from Germany is an exact 0, not
    // "0 to under 5"; so is Gol's published 0 (Gol named, so no cell of an area of the
    // scenario is left that may be suppressed). k = 0.1.
    let plan = scenario("home").replace("min_count = 5", "min_count = 0.1");
    let split = "date,area,origin,count
2024-07-10,3044,3044,100
2024-07-10,3044,3041,0
2024-07-10,3044,0301,0.1
2024-07-10,3044,3024,0.2
2024-07-10,3044,3005,4.0
2024-07-10,3044,DE,0
";
    let dir = folder(&[("plan.toml", &plan), ("split.csv", split)]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let counts = read_counts(
        dir.path().join("split.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    let read = Plan::new(&scenario, &Selection::default())
        .unwrap()
        .origin_estimate(counts.origins().unwrap());
    let hol = day(&read, 0, date(2024, 7, 10));
    assert!(
        hol.foreign.is_exact() && hol.foreign.low == 0.0,
        "{:?}",
        hol.foreign
    );
    assert!(hol.elsewhere.is_exact(), "{:?}", hol.elsewhere);
    assert_eq!(hol.suppressed_cells, 0);
    // JSON: 4.3 as written.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["days"][0]["elsewhere"]["low"], serde_json::json!(4.3));
    assert_eq!(json["days"][0]["foreign"]["high"], serde_json::json!(0.0));
    // CSV: true/false; Parquet: booleans and 4.3.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--format", "csv"],
    );
    let csv = stdout(&out);
    assert!(
        csv.contains("\n2024-07-10,3044,Hol,elsewhere,4.3,4.3,true,false,false,4.3\n"),
        "{csv}"
    );
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--output",
            "f.parquet",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    use polars::prelude::SerReader;
    let frame = polars::prelude::ParquetReader::new(
        std::fs::File::open(dir.path().join("f.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    assert_eq!(
        frame.column("exact").unwrap().dtype(),
        &polars::prelude::DataType::Boolean
    );
    assert_eq!(
        frame.column("high_excluded").unwrap().dtype(),
        &polars::prelude::DataType::Boolean
    );
    let low = frame.column("low").unwrap().f64().unwrap();
    assert!(low.iter().any(|v| v == Some(4.3)));
}

#[test]
fn csv_parquet_and_xlsx_carry_the_per_area_means_the_text_shows() {
    // Hol and Gol on two days (previous night: one night, the 10th, from the 11th's rows).
    // Hol's local 2 000 and 2 100: mean 2 050; Gol from Hol 100 on the 11th.
    let split = "date,area,origin,count
2024-07-10,3044,3044,2000
2024-07-10,3041,3041,2600
2024-07-11,3044,3044,2100
2024-07-11,3044,3041,-1
2024-07-11,3041,3041,2600
2024-07-11,3041,3044,100
";
    let dir = folder(&[
        ("plan.toml", &scenario("previous-night")),
        ("split.csv", split),
    ]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--format",
            "csv",
            "-o",
            "f.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let means = std::fs::read_to_string(dir.path().join("f.means.csv")).unwrap();
    assert!(means.starts_with(
        "area,name,days,figure,low,high,exact,high_excluded,low_excluded,zero_filled\n"
    ));
    assert!(
        means.contains("\n3044,Hol,2,local,2050.0,2050.0,true,false,false,2050.0\n"),
        "{means}"
    );
    // Both days have every area, so two nights (the 9th from the 10th's rows, the 10th from
    // the 11th's). Hol: night 9 2 000 + Gol's cell from Hol, absent, [0, 5) − 2 500 = −500 to
    // under −495; night 10 2 100 + 100 − 2 500 = −300: mean −400 to under −397.5. Gol: 2 600 +
    // [0, 5) − 2 500 both nights: 100 to under 105. The region: −300 to under −292.5.
    assert!(
        means.contains("\n3044,Hol,2,guest_nights,-400.0,-397.5,false,true,false,-400.0\n"),
        "{means}"
    );
    assert!(
        means.contains("\n3041,Gol,2,guest_nights,100.0,105.0,false,true,false,100.0\n"),
        "{means}"
    );
    assert!(
        means.contains("\n,,2,guest_nights,-300.0,-292.5,false,true,false,-300.0\n"),
        "{means}"
    );
    // The text's means say the same.
    let text = stdout(&deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml"],
    ));
    assert!(text.contains("100.0 to under 105.0"), "{text}");

    // Parquet: a file beside, typed.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "-o", "f.parquet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    use polars::prelude::SerReader;
    let frame = polars::prelude::ParquetReader::new(
        std::fs::File::open(dir.path().join("f.means.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    assert_eq!(frame.height(), means.lines().count() - 1);
    assert_eq!(
        frame.column("exact").unwrap().dtype(),
        &polars::prelude::DataType::Boolean
    );

    // xlsx: a second sheet.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "-o", "f.xlsx"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(dir.path().join("f.xlsx")).unwrap();
    let sheet = book.worksheet_range("origin_means").unwrap();
    let hol: Vec<String> = sheet
        .rows()
        .find(|r| r[0] == "3044" && r[3] == "local")
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        hol[..8],
        ["3044", "Hol", "2", "local", "2050", "2050", "true", "false"]
    );
}

#[test]
fn a_split_of_one_row_is_one_row() {
    let plan = scenario("home");
    let split = "date,area,origin,count\n2024-07-10,3044,3044,100\n";
    let dir = folder(&[("plan.toml", &plan), ("split.csv", split)]);
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("split.csv: 1 row split by origin (")
            && stderr(&out).contains(") read as 1 area-day;"),
        "{}",
        stderr(&out)
    );
}
