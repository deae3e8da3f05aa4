//! Records the git commit deltid is built from, for the run record (`DELTID_COMMIT`).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=DELTID_COMMIT");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let commit = std::env::var("DELTID_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    // Build again when HEAD moves: HEAD itself, and the branch it points to.
    for path in [
        Some("HEAD".to_owned()),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(file) = git(&["rev-parse", "--git-path", &path]) {
            let file = Path::new(&dir).join(file);
            // A missing file would make cargo run this script on every build.
            if file.exists() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
    if let Some(packed) = git(&["rev-parse", "--git-path", "packed-refs"])
        .map(|p| Path::new(&dir).join(p))
        .filter(|p| p.exists())
    {
        println!("cargo:rerun-if-changed={}", packed.display());
    }
    println!("cargo:rustc-env=DELTID_COMMIT={commit}");
}
