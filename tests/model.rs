//! A small case computed by hand: two areas, five days, per-area and per-date deductions.

use chrono::NaiveDate;
use deltid::{Deduction, Period, Selection, Summary, TableRow};

use crate::util::{assert_close, folder};

const COUNTS: &str = "\
date,area,count
2020-02-27,0001,100
2020-02-27,0002,200
2020-02-28,0001,100
2020-02-28,0002,200
2020-02-29,0001,200
2020-02-29,0002,100
2020-03-01,0001,0
2020-03-01,0002,300
2020-03-02,0001,150
2020-03-02,0002,50
";

const SCENARIO: &str = r#"
name = "Two"
uplift = 0.10
counts = "counts.csv"
[deductions]
commuters = 30
transit = { table = "transit.csv" }
day_visitors = { table = "day_visitors.csv", fill = 0 }
[[area]]
code = "0001"
name = "A"
residents = 50
[[area]]
code = "0002"
name = "B"
residents = 100
"#;

const TRANSIT: &str =
    "date,persons\n2020-02-27,10\n2020-02-28,10\n2020-02-29,20\n2020-03-01,0\n2020-03-02,40\n";
const DAY_VISITORS: &str = "date,area,persons\n2020-02-29,0001,5\n2020-03-01,0002,7\n";

fn run(selection: &Selection) -> deltid::Result<Summary> {
    let dir = folder(&[
        ("counts.csv", COUNTS),
        ("scenario.toml", SCENARIO),
        ("transit.csv", TRANSIT),
        ("day_visitors.csv", DAY_VISITORS),
    ]);
    crate::util::run(&dir.path().join("scenario.toml"), None, selection)
        .map(|r| r.summary().clone())
}

// By hand. present = observed × 1.1; region totals 330, 330, 330, 330, 220.
// Present shares of A: 1/3, 1/3, 2/3, 0, 3/4 (B the rest).
// commuters 30 shared:    A 10, 10, 20, 0, 22.5      B 20, 20, 10, 30, 7.5
// transit 10,10,20,0,40:  A 10/3, 10/3, 40/3, 0, 30  B 20/3, 20/3, 20/3, 0, 10
// day visitors (per area): A 5 on 02-29; B 7 on 03-01; 0 otherwise (fill).
// part_time A: 110−50−10−10/3 = 46.667 (×2), 220−50−20−40/3−5 = 131.667, 0−50 = −50,
//              165−50−22.5−30 = 62.5; sum 237.5, mean 47.5, one negative day.
// part_time B: 220−100−20−20/3 = 93.333 (×2), 110−100−10−20/3 = −6.667, 330−100−30−7 = 193,
//              55−100−7.5−10 = −62.5; sum 310.5, mean 62.1, two negative days.
// Region: 1 540 present − 750 residents − 150 − 80 − 12 = 548; mean 109.6; days 140, 140,
// 125, 143, 0, so no negative day.
#[test]
fn two_areas_five_days_by_hand() -> deltid::Result<()> {
    let summary = run(&Selection::default())?;
    let [a, b] = [&summary.areas()[0], &summary.areas()[1]];
    let region = summary.region();
    assert_close(a.mean().part_time(), 47.5);
    assert_close(b.mean().part_time(), 62.1);
    assert_close(region.mean().part_time(), 109.6);
    assert_eq!(
        (a.negative_days(), b.negative_days(), region.negative_days()),
        (1, 2, 0)
    );
    // Negative days: A's −50 on 2020-03-01; B's −6.667 (02-29) and −62.5 (03-02).
    assert_close(a.negative_sum(), -50.0);
    let dates = |s: &deltid::AreaSummary| -> Vec<String> {
        s.negative_dates().iter().map(ToString::to_string).collect()
    };
    assert_eq!(dates(a), ["2020-03-01"]);
    assert_close(b.negative_sum(), -(20.0 / 3.0) - 62.5);
    assert_eq!(dates(b), ["2020-02-29", "2020-03-02"]);
    assert!(region.negative_dates().is_empty());
    assert_close(a.mean().deduction(Deduction::Commuters), 12.5);
    assert_close(a.mean().deduction(Deduction::Transit), 10.0);
    assert_close(b.mean().deduction(Deduction::DayVisitors), 1.4);
    // Calendar sums over five days of the leap year 2020.
    let year = a.calendar_years()[0];
    assert_eq!(
        (year.year, year.days_observed, year.days_in_year),
        (2020, 5, 366)
    );
    assert_close(year.guest_nights, 237.5);
    assert_close(region.calendar_years()[0].guest_nights, 548.0);
    // Both areas are counted on all five days: every day is a region day.
    assert_eq!((region.days(), summary.incomplete_region_days()), (5, 0));
    // A's table by the plan's rounding: 110, round(110 × 0.1) = 11, −50, −round(12.5) = −13,
    // −10, −1; 110 + 11 − 74 = 47 per day; 47 × 365 = 17 155 per year.
    let rounded: Vec<i64> = a.table().lines.iter().map(|l| l.rounded).collect();
    assert_eq!(rounded, [110, 11, -50, -13, -10, -1, 47, 17_155]);
    assert_close(
        a.table().row(TableRow::GuestNightsPerYear).exact,
        47.5 * 365.0,
    );
    Ok(())
}

