//! `file.managed`: content from `source`/`contents`/pillar/grains (optionally
//! templated), ownership and mode, atomic writes, Salt's change reports.

use std::path::Path;

use halite_api::{StateCall, StateReturn, Value};
use serde_json::json;

use super::source::{self, saltenv};
use super::{error, expand_name, makedirs_perms, merge_perms, owner_args, show_changes, str_parts};
use crate::exec::pillar::traverse;
use crate::states::ret;
use crate::util::{atomic, diff, perms};

const TEST_CHANGED: &str = "is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.";

/// Everything `managed` decided before touching the file.
struct Plan {
    name: String,
    mode: Option<String>,
    user: Option<String>,
    group: Option<String>,
    source: Option<Value>,
    contents: Option<String>,
    follow_symlinks: bool,
    target: Target,
}

/// What the destination path is right now, from one `lstat` (plus a `stat`
/// for symlinks), so the checks below do not stat it again and again.
#[derive(Debug, Clone, Copy, Default)]
struct Target {
    is_symlink: bool,
    /// The path resolves (through symlinks) to something (`Path::exists`).
    exists: bool,
    /// ... to a regular file (`Path::is_file`).
    is_file: bool,
    /// ... to a directory (`Path::is_dir`).
    is_dir: bool,
}

impl Target {
    fn probe(path: &Path) -> Self {
        let Ok(lmd) = std::fs::symlink_metadata(path) else {
            return Target::default();
        };
        let is_symlink = lmd.file_type().is_symlink();
        let followed = if is_symlink {
            std::fs::metadata(path).ok()
        } else {
            Some(lmd)
        };
        Target {
            is_symlink,
            exists: followed.is_some(),
            is_file: followed.as_ref().is_some_and(|m| m.is_file()),
            is_dir: followed.as_ref().is_some_and(|m| m.is_dir()),
        }
    }
}

pub fn managed(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    let mut r = ret(call, Some(true), "");
    r.name = name.clone();
    if name.is_empty() {
        return named(error(call, "Destination file name is required"), &name);
    }
    match plan(call, &name, &mut r) {
        Ok(Some(p)) => run_plan(call, p, r),
        Ok(None) => r,
        Err(msg) => {
            r.result = Some(false);
            r.comment = msg;
            r.changes.clear();
            r
        }
    }
}

fn named(mut r: StateReturn, name: &str) -> StateReturn {
    r.name = name.to_string();
    r
}

fn is_set(v: Option<&Value>) -> bool {
    v.is_some_and(halite_api::value::is_truthy)
}

/// Validate arguments and resolve inline contents. `Ok(None)` means `r` is final.
fn plan(call: &StateCall<'_>, name: &str, r: &mut StateReturn) -> Result<Option<Plan>, String> {
    let keep_mode = call
        .get("mode")
        .and_then(Value::as_str)
        .is_some_and(|m| m.eq_ignore_ascii_case("keep"));
    let mode = if keep_mode {
        None
    } else {
        call.get("mode").and_then(perms::normalize_mode)
    };
    let source = call
        .get("source")
        .filter(|v| halite_api::value::is_truthy(v))
        .cloned();
    let count = ["contents", "contents_pillar", "contents_grains"]
        .iter()
        .filter(|k| call.get(k).is_some())
        .count();
    if source.is_some() && count > 0 {
        return Err("'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'".into());
    }
    if keep_mode && count > 0 {
        return Err("Mode preservation cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'".into());
    }
    if count > 1 {
        return Err(
            "Only one of 'contents', 'contents_pillar', and 'contents_grains' is permitted".into(),
        );
    }
    if call.args.contains_key("file_mode") {
        r.extra.insert("warnings".into(), json!(["The 'file_mode' argument will be ignored.  Please use 'mode' instead to set file permissions."]));
    }
    let contents = resolve_contents(call, name, mode.as_deref())?;
    let (user, group) = owner_args(call);
    let path = Path::new(name);
    let target = Target::probe(path);
    if !call.get_bool("create", true) && !target.is_file {
        r.comment = format!("File {name} is not present and is not set for creation");
        return Ok(None);
    }
    if let Some(e) = perms::check_user_group(user.as_deref(), group.as_deref()) {
        return Err(e);
    }
    if !path.is_absolute() {
        return Err(format!("Specified file {name} is not an absolute path"));
    }
    if target.is_dir {
        return Err(format!("Specified target {name} is a directory"));
    }
    if call.get("context").is_some_and(|c| !c.is_object()) {
        return Err("Context must be formed as a dict".into());
    }
    if is_set(call.get("defaults")) && !call.get("defaults").is_some_and(Value::is_object) {
        return Err("Defaults must be formed as a dict".into());
    }
    let replace = call.get_bool("replace", true) && (source.is_some() || contents.is_some());
    let follow_symlinks = call.get_bool("follow_symlinks", true);
    let p = Plan {
        name: name.to_string(),
        mode,
        user,
        group,
        source,
        contents,
        follow_symlinks,
        target,
    };
    if !replace && target.exists {
        keep_existing(call, &p, r)?;
        return Ok(None);
    }
    Ok(Some(p))
}

