//! Atomic file replacement: temp file in the same directory, fsync, rename,
//! keeping the destination's mode and ownership (Salt's `files.copyfile`).

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
    }
    result
}

/// Civil UTC date-time parts of a unix timestamp: (year, month 1-12, day, hour, min, sec, weekday 0=Mon).
pub fn utc_parts(secs: u64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (h, m, s) = (
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    );
    let weekday = ((days + 3).rem_euclid(7)) as u32; // 1970-01-01 was a Thursday
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, h, m, s, weekday)
}

/// Salt's `backup_minion`: copy `path` to
/// `<cachedir>/file_backup/<dir>/<name>_<Www_Mmm_DD_HH:MM:SS_ffffff_YYYY>` (UTC).
pub fn backup_minion(path: &Path, cachedir: &Path) -> std::io::Result<PathBuf> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let (y, mo, d, h, mi, s, wd) = utc_parts(now.as_secs());
    let stamp = format!(
        "{}_{}_{d:02}_{h:02}:{mi:02}:{s:02}_{:06}_{y}",
        DAYS[wd as usize],
        MONTHS[(mo - 1) as usize],
        now.subsec_micros()
    );
    let dir = path.parent().unwrap_or(Path::new("/"));
    let rel = dir.strip_prefix("/").unwrap_or(dir);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bkdir = cachedir.join("file_backup").join(rel);
    std::fs::create_dir_all(&bkdir)?;
    let bkpath = bkdir.join(format!("{name}_{stamp}"));
    std::fs::copy(path, &bkpath)?;
    let md = std::fs::metadata(path)?;
    std::os::unix::fs::chown(&bkpath, Some(md.uid()), Some(md.gid()))?;
    Ok(bkpath)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("halite-atomic-{tag}-{}", std::process::id()));
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

    #[test]
    fn civil_dates() {
        assert_eq!(utc_parts(0), (1970, 1, 1, 0, 0, 0, 3));
        assert_eq!(utc_parts(1_700_000_000), (2023, 11, 14, 22, 13, 20, 1));
    }

    #[test]
    fn backup_copies_into_cache() {
        let d = tempdir("bk");
        let f = d.join("f.txt");
        std::fs::write(&f, "old").unwrap();
        let bk = backup_minion(&f, &d.join("cache")).unwrap();
        assert_eq!(std::fs::read_to_string(&bk).unwrap(), "old");
        assert!(bk.to_string_lossy().contains("file_backup"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
