//! Salt's `file.replace` execution function (and `file.search`, which wraps
//! it), the one implementation the `file.replace` state also calls.

use std::path::Path;

use halite_api::{ExecCall, ExecError, Value};

use super::pyre;
use crate::exec::{ok, required_str, ExecResult};
use crate::util::{atomic, diff};

/// Why `replace` did not run: Salt's SaltInvocationError or CommandExecutionError.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplaceError {
    #[error("{0}")]
    Invocation(String),
    #[error("{0}")]
    Failed(String),
}

impl From<ReplaceError> for ExecError {
    fn from(e: ReplaceError) -> Self {
        match e {
            ReplaceError::Invocation(m) => ExecError::Invocation(m),
            ReplaceError::Failed(m) => ExecError::Failed(m),
        }
    }
}

/// The arguments of Salt's `file.replace`.
#[derive(Debug, Clone)]
pub struct ReplaceOpts {
    pub path: String,
    pub pattern: String,
    pub repl: String,
    pub count: usize,
    pub flags: Option<Value>,
    pub append_if_not_found: bool,
    pub prepend_if_not_found: bool,
    pub not_found_content: Option<String>,
    /// Backup suffix; empty for none.
    pub backup: String,
    pub dry_run: bool,
    pub search_only: bool,
    pub show_changes: bool,
    pub ignore_if_missing: bool,
    pub backslash_literal: bool,
}

impl ReplaceOpts {
    /// Salt's defaults for `file.replace(path, pattern, repl)` (MULTILINE,
    /// every match, `.bak` backup, changes shown as a diff).
    pub fn new(path: &str, pattern: &str, repl: &str) -> ReplaceOpts {
        ReplaceOpts {
            path: path.to_string(),
            pattern: pattern.to_string(),
            repl: repl.to_string(),
            count: 0,
            flags: None,
            append_if_not_found: false,
            prepend_if_not_found: false,
            not_found_content: None,
            backup: ".bak".into(),
            dry_run: false,
            search_only: false,
            show_changes: true,
            ignore_if_missing: false,
            backslash_literal: false,
        }
    }
}

pub const ARGS: &[&str] = &[
    "path",
    "pattern",
    "repl",
    "count",
    "flags",
    "bufsize",
    "append_if_not_found",
    "prepend_if_not_found",
    "not_found_content",
    "backup",
    "dry_run",
    "search_only",
    "show_changes",
    "ignore_if_missing",
    "preserve_inode",
    "backslash_literal",
    "encoding",
];

/// A Salt `backup` argument as a suffix (`False`/`None`/`''` for none).
pub fn backup_suffix(v: Option<&Value>) -> String {
    match v {
        None => ".bak".into(),
        Some(Value::Bool(false) | Value::Null) => String::new(),
        Some(b) => halite_api::module::value_to_arg_string(b),
    }
}

/// Python truthiness of an argument (`None`, `False`, `0`, `''` are false).
fn truthy(v: Option<&Value>, default: bool) -> bool {
    match v {
        None => default,
        Some(Value::String(s)) => halite_api::module::value_to_bool(&Value::String(s.clone())),
        Some(v) => halite_api::module::value_to_bool(v),
    }
}

fn opts_from_call(call: &ExecCall<'_>) -> Result<ReplaceOpts, ExecError> {
    let a = |i: usize, k: &str| call.arg(i, k);
    let encoding = a(16, "encoding").filter(|v| !v.is_null());
    if let Some(e) = encoding.map(crate::exec::python_str) {
        if !matches!(
            e.to_lowercase().replace('_', "-").as_str(),
            "utf-8" | "utf8"
        ) {
            return Err(ExecError::Invocation(format!(
                "encoding {e} is not supported by Halite (utf-8 only)"
            )));
        }
    }
    Ok(ReplaceOpts {
        path: required_str(call, 0, "path")?,
        pattern: required_str(call, 1, "pattern")?,
        repl: required_str(call, 2, "repl")?,
        count: a(3, "count")
            .map(crate::exec::python_str)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0),
        flags: a(4, "flags").cloned(),
        append_if_not_found: truthy(a(6, "append_if_not_found"), false),
        prepend_if_not_found: truthy(a(7, "prepend_if_not_found"), false),
        not_found_content: a(8, "not_found_content")
            .filter(|v| !v.is_null())
            .map(crate::exec::python_str),
        backup: backup_suffix(a(9, "backup")),
        dry_run: truthy(a(10, "dry_run"), false),
        search_only: truthy(a(11, "search_only"), false),
        show_changes: truthy(a(12, "show_changes"), true),
        ignore_if_missing: truthy(a(13, "ignore_if_missing"), false),
        backslash_literal: truthy(a(15, "backslash_literal"), false),
    })
}

