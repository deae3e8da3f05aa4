//! The layering of the source: in each crate the modules are listed in the order data flows,
//! and a module may use only modules listed before it (so there is no import cycle). The
//! crates themselves are layered by Cargo: `deltid-model` (no file formats, no polars) ←
//! `deltid-io` ← `deltid` ← the CLI.
//!
//! A module's imports are its `crate::` paths outside comments and unit tests; a name the
//! crate root re-exports (`crate::Error`) counts as a use of the module it comes from.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::util::root;

/// Each crate's source folder, its root file, and its modules in layer order.
const LAYERS: &[(&str, &str, &[&str])] = &[
    (
        "crates/model/src",
        "lib.rs",
        &[
            // Plain values: days, area codes, the calendar, the eight lines, sums.
            "day", "area", "calendar", "language", "lines", "stats", "error",
            // Night counts from hourly counts (settings, the reduction), what counts measure.
            "night",
            // Counts split by origin: settings, the split, its sums under suppression.
            "origin",
            // The scenario as a validated value, and counts in compact form.
            "scenario", "counts",
            // The plan's table, the plan (the one definition of the method), its estimate,
            // the summary of an estimate.
            "table", "plan", "estimate", "summary",
        ],
    ),
    (
        "crates/io/src",
        "lib.rs",
        &[
            // A cell, a file, a row; what every counts reader shares.
            "cell",
            "source",
            "rows",
            "reading",
            // A reader for each kind of file, then counts from any file.
            "delimited",
            "thrift",
            "pages",
            "parquet",
            "sheet",
            "counts",
            // Deduction tables and mappings, then scenarios that name them.
            "tables",
            "scenario",
        ],
    ),
    (
        "crates/deltid/src",
        "lib.rs",
        &[
            // Analyses return data; a run holds them; output renders them.
            "words",
            "catalogue",
            "analysis",
            "record",
            "run",
            "output",
            "sql",
            "synth",
        ],
    ),
    (
        "crates/cli",
        "main.rs",
        &[
            "progress",
            "signals",
            "output",
            "input",
            "estimate",
            "compare",
            "validate",
            "population",
            "report",
            "sql",
            "synth",
        ],
    ),
];

/// Source without comments and without the unit tests at the end of a file.
fn code(text: &str) -> String {
    // (`#[cfg(test)]` or `#[cfg(all(test, feature = "..."))]` before it.)
    let text = text.split("\nmod tests {").next().unwrap_or_default();
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first identifiers of the `crate::` paths in code: `crate::a::b` gives `a`,
/// `crate::{a::b, c}` gives `a` and `c`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split at commas outside nested braces.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(ident(item.trim()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            names.insert(ident(item.trim()));
        } else {
            names.insert(ident(rest));
        }
    }
    names.remove("");
    names
}

/// The names a crate root re-exports, by the module they come from (`pub use a::{B, C}`).
fn reexports(root_code: &str) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for statement in root_code.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            // `A as B` is known as B.
            let name = item.split(" as ").last().unwrap_or_default().trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.trim().to_owned());
            }
        }
    }
    names
}

/// Every `.rs` file under a folder, with its top-level module (`a.rs` and `a/*.rs` are `a`).
fn modules(folder: &Path, root_file: &str) -> Vec<(String, std::path::PathBuf)> {
    let mut files = Vec::new();
    let mut stack = vec![folder.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(folder).unwrap();
                if relative == Path::new(root_file) {
                    continue;
                }
                let first = relative.components().next().unwrap().as_os_str();
                let module = first.to_string_lossy().trim_end_matches(".rs").to_owned();
                files.push((module, path));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn each_module_uses_only_the_layers_below_it() {
    let mut wrong = Vec::new();
    for (folder, root_file, order) in LAYERS {
        let folder = root().join(folder);
        let root_code = code(&std::fs::read_to_string(folder.join(root_file)).unwrap());
        let names = reexports(&root_code);
        let rank: HashMap<&str, usize> = order.iter().enumerate().map(|(i, m)| (*m, i)).collect();
        for (module, path) in modules(&folder, root_file) {
            let Some(&own) = rank.get(module.as_str()) else {
                wrong.push(format!(
                    "{}: module `{module}` is not in the layering (tests/layering.rs)",
                    path.display()
                ));
                continue;
            };
            let text = code(&std::fs::read_to_string(&path).unwrap());
            for name in crate_paths(&text) {
                let used = names.get(&name).map_or(name.as_str(), String::as_str);
                // Names defined in the crate root itself are the crate's glue, usable anywhere.
                if let Some(&theirs) = rank.get(used)
                    && theirs > own
                {
                    wrong.push(format!(
                        "{}: `{module}` uses `crate::{name}` of `{used}`, a later layer",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_model_crate_reads_no_files_and_the_io_crate_renders_nothing() {
    let manifest =
        |name: &str| std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml"));
    let dependencies = |text: &str| -> Vec<String> {
        text.split("\n[")
            .filter(|section| section.starts_with("dependencies]"))
            .flat_map(|section| section.lines().skip(1))
            .filter_map(|line| line.split(['=', '.']).next())
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty() && !name.starts_with('#'))
            .collect()
    };
    let model = dependencies(&manifest("model").unwrap());
    for forbidden in ["polars", "csv", "calamine", "deltid-io", "deltid"] {
        assert!(
            !model.iter().any(|d| d == forbidden),
            "deltid-model depends on {forbidden}: {model:?}"
        );
    }
    let io = dependencies(&manifest("io").unwrap());
    for forbidden in ["deltid", "plotters", "rust_xlsxwriter"] {
        assert!(
            !io.iter().any(|d| d == forbidden),
            "deltid-io depends on {forbidden}: {io:?}"
        );
    }
}

#[test]
fn the_checker_sees_paths_groups_and_reexports() {
    // The checker itself, on text written here: a test that the layering test can fail.
    let text = "use crate::plan::{Plan, Selection};\nuse crate::{Error, lines::{Line, DayLines}};\n\
        // crate::summary in a comment\nfn f() -> crate::Result<()> { Ok(()) }\n\
        #[cfg(test)]\nmod tests {\n use crate::estimate::Estimate;\n}\n";
    let found: Vec<String> = crate_paths(&code(text)).into_iter().collect();
    assert_eq!(found, ["Error", "Result", "lines", "plan"]);
    let names =
        reexports("pub use error::{Error, Result};\npub use scenario::TableRow as DeductionRow;");
    assert_eq!(names["Result"], "error");
    assert_eq!(names["DeductionRow"], "scenario");
}
