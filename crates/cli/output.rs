//! Where results go: stdout, or files that land together, whole, only once every output of
//! the run is written, and that never replace an input or a file unasked.
//!
//! A regular file is written to an unnamed temporary file in its folder (Linux's `O_TMPFILE`,
//! which vanishes with the process even on SIGKILL) and linked in when every output of the run
//! is complete; where the folder's file system has no unnamed files, to a hidden
//! `.deltid-XXXXXX` file beside it, removed on error, on SIGINT, SIGTERM and SIGHUP (see
//! [`crate::signals`]), but left behind by SIGKILL. Anything else (a terminal, a pipe, a
//! character device such as `/dev/null`, `/dev/stdout`) is written through, never replaced.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::Failure;

/// Where to write, chosen before any work is done.
#[derive(Debug, PartialEq)]
pub enum Output {
    /// Standard output.
    Stdout,
    /// A regular file (or none yet), replaced only with `force`.
    File { path: PathBuf, force: bool },
    /// Something that is not a regular file (a pipe, a terminal, a device): written through.
    Through { path: PathBuf },
}

impl Output {
    /// Checks the target up front, so a refused file costs no work.
    ///
    /// # Errors
    /// A usage error if the file exists and `force` is not set, if it is a folder, or if its
    /// folder does not exist.
    pub fn new(path: Option<PathBuf>, force: bool) -> Result<Output, Failure> {
        let Some(path) = path else {
            return Ok(Output::Stdout);
        };
        // Following links: a link to a device is the device.
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                return Err(Failure::usage(anyhow::anyhow!(
                    "cannot write {}: it is a folder",
                    path.display()
                )));
            }
            Ok(meta) if !meta.is_file() => return Ok(Output::Through { path }),
            Ok(_) if !force => {
                return Err(Failure::usage(anyhow::anyhow!(
                    "{} exists; not overwriting it (add --force to replace it)",
                    path.display()
                )));
            }
            _ => {}
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

    /// The file written, if not stdout.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Output::Stdout => None,
            Output::File { path, .. } | Output::Through { path } => Some(path),
        }
    }

    /// Refuses an output that is one of the run's `inputs` (the same file, however named:
    /// through a link, a hard link or another spelling), whatever `--force` says. Every
    /// command that reads files checks each file it writes with this, against [`inputs_of`].
    ///
    /// # Errors
    /// A usage error naming the input.
    pub fn refuse_inputs(&self, flag: &str, inputs: &[&Path]) -> Result<(), Failure> {
        let Some(path) = self.path() else {
            return Ok(());
        };
        for input in inputs {
            if same_file(path, input) {
                return Err(Failure::usage(anyhow::anyhow!(
                    "{flag} {} is the input {}: not overwriting an input",
                    path.display(),
                    input.display()
                )));
            }
        }
        Ok(())
    }

    /// [`Output::refuse_inputs`] against a run's inputs as [`inputs_of`] lists them.
    ///
    /// # Errors
    /// A usage error naming the input.
    pub fn refuse_inputs_of(&self, flag: &str, inputs: &[PathBuf]) -> Result<(), Failure> {
        self.refuse_inputs(
            flag,
            &inputs.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
        )
    }

    /// Refuses two outputs of one run that are the same file.
    ///
    /// # Errors
    /// A usage error naming both options.
    pub fn refuse_same(&self, other: &Output, flags: (&str, &str)) -> Result<(), Failure> {
        if let (Some(a), Some(b)) = (self.path(), other.path())
            && same_file(a, b)
        {
            return Err(Failure::usage(anyhow::anyhow!(
                "{} and {} name the same file, {}",
                flags.0,
                flags.1,
                a.display()
            )));
        }
        Ok(())
    }

    /// Writes the whole output: [`Output::stage`], then [`commit`].
    pub fn write(
        &self,
        write: impl FnOnce(&mut dyn Write) -> deltid::Result<()>,
    ) -> anyhow::Result<()> {
        commit(vec![self.stage(write)?])
    }

    /// Runs `write` into the target: stdout and what is not a regular file are written at
    /// once; a regular file is written to a temporary file that lands only with [`commit`]
    /// (dropped uncommitted, it vanishes).
    pub fn stage(
        &self,
        write: impl FnOnce(&mut dyn Write) -> deltid::Result<()>,
    ) -> anyhow::Result<Staged> {
        match self {
            Output::Stdout => {
                refuse_closed_stdout()?;
                let stdout = std::io::stdout();
                let mut lock = std::io::BufWriter::new(stdout.lock());
                write(&mut lock)?;
                lock.flush()?;
                Ok(Staged(None))
            }
            Output::Through { path } => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                let mut buffer = std::io::BufWriter::new(file);
                write(&mut buffer)
                    .map_err(anyhow::Error::new)
                    .and_then(|()| Ok(buffer.flush()?))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(Staged(None))
            }
            Output::File { path, force } => stage_file(path, *force, write).map(Some).map(Staged),
        }
    }
}

