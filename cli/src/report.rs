//! What a command returns, how a failure is classified, and how both are printed.
//!
//! A command returns `Result<Report, Fail>`. [`Fail`] wraps the core's own [`Error`] and
//! [`Failure`] with the one thing the core cannot know: whether the error came from *checking*
//! an input (exit 1) or from an input the tool could not use at all (exit 2). `main` only maps a
//! `Fail` to its exit status and prints it.
//!
//! Every JSON object the tool prints is a core [`Value`] written by the core's RFC 8785 writer,
//! so untrusted text (member names, file names) is always escaped by one audited routine.

use std::borrow::Cow;
use std::fmt::Write as _;

use vaultmesh_core::json::{Number, Object, Value};
use vaultmesh_core::record::Failure;
use vaultmesh_core::{Digest, Error};

/// Exit status: valid (or the command did what it was asked).
pub const EXIT_VALID: u8 = 0;
/// Exit status: the input was checked and is invalid.
pub const EXIT_INVALID: u8 = 1;
/// Exit status: unusable input or bad command line.
pub const EXIT_UNUSABLE: u8 = 2;

/// Why a command did not end with a valid verdict.
#[derive(Debug)]
pub enum Fail {
    /// The command line is wrong (exit 2, error name `USAGE`).
    Usage(String),
    /// An input cannot be used (exit 2): a file that cannot be read, input that is not strict
    /// I-JSON or not an object, a malformed key, digest or proof given to the tool, an unknown
    /// kind. `error` is `None` for I/O errors (error name `IO`).
    Unusable {
        /// The input concerned: a file name, `<stdin>`, or an option.
        source: String,
        /// The core error, when there is one.
        error: Option<Error>,
        /// More detail (the I/O error, the line of a JSON Lines file).
        detail: Option<String>,
    },
    /// A bug in the tool (exit 2, error name `INTERNAL`); never expected.
    Internal(String),
    /// The input was checked and is invalid (exit 1).
    Invalid {
        /// What was checked: `gov_vote record <file>`.
        subject: String,
        /// The core's verdict.
        failure: Failure,
        /// A hint for the auditor (which key is missing, …).
        hint: Option<String>,
    },
    /// A failure together with what the command established before it (a governance chain up
    /// to its violation): same exit status, name and message as `fail`; `--json` adds the
    /// report's fields to the failure's object, and the human output prints the report on
    /// standard output (the one-line error still goes to standard error).
    WithReport {
        /// The failure.
        fail: Box<Fail>,
        /// What was established.
        report: Report,
    },
}

impl Fail {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Fail {
        Fail::Usage(message.into())
    }

    /// An unusable input with a core error.
    pub fn unusable(source: impl Into<String>, error: Error) -> Fail {
        Fail::Unusable {
            source: source.into(),
            error: Some(error),
            detail: None,
        }
    }

    /// The exit status for this failure.
    pub fn exit_status(&self) -> u8 {
        match self {
            Fail::Invalid { .. } => EXIT_INVALID,
            Fail::Usage(_) | Fail::Unusable { .. } | Fail::Internal(_) => EXIT_UNUSABLE,
            Fail::WithReport { fail, .. } => fail.exit_status(),
        }
    }

    /// The core error, if any.
    pub fn error(&self) -> Option<Error> {
        match self {
            Fail::Usage(_) | Fail::Internal(_) => None,
            Fail::Unusable { error, .. } => *error,
            Fail::Invalid { failure, .. } => Some(failure.error),
            Fail::WithReport { fail, .. } => fail.error(),
        }
    }

