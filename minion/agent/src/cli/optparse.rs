//! A small re-implementation of Python's `optparse` behaviour as Salt's CLIs use
//! it: long options with `=value` or a separate value, unique-prefix
//! abbreviations, short options with attached or separate values, interspersed
//! positional arguments and `--` to end option parsing.

use std::collections::BTreeMap;

/// How an option's value is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A flag: stores `true`.
    Flag,
    /// Any string.
    Str,
    /// An integer (`invalid integer value` otherwise).
    Int,
    /// One of the given strings.
    Choice(&'static [&'static str]),
    /// Repeatable string option; values are collected.
    Append,
}

/// One option: its spellings and where its value goes.
#[derive(Debug, Clone, Copy)]
pub struct OptSpec {
    pub short: Option<char>,
    pub long: &'static [&'static str],
    pub dest: &'static str,
    pub kind: Kind,
}

/// A parsed option value.
#[derive(Debug, Clone, PartialEq)]
pub enum OptValue {
    Flag,
    Str(String),
    Int(i64),
    List(Vec<String>),
}

/// The parse result: option values by `dest`, and the positional arguments.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Parsed {
    pub values: BTreeMap<&'static str, OptValue>,
    pub positional: Vec<String>,
}

impl Parsed {
    pub fn flag(&self, dest: &str) -> bool {
        self.values.contains_key(dest)
    }
    pub fn str(&self, dest: &str) -> Option<&str> {
        match self.values.get(dest) {
            Some(OptValue::Str(s)) => Some(s),
            _ => None,
        }
    }
    pub fn int(&self, dest: &str) -> Option<i64> {
        match self.values.get(dest) {
            Some(OptValue::Int(i)) => Some(*i),
            _ => None,
        }
    }
    pub fn list(&self, dest: &str) -> Vec<String> {
        match self.values.get(dest) {
            Some(OptValue::List(v)) => v.clone(),
            _ => Vec::new(),
        }
    }
}

/// An optparse error; `Display` is the text after `prog: error: `.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptError {
    #[error("no such option: {0}")]
    NoSuchOption(String),
    #[error("ambiguous option: {0} ({1}?)")]
    Ambiguous(String, String),
    #[error("{0} option requires 1 argument")]
    MissingValue(String),
    #[error("{0} option does not take a value")]
    UnexpectedValue(String),
    #[error("option {0}: invalid integer value: '{1}'")]
    BadInt(String, String),
    #[error("option {0}: invalid choice: '{1}' (choose from {2})")]
    BadChoice(String, String, String),
}

/// Parse `args` (without the program name) against `specs`.
pub fn parse(specs: &[OptSpec], args: &[String]) -> Result<Parsed, OptError> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            parsed.positional.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (arg.clone(), None),
            };
            let spec = match_long(specs, &name)?;
            let value = match (spec.kind, inline) {
                (Kind::Flag, Some(_)) => return Err(OptError::UnexpectedValue(name)),
                (Kind::Flag, None) => None,
                (_, Some(v)) => Some(v),
                (_, None) => Some(take_value(args, &mut i, &name)?),
            };
            store(&mut parsed, spec, &name, value)?;
        } else if arg.len() > 1 && arg.starts_with('-') {
            parse_shorts(specs, arg, args, &mut i, &mut parsed)?;
        } else {
            parsed.positional.push(arg.clone());
        }
    }
    Ok(parsed)
}

fn take_value(args: &[String], i: &mut usize, name: &str) -> Result<String, OptError> {
    let v = args
        .get(*i)
        .cloned()
        .ok_or_else(|| OptError::MissingValue(name.to_string()))?;
    *i += 1;
    Ok(v)
}

fn parse_shorts(
    specs: &[OptSpec],
    arg: &str,
    args: &[String],
    i: &mut usize,
    parsed: &mut Parsed,
) -> Result<(), OptError> {
    let chars: Vec<char> = arg.chars().skip(1).collect();
    let mut j = 0;
    while j < chars.len() {
        let c = chars[j];
        let name = format!("-{c}");
        let spec = specs
            .iter()
            .find(|s| s.short == Some(c))
            .ok_or_else(|| OptError::NoSuchOption(name.clone()))?;
        j += 1;
        if spec.kind == Kind::Flag {
            store(parsed, spec, &name, None)?;
            continue;
        }
        let value = if j < chars.len() {
            chars[j..].iter().collect()
        } else {
            take_value(args, i, &name)?
        };
        return store(parsed, spec, &name, Some(value));
    }
    Ok(())
}

