//! In-place edits: `file.append`, `file.replace`, `file.comment`, `file.uncomment`.

use std::path::Path;

use halite_api::{StateCall, StateReturn, Value};
use regex::Regex;

use super::{error, expand_name, show_changes, str_parts};
use crate::states::ret;
use crate::util::{atomic, diff};

fn named(call: &StateCall<'_>, name: &str) -> StateReturn {
    let mut r = ret(call, Some(true), "");
    r.name = name.to_string();
    r
}

fn fail(call: &StateCall<'_>, name: &str, msg: impl Into<String>) -> StateReturn {
    StateReturn {
        name: name.to_string(),
        ..error(call, msg)
    }
}

/// Salt's `_check_file`.
fn check_file(name: &str) -> Result<(), String> {
    if !Path::new(name).is_absolute() {
        Err(format!("Specified file {name} is not an absolute path"))
    } else if !Path::new(name).exists() {
        Err(format!("{name}: file not found"))
    } else {
        Ok(())
    }
}

/// `file.search(path, pattern, multiline=True)`: regex search over the whole text.
fn search(text: &str, pattern: &str) -> bool {
    match Regex::new(&format!("(?m){pattern}")) {
        Ok(re) => re.is_match(text),
        Err(_) => text.contains(pattern),
    }
}

fn read_text(name: &str) -> Result<String, String> {
    std::fs::read(name)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("Unable to read {name}: {e}"))
}

pub(super) fn write_text(name: &str, text: &str) -> Result<(), String> {
    atomic::write_atomic(Path::new(name), text.as_bytes(), 0o644)
        .map_err(|e| format!("Unable to write {name}: {e}"))
}

pub(super) fn write_backup(name: &str, suffix: &str, original: &str) -> Result<(), String> {
    if suffix.is_empty() {
        return Ok(());
    }
    let bak = format!("{name}{suffix}");
    std::fs::copy(name, &bak)
        .map(|_| ())
        .or_else(|_| std::fs::write(&bak, original))
        .map_err(|e| format!("Unable to write backup {bak}: {e}"))
}

/// The `backup` argument as a suffix (`.bak` by default, empty for False).
pub(super) fn backup_suffix(call: &StateCall<'_>) -> String {
    call.get("backup")
        .map(|b| {
            if b == &Value::Bool(false) {
                String::new()
            } else {
                halite_api::module::value_to_arg_string(b)
            }
        })
        .unwrap_or_else(|| ".bak".into())
}

/// `"\n".join(difflib.unified_diff(old_lines, new_lines))` as `file.append` reports it.
fn append_diff(old: &[&str], new: &[&str]) -> String {
    diff::unified_diff_pieces(old, new, "\n").join("\n")
}

