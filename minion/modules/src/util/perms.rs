//! File ownership and mode: Salt's `normalize_mode`, `stats` and `check_perms`.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use halite_api::{Map, Value};

use super::accounts;

/// Salt's `salt.utils.files.normalize_mode`: `644`, `'0644'`, `0o644` → `"0644"`.
pub fn normalize_mode(mode: &Value) -> Option<String> {
    let text = match mode {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        other => halite_api::module::value_to_arg_string(other),
    };
    let text = text.replace("0o", "0");
    let trimmed = text
        .trim_matches('"')
        .trim_matches('\'')
        .trim_start_matches('0');
    Some(format!("{trimmed:0>4}"))
}

/// Parse a normalised mode string as octal bits.
pub fn mode_bits(mode: &str) -> Option<u32> {
    u32::from_str_radix(mode, 8).ok()
}

/// The process umask (read from `/proc/self/status`; 022 when unknown).
/// Read each time (umask(2) cannot be queried without changing it, which
/// would race with other threads creating files), with one read call.
pub fn current_umask() -> u32 {
    use std::io::Read;
    let mut buf = Vec::with_capacity(4096);
    let read =
        std::fs::File::open("/proc/self/status").and_then(|f| f.take(4096).read_to_end(&mut buf));
    if read.is_err() {
        return 0o022;
    }
    String::from_utf8_lossy(&buf)
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        .unwrap_or(0o022)
}

/// The mode a new file gets under the current umask, as a mode string.
pub fn umask_file_mode() -> String {
    format!("{:04o}", 0o666 & !current_umask())
}

/// Ownership and mode of a path, in Salt's `file.stats` spelling.
#[derive(Debug, Clone, PartialEq)]
pub struct PathStats {
    pub user: String,
    pub uid: u32,
    pub group: String,
    pub gid: u32,
    /// e.g. `"0644"`.
    pub mode: String,
}

pub fn stats(path: &Path, follow_symlinks: bool) -> std::io::Result<PathStats> {
    let md = if follow_symlinks {
        std::fs::metadata(path)?
    } else {
        std::fs::symlink_metadata(path)?
    };
    Ok(PathStats {
        user: accounts::uid_to_name(md.uid()),
        uid: md.uid(),
        group: accounts::gid_to_name(md.gid()),
        gid: md.gid(),
        mode: format!("{:04o}", md.mode() & 0o7777),
    })
}

/// Set mode bits on a path.
pub fn set_mode(path: &Path, mode: &str) -> std::io::Result<()> {
    let bits =
        mode_bits(mode).ok_or_else(|| std::io::Error::other(format!("invalid mode {mode}")))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(bits))
}

/// Owner wanted by a state: name or numeric id as given. The id is compared
/// first so the account files are only consulted when it does not match.
fn owner_matches(wanted: &str, id: u32, name_of: fn(u32) -> String) -> bool {
    wanted == id.to_string() || wanted == name_of(id)
}

/// What `check_perms` did or would do.
#[derive(Debug, Default)]
pub struct PermsOutcome {
    pub changes: Map,
    pub comments: Vec<String>,
    pub result: bool,
    /// Mode before any change.
    pub lmode: String,
}

/// Wanted ownership/mode of one path.
#[derive(Debug, Clone, Default)]
pub struct PermsSpec {
    pub user: Option<String>,
    pub group: Option<String>,
    pub mode: Option<String>,
    pub follow_symlinks: bool,
}

/// Owner ids and mode of a path (no account lookups).
#[derive(Debug, Clone, Copy)]
struct RawStats {
    uid: u32,
    gid: u32,
    mode: u32,
}

impl RawStats {
    fn of(md: &std::fs::Metadata) -> Self {
        RawStats {
            uid: md.uid(),
            gid: md.gid(),
            mode: md.mode() & 0o7777,
        }
    }

    fn mode_text(&self) -> String {
        format!("{:04o}", self.mode)
    }
}

/// The path's stats (through a symlink when `follow`) and whether the path
/// itself is a symlink: one `lstat`, plus a `stat` only for symlinks.
fn raw_stats(path: &Path, follow: bool) -> std::io::Result<(RawStats, bool)> {
    let lmd = std::fs::symlink_metadata(path)?;
    let is_link = lmd.file_type().is_symlink();
    if is_link && follow {
        return Ok((RawStats::of(&std::fs::metadata(path)?), true));
    }
    Ok((RawStats::of(&lmd), is_link))
}

