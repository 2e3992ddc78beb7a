//! `file.line`: ensure / replace / delete / insert a single line.

use std::path::Path;

use halite_api::{StateCall, StateReturn, Value};
use regex::Regex;

use super::{error, expand_name, show_changes};
use crate::states::ret;
use crate::util::{atomic, diff};

fn fail(call: &StateCall<'_>, name: &str, msg: impl Into<String>) -> StateReturn {
    StateReturn {
        name: name.to_string(),
        ..error(call, msg)
    }
}

pub fn line(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    if name.is_empty() {
        return fail(call, &name, "Must provide name to file.line");
    }
    let path = Path::new(&name);
    if call.get_bool("create", false) && !path.exists() && !call.test {
        if let Err(e) = atomic::write_atomic(path, b"", 0o644) {
            return fail(call, &name, format!("Unable to create {name}: {e}"));
        }
    }
    if !path.is_absolute() {
        return fail(
            call,
            &name,
            format!("Specified file {name} is not an absolute path"),
        );
    }
    if !path.exists() {
        return fail(call, &name, format!("{name}: file not found"));
    }
    let Some(mode) = call.get_str("mode").map(|m| m.to_lowercase()) else {
        return fail(
            call,
            &name,
            "Mode was not defined. How to process the file?",
        );
    };
    let content = call.get_str("content");
    if mode != "delete" && content.is_none() {
        return fail(
            call,
            &name,
            "Content can only be empty if mode is ['delete']",
        );
    }
    let mut r = ret(call, Some(true), "");
    r.name = name.clone();
    match edit(call, &name, &mode, content.as_deref()) {
        Err(e) => fail(call, &name, e),
        Ok(None) => {
            r.comment = "No changes needed to be made".into();
            r
        }
        Ok(Some(d)) => {
            r.changes.insert("diff".into(), d);
            if call.test {
                r.result = None;
                r.comment = "Changes would be made".into();
            } else {
                r.comment = "Changes were made".into();
            }
            r
        }
    }
}

fn regex_of(call: &StateCall<'_>, key: &str) -> Result<Option<Regex>, String> {
    match call.get_str(key) {
        None => Ok(None),
        Some(p) => Regex::new(&p)
            .map(Some)
            .map_err(|e| format!("Invalid {key} '{p}': {e}")),
    }
}

fn indent_of(s: &str) -> &str {
    &s[..s.len() - s.trim_start().len()]
}

