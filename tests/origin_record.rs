//! The run record of counts split by origin (issue 16, part 2): `deltid estimate` on a split
//! writes `FILE.run.json` beside a CSV or Parquet `--output`, the `run` object of JSON, the
//! text's footer and the workbook's `run` sheet, with the inputs' BLAKE3 hashes, the origin's kind,
//! k and what was read.

use crate::util::{deltid, folder, stderr, stdout};

const SCENARIO: &str = r#"
name = "Two"
uplift = 0
counts = "split.csv"
[origin]
kind = "home"
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
"#;

/// Three days of Gol and Hol: 10 rows; suppressed cells: the -1 of the 10th, the 4.97 and
/// the -1 of the 11th (3); Hol has no split on the 12th.
const SPLIT: &str = "date,area,origin,count
2024-07-10,3041,3041,1000
2024-07-10,3041,0301,300
2024-07-10,3041,DE,-1
2024-07-10,3044,3044,2000
2024-07-11,3041,3041,1010
2024-07-11,3041,0301,4.97
2024-07-11,3041,SE,-1
2024-07-11,3044,3044,1990
2024-07-11,3044,total,2100
2024-07-12,3041,3041,990
";

#[test]
fn a_split_estimate_writes_its_run_record_beside_the_output_and_in_json() {
    let dir = folder(&[("plan.toml", SCENARIO), ("split.csv", SPLIT)]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--format",
            "csv",
            "--output",
            "split-out.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sidecar = dir.path().join("split-out.csv.run.json");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).expect("the run record")).unwrap();
    // The inputs: the scenario and the counts, each with the BLAKE3 hash of its bytes.
    let inputs = record["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    for (input, file, role) in [
        (&inputs[0], "plan.toml", "scenario"),
        (&inputs[1], "split.csv", "counts"),
    ] {
        let (hash, bytes) = deltid::hash_file(&dir.path().join(file)).unwrap();
        assert_eq!(input["role"], role);
        assert_eq!(input["blake3"], hash.as_str(), "{input}");
        assert_eq!(input["bytes"], bytes);
    }
    assert_eq!(inputs[1]["rows"], 10);
    // The origin: kind, k, what was read. Area-days: Gol 3 + Hol 2 = 5.
    let origin = &record["methods"]["origin"];
    assert_eq!(origin["kind"], "home");
    assert_eq!(origin["min_count"], 5.0);
    assert_eq!(origin["rows"], 10);
    assert_eq!(origin["area_days"], 5);
    assert_eq!(origin["suppressed_cells"], 3);
    assert_eq!(record["selection"]["days"][0], "2024-07-10");
    assert_eq!(record["selection"]["days"][1], "2024-07-12");
    assert!(record["command"][1] == "estimate", "{}", record["command"]);

    // JSON output holds the same record as `run` (the period selected: 2 days, 9 rows, 4
    // area-days, the 11th's 2 suppressed cells and the 10th's 1); the file's hash the same.
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--format",
            "json",
            "--to",
            "2024-07-12",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let run = &json["run"];
    assert_eq!(run["inputs"][1]["blake3"], inputs[1]["blake3"]);
    assert_eq!(run["methods"]["origin"]["rows"], 9);
    assert_eq!(run["methods"]["origin"]["area_days"], 4);
    assert_eq!(run["methods"]["origin"]["suppressed_cells"], 3);
    assert_eq!(run["selection"]["to"], "2024-07-12");
    assert_eq!(run["selection"]["days"][1], "2024-07-11");
    // No sidecar for JSON on standard output; the text's footer names the origin.
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "- origin: home, k = 5: 10 rows split by origin, 5 area-days, 3 cells suppressed"
        ),
        "{text}"
    );
    assert!(text.contains("blake3 "), "{text}");
}