/// Every file a run reads: the scenario, the files it names (counts, tables, mapping) and the
/// counts files given on the command line. No output of the run may be one of them.
pub fn inputs_of(scenario: &deltid::Scenario, counts: &[PathBuf]) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = scenario.inputs().into_iter().map(PathBuf::from).collect();
    inputs.extend(counts.iter().cloned());
    inputs
}

/// An output written and not yet in place.
pub struct Staged(Option<Pending>);

struct Pending {
    /// The file to replace or create (a link's target, not the link).
    path: PathBuf,
    force: bool,
    temp: Temp,
}

enum Temp {
    /// An unnamed file (`O_TMPFILE`), linked in by [`commit`].
    #[cfg(target_os = "linux")]
    Unnamed(File),
    /// A hidden file beside the target, renamed by [`commit`].
    Named(crate::signals::Registered),
}

/// Puts every staged output in place, once all are written; checks first that none of those
/// that must not replace a file has one in its place now.
///
/// # Errors
/// A file that appeared while writing, or a file system that refuses the link or rename.
pub fn commit(staged: Vec<Staged>) -> anyhow::Result<()> {
    let pending: Vec<Pending> = staged.into_iter().filter_map(|s| s.0).collect();
    for p in &pending {
        if !p.force && std::fs::symlink_metadata(&p.path).is_ok() {
            bail!(
                "{} appeared while writing; not overwriting it (add --force to replace it)",
                p.path.display()
            );
        }
    }
    for p in pending {
        put_in_place(p)?;
    }
    Ok(())
}

fn put_in_place(Pending { path, force, temp }: Pending) -> anyhow::Result<()> {
    let failed = |e: std::io::Error| -> anyhow::Error {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(
                "{} appeared while writing; not overwriting it (add --force to replace it)",
                path.display()
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
        }
    };
    match temp {
        #[cfg(target_os = "linux")]
        Temp::Unnamed(file) if force => {
            // Linked in under a hidden name, then renamed over the target: the target is never
            // missing. (SIGKILL between the two leaves the hidden file.)
            let linked = crate::signals::Registered::make_in(folder_of(&path), |name| {
                link_unnamed(&file, name)
            })
            .map_err(failed)?;
            linked.persist(&path, true).map_err(failed)
        }
        #[cfg(target_os = "linux")]
        Temp::Unnamed(file) => link_unnamed(&file, &path).map_err(failed),
        Temp::Named(temp) => temp.persist(&path, force).map_err(failed),
    }
}