fn match_long<'a>(specs: &'a [OptSpec], name: &str) -> Result<&'a OptSpec, OptError> {
    let key = name.trim_start_matches('-');
    if let Some(s) = specs.iter().find(|s| s.long.contains(&key)) {
        return Ok(s);
    }
    let mut hits: Vec<(&str, &OptSpec)> = specs
        .iter()
        .flat_map(|s| {
            s.long
                .iter()
                .filter(|l| l.starts_with(key))
                .map(move |l| (*l, s))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(b.0));
    match hits.len() {
        0 => Err(OptError::NoSuchOption(name.to_string())),
        1 => Ok(hits[0].1),
        _ => {
            let names: Vec<String> = hits.iter().map(|(l, _)| format!("--{l}")).collect();
            Err(OptError::Ambiguous(name.to_string(), names.join(", ")))
        }
    }
}

fn store(
    parsed: &mut Parsed,
    spec: &OptSpec,
    name: &str,
    value: Option<String>,
) -> Result<(), OptError> {
    let v = match (spec.kind, value) {
        (Kind::Flag, _) => OptValue::Flag,
        (Kind::Int, Some(v)) => OptValue::Int(
            v.trim()
                .parse()
                .map_err(|_| OptError::BadInt(name.to_string(), v.clone()))?,
        ),
        (Kind::Choice(choices), Some(v)) => {
            if !choices.contains(&v.as_str()) {
                let list: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
                return Err(OptError::BadChoice(name.to_string(), v, list.join(", ")));
            }
            OptValue::Str(v)
        }
        (Kind::Append, Some(v)) => {
            let mut list = parsed.list(spec.dest);
            list.push(v);
            OptValue::List(list)
        }
        (_, v) => OptValue::Str(v.unwrap_or_default()),
    };
    parsed.values.insert(spec.dest, v);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[OptSpec] = &[
        OptSpec {
            short: Some('c'),
            long: &["config-dir"],
            dest: "config_dir",
            kind: Kind::Str,
        },
        OptSpec {
            short: None,
            long: &["local"],
            dest: "local",
            kind: Kind::Flag,
        },
        OptSpec {
            short: None,
            long: &["out", "output"],
            dest: "output",
            kind: Kind::Str,
        },
        OptSpec {
            short: None,
            long: &["out-indent", "output-indent"],
            dest: "output_indent",
            kind: Kind::Int,
        },
        OptSpec {
            short: Some('l'),
            long: &["log-level"],
            dest: "log_level",
            kind: Kind::Choice(&["debug", "info"]),
        },
        OptSpec {
            short: Some('g'),
            long: &["grains"],
            dest: "grains",
            kind: Kind::Flag,
        },
    ];

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn interspersed_and_forms() {
        let p = parse(
            SPECS,
            &args(&[
                "-c", "/etc/x", "test.arg", "--out", "json", "a=1", "--loc", "-ldebug", "--", "--x",
            ]),
        )
        .unwrap();
        assert_eq!(p.str("config_dir"), Some("/etc/x"));
        assert_eq!(p.str("output"), Some("json"));
        assert!(p.flag("local"));
        assert_eq!(p.str("log_level"), Some("debug"));
        assert_eq!(p.positional, args(&["test.arg", "a=1", "--x"]));
    }

    #[test]
    fn errors_read_like_optparse() {
        let e = |v: &[&str]| parse(SPECS, &args(v)).unwrap_err().to_string();
        assert_eq!(e(&["--foo"]), "no such option: --foo");
        assert_eq!(e(&["--out"]), "--out option requires 1 argument");
        assert_eq!(
            e(&["--out-indent=x"]),
            "option --out-indent: invalid integer value: 'x'"
        );
        assert_eq!(
            e(&["-l", "bogus"]),
            "option -l: invalid choice: 'bogus' (choose from 'debug', 'info')"
        );
        assert_eq!(
            e(&["--ou=1"]),
            "ambiguous option: --ou (--out, --out-indent, --output, --output-indent?)"
        );
    }
}
