//! Hidden temporary files removed when the process is stopped by SIGINT (Ctrl-C), SIGTERM or
//! SIGHUP: each is registered while it exists, and a watching thread removes them all before
//! the process ends by the signal as it would have without deltid's handler. SIGKILL cannot be
//! caught; [`crate::output`] uses unnamed files where it can, which nothing outlives.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use tempfile::TempPath;

/// The hidden files that exist now.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temps() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts the thread that removes the registered files on SIGINT, SIGTERM or SIGHUP and then
/// ends the process by that signal. Without it (if the handlers cannot be set), the signals
/// keep their default action.
pub fn watch() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            for path in temps().drain(..) {
                let _ = std::fs::remove_file(path);
            }
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}

/// A hidden `.deltid-XXXXXX` file in an output's folder, registered for removal on a signal
/// while it exists; removed when dropped.
pub struct Registered {
    file: Option<File>,
    /// `None` once renamed.
    path: Option<TempPath>,
    name: PathBuf,
}

impl Registered {
    /// A new hidden file in `folder` with the permission bits `mode` (read-write for everyone
    /// less the umask when `None`).
    pub fn create_in(folder: &Path, mode: Option<u32>) -> std::io::Result<Registered> {
        use std::os::unix::fs::PermissionsExt;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".deltid-");
        builder.permissions(std::fs::Permissions::from_mode(mode.unwrap_or(0o666)));
        // Created and registered under the lock, so a signal cannot fall between the two.
        let mut temps = temps();
        let (file, path) = builder.tempfile_in(folder)?.into_parts();
        temps.push(path.to_path_buf());
        Ok(Registered {
            file: Some(file),
            name: path.to_path_buf(),
            path: Some(path),
        })
    }

    /// A hidden name in `folder` made by `make` (which must create it, failing if it exists).
    pub fn make_in(
        folder: &Path,
        make: impl FnMut(&Path) -> std::io::Result<()>,
    ) -> std::io::Result<Registered> {
        let mut temps = temps();
        let (_, path) = tempfile::Builder::new()
            .prefix(".deltid-")
            .make_in(folder, make)?
            .into_parts();
        temps.push(path.to_path_buf());
        Ok(Registered {
            file: None,
            name: path.to_path_buf(),
            path: Some(path),
        })
    }

    /// The open file (for one made by [`Registered::create_in`]).
    pub fn file(&self) -> Option<&File> {
        self.file.as_ref()
    }

    /// Renames it to `target`, replacing a file there (`replace`) or failing if one is there;
    /// on failure it is removed.
    pub fn persist(mut self, target: &Path, replace: bool) -> std::io::Result<()> {
        drop(self.file.take());
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        let renamed = if replace {
            path.persist(target)
        } else {
            path.persist_noclobber(target)
        };
        // On failure the error holds the path, which removes the file when dropped.
        renamed.map_err(|e| e.error)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        // The file itself (if not renamed) is removed by the TempPath's own drop.
        drop(self.path.take());
        temps().retain(|p| p != &self.name);
    }
}
