//! `pkgrepo.managed` / `pkgrepo.absent` for apt: the source line `name` in
//! `file` (default `/etc/apt/sources.list`), written atomically; absent
//! searches `sources.list` and `sources.list.d/*.list` and deletes a file
//! left without entries, as Salt does. yum/dnf hosts go to
//! [`super::pkgrepo_yum`] (`.repo` files).

use std::path::{Path, PathBuf};

use halite_api::{StateCall, StateReturn, Value};

use crate::exec::maybe_refresh;
use crate::manager;

const REPEAT_NOTE: &str = "This may cause pkg states to behave differently than stated if this action is repeated without test=True, due to the differences in the configured repositories.";

/// apt's configuration root (`pkgrepo_apt_root` option, for tests).
fn apt_dir(call: &StateCall<'_>) -> PathBuf {
    call.ctx
        .opt("pkgrepo_apt_root")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/apt"))
}

/// Which kind of repositories this host has: `Ok(true)` apt source
/// lines, `Ok(false)` yum/dnf `.repo` files; `Err`: no manager.
fn is_apt(call: &StateCall<'_>) -> Result<bool, String> {
    manager::for_ctx(call.ctx)
        .map(|m| m.name() == "apt")
        .map_err(|e| e.to_string())
}

fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(String::from).collect())
        .unwrap_or_default()
}

/// Same source entry, whitespace aside.
fn same(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn write_lines(path: &Path, lines: &[String]) -> std::io::Result<()> {
    let mut text = lines.join("\n");
    text.push('\n');
    halite_api::atomic::write_atomic(path, text.as_bytes(), 0o644)
}

pub fn managed(call: &StateCall<'_>) -> StateReturn {
    match is_apt(call) {
        Err(e) => return StateReturn::fail(&call.name, e),
        Ok(false) => return super::pkgrepo_yum::managed(call),
        Ok(true) => {}
    }
    let line = call.name.trim().to_string();
    let file = call
        .get_str("file")
        .map(PathBuf::from)
        .unwrap_or_else(|| apt_dir(call).join("sources.list"));
    let mut lines = lines_of(&file);
    let configured = format!("Configured package repo '{line}'");
    if lines.iter().any(|l| same(l, &line)) {
        return StateReturn::ok(&call.name, configured);
    }
    let mut ret = StateReturn::new(&call.name);
    ret.changes.insert("repo".into(), line.clone().into());
    if call.test {
        ret.result = None;
        ret.comment = format!("Package repo '{line}' would be configured. {REPEAT_NOTE}");
        return ret;
    }
    lines.push(line.clone());
    if let Err(e) = write_lines(&file, &lines) {
        return StateReturn::fail(
            &call.name,
            format!("Failed to configure repo '{line}': {}: {e}", file.display()),
        );
    }
    if call.get_bool("refresh", true) {
        if let Ok(mgr) = manager::for_ctx(call.ctx) {
            if let Err(e) = maybe_refresh(call.ctx, mgr.as_ref(), Some(true)) {
                ret.result = Some(false);
                ret.comment = format!("Failed to configure repo '{line}': {e}");
                return ret;
            }
        }
    }
    ret.result = Some(true);
    ret.comment = configured;
    ret
}

/// Files `absent` looks in: `file`, or sources.list and sources.list.d/*.list.
fn candidates(call: &StateCall<'_>) -> Vec<PathBuf> {
    if let Some(f) = call.get_str("file") {
        return vec![PathBuf::from(f)];
    }
    let dir = apt_dir(call);
    let mut files = vec![dir.join("sources.list")];
    if let Ok(rd) = std::fs::read_dir(dir.join("sources.list.d")) {
        let mut more: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "list"))
            .collect();
        more.sort();
        files.extend(more);
    }
    files
}

pub fn absent(call: &StateCall<'_>) -> StateReturn {
    match is_apt(call) {
        Err(e) => return StateReturn::fail(&call.name, e),
        Ok(false) => return super::pkgrepo_yum::absent(call),
        Ok(true) => {}
    }
    let line = call.name.trim().to_string();
    let holding: Vec<PathBuf> = candidates(call)
        .into_iter()
        .filter(|f| lines_of(f).iter().any(|l| same(l, &line)))
        .collect();
    if holding.is_empty() {
        return StateReturn::ok(&call.name, format!("Package repo {line} is absent"));
    }
    if call.test {
        let mut ret = StateReturn::new(&call.name);
        ret.result = None;
        ret.comment = format!("Package repo '{line}' will be removed. {REPEAT_NOTE}");
        return ret;
    }
    for f in &holding {
        let kept: Vec<String> = lines_of(f)
            .into_iter()
            .filter(|l| !same(l, &line))
            .collect();
        let empty = kept
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        let done = if empty && f.file_name().is_some_and(|n| n != "sources.list") {
            std::fs::remove_file(f)
        } else {
            write_lines(f, &kept)
        };
        if let Err(e) = done {
            return StateReturn::fail(
                &call.name,
                format!("Failed to remove repo {line}: {}: {e}", f.display()),
            );
        }
    }
    let mut ret = StateReturn::ok(&call.name, format!("Removed repo {line}"));
    ret.changes.insert("repo".into(), line.into());
    ret
}
