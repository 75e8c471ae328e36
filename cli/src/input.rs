//! Reading inputs with bounds: single records (at most [`RECORD_MAX_BYTES`], the core's default
//! limit) and JSON Lines scrolls (streamed line by line, each line at most one record's limit,
//! the whole file at most `--max-total` bytes).
//!
//! `-` names standard input, which can be read once per invocation.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::{merkle, Digest, Error};

use crate::report::{sanitize, Fail};

/// The most bytes read for one record, keyring, proof or agreement: the core's default
/// (wire format §2: 1 MiB).
pub const RECORD_MAX_BYTES: usize = 1 << 20;

/// The default bound on a whole JSON Lines file (1 GiB). Each line is also bounded by
/// [`RECORD_MAX_BYTES`]. Only one 32-byte leaf hash per line is kept in memory.
pub const JSONL_DEFAULT_MAX_TOTAL: u64 = 1 << 30;

/// The parser limits used for every record: the core's defaults (1 MiB, depth 64).
pub fn record_limits() -> Limits {
    Limits::default()
}

/// An input read into memory.
#[derive(Debug)]
pub struct Input {
    /// How the input is named in messages: the file name, or `<stdin>`.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// Parses the input as one strict I-JSON record (a top-level object). Any parse error makes
    /// the input unusable (exit 2).
    pub fn record(&self) -> Result<Value<'_>, Fail> {
        json::parse_record(&self.bytes, &record_limits()).map_err(|e| Fail::unusable(&self.name, e))
    }
}

/// The inputs of one invocation; standard input may be named only once.
#[derive(Debug, Default)]
pub struct Inputs {
    stdin_taken: bool,
}

/// How `path` is shown in messages.
pub fn display_name(path: &OsStr) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        sanitize(&path.to_string_lossy()).into_owned()
    }
}

fn io_fail(name: &str, action: &str, error: &io::Error) -> Fail {
    // The OS message without its "(os error N)" suffix stays readable and stable enough.
    let detail = error.to_string();
    let detail = detail
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_string();
    Fail::Unusable {
        source: name.to_string(),
        error: None,
        detail: Some(format!("cannot {action}: {detail}")),
    }
}

impl Inputs {
    /// Opens `path` (or standard input for `-`) for reading.
    pub fn open(&mut self, path: &OsStr) -> Result<(String, Box<dyn BufRead>), Fail> {
        let name = display_name(path);
        if path == "-" {
            if self.stdin_taken {
                return Err(Fail::usage("standard input (`-`) can be read only once"));
            }
            self.stdin_taken = true;
            return Ok((name, Box::new(io::stdin().lock())));
        }
        let file = File::open(path).map_err(|e| io_fail(&name, "open", &e))?;
        Ok((name, Box::new(BufReader::new(file))))
    }

    /// Reads all of `path`, at most `limit` bytes; more is [`Error::InputTooLarge`].
    pub fn read(&mut self, path: &OsStr, limit: usize) -> Result<Input, Fail> {
        let (name, reader) = self.open(path)?;
        let mut bytes = Vec::new();
        reader
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_fail(&name, "read", &e))?;
        if bytes.len() > limit {
            return Err(Fail::Unusable {
                source: name,
                error: Some(Error::InputTooLarge),
                detail: Some(format!("limit {limit} bytes")),
            });
        }
        Ok(Input { name, bytes })
    }

    /// Reads a record file (bounded by [`RECORD_MAX_BYTES`]).
    pub fn read_record(&mut self, path: &OsStr) -> Result<Input, Fail> {
        self.read(path, RECORD_MAX_BYTES)
    }

    /// Reads a JSON Lines scroll and returns the name and the leaf hash of every record, in
    /// order (wire format §5, §9): one record per line, an optional final newline, an empty file
    /// is the empty scroll, a blank line (empty or only whitespace) is [`Error::BlankLine`].
    /// Every line is parsed as a strict record; an error names its line number.
    pub fn read_leaves(
        &mut self,
        path: &OsStr,
        max_total: u64,
    ) -> Result<(String, Vec<Digest>), Fail> {
        let (name, mut reader) = self.open(path)?;
        let mut leaves = Vec::new();
        let mut line = Vec::new();
        let mut total: u64 = 0;
        for number in 1.. {
            line.clear();
            let at = |error, detail: Option<String>| Fail::Unusable {
                source: format!("{name}:{number}"),
                error: Some(error),
                detail,
            };
            let read = read_line(&mut *reader, &mut line, RECORD_MAX_BYTES)
                .map_err(|e| io_fail(&name, "read", &e))?;
            total += read.consumed as u64;
            if total > max_total {
                let detail =
                    format!("the file exceeds {max_total} bytes; raise the bound with --max-total");
                return Err(Fail::Unusable {
                    source: name,
                    error: Some(Error::InputTooLarge),
                    detail: Some(detail),
                });
            }
            match read.kind {
                Line::End => break,
                Line::TooLong => {
                    return Err(at(
                        Error::InputTooLarge,
                        Some(format!("a line holds at most {RECORD_MAX_BYTES} bytes")),
                    ))
                }
                Line::Complete => {}
            }
            if json::is_blank_line(&line) {
                return Err(at(Error::BlankLine, None));
            }
            let record = json::parse_record(&line, &record_limits()).map_err(|e| at(e, None))?;
            leaves.push(merkle::leaf_hash(&record.to_canonical()));
        }
        Ok((name, leaves))
    }
}

/// What [`read_line`] found.
enum Line {
    /// End of input, nothing read.
    End,
    /// A line (with or without its final newline).
    Complete,
    /// The line exceeded the bound.
    TooLong,
}

struct LineRead {
    kind: Line,
    consumed: usize,
}

/// Reads one line without its `\n` into `line`, never buffering more than `max` bytes.
fn read_line(reader: &mut dyn BufRead, line: &mut Vec<u8>, max: usize) -> io::Result<LineRead> {
    let mut consumed = 0;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            let kind = if consumed == 0 {
                Line::End
            } else {
                Line::Complete
            };
            return Ok(LineRead { kind, consumed });
        }
        let (chunk, newline) = match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (buffer.len(), false),
        };
        if line.len() + chunk > max {
            return Ok(LineRead {
                kind: Line::TooLong,
                consumed: consumed + chunk,
            });
        }
        line.extend_from_slice(&buffer[..chunk]);
        let used = chunk + usize::from(newline);
        reader.consume(used);
        consumed += used;
        if newline {
            return Ok(LineRead {
                kind: Line::Complete,
                consumed,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<Vec<u8>, ()>> {
        let mut reader = input;
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let read = read_line(&mut reader, &mut line, max).unwrap();
            match read.kind {
                Line::End => return out,
                Line::TooLong => {
                    out.push(Err(()));
                    return out;
                }
                Line::Complete => out.push(Ok(line)),
            }
        }
    }

    #[test]
    fn json_lines_framing() {
        assert!(lines(b"", 10).is_empty());
        assert_eq!(lines(b"a\n", 10), vec![Ok(b"a".to_vec())]);
        assert_eq!(lines(b"a", 10), vec![Ok(b"a".to_vec())]);
        assert_eq!(
            lines(b"a\n\nb", 10),
            vec![Ok(b"a".to_vec()), Ok(vec![]), Ok(b"b".to_vec())]
        );
        assert_eq!(lines(b"\n", 10), vec![Ok(vec![])]);
        assert_eq!(lines(b"abcdef\n", 3), vec![Err(())]);
        assert_eq!(lines(b"abc\n", 3), vec![Ok(b"abc".to_vec())]);
    }
}