    /// The stable name: the core error's name, or `USAGE` / `IO` / `INTERNAL` for the tool's
    /// own failures.
    pub fn name(&self) -> &'static str {
        match (self, self.error()) {
            (Fail::WithReport { fail, .. }, _) => fail.name(),
            (_, Some(error)) => error.name(),
            (Fail::Usage(_), None) => "USAGE",
            (Fail::Internal(_), None) => "INTERNAL",
            (_, None) => "IO",
        }
    }

    /// The one-line message, without the `vm-verify: ` prefix. Never contains a newline.
    pub fn message(&self) -> String {
        let text = match self {
            Fail::WithReport { fail, .. } => return fail.message(),
            Fail::Usage(message) => format!("USAGE: {message}"),
            Fail::Internal(message) => format!("INTERNAL: {message}; please report this"),
            Fail::Unusable {
                source,
                error,
                detail,
            } => {
                let mut text = format!("{source}: ");
                match error {
                    Some(error) => {
                        let _ = write!(text, "{error}");
                    }
                    None => text.push_str("IO: "),
                }
                match (error, detail) {
                    (Some(_), Some(detail)) => {
                        let _ = write!(text, " ({detail})");
                    }
                    (None, Some(detail)) => text.push_str(detail),
                    (_, None) => {}
                }
                text
            }
            Fail::Invalid {
                subject,
                failure,
                hint,
            } => {
                let error = failure.error;
                let mut text = format!(
                    "invalid {subject}: {} ({}): {failure}",
                    error.name(),
                    error.code()
                );
                if let Some(hint) = hint {
                    let _ = write!(text, "; {hint}");
                }
                text
            }
        };
        sanitize(&text).into_owned()
    }

    /// The `--json` object for this failure.
    pub fn to_json(&self) -> Value<'static> {
        if let Fail::WithReport { fail, report } = self {
            let mut value = fail.to_json();
            if let Value::Object(object) = &mut value {
                for (name, field) in &report.fields {
                    object.insert(*name, field.clone());
                }
            }
            return value;
        }
        let code = self
            .error()
            .map_or(Value::Null, |e| number(u64::from(e.code())));
        let message = string(self.message());
        let field = match self {
            Fail::Invalid {
                failure: Failure {
                    field: Some(field), ..
                },
                ..
            } => Some(string(*field)),
            _ => None,
        };
        // The HTTP API's error object (docs/node.md): status, code, name, message, field.
        let mut error = Object::default();
        error.insert("status", number(u64::from(self.http_status())));
        error.insert("code", code.clone());
        error.insert("name", string(self.name()));
        error.insert("message", message.clone());
        if let Some(field) = &field {
            error.insert("field", field.clone());
        }
        let mut object = Object::default();
        object.insert("valid", Value::Bool(false));
        object.insert("code", code);
        object.insert("error", Value::Object(error));
        object.insert("message", message);
        if let Some(field) = field {
            object.insert("field", field);
        }
        object.insert("exit_status", number(u64::from(self.exit_status())));
        Value::Object(object)
    }

    /// The HTTP status the node answers the same error with (docs/node.md): the core's input
    /// errors (codes below 200), `USAGE` and `IO` (an input the caller named that cannot be
    /// read) are 400, `INPUT_TOO_LARGE` 413, other core errors (records, signatures, proofs)
    /// 422, and `INTERNAL` 500.
    pub fn http_status(&self) -> u16 {
        match (self, self.error()) {
            (Fail::WithReport { fail, .. }, _) => fail.http_status(),
            (_, Some(Error::InputTooLarge)) => 413,
            (_, Some(error)) if error.code() < 200 => 400,
            (_, Some(_)) => 422,
            (Fail::Internal(_), None) => 500,
            (_, None) => 400,
        }
    }

    /// What the human output prints on standard output: the report of a
    /// [`Fail::WithReport`], nothing for the others.
    pub fn to_text(&self) -> Vec<u8> {
        match self {
            Fail::WithReport { report, .. } => report.to_text(),
            _ => Vec::new(),
        }
    }
}

/// What a successful command computed.
#[derive(Debug)]
pub struct Report {
    /// One line: what was found valid or computed.
    pub message: String,
    /// The computed values, in output order (`receipt_hash`, `root`, `proof`, …).
    pub fields: Vec<(&'static str, Value<'static>)>,
    /// Bytes printed instead of the fields when not in `--json` mode (canonical bytes, a proof),
    /// so the output can be saved and used as a file.
    pub artifact: Option<Vec<u8>>,
}

