//! Small-count protection: small figures are suppressed in every output (never shown as 0),
//! and no suppressed figure can be worked out from what a run publishes.
//!
//! The key test does not use the product's graph method: it builds the linear system of every
//! number a run publishes in JSON (daily rows, means, calendar years, and the day totals that
//! deductions shared by present persons reveal), with each area's count on each day as an
//! unknown, and checks by exact elimination (in the integers modulo a large prime: a figure
//! that cannot be pinned down there cannot be over the rationals either) that no suppressed
//! figure lies in the span of the published ones.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use deltid::output::{CsvStyle, Daily, DecimalMark, Delimiter, Format, write_run};
use deltid::{CountsOptions, Disclosure, Run, Selection};
use serde_json::Value;

use crate::util::{deltid, folder, stdout};

/// The smallest count published in these tests (Telia's and Eurostat's k).
const K: u32 = 5;

/// Arithmetic modulo the Mersenne prime 2^61 − 1.
const P: u64 = (1 << 61) - 1;

fn mul(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(P)) as u64
}

fn sub(a: u64, b: u64) -> u64 {
    (a + P - b) % P
}

fn inverse(a: u64) -> u64 {
    // Fermat: a^(p−2).
    let (mut base, mut exp, mut out) = (a % P, P - 2, 1);
    while exp > 0 {
        if exp & 1 == 1 {
            out = mul(out, base);
        }
        base = mul(base, base);
        exp >>= 1;
    }
    out
}

/// Rows in echelon form (each with a pivot of 1), modulo P.
#[derive(Default)]
struct Span {
    rows: Vec<(usize, Vec<u64>)>,
}

impl Span {
    fn reduce(&self, mut v: Vec<u64>) -> Vec<u64> {
        for (pivot, row) in &self.rows {
            let f = v[*pivot];
            if f != 0 {
                for (x, r) in v.iter_mut().zip(row) {
                    *x = sub(*x, mul(f, *r));
                }
            }
        }
        v
    }

    fn add(&mut self, v: Vec<u64>) {
        let v = self.reduce(v);
        if let Some(pivot) = v.iter().position(|x| *x != 0) {
            let f = inverse(v[pivot]);
            self.rows
                .push((pivot, v.into_iter().map(|x| mul(x, f)).collect()));
        }
    }

    fn contains(&self, v: Vec<u64>) -> bool {
        self.reduce(v).iter().all(|x| *x == 0)
    }
}

/// A small deterministic generator (splitmix64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A scenario: areas `A1..`, uplift 6 %, per-area residents (every line an affine function of
/// the area's own count) or region-level residents shared by present persons.
pub(crate) fn scenario(
    residents: &[u32],
    shared: bool,
    region_code: bool,
    disclosure: &str,
) -> String {
    let mut toml = String::from("name = \"R\"\nuplift = 0.06\ncounts = \"counts.csv\"\n");
    if region_code {
        toml.push_str("region_code = \"REG\"\n");
    }
    let region_residents: u32 = residents.iter().sum();
    toml.push_str("[deductions]\n");
    if shared {
        toml.push_str(&format!("residents = {region_residents}\n"));
    }
    toml.push_str("commuters = 0\ntransit = 0\nday_visitors = 0\n");
    toml.push_str(disclosure);
    for (i, r) in residents.iter().enumerate() {
        toml.push_str(&format!(
            "[[area]]\ncode = \"A{}\"\nname = \"Area {}\"\n",
            i + 1,
            i + 1
        ));
        if !shared {
            toml.push_str(&format!("residents = {r}\n"));
        }
    }
    toml
}

/// Counts as CSV: `date,area,count`, a row per (day, area) given.
pub(crate) fn counts(rows: &[(u32, &str, u32)]) -> String {
    let mut csv = String::from("date,area,count\n");
    for (day, area, count) in rows {
        let date = chrono::NaiveDate::from_ymd_opt(2020, 12, 25).unwrap()
            + chrono::Duration::days(i64::from(*day));
        csv.push_str(&format!("{date},{area},{count}\n"));
    }
    csv
}

