//! Nothing the user had is lost: outputs never replace an input, never replace what is not a
//! regular file, land together or not at all, and leave no temporary file behind (issue 12,
//! items 1 to 4, and the messages of item 17 about outputs).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{data, deltid, folder, stderr, stdout};

/// The Hallingdal scenario and its counts, copied into `dir` (so they can be targeted).
fn hallingdal(dir: &Path) {
    for name in ["plan-2021.toml", "counts.csv", "codes.csv"] {
        std::fs::copy(data("hallingdal").join(name), dir.join(name)).unwrap();
    }
}

/// Makes a named pipe at `path`.
fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_output_naming_an_input_is_refused_whatever_the_flags() {
    let dir = folder(&[]);
    hallingdal(dir.path());
    std::os::unix::fs::symlink("counts.csv", dir.path().join("link.csv")).unwrap();
    std::fs::hard_link(dir.path().join("counts.csv"), dir.path().join("hard.csv")).unwrap();
    let counts = std::fs::read(dir.path().join("counts.csv")).unwrap();
    let scenario = std::fs::read(dir.path().join("plan-2021.toml")).unwrap();
    let s = "plan-2021.toml";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // The counts the scenario names, as written, through a link, a hard link, respelled.
        (
            vec!["estimate", "--scenario", s, "-o", "counts.csv", "--force"],
            "--output counts.csv is the input",
        ),
        (
            vec!["estimate", "--scenario", s, "-o", "link.csv", "--force"],
            "--output link.csv is the input",
        ),
        (
            vec!["estimate", "--scenario", s, "-o", "hard.csv", "--force"],
            "--output hard.csv is the input",
        ),
        (
            vec![
                "estimate",
                "--scenario",
                s,
                "-o",
                "./x/../counts.csv",
                "--force",
            ],
            "is the input",
        ),
        // The scenario itself, in every subcommand that reads one.
        (
            vec!["estimate", "--scenario", s, "-o", s, "--force"],
            "--output plan-2021.toml is the input",
        ),
        (
            vec!["validate", "--scenario", s, "-o", s, "--force"],
            "--output plan-2021.toml is the input",
        ),
        (
            vec![
                "sql",
                "--scenario",
                s,
                "--dialect",
                "duckdb",
                "-o",
                s,
                "--force",
            ],
            "--output plan-2021.toml is the input",
        ),
        (
            vec!["population", "--scenario", s, "-o", s, "--force"],
            "--output plan-2021.toml is the input",
        ),
        // A counts file given on the command line, and the chart.
        (
            vec![
                "estimate",
                "--scenario",
                s,
                "--counts",
                "hard.csv",
                "-o",
                "counts.csv",
                "--force",
            ],
            "is the input",
        ),
        (
            vec![
                "population",
                "--scenario",
                s,
                "--chart",
                "link.csv.png",
                "-o",
                "link.csv",
                "--force",
            ],
            "--output link.csv is the input",
        ),
    ];
    std::fs::create_dir(dir.path().join("x")).unwrap();
    for (args, expected) in &cases {
        let out = deltid(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // A chart over the scenario (a .png scenario, so the chart's name passes).
    std::fs::copy(dir.path().join(s), dir.path().join("s.png")).unwrap();
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            "s.png",
            "--chart",
            "s.png",
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--chart s.png is the input s.png"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join("counts.csv")).unwrap(),
        counts
    );
    assert_eq!(std::fs::read(dir.path().join(s)).unwrap(), scenario);
}

