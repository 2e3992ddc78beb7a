//! [`RemoteFileClient`]: `halite_api::FileClient` over the master fileserver
//! (§11): `_file_hash` then `_serve_file` chunks into
//! `cachedir/files/<saltenv>/<path>`, re-downloading only when the master's
//! hash differs from the cached file; `_file_list`, `_dir_list`, `_file_envs`,
//! `_master_opts`.

use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use halite_api::files::check_relative;
use halite_api::{FileClient, FileError, Value};
use halite_proto::{loads, wire};
use openssl::hash::{Hasher, MessageDigest};
use rmpv::Value as Mp;

use crate::link::MasterLink;

/// Fetches `salt://` files from the master and caches them.
pub struct RemoteFileClient {
    link: Arc<MasterLink>,
    cache_root: PathBuf,
}

impl RemoteFileClient {
    /// Cache under `cachedir/files/` (the link's `cachedir`).
    pub fn new(link: Arc<MasterLink>) -> Self {
        let cache_root = link.settings().cachedir.join("files");
        RemoteFileClient { link, cache_root }
    }

    /// Cache under another directory (`<root>/<saltenv>/<path>`).
    pub fn with_cache_root(link: Arc<MasterLink>, cache_root: PathBuf) -> Self {
        RemoteFileClient { link, cache_root }
    }

    /// `_master_opts` (file_roots, top-file settings, renderer...).
    pub fn master_opts(&self, env_only: bool) -> Result<Value, FileError> {
        let mut load = serde_json::json!({"cmd": "_master_opts"});
        if env_only {
            load["env_only"] = Value::Bool(true);
        }
        self.link.request(load).map_err(remote)
    }

    /// Where `path` of `saltenv` is cached; refuses paths leaving the cache.
    pub fn cache_path(&self, path: &str, saltenv: &str) -> Result<PathBuf, FileError> {
        cache_path(&self.cache_root, path, saltenv)
    }

    fn master_hash(
        &self,
        path: &str,
        saltenv: &str,
    ) -> Result<Option<(String, String)>, FileError> {
        let reply = self
            .link
            .request(loads::file_hash_load(path, saltenv))
            .map_err(remote)?;
        let hsum = reply
            .get("hsum")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let Some(hsum) = hsum else { return Ok(None) };
        let hash_type = reply
            .get("hash_type")
            .and_then(Value::as_str)
            .unwrap_or("sha256");
        Ok(Some((hsum.to_ascii_lowercase(), hash_type.to_string())))
    }

    /// Download `path` chunk by chunk into a temp file next to `dest`, then rename.
    fn download(&self, path: &str, saltenv: &str, dest: &Path) -> Result<bool, FileError> {
        let dir = dest
            .parent()
            .ok_or_else(|| FileError::Traversal(path.into()))?;
        fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = dest.with_extension(format!("partial{}", std::process::id()));
        let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
        let mut loc = 0u64;
        loop {
            let load = wire::from_value(&loads::serve_file_load(path, saltenv, loc));
            let reply = self.link.request_msgpack(load).map_err(remote)?;
            if wire::map_get(&reply, "gzip").is_some_and(|g| !g.is_nil()) {
                let _ = fs::remove_file(&tmp);
                return Err(FileError::Remote(format!(
                    "{path}: master sent gzip data, which was not requested"
                )));
            }
            let data = wire::map_get(&reply, "data")
                .and_then(wire::bytes_of)
                .unwrap_or_default();
            if data.is_empty() {
                let found = loc > 0
                    || wire::map_get(&reply, "dest")
                        .and_then(wire::bytes_of)
                        .is_some_and(|d| !d.is_empty());
                if !found {
                    let _ = fs::remove_file(&tmp);
                    return Ok(false);
                }
                break;
            }
            file.write_all(data).map_err(io(&tmp))?;
            loc += data.len() as u64;
        }
        file.sync_all().map_err(io(&tmp))?;
        fs::rename(&tmp, dest).map_err(io(dest))?;
        Ok(true)
    }