/// `contents`, `contents_pillar` or `contents_grains`, normalised to lines
/// ending in `\n` (unless `contents_newline: False`) and templated if asked.
fn resolve_contents(
    call: &StateCall<'_>,
    name: &str,
    mode: Option<&str>,
) -> Result<Option<String>, String> {
    let delimiter = call
        .get_str("contents_delimiter")
        .unwrap_or_else(|| ":".into());
    let raw = if let Some(key) = call.get("contents_pillar") {
        Some(lookup_joined(&call.ctx.pillar, key, &delimiter, "Pillar")?)
    } else if let Some(key) = call.get("contents_grains") {
        Some(lookup_joined(&call.ctx.grains, key, &delimiter, "Grain")?)
    } else {
        call.get("contents").cloned()
    };
    let Some(raw) = raw else { return Ok(None) };
    if !call.get_bool("allow_empty", true) && !halite_api::value::is_truthy(&raw) {
        let id = if let Some(p) = call.get_str("contents_pillar") {
            format!("contents_pillar {p}")
        } else if let Some(g) = call.get_str("contents_grains") {
            format!("contents_grains {g}")
        } else {
            "'contents'".into()
        };
        return Err(format!("{id} value would result in empty contents. Set allow_empty to True to allow the managed file to be empty."));
    }
    let mut text = String::new();
    for part in str_parts(&raw) {
        for line in part.lines() {
            text.push_str(line.trim_end_matches('\r'));
            text.push('\n');
        }
    }
    if !call.get_bool("contents_newline", true) {
        text = text
            .trim_end_matches('\n')
            .trim_end_matches('\r')
            .to_string();
    }
    if let Some(engine) = call.get_str("template") {
        let context = source::template_context(call, name, None, mode);
        text = source::render(call, &engine, &text, &context, name)?;
    }
    Ok(Some(text))
}

/// Salt: one key gives its value as is (a list becomes one line per item);
/// a list of keys gives their values joined by newlines.
fn lookup_joined(root: &Value, key: &Value, delimiter: &str, what: &str) -> Result<Value, String> {
    let find = |k: &str| {
        traverse(root, k, delimiter)
            .cloned()
            .ok_or_else(|| format!("{what} {k} does not exist"))
    };
    let Value::Array(keys) = key else {
        return find(&halite_api::module::value_to_arg_string(key));
    };
    let mut parts = Vec::new();
    for k in keys {
        let v = find(&halite_api::module::value_to_arg_string(k))?;
        parts.push(
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| halite_api::py::str_of(&v)),
        );
    }
    Ok(Value::String(parts.join("\n")))
}