pub fn replace_fn(call: &ExecCall<'_>) -> ExecResult {
    crate::exec::reject_unknown_kwargs(call, ARGS)?;
    ok(replace(&opts_from_call(call)?)?)
}

/// `file.search(path, pattern, flags=8, bufsize=1, ignore_if_missing=False, multiline=False)`.
pub fn search_fn(call: &ExecCall<'_>) -> ExecResult {
    crate::exec::reject_unknown_kwargs(
        call,
        &[
            "path",
            "pattern",
            "flags",
            "bufsize",
            "ignore_if_missing",
            "multiline",
        ],
    )?;
    let mut bits = pyre::get_flags(call.arg(2, "flags")).map_err(ExecError::Failed)?;
    if truthy(call.arg(5, "multiline"), false) {
        bits |= 8;
    }
    let opts = ReplaceOpts {
        path: required_str(call, 0, "path")?,
        pattern: required_str(call, 1, "pattern")?,
        repl: String::new(),
        count: 0,
        flags: Some(Value::from(bits)),
        append_if_not_found: false,
        prepend_if_not_found: false,
        not_found_content: None,
        backup: ".bak".into(),
        dry_run: true,
        search_only: true,
        show_changes: false,
        ignore_if_missing: truthy(call.arg(4, "ignore_if_missing"), false),
        backslash_literal: false,
    };
    ok(replace(&opts)?)
}

pub fn expanduser(path: &str) -> String {
    match (path.strip_prefix('~'), std::env::var("HOME")) {
        (Some(rest), Ok(home)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{home}{rest}")
        }
        _ => path.to_string(),
    }
}

/// Python's `os.path.realpath` (non-strict: a missing path stays as given).
fn realpath(path: &str) -> String {
    std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string())
}

/// `^<content>($|(?=\r\n))` of Salt's already-present check.
fn content_present(content: &str, bits: u32, text: &str) -> bool {
    let end = if bits & 8 != 0 {
        "(?:$|\r\n)"
    } else {
        "(?:$|\n\\z)"
    };
    pyre::compile(&format!("^{}{end}", regex::escape(content)), bits)
        .map(|re| re.is_match(text))
        .unwrap_or(false)
}

fn check_args(o: &ReplaceOpts) -> Result<(), ReplaceError> {
    if o.search_only && (o.append_if_not_found || o.prepend_if_not_found) {
        return Err(ReplaceError::Invocation(
            "search_only cannot be used with append/prepend_if_not_found".into(),
        ));
    }
    if o.append_if_not_found && o.prepend_if_not_found {
        return Err(ReplaceError::Invocation(
            "Only one of append and prepend_if_not_found is permitted".into(),
        ));
    }
    Ok(())
}

