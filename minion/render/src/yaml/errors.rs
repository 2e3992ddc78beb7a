//! YAML error values and their text, formatted as Salt shows PyYAML (libyaml) errors.
//!
//! * Parser and constructor errors: PyYAML's `MarkedYAMLError` text, e.g.
//!   `while parsing a block mapping\n  in "<unicode string>", line 2, column 3\n...`.
//! * Scanner errors: Salt keeps only the problem text (no position), with a few of
//!   saphyr's wordings mapped to libyaml's.

use saphyr_parser::ScanError;

/// A position in the YAML text: 1-based line, 0-based column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Mark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "  in \"<unicode string>\", line {}, column {}",
            self.line,
            self.column + 1
        )
    }
}

/// A YAML load failure; `Display` matches what Salt shows (with line/column).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
}

impl YamlError {
    /// PyYAML's `MarkedYAMLError` text: context, context mark (unless equal to the
    /// problem mark), problem, problem mark.
    pub fn marked(context: Option<(&str, Mark)>, problem: &str, problem_mark: Mark) -> YamlError {
        let mut lines: Vec<String> = Vec::new();
        if let Some((text, mark)) = context {
            lines.push(text.to_string());
            if mark != problem_mark {
                lines.push(mark.to_string());
            }
        }
        lines.push(problem.to_string());
        lines.push(problem_mark.to_string());
        YamlError {
            message: lines.join("\n"),
            line: Some(problem_mark.line),
        }
    }

    /// A constructor error without a context (e.g. bad `!!binary`).
    pub fn plain(problem: impl Into<String>, line: Option<usize>) -> YamlError {
        YamlError {
            message: problem.into(),
            line,
        }
    }
}

/// Parser-level messages that libyaml reports with a mark but no context.
const PARSER_PROBLEMS: &[&str] = &[
    "did not find expected <document start>",
    "did not find expected <document-start>",
    "did not find expected <stream-start>",
];

/// Converts a saphyr scan/parse error. `context_mark` is the start of the innermost
/// open collection, which libyaml names as the context of parser errors.
pub fn from_scan_error(err: &ScanError, context_mark: Option<Mark>) -> YamlError {
    let marker = err.marker();
    let mark = Mark {
        line: marker.line(),
        column: marker.col(),
    };
    let info = err.info();
    if let Some(rest) = info.strip_prefix("while parsing ") {
        if let Some((what, problem)) = rest.split_once(", ") {
            let context = format!("while parsing {what}");
            let problem = libyaml_parser_problem(problem);
            return YamlError::marked(
                Some((&context, context_mark.unwrap_or(mark))),
                &problem,
                mark,
            );
        }
    }
    if PARSER_PROBLEMS.contains(&info) {
        return YamlError::marked(
            None,
            &info.replace("document-start", "document start"),
            mark,
        );
    }
    YamlError {
        message: libyaml_scanner_problem(info),
        line: Some(mark.line),
    }
}

fn libyaml_parser_problem(problem: &str) -> String {
    match problem {
        "expected ',' or ']'" => "did not find expected ',' or ']'".into(),
        other => other.to_string(),
    }
}

/// saphyr's scanner wordings mapped to libyaml's problem strings.
fn libyaml_scanner_problem(info: &str) -> String {
    let mapped = match info {
        "mapping values are not allowed in this context" => info,
        s if s.contains("tab") => "found character that cannot start any token",
        s if s.starts_with("unexpected end of")
            || s.contains("unexpected eof")
            || s.contains("end of stream") =>
        {
            "found unexpected end of stream"
        }
        s if s.contains("could not find expected ':'")
            || s == "simple key expect ':'"
            || s == "simple key expected" =>
        {
            "could not find expected ':'"
        }
        s if s.contains("cannot start any token") || s.starts_with("unexpected character") => {
            "found character that cannot start any token"
        }
        other => other,
    };
    mapped.to_string()
}
