//! Python extension modules on the master's fileserver (`salt://_modules/*.py`,
//! `_states`, `_grains`, ...). Halite cannot run them: `saltutil.sync_*`
//! lists what it found, marked so, and logs it; the names are remembered in
//! the cache dir so that calling one says why it is not available.

use std::path::{Path, PathBuf};

use halite_api::{FileClient, Value};

/// How a found module is listed in a `sync_*` return.
pub const MARK: &str = "(Python: not run by Halite)";

/// `kind.stem` for every `_<kind>/<stem>.py` in `saltenv` (e.g. `modules.foo`).
pub fn find(files: &dyn FileClient, saltenv: &str, kind: &str) -> Vec<String> {
    let prefix = format!("_{kind}/");
    let mut out: Vec<String> = files
        .list_files(saltenv)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.strip_prefix(&prefix))
        .filter_map(|rest| rest.strip_suffix(".py"))
        .filter(|stem| !stem.contains('/') && !stem.starts_with("__"))
        .map(|stem| format!("{kind}.{stem}"))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn store(cachedir: &Path) -> PathBuf {
    cachedir.join("halite").join("python-extmods.json")
}

/// Remember what a sync found for `kinds` (replacing those kinds' entries).
pub fn remember(cachedir: &Path, kinds: &[&str], found: &[String]) {
    let mut all = recalled(cachedir);
    all.retain(|m| !kinds.iter().any(|k| m.starts_with(&format!("{k}."))));
    all.extend(found.iter().cloned());
    all.sort();
    let path = store(cachedir);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let data = serde_json::to_vec(&all).unwrap_or_default();
    if let Err(e) = halite_api::atomic::write_atomic(&path, &data, 0o644) {
        tracing::warn!("cannot write {}: {e}", path.display());
    }
}

fn recalled(cachedir: &Path) -> Vec<String> {
    std::fs::read(store(cachedir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Why `fun` is not available, when its module is a synced Python one.
pub fn explain(cachedir: &Path, fun: &str) -> Option<String> {
    let module = fun.split('.').next()?;
    recalled(cachedir)
        .iter()
        .any(|m| m == &format!("modules.{module}"))
        .then(|| {
            format!(
                "'{fun}' is not available: it is in the Python module salt://_modules/{module}.py, and Halite cannot run Python modules."
            )
        })
}

/// A `sync_*` list: Salt's names, each marked as not run.
pub fn listed(found: &[String]) -> Value {
    Value::Array(
        found
            .iter()
            .map(|m| Value::String(format!("{m} {MARK}")))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use halite_api::FileError;

    struct Files(Vec<&'static str>);
    impl FileClient for Files {
        fn cache_file(&self, _: &str, _: &str) -> Result<Option<PathBuf>, FileError> {
            Ok(None)
        }
        fn list_files(&self, _: &str) -> Result<Vec<String>, FileError> {
            Ok(self.0.iter().map(|s| s.to_string()).collect())
        }
        fn list_dirs(&self, _: &str) -> Result<Vec<String>, FileError> {
            Ok(Vec::new())
        }
        fn envs(&self) -> Result<Vec<String>, FileError> {
            Ok(vec!["base".into()])
        }
    }

    #[test]
    fn found_remembered_and_explained() {
        let files = Files(vec![
            "_modules/foo.py",
            "_modules/__init__.py",
            "_modules/x/y.py",
            "_states/bar.py",
            "top.sls",
        ]);
        assert_eq!(find(&files, "base", "modules"), ["modules.foo"]);
        assert_eq!(find(&files, "base", "states"), ["states.bar"]);
        let dir = tempfile::tempdir().unwrap();
        remember(
            dir.path(),
            &["modules", "states"],
            &["modules.foo".into(), "states.bar".into()],
        );
        let why = explain(dir.path(), "foo.hello").unwrap();
        assert!(
            why.starts_with(
                "'foo.hello' is not available: it is in the Python module salt://_modules/foo.py"
            ),
            "{why}"
        );
        assert_eq!(
            explain(dir.path(), "bar.x"),
            None,
            "states are not execution modules"
        );
        remember(dir.path(), &["modules"], &[]);
        assert_eq!(explain(dir.path(), "foo.hello"), None);
    }
}
