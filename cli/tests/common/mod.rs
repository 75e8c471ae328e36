//! Helpers shared by the integration tests of `vm-verify`: a temporary directory, running the
//! built executable and checking how it ended, reading its `--json` output, and paths into
//! `test-vectors/`.
//!
//! Each test file (`cli.rs`, `governance.rs`, `bundle.rs`) is its own crate with `mod common;`,
//! and not every one uses every helper.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use vaultmesh_core::json::{self, Limits, Object, Value};
use vaultmesh_core::Error;

// ---------------------------------------------------------------------------------------------
// Paths.

/// A path as a command-line argument.
pub fn path_arg(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// The folder `test-vectors/{name}` of the repository.
pub fn test_vectors(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(name)
}

/// A fresh directory under the system temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// `vm-verify-{test file}-test-{process}-{n}`: distinct per test file, process and call.
    pub fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "vm-verify-{}-test-{}-{n}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `name` and returns its path as a string argument.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path_arg(&path)
    }

    /// The path of `name` in the directory (not written) as a string argument.
    pub fn path(&self, name: &str) -> String {
        path_arg(&self.0.join(name))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// Running the binary.

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs `vm-verify args`, with `stdin` on standard input (or none).
pub fn run_with(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vm-verify"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status.code().expect("exited by signal"),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs `vm-verify args` with nothing on standard input.
pub fn run(args: &[&str]) -> Run {
    run_with(args, None)
}

impl Run {
    pub fn stdout(&self) -> &str {
        std::str::from_utf8(&self.stdout).unwrap()
    }

    /// Exit `status`; nothing else is checked.
    pub fn exits(self, status: i32) -> Run {
        assert_eq!(
            self.status,
            status,
            "exit status; stderr: {}; stdout: {}",
            self.stderr,
            self.stdout()
        );
        self
    }

    /// Exit 0, nothing on standard error.
    pub fn valid(self) -> Run {
        assert_eq!(
            self.status,
            0,
            "expected exit 0; stderr: {}; stdout: {}",
            self.stderr,
            self.stdout()
        );
        assert_eq!(self.stderr, "", "no stderr on success");
        self
    }

    /// Exit `status` and one line `vm-verify: …` on standard error naming `name` (with its code
    /// for core errors). Standard output is not checked: it may hold a human-readable report.
    pub fn fails_any_stdout(self, status: i32, name: &str) -> Run {
        let run = self.exits(status);
        assert_one_line(&run.stderr);
        assert!(
            run.stderr.contains(name),
            "stderr should name {name}: {}",
            run.stderr
        );
        if let Some(error) = Error::ALL.iter().find(|e| e.name() == name) {
            assert!(
                run.stderr.contains(&format!("{name} ({})", error.code())),
                "{}",
                run.stderr
            );
        }
        run
    }

    /// As [`Run::fails_any_stdout`], and nothing on standard output (or one JSON object with
    /// `--json`).
    pub fn fails(self, status: i32, name: &str) -> Run {
        let run = self.fails_any_stdout(status, name);
        assert!(
            run.stdout.is_empty() || run.stdout.starts_with(b"{"),
            "stdout: {}",
            run.stdout()
        );
        run
    }

    /// Unusable input or arguments: [`Run::fails`] with exit 2.
    pub fn unusable(self, name: &str) -> Run {
        self.fails(2, name)
    }

    /// Standard output as exactly one strict JSON object followed by a newline.
    pub fn json(&self) -> Value<'_> {
        assert!(
            self.stdout.ends_with(b"\n"),
            "one line of JSON: {}",
            self.stdout()
        );
        assert_eq!(
            self.stdout.iter().filter(|&&b| b == b'\n').count(),
            1,
            "one line of JSON"
        );
        json::parse_record(&self.stdout, &Limits::default())
            .expect("stdout is one strict JSON object")
    }
}

/// One line `vm-verify: …` on standard error, and no panic output.
pub fn assert_one_line(stderr: &str) {
    assert!(stderr.starts_with("vm-verify: "), "stderr: {stderr:?}");
    assert!(
        stderr.ends_with('\n') && stderr.matches('\n').count() == 1,
        "one line: {stderr:?}"
    );
    for banned in ["panicked", "backtrace", "RUST_BACKTRACE", "thread 'main'"] {
        assert!(!stderr.contains(banned), "no panic output: {stderr}");
    }
}

/// `text` contains `part`; on failure, the message shows all of `text`.
#[track_caller]
pub fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}

