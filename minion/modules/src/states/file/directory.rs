//! `file.directory`: create (optionally with parents), enforce ownership and
//! mode, optional recursion and cleaning, with Salt's test-mode report.

use std::path::{Path, PathBuf};

use halite_api::{Map, StateCall, StateReturn, Value};

use super::{error, expand_name, makedirs_perms, merge_perms, owner_args};
use crate::exec::sys::glob_match;
use crate::states::{ret, str_list};
use crate::util::perms::{self, PermsSpec};

struct Opts {
    user: Option<String>,
    group: Option<String>,
    dir_mode: Option<String>,
    file_mode: Option<String>,
    recurse: Vec<String>,
    clean: bool,
    exclude_pat: Option<String>,
    follow_symlinks: bool,
}

fn fail(name: &str, call: &StateCall<'_>, msg: impl Into<String>) -> StateReturn {
    StateReturn {
        name: name.to_string(),
        ..error(call, msg)
    }
}

pub fn directory(call: &StateCall<'_>) -> StateReturn {
    let mut name = expand_name(&call.name);
    if name.is_empty() {
        return error(call, "Must provide name to file.directory");
    }
    if name.len() > 1 && name.ends_with('/') {
        name.pop();
    }
    let (user, group) = owner_args(call);
    let dir_mode = call
        .get("dir_mode")
        .filter(|v| halite_api::value::is_truthy(v))
        .or_else(|| call.get("mode"))
        .and_then(perms::normalize_mode);
    let file_mode = call
        .get("file_mode")
        .filter(|v| halite_api::value::is_truthy(v))
        .and_then(perms::normalize_mode)
        .or_else(|| dir_mode.clone());
    let o = Opts {
        user,
        group,
        dir_mode,
        file_mode,
        recurse: str_list(call.get("recurse")),
        clean: call.get_bool("clean", false),
        exclude_pat: call.get_str("exclude_pat"),
        follow_symlinks: call.get_bool("follow_symlinks", false),
    };
    if let Some(bad) = o.recurse.iter().find(|r| {
        ![
            "user",
            "group",
            "mode",
            "ignore_files",
            "ignore_dirs",
            "silent",
        ]
        .contains(&r.as_str())
    }) {
        let _ = bad;
        return fail(&name, call, "Types for \"recurse\" limited to \"user\", \"group\", \"mode\", \"ignore_files\", \"ignore_dirs\", \"silent\".");
    }
    if let Some(e) = perms::check_user_group(o.user.as_deref(), o.group.as_deref()) {
        return fail(&name, call, e);
    }
    let path = PathBuf::from(&name);
    if !path.is_absolute() {
        return fail(
            &name,
            call,
            format!("Specified file {name} is not an absolute path"),
        );
    }
    let mut r = ret(call, Some(true), "");
    r.name = name.clone();
    if let Some(early) = handle_blocker(call, &o, &path, &mut r) {
        return early;
    }
    let (tresult, tcomment, tchanges) = check_directory(&path, &o);
    for (k, v) in tchanges.iter() {
        r.changes.insert(k.clone(), v.clone());
    }
    if call.test || tchanges.is_empty() {
        r.result = tresult;
        r.comment = tcomment;
        return r;
    }
    if !path.is_dir() {
        return create(call, &o, &path, r);
    }
    apply(call, &o, &path, r)
}

