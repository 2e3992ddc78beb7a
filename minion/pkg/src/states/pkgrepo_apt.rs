//! `pkgrepo.managed` / `pkgrepo.absent` on apt hosts, as Salt 3008.4's
//! `states/pkgrepo.py` drives aptpkg: `pkg.get_repo` of `name`, compared
//! with `_expand_repo_def` of the arguments (Salt's loop: `comps` sorted,
//! `line` with the components sorted, `architectures` as sets, the rest as
//! `str`), then `pkg.mod_repo` and `pkg.get_repo` again for the changes.
//! absent: `pkg.get_repo` of the name with URI slashes stripped, then
//! `pkg.del_repo` (which refreshes the package database).

use halite_api::{Map, StateCall, StateReturn, Value};

use crate::aptsrc::{expand, repos, SourcesList};
use crate::exec_repo::{apt_mod_repo_and_refresh, apt_refresh, apt_root};
use crate::states::pkgrepo::{checked_kwargs, diff, fail, is_true, kwargs_of, sorted};
use crate::yumrepo::ini::py_str;
use crate::yumrepo::RepoError;

const REPEAT_NOTE: &str = "This may cause pkg states to behave differently than stated if this action is repeated without test=True, due to the differences in the configured repositories.";

fn get_repo(call: &StateCall<'_>, repo: &str) -> Result<Map, RepoError> {
    repos::get_repo(&SourcesList::load(&apt_root(call.ctx)), repo)
}

/// Salt's argument checks and `disabled`; `Err` is a refusal's comment.
fn wanted(call: &StateCall<'_>) -> Result<Map, String> {
    let (mut kw, enabled, disabled) = checked_kwargs(call)?;
    let off = match (&enabled, &disabled) {
        (Some(e), _) => !is_true(e),
        (None, Some(d)) => is_true(d),
        (None, None) => false,
    };
    kw.insert("disabled".into(), off.into());
    Ok(kw)
}

/// A source line's words with those after the URI sorted.
fn line_words(line: &str) -> Vec<String> {
    let mut w: Vec<String> = line.split_whitespace().map(String::from).collect();
    if w.len() > 3 {
        w[3..].sort();
    }
    w
}

/// Salt's loop: does `pre` (from `get_repo`) already have what `want`
/// (from `_expand_repo_def`) describes?
fn configured(want: &Map, pre: &Map, kwargs: &Map) -> bool {
    for (k, v) in want {
        let Some(old) = pre.get(k) else {
            if matches!(k.as_str(), "enabled" | "comps" | "key_url") {
                return false;
            }
            continue;
        };
        let same = match k.as_str() {
            "comps" | "key_url" => sorted(v) == sorted(old),
            "line" => {
                if want
                    .get("disabled")
                    .is_some_and(halite_api::value::is_truthy)
                {
                    true
                } else {
                    let pre_line = py_str(old);
                    let (words, comments) = match pre_line.split_once('#') {
                        Some((w, c)) => (w.trim().to_string(), c.trim().to_string()),
                        None => (pre_line.trim().to_string(), String::new()),
                    };
                    line_words(&py_str(v)) == line_words(&words)
                        && kwargs
                            .get("comments")
                            .is_none_or(|c| repos::combine_comments(c) == comments)
                }
            }
            "architectures" if halite_api::value::is_truthy(v) => {
                let (mut a, mut b) = (sorted(v), sorted(old));
                a.dedup();
                b.dedup();
                a == b
            }
            _ => py_str(v) == py_str(old),
        };
        if !same {
            return false;
        }
    }
    true
}

/// Issue 68208: `clean_file` with other entries in `file` reconfigures.
fn stale_file(name: &str, kwargs: &Map) -> bool {
    if !kwargs
        .get("clean_file")
        .is_some_and(halite_api::value::is_truthy)
    {
        return false;
    }
    let Some(file) = kwargs.get("file").map(py_str) else {
        return false;
    };
    std::fs::read_to_string(file).is_ok_and(|t| {
        t.lines()
            .map(str::trim)
            .any(|l| !l.is_empty() && !l.starts_with('#') && l != name.trim())
    })
}