#[test]
fn an_output_naming_a_table_the_scenario_reads_is_refused() {
    // The scenario's areas table, a deduction table and its code mapping are inputs too: each
    // refused as an output, with --force, in every subcommand that reads the scenario.
    let dir = folder(&[
        ("areas.csv", "code,name\n3039,Flå\n3040,Nesbyen\n"),
        (
            "transit.csv",
            "date,persons\n2020-01-01,10\n2020-01-02,20\n",
        ),
        ("codes.csv", "from,to\n0615,3039\n0616,3040\n"),
        (
            "counts.csv",
            "date,area,count\n2020-01-01,0615,100\n2020-01-01,3040,200\n2020-01-02,3039,110\n2020-01-02,3040,210\n",
        ),
        (
            "s.toml",
            "areas = \"areas.csv\"\nuplift = 0.06\ncounts = \"counts.csv\"\n[deductions]\nresidents = 10\ncommuters = 0\ntransit = { table = \"transit.csv\" }\nday_visitors = 0\n[area_codes]\nmapping = \"codes.csv\"\n",
        ),
    ]);
    let before: Vec<Vec<u8>> = ["areas.csv", "transit.csv", "codes.csv"]
        .iter()
        .map(|name| std::fs::read(dir.path().join(name)).unwrap())
        .collect();
    // The scenario reads as written: an estimate over both areas.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "s.toml", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("3039,Flå,2,"), "{}", stdout(&out));
    for table in ["areas.csv", "transit.csv", "codes.csv"] {
        for command in ["estimate", "validate", "population"] {
            let out = deltid(
                dir.path(),
                &[command, "--scenario", "s.toml", "-o", table, "--force"],
            );
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} {table}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(&format!("--output {table} is the input")),
                "{command} {table}: {}",
                stderr(&out)
            );
        }
    }
    let after: Vec<Vec<u8>> = ["areas.csv", "transit.csv", "codes.csv"]
        .iter()
        .map(|name| std::fs::read(dir.path().join(name)).unwrap())
        .collect();
    assert_eq!(after, before);
    assert_eq!(
        names(dir.path()),
        [
            "areas.csv",
            "codes.csv",
            "counts.csv",
            "s.toml",
            "transit.csv"
        ]
    );
}

#[test]
fn counts_from_a_pipe_are_refused_with_the_reason() {
    // A named pipe gives its bytes once; the counts are read more than once (their header,
    // their rows, their hash for the run record), so a pipe is refused, not half read.
    let dir = folder(&[]);
    hallingdal(dir.path());
    let fifo = dir.path().join("counts-pipe");
    mkfifo(&fifo);
    let writer = std::thread::spawn({
        let (fifo, counts) = (fifo.clone(), dir.path().join("counts.csv"));
        // Whatever deltid reads of it; a closed pipe (EPIPE) ends the writer.
        move || {
            let _ = std::fs::write(fifo, std::fs::read(counts).unwrap());
        }
    });
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan-2021.toml",
            "--counts",
            "counts-pipe",
        ],
    );
    if !writer.is_finished() {
        // deltid never opened the pipe: let the writer go before failing.
        drop(std::fs::File::open(&fifo));
    }
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "deltid: error: cannot read counts-pipe\n  caused by: is a pipe or a device, not a \
         file: an input is read more than once (to check it and to hash it for the run \
         record), so save it to a file first\n"
    );
}

#[test]
fn counts_from_a_pipe_nobody_writes_are_refused_not_waited_for() {
    // Opening a named pipe waits for a writer: the pipe is refused before it is opened, for
    // counts of every kind (the Parquet and workbook names are hashed ahead of the read too).
    let dir = folder(&[]);
    hallingdal(dir.path());
    for name in ["pipe.csv", "pipe.parquet", "pipe.xlsx"] {
        let fifo = dir.path().join(name);
        mkfifo(&fifo);
        let mut run = Command::new(env!("CARGO_BIN_EXE_deltid"))
            .args(["estimate", "--scenario", "plan-2021.toml", "--counts", name])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while run.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(60) {
                run.kill().unwrap();
                panic!("{name}: deltid waited for a writer");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = run.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            stderr(&out).contains(&format!(
                "cannot read {name}\n  caused by: is a pipe or a device, not a file"
            )),
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn what_is_not_a_regular_file_is_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = folder(&[]);
    hallingdal(dir.path());
    // A named pipe with a reader waiting: the reader gets the whole table, the pipe stays.
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read_to_string(fifo).unwrap()
    });
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan-2021.toml",
            "-o",
            "fifo",
            "--force",
        ],
    );
    if out.status.code() != Some(0) {
        // Lets the reader go before failing.
        drop(std::fs::OpenOptions::new().write(true).open(&fifo));
    }
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(reader.join().unwrap().contains("9 682 355"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A link to /dev/null, with and without --force: written to, still a link to the device.
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null")).unwrap();
    for force in [false, true] {
        let mut args = vec!["estimate", "--scenario", "plan-2021.toml", "-o", "null"];
        if force {
            args.push("--force");
        }
        let out = deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            std::fs::symlink_metadata(dir.path().join("null"))
                .unwrap()
                .is_symlink()
        );
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
    // /dev/null itself (deltid runs as root in CI: a rename would replace the system's).
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan-2021.toml",
            "-o",
            "/dev/null",
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // /dev/stdout needs no --force: the table arrives on stdout.
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan-2021.toml",
            "-o",
            "/dev/stdout",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("9 682 355"));
    // Nothing else appeared in the folder.
    assert_eq!(
        names(dir.path()),
        ["codes.csv", "counts.csv", "fifo", "null", "plan-2021.toml"]
    );
}