fn json_of(run: &Run) -> Value {
    let mut out = Vec::new();
    write_run(run, Format::Json, Daily::Include, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn run_in(dir: &Path) -> Run {
    Run::new(
        &dir.join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap()
}

fn is_small(v: f64) -> bool {
    v != 0.0 && v.abs() < f64::from(K)
}

/// Checks a run's JSON: no small figure published, a suppressed row or mean null in every
/// line, and no suppressed figure in the span of what is published. Returns the number of
/// suppressed daily rows.
fn check_published(json: &Value, shared: bool) -> usize {
    let summary = &json["summary"];
    let own = summary["region_rule"] == "own-count";
    let daily = json["daily"].as_array().unwrap();
    // The unknowns: each area's count on each day, then the region's own count on each day.
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    for row in daily {
        let area = row["area"].as_str().unwrap_or("").to_owned();
        let next = index.len();
        index
            .entry((area, row["date"].as_str().unwrap().to_owned()))
            .or_insert(next);
    }
    let n = index.len();
    let var = |area: &str, date: &str| index[&(area.to_owned(), date.to_owned())];
    let unit = |k: usize| {
        let mut v = vec![0; n];
        v[k] = 1;
        v
    };
    // Days → areas counted that day.
    let mut by_day: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (area, date) in index.keys() {
        if !area.is_empty() {
            by_day.entry(date.clone()).or_default().push(area.clone());
        }
    }
    let day_total = |date: &str| {
        let mut v = vec![0; n];
        for area in by_day.get(date).into_iter().flatten() {
            v[var(area, date)] = 1;
        }
        v
    };
    // A region's day as a functional of the unknowns.
    let region_day = |date: &str| {
        if own {
            unit(var("", date))
        } else {
            day_total(date)
        }
    };

    let mut span = Span::default();
    let mut suppressed: Vec<(String, Vec<u64>)> = Vec::new();
    let mut published_days: HashMap<String, bool> = HashMap::new();
    for row in daily {
        let area = row["area"].as_str().unwrap_or("");
        let date = row["date"].as_str().unwrap();
        let lines = [
            "observed",
            "uplift",
            "present",
            "residents",
            "commuters",
            "transit",
            "day_visitors",
            "part_time",
        ];
        let hidden = row["suppressed"].as_bool().unwrap();
        let f = if area.is_empty() {
            region_day(date)
        } else {
            unit(var(area, date))
        };
        if hidden {
            for line in lines {
                assert!(row[line].is_null(), "suppressed row shows {line}: {row}");
            }
            suppressed.push((format!("{area} {date}"), f));
        } else {
            for line in ["observed", "present", "part_time"] {
                let v = row[line].as_f64().unwrap();
                assert!(!is_small(v), "small figure published: {row}");
            }
            span.add(f);
            if !area.is_empty() && row["residents"].as_f64().unwrap() != 0.0 {
                published_days.insert(date.to_owned(), true);
            }
        }
    }
    // Deductions shared by present persons reveal the day's total present persons.
    if shared {
        for date in published_days.keys() {
            span.add(day_total(date));
        }
    }
    let areas = summary["areas"].as_array().unwrap();
    let mean_of = |area: &str| {
        let days: Vec<&String> = index
            .keys()
            .filter(|(a, _)| a == area)
            .map(|(_, d)| d)
            .collect();
        let w = inverse(days.len() as u64);
        let mut v = vec![0; n];
        for d in days {
            v[var(area, d)] = w;
        }
        v
    };
    let region_mean = || {
        if own {
            return mean_of("");
        }
        let mut v = vec![0; n];
        for a in areas {
            for (x, y) in v.iter_mut().zip(mean_of(a["code"].as_str().unwrap())) {
                *x = (*x + y) % P;
            }
        }
        v
    };
    let year_of = |area: &str, year: i64| {
        let mut v = vec![0; n];
        for (a, d) in index.keys() {
            if d.starts_with(&year.to_string()) {
                if area.is_empty() && a.is_empty() {
                    for (x, y) in v.iter_mut().zip(region_day(d)) {
                        *x = (*x + y) % P;
                    }
                } else if !area.is_empty() && a == area {
                    v[var(a, d)] = 1;
                }
            }
        }
        v
    };
    for a in areas.iter().chain([&summary["region"]]) {
        let code = a["code"].as_str().unwrap_or("");
        let f = if code.is_empty() {
            region_mean()
        } else {
            mean_of(code)
        };
        let mean = &a["mean"];
        if mean["observed"].is_null() {
            for (line, v) in mean.as_object().unwrap() {
                assert!(v.is_null(), "{code}: a suppressed mean shows {line}");
            }
            assert!(a["guest_nights_per_year_plan"].is_null());
            for line in a["table"]["lines"].as_array().unwrap() {
                assert!(line["rounded"].is_null() && line["exact"].is_null());
            }
            suppressed.push((format!("mean {code}"), f));
        } else {
            for line in ["observed", "present", "part_time"] {
                assert!(
                    !is_small(mean[line].as_f64().unwrap()),
                    "small mean published: {a}"
                );
            }
            span.add(f);
        }
        for year in a["calendar_years"].as_array().unwrap() {
            if !year["guest_nights"].is_null() {
                span.add(year_of(code, year["year"].as_i64().unwrap()));
            }
        }
    }
    for (what, f) in &suppressed {
        assert!(
            !span.contains(f.clone()),
            "the suppressed {what} can be worked out from what is published"
        );
    }
    suppressed.len()
}

/// Many random small scenarios: areas, days, small counts, missing days, with and without the
/// region's own count, deductions per area or shared by present persons.
#[test]
fn no_suppressed_figure_can_be_pinned_down_in_random_scenarios() {
    let mut random = Random(14);
    let (mut protected, mut means) = (0, 0);
    for case in 0..300 {
        let areas = 2 + random.below(4) as usize;
        let days = 2 + random.below(9) as u32;
        let shared = random.chance(40);
        let own = random.chance(30);
        let residents: Vec<u32> = (0..areas).map(|_| random.below(30) as u32).collect();
        let mut rows = Vec::new();
        let codes: Vec<String> = (1..=areas).map(|i| format!("A{i}")).collect();
        // A tenth of the areas are tiny: their means are small too.
        let tiny: Vec<bool> = (0..areas).map(|_| random.chance(10)).collect();
        for day in 0..days {
            let mut sum = 0;
            for (code, tiny) in codes.iter().zip(&tiny) {
                if random.chance(10) {
                    continue; // no count that day
                }
                let count = match random.below(10) {
                    _ if *tiny => random.below(9) as u32,
                    0..=1 => 1 + random.below(4) as u32,
                    2 => 0,
                    _ => 20 + random.below(200) as u32,
                };
                sum += count;
                rows.push((day, code.as_str(), count));
            }
            if own && !random.chance(10) {
                let count = if random.chance(10) {
                    1 + random.below(4) as u32
                } else {
                    sum * 9 / 10
                };
                rows.push((day, "REG", count));
            }
        }
        let toml = scenario(
            &residents,
            shared,
            own,
            &format!("[disclosure]\nmin_count = {K}\n"),
        );
        let dir = folder(&[("plan.toml", &toml), ("counts.csv", &counts(&rows))]);
        let Ok(run) = Run::new(
            &dir.path().join("plan.toml"),
            None,
            &CountsOptions::default(),
            &Selection::default(),
        ) else {
            continue; // e.g. every count of an area missing: nothing to publish
        };
        let json = json_of(&run);
        let suppressed = std::panic::catch_unwind(|| check_published(&json, shared))
            .unwrap_or_else(|_| panic!("case {case}: {toml}\n{}", counts(&rows)));
        protected += usize::from(suppressed > 0);
        means += usize::from(
            json["summary"]["areas"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["mean"]["observed"].is_null()),
        );
    }
    // Most cases have something small, some a small mean: the test exercises the protection.
    assert!(
        protected > 150,
        "only {protected} cases had a suppressed figure"
    );
    assert!(means > 20, "only {means} cases had a suppressed mean");
}

/// Three areas of a region, one day each of two: C is small on day 1. Its cell, and a second
/// area's and a second day's cells (the cheapest rectangle: B is the smaller area) are
/// suppressed; the region's figures stay.
#[test]
fn a_small_cell_takes_a_rectangle_with_it() {
    let rows = [
        (0, "A1", 100),
        (0, "A2", 50),
        (0, "A3", 3),
        (1, "A1", 110),
        (1, "A2", 60),
        (1, "A3", 40),
    ];
    let toml = scenario(&[0, 0, 0], false, false, "[disclosure]\nmin_count = 5\n");
    let dir = folder(&[("plan.toml", &toml), ("counts.csv", &counts(&rows))]);
    let run = run_in(dir.path());
    let p = run.protection().unwrap();
    let date = |d: u32| chrono::NaiveDate::from_ymd_opt(2020, 12, 25 + d).unwrap();
    let code = |c: &str| Some(deltid::AreaCode::new(c));
    assert!(p.is_day_suppressed(code("A3").as_ref(), date(0)));
    // The rectangle: A3 day 1, A2 (smaller than A1) days 0 and 1.
    assert!(p.is_day_suppressed(code("A3").as_ref(), date(1)));
    assert!(p.is_day_suppressed(code("A2").as_ref(), date(0)));
    assert!(p.is_day_suppressed(code("A2").as_ref(), date(1)));
    assert!(!p.is_day_suppressed(code("A1").as_ref(), date(0)));
    assert!(!p.is_day_suppressed(None, date(0)));
    assert!(!p.is_mean_suppressed(None));
    assert_eq!((p.primary(), p.secondary()), (1, 3));
    let json = json_of(&run);
    check_published(&json, false);
    // The region's day 0 is published: 153 persons observed.
    let region_day0 = json["daily"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["area"].is_null() && r["date"] == "2020-12-25")
        .unwrap();
    assert_eq!(region_day0["observed"], 153.0);
}

/// One small day in an area of a long series: the secondary cells are a second day of that
/// area and another area's cells on both days, and the areas' means stay published.
#[test]
fn a_single_small_day_keeps_the_means() {
    let mut rows = Vec::new();
    for day in 0..6 {
        rows.push((day, "A1", 200 + day * 10));
        rows.push((day, "A2", if day == 2 { 2 } else { 80 + day }));
        rows.push((day, "A3", 300));
    }
    let toml = scenario(&[10, 10, 10], false, false, "[disclosure]\nmin_count = 5\n");
    let dir = folder(&[("plan.toml", &toml), ("counts.csv", &counts(&rows))]);
    let run = run_in(dir.path());
    let p = run.protection().unwrap();
    assert_eq!((p.primary(), p.secondary()), (1, 3));
    for code in ["A1", "A2", "A3"] {
        assert!(!p.is_mean_suppressed(Some(&deltid::AreaCode::new(code))));
    }
    check_published(&json_of(&run), false);
}

/// Suppressed figures are never 0: ":" in text and xlsx, empty in CSV, null in JSON; a note
/// names the rule and the cells suppressed.
#[test]
fn suppressed_figures_are_never_shown_as_zero() {
    let rows = [
        (0, "A1", 100),
        (0, "A2", 50),
        (0, "A3", 3),
        (1, "A1", 110),
        (1, "A2", 60),
        (1, "A3", 1),
    ];
    // A3's mean (2 persons) is small too.
    let toml = scenario(&[0, 0, 0], false, false, "[disclosure]\nmin_count = 5\n");
    let dir = folder(&[("plan.toml", &toml), ("counts.csv", &counts(&rows))]);
    let run = run_in(dir.path());
    let p = run.protection().unwrap();
    let a3 = deltid::AreaCode::new("A3");
    assert!(p.is_mean_suppressed(Some(&a3)));

    let mut text = Vec::new();
    write_run(&run, Format::Table, Daily::Omit, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let a3_row = text
        .lines()
        .find(|l| l.trim_start().starts_with("A3"))
        .unwrap();
    assert!(a3_row.contains(':') && !a3_row.contains(" 0 "), "{a3_row}");
    assert!(
        text.contains("small-count protection: figures under 5 persons"),
        "{text}"
    );

    let style = CsvStyle::new(Delimiter::Comma, DecimalMark::Point).unwrap();
    let mut csv = Vec::new();
    write_run(&run, Format::Csv(style), Daily::Include, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",suppressed"), "{header}");
    for line in csv.lines().filter(|l| l.contains(",A3,")) {
        // date,area,name, eight empty lines, suppressed
        assert!(line.ends_with(",,,,,,,,,true"), "{line}");
    }

    let json = json_of(&run);
    let area = &json["summary"]["areas"][2];
    assert!(area["mean"]["observed"].is_null());
    assert_eq!(area["suppressed"]["mean"], true);
    assert_eq!(json["disclosure"]["min_count"], 5);

    let mut xlsx = Vec::new();
    write_run(&run, Format::Xlsx, Daily::Include, &mut xlsx).unwrap();
    let path = dir.path().join("out.xlsx");
    std::fs::write(&path, &xlsx).unwrap();
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(&path).unwrap();
    let summary = book.worksheet_range("summary").unwrap();
    let row = summary
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "A3"))
        .unwrap();
    // mean_observed (column 8) shows ":", not 0.
    assert_eq!(row[7].to_string(), ":");
    // The calendar years' sheet: A3's guest-nights (and their whole persons) suppressed, A1's
    // published; plausibility and intervals, unprotected, are not in the workbook.
    let years = book.worksheet_range("calendar_years").unwrap();
    let a3: Vec<String> = years
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "A3"))
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(a3[5..], [":", ":"], "{a3:?}");
    let a1 = years
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "A1"))
        .unwrap();
    assert!(
        a1[5].to_string().parse::<f64>().is_ok_and(|v| v > 0.0),
        "{a1:?}"
    );
    assert!(!book.sheet_names().iter().any(|n| n == "plausibility"));
    let sections: Vec<&str> = deltid::output::Section::of(&run)
        .into_iter()
        .map(deltid::output::Section::key)
        .collect();
    assert_eq!(sections, ["calendar_years", "notes"]);
}

