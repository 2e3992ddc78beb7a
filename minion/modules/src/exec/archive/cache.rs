//! Where an archive source lives on the minion: `salt://` sources are copied
//! to `<cachedir>/files/<saltenv>/<path>` (Salt's `cp.cache_file` /
//! `cp.is_cached` location), local paths and `file://` URLs are used in
//! place.

use std::path::{Path, PathBuf};

use halite_api::files::parse_salt_url;
use halite_api::Ctx;

use crate::util::atomic;

/// `<cachedir>/files/<env>/<path>` for a `salt://` URL.
pub fn cached_path(ctx: &Ctx, url: &str, saltenv: &str) -> Option<PathBuf> {
    let (path, env) = parse_salt_url(url)?;
    let env = env.unwrap_or_else(|| saltenv.to_string());
    Some(ctx.cachedir().join("files").join(env).join(path))
}

/// Fetch a `salt://` URL into the cache (rewritten only when its bytes
/// changed); `Ok(None)` when the fileserver does not have it.
pub fn cache_salt(ctx: &Ctx, url: &str, saltenv: &str) -> Result<Option<PathBuf>, String> {
    let Some((path, env)) = parse_salt_url(url) else {
        return Err(format!("{url} is not a salt:// URL"));
    };
    let env = env.unwrap_or_else(|| saltenv.to_string());
    let Some(data) = ctx.files.read(&path, &env).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let dest = ctx.cachedir().join("files").join(&env).join(&path);
    if std::fs::read(&dest).ok().as_deref() != Some(&data[..]) {
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        atomic::write_atomic(&dest, &data, 0o644).map_err(|e| e.to_string())?;
    }
    Ok(Some(dest))
}

/// A local source (`/path` or `file:///path`) as a path.
pub fn local_path(source: &str) -> Option<PathBuf> {
    let p = source.strip_prefix("file://").unwrap_or(source);
    p.starts_with('/').then(|| PathBuf::from(p))
}

/// Salt's `cp.cache_file` for `archive.list` and friends: the cached copy
/// of a `salt://` URL, or a local path as is (existing or not).
pub fn cache_any(ctx: &Ctx, source: &str, saltenv: &str) -> Result<Option<PathBuf>, String> {
    if source.starts_with("salt://") {
        return cache_salt(ctx, source, saltenv);
    }
    if let Some(p) = local_path(source) {
        return Ok(Some(p));
    }
    match source.split_once("://") {
        Some((scheme, _)) => Err(format!(
            "{scheme}:// sources are not supported by Halite yet"
        )),
        None => Err(format!("Path '{source}' is not absolute")),
    }
}

/// Python's `FileNotFoundError` text for a missing path.
pub fn not_found(path: &Path) -> String {
    format!("[Errno 2] No such file or directory: '{}'", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};

    #[test]
    fn salt_sources_land_under_cachedir_files() {
        let d = TempDir::new("arccache");
        std::fs::create_dir_all(d.path("salt/a")).unwrap();
        std::fs::write(d.path("salt/a/x.tar"), b"T").unwrap();
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let got = cache_salt(&ctx, "salt://a/x.tar", "base").unwrap().unwrap();
        assert_eq!(got, d.path("cache/files/base/a/x.tar"));
        assert_eq!(std::fs::read(&got).unwrap(), b"T");
        assert_eq!(
            cached_path(&ctx, "salt://a/x.tar?saltenv=dev", "base").unwrap(),
            d.path("cache/files/dev/a/x.tar")
        );
        assert_eq!(cache_salt(&ctx, "salt://a/none.tar", "base").unwrap(), None);
        assert_eq!(
            cache_any(&ctx, &d.s("salt/a/x.tar"), "base").unwrap(),
            Some(d.path("salt/a/x.tar"))
        );
        assert_eq!(
            local_path("file:///srv/x.zip"),
            Some(PathBuf::from("/srv/x.zip"))
        );
        assert_eq!(local_path("x.zip"), None);
    }
}
