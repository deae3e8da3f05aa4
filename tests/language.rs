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

/// The words of a catalogue file's texts (placeholders such as `{region}` and scenario keys
/// in backticks left out),
/// lowercased: each `key = "text"` line's text, read as the JSON string it is written as.
fn catalogue_words(language: &str) -> std::collections::BTreeSet<String> {
    let path = crate::util::root().join(format!("crates/deltid/src/catalogue/{language}.toml"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut words = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Some((_, value)) = line.split_once(" = \"") else {
            continue;
        };
        let value: String = serde_json::from_str(&format!("\"{value}")).unwrap();
        words.extend(words_of(&strip(&strip(&value, '{', '}'), '`', '`')));
    }
    words
}

/// The words of a text, lowercased: runs of letters, three or more.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// A text without the spans between `open` and `close` (placeholders, scenario keys in
/// backticks).
fn strip(text: &str, open: char, close: char) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in text.chars() {
        if !inside && c == open {
            inside = true;
        } else if inside && c == close {
            inside = false;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// Text without its markup: tags, and the style sheet of an HTML page.
fn without_markup(text: &str) -> String {
    let text = match (text.find("<style"), text.find("</style>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b..]),
        _ => text.to_owned(),
    };
    strip(&text, '<', '>')
}

/// Every cell of every sheet of a workbook but the run record's (`run`), as text.
fn workbook_text(path: &std::path::Path) -> String {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let mut text = String::new();
    for (name, range) in book.worksheets() {
        if name == "run" {
            continue;
        }
        for row in range.rows() {
            for cell in row {
                text.push_str(&cell.to_string());
                text.push('\n');
            }
        }
    }
    text
}

#[test]
fn every_output_in_nynorsk_holds_no_english_word_of_the_catalogue() {
    // English words: those of the English catalogue that no Norwegian text of it uses (so
    // "Excel", "SIM", "bootstrap" or "Hallingdal" do not count); built from the catalogue, so
    // a new English text is checked as soon as it is in it.
    let norwegian: std::collections::BTreeSet<String> = catalogue_words("nn")
        .union(&catalogue_words("nb"))
        .cloned()
        .collect();
    let english: std::collections::BTreeSet<String> = catalogue_words("en")
        .difference(&norwegian)
        .cloned()
        .collect();
    for word in [
        "guest",
        "nights",
        "present",
        "residents",
        "january",
        "busiest",
        "threshold",
    ] {
        assert!(english.contains(word), "{word} not among {english:?}");
    }

    let dir = folder(&[("ranges.toml", &crate::files::scenario())]);
    let analyses = [
        "--lang",
        "nn",
        "--annualise",
        "season-balanced",
        "--uncertainty",
        "--draws",
        "100",
    ];
    let population = [
        "--lang",
        "nn",
        "--above",
        "3x",
        "--annualise",
        "season-balanced",
    ];
    let run = |args: &[&str]| {
        let out = deltid(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let with = |command: &'static str, extra: &[&'static str], more: &[&'static str]| {
        let mut args = vec![command, "--scenario", "ranges.toml"];
        args.extend(extra);
        args.extend(more);
        args
    };
    // Readable text: the run record at its end is a record of inputs and options (English
    // keys, paths, the command line) and is left out.
    let mut texts: Vec<(String, String)> = Vec::new();
    for args in [
        with("estimate", &analyses, &[]),
        with("population", &population, &["--chart", "chart.svg"]),
    ] {
        let text = run(&args);
        let text = text.split("Køyringsprotokoll:").next().unwrap().to_owned();
        texts.push((format!("{args:?}"), text));
    }
    for args in [
        with("estimate", &analyses, &["--output", "est.csv"]),
        with("estimate", &analyses, &["--output", "est.xlsx"]),
        with("population", &population, &["--output", "pop.csv"]),
        with("population", &population, &["--output", "pop.xlsx"]),
        with(
            "population",
            &population,
            &["--format", "csv", "--daily", "--output", "days.csv"],
        ),
        with("report", &analyses, &["--output", "report.html"]),
    ] {
        run(&args);
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => std::fs::read_to_string(&path).unwrap(),
            Some("xlsx") => workbook_text(&path),
            Some("svg") => without_markup(&std::fs::read_to_string(&path).unwrap()),
            Some("html") => {
                let html = std::fs::read_to_string(&path).unwrap();
                // The run record's section is left out, as in the text.
                let html = html.split("Køyringsprotokoll").next().unwrap().to_owned();
                without_markup(&html)
            }
            _ => continue,
        };
        texts.push((name, text));
    }
    assert!(
        texts.len() >= 16,
        "{:?}",
        texts.iter().map(|t| &t.0).collect::<Vec<_>>()
    );
    let mut found = Vec::new();
    for (what, text) in &texts {
        // File names are data, and so are scenario keys in backticks.
        let text = strip(&text.replace("counts.csv", ""), '`', '`');
        let mut english_here: Vec<String> = words_of(&text)
            .into_iter()
            .filter(|w| english.contains(w))
            .collect();
        english_here.sort();
        english_here.dedup();
        if !english_here.is_empty() {
            found.push(format!("{what}: {english_here:?}"));
        }
    }
    assert!(
        found.is_empty(),
        "English in nynorsk outputs:\n{}",
        found.join("\n")
    );
}

#[test]
fn notes_on_standard_error_follow_lang() {
    // The shipped split (1 036 rows, 126 area-days) and hourly counts: what each file was read
    // as is said in the language asked for, with no English left.
    let dir = tempfile::tempdir().unwrap();
    let scenario = data("home-split/scenario.toml");
    let split = data("home-split/split.csv");
    let hourly = data("hourly/counts.csv");
    let (scenario, split, hourly) = (
        scenario.to_str().unwrap(),
        split.to_str().unwrap(),
        hourly.to_str().unwrap(),
    );
    for (lang, words) in [
        (
            "nn",
            [
                "split.csv: 1 036 rader fordelte etter opphav (opphav = der personen sov natta før, k = 5) lesne som 126 område-dagar",
                "counts.csv: timeteljingar, redusert til netter",
                "split.csv: teljingar fordelte etter opphav",
            ],
        ),
        (
            "nb",
            [
                "split.csv: 1 036 rader fordelt etter opphav (opphav = der personen sov natten før, k = 5) lest som 126 område-dager",
                "counts.csv: timetellinger, redusert til netter",
                "split.csv: tellinger fordelt etter opphav",
            ],
        ),
        (
            "en",
            [
                "split.csv: 1 036 rows split by origin (origin = where the person slept the night before, k = 5) read as 126 area-days",
                "counts.csv: hourly counts, reduced to nights",
                "split.csv: counts split by origin",
            ],
        ),
    ] {
        let out = deltid(
            dir.path(),
            &["estimate", "--scenario", scenario, "--lang", lang],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let mut notes = stderr(&out);
        let out = deltid(
            dir.path(),
            &[
                "compare",
                "--scenario",
                scenario,
                "--counts",
                hourly,
                "--counts",
                split,
                "--lang",
                lang,
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        notes.push_str(&stderr(&out));
        for w in words {
            assert!(notes.contains(w), "{lang}: {w}\n{notes}");
        }
        if lang != "en" {
            for english in ["rows", "read as", "hourly", "reduced", "split by", "counts"] {
                assert!(
                    !notes
                        .replace(hourly, "")
                        .replace(split, "")
                        .contains(english),
                    "{lang}: {english}\n{notes}"
                );
            }
        }
    }
}