#[test]
fn outputs_of_a_run_land_together_or_not_at_all() {
    // The table cannot be written (a link to /dev/full, which refuses every write): the chart,
    // written first, must not land either.
    let dir = folder(&[]);
    hallingdal(dir.path());
    std::os::unix::fs::symlink("/dev/full", dir.path().join("out.csv")).unwrap();
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            "plan-2021.toml",
            "--format",
            "csv",
            "-o",
            "out.csv",
            "--chart",
            "peaks.png",
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write out.csv"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        names(dir.path()),
        ["codes.csv", "counts.csv", "out.csv", "plan-2021.toml"]
    );
    // The other way round: the chart cannot be written, the table does not land.
    std::fs::remove_file(dir.path().join("out.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/full", dir.path().join("peaks.png")).unwrap();
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            "plan-2021.toml",
            "--format",
            "csv",
            "-o",
            "out.csv",
            "--chart",
            "peaks.png",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        names(dir.path()),
        ["codes.csv", "counts.csv", "peaks.png", "plan-2021.toml"]
    );
    // synth: a scenario that cannot be written keeps the counts from landing.
    let out = deltid(
        dir.path(),
        &[
            "synth",
            "--days",
            "3",
            "-o",
            "synth.csv",
            "--scenario",
            "peaks.png",
            "--force",
        ],
    );
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!dir.path().join("synth.csv").exists());
    // Both land when both can.
    std::fs::remove_file(dir.path().join("peaks.png")).unwrap();
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            "plan-2021.toml",
            "--format",
            "csv",
            "-o",
            "out.csv",
            "--chart",
            "peaks.png",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        names(dir.path()),
        [
            "codes.csv",
            "counts.csv",
            "out.by_label.csv",
            "out.by_month.csv",
            "out.csv",
            "out.csv.run.json",
            "out.notes.csv",
            "out.peaks.csv",
            "peaks.png",
            "plan-2021.toml"
        ]
    );
}

