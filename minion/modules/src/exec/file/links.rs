//! Links and moves: `file.is_link`, `file.readlink`, `file.symlink`,
//! `file.rename`, `file.copy`.

use std::path::Path;

use halite_api::{ExecCall, ExecError};

use super::paths::normpath;
use super::replace::expanduser;
use crate::exec::{ok, reject_unknown_kwargs, required_str, ExecResult};

fn flag(call: &ExecCall<'_>, idx: usize, key: &str, default: bool) -> bool {
    call.arg(idx, key)
        .map(halite_api::module::value_to_bool)
        .unwrap_or(default)
}

fn is_symlink(path: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// `file.is_link(path, nostat=False)`.
pub fn is_link(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "nostat"])?;
    let path = required_str(call, 0, "path")?;
    if flag(call, 1, "nostat", false) {
        return ok(is_symlink(&path));
    }
    ok(is_symlink(&expanduser(&path)))
}

/// `file.readlink(path, canonicalize=False)`.
pub fn readlink(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "canonicalize"])?;
    let path = expanduser(&required_str(call, 0, "path")?);
    if !path.starts_with('/') {
        return Err(ExecError::Invocation(format!(
            "Path to link must be absolute: {path}"
        )));
    }
    if !is_symlink(&path) {
        return Err(ExecError::Invocation(format!(
            "A valid link was not specified: {path}"
        )));
    }
    if flag(call, 1, "canonicalize", false) {
        return ok(std::fs::canonicalize(&path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or(path));
    }
    let target = std::fs::read_link(&path).map_err(|e| ExecError::Failed(e.to_string()))?;
    ok(target.to_string_lossy().into_owned())
}

/// `file.symlink(src, path, force=False, atomic=False, follow_symlinks=True)`.
pub fn symlink(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["src", "path", "force", "atomic", "follow_symlinks"])?;
    let src = required_str(call, 0, "src")?;
    let path = expanduser(&required_str(call, 1, "path")?);
    let force = flag(call, 2, "force", false);
    let atomic = flag(call, 3, "atomic", false);
    let exists = |p: &str| {
        if flag(call, 4, "follow_symlinks", true) {
            Path::new(p).exists()
        } else {
            std::fs::symlink_metadata(p).is_ok()
        }
    };
    if !path.starts_with('/') {
        return Err(ExecError::Invocation(format!(
            "Link path must be absolute: {path}"
        )));
    }
    let fail = || ExecError::Failed(format!("Could not create '{path}'"));
    if is_symlink(&path) {
        if std::fs::read_link(&path).is_ok_and(|t| normpath(&t.to_string_lossy()) == normpath(&src))
        {
            return ok(true);
        }
        if !force && !atomic {
            return Err(ExecError::Failed(format!("Found existing symlink: {path}")));
        }
    }
    if exists(&path) && !force && !atomic {
        return Err(ExecError::Failed(format!(
            "Existing path is not a symlink: {path}"
        )));
    }
    if atomic {
        let dir = Path::new(&path).parent().unwrap_or(Path::new("/"));
        // Salt's tempfile.mktemp name: a fresh one per try, never reused
        let tmp = loop {
            let tmp = halite_api::atomic::temp_name(dir, ".halite-link-");
            match std::os::unix::fs::symlink(&src, &tmp) {
                Ok(()) => break tmp,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(_) => return Err(fail()),
            }
        };
        if std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return Err(fail());
        }
        return ok(true);
    }
    if force && (is_symlink(&path) || exists(&path)) {
        std::fs::remove_file(&path).map_err(|_| fail())?;
    }
    std::os::unix::fs::symlink(&src, &path).map_err(|_| fail())?;
    ok(true)
}

/// `file.rename(src, dst)`.
pub fn rename(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["src", "dst"])?;
    let src = expanduser(&required_str(call, 0, "src")?);
    let dst = expanduser(&required_str(call, 1, "dst")?);
    if !src.starts_with('/') {
        return Err(ExecError::Invocation("File path must be absolute.".into()));
    }
    std::fs::rename(&src, &dst)
        .map_err(|_| ExecError::Failed(format!("Could not rename '{src}' to '{dst}'")))?;
    ok(true)
}

/// Salt's `files.recursive_copy`: copy `src`'s tree into `dst`, overwriting
/// files of the same path and keeping others.
fn recursive_copy(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dst)?;
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let to = dst.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            recursive_copy(&entry.path(), &to)?;
        } else {
            std::fs::copy(entry.path(), &to)?;
        }
    }
    Ok(())
}

/// `file.copy(src, dst, recurse=False, remove_existing=False)`; the
/// destination gets the source's owner, group and mode (Salt's `check_perms`).
pub fn copy(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["src", "dst", "recurse", "remove_existing"])?;
    let src = expanduser(&required_str(call, 0, "src")?);
    let dst = expanduser(&required_str(call, 1, "dst")?);
    if !src.starts_with('/') {
        return Err(ExecError::Invocation("File path must be absolute.".into()));
    }
    let (sp, dp) = (Path::new(&src), Path::new(&dst));
    let md = std::fs::metadata(sp)
        .map_err(|_| ExecError::Failed(format!("No such file or directory '{src}'")))?;
    let fail = |_| ExecError::Failed(format!("Could not copy '{src}' to '{dst}'"));
    if dp.is_dir() || sp.is_dir() {
        if !flag(call, 2, "recurse", false) {
            return Err(ExecError::Invocation(
                "Cannot copy overwriting a directory without recurse flag set to true!".into(),
            ));
        }
        if flag(call, 3, "remove_existing", false) && dp.exists() {
            std::fs::remove_dir_all(dp).map_err(fail)?;
        }
        recursive_copy(sp, dp).map_err(fail)?;
    } else {
        let data = std::fs::read(sp).map_err(fail)?;
        crate::util::atomic::write_atomic(dp, &data, 0o644).map_err(fail)?;
    }
    restore_perms(dp, &md).map_err(fail)?;
    ok(true)
}

/// Give `path` the owner, group and permission bits of `md`.
fn restore_perms(path: &Path, md: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    std::os::unix::fs::chown(path, Some(md.uid()), Some(md.gid()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(md.mode() & 0o7777))
}
