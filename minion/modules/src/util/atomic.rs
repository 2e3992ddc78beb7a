//! Backups and civil dates for file states; atomic replacement itself lives
//! in [`halite_api::atomic`] (re-exported here).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use halite_api::atomic::{create_temp, write_atomic};

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
    let (year, month, day) = halite_api::calendar::civil_from_days(days);
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