pub fn managed(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.clone();
    let mut kwargs = match wanted(call) {
        Ok(k) => k,
        Err(comment) => return fail(call, comment),
    };
    let repo = match call.args.get("ppa").filter(|v| !v.is_null()) {
        Some(ppa) => format!("ppa:{}", py_str(ppa)),
        None => name.clone(),
    };
    let mut pre = match get_repo(call, &repo) {
        Ok(p) => p,
        Err(e) => return fail(call, format!("Failed to examine repo '{name}': {e}")),
    };
    let mut want = match expand::expand_repo_def(&apt_root(call.ctx), &repo, &kwargs) {
        Ok(w) => w,
        Err(e) => return fail(call, format!("Failed to examine repo '{name}': {e}")),
    };
    if !pre.is_empty() && !stale_file(&name, &kwargs) {
        // 22412: the file is not compared
        pre.shift_remove("file");
        want.shift_remove("file");
        if configured(&want, &pre, &kwargs) {
            return StateReturn::ok(&name, format!("Package repo '{name}' already configured"));
        }
    }
    for key in ["uri", "uris"] {
        let (Some(w), Some(p)) = (want.get(key), pre.get(key)) else {
            continue;
        };
        let differs = match (key, w) {
            ("uri", _) => w != p,
            (_, Value::Array(a)) => a
                .first()
                .is_some_and(|u| !p.as_array().is_some_and(|pa| pa.contains(u))),
            _ => false,
        };
        if !kwargs.contains_key(key) && differs {
            kwargs.insert(key.into(), w.clone());
        }
    }
    let mut ret = StateReturn::new(&name);
    if call.test {
        ret.result = None;
        ret.comment = format!("Package repo '{name}' would be configured. {REPEAT_NOTE}");
        if pre.is_empty() {
            ret.changes.insert("repo".into(), name.into());
        } else {
            ret.changes = diff(&want, &want, &pre);
        }
        return ret;
    }
    if kwargs
        .get("clean_file")
        .is_some_and(halite_api::value::is_truthy)
    {
        let file = kwargs.get("file").map(py_str).unwrap_or_default();
        if let Err(e) = halite_api::atomic::write_atomic(std::path::Path::new(&file), b"", 0o644) {
            return fail(
                call,
                format!("Failed to configure repo '{name}': {file}: {e}"),
            );
        }
    }
    if let Err(e) = modify(call, &repo, &kwargs) {
        return fail(call, format!("Failed to configure repo '{name}': {e}"));
    }
    match get_repo(call, &repo) {
        Ok(post) => {
            if pre.is_empty() {
                ret.changes.insert("repo".into(), repo.into());
            } else {
                ret.changes = diff(&want, &post, &pre);
            }
            ret.result = Some(true);
            ret.comment = format!("Configured package repo '{name}'");
        }
        Err(e) => {
            ret.result = Some(false);
            ret.comment = format!("Failed to confirm config of repo '{name}': {e}");
        }
    }
    ret
}

/// `pkg.mod_repo(repo, saltenv, aptkey, **kwargs)`, refreshing as it asks.
fn modify(call: &StateCall<'_>, repo: &str, kwargs: &Map) -> Result<(), String> {
    let root = apt_root(call.ctx);
    apt_mod_repo_and_refresh(call.ctx, &root, repo, call.args.get("aptkey"), kwargs)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// `salt.utils.pkg.deb.strip_uri`: trailing slashes off http/https/ftp URIs.
fn strip_uri(repo: &str) -> String {
    repo.split_whitespace()
        .map(|w| {
            if ["http://", "https://", "ftp://"]
                .iter()
                .any(|p| w.starts_with(p))
            {
                w.trim_end_matches('/')
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn absent(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.clone();
    let kwargs = kwargs_of(call);
    if ["keyid", "keyid_ppa"]
        .iter()
        .any(|k| kwargs.get(*k).is_some_and(|v| !v.is_null()))
    {
        return fail(call, repos::NO_KEYS.replace("fetch or import", "remove"));
    }
    let strip = strip_uri(&name);
    let mut found = match get_repo(call, &strip) {
        Ok(r) => r,
        Err(e) => return fail(call, format!("Failed to configure repo '{name}': {e}")),
    };
    if !found.is_empty() {
        let mut want = crate::aptsrc::classic::Classic::parse(&strip, "/etc/apt/sources.list")
            .map(|c| c.architectures)
            .unwrap_or_default();
        let mut have = found.get("architectures").map(sorted).unwrap_or_default();
        want.sort();
        want.dedup();
        have.dedup();
        if want != have {
            found = Map::new();
        }
    }
    if found.is_empty() {
        return StateReturn::ok(&name, format!("Package repo {name} is absent"));
    }
    if call.test {
        let mut ret = StateReturn::new(&name);
        ret.result = None;
        ret.comment = format!("Package repo '{name}' will be removed. {REPEAT_NOTE}");
        return ret;
    }
    let mut list = SourcesList::load(&apt_root(call.ctx));
    let removed = repos::del_repo(&mut list, &strip)
        .map_err(|e| e.to_string())
        .and_then(|_| apt_refresh(call.ctx).map_err(|e| e.to_string()));
    if let Err(e) = removed {
        return fail(call, e);
    }
    // Salt looks for the name among list_repos' URI keys: never there
    let mut ret = StateReturn::ok(&name, format!("Removed repo {name}"));
    ret.changes.insert("repo".into(), name.into());
    ret
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn strip_uri_and_line_order_as_salt() {
        assert_eq!(
            strip_uri("deb  http://a/b/ bookworm ftp://c// main"),
            "deb http://a/b bookworm ftp://c main"
        );
        assert_eq!(
            line_words("deb http://a b z y"),
            ["deb", "http://a", "b", "y", "z"]
        );
    }

    #[test]
    fn comparison_follows_salts_loop() {
        let pre = map(
            json!({"comps": ["b", "a"], "line": "deb http://x s b a # note", "disabled": false, "architectures": ["amd64"]}),
        );
        let want = map(
            json!({"comps": ["a", "b"], "line": "deb http://x s a b", "disabled": false, "architectures": ["amd64"], "uri": "http://x"}),
        );
        // keys missing from pre (uri) do not count
        assert!(configured(&want, &pre, &Map::new()));
        // comments are compared only when given
        assert!(!configured(&want, &pre, &map(json!({"comments": "other"}))));
        assert!(configured(&want, &pre, &map(json!({"comments": ["note"]}))));
        let mut other = want.clone();
        other.insert("disabled".into(), true.into());
        assert!(!configured(&other, &pre, &Map::new()), "'True' != 'False'");
        let mut no_comps = pre.clone();
        no_comps.shift_remove("comps");
        assert!(
            !configured(&want, &no_comps, &Map::new()),
            "comps missing from pre"
        );
    }
}
