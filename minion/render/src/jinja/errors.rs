//! Jinja failures as Salt words them: `Jinja variable '<name>' is undefined; line N`,
//! `Jinja syntax error: ...; line N` (also for Jinja2's TemplateRuntimeError) or, for a `salt[...]` function that
//! raised Salt's SaltInvocationError / CommandExecutionError,
//! `Problem running salt function in Jinja template: ...; line N`, followed
//! by the source lines around N with the offending one marked.

use minijinja::{Error, ErrorKind};

const MARKER: &str = "    <======================";

/// The source of the error for a `salt[...]` function the registry lacks:
/// Salt's words are the error's detail; this is Halite's note, shown after
/// them when Salt has the function (`... does not implement yet`).
#[derive(Debug)]
pub struct MissingFunction(pub Option<String>);

impl std::fmt::Display for MissingFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or(""))
    }
}

impl std::error::Error for MissingFunction {}

/// The source of the error for a `salt[...]` function that failed while it
/// ran (Halite's `ExecError::Invocation` / `Failed`, Salt's
/// SaltInvocationError / CommandExecutionError): its message.
#[derive(Debug)]
pub struct FunctionFailed(pub String);

impl std::fmt::Display for FunctionFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FunctionFailed {}

/// The source of an error that is Jinja2's TemplateRuntimeError under Salt
/// (which reports it as `Jinja syntax error: <msg>; line N`).
#[derive(Debug)]
pub struct RuntimeFailure(pub String);

impl std::fmt::Display for RuntimeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuntimeFailure {}

fn runtime_failure(err: &Error) -> Option<&RuntimeFailure> {
    std::error::Error::source(err)?.downcast_ref::<RuntimeFailure>()
}

fn function_failed(err: &Error) -> Option<&FunctionFailed> {
    std::error::Error::source(err)?.downcast_ref::<FunctionFailed>()
}

fn missing_function(err: &Error) -> Option<&MissingFunction> {
    std::error::Error::source(err)?.downcast_ref::<MissingFunction>()
}

/// Salt's message for a failed render of `source` (the original, un-rewritten
/// text; `compiled` is what minijinja compiled, for its error offsets).
pub fn salt_message(err: &Error, source: &str, compiled: &str) -> String {
    let text = salt_text(err, source, compiled);
    match missing_function(err).and_then(|m| m.0.as_deref()) {
        Some(note) => format!("{text}\n{note}"),
        None => text,
    }
}

fn salt_text(err: &Error, source: &str, compiled: &str) -> String {
    let mut line = err.line();
    let head = match err.kind() {
        ErrorKind::UndefinedError if missing_function(err).is_some() => {
            format!("Jinja variable {}", err.detail().unwrap_or_default())
        }
        ErrorKind::UndefinedError => format!("Jinja variable {}", undefined_text(err, source)),
        ErrorKind::SyntaxError => match super::blocks::block_error(source) {
            Some((msg, at)) => {
                line = Some(at);
                format!("Jinja syntax error: {msg}")
            }
            None => {
                let (msg, at) = syntax_error(err, source, compiled);
                line = at.or(line);
                format!("Jinja syntax error: {msg}")
            }
        },
        ErrorKind::UnknownFunction => {
            let name = err.detail().and_then(|d| d.strip_suffix(" is unknown"));
            format!("Jinja variable '{}' is undefined", name.unwrap_or_default())
        }
        ErrorKind::UnknownFilter | ErrorKind::UnknownTest => {
            // Jinja2 refuses these when it compiles (TemplateAssertionError)
            format!("Jinja syntax error: {}", unknown_name(err))
        }
        _ if runtime_failure(err).is_some() => {
            format!(
                "Jinja syntax error: {}",
                runtime_failure(err).map_or("", |r| &r.0)
            )
        }
        _ => match function_failed(err) {
            Some(failed) => format!("Problem running salt function in Jinja template: {failed}"),
            None => return format!("Jinja error: {}", plain_detail(err)),
        },
    };
    match line {
        Some(n) => format!("{head}; line {n}\n\n{}", context(source, n)),
        None => head,
    }
}

/// An expression-level syntax error in Jinja2's words: its lexer's error
/// when that comes first in the template, else minijinja's parser error
/// translated (the line, when it is not minijinja's, comes back too).
fn syntax_error(err: &Error, source: &str, compiled: &str) -> (String, Option<usize>) {
    let parsed_at = err.line().unwrap_or(usize::MAX);
    if let Some((msg, at)) = super::lexer::lexer_error(source).filter(|(_, at)| *at <= parsed_at) {
        return (msg, Some(at));
    }
    let detail = err.detail().unwrap_or("syntax error");
    let offset = err.range().map(|r| r.start);
    let text =
        super::syntax::jinja2_text(detail, compiled, offset).unwrap_or_else(|| detail.into());
    (text, None)
}

/// `No filter named 'x'.` / `No test named 'x'.` from minijinja's
/// `filter x is unknown` / `test x is unknown`.
fn unknown_name(err: &Error) -> String {
    let what = if err.kind() == ErrorKind::UnknownFilter {
        "filter"
    } else {
        "test"
    };
    let name = err
        .detail()
        .and_then(|d| d.strip_prefix(what))
        .and_then(|d| d.strip_suffix("is unknown"))
        .map(str::trim)
        .unwrap_or("");
    format!("No {what} named '{name}'.")
}

fn plain_detail(err: &Error) -> String {
    let mut text = err
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| err.kind().to_string());
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        text = format!("{text}: {c}");
        cause = c.source();
    }
    text
}

/// `'name' is undefined` for a missing variable, `'dict object' has no attribute 'x'`
/// for a missing key/attribute, using the span of the failed expression.
fn undefined_text(err: &Error, source: &str) -> String {
    let expr = err
        .range()
        .and_then(|r| source.get(r))
        .map(|s| {
            s.trim()
                .trim_start_matches("{{")
                .trim_end_matches("}}")
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if ident(&expr) {
        return format!("'{expr}' is undefined");
    }
    if let Some((_, attr)) = expr.rsplit_once('.') {
        if ident(attr) {
            return format!("'dict object' has no attribute '{attr}'");
        }
    }
    if let Some(key) = expr
        .strip_suffix(']')
        .and_then(|e| e.rsplit_once('['))
        .map(|(_, k)| k)
    {
        return format!("'dict object' has no attribute {key}");
    }
    match err.detail() {
        Some(d) => d.to_string(),
        None => "is undefined".to_string(),
    }
}

/// Salt's `get_context`: up to 5 lines either side of `line`, `[...]` for cut text.
pub fn context(source: &str, line: usize) -> String {
    let lines: Vec<&str> = source.lines().collect();
    if line > lines.len() || line == 0 {
        return source.to_string();
    }
    let start = line.saturating_sub(6);
    let end = (line + 5).min(lines.len());
    let mut buf: Vec<String> = Vec::new();
    let mut marked = line - start - 1;
    if start > 0 {
        buf.push("[...]".into());
        marked += 1;
    }
    buf.extend(lines[start..end].iter().map(|s| s.to_string()));
    if end < lines.len() {
        buf.push("[...]".into());
    }
    buf[marked].push_str(MARKER);
    format!("---\n{}\n---", buf.join("\n"))
}