/// Compute the new lines; `Ok(None)` when nothing changes.
fn edit(
    call: &StateCall<'_>,
    name: &str,
    mode: &str,
    content: Option<&str>,
) -> Result<Option<Value>, String> {
    let original = std::fs::read(name)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| e.to_string())?;
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    let content = content.unwrap_or("").to_string();
    let matcher = match regex_of(call, "match")? {
        Some(m) => Some(m),
        None if !content.is_empty() => {
            Some(Regex::new(&regex::escape(&content)).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    let before = regex_of(call, "before")?;
    let after = regex_of(call, "after")?;
    let keep_indent = call.get_bool("indent", true);
    let present = lines.iter().any(|l| l.trim() == content.trim());
    match mode {
        "delete" => {
            let m = matcher.ok_or("Match or content must be given for delete mode")?;
            lines.retain(|l| !m.is_match(l));
        }
        "replace" => {
            let m = matcher.ok_or("Match or content must be given for replace mode")?;
            for l in lines.iter_mut() {
                if m.is_match(l) {
                    *l = if keep_indent {
                        format!("{}{}", indent_of(l), content.trim_start())
                    } else {
                        content.clone()
                    };
                }
            }
        }
        "insert" | "ensure" => insert_or_ensure(
            call,
            mode,
            &mut lines,
            &content,
            present,
            before.as_ref(),
            after.as_ref(),
        )?,
        other => {
            return Err(format!(
                "Wrong mode '{other}'. Should be one of: ensure, replace, delete, insert"
            ))
        }
    }
    let mut new = lines.join("\n");
    if !lines.is_empty() && (original.ends_with('\n') || original.is_empty()) {
        new.push('\n');
    }
    if new == original {
        return Ok(None);
    }
    if !call.test {
        let backup = call
            .get_str("backup")
            .filter(|b| b != "False" && !b.is_empty());
        if let Some(b) = backup {
            let _ = std::fs::copy(
                name,
                format!("{name}{}", if b == "True" { ".bak".to_string() } else { b }),
            );
        }
        atomic::write_atomic(Path::new(name), new.as_bytes(), 0o644).map_err(|e| e.to_string())?;
    }
    Ok(Some(if show_changes(call) {
        diff::file_diff(&original, &new).into()
    } else {
        Value::Bool(true)
    }))
}

fn insert_or_ensure(
    call: &StateCall<'_>,
    mode: &str,
    lines: &mut Vec<String>,
    content: &str,
    present: bool,
    before: Option<&Regex>,
    after: Option<&Regex>,
) -> Result<(), String> {
    let location = call.get_str("location");
    match (after, before) {
        (Some(a), _) => {
            let idx = lines
                .iter()
                .position(|l| a.is_match(l))
                .ok_or_else(|| format!("Found no match for after {}", a.as_str()))?;
            let next_ok = lines
                .get(idx + 1)
                .is_some_and(|l| l.trim() == content.trim());
            if !(next_ok || mode == "insert" && present) {
                lines.insert(
                    idx + 1,
                    format!("{}{}", indent_of(&lines[idx]), content.trim_start()),
                );
            }
        }
        (None, Some(b)) => {
            let idx = lines
                .iter()
                .position(|l| b.is_match(l))
                .ok_or_else(|| format!("Found no match for before {}", b.as_str()))?;
            let prev_ok = idx > 0 && lines[idx - 1].trim() == content.trim();
            if !(prev_ok || mode == "insert" && present) {
                lines.insert(
                    idx,
                    format!("{}{}", indent_of(&lines[idx]), content.trim_start()),
                );
            }
        }
        (None, None) if mode == "insert" => {
            if !present {
                match location.as_deref() {
                    Some("start") => lines.insert(0, content.to_string()),
                    Some("end") => lines.push(content.to_string()),
                    _ => return Err("On insert must be defined either \"location\" or \"before/after\" conditions.".into()),
                }
            }
        }
        (None, None) => {
            if !present {
                return Err("Wrong conditions? Unable to ensure line without knowing where to put it before and/or after.".into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn line_modes() {
        let d = TempDir::new("line");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let f = d.s("l.conf");
        std::fs::write(&f, "a\nb\n").unwrap();
        let r = run_state(
            &ctx,
            "file.line",
            json!({"name": f, "content": "x", "mode": "insert", "after": "^a$"}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Changes would be made")
        );
        let r = run_state(
            &ctx,
            "file.line",
            json!({"name": f, "content": "x", "mode": "insert", "after": "^a$"}),
            false,
        );
        assert_eq!(r.comment, "Changes were made");
        assert_eq!(
            changes(&r),
            json!({"diff": "--- \n+++ \n@@ -1,2 +1,3 @@\n a\n+x\n b\n"})
        );
        let r = run_state(
            &ctx,
            "file.line",
            json!({"name": f, "content": "x", "mode": "insert", "after": "^a$"}),
            false,
        );
        assert_eq!(r.comment, "No changes needed to be made");
        let r = run_state(
            &ctx,
            "file.line",
            json!({"name": f, "content": "B", "match": "^b$", "mode": "replace"}),
            false,
        );
        assert_eq!(r.comment, "Changes were made");
        let r = run_state(
            &ctx,
            "file.line",
            json!({"name": f, "match": "^x$", "mode": "delete"}),
            false,
        );
        assert_eq!(r.comment, "Changes were made");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "a\nB\n");
        let r = run_state(
            &ctx,
            "file.line",
            json!({"name": f, "content": "z", "mode": "insert", "location": "end"}),
            false,
        );
        assert_eq!(r.comment, "Changes were made");
        assert_eq!(
            run_state(&ctx, "file.line", json!({"name": f, "content": "z"}), false).comment,
            "Mode was not defined. How to process the file?"
        );
    }
}
