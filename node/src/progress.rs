//! Progress bars on long work (`verify-store`, `export-bundle`, `bench`, `demo`), through
//! indicatif: drawn on standard error only when it is a terminal and never under `--json`, so
//! standard output and logs are the same with or without them.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether bars are drawn: standard error is a terminal and the output is not `--json`.
pub fn enabled(json: bool) -> bool {
    !json && std::io::stderr().is_terminal()
}

/// A bar of `len` steps labelled `what` (`receipts`, `batches`, `proofs`, `steps`), hidden
/// unless [`enabled`].
pub fn bar(len: u64, what: &str, json: bool) -> ProgressBar {
    if !enabled(json) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = format!("{{spinner}} [{{bar:40}}] {{human_pos}}/{{human_len}} {what} ({{per_sec}}, {{eta}} left) {{msg}}");
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>-");
    bar.set_style(style);
    bar
}

/// A `progress(done, total)` callback that drives a bar, created on the first call (when the
/// total is known).
pub fn callback(what: &'static str, json: bool) -> impl FnMut(u64, u64) {
    let mut bar: Option<ProgressBar> = None;
    move |done, total| {
        let b = bar.get_or_insert_with(|| self::bar(total, what, json));
        b.set_length(total);
        b.set_position(done);
        if done >= total {
            b.finish_and_clear();
        }
    }
}