/// A file or (with `force`/`allow_symlink: False`) a symlink where the directory should be.
fn handle_blocker(
    call: &StateCall<'_>,
    o: &Opts,
    path: &Path,
    r: &mut StateReturn,
) -> Option<StateReturn> {
    let name = path.to_string_lossy().into_owned();
    let force = call.get_bool("force", false);
    let allow_symlink = call.get_bool("allow_symlink", true);
    let is_link = path.is_symlink();
    if !(path.is_file() || (!allow_symlink && is_link) || (force && is_link)) {
        return None;
    }
    let _ = o;
    if !force {
        return Some(fail(
            &name,
            call,
            if path.is_file() {
                format!("Specified location {name} exists and is a file")
            } else {
                format!("Specified location {name} exists and is a symlink")
            },
        ));
    }
    let what = if is_link { "Symlink" } else { "File" };
    if call.test {
        r.changes.insert(
            "forced".into(),
            format!("{what} would be forcibly replaced").into(),
        );
    } else {
        if let Err(e) = std::fs::remove_file(path) {
            return Some(fail(&name, call, format!("Could not remove '{name}': {e}")));
        }
        r.changes.insert(
            "forced".into(),
            format!("{what} was forcibly replaced").into(),
        );
    }
    None
}

fn dir_meta(
    path: &Path,
    user: Option<&str>,
    group: Option<&str>,
    mode: Option<&str>,
    follow: bool,
) -> Map {
    let mut ch = Map::new();
    let Ok(st) = perms::stats(path, follow) else {
        ch.insert("directory".into(), "new".into());
        return ch;
    };
    if let Some(u) = user.filter(|u| *u != st.user && *u != st.uid.to_string()) {
        ch.insert("user".into(), u.into());
    }
    if let Some(g) = group.filter(|g| *g != st.group && *g != st.gid.to_string()) {
        ch.insert("group".into(), g.into());
    }
    let is_link = path.is_symlink();
    if let Some(m) = mode.filter(|m| *m != st.mode && (follow || !is_link)) {
        ch.insert("mode".into(), m.into());
    }
    ch
}

/// Every entry below `root` as (path, is_dir), parents first.
fn walk(root: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let is_dir = p.is_dir() && !p.is_symlink();
            out.push((p.clone(), is_dir));
            if is_dir {
                stack.push(p);
            }
        }
    }
    out
}

/// (user, group, dir mode, file mode, check files, check dirs) for recursion.
type RecurseTargets<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    bool,
    bool,
);

fn recurse_targets(o: &Opts) -> RecurseTargets<'_> {
    let has = |k: &str| o.recurse.iter().any(|r| r == k);
    (
        o.user.as_deref().filter(|_| has("user")),
        o.group.as_deref().filter(|_| has("group")),
        o.dir_mode.as_deref().filter(|_| has("mode")),
        o.file_mode.as_deref().filter(|_| has("mode")),
        !has("ignore_files"),
        !has("ignore_dirs"),
    )
}

fn excluded(root: &Path, p: &Path, pat: Option<&str>) -> bool {
    let rel = p
        .strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned();
    match pat {
        Some(pat) if pat.starts_with("E@") => {
            regex::Regex::new(&pat[2..]).is_ok_and(|re| re.is_match(&rel))
        }
        Some(pat) => glob_match(pat, &rel),
        None => false,
    }
}

/// Salt's `_check_directory`: what would change, as (result, comment, changes).
fn check_directory(path: &Path, o: &Opts) -> (Option<bool>, String, Map) {
    let mut changes = Map::new();
    let key = |p: &Path| p.to_string_lossy().into_owned();
    if !o.recurse.is_empty() && path.is_dir() {
        let (u, g, dm, fm, files, dirs) = recurse_targets(o);
        for (p, is_dir) in walk(path) {
            let ch = match (is_dir, files, dirs) {
                (false, true, _) => dir_meta(&p, u, g, fm, o.follow_symlinks),
                (true, _, true) => dir_meta(&p, u, g, dm, o.follow_symlinks),
                _ => Map::new(),
            };
            if !ch.is_empty() {
                changes.insert(key(&p), Value::Object(ch));
            }
        }
    }
    let ch = dir_meta(
        path,
        o.user.as_deref(),
        o.group.as_deref(),
        o.dir_mode.as_deref(),
        o.follow_symlinks,
    );
    if !ch.is_empty() {
        changes.insert(key(path), Value::Object(ch));
    }
    if o.clean && path.is_dir() {
        for (p, _) in walk(path) {
            if !excluded(path, &p, o.exclude_pat.as_deref()) {
                changes.insert(
                    key(&p),
                    serde_json::json!({"removed": "Removed due to clean"}),
                );
            }
        }
    }
    if changes.is_empty() {
        return (
            Some(true),
            format!("The directory {} is in the correct state", path.display()),
            changes,
        );
    }
    let mut comment = String::from("The following files will be changed:\n");
    for (f, v) in &changes {
        for (k, val) in v.as_object().into_iter().flatten() {
            let shown = val
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| val.to_string());
            comment.push_str(&format!("{f}: {k} - {shown}\n"));
        }
    }
    (None, comment, changes)
}