/// Salt's `file.check_perms`: apply (unless `test`) and report user/group/mode changes.
pub fn check_perms(path: &Path, spec: &PermsSpec, test: bool) -> std::io::Result<PermsOutcome> {
    let (cur, is_link) = raw_stats(path, spec.follow_symlinks)?;
    let cur_mode = cur.mode_text();
    let mut out = PermsOutcome {
        result: true,
        lmode: cur_mode.clone(),
        ..Default::default()
    };
    let user_differs = spec
        .user
        .as_deref()
        .is_some_and(|u| !owner_matches(u, cur.uid, accounts::uid_to_name));
    let group_differs = spec
        .group
        .as_deref()
        .is_some_and(|g| !owner_matches(g, cur.gid, accounts::gid_to_name));
    let mut touched = false;
    if (user_differs || group_differs) && !test {
        touched = true;
        if let Err(e) = chown_path(path, spec, &cur, is_link && !spec.follow_symlinks) {
            out.result = false;
            out.comments.push(e);
        } else if !is_link {
            set_mode(path, &cur_mode)?;
        }
    }
    let skip_mode = is_link && !spec.follow_symlinks;
    let mut mode_changed = false;
    if let Some(mode) = spec.mode.as_deref() {
        if !test && !skip_mode && mode != cur_mode {
            mode_changed = true;
            touched = true;
            set_mode(path, mode)?;
        }
    }
    // Nothing was changed: the path is as it was just seen.
    let post = if touched {
        raw_stats(path, spec.follow_symlinks)?.0
    } else {
        cur
    };
    if let Some(u) = spec.user.as_deref() {
        let differs = if touched {
            !owner_matches(u, post.uid, accounts::uid_to_name)
        } else {
            user_differs
        };
        report(&mut out, "user", u, differs, user_differs, test);
    }
    if let Some(g) = spec.group.as_deref() {
        let differs = if touched {
            !owner_matches(g, post.gid, accounts::gid_to_name)
        } else {
            group_differs
        };
        report(&mut out, "group", g, differs, group_differs, test);
    }
    if let (Some(m), false) = (spec.mode.as_deref(), skip_mode) {
        let post_mode = post.mode_text();
        report(&mut out, "mode", m, m != post_mode, mode_changed, test);
    }
    Ok(out)
}

fn report(
    out: &mut PermsOutcome,
    key: &str,
    wanted: &str,
    still_differs: bool,
    changed: bool,
    test: bool,
) {
    if still_differs {
        if test {
            out.changes.insert(key.into(), Value::String(wanted.into()));
        } else {
            out.result = false;
            out.comments
                .push(format!("Failed to change {key} to {wanted}"));
        }
    } else if changed {
        out.changes.insert(key.into(), Value::String(wanted.into()));
    }
}

fn chown_path(
    path: &Path,
    spec: &PermsSpec,
    cur: &RawStats,
    no_follow: bool,
) -> Result<(), String> {
    let uid = match spec.user.as_deref() {
        Some(u) => {
            Some(accounts::resolve_uid(u).ok_or_else(|| format!("User {u} is not available"))?)
        }
        None => Some(cur.uid),
    };
    let gid = match spec.group.as_deref() {
        Some(g) => {
            Some(accounts::resolve_gid(g).ok_or_else(|| format!("Group {g} is not available"))?)
        }
        None => Some(cur.gid),
    };
    let res = if no_follow {
        std::os::unix::fs::lchown(path, uid, gid)
    } else {
        std::os::unix::fs::chown(path, uid, gid)
    };
    res.map_err(|e| format!("Failed to change ownership of {}: {e}", path.display()))
}

/// Salt's `_check_user`: names that do not exist give an error text.
pub fn check_user_group(user: Option<&str>, group: Option<&str>) -> Option<String> {
    let mut err = String::new();
    if let Some(u) = user {
        if accounts::resolve_uid(u).is_none() {
            err.push_str(&format!("User {u} is not available "));
        }
    }
    if let Some(g) = group {
        if accounts::resolve_gid(g).is_none() {
            err.push_str(&format!("Group {g} is not available"));
        }
    }
    (!err.is_empty()).then_some(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_every_mode_spelling() {
        assert_eq!(normalize_mode(&json!(644)).as_deref(), Some("0644"));
        assert_eq!(normalize_mode(&json!("0640")).as_deref(), Some("0640"));
        assert_eq!(normalize_mode(&json!("0o755")).as_deref(), Some("0755"));
        assert_eq!(normalize_mode(&json!("'600'")).as_deref(), Some("0600"));
        assert_eq!(normalize_mode(&json!(4755)).as_deref(), Some("4755"));
        assert_eq!(normalize_mode(&Value::Null), None);
    }

    #[test]
    fn check_perms_changes_and_reports() {
        let dir = std::env::temp_dir().join(format!("halite-perms-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("f");
        std::fs::write(&f, "x").unwrap();
        set_mode(&f, "0644").unwrap();
        let spec = PermsSpec {
            user: Some("nobody".into()),
            mode: Some("0600".into()),
            ..Default::default()
        };
        let t = check_perms(&f, &spec, true).unwrap();
        assert_eq!(
            serde_json::Value::Object(t.changes),
            json!({"user": "nobody", "mode": "0600"})
        );
        assert_eq!(stats(&f, true).unwrap().mode, "0644");
        let r = check_perms(&f, &spec, false).unwrap();
        assert!(r.result);
        assert_eq!(
            serde_json::Value::Object(r.changes),
            json!({"user": "nobody", "mode": "0600"})
        );
        let again = check_perms(&f, &spec, false).unwrap();
        assert!(again.changes.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn check_perms_through_and_on_symlinks() {
        let dir = std::env::temp_dir().join(format!("halite-perms-l-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("target");
        let l = dir.join("link");
        std::fs::write(&f, "x").unwrap();
        set_mode(&f, "0640").unwrap();
        std::os::unix::fs::symlink(&f, &l).unwrap();
        let want = |follow_symlinks| PermsSpec {
            mode: Some("0600".into()),
            follow_symlinks,
            ..Default::default()
        };
        let on_link = check_perms(&l, &want(false), false).unwrap();
        assert!(on_link.changes.is_empty());
        assert_eq!(stats(&f, true).unwrap().mode, "0640");
        let through = check_perms(&l, &want(true), false).unwrap();
        assert_eq!(through.lmode, "0640");
        assert_eq!(
            serde_json::Value::Object(through.changes),
            json!({"mode": "0600"})
        );
        assert_eq!(stats(&f, true).unwrap().mode, "0600");
        std::fs::remove_file(&f).unwrap();
        assert!(check_perms(&l, &want(true), false).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