/// `replace: False` (or nothing to write) on an existing file: only perms.
fn keep_existing(call: &StateCall<'_>, p: &Plan, r: &mut StateReturn) -> Result<(), String> {
    let spec = perms::PermsSpec {
        user: p.user.clone(),
        group: p.group.clone(),
        mode: p.mode.clone(),
        follow_symlinks: p.follow_symlinks,
    };
    let out =
        perms::check_perms(Path::new(&p.name), &spec, call.test).map_err(|e| e.to_string())?;
    let lmode = out.lmode.clone();
    merge_perms(r, out);
    if call.test {
        if !r.changes.is_empty() {
            r.result = None;
        }
        r.comment = match &p.mode {
            Some(m) if *m != lmode => format!(
                "File {} will be updated with permissions {m} from its current state of {lmode}",
                p.name
            ),
            _ => format!("File {} not updated", p.name),
        };
    } else if r.changes.is_empty() && r.result == Some(true) {
        r.comment = format!(
            "File {} exists with proper permissions. No changes made.",
            p.name
        );
    }
    Ok(())
}

/// The bytes the file should hold (`None`: only make sure it exists).
/// Errors carry whether Salt prefixes them with "Unable to manage file: " in test mode.
fn desired(call: &StateCall<'_>, p: &Plan) -> Result<Option<Vec<u8>>, (String, bool)> {
    if let Some(c) = &p.contents {
        return Ok(Some(c.clone().into_bytes()));
    }
    let Some(src_val) = &p.source else {
        return Ok(None);
    };
    let env = saltenv(call);
    let src = source::pick_source(call.ctx, src_val, &env).map_err(|e| (e, true))?;
    let data = source::fetch(call.ctx, &src, &env).map_err(|e| (e, false))?;
    match call.get_str("template") {
        None => Ok(Some(data)),
        Some(engine) => {
            let text = String::from_utf8_lossy(&data).into_owned();
            let context = source::template_context(call, &p.name, Some(&src), p.mode.as_deref());
            source::render(call, &engine, &text, &context, &src)
                .map(|s| Some(s.into_bytes()))
                .map_err(|e| (e, false))
        }
    }
}

fn run_plan(call: &StateCall<'_>, p: Plan, mut r: StateReturn) -> StateReturn {
    let want = match desired(call, &p) {
        Ok(w) => w,
        Err((msg, always_prefixed)) => {
            r.result = Some(false);
            r.comment = if call.test && !always_prefixed {
                msg
            } else {
                format!("Unable to manage file: {msg}")
            };
            return r;
        }
    };
    if call.test {
        return predict(call, &p, want.as_deref(), r);
    }
    let outcome = if p.target.is_file || p.target.is_symlink {
        update_existing(call, &p, want.as_deref(), &mut r)
    } else {
        create_new(call, &p, want.as_deref(), &mut r)
    };
    if let Err(msg) = outcome {
        r.result = Some(false);
        r.comment = msg;
        r.changes.clear();
    }
    r
}

/// The diff text Salt reports between two contents (`None` when equal).
fn content_diff(old: &[u8], new: &[u8], show: bool) -> Option<String> {
    if old == new {
        return None;
    }
    if !show {
        return Some("<show_changes=False>".into());
    }
    if let Some(b) = diff::binary_replace(old, new) {
        return Some(b);
    }
    let d = diff::file_diff(&String::from_utf8_lossy(old), &String::from_utf8_lossy(new));
    (!d.is_empty()).then_some(d)
}

/// Test mode: Salt's `check_managed_changes`.
fn predict(call: &StateCall<'_>, p: &Plan, want: Option<&[u8]>, mut r: StateReturn) -> StateReturn {
    let path = Path::new(&p.name);
    let Ok(cur) = perms::stats(path, false) else {
        r.changes.insert("newfile".into(), p.name.clone().into());
        return predicted(r, &p.name, show_changes(call));
    };
    if let Some(new) = want {
        let old = std::fs::read(path).unwrap_or_default();
        if let Some(d) = content_diff(&old, new, true) {
            r.changes.insert("diff".into(), d.into());
        }
    }
    let owner_differs = |want: &Option<String>, name: &str, id: u32| {
        want.as_deref()
            .is_some_and(|w| w != name && w != id.to_string())
    };
    if owner_differs(&p.user, &cur.user, cur.uid) {
        r.changes.insert("user".into(), p.user.clone().into());
    }
    if owner_differs(&p.group, &cur.group, cur.gid) {
        r.changes.insert("group".into(), p.group.clone().into());
    }
    if let Some(m) = p.mode.as_ref().filter(|m| **m != cur.mode) {
        r.changes.insert("mode".into(), m.clone().into());
    }
    predicted(r, &p.name, show_changes(call))
}

