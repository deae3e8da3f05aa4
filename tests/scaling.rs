//! Scaling layers (deduplication, market share, foreign SIMs) and the region's own count, on
//! small cases computed by hand.

use deltid::output::{Daily, Format, write_run};
use deltid::{
    CountsColumns, CountsOptions, Deduction, Error, Estimate, Line, Plan, Scenario, Selection,
    TableRow, read_counts, read_scenario, scenario_from_toml,
};

use crate::util::{assert_close, deltid, folder, stdout};

/// `count` is all SIMs; `foreign` the foreign SIMs among them.
const SPLIT_COUNTS: &str = "\
date,area,count,foreign
2020-07-01,0001,1200,200
2020-07-01,0002,600,0
2020-07-02,0001,800,100
2020-07-02,0002,1000,400
";

const SPLIT_SCENARIO: &str = r#"
name = "Two"
uplift = 0.05
counts = "counts.csv"
[scaling]
deduplication = 0.9
market_share = 0.6
foreign = 1.1
[deductions]
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "0001"
name = "A"
residents = 500
[[area]]
code = "0002"
name = "B"
residents = 300
"#;

fn split_options() -> CountsOptions {
    CountsOptions {
        columns: CountsColumns {
            foreign: Some("foreign".to_owned()),
            ..CountsColumns::default()
        },
        ..CountsOptions::default()
    }
}

/// The scenario in `dir` estimated over its counts read with `options`, for `selection`.
fn estimate(
    dir: &tempfile::TempDir,
    options: &CountsOptions,
    selection: &Selection,
) -> deltid::Result<(Scenario, Estimate)> {
    let scenario = read_scenario(dir.path().join("scenario.toml"))?;
    let counts = read_counts(dir.path().join("counts.csv"), options, &scenario)?;
    let estimate = Plan::new(&scenario, selection)?.estimate(&counts)?;
    Ok((scenario, estimate))
}

/// One line of every selected area's days (areas in scenario order, days in date order).
fn area_line(estimate: &Estimate, line: Line) -> Vec<f64> {
    estimate
        .plan()
        .selected()
        .iter()
        .flat_map(|&a| estimate.area_days(a).map(move |(_, lines)| lines[line]))
        .collect()
}

/// One line of the region's days, in date order.
fn region_line(estimate: &Estimate, line: Line) -> Vec<f64> {
    estimate.region_days().map(|d| d.lines[line]).collect()
}

// By hand. Domestic factor (1 + 0.05) × 0.9 ÷ 0.6 = 1.575; foreign factor 1.1.
// present = (count − foreign) × 1.575 + foreign × 1.1:
//   A 07-01: 1 000 × 1.575 + 200 × 1.1 = 1 575 + 220 = 1 795
//   A 07-02:   700 × 1.575 + 100 × 1.1 = 1 102.5 + 110 = 1 212.5
//   B 07-01:   600 × 1.575 +   0       =   945
//   B 07-02:   600 × 1.575 + 400 × 1.1 =   945 + 440 = 1 385
// part_time = present − residents: A 1 295, 712.5 (mean 1 003.75); B 645, 1 085 (mean 865).
// Region: observed 1 800 both days; present 2 740 and 2 597.5, mean 2 668.75; uplift (present
// − observed) mean 868.75; part_time mean 2 668.75 − 800 = 1 868.75.
// The table: 1 800 + round(868.75) = 869 − 800 = 1 869 per day; × 365 = 682 185 per year.
#[test]
fn foreign_sim_split_by_hand() -> deltid::Result<()> {
    let dir = folder(&[
        ("counts.csv", SPLIT_COUNTS),
        ("scenario.toml", SPLIT_SCENARIO),
    ]);
    let (_, daily) = estimate(&dir, &split_options(), &Selection::default())?;
    let present = area_line(&daily, Line::Present);
    assert_eq!(present.len(), 4);
    for (got, expected) in present.iter().zip([1_795.0, 1_212.5, 945.0, 1_385.0]) {
        assert_close(*got, expected);
    }
    let summary = daily.summary();
    assert_close(summary.areas()[0].mean().part_time(), 1_003.75);
    assert_close(summary.areas()[1].mean().part_time(), 865.0);
    let region = summary.region();
    assert_close(region.mean().observed(), 1_800.0);
    assert_close(region.mean()[Line::Uplift], 868.75);
    assert_close(region.mean().part_time(), 1_868.75);
    // Foreign SIMs: A (200 + 100) / 2 = 150, B (0 + 400) / 2 = 200; region 350 a day.
    assert_close(summary.areas()[0].mean_foreign(), 150.0);
    assert_close(region.mean_foreign(), 350.0);
    let table = region.table();
    assert_eq!(table.row(TableRow::Uplift).rounded, 869);
    assert!(
        table
            .row(TableRow::Uplift)
            .label
            .contains("market share 0.6"),
        "{}",
        table.row(TableRow::Uplift).label
    );
    assert_eq!(table.row(TableRow::GuestNightsPerDay).rounded, 1_869);
    assert_eq!(table.row(TableRow::GuestNightsPerYear).rounded, 682_185);
    assert_eq!(summary.overlap(), None);
    Ok(())
}

