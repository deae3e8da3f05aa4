//! The run record beside every published number: version and commit, command line, each
//! input's BLAKE3 hash, size and rows, the scenario's parameters, the selection and the methods.

use serde_json::Value;

use crate::util::{data, deltid, folder, stderr, stdout};

/// A one-area scenario and two days of counts, with their BLAKE3 hashes and sizes worked out by
/// `b3sum` and `wc -c` on the same bytes.
const SCENARIO: &str = "name = \"Gol\"\nuplift = 0.06\ncounts = \"counts.csv\"\n[deductions]\n\
residents = 500\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3324\"\n\
name = \"Gol\"\n";
const SCENARIO_BLAKE3: &str = "e305688767d7eca6e2e2d35afc08c4725d970c3601d13e956b1c6f50c2349147";
const SCENARIO_BYTES: u64 = 157;
const COUNTS: &str = "date,area,count\n2020-01-01,3324,1000\n2020-01-02,3324,1200\n";
const COUNTS_BLAKE3: &str = "12fd10e358bf365281a94130caffba96a96aa86fde7184efe6dba46cc0829fae";
const COUNTS_BYTES: u64 = 58;

fn gol() -> tempfile::TempDir {
    folder(&[("gol.toml", SCENARIO), ("counts.csv", COUNTS)])
}

