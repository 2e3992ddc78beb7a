//! Salt's archive checksum files (`<cachedir>/archive_hash/...`): what
//! `source_hash_update` and `skip_files_list_verify` compare against.

use std::path::{Path, PathBuf};

use halite_api::Ctx;

use super::hash::SourceSum;

/// The minion's `hash_type` option (default sha256).
pub fn hash_type(ctx: &Ctx) -> String {
    ctx.opts
        .get("hash_type")
        .and_then(|v| v.as_str())
        .unwrap_or("sha256")
        .to_lowercase()
}

/// Salt's `_checksum_file_path`: `archive_hash/<path under cachedir>.hash`,
/// or `archive_hash/local/<absolute path>` (no suffix) for other files.
pub fn checksum_path(ctx: &Ctx, path: &Path) -> PathBuf {
    let cachedir = ctx.cachedir();
    let base = cachedir.join("archive_hash");
    match path.strip_prefix(&cachedir) {
        Ok(rel) => base.join(format!("{}.hash", rel.display())),
        Err(_) => base
            .join("local")
            .join(path.to_string_lossy().trim_start_matches('/')),
    }
}

/// Salt's `_read_cached_checksum`: the `form:hsum` line of `form`.
pub fn read(ctx: &Ctx, path: &Path, form: Option<&str>) -> Option<SourceSum> {
    let form = form.map_or_else(|| hash_type(ctx), str::to_string);
    let text = std::fs::read_to_string(checksum_path(ctx, path)).ok()?;
    text.lines().find_map(|l| {
        let (t, h) = l.split_once(':')?;
        (t == form).then(|| SourceSum {
            hash_type: t.into(),
            hsum: h.into(),
        })
    })
}

/// Salt's `_update_checksum`: record the file's current hash (other hash
/// types' lines kept).
pub fn update(ctx: &Ctx, path: &Path) -> Result<(), String> {
    let form = hash_type(ctx);
    let hsum = crate::exec::file::hash::hash_file(&path.to_string_lossy(), &form)
        .map_err(|e| e.to_string())?;
    let file = checksum_path(ctx, path);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let old = std::fs::read_to_string(&file).unwrap_or_default();
    let mut lines: Vec<(String, String)> = old
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(t, h)| (t.to_string(), h.to_string()))
        .collect();
    match lines.iter_mut().find(|(t, _)| *t == form) {
        Some(line) => line.1 = hsum,
        None => lines.push((form, hsum)),
    }
    let text: String = lines.iter().map(|(t, h)| format!("{t}:{h}\n")).collect();
    if let Err(e) = crate::util::atomic::write_atomic(&file, text.as_bytes(), 0o644) {
        // Salt logs a failed checksum write and goes on
        tracing::warn!("Failed to update checksum for {}: {e}", path.display());
    }
    Ok(())
}

/// Salt's `_compare_checksum`: the recorded checksum equals `sum`.
pub fn same(ctx: &Ctx, path: &Path, sum: &SourceSum) -> bool {
    read(ctx, path, Some(&sum.hash_type)).as_ref() == Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};

    #[test]
    fn paths_and_round_trip() {
        let d = TempDir::new("arcsum");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let cached = d.path("cache/files/base/a.tar");
        assert_eq!(
            checksum_path(&ctx, &cached),
            d.path("cache/archive_hash/files/base/a.tar.hash")
        );
        let local = checksum_path(&ctx, Path::new("/srv/x.zip"));
        assert_eq!(local, d.path("cache/archive_hash/local/srv/x.zip"));
        std::fs::create_dir_all(cached.parent().unwrap()).unwrap();
        std::fs::write(&cached, b"one").unwrap();
        assert_eq!(read(&ctx, &cached, None), None);
        update(&ctx, &cached).unwrap();
        let first = read(&ctx, &cached, None).unwrap();
        assert_eq!(
            first.hsum,
            crate::exec::file::hash::hex_digest("sha256", b"one").unwrap()
        );
        std::fs::write(&cached, b"two").unwrap();
        update(&ctx, &cached).unwrap();
        assert!(!same(&ctx, &cached, &first));
        let text = std::fs::read_to_string(checksum_path(&ctx, &cached)).unwrap();
        assert_eq!(text.lines().count(), 1);
    }
}
