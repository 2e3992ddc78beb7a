//! [`LocalFileClient`]: the masterless fileserver over `file_roots` (or `pillar_roots`).
//! The first root directory of an environment holding a path wins; paths that
//! would leave the root are refused.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use halite_api::files::check_relative;
use halite_api::{FileClient, FileError, Value};

/// A file client over local directories, one list of roots per saltenv.
#[derive(Debug, Clone, Default)]
pub struct LocalFileClient {
    roots: Vec<(String, Vec<PathBuf>)>,
}

impl LocalFileClient {
    /// Build from explicit `(saltenv, [dirs])` pairs (order kept).
    pub fn new(roots: Vec<(String, Vec<PathBuf>)>) -> Self {
        LocalFileClient { roots }
    }

    /// Build from a `file_roots`/`pillar_roots` option value (`{env: [dir, ...]}`).
    pub fn from_roots(value: Option<&Value>) -> Self {
        let mut roots = Vec::new();
        if let Some(Value::Object(map)) = value {
            for (env, dirs) in map {
                let dirs = match dirs {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(PathBuf::from)
                        .collect(),
                    Value::String(s) => vec![PathBuf::from(s)],
                    _ => Vec::new(),
                };
                roots.push((env.clone(), dirs));
            }
        }
        LocalFileClient { roots }
    }

    /// The client over `opts["file_roots"]`.
    pub fn for_file_roots(opts: &halite_api::Map) -> Self {
        Self::from_roots(opts.get("file_roots"))
    }

    /// The client over `opts["pillar_roots"]`.
    pub fn for_pillar_roots(opts: &halite_api::Map) -> Self {
        Self::from_roots(opts.get("pillar_roots"))
    }

    fn dirs(&self, saltenv: &str) -> &[PathBuf] {
        self.roots
            .iter()
            .find(|(e, _)| e == saltenv)
            .map(|(_, d)| d.as_slice())
            .unwrap_or(&[])
    }

    fn walk(&self, saltenv: &str, want_dirs: bool) -> Result<Vec<String>, FileError> {
        let mut out = BTreeSet::new();
        for root in self.dirs(saltenv) {
            walk_dir(root, root, want_dirs, &mut out)?;
        }
        Ok(out.into_iter().collect())
    }
}

fn walk_dir(
    root: &Path,
    dir: &Path,
    want_dirs: bool,
    out: &mut BTreeSet<String>,
) -> Result<(), FileError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(|source| FileError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .to_string();
        if path.is_dir() {
            if want_dirs {
                out.insert(rel);
            }
            walk_dir(root, &path, want_dirs, out)?;
        } else if !want_dirs {
            out.insert(rel);
        }
    }
    Ok(())
}

impl FileClient for LocalFileClient {
    fn cache_file(&self, path: &str, saltenv: &str) -> Result<Option<PathBuf>, FileError> {
        let path = path.trim_start_matches('/');
        check_relative(path)?;
        Ok(self
            .dirs(saltenv)
            .iter()
            .map(|d| d.join(path))
            .find(|p| p.is_file()))
    }

    fn list_files(&self, saltenv: &str) -> Result<Vec<String>, FileError> {
        self.walk(saltenv, false)
    }

    fn list_dirs(&self, saltenv: &str) -> Result<Vec<String>, FileError> {
        self.walk(saltenv, true)
    }

    fn envs(&self) -> Result<Vec<String>, FileError> {
        Ok(self.roots.iter().map(|(e, _)| e.clone()).collect())
    }
}

/// The SLS names available in `saltenv` (Salt's `list_states`), sorted.
pub fn list_states(client: &dyn FileClient, saltenv: &str) -> Vec<String> {
    let files = client.list_files(saltenv).unwrap_or_default();
    let mut out = BTreeSet::new();
    for path in files {
        if let Some(stem) = path.strip_suffix("/init.sls") {
            out.insert(stem.replace('/', "."));
        } else if let Some(stem) = path.strip_suffix(".sls") {
            out.insert(stem.replace('/', "."));
        }
    }
    out.into_iter().collect()
}

/// Where SLS `sls` lives: `(relpath, local path)` for `a/b.sls` or `a/b/init.sls`.
pub fn find_sls(client: &dyn FileClient, sls: &str, saltenv: &str) -> Option<(String, PathBuf)> {
    let base = sls.replace('.', "/");
    [format!("{base}.sls"), format!("{base}/init.sls")]
        .into_iter()
        .find_map(|rel| {
            client
                .cache_file(&rel, saltenv)
                .ok()
                .flatten()
                .map(|p| (rel, p))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, tempfile::TempDir, LocalFileClient) {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(a.path().join("app")).unwrap();
        std::fs::write(a.path().join("app/init.sls"), "a").unwrap();
        std::fs::write(a.path().join("top.sls"), "first").unwrap();
        std::fs::write(b.path().join("top.sls"), "second").unwrap();
        std::fs::write(b.path().join("other.sls"), "o").unwrap();
        let c = LocalFileClient::new(vec![(
            "base".into(),
            vec![a.path().into(), b.path().into()],
        )]);
        (a, b, c)
    }

    #[test]
    fn first_root_wins_and_traversal_refused() {
        let (_a, _b, c) = tree();
        assert_eq!(c.read("top.sls", "base").unwrap().unwrap(), b"first");
        assert!(c.cache_file("../x", "base").is_err());
        assert!(c.cache_file("nope.sls", "base").unwrap().is_none());
        assert!(c.cache_file("top.sls", "dev").unwrap().is_none());
    }

    #[test]
    fn lists_states_and_finds_packages() {
        let (_a, _b, c) = tree();
        assert_eq!(list_states(&c, "base"), vec!["app", "other", "top"]);
        assert_eq!(find_sls(&c, "app", "base").unwrap().0, "app/init.sls");
        assert_eq!(c.list_dirs("base").unwrap(), vec!["app"]);
    }
}