fn json(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = deltid(dir, args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn json_has_a_run_record_with_each_inputs_blake3_size_and_rows() {
    let dir = gol();
    let doc = json(
        dir.path(),
        &["estimate", "--scenario", "gol.toml", "--format", "json"],
    );
    let run = &doc["run"];
    assert_eq!(run["deltid"]["version"], env!("CARGO_PKG_VERSION"));
    let commit = run["deltid"]["commit"].as_str().unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit}"
    );
    assert_eq!(
        run["command"],
        serde_json::json!([
            env!("CARGO_BIN_EXE_deltid"),
            "estimate",
            "--scenario",
            "gol.toml",
            "--format",
            "json"
        ])
    );
    let inputs = run["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0]["role"], "scenario");
    assert_eq!(inputs[0]["path"], "gol.toml");
    assert_eq!(inputs[0]["blake3"], SCENARIO_BLAKE3);
    assert_eq!(inputs[0]["bytes"], SCENARIO_BYTES);
    assert_eq!(inputs[1]["role"], "counts");
    assert_eq!(inputs[1]["path"], "counts.csv");
    assert_eq!(inputs[1]["blake3"], COUNTS_BLAKE3);
    assert_eq!(inputs[1]["bytes"], COUNTS_BYTES);
    // Two days of one area: two counts read.
    assert_eq!(inputs[1]["rows"], 2);
    assert_eq!(run["scenario"]["uplift"], 0.06);
    assert_eq!(
        run["scenario"]["deductions"][0],
        serde_json::json!(["residents", "500 persons per day for the region"])
    );
    assert_eq!(
        run["selection"]["days"],
        serde_json::json!(["2020-01-01", "2020-01-02"])
    );
    assert_eq!(run["methods"]["allocation"], "present");
    assert_eq!(run["methods"]["annualisation"], Value::Null);
}

#[test]
fn the_same_inputs_give_the_same_record_except_the_time() {
    let dir = gol();
    let args = [
        "estimate",
        "--scenario",
        "gol.toml",
        "--format",
        "json",
        "--annualise",
        "calendar",
    ];
    let mut first = json(dir.path(), &args)["run"].clone();
    let mut second = json(dir.path(), &args)["run"].clone();
    let created = first["created"].as_str().unwrap().to_owned();
    // RFC 3339 in UTC to the second: 2024-05-01T12:00:00Z.
    assert_eq!(created.len(), 20, "{created}");
    assert!(created.ends_with('Z'));
    first["created"] = Value::Null;
    second["created"] = Value::Null;
    assert_eq!(first, second);
    let method = first["methods"]["annualisation"].as_str().unwrap();
    assert!(method.contains("calendar year"), "{method}");
    assert!(first["methods"]["negative"].is_string());
}

#[test]
fn a_changed_input_changes_its_hash() {
    let dir = gol();
    let args = ["estimate", "--scenario", "gol.toml", "--format", "json"];
    let before = json(dir.path(), &args)["run"]["inputs"][1]["blake3"].clone();
    std::fs::write(
        dir.path().join("counts.csv"),
        COUNTS.replace("1200", "1201"),
    )
    .unwrap();
    let after = json(dir.path(), &args)["run"]["inputs"][1]["blake3"].clone();
    assert_eq!(before, COUNTS_BLAKE3);
    assert_ne!(before, after);
}

#[test]
fn csv_and_parquet_get_a_sidecar_run_json() {
    let dir = gol();
    for (format, file) in [("csv", "out.csv"), ("parquet", "out.parquet")] {
        let out = deltid(
            dir.path(),
            &[
                "estimate",
                "--scenario",
                "gol.toml",
                "--format",
                format,
                "--output",
                file,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let sidecar = std::fs::read_to_string(dir.path().join(format!("{file}.run.json"))).unwrap();
        let record: Value = serde_json::from_str(&sidecar).unwrap();
        assert_eq!(record["inputs"][1]["blake3"], COUNTS_BLAKE3);
    }
    // CSV on stdout has nowhere for a sidecar, and writes none.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "gol.toml", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!dir.path().join(".run.json").exists());
}

#[test]
fn an_existing_sidecar_is_not_replaced_and_nothing_is_written() {
    let dir = gol();
    std::fs::write(dir.path().join("out.csv.run.json"), "mine").unwrap();
    let args = [
        "estimate",
        "--scenario",
        "gol.toml",
        "--format",
        "csv",
        "--output",
        "out.csv",
    ];
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("out.csv.run.json exists"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out.csv").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv.run.json")).unwrap(),
        "mine"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_eq!(deltid(dir.path(), &forced).status.code(), Some(0));
    assert!(dir.path().join("out.csv").exists());
}

#[test]
fn the_table_ends_with_the_run_record() {
    let out = deltid(
        &data("hallingdal"),
        &["estimate", "--scenario", "plan-2021.toml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let footer = text.split("\nRun record:\n").nth(1).expect("a footer");
    let (hash, bytes) = deltid::hash_file(&data("hallingdal/counts.csv")).unwrap();
    // 547 days × 6 areas counted.
    assert!(
        footer.contains(&format!(
            "- counts: counts.csv, {bytes} bytes, blake3 {hash}, 3282 counts read"
        )),
        "{footer}"
    );
    assert!(footer.contains("- scenario table: codes.csv, "), "{footer}");
    assert!(footer.contains("- allocation: present\n"), "{footer}");
}

#[test]
fn the_population_record_names_the_percentile_method() {
    let dir = gol();
    let doc = json(
        dir.path(),
        &[
            "population",
            "--scenario",
            "gol.toml",
            "--format",
            "json",
            "--percentile-method",
            "nearest-rank",
            "--above",
            "2x",
        ],
    );
    let methods = &doc["run"]["methods"];
    assert!(
        methods["percentile"]
            .as_str()
            .unwrap()
            .contains("nearest rank"),
        "{methods}"
    );
    assert_eq!(methods["dimensioning"], 0.95);
    assert_eq!(methods["threshold"], "2 × residents");
}

#[test]
fn a_library_run_has_a_record_without_a_command() -> deltid::Result<()> {
    let run = crate::util::run(
        &data("hallingdal/plan-2021.toml"),
        None,
        &deltid::Selection::default(),
    )?;
    let record = run.record();
    assert!(record.command.is_empty());
    assert_eq!(record.inputs.last().map(|i| i.rows), Some(Some(3_282)));
    assert_eq!(record.scenario.name, "Hallingdal");
    Ok(())
}

/// The counts' BLAKE3 hash is taken by the CSV reader as it reads (no second read of the
/// file): on a file larger than the reader's first block (1 MiB), cut into small chunks among
/// workers or read whole, it is the hash of the file's bytes (`deltid::hash_file`, checked
/// against `b3sum` on a known text, reads the file on its own).
#[test]
fn the_readers_hash_of_a_large_csv_is_the_files() {
    use std::fmt::Write as _;
    let mut counts = String::from("date,area,count\n");
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    // 60 000 rows, about 1.3 MB: more than the first block.
    for day in 0..10_000 {
        let date = start + chrono::Days::new(day);
        for (i, area) in ["3039", "3040", "3041", "3042", "3043", "3044"]
            .iter()
            .enumerate()
        {
            writeln!(counts, "{date},{area},{}", 1000 + day % 97 + i as u64).unwrap();
        }
    }
    assert!(counts.len() > 1 << 20);
    let dir = folder(&[("counts.csv", &counts)]);
    let path = dir.path().join("counts.csv");
    let scenario = deltid::read_scenario(data("hallingdal/plan-2021.toml")).unwrap();
    let (hash, bytes) = deltid::hash_file(&path).unwrap();
    assert_eq!(bytes, counts.len() as u64);
    let options = deltid::CountsOptions::default();
    for (chunk, threads) in [(4096, 2), (1 << 20, 1), (4 << 20, 2)] {
        let reading =
            deltid::read_counts_in_chunks(&path, &options, &scenario, chunk, threads).unwrap();
        let digest = reading
            .counts()
            .file_digest()
            .expect("a digest of the CSV read");
        assert_eq!(digest.blake3, hash, "chunks of {chunk} bytes");
        assert_eq!(digest.bytes, bytes);
    }
    // The run record gives it.
    let run = deltid::Run::from_scenario(
        &scenario,
        Some(&path),
        &options,
        &deltid::Selection::default(),
        None,
    )
    .unwrap();
    let record = serde_json::to_value(run.record()).unwrap();
    let counts_input = &record["inputs"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(counts_input["blake3"], hash.as_str());
    assert_eq!(counts_input["bytes"], bytes);
    assert_eq!(counts_input["rows"], 60_000);
}