/// Starts `deltid synth` writing a large file, stops it with `signal` once its temporary file
/// exists (or after a while), and returns the exit status and the folder's names.
fn stopped(signal: &str, named: bool) -> (Option<i32>, Option<i32>, Vec<String>) {
    use std::os::unix::process::ExitStatusExt;
    let dir = folder(&[]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_deltid"));
    command
        .args([
            "synth", "--areas", "3000", "--days", "3000", "-o", "big.csv",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if named {
        command.env("DELTID_NAMED_TEMP", "1");
    }
    let mut child = command.spawn().unwrap();
    // Until the hidden file exists (named), or a second into the write (unnamed).
    for _ in 0..100 {
        if !named || !names(dir.path()).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    if named {
        assert!(
            names(dir.path())[0].starts_with(".deltid-"),
            "the hidden file exists while writing"
        );
    } else {
        std::thread::sleep(std::time::Duration::from_millis(1000));
    }
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    (status.code(), status.signal(), names(dir.path()))
}

#[test]
fn an_interrupted_write_leaves_no_temporary_file() {
    // INT and TERM: the process ends by the signal, with no file left, named or unnamed.
    for named in [false, true] {
        for (signal, number) in [("INT", 2), ("TERM", 15)] {
            let (code, by, left) = stopped(signal, named);
            assert_eq!(left, Vec::<String>::new(), "{signal} named={named}");
            assert!(
                by == Some(number) || code == Some(128 + number),
                "{signal}: {code:?} {by:?}"
            );
        }
    }
    // KILL cannot be caught: an unnamed file (O_TMPFILE, where the file system has them)
    // leaves nothing; the named fallback is left behind (the README says so).
    let (_, by, left) = stopped("KILL", false);
    assert_eq!(by, Some(9));
    assert_eq!(left, Vec::<String>::new());
}

#[test]
fn a_closed_stdout_is_an_error() {
    // `deltid … >&-`: exit 1 with a message, not 0 with the table lost.
    let dir = folder(&[]);
    let out = Command::new("sh")
        .args([
            "-c",
            &format!(
                "'{}' estimate --scenario '{}' >&-",
                env!("CARGO_BIN_EXE_deltid"),
                data("hallingdal/plan-2021.toml").display()
            ),
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("standard output is closed"),
        "{}",
        stderr(&out)
    );
    // `> /dev/null` is a choice, not a closed stdout.
    let out = Command::new("sh")
        .args([
            "-c",
            &format!(
                "'{}' estimate --scenario '{}' > /dev/null",
                env!("CARGO_BIN_EXE_deltid"),
                data("hallingdal/plan-2021.toml").display()
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_period_ending_before_it_starts_names_the_flags() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &data("hallingdal/plan-2021.toml").display().to_string(),
            "--from",
            "2021-01-01",
            "--to",
            "2020-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--to 2020-01-01 is not after --from 2021-01-01"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn compare_refuses_to_write_over_its_scenario_or_counts() {
    // The Hol and Gol (uplift 0, 2 500 residents each): by day 5 000 and 2 000, by
    // night 3 000 and 4 000. Every output naming an input is refused with --force: the
    // scenario, a --counts file, a link to one and a hard link to one; nothing on disk changes.
    let plan = "name = \"Two\"\nuplift = 0\ntime_zone = \"Europe/Oslo\"\n[deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3044\"\nname = \"Hol\"\nresidents = 2500\n[[area]]\ncode = \"3041\"\nname = \"Gol\"\nresidents = 2500\n";
    let day = "date,area,count\n2024-07-10,3044,5000\n2024-07-10,3041,2000\n";
    let hourly = "ts,area,count\n2024-07-11T00:00:00Z,3044,3000\n2024-07-11T00:00:00Z,3041,4000\n";
    let dir = folder(&[
        ("plan.toml", plan),
        ("day.csv", day),
        ("hourly.csv", hourly),
    ]);
    std::os::unix::fs::symlink("hourly.csv", dir.path().join("link.csv")).unwrap();
    std::fs::hard_link(dir.path().join("day.csv"), dir.path().join("hard.csv")).unwrap();
    std::fs::create_dir(dir.path().join("x")).unwrap();
    let before = names(dir.path());
    let compare = |output: &str, format: &str| {
        deltid(
            dir.path(),
            &[
                "compare",
                "--scenario",
                "plan.toml",
                "--counts",
                "day.csv",
                "--counts",
                "hourly.csv",
                "--format",
                format,
                "--output",
                output,
                "--force",
            ],
        )
    };
    for (output, input) in [
        ("plan.toml", "plan.toml"),
        ("day.csv", "day.csv"),
        ("hourly.csv", "hourly.csv"),
        ("link.csv", "hourly.csv"),
        ("hard.csv", "day.csv"),
        ("./x/../plan.toml", "plan.toml"),
    ] {
        for format in ["csv", "table"] {
            let out = compare(output, format);
            assert_eq!(out.status.code(), Some(2), "{output}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!("--output {output} is the input {input}")),
                "{output}: {}",
                stderr(&out)
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plan.toml")).unwrap(),
        plan
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("day.csv")).unwrap(),
        day
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hourly.csv")).unwrap(),
        hourly
    );
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(names(dir.path()), before);
    // A file that is no input is written: Hol's residual 2 500 and night 500, their
    // difference 2 000 (5 000 − 3 000 present).
    let out = compare("out.csv", "csv");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(written.contains("2024-07-10,3044,Hol,2500.0,"), "{written}");
}