fn create(call: &StateCall<'_>, o: &Opts, path: &Path, mut r: StateReturn) -> StateReturn {
    let name = path.to_string_lossy().into_owned();
    let parent = path.parent().unwrap_or(Path::new("/"));
    let res = if !parent.is_dir() {
        if !call.get_bool("makedirs", false) {
            r.result = Some(false);
            r.comment = format!("No directory to create {name} in");
            return r;
        }
        makedirs_perms(
            path,
            o.user.as_deref(),
            o.group.as_deref(),
            o.dir_mode.as_deref(),
        )
    } else {
        makedirs_perms(
            path,
            o.user.as_deref(),
            o.group.as_deref(),
            o.dir_mode.as_deref(),
        )
    };
    if res.is_err() || !path.is_dir() {
        r.result = Some(false);
        r.comment = format!("Failed to create directory {name}");
        return r;
    }
    r.changes
        .insert(name, serde_json::json!({"directory": "new"}));
    r
}

fn apply(call: &StateCall<'_>, o: &Opts, path: &Path, mut r: StateReturn) -> StateReturn {
    let name = path.to_string_lossy().into_owned();
    let _ = call;
    let spec = PermsSpec {
        user: o.user.clone(),
        group: o.group.clone(),
        mode: o.dir_mode.clone(),
        follow_symlinks: o.follow_symlinks,
    };
    match perms::check_perms(path, &spec, false) {
        Ok(out) => merge_perms(&mut r, out),
        Err(e) => return fail(&name, call, e.to_string()),
    }
    let mut errors = Vec::new();
    if !o.recurse.is_empty() {
        let (u, g, dm, fm, files, dirs) = recurse_targets(o);
        if o.recurse.iter().any(|x| x == "silent") {
            r.changes = serde_json::json!({"recursion": "Changes silenced"})
                .as_object()
                .cloned()
                .unwrap_or_default();
        }
        for (p, is_dir) in walk(path) {
            let mode = match (is_dir, files, dirs) {
                (false, true, _) => fm,
                (true, _, true) => dm,
                _ => continue,
            };
            let spec = PermsSpec {
                user: u.map(str::to_string),
                group: g.map(str::to_string),
                mode: mode.map(str::to_string),
                follow_symlinks: o.follow_symlinks,
            };
            match perms::check_perms(&p, &spec, false) {
                Ok(out) => merge_perms(&mut r, out),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    if o.clean {
        let removed = clean_dir(path, o.exclude_pat.as_deref());
        if !removed.is_empty() {
            r.changes.insert(
                "removed".into(),
                Value::Array(removed.into_iter().map(Value::String).collect()),
            );
            r.comment = format!("Files cleaned from directory {name}");
        }
    }
    if r.comment.is_empty() && !r.changes.is_empty() {
        r.comment = format!("Directory {name} updated");
    } else if r.changes.is_empty() && r.result == Some(true) {
        let orig = std::mem::take(&mut r.comment);
        r.comment = format!("Directory {name} is in the correct state");
        if !orig.is_empty() {
            r.comment = format!("{}\n{orig}", r.comment);
        }
    }
    if !errors.is_empty() {
        r.result = Some(false);
        r.comment
            .push_str("\n\nThe following errors were encountered:\n");
        for e in errors {
            r.comment.push_str(&format!("\n- {e}"));
        }
    }
    r
}

/// Remove every entry below `root` not matching `exclude_pat`; returns removed paths.
fn clean_dir(root: &Path, exclude_pat: Option<&str>) -> Vec<String> {
    let mut removed = Vec::new();
    for (p, is_dir) in walk(root).into_iter().rev() {
        if excluded(root, &p, exclude_pat) {
            continue;
        }
        let res = if is_dir {
            std::fs::remove_dir(&p)
        } else {
            std::fs::remove_file(&p)
        };
        if res.is_ok() {
            removed.push(p.to_string_lossy().into_owned());
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn create_modes_and_noop() {
        let d = TempDir::new("dir");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let p = d.s("a/b/c");
        let r = run_state(
            &ctx,
            "file.directory",
            json!({"name": p, "makedirs": true, "mode": 750}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.as_str(), changes(&r)),
            (Some(true), "", json!({p.clone(): {"directory": "new"}}))
        );
        assert_eq!(
            crate::util::perms::stats(&d.path("a/b/c"), true)
                .unwrap()
                .mode,
            "0750"
        );
        let r = run_state(
            &ctx,
            "file.directory",
            json!({"name": p, "mode": 700}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.clone()),
            (
                None,
                format!("The following files will be changed:\n{p}: mode - 0700\n")
            )
        );
        let r = run_state(
            &ctx,
            "file.directory",
            json!({"name": p, "mode": 700}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("Directory {p} updated"),
                json!({p.clone(): {"mode": "0700"}, "mode": "0700"})
            )
        );
        let r = run_state(
            &ctx,
            "file.directory",
            json!({"name": p, "mode": 700}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("The directory {p} is in the correct state"),
                json!({})
            )
        );
    }

    #[test]
    fn missing_parent_and_test_new() {
        let d = TempDir::new("dir2");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let p = d.s("q/r/s");
        let r = run_state(&ctx, "file.directory", json!({"name": p}), false);
        assert_eq!(
            (r.result, r.comment.clone(), changes(&r)),
            (
                Some(false),
                format!("No directory to create {p} in"),
                json!({p.clone(): {"directory": "new"}})
            )
        );
        let r = run_state(
            &ctx,
            "file.directory",
            json!({"name": p, "makedirs": true}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.clone()),
            (
                None,
                format!("The following files will be changed:\n{p}: directory - new\n")
            )
        );
        assert!(!d.path("q").exists());
        std::fs::write(d.path("file"), "").unwrap();
        let r = run_state(&ctx, "file.directory", json!({"name": d.s("file")}), false);
        assert_eq!(
            r.comment,
            format!("Specified location {} exists and is a file", d.s("file"))
        );
    }

    #[test]
    fn recurse_and_clean() {
        let d = TempDir::new("dir3");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        std::fs::create_dir_all(d.path("t/sub")).unwrap();
        std::fs::write(d.path("t/sub/f"), "").unwrap();
        std::fs::write(d.path("t/keep.log"), "").unwrap();
        let r = run_state(
            &ctx,
            "file.directory",
            json!({"name": d.s("t"), "user": "nobody", "recurse": ["user"]}),
            false,
        );
        assert_eq!(r.result, Some(true));
        assert_eq!(
            crate::util::perms::stats(&d.path("t/sub/f"), true)
                .unwrap()
                .user,
            "nobody"
        );
        let r = run_state(
            &ctx,
            "file.directory",
            json!({"name": d.s("t"), "clean": true, "exclude_pat": "*.log"}),
            false,
        );
        assert_eq!(
            r.comment,
            format!("Files cleaned from directory {}", d.s("t"))
        );
        assert!(d.path("t/keep.log").exists());
        assert!(!d.path("t/sub").exists());
    }
}