#[test]
fn foreign_sims_above_the_count_are_refused() {
    let dir = folder(&[(
        "counts.csv",
        "date,area,count,foreign\n2020-07-01,0001,100,101\n",
    )]);
    std::fs::write(dir.path().join("scenario.toml"), SPLIT_SCENARIO).unwrap();
    let scenario = read_scenario(dir.path().join("scenario.toml")).unwrap();
    let err = read_counts(dir.path().join("counts.csv"), &split_options(), &scenario).unwrap_err();
    assert!(
        matches!(err, Error::ForeignAboveCount { foreign, count, .. } if foreign == 101.0 && count == 100.0),
        "{err}"
    );
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn scaling_factors_out_of_range_name_their_key() {
    let toml = SPLIT_SCENARIO.replace("market_share = 0.6", "market_share = 60");
    let err = scenario_from_toml(&toml, "s.toml".as_ref()).unwrap_err();
    assert!(err.to_string().contains("`scaling.market_share`"), "{err}");
}

#[test]
fn foreign_column_on_the_command_line() {
    let dir = folder(&[
        ("counts.csv", SPLIT_COUNTS),
        ("scenario.toml", SPLIT_SCENARIO),
    ]);
    let run = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "scenario.toml",
            "--foreign-column",
            "foreign",
        ],
    );
    let out = stdout(&run);
    assert!(run.status.success(), "{out}");
    assert!(out.contains("1 869"), "{out}");
    assert!(out.contains("deduplication 0.9"), "{out}");
}

/// Two areas and the operator's count for the whole region (`HALLINGDAL`).
const REGION_COUNTS: &str = "\
date,area,count
2020-07-01,0001,600
2020-07-01,0002,500
2020-07-01,HALLINGDAL,1000
2020-07-02,0001,300
2020-07-02,0002,300
2020-07-02,HALLINGDAL,500
";

const REGION_SCENARIO: &str = r#"
name = "Two"
uplift = 0.1
counts = "counts.csv"
region_code = "HALLINGDAL"
[deductions]
residents = 400
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "0001"
name = "A"
[[area]]
code = "0002"
name = "B"
"#;

// By hand. Overlap = areas' sum ÷ region count: 1 100 ÷ 1 000 = 1.1 and 600 ÷ 500 = 1.2,
// mean 1.15. The region's present is its own count × 1.1: 1 100 and 550 (not 1 210 and 660,
// the areas' sum); its residents are the region's own figure, 400 a day, whole, so part-time
// residents 700 and 150, mean 425. The areas keep their own figures: A present 660 and 330.
#[test]
fn region_count_replaces_the_sum_and_reports_the_overlap() -> deltid::Result<()> {
    let dir = folder(&[
        ("counts.csv", REGION_COUNTS),
        ("scenario.toml", REGION_SCENARIO),
    ]);
    // Counts are read through the scenario's resolver: the region code is known.
    let (_, daily) = estimate(&dir, &CountsOptions::default(), &Selection::default())?;
    assert_eq!(daily.region_rule(), deltid::RegionRule::OwnCount);
    assert_eq!(region_line(&daily, Line::Observed), [1_000.0, 500.0]);
    let overlap: Vec<Option<f64>> = daily.region_days().map(|d| d.overlap).collect();
    assert_close(overlap[0].unwrap(), 1.1);
    assert_close(overlap[1].unwrap(), 1.2);
    let present = region_line(&daily, Line::Present);
    assert_close(present[0], 1_100.0);
    assert_close(present[1], 550.0);
    assert_close(area_line(&daily, Line::Present)[0], 660.0);

    let summary = daily.summary();
    assert_close(summary.overlap().unwrap(), 1.15);
    assert_close(
        summary.region().mean().deduction(Deduction::Residents),
        400.0,
    );
    assert_close(summary.region().mean().part_time(), 425.0);

    // A subset of areas is the sum of its areas: the region's count does not apply.
    let subset = Selection {
        areas: vec![deltid::AreaCode::new("0001")],
        ..Selection::default()
    };
    let (_, daily) = estimate(&dir, &CountsOptions::default(), &subset)?;
    assert_eq!(daily.region_rule(), deltid::RegionRule::SumOfAreas);
    assert_eq!(region_line(&daily, Line::Observed), [600.0, 300.0]);
    assert_eq!(daily.summary().overlap(), None);
    Ok(())
}