impl Report {
    /// A report with a message and no fields yet.
    pub fn new(message: impl Into<String>) -> Report {
        Report {
            message: message.into(),
            fields: Vec::new(),
            artifact: None,
        }
    }

    /// Adds a computed value.
    pub fn with(mut self, name: &'static str, value: Value<'static>) -> Report {
        self.fields.push((name, value));
        self
    }

    /// Sets the bytes printed in human mode.
    pub fn artifact(mut self, bytes: Vec<u8>) -> Report {
        self.artifact = Some(bytes);
        self
    }

    /// The `--json` object: `valid`, `code` (0), `error` (null), `message`, then the fields.
    pub fn to_json(&self) -> Value<'static> {
        let mut object = Object::default();
        object.insert("valid", Value::Bool(true));
        object.insert("code", number(0));
        object.insert("error", Value::Null);
        object.insert("message", string(sanitize(&self.message).into_owned()));
        object.insert("exit_status", number(u64::from(EXIT_VALID)));
        for (name, value) in &self.fields {
            object.insert(*name, value.clone());
        }
        Value::Object(object)
    }

    /// The human-readable output: the artifact, or the message and one `name: value` line per
    /// field.
    pub fn to_text(&self) -> Vec<u8> {
        if let Some(artifact) = &self.artifact {
            return artifact.clone();
        }
        let mut text = sanitize(&self.message).into_owned();
        text.push('\n');
        for (name, value) in &self.fields {
            let shown = match value {
                Value::String(s) => sanitize(s).into_owned(),
                other => String::from_utf8_lossy(&other.to_canonical()).into_owned(),
            };
            let _ = writeln!(text, "{name}: {shown}");
        }
        text.into_bytes()
    }
}

/// A JSON string value.
pub fn string(text: impl Into<String>) -> Value<'static> {
    Value::String(Cow::Owned(text.into()))
}

/// A JSON number for an integer (callers keep it within 2^53−1).
pub fn number(n: u64) -> Value<'static> {
    Value::Number(Number {
        value: n as f64,
        plain_integer: true,
    })
}

/// A digest as JSON text.
pub fn digest(d: &Digest) -> Value<'static> {
    string(d.to_string())
}

/// A JSON array of strings.
pub fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value<'static> {
    Value::Array(items.into_iter().map(|s| string(s.as_ref())).collect())
}

/// Deep-copies a borrowed value so it can outlive its input buffer.
pub fn owned(value: &Value<'_>) -> Value<'static> {
    match value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => Value::Number(*n),
        Value::String(s) => string(s.as_ref()),
        Value::Array(items) => Value::Array(items.iter().map(owned).collect()),
        Value::Object(object) => Value::Object(Object {
            members: object
                .members
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_string()), owned(v)))
                .collect(),
        }),
    }
}

/// Text made safe for one terminal line: control characters (newlines, escapes) are shown as
/// `\u{…}` escapes, so untrusted text cannot forge extra lines or terminal sequences.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_control_characters() {
        assert_eq!(sanitize("plain"), "plain");
        assert_eq!(sanitize("a\nb\u{1b}[31m"), "a\\u{a}b\\u{1b}[31m");
    }

    #[test]
    fn exit_statuses() {
        assert_eq!(Fail::usage("x").exit_status(), EXIT_UNUSABLE);
        assert_eq!(
            Fail::unusable("f", Error::JsonSyntax).exit_status(),
            EXIT_UNUSABLE
        );
        let invalid = Fail::Invalid {
            subject: "r".into(),
            failure: Error::SignatureMismatch.into(),
            hint: None,
        };
        assert_eq!(invalid.exit_status(), EXIT_INVALID);
        assert_eq!(invalid.name(), "SIGNATURE_MISMATCH");
        assert_eq!(Fail::usage("x").name(), "USAGE");
    }
}
