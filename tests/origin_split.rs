//! Counts split by origin, part 2: `--area` on a split, `validate` on a split, yearly
//! guest-nights of a split, and what stays refused.

use crate::util::{data, deltid, stderr, stdout};

/// The CSV rows of `estimate` on the shipped home split, with `extra` arguments.
fn split_csv(extra: &[&str]) -> (std::process::Output, String) {
    let scenario = data("home-split/scenario.toml");
    let mut args = vec![
        "estimate",
        "--scenario",
        scenario.to_str().unwrap(),
        "--format",
        "csv",
    ];
    args.extend_from_slice(extra);
    let out = deltid(&data("home-split"), &args);
    let csv = stdout(&out);
    (out, csv)
}

#[test]
fn area_on_a_split_keeps_the_chosen_areas_figures_as_the_whole_run_gives_them() {
    let (out, all) = split_csv(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (out, chosen) = split_csv(&["--area", "3041", "--area", "3044"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let of = |csv: &str, area: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| l.split(',').nth(1) == Some(area))
            .map(str::to_owned)
            .collect()
    };
    // Gol and Hol: every figure, guest-nights by the previous night included, as in the run
    // of every area (they sum over every area of the region, whatever is chosen).
    for area in ["3041", "3044"] {
        let whole = of(&all, area);
        assert!(whole.iter().any(|l| l.contains(",guest_nights,")), "{all}");
        assert_eq!(of(&chosen, area), whole);
    }
    // Only they: no Flå, and no region rows (empty area), which are not their sum.
    assert!(of(&chosen, "3039").is_empty());
    assert!(!of(&all, "").is_empty());
    assert!(of(&chosen, "").is_empty(), "{chosen}");
    assert_eq!(
        chosen.lines().count() - 1,
        of(&all, "3041").len() + of(&all, "3044").len()
    );

    // The text says what the region row's absence means.
    let scenario = data("home-split/scenario.toml");
    let out = deltid(
        &data("home-split"),
        &[
            "estimate",
            "--scenario",
            scenario.to_str().unwrap(),
            "--area",
            "3041",
        ],
    );
    let text = stdout(&out);
    assert!(text.contains("only the areas chosen are shown"), "{text}");
    assert!(!text.contains("Flå"), "{text}");

    // An unknown area is an error naming it.
    let (out, _) = split_csv(&["--area", "9999"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("9999"), "{}", stderr(&out));
}

/// Totals of an ordinary area over 21 days: no change of them scores above 2 (robust score,
/// see `analysis::validate`).
const ORDINARY: [f64; 21] = [
    1000.0, 1040.0, 980.0, 1060.0, 1010.0, 970.0, 1050.0, 1020.0, 990.0, 1030.0, 1000.0, 1045.0,
    985.0, 1055.0, 1015.0, 975.0, 1035.0, 1025.0, 995.0, 1005.0, 1050.0,
];

/// Hol (3044) and Gol (3041) over 2024-09-02 + 0..21 (no holiday near), `kind = "home"`, k 5:
/// Hol with its total each day (local 60 %, Oslo 40 %), 10× the rest on 2024-09-12 and Oslo
/// marked `-1` on 2024-09-17 (suppressed 40 % of the total); Gol without totals, the same
/// ordinary sums, no row on 2024-09-07.
fn hand_made_split() -> String {
    let mut csv = String::from("date,area,origin,count\n");
    for (i, &t) in ORDINARY.iter().enumerate() {
        let date =
            chrono::NaiveDate::from_ymd_opt(2024, 9, 2).unwrap() + chrono::Days::new(i as u64);
        let hol = if i == 10 { 10.0 * t } else { t };
        let oslo = if i == 15 {
            "-1".to_owned()
        } else {
            format!("{}", 0.4 * hol)
        };
        csv += &format!("{date},3044,3044,{}\n{date},3044,0301,{oslo}\n", 0.6 * hol);
        csv += &format!("{date},3044,total,{hol}\n");
        if i != 5 {
            csv += &format!(
                "{date},3041,3041,{}\n{date},3041,0301,{}\n",
                0.6 * t,
                0.4 * t
            );
        }
    }
    csv
}

fn two_areas(kind: &str) -> String {
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

#[test]
fn validate_on_a_split_flags_a_day_10_times_the_rest_missing_days_and_heavy_suppression() {
    let dir = crate::util::folder(&[
        ("plan.toml", &two_areas("home")),
        ("split.csv", &hand_made_split()),
    ]);
    let scenario = deltid::read_scenario(dir.path().join("plan.toml")).unwrap();
    let report =
        deltid::analysis::Validation::run(&scenario, None, &deltid::CountsOptions::default())
            .unwrap();
    assert!(!report.has_errors(), "{:?}", report.errors);
    let date = |d: u32| chrono::NaiveDate::from_ymd_opt(2024, 9, d).unwrap();
    let found: Vec<(&str, Option<&str>, Option<chrono::NaiveDate>)> = report
        .findings()
        .iter()
        .map(|f| (f.kind, f.area.as_deref(), f.date))
        .collect();
    // Hol: the 12th (10 × 1 000) is the one outlier, its return on the 13th is not another;
    // the 17th's suppressed Oslo cell is 975 − 585 = 390 persons, 40 % of the total (> 25 %).
    // Gol (sums of published cells, the same ordinary series): only its missing 7th.
    // Rows: Hol 21 days × 3, Gol 20 days × 2 = 103.
    assert_eq!(
        found,
        [
            ("split_by_origin", None, None),
            ("outlier", Some("3044"), Some(date(12))),
            ("suppressed_share", Some("3044"), Some(date(17))),
            ("missing_days", Some("3041"), Some(date(7))),
        ]
    );
    let hol = &report.areas[0];
    assert_eq!(hol.outliers.len(), 1);
    assert_eq!(
        (hol.outliers[0].count, hol.outliers[0].previous),
        (10_000.0, 1030.0)
    );
    assert_eq!(report.areas[1].days, 20);
    assert_eq!(report.areas[1].missing_days, 1);
    assert!(
        report.warnings[2].contains("2024-09-17 (40 %)"),
        "{:?}",
        report.warnings
    );
    assert!(
        report.warnings[0].contains("103 rows"),
        "{:?}",
        report.warnings
    );
    assert!(
        report.warnings[0].contains("20 area-days without a total"),
        "{:?}",
        report.warnings
    );

    // The CLI writes the same findings.
    let out = deltid(dir.path(), &["validate", "--scenario", "plan.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("outlier on 2024-09-12: 10 000 persons"),
        "{}",
        stdout(&out)
    );
}

/// One area (Hol), `kind = "home"`, k = 2, each day of 2023 (but `skip`): 100 local, 10 from
/// Oslo and Germany marked `-1`, so persons from elsewhere (the home rule's guest-nights) are
/// 10 to under 12 each day (10 + [0, 2)), 10 with suppressed cells as 0.
fn year_split(skip: impl Fn(chrono::NaiveDate) -> bool) -> tempfile::TempDir {
    use chrono::Datelike;
    let plan = r#"
name = "One"
uplift = 0
counts = "split.csv"
[origin]
kind = "home"
min_count = 2
[deductions]
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "3044"
name = "Hol"
residents = 2500
"#;
    let mut csv = String::from("date,area,origin,count\n");
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    for date in start.iter_days().take_while(|d| d.year() == 2023) {
        if !skip(date) {
            csv += &format!("{date},3044,3044,100\n{date},3044,0301,10\n{date},3044,DE,-1\n");
        }
    }
    crate::util::folder(&[("plan.toml", plan), ("split.csv", &csv)])
}

/// The JSON `yearly` of `estimate --annualise season-balanced` in `dir`.
fn yearly_json(dir: &std::path::Path) -> serde_json::Value {
    let out = deltid(
        dir,
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--annualise",
            "season-balanced",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["yearly"].clone()
}

#[test]
fn annualise_on_a_split_sums_the_days_bounds_over_a_complete_year() {
    let dir = year_split(|_| false);
    let yearly = yearly_json(dir.path());
    // Hol, then the region (its one area): 365 days × 10 = 3 650, × 12 = 4 380.
    for area in [&yearly[0], &yearly[1]] {
        let year = &area["years"][0];
        assert_eq!(year["year"], 2023);
        assert_eq!(year["days_observed"], 365);
        assert_eq!(year["low"], 3650.0);
        assert_eq!(year["high"], 4380.0);
        assert_eq!(year["zero_filled"], 3650.0);
        assert_eq!(year["filled"], false);
    }
    assert_eq!(yearly[0]["area"], "3044");
    assert!(yearly[1]["area"].is_null());

    // Text in Nynorsk: the bounds with a decimal comma; CSV writes them beside the output.
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--annualise",
            "calendar",
            "--lang",
            "nn",
        ],
    );
    assert!(
        stdout(&out).contains("3 650,0 til 4 380,0"),
        "{}",
        stdout(&out)
    );
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--annualise",
            "calendar",
            "--format",
            "csv",
            "--output",
            "out.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.path().join("out.yearly.csv")).unwrap();
    assert_eq!(
        csv.lines().nth(1),
        Some("3044,Hol,2023,365,365,3650.0,4380.0,3650.0,false"),
        "{csv}"
    );

    // --uncertainty stays refused, saying why.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--uncertainty"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bounds"), "{}", stderr(&out));
}

#[test]
fn annualise_on_a_split_with_a_gap_fills_it_by_the_daily_paths_rule_and_says_so() {
    use chrono::Datelike;
    // 1-10 March missing: 355 days counted. The lows are 10 every day, so the seasonal model
    // fills them with 10 (to rounding): 3 650 again; the highs likewise 4 380.
    let dir = year_split(|d| d.month() == 3 && d.day() <= 10);
    let yearly = yearly_json(dir.path());
    let year = &yearly[0]["years"][0];
    assert_eq!(year["days_observed"], 355);
    assert_eq!(year["filled"], true);
    assert!(
        (year["low"].as_f64().unwrap() - 3650.0).abs() < 1e-6,
        "{year}"
    );
    assert!(
        (year["high"].as_f64().unwrap() - 4380.0).abs() < 1e-6,
        "{year}"
    );
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--annualise",
            "season-balanced",
        ],
    );
    let text = stdout(&out);
    assert!(text.contains("355 / 365"), "{text}");
    assert!(
        text.contains("* days missing: filled by the daily path's rule"),
        "{text}"
    );
}