/// Salt's `file.replace`: the diff (a string, empty when nothing changed)
/// with `show_changes`, else whether the file changed; `search_only` gives
/// whether the pattern matched; a missing file with `ignore_if_missing` is False.
pub fn replace(o: &ReplaceOpts) -> Result<Value, ReplaceError> {
    let given = expanduser(&o.path);
    let link_target = std::fs::symlink_metadata(&given)
        .ok()
        .filter(|m| m.file_type().is_symlink())
        .and_then(|_| std::fs::read_link(&given).ok());
    let path = realpath(&given);
    if !Path::new(&path).exists() {
        if o.ignore_if_missing {
            return Ok(Value::Bool(false));
        }
        return Err(ReplaceError::Invocation(format!("File not found: {path}")));
    }
    let data = std::fs::read(&path).map_err(|e| {
        ReplaceError::Failed(format!("Unable to open file '{path}'. Exception: {e}"))
    })?;
    if pyre::is_binary(&data[..data.len().min(512)]) {
        return Err(ReplaceError::Invocation(format!(
            "Cannot perform string replacements on a binary file: {path}"
        )));
    }
    check_args(o)?;
    let bits = pyre::get_flags(o.flags.as_ref()).map_err(ReplaceError::Failed)?;
    let re = pyre::compile(&o.pattern, bits).map_err(ReplaceError::Failed)?;
    let original = String::from_utf8_lossy(&data).into_owned();
    if o.search_only {
        return Ok(Value::Bool(re.is_match(&original)));
    }
    let nrepl = re.find_iter(&original).count();
    let nrepl = if o.count > 0 {
        nrepl.min(o.count)
    } else {
        nrepl
    };
    let result = re
        .replacen(
            &original,
            o.count,
            pyre::python_repl(&o.repl, o.backslash_literal),
        )
        .into_owned();
    let mut found = nrepl > 0;
    let mut has_changes = found && o.pattern != o.repl;
    let content = match (
        &o.not_found_content,
        o.append_if_not_found || o.prepend_if_not_found,
    ) {
        (Some(c), true) if !c.is_empty() => c.clone(),
        _ => o.repl.clone(),
    };
    if (o.append_if_not_found || o.prepend_if_not_found)
        && content_present(&content, bits, &original)
    {
        found = true;
    }
    let orig_lines = diff::lines_keepends(&original);
    let mut new_lines: Vec<String> = diff::lines_keepends(&result)
        .iter()
        .map(|s| s.to_string())
        .collect();
    if orig_lines == new_lines {
        has_changes = false;
    }
    let mut new_text = result.clone();
    if !found && (o.append_if_not_found || o.prepend_if_not_found) {
        let nfc = o
            .not_found_content
            .clone()
            .unwrap_or_else(|| o.repl.clone());
        if o.prepend_if_not_found {
            new_lines.insert(0, format!("{nfc}\n"));
        } else {
            if let Some(last) = new_lines.last_mut().filter(|l| !l.ends_with('\n')) {
                last.push('\n');
            }
            new_lines.push(format!("{nfc}\n"));
        }
        has_changes = true;
        new_text = new_lines.concat();
    }
    if has_changes && !o.dry_run && std::str::from_utf8(&data).is_err() {
        // the text was read lossily: writing it back would corrupt the
        // bytes that are not UTF-8, even on lines the pattern never touched
        return Err(ReplaceError::Failed(format!(
            "{path} is not UTF-8 text: Halite edits UTF-8 files only (nothing was changed)"
        )));
    }
    if has_changes && !o.dry_run {
        write_with_backup(o, &given, &path, link_target.as_deref(), &data, &new_text)?;
    }
    let new_refs: Vec<&str> = new_lines.iter().map(String::as_str).collect();
    let differences = if orig_lines == new_refs {
        String::new()
    } else {
        diff::unified_diff_pieces(&orig_lines, &new_refs, "\n").concat()
    };
    if o.show_changes {
        return Ok(Value::String(differences));
    }
    Ok(Value::Bool(has_changes && !differences.is_empty()))
}

