//! `file.blockreplace`: the text between `marker_start` and `marker_end`
//! replaced by `content` (or the block added with `append_if_not_found`,
//! `prepend_if_not_found`, `insert_before_match`, `insert_after_match`),
//! following Salt's `file.blockreplace` line by line, diff included.

use halite_api::{StateCall, StateReturn, Value};
use regex::Regex;

use super::{edit, error, expand_name};
use crate::states::ret;
use crate::util::diff;

const MARKER_START: &str = "#-- start managed zone --";
const MARKER_END: &str = "#-- end managed zone --";

struct Block<'a> {
    marker_start: &'a str,
    marker_end: &'a str,
    content: Vec<String>,
    append_newline: bool,
}

impl Block<'_> {
    /// Salt's `_add_content`: optional start marker, the content lines,
    /// then the end marker (`end_line`, the rest of the old end line).
    fn lines(&self, sep: &str, start: bool, end_line: Option<&str>) -> Vec<String> {
        let end = format!(
            "{}{sep}",
            end_line
                .unwrap_or(self.marker_end)
                .trim_end_matches(['\r', '\n'])
        );
        let mut out = Vec::new();
        if start {
            out.push(format!("{}{sep}", self.marker_start));
        }
        let n = self.content.len();
        for (i, line) in self.content.iter().enumerate() {
            if i + 1 != n {
                out.push(format!("{line}{sep}"));
            } else if self.append_newline {
                out.push(format!("{line}{sep}"));
                out.push(end.clone());
            } else {
                out.push(format!("{line}{end}"));
            }
        }
        if n == 0 {
            out.push(end);
        }
        out
    }
}

enum Missing<'a> {
    Fail,
    Append,
    Prepend,
    Before(&'a str),
    After(&'a str),
}

/// The file's new lines, or Salt's error text.
fn edit(
    text: &str,
    block: &Block<'_>,
    missing: Missing<'_>,
) -> Result<(Vec<String>, Vec<String>), String> {
    let orig: Vec<String> = diff::lines_keepends(text)
        .into_iter()
        .map(str::to_string)
        .collect();
    let sep = orig
        .first()
        .map(|l| if l.ends_with("\r\n") { "\r\n" } else { "\n" })
        .unwrap_or("\n");
    let mut new: Vec<String> = Vec::new();
    let (mut in_block, mut found) = (false, false);
    for line in &orig {
        let mut keep = true;
        if line.contains(block.marker_start) {
            in_block = true;
        } else if in_block {
            keep = false;
            if let Some(pos) = line.find(block.marker_end) {
                in_block = false;
                found = true;
                new.extend(block.lines(sep, false, Some(&line[pos..])));
            }
        }
        if keep {
            new.push(line.clone());
        }
    }
    if in_block {
        return Err("Unterminated marked block. End of file reached before marker_end.".into());
    }
    if !found {
        match missing {
            Missing::Fail => {
                return Err("Cannot edit marked block. Markers were not found in file.".into())
            }
            Missing::Prepend => {
                let mut lines = block.lines(sep, true, None);
                lines.extend(new);
                new = lines;
            }
            Missing::Append => {
                if let Some(last) = new.last_mut() {
                    if !last.ends_with(sep) {
                        last.push_str(sep);
                    }
                }
                new.extend(block.lines(sep, true, None));
            }
            Missing::Before(re) | Missing::After(re) => {
                let after = matches!(missing, Missing::After(_));
                let re = Regex::new(re).map_err(|e| e.to_string())?;
                let Some(mut idx) = orig.iter().position(|l| re.is_match(l)) else {
                    return Err("Cannot edit marked block. Markers were not found in file.".into());
                };
                for line in block.lines(sep, true, None) {
                    if after {
                        idx += 1;
                    }
                    new.insert(idx, line);
                    if !after {
                        idx += 1;
                    }
                }
            }
        }
    }
    Ok((orig, new))
}

pub fn blockreplace(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    let mut r = ret(call, Some(false), "");
    r.name = name.clone();
    if name.is_empty() {
        return error(call, "Must provide name to file.blockreplace");
    }
    if call.get("source").is_some() || call.get("sources").is_some() {
        r.comment =
            "file.blockreplace with source/sources is not supported by halite yet; use content"
                .into();
        return r;
    }
    if !name.starts_with('/') {
        r.comment = format!("Specified file {name} is not an absolute path");
        return r;
    }
    let Ok(text) = std::fs::read(&name).map(|b| String::from_utf8_lossy(&b).into_owned()) else {
        r.comment = format!("{name}: file not found");
        return r;
    };
    let flags = [
        call.get_bool("append_if_not_found", false),
        call.get_bool("prepend_if_not_found", false),
        call.get_str("insert_before_match").is_some(),
        call.get_str("insert_after_match").is_some(),
    ];
    if flags.iter().filter(|f| **f).count() > 1 {
        r.comment = "Encountered error managing block: Only one of append_if_not_found, prepend_if_not_found, insert_before_match, and insert_after_match is permitted. See the log for details.".into();
        return r;
    }
    let content = call
        .get("content")
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| halite_api::py::str_of(v))
        })
        .unwrap_or_default();
    let id = call
        .args
        .get("__low__")
        .and_then(|l| l.get("__id__"))
        .map(crate::exec::python_str)
        .unwrap_or_default();
    let content = super::accumulated::block_content(call.ctx, &name, &id, content);
    let append_newline = match call.get("append_newline") {
        Some(v) if !v.is_null() => halite_api::value::is_truthy(v),
        _ => !content.ends_with('\n'),
    };
    let marker_start = call
        .get_str("marker_start")
        .unwrap_or_else(|| MARKER_START.into());
    let marker_end = call
        .get_str("marker_end")
        .unwrap_or_else(|| MARKER_END.into());
    let block = Block {
        marker_start: &marker_start,
        marker_end: &marker_end,
        content: content
            .split("\r\n")
            .flat_map(|l| l.split('\n'))
            .map(str::to_string)
            .collect(),
        append_newline,
    };
    let (before, after) = (
        call.get_str("insert_before_match"),
        call.get_str("insert_after_match"),
    );
    let missing = if flags[1] {
        Missing::Prepend
    } else if flags[0] {
        Missing::Append
    } else if let Some(re) = before.as_deref() {
        Missing::Before(re)
    } else if let Some(re) = after.as_deref() {
        Missing::After(re)
    } else {
        Missing::Fail
    };
    let (orig, new) = match edit(&text, &block, missing) {
        Ok(v) => v,
        Err(e) => {
            r.comment = format!("Encountered error managing block: {e}. See the log for details.");
            return r;
        }
    };
    let a: Vec<&str> = orig.iter().map(String::as_str).collect();
    let b: Vec<&str> = new.iter().map(String::as_str).collect();
    let changes = diff::unified_diff_pieces(&a, &b, "\n").concat();
    if changes.is_empty() {
        r.result = Some(true);
        r.comment = "No changes needed to be made".into();
        return r;
    }
    let shown: Value = if call.get_bool("show_changes", true) {
        changes.into()
    } else {
        true.into()
    };
    r.changes.insert("diff".into(), shown);
    if call.test {
        r.result = None;
        r.comment = "Changes would be made".into();
        return r;
    }
    let written = edit::write_backup(&name, &edit::backup_suffix(call), &text)
        .and_then(|_| edit::write_text(&name, &new.concat()));
    if let Err(e) = written {
        r.changes.clear();
        r.comment = format!("Encountered error managing block: {e}. See the log for details.");
        return r;
    }
    r.result = Some(true);
    r.comment = "Changes were made".into();
    r
}