fn predicted(mut r: StateReturn, name: &str, show: bool) -> StateReturn {
    if r.changes.is_empty() {
        r.result = Some(true);
        r.comment = format!("The file {name} is in the correct state");
    } else {
        r.result = None;
        r.comment = format!("The file {name} {TEST_CHANGED}");
        if !show && r.changes.contains_key("diff") {
            r.changes
                .insert("diff".into(), "<show_changes=False>".into());
        }
    }
    r
}

fn backup_if_asked(call: &StateCall<'_>, path: &Path) -> Result<(), String> {
    let mode = call
        .get_str("backup")
        .or_else(|| {
            call.ctx
                .opt("backup_mode")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    if matches!(mode.as_str(), "minion" | "both") && path.exists() {
        atomic::backup_minion(path, &call.ctx.cachedir())
            .map_err(|e| format!("Failed to commit change: {e}"))?;
    }
    Ok(())
}

fn update_existing(
    call: &StateCall<'_>,
    p: &Plan,
    want: Option<&[u8]>,
    r: &mut StateReturn,
) -> Result<(), String> {
    let path = Path::new(&p.name);
    let real = if p.target.is_symlink && p.follow_symlinks {
        std::fs::canonicalize(path).map_err(|e| e.to_string())?
    } else {
        path.to_path_buf()
    };
    if let Some(new) = want {
        let old = std::fs::read(&real).map_err(|e| format!("Unable to manage file: {e}"))?;
        if let Some(d) = content_diff(&old, new, show_changes(call)) {
            r.changes.insert("diff".into(), d.into());
            backup_if_asked(call, &real)?;
            atomic::write_atomic(&real, new, 0o644)
                .map_err(|e| format!("Failed to commit change: {e}"))?;
        }
    }
    let spec = perms::PermsSpec {
        user: p.user.clone(),
        group: p.group.clone(),
        mode: p.mode.clone(),
        follow_symlinks: p.follow_symlinks,
    };
    let out = perms::check_perms(path, &spec, false)
        .map_err(|e| format!("Unable to manage file: {e}"))?;
    merge_perms(r, out);
    if !r.changes.is_empty() {
        r.comment = format!("File {} updated", p.name);
    } else if r.result == Some(true) {
        r.comment = format!("File {} is in the correct state", p.name);
    }
    Ok(())
}

/// `dir_mode`, else the file mode with execute bits added where any bit is set.
fn derived_dir_mode(call: &StateCall<'_>, mode: Option<&str>) -> Option<String> {
    if let Some(dm) = call.get("dir_mode").and_then(perms::normalize_mode) {
        return Some(dm);
    }
    let m = mode?;
    let digits: String = m
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| {
            if c == '0' {
                c
            } else {
                char::from_digit(c.to_digit(8).unwrap_or(0) | 1, 8).unwrap_or(c)
            }
        })
        .collect();
    Some(format!("{digits:0>4}"))
}

fn create_new(
    call: &StateCall<'_>,
    p: &Plan,
    want: Option<&[u8]>,
    r: &mut StateReturn,
) -> Result<(), String> {
    let path = Path::new(&p.name);
    let parent = path.parent().unwrap_or(Path::new("/"));
    if !parent.is_dir() {
        if !call.get_bool("makedirs", false) {
            return Err("Parent directory not present".into());
        }
        let dm = derived_dir_mode(call, p.mode.as_deref());
        makedirs_perms(parent, p.user.as_deref(), p.group.as_deref(), dm.as_deref())
            .map_err(|e| format!("Unable to manage file: {e}"))?;
    }
    let umask_file_mode = perms::umask_file_mode();
    let umask_mode = perms::mode_bits(&umask_file_mode).unwrap_or(0o644);
    let initial = if p.source.is_some() || p.mode.is_some() {
        0o600
    } else {
        umask_mode
    };
    match want {
        Some(data) => {
            atomic::write_atomic(path, data, initial)
                .map_err(|e| format!("File {} not created: {e}", p.name))?;
            r.changes.insert("diff".into(), "New file".into());
        }
        None => {
            atomic::write_atomic(path, b"", initial)
                .map_err(|e| format!("Empty file {} not created: {e}", p.name))?;
            r.changes
                .insert("new".into(), format!("file {} created", p.name).into());
            r.comment = "Empty file".into();
        }
    }
    let mode = p.mode.clone().unwrap_or(umask_file_mode);
    let spec = perms::PermsSpec {
        user: p.user.clone(),
        group: p.group.clone(),
        mode: Some(mode),
        follow_symlinks: true,
    };
    let out = perms::check_perms(path, &spec, false)
        .map_err(|e| format!("Unable to manage file: {e}"))?;
    merge_perms(r, out);
    if r.comment.is_empty() {
        r.comment = format!("File {} updated", p.name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use crate::util::perms::stats;
    use serde_json::json;

    fn setup(tag: &str) -> (TempDir, halite_api::Ctx) {
        let d = TempDir::new(tag);
        std::fs::create_dir_all(d.path("salt/files")).unwrap();
        std::fs::write(d.path("salt/files/static.txt"), "static content\n").unwrap();
        std::fs::write(
            d.path("salt/files/t.j2"),
            "port={{ port }}\nname={{ name }}\n",
        )
        .unwrap();
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        (d, ctx)
    }

    #[test]
    fn new_files_mode_reporting() {
        let (d, ctx) = setup("mg1");
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("int.txt"), "contents": "a", "mode": 644}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("File {} updated", d.s("int.txt")),
                json!({"diff": "New file", "mode": "0644"})
            )
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("p.txt"), "contents": "d", "mode": "0600"}),
            false,
        );
        assert_eq!(changes(&r), json!({"diff": "New file"}));
        assert_eq!(stats(&d.path("p.txt"), true).unwrap().mode, "0600");
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("list.txt"), "contents": ["first", "second"]}),
            false,
        );
        assert_eq!(changes(&r), json!({"diff": "New file"}));
        assert_eq!(
            std::fs::read_to_string(d.path("list.txt")).unwrap(),
            "first\nsecond\n"
        );
        assert_eq!(stats(&d.path("list.txt"), true).unwrap().mode, "0644");
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("nonl.txt"), "contents": "no newline", "contents_newline": false}),
            false,
        );
        assert_eq!(r.result, Some(true));
        assert_eq!(
            std::fs::read_to_string(d.path("nonl.txt")).unwrap(),
            "no newline"
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("empty.txt")}),
            false,
        );
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            (
                "Empty file",
                json!({"new": format!("file {} created", d.s("empty.txt"))})
            )
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("deep/dir/s.txt"), "source": "salt://files/static.txt", "makedirs": true}),
            false,
        );
        assert_eq!(changes(&r), json!({"diff": "New file", "mode": "0644"}));
        assert_eq!(
            std::fs::read_to_string(d.path("deep/dir/s.txt")).unwrap(),
            "static content\n"
        );
    }

    #[test]
    fn existing_file_diff_perms_noop() {
        let (d, ctx) = setup("mg2");
        std::fs::write(d.path("f.txt"), "old\n").unwrap();
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("f.txt"), "contents": "new", "backup": "minion"}),
            false,
        );
        assert_eq!(
            changes(&r),
            json!({"diff": "--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n"})
        );
        assert!(d.path("cache/file_backup").is_dir());
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("f.txt"), "contents": "new"}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("File {} is in the correct state", d.s("f.txt")),
                json!({})
            )
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("f.txt"), "contents": "other", "show_changes": false}),
            false,
        );
        assert_eq!(changes(&r), json!({"diff": "<show_changes=False>"}));
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("f.txt"), "contents": "other", "user": "nobody", "mode": "0600"}),
            false,
        );
        assert_eq!(changes(&r), json!({"user": "nobody", "mode": "0600"}));
        std::fs::write(d.path("keep.txt"), "original\n").unwrap();
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("keep.txt"), "contents": "x", "replace": false}),
            false,
        );
        assert_eq!(
            r.comment,
            format!(
                "File {} exists with proper permissions. No changes made.",
                d.s("keep.txt")
            )
        );
        assert_eq!(
            std::fs::read_to_string(d.path("keep.txt")).unwrap(),
            "original\n"
        );
    }

    #[test]
    fn errors_and_sources() {
        let (d, ctx) = setup("mg3");
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("no/such/f.txt"), "contents": "x"}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.as_str(), changes(&r)),
            (Some(false), "Parent directory not present", json!({}))
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("n.txt"), "source": "salt://files/nope.txt"}),
            false,
        );
        assert_eq!(
            r.comment,
            "Unable to manage file: Source file salt://files/nope.txt not found in saltenv 'base'"
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("n.txt"), "source": "salt://files/nope.txt"}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (
                Some(false),
                "Source file salt://files/nope.txt not found in saltenv 'base'"
            )
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("n.txt"), "source": ["salt://files/nope.txt"]}),
            false,
        );
        assert_eq!(
            r.comment,
            "Unable to manage file: none of the specified sources were found"
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("first.txt"), "source": ["salt://files/nope.txt", "salt://files/static.txt"]}),
            false,
        );
        assert_eq!(changes(&r), json!({"diff": "New file", "mode": "0644"}));
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("x.txt"), "source": "salt://files/static.txt", "contents": "x"}),
            false,
        );
        assert_eq!(r.comment, "'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'");
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": "relative.txt", "contents": "x"}),
            false,
        );
        assert_eq!(
            r.comment,
            "Specified file relative.txt is not an absolute path"
        );
    }

    #[test]
    fn templates_and_pillar_contents() {
        let (d, ctx) = setup("mg4");
        let name = d.s("app.conf");
        let args = json!({"name": name, "source": "salt://files/t.j2", "template": "jinja", "mode": 640, "defaults": {"port": 80}, "context": {"port": 8443}});
        let r = run_state(&ctx, "file.managed", args.clone(), false);
        assert_eq!(changes(&r), json!({"diff": "New file", "mode": "0640"}));
        assert_eq!(
            std::fs::read_to_string(&name).unwrap(),
            format!("port=8443\nname={name}\n")
        );
        assert_eq!(
            run_state(&ctx, "file.managed", args, true).comment,
            format!("The file {name} is in the correct state")
        );
        std::fs::write(d.path("salt/files/bad.j2"), "{{ fail }}").unwrap();
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("bad"), "source": "salt://files/bad.j2", "template": "jinja"}),
            false,
        );
        assert!(
            r.comment
                .starts_with("Unable to manage file: Jinja variable 'fail' is undefined"),
            "{}",
            r.comment
        );
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("motd"), "contents_pillar": "motd"}),
            false,
        );
        assert_eq!(r.result, Some(true));
        assert_eq!(std::fs::read_to_string(d.path("motd")).unwrap(), "hello\n");
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("motd"), "contents_pillar": "nope"}),
            false,
        );
        assert_eq!(r.comment, "Pillar nope does not exist");
    }

    #[test]
    fn test_mode_predictions() {
        let (d, ctx) = setup("mg5");
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("new.txt"), "contents": "brand new"}),
            true,
        );
        assert_eq!(r.result, None);
        assert_eq!(r.comment, format!("The file {} is set to be changed\nNote: No changes made, actual changes may\nbe different due to other states.", d.s("new.txt")));
        assert_eq!(changes(&r), json!({"newfile": d.s("new.txt")}));
        assert!(!d.path("new.txt").exists());
        std::fs::write(d.path("e.txt"), "old line\nkeep\n").unwrap();
        let r = run_state(
            &ctx,
            "file.managed",
            json!({"name": d.s("e.txt"), "contents": "new line\nkeep\n", "mode": "0600"}),
            true,
        );
        assert_eq!(
            changes(&r),
            json!({"diff": "--- \n+++ \n@@ -1,2 +1,2 @@\n-old line\n+new line\n keep\n", "mode": "0600"})
        );
        assert_eq!(
            std::fs::read_to_string(d.path("e.txt")).unwrap(),
            "old line\nkeep\n"
        );
    }
}