#[test]
fn region_count_overlap_in_the_table_notes_and_daily_csv() -> deltid::Result<()> {
    let dir = folder(&[
        ("counts.csv", REGION_COUNTS),
        ("scenario.toml", REGION_SCENARIO),
    ]);
    let run = crate::util::run(
        &dir.path().join("scenario.toml"),
        None,
        &Selection::default(),
    )?;
    let mut text = Vec::new();
    write_run(&run, Format::Table, Daily::Omit, &mut text)?;
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("1.150 × the region's own count"), "{text}");
    let mut csv = Vec::new();
    write_run(
        &run,
        Format::Csv(Default::default()),
        Daily::Include,
        &mut csv,
    )?;
    let csv = String::from_utf8_lossy(&csv);
    assert!(csv.lines().next().unwrap().ends_with(",overlap"), "{csv}");
    Ok(())
}

#[test]
fn region_code_must_not_be_an_area_code() {
    let toml = REGION_SCENARIO.replace("region_code = \"HALLINGDAL\"", "region_code = \"0001\"");
    let err = scenario_from_toml(&toml, "s.toml".as_ref()).unwrap_err();
    assert!(err.to_string().contains("`region_code`"), "{err}");
}

// The region rule with its own count (issue "one region"), by hand. Uplift 10 %; residents
// per area (A 100, B 50), commuters 30 for the region; B has no count on 07-02 and the
// region none on 07-03.
//   07-01: A 600, B 500, region 1 000; 07-02: A 300, region 500; 07-03: A 200, B 200.
// The region's days are the days with its own count: 07-01 and 07-02; 07-03 is incomplete.
// Its deductions are its own figures: residents summed over every area, 100 + 50 = 150, even
// on 07-02 when B is not counted, and the commuters' 30 whole. Part-time residents:
//   07-01: 1 000 × 1.1 − 150 − 30 = 920;  07-02: 500 × 1.1 − 150 − 30 = 370;  mean 645.
// The overlap is taken on 07-01 only (every area counted): (600 + 500) ÷ 1 000 = 1.1.
// The table: 750 observed + round(75) − 150 − 30 = 645 a day; × 365 = 235 425 a year.
#[test]
fn region_count_days_deductions_and_overlap_by_hand() -> deltid::Result<()> {
    let dir = folder(&[
        (
            "counts.csv",
            "date,area,count\n2020-07-01,0001,600\n2020-07-01,0002,500\n2020-07-01,R,1000\n\
             2020-07-02,0001,300\n2020-07-02,R,500\n2020-07-03,0001,200\n2020-07-03,0002,200\n",
        ),
        (
            "scenario.toml",
            "uplift = 0.1\nregion_code = \"R\"\n[deductions]\ncommuters = 30\ntransit = 0\n\
             day_visitors = 0\n[[area]]\ncode = \"0001\"\nname = \"A\"\nresidents = 100\n\
             [[area]]\ncode = \"0002\"\nname = \"B\"\nresidents = 50\n",
        ),
    ]);
    let (_, daily) = estimate(&dir, &CountsOptions::default(), &Selection::default())?;
    assert_eq!(daily.region_rule(), deltid::RegionRule::OwnCount);
    let days: Vec<deltid::RegionDay> = daily.region_days().collect();
    let dates: Vec<String> = days.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(dates, ["2020-07-01", "2020-07-02"]);
    assert_eq!(region_line(&daily, Line::Residents), [150.0, 150.0]);
    assert_eq!(region_line(&daily, Line::Commuters), [30.0, 30.0]);
    let part_time = region_line(&daily, Line::PartTime);
    assert_close(part_time[0], 920.0);
    assert_close(part_time[1], 370.0);
    assert_close(days[0].overlap.unwrap(), 1.1);
    assert_eq!(days[1].overlap, None);
    assert_eq!((days[0].areas, days[1].areas), (2, 1));

    let summary = daily.summary();
    let region = summary.region();
    assert_eq!(region.days(), 2);
    assert_eq!(summary.incomplete_region_days(), 1);
    assert_eq!(summary.days(), 3);
    assert_close(summary.overlap().unwrap(), 1.1);
    assert_close(region.mean().observed(), 750.0);
    assert_close(region.mean().deduction(Deduction::Residents), 150.0);
    assert_close(region.mean().part_time(), 645.0);
    let rounded: Vec<i64> = region.table().lines.iter().map(|l| l.rounded).collect();
    assert_eq!(rounded, [750, 75, -150, -30, 0, 0, 645, 235_425]);
    // The region's calendar year: its two days, 920 + 370 = 1 290 nights.
    let year = region.calendar_years()[0];
    assert_eq!((year.year, year.days_observed), (2020, 2));
    assert_close(year.guest_nights, 1_290.0);
    // The areas keep their own days: A three, B two.
    let area_days: Vec<u32> = summary.areas().iter().map(|a| a.days()).collect();
    assert_eq!(area_days, [3, 2]);
    Ok(())
}

