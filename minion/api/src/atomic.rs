//! Atomic file replacement: temp file in the same directory, fsync, rename,
//! fsync of the directory,
//! keeping the destination's mode and ownership (Salt's `files.copyfile`).
//! Every crate that writes a host file goes through here.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A hard-to-guess 6-character suffix for temp names.
fn random_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut x = (nanos as u64)
        ^ ((std::process::id() as u64) << 32)
        ^ COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    (0..6)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            CHARS[(x % CHARS.len() as u64) as usize] as char
        })
        .collect()
}

/// A fresh, hard-to-guess name `<prefix>XXXXXX` in `dir` (for temp objects
/// other than files, e.g. a symlink swapped into place; create it with an
/// exclusive call and pick another name when it exists).
pub fn temp_name(dir: &Path, prefix: &str) -> PathBuf {
    dir.join(format!("{prefix}{}", random_suffix()))
}

/// Create a new empty temp file `__salt.tmp.XXXXXX` in `dir` (mode 0600).
pub fn create_temp(dir: &Path) -> std::io::Result<(PathBuf, File)> {
    loop {
        let path = dir.join(format!("__salt.tmp.{}", random_suffix()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Replace `dest` with `data` atomically. An existing destination keeps its
/// mode and owner; a new one gets `new_mode`. Nothing is left behind on error.
pub fn write_atomic(dest: &Path, data: &[u8], new_mode: u32) -> std::io::Result<()> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let existing = std::fs::metadata(dest).ok();
    let (tmp, mut file) = create_temp(dir)?;
    let result = (|| {
        file.write_all(data)?;
        match &existing {
            Some(md) => {
                file.set_permissions(std::fs::Permissions::from_mode(md.mode() & 0o7777))?;
                std::os::unix::fs::fchown(&file, Some(md.uid()), Some(md.gid()))?;
                file.set_permissions(std::fs::Permissions::from_mode(md.mode() & 0o7777))?;
            }
            None => file.set_permissions(std::fs::Permissions::from_mode(new_mode))?,
        }
        file.sync_all()?;
        std::fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    // the rename itself survives a crash only once the directory is synced
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("halite-api-atomic-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn new_file_gets_mode_and_existing_keeps_it() {
        let d = tempdir("mode");
        let f = d.join("x");
        write_atomic(&f, b"one", 0o640).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().mode() & 0o777, 0o640);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&f, b"two", 0o644).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        assert_eq!(std::fs::metadata(&f).unwrap().mode() & 0o777, 0o600);
        let leftovers: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn failure_leaves_nothing() {
        let d = tempdir("fail");
        let target = d.join("sub");
        std::fs::create_dir(&target).unwrap();
        assert!(write_atomic(&target, b"x", 0o644).is_err());
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