pub fn append(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    if name.is_empty() {
        return fail(call, &name, "Must provide name to file.append");
    }
    let mut r = named(call, &name);
    if call.get_bool("makedirs", false) && !call.test {
        if let Some(parent) = Path::new(&name).parent() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
    if let Err(msg) = check_file(&name) {
        let touched = super::absent::touch(call);
        if call.test {
            return touched;
        }
        if check_file(&name).is_err() {
            return fail(call, &name, msg);
        }
    }
    let chunks = match text_chunks(call) {
        Ok(c) => c,
        Err(e) => return fail(call, &name, e),
    };
    let original = match read_text(&name) {
        Ok(t) => t,
        Err(e) => return fail(call, &name, e),
    };
    let ignore_ws = call.get_bool("ignore_whitespace", true);
    let mut append_lines: Vec<String> = Vec::new();
    for chunk in &chunks {
        let pattern = if ignore_ws {
            whitespace_regex(chunk)
        } else {
            chunk.clone()
        };
        if search(&original, &pattern) {
            continue;
        }
        append_lines.extend(chunk.lines().map(str::to_string));
    }
    let slines: Vec<&str> = original.lines().collect();
    let mut nlines_owned: Vec<String> = slines.iter().map(|s| s.to_string()).collect();
    nlines_owned.extend(append_lines.iter().cloned());
    let nlines: Vec<&str> = nlines_owned.iter().map(String::as_str).collect();
    if call.test {
        if slines == nlines {
            r.comment = format!("File {name} is in correct state");
        } else {
            r.result = None;
            r.comment = format!("File {name} is set to be updated");
            r.changes
                .insert("diff".into(), diff_value(call, &slines, &nlines).into());
        }
        return r;
    }
    if append_lines.is_empty() {
        r.comment = format!("File {name} is in correct state");
        return r;
    }
    let mut text = original.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for l in &append_lines {
        text.push_str(l);
        text.push('\n');
    }
    if let Err(e) = write_text(&name, &text) {
        return fail(call, &name, e);
    }
    r.comment = format!("Appended {} lines", append_lines.len());
    r.changes
        .insert("diff".into(), diff_value(call, &slines, &nlines).into());
    r
}

fn diff_value(call: &StateCall<'_>, old: &[&str], new: &[&str]) -> String {
    if show_changes(call) {
        append_diff(old, new)
    } else {
        "<show_changes=False>".into()
    }
}

fn text_chunks(call: &StateCall<'_>) -> Result<Vec<String>, String> {
    if let Some(src) = call.get("source").or_else(|| call.get("sources")) {
        let mut out = Vec::new();
        for s in str_parts(src) {
            let data = super::source::fetch(call.ctx, &s, &super::source::saltenv(call))?;
            out.push(String::from_utf8_lossy(&data).into_owned());
        }
        return Ok(out);
    }
    match call.get("text") {
        Some(v) => Ok(str_parts(v)),
        None => Err("No text found to append. Nothing appended".into()),
    }
}

/// Salt's `build_whitespace_split_regex`.
fn whitespace_regex(text: &str) -> String {
    let mut parts = Vec::new();
    for line in text.lines() {
        let words: Vec<String> = line.split_whitespace().map(regex::escape).collect();
        parts.push(format!(
            "(?:[\\s]+)?{}(?:[\\s]+)?",
            words.join("(?:[\\s]+)?")
        ));
    }
    format!("(?m)^{}$", parts.join(""))
}

/// Python `re` flags (int or list of names) as an inline Rust flag group.
fn regex_flags(v: Option<&Value>) -> String {
    let mut f = String::new();
    let mut add = |bits: i64| {
        for (bit, ch) in [(2, 'i'), (8, 'm'), (16, 's'), (64, 'x')] {
            if bits & bit != 0 && !f.contains(ch) {
                f.push(ch);
            }
        }
    };
    match v {
        None | Some(Value::Null) => add(8),
        Some(Value::Array(names)) => {
            for n in names {
                let s = halite_api::module::value_to_arg_string(n).to_uppercase();
                add(match s.as_str() {
                    "IGNORECASE" | "I" => 2,
                    "MULTILINE" | "M" => 8,
                    "DOTALL" | "S" => 16,
                    "VERBOSE" | "X" => 64,
                    _ => 0,
                });
            }
        }
        Some(other) => add(halite_api::module::value_to_arg_string(other)
            .parse()
            .unwrap_or(8)),
    }
    if f.is_empty() {
        String::new()
    } else {
        format!("(?{f})")
    }
}

/// Convert a Python replacement string (`\1`, `\g<name>`) to Rust's syntax.
pub(crate) fn python_repl(repl: &str, literal: bool) -> String {
    let mut out = String::new();
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' if !literal => match chars.peek().copied() {
                Some(d) if d.is_ascii_digit() => {
                    let mut num = String::new();
                    while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                        num.push(d);
                        chars.next();
                    }
                    out.push_str(&format!("${{{num}}}"));
                }
                Some('g') => {
                    chars.next();
                    let mut group = String::new();
                    if chars.peek() == Some(&'<') {
                        chars.next();
                        for g in chars.by_ref() {
                            if g == '>' {
                                break;
                            }
                            group.push(g);
                        }
                    }
                    out.push_str(&format!("${{{group}}}"));
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                }
                Some('t') => {
                    chars.next();
                    out.push('\t');
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    out
}

pub fn replace(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    if name.is_empty() {
        return fail(call, &name, "Must provide name to file.replace");
    }
    let mut r = named(call, &name);
    if let Err(msg) = check_file(&name) {
        if call.get_bool("ignore_if_missing", false) && msg.contains("file not found") {
            r.comment = "No changes needed to be made".into();
            return r;
        }
        return fail(call, &name, msg);
    }
    match replace_text(call, &name) {
        Err(e) => fail(call, &name, e),
        Ok(None) => {
            r.comment = "No changes needed to be made".into();
            r
        }
        Ok(Some(d)) => {
            r.changes.insert("diff".into(), d);
            if call.test {
                r.result = None;
                r.comment = "Changes would have been made".into();
            } else {
                r.comment = "Changes were made".into();
            }
            r
        }
    }
}

/// Salt's `file.replace` execution: returns the diff (or `true` without
/// show_changes) when something changed/would change.
fn replace_text(call: &StateCall<'_>, name: &str) -> Result<Option<Value>, String> {
    let pattern = call
        .get_str("pattern")
        .ok_or("Missing required argument: pattern")?;
    let repl = call
        .get_str("repl")
        .ok_or("Missing required argument: repl")?;
    let re = Regex::new(&format!("{}{pattern}", regex_flags(call.args.get("flags"))))
        .map_err(|e| format!("Invalid pattern '{pattern}': {e}"))?;
    let count = call
        .get_str("count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(0);
    let literal = call.get_bool("backslash_literal", false);
    let original = read_text(name)?;
    let rust_repl = python_repl(&repl, literal);
    let found = re.is_match(&original);
    let mut new = re
        .replacen(&original, count, rust_repl.as_str())
        .into_owned();
    if !found {
        let content = call
            .get_str("not_found_content")
            .unwrap_or_else(|| repl.clone());
        let already = original.lines().any(|l| l == content);
        if !already && call.get_bool("append_if_not_found", false) {
            if !new.is_empty() && !new.ends_with('\n') {
                new.push('\n');
            }
            new.push_str(&content);
            new.push('\n');
        } else if !already && call.get_bool("prepend_if_not_found", false) {
            new = format!("{content}\n{new}");
        }
    }
    if new == original {
        return Ok(None);
    }
    if !call.test {
        write_backup(name, &backup_suffix(call), &original)?;
        write_text(name, &new)?;
    }
    if show_changes(call) {
        Ok(Some(diff::file_diff(&original, &new).into()))
    } else {
        Ok(Some(Value::Bool(true)))
    }
}

fn unanchor(regex: &str) -> String {
    let re = Regex::new(r"^(\(\?[iLmsux]\))?\^?(.*?)\$?$").expect("static regex");
    re.replace(regex, "$2").into_owned()
}

/// Lines matching `regex` that are not yet commented with `ch`.
fn is_uncommented_match(line: &str, ch: &str, body: &Regex) -> bool {
    let trimmed = line.trim_start();
    !trimmed.starts_with(ch) && body.is_match(trimmed)
}

fn edit_lines(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    diff::lines_keepends(text)
        .into_iter()
        .map(|l| f(l).unwrap_or_else(|| l.to_string()))
        .collect()
}

pub fn comment(call: &StateCall<'_>) -> StateReturn {
    comment_impl(call, true)
}

pub fn uncomment(call: &StateCall<'_>) -> StateReturn {
    comment_impl(call, false)
}

fn comment_impl(call: &StateCall<'_>, commenting: bool) -> StateReturn {
    let name = expand_name(&call.name);
    let mut r = named(call, &name);
    if let Err(msg) = check_file(&name) {
        return fail(call, &name, msg);
    }
    let Some(regex) = call.get_str("regex") else {
        return fail(call, &name, "Missing required argument: regex");
    };
    let ch = call.get_str("char").unwrap_or_else(|| "#".into());
    let body_src = if commenting {
        unanchor(&regex)
    } else {
        regex.trim_start_matches('^').to_string()
    };
    let Ok(body) = Regex::new(&format!("^{body_src}")) else {
        return fail(call, &name, format!("{regex}: invalid regex"));
    };
    let original = match read_text(&name) {
        Ok(t) => t,
        Err(e) => return fail(call, &name, e),
    };
    let esc = regex::escape(&ch);
    let commented = Regex::new(&format!(r"^\s*{esc}[ \t]*{body_src}")).ok();
    let has_uncommented = original
        .lines()
        .any(|l| is_uncommented_match(l, &ch, &body));
    let has_commented = original
        .lines()
        .any(|l| commented.as_ref().is_some_and(|c| c.is_match(l)));
    if commenting && !has_uncommented {
        if has_commented {
            r.comment = "Pattern already commented".into();
            return r;
        }
        if call.get_bool("ignore_missing", false) {
            r.comment = "Pattern not found and ignore_missing set to True".into();
            return r;
        }
        return fail(call, &name, format!("{body_src}: Pattern not found"));
    }
    if !commenting && !has_commented {
        if has_uncommented {
            r.comment = "Pattern already uncommented".into();
            return r;
        }
        return fail(call, &name, format!("{regex}: Pattern not found"));
    }
    if call.test {
        r.changes.insert(name.clone(), "updated".into());
        r.comment = format!("File {name} is set to be updated");
        r.result = None;
        return r;
    }
    let new = if commenting {
        edit_lines(&original, |l| {
            is_uncommented_match(l, &ch, &body).then(|| format!("{ch}{l}"))
        })
    } else {
        edit_lines(&original, |l| {
            let c = commented.as_ref()?;
            c.is_match(l).then(|| {
                let idx = l.find(ch.as_str()).unwrap_or(0);
                format!("{}{}", &l[..idx], &l[idx + ch.len()..])
            })
        })
    };
    let backup = call.get_str("backup").unwrap_or_else(|| ".bak".into());
    if new != original {
        if let Err(e) =
            write_backup(&name, &backup, &original).and_then(|_| write_text(&name, &new))
        {
            return fail(call, &name, e);
        }
        r.changes
            .insert("diff".into(), diff::file_diff(&original, &new).into());
    }
    let ok = if commenting {
        new.lines()
            .any(|l| l.starts_with(ch.as_str()) && body.is_match(l.trim_start_matches(ch.as_str())))
    } else {
        new.lines().any(|l| body.is_match(l.trim_start()))
    };
    r.result = Some(ok);
    r.comment = match (commenting, ok) {
        (true, true) => "Commented lines successfully",
        (true, false) => "Expected commented lines not found",
        (false, true) => "Uncommented lines successfully",
        (false, false) => "Expected uncommented lines not found",
    }
    .into();
    r
}

#[cfg(test)]
mod tests {
    use super::python_repl;
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn append_lines_and_noop() {
        let d = TempDir::new("append");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let f = d.s("app.conf");
        std::fs::write(&f, "a=1\n").unwrap();
        let r = run_state(
            &ctx,
            "file.append",
            json!({"name": f, "text": ["b=2", "c=3"]}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.clone()),
            (None, format!("File {f} is set to be updated"))
        );
        let r = run_state(
            &ctx,
            "file.append",
            json!({"name": f, "text": ["b=2", "c=3"]}),
            false,
        );
        assert_eq!(r.comment, "Appended 2 lines");
        assert_eq!(
            changes(&r),
            json!({"diff": "--- \n\n+++ \n\n@@ -1 +1,3 @@\n\n a=1\n+b=2\n+c=3"})
        );
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "a=1\nb=2\nc=3\n");
        let r = run_state(
            &ctx,
            "file.append",
            json!({"name": f, "text": "b=2"}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (format!("File {f} is in correct state"), json!({}))
        );
    }

    #[test]
    fn replace_changes_backup_and_noop() {
        let d = TempDir::new("replace");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let f = d.s("r.conf");
        std::fs::write(&f, "a=1\nb=2\n").unwrap();
        let r = run_state(
            &ctx,
            "file.replace",
            json!({"name": f, "pattern": "^a=(\\d)$", "repl": "a=\\1\\1"}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Changes would have been made")
        );
        let r = run_state(
            &ctx,
            "file.replace",
            json!({"name": f, "pattern": "^a=(\\d)$", "repl": "a=\\1\\1"}),
            false,
        );
        assert_eq!(r.comment, "Changes were made");
        assert_eq!(
            changes(&r),
            json!({"diff": "--- \n+++ \n@@ -1,2 +1,2 @@\n-a=1\n+a=11\n b=2\n"})
        );
        assert_eq!(
            std::fs::read_to_string(format!("{f}.bak")).unwrap(),
            "a=1\nb=2\n"
        );
        let r = run_state(
            &ctx,
            "file.replace",
            json!({"name": f, "pattern": "^a=11$", "repl": "a=11"}),
            false,
        );
        assert_eq!(r.comment, "No changes needed to be made");
        let r = run_state(
            &ctx,
            "file.replace",
            json!({"name": f, "pattern": "^z=", "repl": "z=9", "append_if_not_found": true, "backup": false}),
            false,
        );
        assert_eq!(r.comment, "Changes were made");
        assert!(std::fs::read_to_string(&f).unwrap().ends_with("z=9\n"));
        assert_eq!(python_repl("\\g<x>$", false), "${x}$$");
    }

    #[test]
    fn comment_and_uncomment() {
        let d = TempDir::new("comment");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let f = d.s("c.conf");
        std::fs::write(&f, "foo=1\nbar=2\n").unwrap();
        let r = run_state(
            &ctx,
            "file.comment",
            json!({"name": f, "regex": "^foo"}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(true), "Commented lines successfully")
        );
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "#foo=1\nbar=2\n");
        let r = run_state(
            &ctx,
            "file.comment",
            json!({"name": f, "regex": "^foo"}),
            false,
        );
        assert_eq!(r.comment, "Pattern already commented");
        let r = run_state(
            &ctx,
            "file.uncomment",
            json!({"name": f, "regex": "foo"}),
            false,
        );
        assert_eq!(r.comment, "Uncommented lines successfully");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "foo=1\nbar=2\n");
        let r = run_state(
            &ctx,
            "file.uncomment",
            json!({"name": f, "regex": "zzz"}),
            false,
        );
        assert_eq!(r.result, Some(false));
    }
}
