//! `root_dir` prefixing of path options, as Salt's `prepend_root_dir` does it.
//!
//! Salt's default root is `/`, so every absolute path "starts with the default
//! root" and gets `root_dir` prepended; a path already under `root_dir` is not
//! prefixed twice; relative paths are joined to `root_dir`.

use std::path::Path;

use halite_api::{Map, Value};

/// Python's `os.path.normpath` for POSIX paths.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let leading = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." if !parts.is_empty() && parts.last() != Some(&"..") => {
                parts.pop();
            }
            ".." if !leading.is_empty() => {}
            other => parts.push(other),
        }
    }
    let joined = format!("{leading}{}", parts.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// `os.path.abspath` relative to the current directory.
pub fn abspath(path: &str) -> String {
    if path.starts_with('/') {
        return normpath(path);
    }
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "/".into());
    normpath(&format!("{cwd}/{path}"))
}

/// `salt.utils.path.join(root, path)`: later parts lose their leading `/`.
pub fn salt_join(root: &str, path: &str) -> String {
    let sep = if root.ends_with('/') { "" } else { "/" };
    normpath(&format!("{root}{sep}{}", path.trim_start_matches('/')))
}

/// Prefix each option in `keys` (when present and a string) with `root_dir`.
pub fn prepend_root_dir(opts: &mut Map, keys: &[&str]) {
    let root_dir = abspath(opts.get("root_dir").and_then(Value::as_str).unwrap_or("/"));
    for key in keys {
        let Some(Value::String(path)) = opts.get(*key) else {
            continue;
        };
        if let Some(prefixed) = prefixed_path(&root_dir, path) {
            opts.insert((*key).to_string(), Value::String(prefixed));
        }
    }
}

/// The new value of one path option, or None when it stays as it is.
fn prefixed_path(root_dir: &str, path: &str) -> Option<String> {
    // Salt's default ROOT_DIR is "/", stripped of its trailing separator: "".
    let def_root = "";
    let strip = |prefix: &str| -> Option<&str> {
        if path == prefix || path.starts_with(&format!("{prefix}/")) {
            Some(&path[prefix.len()..])
        } else {
            None
        }
    };
    let under_default = strip(def_root).filter(|p| !p.is_empty());
    let under_root = if root_dir.is_empty() {
        None
    } else {
        strip(root_dir).filter(|p| !p.is_empty())
    };
    let relative = match (under_default, under_root) {
        (Some(d), None) => d,
        (None, Some(r)) => r,
        // Both matched: the default root "" is inside every root_dir, so the
        // root_dir-relative form wins, as in Salt.
        (Some(_), Some(r)) => r,
        (None, None) if Path::new(path).is_absolute() => return None,
        (None, None) => path,
    };
    Some(salt_join(root_dir, relative))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(root: &str, path: &str) -> String {
        let mut opts = json!({"root_dir": root, "cachedir": path})
            .as_object()
            .unwrap()
            .clone();
        prepend_root_dir(&mut opts, &["cachedir", "missing"]);
        opts["cachedir"].as_str().unwrap().to_string()
    }

    #[test]
    fn absolute_paths_get_the_root() {
        assert_eq!(
            apply("/x", "/var/cache/salt/minion"),
            "/x/var/cache/salt/minion"
        );
        assert_eq!(
            apply("/x/", "/var/cache/salt/minion"),
            "/x/var/cache/salt/minion"
        );
        assert_eq!(
            apply("/", "/var/cache/salt/minion"),
            "/var/cache/salt/minion"
        );
    }

    #[test]
    fn paths_already_under_root_are_not_doubled() {
        assert_eq!(apply("/x", "/x/etc/pki"), "/x/etc/pki");
        assert_eq!(apply("/x", "/xy/etc"), "/x/xy/etc");
    }

    #[test]
    fn relative_paths_are_joined_and_salt_quirks_kept() {
        assert_eq!(apply("/x", "rel/sock"), "/x/rel/sock");
        assert_eq!(apply("/x", "/x"), "/x/x");
    }

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("/a//b/./c/../d/"), "/a/b/d");
        assert_eq!(normpath("a/../.."), "..");
        assert_eq!(normpath("/.."), "/");
    }
}