fn stage_file(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> deltid::Result<()>,
) -> anyhow::Result<Pending> {
    // Replacing a symbolic link writes to the file it points to, as a plain write would.
    let path = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path)
            .with_context(|| format!("cannot follow the link {}", path.display()))?,
        _ => path.to_owned(),
    };
    let folder = folder_of(&path);
    let mode = mode_of(&path);
    let created = |e: std::io::Error| {
        anyhow::Error::new(e).context(format!("cannot create a file in {}", folder.display()))
    };
    let temp = match unnamed(folder, mode) {
        Some(file) => {
            #[cfg(target_os = "linux")]
            {
                Temp::Unnamed(file)
            }
            #[cfg(not(target_os = "linux"))]
            match file {}
        }
        None => Temp::Named(crate::signals::Registered::create_in(folder, mode).map_err(created)?),
    };
    {
        let file: &File = match &temp {
            #[cfg(target_os = "linux")]
            Temp::Unnamed(file) => file,
            Temp::Named(named) => named.file().context("a hidden file without its file")?,
        };
        let mut buffer = std::io::BufWriter::new(file);
        write(&mut buffer)
            .map_err(anyhow::Error::new)
            .and_then(|()| Ok(buffer.flush()?))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(Pending { path, force, temp })
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The permission bits of the file being replaced, or `None` for a new file (which gets
/// read-write for everyone less the umask, as any new file does).
fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|meta| meta.permissions().mode() & 0o7777)
}

/// An unnamed file in `folder` (`O_TMPFILE`), where the kernel and the file system have them
/// and `/proc` can link it in; `None` elsewhere.
#[cfg(target_os = "linux")]
fn unnamed(folder: &Path, mode: Option<u32>) -> Option<File> {
    use rustix::fs::{CWD, Mode, OFlags, fchmod, openat};
    // Tests of the other path set DELTID_NAMED_TEMP.
    if !Path::new("/proc/self/fd").is_dir() || std::env::var_os("DELTID_NAMED_TEMP").is_some() {
        return None;
    }
    let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
    let fd = openat(CWD, folder, flags, Mode::from_raw_mode(0o666)).ok()?;
    if let Some(mode) = mode {
        fchmod(&fd, Mode::from_raw_mode(mode)).ok()?;
    }
    Some(File::from(fd))
}

#[cfg(not(target_os = "linux"))]
fn unnamed(_: &Path, _: Option<u32>) -> Option<std::convert::Infallible> {
    None
}

/// Gives an unnamed file the name `name` (fails if `name` exists).
#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, name: &Path) -> std::io::Result<()> {
    use rustix::fs::{AtFlags, CWD, linkat};
    use std::os::fd::AsRawFd;
    let proc = format!("/proc/self/fd/{}", file.as_raw_fd());
    linkat(CWD, proc.as_str(), CWD, name, AtFlags::SYMLINK_FOLLOW)?;
    Ok(())
}

/// Whether two paths name the same file: the same device and inode when both exist (through
/// links, hard links, other spellings), else the same absolute path.
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        return x.dev() == y.dev() && x.ino() == y.ino();
    }
    let absolute = |p: &Path| {
        std::fs::canonicalize(p).ok().or_else(|| {
            let folder = p.parent().filter(|f| !f.as_os_str().is_empty());
            let folder = std::fs::canonicalize(folder.unwrap_or(Path::new("."))).ok()?;
            Some(folder.join(p.file_name()?))
        })
    };
    a == b || matches!((absolute(a), absolute(b)), (Some(x), Some(y)) if x == y)
}

/// Whether standard output was closed when deltid started (`deltid … >&-`): Rust's runtime
/// then opens `/dev/null` read-write in its place, so output would vanish without an error. A
/// shell's `> /dev/null` opens it write-only, and is not taken for a closed stdout. Call before
/// any file is opened.
pub fn stdout_was_closed() -> bool {
    use rustix::fs::{FileType, OFlags, fcntl_getfl, fstat, major, minor};
    let stdout = std::io::stdout();
    let Ok(stat) = fstat(&stdout) else {
        return true;
    };
    let null = FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice
        && (major(stat.st_rdev), minor(stat.st_rdev)) == (1, 3);
    null && fcntl_getfl(&stdout).is_ok_and(|f| f & OFlags::RWMODE == OFlags::RDWR)
}

/// Refuses to write to a closed standard output.
fn refuse_closed_stdout() -> anyhow::Result<()> {
    if STDOUT_CLOSED.get().copied().unwrap_or(false) {
        bail!("cannot write the output: standard output is closed");
    }
    Ok(())
}

/// Whether stdout was closed at the start, as [`stdout_was_closed`] found.
pub static STDOUT_CLOSED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Whether an error comes from a closed pipe on stdout (e.g. `deltid … | head`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
