//! The HTML report, rendered in a real headless browser (Chromium from the Debian packages;
//! `.ci/run` installs it and sets `DELTID_REQUIRE_CHROMIUM`): no console messages, the key figures in the rendered page, a PDF
//! on A4 and a screenshot at a phone's width.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{data, deltid, folder, stderr, stdout};

/// The Chromium binary, or `None` (the test then says it is skipped) when it is not
/// installed; with `DELTID_REQUIRE_CHROMIUM` set (`.ci/run` sets it) its absence is a failure.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        });
    if found.is_none() {
        assert!(
            std::env::var_os("DELTID_REQUIRE_CHROMIUM").is_none(),
            "CI must install chromium (apt-get install -y chromium) for the report test"
        );
        eprintln!(
            "SKIPPED: the HTML report's browser test needs chromium (apt-get install -y chromium)"
        );
    }
    found
}

/// Runs headless Chromium on a file with `args`; returns stdout and the console messages it
/// logged.
fn browse(chromium: &Path, page: &Path, args: &[&str]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let console = stderr(&out)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (stdout(&out), console)
}

fn report(dir: &Path, lang: &str) -> PathBuf {
    let plan = data("hallingdal/plan-2021.toml").display().to_string();
    let out = deltid(
        dir,
        &[
            "report",
            "--scenario",
            &plan,
            "--lang",
            lang,
            "--output",
            "report.html",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir.join("report.html")
}

#[test]
fn the_report_is_one_self_contained_file() {
    let dir = folder(&[]);
    let html = std::fs::read_to_string(report(dir.path(), "nn")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"nn\">"));
    // No scripts, no external assets: only inline SVG and styles.
    for external in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    assert!(html.contains("<svg"));
    assert!(html.contains("@media print"));
    assert!(html.contains("size: A4"));
    // The plan's table in nynorsk, to the person.
    for (label, value) in [
        ("Snitt innb. pr. dag, totalt", "46 724"),
        ("Pluss 6% (utan mobil, avvik for SIM kort)", "2 803"),
        ("Fråtrekk innb. Hallingdal", "-20 000"),
        ("Fråtrekk ekstern arbeidskraft", "-1 000"),
        ("Gjestedøgn snitt pr. døgn", "26 527"),
        ("Gjestedøgn pr. år", "9 682 355"),
    ] {
        assert!(
            html.contains(&format!("<td>{label}</td><td class=\"n\">{value}</td>")),
            "{label}"
        );
    }
    // The run record's footer names the counts file's hash.
    let (hash, _) = deltid::hash_file(&data("hallingdal/counts.csv")).unwrap();
    assert!(html.contains(&hash));
}

#[test]
fn the_report_renders_in_chromium_without_console_messages() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = folder(&[]);
    let page = report(dir.path(), "nn");
    let (dom, console) = browse(&chromium, &page, &["--dump-dom"]);
    assert!(console.is_empty(), "{console:#?}");
    for figure in [
        "9 682 355",
        "26 527",
        "Gjestedøgn pr. år",
        "Travlaste dagar",
        "påskeaftan",
        "Køyringsprotokoll",
    ] {
        assert!(dom.contains(figure), "{figure} not in the rendered page");
    }
    let pdf = dir.path().join("report.pdf");
    let (_, console) = browse(
        &chromium,
        &page,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    assert!(console.is_empty(), "{console:#?}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    // A4 is 210 × 297 mm, 595.3 × 841.9 points; Chromium writes 594.96 × 841.92.
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/MediaBox [0 0 594.95996 841.91998]").count();
    assert!(pages >= 2, "{pages} A4 pages");
    let png = dir.path().join("phone.png");
    browse(
        &chromium,
        &page,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=390,1600",
            "--hide-scrollbars",
        ],
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn the_report_in_english_and_bokmal() {
    let dir = folder(&[]);
    let english = std::fs::read_to_string(report(dir.path(), "en")).unwrap();
    assert!(english.contains(
        "<td>guest-nights per year (mean per day × 365)</td><td class=\"n\">9 682 355</td>"
    ));
    let dir = folder(&[]);
    let bokmal = std::fs::read_to_string(report(dir.path(), "nb")).unwrap();
    assert!(bokmal.contains("<td>Fratrekk innb. Hallingdal</td><td class=\"n\">-20 000</td>"));
}

#[test]
fn a_report_never_replaces_a_file_unasked() {
    let dir = folder(&[("report.html", "mine")]);
    let plan = data("hallingdal/plan-2021.toml").display().to_string();
    let out = deltid(
        dir.path(),
        &["report", "--scenario", &plan, "--output", "report.html"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("report.html")).unwrap(),
        "mine"
    );
}

/// A protected run's report: a suppressed area's percentiles, dimensioning figure and
/// calendar years are ":" (never 0), its chart panel says it is not published, the notes carry
/// the rule; it renders in Chromium without console messages.
#[test]
fn a_protected_report_shows_suppressed_figures_as_colons() {
    use crate::disclosure::{counts, scenario, three_areas};
    let toml = scenario(&[0, 0, 0], false, false, "[disclosure]\nmin_count = 5\n");
    let dir = folder(&[
        ("plan.toml", &toml),
        ("counts.csv", &counts(&three_areas())),
    ]);
    let out = deltid(
        dir.path(),
        &[
            "report",
            "--scenario",
            "plan.toml",
            "--output",
            "report.html",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = dir.path().join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // A2 counts 3 on its first day: its percentiles row (residents, P50, P90, P95, P99, max,
    // P95 dimensioning) is all ":".
    let suppressed = "<td class=\"n\">:</td>";
    let rows: Vec<&str> = html
        .lines()
        .filter(|l| l.starts_with("<tr><td>A2</td><td>Area 2</td>"))
        .collect();
    assert!(
        rows.iter().any(|r| r.matches(suppressed).count() == 7),
        "{rows:#?}"
    );
    // Its calendar year too; its plan's lines (a mean that is published) are figures, and
    // its deductions of 0 are 0.
    let year = rows
        .iter()
        .find(|r| r.contains("<td class=\"n\">2020</td>"))
        .unwrap();
    assert!(year.ends_with(&format!("{suppressed}</tr>")), "{year}");
    assert!(html.contains("under 5 persons"));
    assert!(html.contains("not published under small-count protection"));
    // The CLI is built with charts: A2's panel says it is not published.
    assert!(html.contains("Area 2: not published (small-count protection)"));
    let Some(chromium) = chromium() else {
        return;
    };
    let (dom, console) = browse(&chromium, &page, &["--dump-dom"]);
    assert!(console.is_empty(), "{console:#?}");
    assert!(dom.contains(suppressed));
    assert!(dom.contains("not published under small-count protection"));
}
