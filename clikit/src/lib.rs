//! What VaultMesh's command lines share, so each tool says a refused command line the same way.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// A clap error as one line: its message, the valid values and tips it adds, and the usage of
/// the command concerned (clap's own rendering spans several lines, which a `--json` error
/// object or a log line cannot hold).
pub fn one_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let mut parts: Vec<String> = Vec::new();
    let mut usage = None;
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("For more information") {
            continue;
        }
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
            continue;
        }
        let line = line.strip_prefix("error: ").unwrap_or(line);
        // A line ending in `:` introduces the next (`not provided:` then the arguments).
        match parts.last_mut() {
            Some(last) if last.ends_with(':') => {
                last.push(' ');
                last.push_str(line);
            }
            _ => parts.push(line.to_string()),
        }
    }
    let mut message = parts.join("; ");
    if let Some(usage) = usage {
        message.push_str(&format!("; usage: {usage}"));
    }
    message
}
