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