fn write_with_backup(
    o: &ReplaceOpts,
    given: &str,
    path: &str,
    link_target: Option<&Path>,
    original: &[u8],
    new_text: &str,
) -> Result<(), ReplaceError> {
    let fail = |e: std::io::Error| ReplaceError::Failed(format!("Exception: {e}"));
    if !o.backup.is_empty() {
        use std::os::unix::fs::PermissionsExt;
        let bak = format!("{path}{}", o.backup);
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        atomic::write_atomic(Path::new(&bak), original, mode).map_err(fail)?;
        if let Some(target) = link_target {
            let link = format!("{given}{}", o.backup);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(format!("{}{}", target.display(), o.backup), &link)
                .map_err(fail)?;
        }
    }
    atomic::write_atomic(Path::new(path), new_text.as_bytes(), 0o644).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    fn opts(path: &str, pattern: &str, repl: &str) -> ReplaceOpts {
        ReplaceOpts::new(path, pattern, repl)
    }

    #[test]
    fn a_file_that_is_not_utf8_is_left_as_it_is() {
        let d = TempDir::new("xreplace-latin1");
        let f = d.s("latin1.conf");
        let bytes = b"name=caf\xe9\nport=1\n".to_vec();
        std::fs::write(&f, &bytes).unwrap();
        let err = replace(&opts(&f, "port=1", "port=2")).unwrap_err();
        assert!(err.to_string().contains("is not UTF-8"), "{err}");
        assert_eq!(std::fs::read(&f).unwrap(), bytes);
        let mut search = opts(&f, "port=1", "");
        search.search_only = true;
        assert_eq!(replace(&search).unwrap(), serde_json::json!(true));
    }

    #[test]
    fn diff_backup_and_noop() {
        let d = TempDir::new("xreplace");
        let f = d.s("a.conf");
        std::fs::write(&f, "x=1\ny=2\n").unwrap();
        let r = replace(&opts(&f, "^x=(\\d)$", "x=\\1\\1")).unwrap();
        assert_eq!(
            r,
            Value::from("--- \n+++ \n@@ -1,2 +1,2 @@\n-x=1\n+x=11\n y=2\n")
        );
        assert_eq!(
            std::fs::read_to_string(format!("{f}.bak")).unwrap(),
            "x=1\ny=2\n"
        );
        assert_eq!(
            replace(&opts(&f, "^x=11$", "x=11")).unwrap(),
            Value::from("")
        );
        let quiet = ReplaceOpts {
            show_changes: false,
            ..opts(&f, "^x=11$", "x=11")
        };
        assert_eq!(replace(&quiet).unwrap(), Value::Bool(false));
    }

    #[test]
    fn dry_run_and_append_prepend() {
        let d = TempDir::new("xreplace2");
        let f = d.s("b.conf");
        std::fs::write(&f, "one\ntwo").unwrap();
        let dry = ReplaceOpts {
            dry_run: true,
            ..opts(&f, "one", "1")
        };
        assert_ne!(replace(&dry).unwrap(), Value::from(""));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "one\ntwo");
        let app = ReplaceOpts {
            append_if_not_found: true,
            backup: String::new(),
            ..opts(&f, "^three$", "three")
        };
        assert_eq!(
            replace(&app).unwrap(),
            Value::from("--- \n+++ \n@@ -1,2 +1,3 @@\n one\n-two+two\n+three\n")
        );
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "one\ntwo\nthree\n");
        assert_eq!(replace(&app).unwrap(), Value::from(""));
        assert!(!std::path::Path::new(&format!("{f}.bak")).exists());
        let pre = ReplaceOpts {
            prepend_if_not_found: true,
            not_found_content: Some("# top".into()),
            ..opts(&f, "^# t", "# top")
        };
        replace(&pre).unwrap();
        assert_eq!(
            std::fs::read_to_string(&f).unwrap(),
            "# top\none\ntwo\nthree\n"
        );
        let both = ReplaceOpts {
            append_if_not_found: true,
            ..pre
        };
        assert_eq!(
            replace(&both),
            Err(ReplaceError::Invocation(
                "Only one of append and prepend_if_not_found is permitted".into()
            ))
        );
    }

    #[test]
    fn missing_binary_search_and_symlink_backup() {
        let d = TempDir::new("xreplace3");
        let missing = d.s("nope");
        assert_eq!(
            replace(&opts(&missing, "a", "b")),
            Err(ReplaceError::Invocation(format!(
                "File not found: {missing}"
            )))
        );
        let ign = ReplaceOpts {
            ignore_if_missing: true,
            ..opts(&missing, "a", "b")
        };
        assert_eq!(replace(&ign).unwrap(), Value::Bool(false));
        let bin = d.s("bin");
        std::fs::write(&bin, b"a\0b").unwrap();
        assert!(matches!(
            replace(&opts(&bin, "a", "b")),
            Err(ReplaceError::Invocation(_))
        ));
        let real = d.s("real.conf");
        std::fs::write(&real, "k=v\n").unwrap();
        let link = d.s("link.conf");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let s = ReplaceOpts {
            search_only: true,
            ..opts(&link, "^k=", "")
        };
        assert_eq!(replace(&s).unwrap(), Value::Bool(true));
        replace(&opts(&link, "v", "w")).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "k=w\n");
        assert_eq!(
            std::fs::read_to_string(format!("{real}.bak")).unwrap(),
            "k=v\n"
        );
        assert_eq!(
            std::fs::read_link(format!("{link}.bak"))
                .unwrap()
                .to_string_lossy(),
            format!("{real}.bak")
        );
    }
}
