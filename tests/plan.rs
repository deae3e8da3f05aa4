//! The Hallingdal plan's table, reproduced to the person from the shipped data.

use chrono::NaiveDate;
use deltid::analysis::daily_rows;
use deltid::synth::Synth;
use deltid::{Deduction, Estimate, Line, Plan, Selection, Summary, TableRow, read_counts};

use crate::util::{EPS, assert_close, data};

fn plan_summary() -> (Estimate, Summary) {
    let scenario = deltid::read_scenario(data("hallingdal/plan-2021.toml")).expect("plan scenario");
    let counts = read_counts(
        scenario.counts().expect("the plan names its counts"),
        &deltid::CountsOptions::default(),
        &scenario,
    )
    .expect("shipped counts");
    let estimate = Plan::new(&scenario, &Selection::default())
        .expect("plan")
        .estimate(&counts)
        .expect("estimate");
    let summary = estimate.summary();
    (estimate, summary)
}

#[test]
fn region_reproduces_the_plans_eight_lines() {
    // The plan's table (DOMAIN.md): 46 724, 2 803, -20 000, -1 000 ×3, 26 527, 9 682 355.
    let (_, summary) = plan_summary();
    let rounded: Vec<i64> = summary
        .region()
        .table()
        .lines
        .iter()
        .map(|l| l.rounded)
        .collect();
    assert_eq!(
        rounded,
        [
            46_724, 2_803, -20_000, -1_000, -1_000, -1_000, 26_527, 9_682_355
        ]
    );
    // Full precision: the shipped counts' mean is exactly 46 724, so the uplift is 2 803.44
    // and guest-nights per day 46 724 × 1.06 − 23 000 = 26 527.44.
    let t = summary.region().table();
    assert_close(t.row(TableRow::Observed).exact, 46_724.0);
    assert_close(t.row(TableRow::Uplift).exact, 2_803.44);
    assert_close(t.row(TableRow::GuestNightsPerDay).exact, 26_527.44);
    assert_close(t.row(TableRow::GuestNightsPerYear).exact, 26_527.44 * 365.0);
}

#[test]
fn region_is_the_sum_of_its_areas_on_every_line() {
    let (estimate, summary) = plan_summary();
    let region = summary.region().mean();
    assert_eq!(summary.areas().len(), 6);
    for line in Line::ALL {
        let total: f64 = summary.areas().iter().map(|a| a.mean()[line]).sum();
        assert_close(total, region[line]);
    }
    for deduction in Deduction::ALL {
        let total: f64 = summary
            .areas()
            .iter()
            .map(|a| a.mean().deduction(deduction))
            .sum();
        assert_close(total, region.deduction(deduction));
    }
    // Day by day too: every region day is the sum of its six areas.
    let rows: Vec<_> = daily_rows(&estimate).collect();
    let (areas, regions): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.area.is_some());
    assert_eq!(areas.len(), 6 * 547);
    assert_eq!(regions.len(), 547);
    for day in &regions {
        let total: f64 = areas
            .iter()
            .filter(|a| a.date == day.date)
            .map(|a| a.lines.part_time())
            .sum();
        assert!(
            (total - day.lines.part_time()).abs() < EPS * 1e5,
            "{}",
            day.date
        );
    }
    // Region-level deductions are shared out in full each day.
    for day in &regions {
        assert_close(day.lines.deduction(Deduction::Residents), 20_000.0);
    }
    // Every day has all six areas: no incomplete region day.
    assert_eq!(summary.incomplete_region_days(), 0);
    assert_eq!(summary.region().days(), 547);
}