/// Input that is not one usable JSON object whatever the command, each with a file name and the
/// error it gives. Test files add the cases particular to their commands.
pub const BAD_JSON: &[(&str, &[u8], &str)] = &[
    ("garbage", b"\xff\xfe garbage", "INVALID_UTF8"),
    ("text", b"hello world", "JSON_SYNTAX"),
    ("array", b"[1,2]", "NOT_AN_OBJECT"),
    ("bom", b"\xef\xbb\xbf{}", "BYTE_ORDER_MARK"),
    ("surrogate", br#"{"a":"\ud800"}"#, "LONE_SURROGATE"),
    (
        "big-number",
        br#"{"a":9007199254740993}"#,
        "NUMBER_OUT_OF_RANGE",
    ),
    ("empty", b"", "JSON_SYNTAX"),
];

// ---------------------------------------------------------------------------------------------
// JSON, strictly: a missing member or one of another type panics.

pub fn member<'v>(value: &'v Value<'_>, name: &str) -> &'v Value<'v> {
    value
        .as_object()
        .and_then(|o| o.get(name))
        .unwrap_or_else(|| panic!("no member {name}"))
}

pub fn text<'v>(value: &'v Value<'_>, name: &str) -> &'v str {
    member(value, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string"))
}

pub fn uint(value: &Value<'_>, name: &str) -> u64 {
    member(value, name)
        .as_u64()
        .unwrap_or_else(|| panic!("{name} is not an integer"))
}

pub fn boolean(value: &Value<'_>, name: &str) -> bool {
    match member(value, name) {
        Value::Bool(b) => *b,
        other => panic!("{name} is not a boolean: {other:?}"),
    }
}

pub fn array<'v>(value: &'v Value<'_>, name: &str) -> &'v [Value<'v>] {
    match member(value, name) {
        Value::Array(items) => items,
        other => panic!("{name} is not an array: {other:?}"),
    }
}

pub fn is_null(value: &Value<'_>, name: &str) -> bool {
    matches!(member(value, name), Value::Null)
}

/// The members of an object value, to change them.
pub fn object<'v, 'a>(value: &'v mut Value<'a>) -> &'v mut Object<'a> {
    match value {
        Value::Object(o) => o,
        _ => unreachable!(),
    }
}

/// One strict JSON object (default limits) from `bytes`, which are leaked so that the value
/// outlives them.
pub fn parse_leaked(bytes: impl Into<Vec<u8>>) -> Value<'static> {
    let bytes: &'static [u8] = Box::leak(bytes.into().into_boxed_slice());
    json::parse_record(bytes, &Limits::default()).unwrap()
}

/// The file at `path` as one strict JSON object (default limits).
pub fn read_json(path: &Path) -> Value<'static> {
    parse_leaked(std::fs::read(path).unwrap())
}

/// The stable name of a failure's `--json` object, after checking that its `error` member has
/// the HTTP API's error shape (`status`, `code`, `name`, `message`, `field` when the failure
/// names one) and agrees with the envelope's `code`, `message` and `field`.
pub fn error_name<'v>(value: &'v Value<'_>) -> &'v str {
    assert!(!boolean(value, "valid"), "a failure: {value:?}");
    let error = member(value, "error");
    let status = uint(error, "status");
    assert!((400..600).contains(&status), "HTTP status {status}");
    assert_eq!(member(error, "code"), member(value, "code"));
    assert_eq!(text(error, "message"), text(value, "message"));
    let envelope_field = value.as_object().unwrap().get("field");
    assert_eq!(error.as_object().unwrap().get("field"), envelope_field);
    let allowed = ["status", "code", "name", "message", "field"];
    for (name, _) in &error.as_object().unwrap().members {
        assert!(allowed.contains(&name.as_ref()), "unexpected member {name}");
    }
    text(error, "name")
}
