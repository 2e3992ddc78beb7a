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
/// then slid by 32 KiB per read while the file has more (in characters),
/// made one at a time as slices of `text`.
fn buffered_windows(text: &str) -> impl Iterator<Item = &str> {
    // `n` characters on from byte offset `from` (at most the end)
    let ahead = |from: usize, n: usize| {
        text[from..]
            .char_indices()
            .nth(n)
            .map_or(text.len(), |(i, _)| from + i)
    };
    let mut at: Option<(usize, usize)> = None;
    std::iter::from_fn(move || {
        let (start, end) = match at {
            None if text.is_empty() => return None,
            None => (0, ahead(0, MAX_IN_MEM)),
            Some((_, end)) if end >= text.len() => return None,
            Some((start, end)) => (ahead(start, CHUNK), ahead(end, CHUNK)),
        };
        at = Some((start, end));
        Some(&text[start.min(end)..end])
    })
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
    let found = buffered_windows(&text).any(|w| w.contains(needle));
    ok(found)
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
    let found = buffered_windows(&text).any(|w| halite_target::fnmatch::fnmatch(w, &glob));
    ok(found)
}

#[cfg(test)]
mod tests {
    use super::buffered_windows;

    #[test]
    fn windows_slide_by_chunk() {
        assert_eq!(buffered_windows("").count(), 0);
        assert_eq!(buffered_windows("abc").collect::<Vec<_>>(), ["abc"]);
        let big = "x".repeat(256 * 1024 + 10);
        let w: Vec<&str> = buffered_windows(&big).collect();
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].len(), 256 * 1024 - 32 * 1024 + 10);
        // characters, not bytes: 'é' is two bytes
        let wide = "é".repeat(256 * 1024 + 40 * 1024);
        let w: Vec<&str> = buffered_windows(&wide).collect();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].chars().count(), 256 * 1024);
        assert_eq!(w[2].chars().count(), 256 * 1024 - 64 * 1024 + 40 * 1024);
    }
}