#[test]
fn calendar_year_2020_is_a_full_leap_year() {
    let (estimate, summary) = plan_summary();
    let years: Vec<(i32, u32, u32)> = summary
        .region()
        .calendar_years()
        .iter()
        .map(|y| (y.year, y.days_observed, y.days_in_year))
        .collect();
    // 2019-09-01..2019-12-31 is 122 days; 2020 all 366; 2021-01-01..02-28 is 59 days.
    assert_eq!(years, [(2019, 122, 365), (2020, 366, 366), (2021, 59, 365)]);
    // The 2020 sum equals the daily rows of 2020 added up.
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
    let end = NaiveDate::from_ymd_opt(2021, 1, 1).expect("date");
    let by_hand: f64 = daily_rows(&estimate)
        .filter(|r| r.area.is_none() && r.date >= start && r.date < end)
        .map(|r| r.lines.part_time())
        .sum();
    let year = summary.region().calendar_years()[1];
    assert!(year.is_complete());
    assert_close(year.guest_nights, by_hand);
}

#[test]
fn shipped_counts_are_the_generators_output_for_their_seed() {
    // data/README.md: deltid synth --start 2019-09-01 --days 547 --seed 2021 --mean 46724
    let start = NaiveDate::from_ymd_opt(2019, 9, 1).expect("date");
    let mut generated = Vec::new();
    Synth::hallingdal(start, 547, 2021, 46_724.0)
        .write_csv(&mut generated)
        .expect("generate");
    let shipped = std::fs::read(data("hallingdal/counts.csv")).expect("shipped counts");
    assert!(
        generated == shipped,
        "data/hallingdal/counts.csv differs from the generator's output"
    );
}

#[test]
fn per_area_residents_scenario_deducts_the_registered_population() {
    // ssb-2020.toml: residents per municipality, 1 Jan 2020, sum 20 532; commuters, transit and
    // day visitors 1 000 each, allocated by residents: Gol 4 608 / 20 532 × 1 000 = 224.4.
    let summary = crate::util::summary(&data("hallingdal/ssb-2020.toml"), None).expect("summary");
    assert_close(
        summary.region().mean().deduction(Deduction::Residents),
        20_532.0,
    );
    let gol = summary
        .areas()
        .iter()
        .find(|a| a.name() == "Gol")
        .expect("Gol");
    assert_close(gol.mean().deduction(Deduction::Residents), 4_608.0);
    assert_close(
        gol.mean().deduction(Deduction::Commuters),
        4_608.0 / 20_532.0 * 1_000.0,
    );
    // 46 724 + 2 803 − 20 532 − 3 000 = 25 995 guest-nights per day in whole persons.
    assert_eq!(
        summary
            .region()
            .table()
            .row(TableRow::GuestNightsPerDay)
            .rounded,
        25_995
    );
}

/// Regression: with residents from a per-area table with a fill and `allocation =
/// "residents"`, an area the table lacks was deducted the fill but given no share of the
/// region's figures (its registered residents taken as 0). By hand: A 400 residents (the
/// table), B 200 (the fill); commuters 30 for the region shared 400 : 200, A 20 and B 10.
#[test]
fn an_area_a_residents_table_lacks_shares_by_its_fill() {
    let dir = crate::util::folder(&[
        (
            "s.toml",
            "uplift = 0.1\nallocation = \"residents\"\n[deductions]\n\
             residents = { table = \"res.csv\", area = \"kommune\", fill = 200 }\n\
             commuters = 30\ntransit = 0\nday_visitors = 0\n\
             [[area]]\ncode = \"0001\"\nname = \"A\"\n[[area]]\ncode = \"0002\"\nname = \"B\"\n",
        ),
        ("res.csv", "kommune,persons\n0001,400\n"),
        (
            "counts.csv",
            "date,area,count\n2020-01-01,0001,1000\n2020-01-01,0002,500\n",
        ),
    ]);
    let scenario = deltid::read_scenario(dir.path().join("s.toml")).unwrap();
    let counts = read_counts(
        dir.path().join("counts.csv"),
        &deltid::CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    let summary = Plan::new(&scenario, &Selection::default())
        .unwrap()
        .estimate(&counts)
        .unwrap()
        .summary();
    let lines: Vec<(f64, f64)> = summary
        .areas()
        .iter()
        .map(|a| (a.mean()[Line::Residents], a.mean()[Line::Commuters]))
        .collect();
    assert_eq!(lines, [(400.0, 20.0), (200.0, 10.0)]);
}
