//! A progress bar on stderr for reads that take more than a second: bytes read of the file,
//! its speed and the time left, and the counts read. Nothing when stderr is not a terminal.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a read runs before its bar shows.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A hidden bar when stderr is a terminal (it shows once a read takes long), else none.
pub fn bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    let style = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} {bytes}/{total_bytes} ({binary_bytes_per_sec}, {eta} left) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// Reports a read's progress on the bar, showing it once the read has taken a second.
pub fn reporter(bar: &ProgressBar) -> impl Fn(deltid::Progress) + Sync + '_ {
    let start = Instant::now();
    move |progress: deltid::Progress| {
        if bar.is_hidden() && start.elapsed() > SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        if let Some(total) = progress.total {
            bar.set_length(total);
        }
        bar.set_position(progress.bytes);
        bar.set_message(format!(
            "{} counts read",
            deltid::output::persons(i64::try_from(progress.rows).unwrap_or(i64::MAX))
        ));
    }
}