#[test]
fn area_filter_keeps_the_allocation_of_the_whole_region() -> deltid::Result<()> {
    // Selecting B alone must give B the same figures as before (mean 62.1), and the region
    // line becomes B's.
    let only_b = Selection {
        areas: vec![deltid::AreaCode::new("0002")],
        ..Selection::default()
    };
    let summary = run(&only_b)?;
    assert_eq!(summary.areas().len(), 1);
    assert_close(summary.areas()[0].mean().part_time(), 62.1);
    assert_close(summary.region().mean().part_time(), 62.1);
    Ok(())
}

#[test]
fn period_is_half_open() -> deltid::Result<()> {
    // 2020-02-29 up to (not including) 2020-03-02: days 3 and 4.
    // A: 131.667 and −50 → mean 40.833; region: 125 and 143 → mean 134.
    let d = |m, d| NaiveDate::from_ymd_opt(2020, m, d);
    let selection = Selection {
        period: Period::new(d(2, 29), d(3, 2))?,
        ..Selection::default()
    };
    let summary = run(&selection)?;
    assert_eq!(summary.region().days(), 2);
    assert_close(
        summary.areas()[0].mean().part_time(),
        (131.0 + 2.0 / 3.0 - 50.0) / 2.0,
    );
    assert_close(summary.region().mean().part_time(), 134.0);
    Ok(())
}

#[test]
fn a_missing_area_does_not_shift_its_deductions_onto_the_others() {
    // Regression: with Hol missing on 2020-01-03, Gol took the whole region's 100 residents
    // that day. Now Gol takes its usual share, 100 × 0.5 (its mean present share on the two
    // complete days, 100 / 200), so Gol's figures do not depend on Hol's gaps:
    // Gol's part-time 100 − 50 = 50 on all three days.
    let dir = folder(&[
        (
            "counts.csv",
            "date,area,count\n2020-01-01,3041,100\n2020-01-01,3044,100\n\
             2020-01-02,3041,100\n2020-01-02,3044,100\n2020-01-03,3041,100\n",
        ),
        (
            "s.toml",
            "uplift = 0\n[deductions]\nresidents = 100\ncommuters = 0\ntransit = 0\n\
             day_visitors = 0\n[[area]]\ncode = \"3041\"\nname = \"Gol\"\n\
             [[area]]\ncode = \"3044\"\nname = \"Hol\"\n",
        ),
    ]);
    let summary = crate::util::summary(
        &dir.path().join("s.toml"),
        Some(&dir.path().join("counts.csv")),
    )
    .expect("summary");
    let gol = &summary.areas()[0];
    assert_close(gol.mean().deduction(Deduction::Residents), 50.0);
    assert_close(gol.mean().part_time(), 50.0);
    assert_eq!(gol.negative_days(), 0);
    // The region rule (issue "one region"): the region's means are its areas' means summed,
    // each area over its own days. Gol: residents 50 a day over 3 days; Hol: 100 × 0.5 = 50 a
    // day over its 2 days. Region residents 50 + 50 = 100 a day (the old rule averaged the
    // region's days, (100 + 100 + 50) / 3 = 83.3, letting Hol's gap lower the region);
    // part-time Gol 100 − 50 = 50, Hol 100 − 50 = 50, region 100.
    let region = summary.region();
    assert_close(region.mean().deduction(Deduction::Residents), 50.0 + 50.0);
    assert_close(region.mean().part_time(), 50.0 + 50.0);
    // The region's days are the two with both areas counted; 2020-01-03 is incomplete.
    assert_eq!((region.days(), summary.incomplete_region_days()), (2, 1));
    // Region calendar year 2020: part-time on its two days, 100 + 100 = 200 nights.
    let year = region.calendar_years()[0];
    assert_eq!((year.year, year.days_observed), (2020, 2));
    assert_close(year.guest_nights, 200.0);
}

/// The same tables with Norwegian headers, in other case, semicolons and area names: the
/// same figures (they were once read as one figure of the region on every day: a silent
/// wrong number), and a repeated row of a table without date and area columns says so.
#[test]
fn deduction_tables_with_norwegian_headers_read_as_in_english() -> deltid::Result<()> {
    let transit =
        "Dato;Personar\n27.02.2020;10\n28.02.2020;10\n29.02.2020;20\n01.03.2020;0\n02.03.2020;40\n";
    let day_visitors = "DATO,Kommune,antall\n2020-02-29,A,5\n2020-03-01,B,7\n";
    let dir = folder(&[
        ("counts.csv", COUNTS),
        ("scenario.toml", SCENARIO),
        ("transit.csv", transit),
        ("day_visitors.csv", day_visitors),
    ]);
    let estimate = |dir: &std::path::Path| {
        crate::util::run(&dir.join("scenario.toml"), None, &Selection::default())
    };
    assert_eq!(
        estimate(dir.path())?.summary(),
        &run(&Selection::default())?
    );
    // One undated region figure given twice.
    std::fs::write(dir.path().join("transit.csv"), "personer\n10\n20\n").expect("written");
    let message = estimate(dir.path())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.contains("line 3")
            && message.contains("the table has no area column")
            && message.contains("the table has no date column"),
        "{message}"
    );
    Ok(())
}
