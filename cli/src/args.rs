//! Hand-written argument parsing: no dependency besides the core, so the auditor's tool stays
//! small enough to read.
//!
//! Each command declares the options it takes ([`Opt`]); [`Args::parse`] checks the command line
//! against that list and every problem becomes a usage error (exit status 2). Options may be
//! written `--name VALUE` or `--name=VALUE`; `--` ends the options; `-` is an ordinary operand
//! (standard input). Values stay [`OsString`] until a command asks for them, so file names need
//! not be UTF-8.

use std::ffi::{OsStr, OsString};

use crate::report::Fail;

/// One option a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    /// The option, with its dashes: `--kind`.
    pub name: &'static str,
    /// The value's placeholder in help text (`KIND`), or `None` for a flag.
    pub value: Option<&'static str>,
    /// Whether the option may be given more than once.
    pub repeat: bool,
}

impl Opt {
    /// An option with one value, given at most once.
    pub const fn value(name: &'static str, placeholder: &'static str) -> Opt {
        Opt {
            name,
            value: Some(placeholder),
            repeat: false,
        }
    }

    /// An option with a value that may be repeated.
    pub const fn repeated(name: &'static str, placeholder: &'static str) -> Opt {
        Opt {
            name,
            value: Some(placeholder),
            repeat: true,
        }
    }
}

/// A command line checked against a command's options.
#[derive(Debug, Default)]
pub struct Args {
    operands: Vec<OsString>,
    options: Vec<(&'static str, OsString)>,
}

impl Args {
    /// Checks `tokens` (everything after the command name, without the global `--json` and
    /// `--help`) against `opts`.
    pub fn parse(tokens: Vec<OsString>, opts: &[Opt]) -> Result<Args, Fail> {
        let mut args = Args::default();
        let mut tokens = tokens.into_iter();
        while let Some(token) = tokens.next() {
            let Some(text) = token.to_str().filter(|t| t.starts_with("--")) else {
                if token
                    .to_str()
                    .is_some_and(|t| t.len() > 1 && t.starts_with('-'))
                {
                    return Err(Fail::usage(format!(
                        "unknown option `{}`",
                        token.to_string_lossy()
                    )));
                }
                args.operands.push(token);
                continue;
            };
            if text == "--" {
                args.operands.extend(tokens);
                break;
            }
            let (name, inline) = match text.split_once('=') {
                Some((name, value)) => (name, Some(OsString::from(value))),
                None => (text, None),
            };
            let opt = opts
                .iter()
                .find(|o| o.name == name)
                .ok_or_else(|| Fail::usage(format!("unknown option `{name}`")))?;
            let value = match (opt.value, inline) {
                (Some(_), Some(value)) => value,
                (Some(placeholder), None) => tokens.next().ok_or_else(|| {
                    Fail::usage(format!("option `{name}` needs a value {placeholder}"))
                })?,
                (None, Some(_)) => {
                    return Err(Fail::usage(format!("option `{name}` takes no value")))
                }
                (None, None) => OsString::new(),
            };
            if !opt.repeat && args.options.iter().any(|(n, _)| *n == opt.name) {
                return Err(Fail::usage(format!("option `{name}` given more than once")));
            }
            args.options.push((opt.name, value));
        }
        Ok(args)
    }

    /// The one operand the command takes (named `placeholder` in messages).
    pub fn operand(&self, placeholder: &str) -> Result<&OsStr, Fail> {
        match self.operands.as_slice() {
            [one] => Ok(one),
            [] => Err(Fail::usage(format!("missing {placeholder}"))),
            [_, extra, ..] => Err(Fail::usage(format!(
                "unexpected argument `{}`",
                extra.to_string_lossy()
            ))),
        }
    }

    /// Fails when the command was given operands although it takes none.
    pub fn no_operands(&self) -> Result<(), Fail> {
        match self.operands.first() {
            None => Ok(()),
            Some(extra) => Err(Fail::usage(format!(
                "unexpected argument `{}`",
                extra.to_string_lossy()
            ))),
        }
    }

    /// The value of a single-valued option, if given.
    pub fn value(&self, name: &str) -> Option<&OsStr> {
        self.options
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_os_str())
    }

    /// The value of an option the command requires.
    pub fn required(&self, name: &str) -> Result<&OsStr, Fail> {
        self.value(name)
            .ok_or_else(|| Fail::usage(format!("missing option `{name}`")))
    }

    /// Every value of a repeatable option, in command-line order.
    pub fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s OsStr> + 's {
        self.options
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_os_str())
    }

    /// The value of option `name` as UTF-8 text.
    pub fn text<'s>(&'s self, name: &str) -> Result<Option<&'s str>, Fail> {
        self.value(name).map(|v| utf8(name, v)).transpose()
    }

    /// The value of option `name` as an integer from 0 to 2^53−1 (the I-JSON range, so that
    /// every size the tool reports reads back exactly).
    pub fn integer(&self, name: &str) -> Result<Option<u64>, Fail> {
        let Some(text) = self.text(name)? else {
            return Ok(None);
        };
        let parsed = if text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u64>().ok()
        } else {
            None
        };
        match parsed {
            Some(n) if n <= MAX_SAFE_INTEGER => Ok(Some(n)),
            _ => Err(Fail::usage(format!(
                "option `{name}` needs an integer from 0 to 2^53-1, got `{}`",
                crate::report::sanitize(text)
            ))),
        }
    }
}

/// The largest integer I-JSON numbers hold exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// `value` as UTF-8, or a usage error naming the option.
pub fn utf8<'v>(name: &str, value: &'v OsStr) -> Result<&'v str, Fail> {
    value
        .to_str()
        .ok_or_else(|| Fail::usage(format!("option `{name}` is not valid UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &[Opt] = &[
        Opt::value("--index", "I"),
        Opt::repeated("--key", "ACTOR=KEY"),
    ];

    fn parse(tokens: &[&str]) -> Result<Args, Fail> {
        Args::parse(tokens.iter().map(OsString::from).collect(), OPTS)
    }

    #[test]
    fn options_operands_and_errors() {
        let args = parse(&["f.json", "--index=3", "--key", "a=b", "--key", "c=d"]).unwrap();
        assert_eq!(args.operand("FILE").unwrap(), "f.json");
        assert_eq!(args.integer("--index").unwrap(), Some(3));
        assert_eq!(args.values("--key").count(), 2);
        assert_eq!(parse(&["-"]).unwrap().operand("FILE").unwrap(), "-");
        assert_eq!(
            parse(&["--", "--index"]).unwrap().operand("FILE").unwrap(),
            "--index"
        );
        assert!(parse(&["--nope"]).is_err());
        assert!(parse(&["-x"]).is_err());
        assert!(parse(&["--index"]).is_err());
        assert!(parse(&["--index", "1", "--index", "2"]).is_err());
        assert!(parse(&["a", "b"]).unwrap().operand("FILE").is_err());
        assert!(parse(&[]).unwrap().operand("FILE").is_err());
        for bad in ["-1", "1.0", "1e3", "", "+1", "9007199254740992"] {
            assert!(
                parse(&["--index", bad])
                    .unwrap()
                    .integer("--index")
                    .is_err(),
                "{bad}"
            );
        }
    }
}
