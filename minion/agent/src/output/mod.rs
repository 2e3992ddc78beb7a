//! Salt's outputters, byte-compatible with Salt 3008.4 (`salt/output/*.py`).
//!
//! [`format`] is Salt's `try_printout` (the chosen outputter, falling back to
//! `nested`, result right-stripped); [`display`] is `display_output` (stdout or
//! appended to `--out-file`).

pub mod colors;
pub mod highstate;
pub mod json;
pub mod nested;
pub mod py;
pub mod raw;
pub mod textwrap;
pub mod txt;
pub mod yaml;

use std::io::Write;
use std::path::PathBuf;

use halite_api::{Map, Value};

/// The `output_indent` option / `--out-indent`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Indent {
    /// Not configured: each outputter's default.
    Default,
    /// `output_indent: null`.
    Null,
    /// `output_indent: pretty` (json: indent 4, sorted keys).
    Pretty,
    Spaces(i64),
}

/// The options the outputters read from `__opts__`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputOptions {
    pub color: bool,
    pub strip_colors: bool,
    pub output_indent: Indent,
    pub nested_indent: usize,
    pub state_verbose: bool,
    pub state_output: String,
    pub state_output_profile: bool,
    pub state_output_diff: bool,
    pub state_output_pct: bool,
    pub state_tabular: bool,
    /// The call's retcode (`nested` paints containers red when non-zero).
    pub retcode: i32,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            color: false,
            strip_colors: true,
            output_indent: Indent::Default,
            nested_indent: 0,
            state_verbose: true,
            state_output: "full".into(),
            state_output_profile: true,
            state_output_diff: false,
            state_output_pct: false,
            state_tabular: false,
            retcode: 0,
        }
    }
}

fn opt_bool(opts: &Map, key: &str, default: bool) -> bool {
    opts.get(key)
        .map(halite_api::module::value_to_bool)
        .unwrap_or(default)
}

impl OutputOptions {
    /// Read the outputter options from minion opts; `color` is decided by the caller.
    pub fn from_opts(opts: &Map, color: bool) -> Self {
        let d = OutputOptions::default();
        let output_indent = match opts.get("output_indent") {
            None => Indent::Default,
            Some(Value::Null) => Indent::Null,
            Some(Value::String(s)) if s == "pretty" => Indent::Pretty,
            Some(Value::Number(n)) => Indent::Spaces(n.as_i64().unwrap_or(4)),
            Some(Value::String(s)) => s.parse().map(Indent::Spaces).unwrap_or(Indent::Default),
            Some(_) => Indent::Default,
        };
        OutputOptions {
            color,
            strip_colors: opt_bool(opts, "strip_colors", d.strip_colors),
            output_indent,
            nested_indent: opts
                .get("nested_indent")
                .and_then(Value::as_u64)
                .unwrap_or(0) as usize,
            state_verbose: opt_bool(opts, "state_verbose", d.state_verbose),
            state_output: opts
                .get("state_output")
                .and_then(Value::as_str)
                .unwrap_or("full")
                .to_string(),
            state_output_profile: opt_bool(opts, "state_output_profile", d.state_output_profile),
            state_output_diff: opt_bool(opts, "state_output_diff", d.state_output_diff),
            state_output_pct: opt_bool(opts, "state_output_pct", d.state_output_pct),
            state_tabular: opts.get("state_tabular") == Some(&Value::Bool(true)),
            retcode: 0,
        }
    }
}

/// Salt's `get_printout` name resolution: `opts["output"]` (the `--out`
/// option) wins unless it is `highstate`; `text` means `txt`; empty means nested.
pub fn choose(fun_default: Option<&str>, configured: Option<&str>) -> String {
    let out = match configured {
        Some(o) if o != "highstate" => Some(o),
        _ => fun_default,
    };
    match out {
        Some("text") => "txt".into(),
        None | Some("") => "nested".into(),
        Some(o) => o.to_string(),
    }
}

/// Salt's `try_printout`: render with `out`, falling back to `nested`; the
/// result is right-stripped like Python's `str.rstrip()`.
pub fn format(out: &str, data: &Value, opts: &OutputOptions) -> String {
    let text = match out {
        "json" => json::render(data, opts),
        "yaml" => yaml::render(data, opts),
        "nested" => nested::render(data, opts, opts.nested_indent),
        "txt" => txt::render(data),
        "raw" => raw::render(data),
        "highstate" => highstate::render(data, opts)
            .unwrap_or_else(|| nested::render(data, opts, opts.nested_indent)),
        other => {
            if other != "grains" {
                tracing::error!("Invalid outputter {other} specified, fall back to nested");
            }
            nested::render(data, opts, opts.nested_indent)
        }
    };
    let mut text = text;
    text.truncate(py::rstrip(&text).len());
    text
}

/// Where the rendered output goes.
#[derive(Debug, Clone, Default)]
pub struct Destination {
    /// `--out-file`: append there instead of printing.
    pub file: Option<PathBuf>,
}

/// Salt's `display_output`: print (or append to the output file) with a newline;
/// nothing at all when the rendered text is empty.
pub fn display(text: &str, dest: &Destination) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    match &dest.file {
        Some(path) => {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            writeln!(f, "{text}")
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{text}").and_then(|_| stdout.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_option_overrides_function_default_except_highstate() {
        assert_eq!(choose(Some("highstate"), Some("json")), "json");
        assert_eq!(choose(None, Some("highstate")), "nested");
        assert_eq!(choose(Some("highstate"), Some("highstate")), "highstate");
        assert_eq!(choose(None, Some("text")), "txt");
        assert_eq!(choose(None, None), "nested");
    }

    #[test]
    fn unknown_outputter_falls_back_to_nested() {
        let v = serde_json::json!({"local": true});
        assert_eq!(
            format("quiet", &v, &OutputOptions::default()),
            "local:\n    True"
        );
    }

    #[test]
    fn output_file_is_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let dest = Destination {
            file: Some(path.clone()),
        };
        display("one", &dest).unwrap();
        display("two", &dest).unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "one\ntwo\n");
    }
}
