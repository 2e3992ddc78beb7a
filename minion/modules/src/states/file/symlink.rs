//! `file.symlink`: create or re-point a symlink, with force, makedirs,
//! backupname and symlink ownership.

use std::path::{Path, PathBuf};

use halite_api::{StateCall, StateReturn};

use super::{error, expand_name, makedirs_perms};
use crate::states::ret;
use crate::util::{accounts, perms};

fn normpath(p: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(p).components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn link_owner(path: &Path) -> Option<(String, String)> {
    perms::stats(path, false).ok().map(|s| (s.user, s.group))
}

/// Salt's `_symlink_check` (test mode).
fn check(
    name: &str,
    target: &str,
    user: &str,
    group: &str,
    force: bool,
) -> (Option<bool>, String, halite_api::Map) {
    let mut changes = halite_api::Map::new();
    let path = Path::new(name);
    if !path.exists() && !path.is_symlink() {
        changes.insert("new".into(), name.into());
        return (
            None,
            format!("Symlink {name} to {target} is set for creation"),
            changes,
        );
    }
    if path.is_symlink() {
        let cur = std::fs::read_link(path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if cur != target {
            changes.insert("change".into(), name.into());
            return (
                None,
                format!("Link {name} target is set to be changed to {target}"),
                changes,
            );
        }
        let mut msg = format!("The symlink {name} is present");
        let (cu, cg) = link_owner(path).unwrap_or_default();
        if cu != user || cg != group {
            changes.insert("ownership".into(), format!("{cu}:{cg}").into());
            msg.push_str(&format!(", but the ownership of the symlink would be changed from {cu}:{cg} to {user}:{group}"));
            return (None, msg, changes);
        }
        return (Some(true), msg, changes);
    }
    if force {
        return (None, format!("The file or directory {name} is set for removal to make way for a new symlink targeting {target}"), changes);
    }
    (Some(false), format!("File or directory exists where the symlink {name} should be. Did you mean to use force?"), changes)
}

fn set_owner(path: &Path, user: &str, group: &str) -> bool {
    let (Some(uid), Some(gid)) = (accounts::resolve_uid(user), accounts::resolve_gid(group)) else {
        return false;
    };
    std::os::unix::fs::lchown(path, Some(uid), Some(gid)).is_ok()
}

pub fn symlink(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    let mut r = ret(call, Some(true), "");
    r.name = name.clone();
    let fail = |msg: String| StateReturn {
        name: name.clone(),
        ..error(call, msg)
    };
    if name.is_empty() {
        return fail("Must provide name to file.symlink".into());
    }
    let Some(target) = call.get_str("target") else {
        return fail("Missing required argument: target".into());
    };
    let user = call.get_str("user").unwrap_or_else(|| {
        call.ctx
            .opt("user")
            .and_then(|v| v.as_str())
            .unwrap_or("root")
            .to_string()
    });
    let group = call.get_str("group").unwrap_or_else(|| {
        accounts::user_by_name(&user)
            .map(|e| accounts::gid_to_name(e.gid))
            .unwrap_or_else(|| "root".into())
    });
    let mut errors = Vec::new();
    if accounts::resolve_uid(&user).is_none() {
        errors.push(format!("User {user} does not exist"));
    }
    if accounts::resolve_gid(&group).is_none() {
        errors.push(format!("Group {group} does not exist"));
    }
    if !Path::new(&name).is_absolute() {
        errors.push(format!("Specified file {name} is not an absolute path"));
    }
    if !errors.is_empty() {
        let mut msg = errors.join(". ");
        if errors.len() > 1 {
            msg.push('.');
        }
        return fail(msg);
    }
    let force = call.get_bool("force", false);
    let (tresult, mut tcomment, tchanges) = check(&name, &target, &user, &group, force);
    let path = Path::new(&name);
    let parent = path.parent().unwrap_or(Path::new("/"));
    if !parent.is_dir() {
        if call.get_bool("makedirs", false) {
            if call.test {
                tcomment.push_str(&format!("\n{} will be created", parent.display()));
            } else if let Err(e) = makedirs_perms(
                parent,
                Some(&user),
                Some(&group),
                call.get("mode").and_then(perms::normalize_mode).as_deref(),
            ) {
                return fail(format!(
                    "Unable to create directory {}: {e}",
                    parent.display()
                ));
            }
        } else if call.test {
            tcomment.push_str(&format!(
                "\nDirectory {} for symlink is not present",
                parent.display()
            ));
        } else {
            return fail(format!(
                "Directory {} for symlink is not present",
                parent.display()
            ));
        }
    }
    if call.test {
        r.result = tresult;
        r.comment = tcomment;
        r.changes = tchanges;
        return r;
    }
    if path.is_symlink() {
        let cur = std::fs::read_link(path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if normpath(&cur) == normpath(&target) {
            return existing_link(r, path, &user, &group);
        }
        if let Err(e) = std::fs::remove_file(path) {
            return fail(format!("Could not remove '{name}': {e}"));
        }
    } else if path.exists() {
        if let Some(msg) = clear_blocker(call, path, force) {
            return fail(msg);
        }
    }
    if let Err(e) = std::os::unix::fs::symlink(&target, path) {
        r.result = Some(false);
        r.comment = format!("Unable to create new symlink {name} -> {target}: {e}");
        return r;
    }
    r.comment = format!("Created new symlink {name} -> {target}");
    r.changes.insert("new".into(), name.clone().into());
    if !set_owner(path, &user, &group) {
        r.result = Some(false);
        r.comment.push_str(&format!(
            ", but was unable to set ownership to {user}:{group}"
        ));
    }
    r
}

fn existing_link(mut r: StateReturn, path: &Path, user: &str, group: &str) -> StateReturn {
    let name = path.to_string_lossy().into_owned();
    let (cu, cg) = link_owner(path).unwrap_or_default();
    if cu == user && cg == group {
        r.comment = format!("Symlink {name} is present and owned by {user}:{group}");
    } else if set_owner(path, user, group) {
        r.comment = format!("Set ownership of symlink {name} to {user}:{group}");
        r.changes
            .insert("ownership".into(), format!("{user}:{group}").into());
    } else {
        r.result = Some(false);
        r.comment.push_str(&format!(
            "Failed to set ownership of symlink {name} to {user}:{group}"
        ));
    }
    r
}

/// A file or directory at the link's place: back it up, force-remove it, or refuse.
fn clear_blocker(call: &StateCall<'_>, path: &Path, force: bool) -> Option<String> {
    let name = path.to_string_lossy().into_owned();
    if let Some(b) = call.get_str("backupname") {
        let backup = if Path::new(&b).is_absolute() {
            PathBuf::from(&b)
        } else if !b.contains('/') {
            path.parent().unwrap_or(Path::new("/")).join(&b)
        } else {
            return Some(format!(
                "Backupname must be an absolute path or a file name: {b}"
            ));
        };
        if backup.exists() || backup.is_symlink() {
            if !force {
                return Some(format!(
                    "Symlink & backup dest exists and Force not set. {name} -> {} - backup: {}",
                    call.get_str("target").unwrap_or_default(),
                    backup.display()
                ));
            }
            let _ = if backup.is_dir() {
                std::fs::remove_dir_all(&backup)
            } else {
                std::fs::remove_file(&backup)
            };
        }
        return std::fs::rename(path, &backup).err().map(|e| {
            format!(
                "Unable to rename {name} to backup {} -> : {e}",
                backup.display()
            )
        });
    }
    if !force {
        let kind = if path.is_file() {
            "File"
        } else if path.is_dir() {
            "Directory"
        } else {
            "File system entry"
        };
        return Some(format!("{kind} exists where the symlink {name} should be"));
    }
    let res = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    res.err().map(|e| format!("Unable to remove {name}: {e}"))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn create_repoint_noop_and_test() {
        let d = TempDir::new("link");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let (l, ta, tb) = (d.s("lnk"), d.s("ta"), d.s("tb"));
        let r = run_state(&ctx, "file.symlink", json!({"name": l, "target": ta}), true);
        assert_eq!(
            (r.result, r.comment.clone(), changes(&r)),
            (
                None,
                format!("Symlink {l} to {ta} is set for creation"),
                json!({"new": l})
            )
        );
        let r = run_state(
            &ctx,
            "file.symlink",
            json!({"name": l, "target": ta}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("Created new symlink {l} -> {ta}"),
                json!({"new": l})
            )
        );
        let r = run_state(
            &ctx,
            "file.symlink",
            json!({"name": l, "target": ta}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("Symlink {l} is present and owned by root:root"),
                json!({})
            )
        );
        let r = run_state(&ctx, "file.symlink", json!({"name": l, "target": tb}), true);
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("Link {l} target is set to be changed to {tb}"),
                json!({"change": l})
            )
        );
        let r = run_state(
            &ctx,
            "file.symlink",
            json!({"name": l, "target": tb}),
            false,
        );
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("Created new symlink {l} -> {tb}"),
                json!({"new": l})
            )
        );
        assert_eq!(std::fs::read_link(&l).unwrap().to_string_lossy(), tb);
    }

    #[test]
    fn file_in_the_way() {
        let d = TempDir::new("link2");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        std::fs::write(d.path("f"), "x").unwrap();
        let r = run_state(
            &ctx,
            "file.symlink",
            json!({"name": d.s("f"), "target": "/tmp"}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.clone()),
            (
                Some(false),
                format!("File exists where the symlink {} should be", d.s("f"))
            )
        );
        let r = run_state(
            &ctx,
            "file.symlink",
            json!({"name": d.s("f"), "target": "/tmp", "force": true}),
            false,
        );
        assert_eq!(r.result, Some(true));
        assert!(d.path("f").is_symlink());
    }
}
