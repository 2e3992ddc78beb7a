//! The fileserver seam: how SLS files, templates and `salt://` sources are found.
//!
//! Masterless runs use a client over `file_roots`; a minion connected to a master
//! uses one that fetches from the master's fileserver and caches per saltenv.

use std::path::PathBuf;

/// Errors from a file client.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("path '{0}' escapes the file root")]
    Traversal(String),
    #[error("i/o error on '{path}': {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("fileserver request failed: {0}")]
    Remote(String),
}

/// Access to the Salt fileserver for one minion.
pub trait FileClient: Send + Sync {
    /// Make `path` (relative to the env root, e.g. `app/init.sls`, no `salt://`)
    /// available locally and return where it is; `Ok(None)` when it does not exist.
    fn cache_file(&self, path: &str, saltenv: &str) -> Result<Option<PathBuf>, FileError>;
    /// Every file path in `saltenv`, relative to the env root, sorted.
    fn list_files(&self, saltenv: &str) -> Result<Vec<String>, FileError>;
    /// Every directory path in `saltenv`, relative to the env root, sorted.
    fn list_dirs(&self, saltenv: &str) -> Result<Vec<String>, FileError>;
    /// The saltenvs this fileserver knows.
    fn envs(&self) -> Result<Vec<String>, FileError>;

    /// Read a file's bytes (`Ok(None)` when missing).
    fn read(&self, path: &str, saltenv: &str) -> Result<Option<Vec<u8>>, FileError> {
        match self.cache_file(path, saltenv)? {
            None => Ok(None),
            Some(p) => std::fs::read(&p).map(Some).map_err(|source| FileError::Io {
                path: p.display().to_string(),
                source,
            }),
        }
    }
}

/// A fileserver with no files (a `base` env only): for contexts that
/// serve no `salt://` tree, such as module tests.
pub struct NoFiles;

impl FileClient for NoFiles {
    fn cache_file(&self, _path: &str, _saltenv: &str) -> Result<Option<PathBuf>, FileError> {
        Ok(None)
    }
    fn list_files(&self, _saltenv: &str) -> Result<Vec<String>, FileError> {
        Ok(vec![])
    }
    fn list_dirs(&self, _saltenv: &str) -> Result<Vec<String>, FileError> {
        Ok(vec![])
    }
    fn envs(&self) -> Result<Vec<String>, FileError> {
        Ok(vec!["base".into()])
    }
}

/// Split `salt://path?saltenv=env` into (path, saltenv override).
pub fn parse_salt_url(url: &str) -> Option<(String, Option<String>)> {
    let rest = url.strip_prefix("salt://")?;
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let env = query.and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("saltenv=").map(str::to_string))
    });
    Some((path.trim_start_matches('/').to_string(), env))
}

/// Reject relative paths that would leave their root (`..`, absolute paths).
pub fn check_relative(path: &str) -> Result<(), FileError> {
    let p = std::path::Path::new(path);
    let bad = p.is_absolute()
        || p.components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    if bad {
        Err(FileError::Traversal(path.to_string()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_url_parsing() {
        assert_eq!(
            parse_salt_url("salt://a/b.txt"),
            Some(("a/b.txt".into(), None))
        );
        assert_eq!(
            parse_salt_url("salt://a.txt?saltenv=dev"),
            Some(("a.txt".into(), Some("dev".into())))
        );
        assert_eq!(parse_salt_url("/etc/x"), None);
    }

    #[test]
    fn traversal_rejected() {
        assert!(check_relative("../etc/shadow").is_err());
        assert!(check_relative("/etc/shadow").is_err());
        assert!(check_relative("a/b/../c").is_err());
        assert!(check_relative("a/b").is_ok());
    }
}
