//! Salt's deprecated `file.contains`, `file.contains_regex` and
//! `file.contains_glob` (still common in formulas' `unless`/Jinja).

use std::path::Path;

use halite_api::{ExecCall, ExecError};
use regex::Regex;

use crate::exec::{ok, python_str, reject_unknown_kwargs, required_str, ExecResult};
use crate::util::diff;

const MAX_IN_MEM: usize = 256 * 1024;
const CHUNK: usize = 32 * 1024;

/// The file as Python reads it in text mode (universal newlines), or None.
fn read_text(path: &str) -> Option<String> {
    let data = std::fs::read(path).ok()?;
    let text = String::from_utf8(data).ok()?;
    Some(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The windows Salt's `filebuffer.BufferedReader` yields: the first 256 KiB,
/// then slid by 32 KiB per read while the file has more.
fn buffered_windows(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut start, mut end) = (0, MAX_IN_MEM.min(chars.len()));
    if end == 0 {
        return out;
    }
    out.push(chars[start..end].iter().collect());
    while end < chars.len() {
        start += CHUNK;
        end = (end + CHUNK).min(chars.len());
        out.push(chars[start.min(end)..end].iter().collect());
    }
    out
}

fn expanded(call: &ExecCall<'_>) -> Result<String, ExecError> {
    let p = required_str(call, 0, "path")?;
    Ok(super::replace::expanduser(&p))
}

/// `file.contains(path, text)`: the stripped text in any buffered window.
pub fn contains(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "text"])?;
    let path = expanded(call)?;
    let needle = call
        .arg(1, "text")
        .map(python_str)
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'text'".into()))?;
    let needle = needle.trim();
    if !Path::new(&path).exists() {
        return ok(false);
    }
    let Some(text) = read_text(&path) else {
        return ok(false);
    };
    ok(buffered_windows(&text).iter().any(|w| w.contains(needle)))
}

/// Python's `re.search(regex, line)` without flags: `$` also matches before
/// the line's newline.
fn line_matches(re: &Regex, line: &str) -> bool {
    re.is_match(line) || line.strip_suffix('\n').is_some_and(|l| re.is_match(l))
}

/// `file.contains_regex(path, regex, lchar='')`: the regex on any line
/// (each left-stripped of `lchar` characters first).
pub fn contains_regex(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "regex", "lchar"])?;
    let path = expanded(call)?;
    let regex = required_str(call, 1, "regex")?;
    let lchar = call.arg(2, "lchar").map(python_str).unwrap_or_default();
    if !Path::new(&path).exists() {
        return ok(false);
    }
    let re = Regex::new(&regex).map_err(|e| ExecError::Failed(format!("re.error: {e}")))?;
    let Some(text) = read_text(&path) else {
        return ok(false);
    };
    let strip: Vec<char> = lchar.chars().collect();
    ok(diff::lines_keepends(&text)
        .into_iter()
        .any(|l| line_matches(&re, l.trim_start_matches(strip.as_slice()))))
}

/// `file.contains_glob(path, glob_expr)`: fnmatch of a whole buffered window.
pub fn contains_glob(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "glob_expr"])?;
    let path = expanded(call)?;
    let glob = required_str(call, 1, "glob_expr")?;
    if !Path::new(&path).exists() {
        return ok(false);
    }
    let Some(text) = read_text(&path) else {
        return ok(false);
    };
    ok(buffered_windows(&text)
        .iter()
        .any(|w| halite_target::fnmatch::fnmatch(w, &glob)))
}

#[cfg(test)]
mod tests {
    use super::buffered_windows;

    #[test]
    fn windows_slide_by_chunk() {
        assert!(buffered_windows("").is_empty());
        assert_eq!(buffered_windows("abc"), vec!["abc".to_string()]);
        let big = "x".repeat(256 * 1024 + 10);
        let w = buffered_windows(&big);
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].len(), 256 * 1024 - 32 * 1024 + 10);
    }
}