    fn list(&self, cmd: &str, saltenv: &str) -> Result<Vec<String>, FileError> {
        let reply = self
            .link
            .request(loads::list_load(cmd, saltenv, ""))
            .map_err(remote)?;
        let mut out: Vec<String> = match reply {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        out.sort();
        Ok(out)
    }
}

impl FileClient for RemoteFileClient {
    fn cache_file(&self, path: &str, saltenv: &str) -> Result<Option<PathBuf>, FileError> {
        let path = path.trim_start_matches('/');
        let dest = self.cache_path(path, saltenv)?;
        let Some((hsum, hash_type)) = self.master_hash(path, saltenv)? else {
            return Ok(None);
        };
        if dest.is_file() && file_hash(&dest, &hash_type)? == hsum {
            return Ok(Some(dest));
        }
        if !self.download(path, saltenv, &dest)? {
            return Ok(None);
        }
        let got = file_hash(&dest, &hash_type)?;
        if got != hsum {
            return Err(FileError::Remote(format!(
                "{path}: downloaded file hash {got} differs from the master's {hsum}"
            )));
        }
        Ok(Some(dest))
    }

    fn list_files(&self, saltenv: &str) -> Result<Vec<String>, FileError> {
        self.list("_file_list", saltenv)
    }

    fn list_dirs(&self, saltenv: &str) -> Result<Vec<String>, FileError> {
        self.list("_dir_list", saltenv)
    }

    fn envs(&self) -> Result<Vec<String>, FileError> {
        let reply = self
            .link
            .request_msgpack(wire::mp_map([("cmd", Mp::from("_file_envs"))]))
            .map_err(remote)?;
        Ok(match wire::to_value(&reply) {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        })
    }
}

/// `root/<saltenv>/<path>`, refusing anything that could leave `root`.
fn cache_path(root: &Path, path: &str, saltenv: &str) -> Result<PathBuf, FileError> {
    check_relative(path)?;
    let normal = |p: &str| {
        !p.is_empty()
            && Path::new(p)
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    };
    if !normal(saltenv) || saltenv.contains('/') {
        return Err(FileError::Traversal(format!("saltenv '{saltenv}'")));
    }
    if !normal(path) || path.contains('\0') {
        return Err(FileError::Traversal(path.to_string()));
    }
    Ok(root.join(saltenv).join(path))
}

fn remote(e: crate::TransportError) -> FileError {
    FileError::Remote(e.to_string())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Hex digest of a file with Salt's `hash_type` name.
fn file_hash(path: &Path, hash_type: &str) -> Result<String, FileError> {
    let md = MessageDigest::from_name(hash_type).unwrap_or_else(MessageDigest::sha256);
    let mut hasher =
        Hasher::new(md).map_err(|e| FileError::Remote(format!("hash {hash_type}: {e}")))?;
    let mut file = fs::File::open(path).map_err(io(path))?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher
            .update(&buf[..n])
            .map_err(|e| FileError::Remote(format!("hash: {e}")))?;
    }
    let digest = hasher
        .finish()
        .map_err(|e| FileError::Remote(format!("hash: {e}")))?;
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_paths_stay_inside_the_cache() {
        let root = Path::new("/c/files");
        assert_eq!(
            cache_path(root, "a/b.txt", "base").unwrap(),
            Path::new("/c/files/base/a/b.txt")
        );
        for (path, env) in [
            ("../x", "base"),
            ("/etc/passwd", "base"),
            ("a/../../x", "base"),
            ("", "base"),
            ("a", ".."),
            ("a", "x/y"),
            ("a", ""),
        ] {
            assert!(cache_path(root, path, env).is_err(), "{path} {env}");
        }
    }

    #[test]
    fn file_hash_uses_salt_hash_names() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        fs::write(&f, "abc").unwrap();
        assert_eq!(
            file_hash(&f, "sha256").unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            file_hash(&f, "md5").unwrap(),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }
}
