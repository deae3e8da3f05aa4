//! Outputs in nynorsk, bokmål and English: the plan's table as the plan writes it, headers,
//! notes, calendar labels and weekdays.

use crate::util::{data, deltid, folder, stderr, stdout};

fn plan() -> String {
    data("hallingdal/plan-2021.toml").display().to_string()
}

fn run(args: &[&str]) -> String {
    let dir = folder(&[]);
    let out = deltid(dir.path(), args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// The plan's table in nynorsk, line by line with its figures (the plan's own labels, from
/// the issue; figures as the plan's table: 46 724 + 2 803 − 23 000 = 26 527, × 365).
const NYNORSK: [(&str, &str); 8] = [
    ("Snitt innb. pr. dag, totalt", "46 724"),
    ("Pluss 6% (utan mobil, avvik for SIM kort)", "2 803"),
    ("Fråtrekk innb. Hallingdal", "-20 000"),
    ("Fråtrekk ekstern arbeidskraft", "-1 000"),
    ("Fråtrekk gjennomgangstrafikk", "-1 000"),
    ("Fråtrekk dagsturisme", "-1 000"),
    ("Gjestedøgn snitt pr. døgn", "26 527"),
    ("Gjestedøgn pr. år", "9 682 355"),
];

#[test]
fn the_plans_table_in_nynorsk_reads_as_the_plan() {
    let text = run(&["estimate", "--scenario", &plan(), "--lang", "nn"]);
    let lines: Vec<&str> = text.lines().collect();
    for (label, value) in NYNORSK {
        let line = lines
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line {label} in\n{text}"));
        assert!(line.trim_end().ends_with(value), "{line}");
    }
    assert!(
        text.starts_with("Hallingdal: gjestedøgn frå mobildata"),
        "{text}"
    );
    assert!(text.contains("547 dagar frå 2019-09-01 til 2021-02-28 med teljingar, 6 område"));
    assert!(text.contains(" område "), "{text}");
    assert!(text.contains("Merknader:"));
    assert!(text.contains("Køyringsprotokoll:"));
}

#[test]
fn the_scenario_names_the_language_and_the_flag_overrides_it() {
    let scenario = std::fs::read_to_string(data("hallingdal/plan-2021.toml")).unwrap();
    let folder_path = data("hallingdal");
    let with_language = format!("language = \"nb\"\n{scenario}");
    let dir = folder(&[("plan.toml", &with_language)]);
    // The scenario's relative paths are the shipped data's.
    std::fs::copy(
        folder_path.join("counts.csv"),
        dir.path().join("counts.csv"),
    )
    .unwrap();
    std::fs::copy(folder_path.join("codes.csv"), dir.path().join("codes.csv")).unwrap();
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Fratrekk innb. Hallingdal"));
    assert!(stdout(&out).contains("Pluss 6 % (uten mobil, avvik for SIM-kort)"));
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--lang", "en"],
    );
    assert!(stdout(&out).contains("minus registered residents"));
}

#[test]
fn english_is_the_default_and_unchanged() {
    let text = run(&["estimate", "--scenario", &plan()]);
    assert!(text.contains(" guest-nights per year (mean per day × 365)              9 682 355"));
    assert!(text.contains(" minus day tourism (day visitors)                           -1 000"));
}

#[test]
fn csv_headers_follow_the_language() {
    let csv = run(&[
        "estimate",
        "--scenario",
        &plan(),
        "--lang",
        "nn",
        "--format",
        "csv",
        "--delimiter",
        ";",
        "--decimal",
        "comma",
    ]);
    let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(
        header.starts_with("område;namn;dagar;første;siste;"),
        "{header}"
    );
    assert!(header.ends_with(";tabell_gjestedøgn_per_døgn;tabell_gjestedøgn_per_år"));
    // The region's row: its figures are as in English.
    assert!(
        csv.contains(";46724;2803;-20000;-1000;-1000;-1000;26527;9682355"),
        "{csv}"
    );
}

#[test]
fn busiest_days_carry_norwegian_labels_and_weekdays() {
    let text = run(&[
        "population",
        "--scenario",
        &plan(),
        "--lang",
        "nn",
        "--top",
        "3",
    ]);
    assert!(text.contains("Travlaste dagar, Hallingdal:"), "{text}");
    // The busiest day of the shipped data is Easter Saturday 2020 (11 April).
    let first = text
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    assert!(first.contains("2020-04-11"), "{first}");
    assert!(first.contains("la."), "{first}");
    assert!(first.contains("påskeaftan"), "{first}");
    let bokmal = run(&[
        "population",
        "--scenario",
        &plan(),
        "--lang",
        "nb",
        "--top",
        "3",
    ]);
    assert!(bokmal.contains("lør."), "{bokmal}");
    assert!(bokmal.contains("Travleste dager, Hallingdal:"));
}

#[test]
fn an_unknown_language_is_a_usage_error() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", &plan(), "--lang", "se"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nn"), "{}", stderr(&out));
}