/// With a rounding base every published person figure is a multiple of it.
#[test]
fn published_figures_are_rounded_to_the_base() {
    let rows = [(0, "A1", 103), (0, "A2", 57), (1, "A1", 111), (1, "A2", 64)];
    let toml = scenario(&[0, 0], false, false, "[disclosure]\nrounding = 10\n");
    let dir = folder(&[("plan.toml", &toml), ("counts.csv", &counts(&rows))]);
    let run = run_in(dir.path());
    let json = json_of(&run);
    for row in json["daily"].as_array().unwrap() {
        for line in ["observed", "present", "part_time"] {
            let v = row[line].as_f64().unwrap();
            assert_eq!(v % 10.0, 0.0, "{row}");
        }
    }
    // A1's mean observed 107 → 110; the region's 167.5 → 170.
    assert_eq!(json["summary"]["areas"][0]["mean"]["observed"], 110.0);
    assert_eq!(json["summary"]["region"]["mean"]["observed"], 170.0);
    let mut text = Vec::new();
    write_run(&run, Format::Table, Daily::Omit, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("rounded to 10"), "{text}");
}

/// The flags override the scenario; the run record names the rule; the SQL export refuses a
/// protected run, the planners' view publishes it.
#[test]
fn flags_override_the_scenario_and_the_record_names_the_rule() {
    let rows = [(0, "A1", 100), (0, "A2", 3), (1, "A1", 110), (1, "A2", 60)];
    let toml = scenario(&[0, 0], false, false, "");
    let dir = folder(&[("plan.toml", &toml), ("counts.csv", &counts(&rows))]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--min-count",
            "5",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["run"]["methods"]["disclosure"]["min_count"], 5);
    assert!(
        json["run"]["methods"]["disclosure"]["primary"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--round-to", "7"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = deltid(dir.path(), &["population", "--scenario", "plan.toml"]);
    assert!(out.status.success());

    let toml = scenario(&[0, 0], false, false, "[disclosure]\nmin_count = 5\n");
    std::fs::write(dir.path().join("plan.toml"), toml).unwrap();
    let out = deltid(
        dir.path(),
        &["sql", "--scenario", "plan.toml", "--dialect", "duckdb"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(crate::util::stderr(&out).contains("[disclosure]"));
    let out = deltid(dir.path(), &["population", "--scenario", "plan.toml"]);
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    // A2 counts 3 on day 0: its percentiles are suppressed, never 0.
    let text = stdout(&out);
    let line = text.lines().find(|l| l.contains("Area 2")).unwrap();
    assert!(line.contains(':') && !line.contains(" 0 "), "{text}");
    assert!(Disclosure::new(Some(5), Some(7)).is_err());
}

/// Counts of three areas over six days: A2 counts 3 on day 0 (small, 0 < 3 < 5); the others
/// count 100 and more every day.
pub(crate) fn three_areas() -> Vec<(u32, &'static str, u32)> {
    let mut rows = Vec::new();
    for day in 0..6 {
        rows.push((day, "A1", 100 + 10 * day));
        rows.push((day, "A2", if day == 0 { 3 } else { 200 + day }));
        rows.push((day, "A3", 300 + 7 * day));
    }
    rows
}

/// The planners' view of a protected run: an area with a suppressed day or mean publishes no
/// percentile, dimensioning figure or busiest day (`:` in text, empty in CSV, null in JSON,
/// never 0); the areas and region with every day published are published rounded to the base.
#[test]
fn a_protected_population_view_publishes_what_the_rule_allows() {
    let toml = scenario(
        &[0, 0, 0],
        false,
        false,
        "[disclosure]\nmin_count = 5\nrounding = 10\n",
    );
    let dir = folder(&[
        ("plan.toml", &toml),
        ("counts.csv", &counts(&three_areas())),
    ]);
    let run = run_in(dir.path());
    let protection = run.protection().unwrap();
    let a2 = deltid::AreaCode::new("A2");
    assert!(protection.is_aggregate_suppressed(Some(&a2), false));

    // JSON, with the daily rows.
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            "plan.toml",
            "--format",
            "json",
            "--daily",
            "--top",
            "3",
        ],
    );
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut published = 0;
    for area in json["areas"]
        .as_array()
        .unwrap()
        .iter()
        .chain([&json["region"]])
    {
        let code = area["code"].as_str().map(deltid::AreaCode::new);
        let hidden = protection.is_aggregate_suppressed(code.as_ref(), false);
        assert_eq!(
            area["suppressed"].as_bool().unwrap_or(false),
            hidden,
            "{area}"
        );
        let figures = [
            &area["percentiles"]["p50"],
            &area["percentiles"]["p95"],
            &area["percentiles"]["max"],
            &area["dimensioning"],
            &area["residents"],
        ];
        if hidden {
            for v in figures {
                assert!(v.is_null(), "{area}");
            }
            assert_eq!(area["peaks"].as_array().unwrap().len(), 0, "{area}");
        } else {
            published += 1;
            for v in figures {
                assert_eq!(v.as_f64().unwrap() % 10.0, 0.0, "{area}");
            }
            let peaks = area["peaks"].as_array().unwrap();
            assert_eq!(peaks.len(), 3);
            for day in peaks {
                assert_eq!(day["present"].as_f64().unwrap() % 10.0, 0.0, "{day}");
            }
        }
    }
    // A1 is counted 100..150 every day and the region sums the three: both publishable unless
    // a secondary suppression took them; at least one area's figures are published.
    assert!(published >= 1);
    // A1's busiest day is day 5: 150 × 1.06 = 159 → 160 (base 10).
    if !protection.is_aggregate_suppressed(Some(&deltid::AreaCode::new("A1")), false) {
        let a1 = &json["areas"][0];
        assert_eq!(a1["peaks"][0]["present"], 160.0);
        assert_eq!(a1["peaks"][0]["date"], "2020-12-30");
    }
    for day in json["daily"].as_array().unwrap() {
        let code = day["area"].as_str().map(deltid::AreaCode::new);
        let date = day["date"].as_str().unwrap().parse().unwrap();
        if protection.is_day_suppressed(code.as_ref(), date) {
            assert!(
                day["present"].is_null() && day["part_time"].is_null(),
                "{day}"
            );
        } else {
            assert_ne!(day["present"], Value::Null, "{day}");
        }
    }
    // A2's day 0 itself: null, not 3 or 0.
    let day0 = json["daily"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["area"] == "A2" && d["date"] == "2020-12-25")
        .unwrap();
    assert!(day0["present"].is_null(), "{day0}");

    // Text: A2's row of percentiles shows ':' and no 0; the notes name the rule and A2.
    let out = deltid(dir.path(), &["population", "--scenario", "plan.toml"]);
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.contains("A2") && l.contains("Area 2"))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    // A2, "Area 2" (two words), residents, P50, P90, P95, P99, max, P95 dimensioning.
    assert_eq!(cells[3..], [":"; 7], "{text}");
    assert!(text.contains("under 5 persons"), "{text}");
    assert!(
        text.contains("not published under small-count protection"),
        "{text}"
    );
    assert!(text.contains("Area 2"), "{text}");

    // CSV: A2's figures empty, never 0.
    let out = deltid(
        dir.path(),
        &["population", "--scenario", "plan.toml", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let csv = stdout(&out);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("A2,"))
        .unwrap()
        .split(',')
        .collect();
    for column in [
        "p50",
        "p90",
        "p95",
        "p99",
        "max",
        "dimensioning",
        "residents",
    ] {
        let i = header.iter().position(|h| *h == column).unwrap();
        assert_eq!(row[i], "", "{column} in {csv}");
    }
    // The daily CSV: A2's day 0 has no figure.
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            "plan.toml",
            "--format",
            "csv",
            "--daily",
        ],
    );
    let csv = stdout(&out);
    let row = csv
        .lines()
        .find(|l| l.starts_with("2020-12-25") && l.contains(",A2,"))
        .unwrap();
    assert!(row.contains(",,,,"), "{row}");
}