// The region rule without a region count, by hand: the region's means are its areas' means,
// each over its own days, so its guest-nights per year are the sum of its areas'. Uplift 0,
// residents per area (A 100, B 50), nothing else. A is counted 07-01..07-03 (300, 400, 500),
// B on 07-01 and 07-02 only (200, 100).
//   A: part-time 200, 300, 400, mean 300;  B: 150, 50, mean 100.
//   Region mean 300 + 100 = 400 (not the mean of its complete days, (350 + 350) ÷ 2 = 350);
//   per year 400 × 365 = 146 000 = A's 109 500 + B's 36 500.
// The region's days are 07-01 and 07-02 (both areas counted): part-time 350 and 350.
#[test]
fn region_without_its_own_count_is_the_sum_of_its_areas_by_hand() -> deltid::Result<()> {
    let dir = folder(&[
        (
            "counts.csv",
            "date,area,count\n2020-07-01,0001,300\n2020-07-01,0002,200\n\
             2020-07-02,0001,400\n2020-07-02,0002,100\n2020-07-03,0001,500\n",
        ),
        (
            "scenario.toml",
            "uplift = 0\n[deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0\n\
             [[area]]\ncode = \"0001\"\nname = \"A\"\nresidents = 100\n\
             [[area]]\ncode = \"0002\"\nname = \"B\"\nresidents = 50\n",
        ),
    ]);
    let (_, daily) = estimate(&dir, &CountsOptions::default(), &Selection::default())?;
    assert_eq!(daily.region_rule(), deltid::RegionRule::SumOfAreas);
    assert_eq!(region_line(&daily, Line::PartTime), [350.0, 350.0]);
    let summary = daily.summary();
    let [a, b] = [&summary.areas()[0], &summary.areas()[1]];
    assert_close(a.mean().part_time(), 300.0);
    assert_close(b.mean().part_time(), 100.0);
    let region = summary.region();
    assert_close(region.mean().part_time(), 400.0);
    assert_close(region.mean().observed(), 400.0 + 150.0);
    assert_close(region.guest_nights_per_year_plan(), 146_000.0);
    assert_close(
        region.guest_nights_per_year_plan(),
        a.guest_nights_per_year_plan() + b.guest_nights_per_year_plan(),
    );
    assert_eq!(
        region.table().row(TableRow::GuestNightsPerYear).rounded,
        146_000
    );
    assert_eq!((region.days(), summary.incomplete_region_days()), (2, 1));
    assert_eq!(summary.overlap(), None);
    // Its calendar year holds its own days only: 350 + 350 = 700 nights.
    assert_close(region.calendar_years()[0].guest_nights, 700.0);
    Ok(())
}

#[test]
fn a_decimal_half_uplift_line_rounds_up_in_the_table() {
    // Regression: 900 persons a day, uplift 6 %, deduplication 0.95, market share 0.6: present
    // is 900 × 1.06 × 0.95 ÷ 0.6 = 1 510.5 exactly, the uplift line 610.5; computed in binary
    // as 610.4999999999999, the table showed 610 and 1 510 instead of 611 and 1 511.
    let scenario = r#"
name = "Half"
uplift = 0.06
counts = "counts.csv"
[scaling]
deduplication = 0.95
market_share = 0.6
[deductions]
residents = 0
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "0001"
name = "A"
"#;
    let counts = "date,area,count\n2020-07-01,0001,900\n2020-07-02,0001,900\n";
    let dir = folder(&[("scenario.toml", scenario), ("counts.csv", counts)]);
    let run = deltid(dir.path(), &["estimate", "--scenario", "scenario.toml"]);
    let out = stdout(&run);
    let line = |label: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label:?} in\n{out}"))
            .to_owned()
    };
    assert!(
        line("plus 6 % uplift").trim_end().ends_with(" 611"),
        "{out}"
    );
    assert!(
        line("guest-nights, mean per day")
            .trim_end()
            .ends_with(" 1 511"),
        "{out}"
    );
    assert!(
        line("guest-nights per year")
            .trim_end()
            .ends_with(" 551 515"),
        "{out}"
    );
}
