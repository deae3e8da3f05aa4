//! Where results go: stdout, or a file written atomically that never replaces one unasked.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::Failure;

/// Where to write, chosen before any work is done.
#[derive(PartialEq)]
pub enum Output {
    /// Standard output.
    Stdout,
    /// A file, replaced only with `force`.
    File { path: PathBuf, force: bool },
}

impl Output {
    /// Checks the target up front, so a refused file costs no work.
    ///
    /// # Errors
    /// A usage error if the file exists and `force` is not set, or its folder does not exist.
    pub fn new(path: Option<PathBuf>, force: bool) -> Result<Output, Failure> {
        let Some(path) = path else {
            return Ok(Output::Stdout);
        };
        if path.exists() && !force {
            return Err(Failure::usage(anyhow::anyhow!(
                "{} exists; not overwriting it (add --force to replace it)",
                path.display()
            )));
        }
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(folder) = folder
            && !folder.is_dir()
        {
            return Err(Failure::usage(anyhow::anyhow!(
                "cannot write {}: no folder {}",
                path.display(),
                folder.display()
            )));
        }
        Ok(Output::File { path, force })
    }

    /// Runs `write` into the target. A file is written to a temporary file beside it and moved
    /// into place only when complete, so no partial output is ever left.
    pub fn write(
        &self,
        write: impl FnOnce(&mut dyn Write) -> deltid::Result<()>,
    ) -> anyhow::Result<()> {
        match self {
            Output::Stdout => {
                let stdout = std::io::stdout();
                let mut lock = std::io::BufWriter::new(stdout.lock());
                write(&mut lock)?;
                lock.flush()?;
                Ok(())
            }
            Output::File { path, force } => write_atomically(path, *force, write),
        }
    }
}

fn write_atomically(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> deltid::Result<()>,
) -> anyhow::Result<()> {
    // Replacing a symbolic link writes to the file it points to, as a plain write would.
    let path = &match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path)
            .with_context(|| format!("cannot follow the link {}", path.display()))?,
        _ => path.to_owned(),
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".deltid-");
    #[cfg(unix)]
    builder.permissions(permissions(path));
    let mut temp = builder
        .tempfile_in(folder)
        .with_context(|| format!("cannot create a file in {}", folder.display()))?;
    {
        let mut buffer = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut buffer)?;
        buffer
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let persisted = if force {
        temp.persist(path).map(|_| ())
    } else {
        temp.persist_noclobber(path).map(|_| ())
    };
    if let Err(e) = persisted {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            bail!(
                "{} appeared while writing; not overwriting it (add --force to replace it)",
                path.display()
            );
        }
        return Err(e.error).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// The permissions of the file being replaced, or read-write for everyone less the umask (as
/// any new file gets), instead of the private 0600 of a temporary file.
#[cfg(unix)]
fn permissions(path: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|meta| meta.permissions())
        .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o666))
}

/// Whether an error comes from a closed pipe on stdout (e.g. `deltid … | head`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
