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
