//! How full container storage is: thin-pool data and metadata use (LVM
//! report) with its autoextend settings, or the filesystem under an overlay
//! root (statvfs). Also the `docker_storage` grain, so a master can target
//! "pools above 80 %" (`salt -G 'docker_storage:alert:True' …`).

use std::path::Path;

use halite_api::{CommandRunner, Map, Value};
use serde_json::json;

use crate::lvm::Lvm;
use crate::output;

pub const DEFAULT_WARN_PERCENT: f64 = 80.0;

/// Split a dm name back into (vg, lv): `--` is a hyphen, `-` the separator.
pub fn split_dm_name(name: &str) -> Option<(String, String)> {
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    let mut vg = String::new();
    while i < chars.len() {
        if chars[i] == '-' {
            if chars.get(i + 1) == Some(&'-') {
                vg.push('-');
                i += 2;
                continue;
            }
            let lv: String = chars[i + 1..].iter().collect();
            return Some((vg, lv.replace("--", "-")));
        }
        vg.push(chars[i]);
        i += 1;
    }
    None
}

/// Thin-pool usage of `vg/pool`.
pub fn pool(lvm: &Lvm<'_>, vg: &str, pool: &str, warn: f64) -> Result<Value, String> {
    let lvs = lvm.lvs(vg).map_err(|e| e.to_string())?;
    let lv = lvs
        .iter()
        .find(|l| l.name == pool && l.is_thin_pool())
        .ok_or_else(|| format!("no thin pool {vg}/{pool}"))?;
    let profile_dir = lvm
        .profile_dir()
        .unwrap_or_else(|_| "/etc/lvm/profile".into());
    let profile_file = format!("{profile_dir}/{}.profile", lv.profile);
    let (threshold, percent) = if lv.profile.is_empty() {
        (None, None)
    } else {
        std::fs::read_to_string(&profile_file)
            .map(|t| output::parse_profile(&t))
            .unwrap_or((None, None))
    };
    let data_free = lv
        .data_percent
        .map(|p| ((100.0 - p) / 100.0 * lv.size as f64) as u64);
    let worst = lv
        .data_percent
        .into_iter()
        .chain(lv.metadata_percent)
        .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
    Ok(json!({
        "driver": "devicemapper",
        "vg": vg,
        "pool": pool,
        "device": format!("/dev/mapper/{}", crate::lvm::dm_name(vg, pool)),
        "active": lv.is_active(),
        "size_bytes": lv.size,
        "data_percent": lv.data_percent,
        "metadata_percent": lv.metadata_percent,
        "data_free_bytes": data_free,
        "metadata_size_bytes": lv.metadata_size,
        "chunk_size_bytes": lv.chunk_size,
        "autoextend": {
            "enabled": !lv.profile.is_empty(),
            "profile": (!lv.profile.is_empty()).then(|| lv.profile.clone()),
            "threshold": threshold,
            "percent": percent,
        },
        "warn_percent": warn,
        "alert": worst.is_some_and(|p| p >= warn),
    }))
}

/// Filesystem usage under an overlay root.
#[allow(unsafe_code)]
pub fn filesystem(path: &str, driver: &str, warn: f64) -> Result<Value, String> {
    let c = std::ffi::CString::new(path).map_err(|_| format!("{path}: bad path"))?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid NUL-terminated path and st a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(format!("{path}: {}", std::io::Error::last_os_error()));
    }
    let frsize = st.f_frsize as u64;
    let size = st.f_blocks as u64 * frsize;
    let free = st.f_bavail as u64 * frsize;
    let used = size.saturating_sub(st.f_bfree as u64 * frsize);
    let percent = if size == 0 {
        0.0
    } else {
        (used as f64 * 10000.0 / size as f64).round() / 100.0
    };
    Ok(json!({
        "driver": driver,
        "path": path,
        "size_bytes": size,
        "data_percent": percent,
        "data_free_bytes": free,
        "warn_percent": warn,
        "alert": percent >= warn,
    }))
}

/// Usage of whatever the output file configures (`None`: nothing configured).
pub fn configured(
    lvm: &Lvm<'_>,
    output_file: &str,
    overlay_root: &str,
    warn: f64,
) -> Option<Result<Value, String>> {
    let text = std::fs::read_to_string(output_file).ok()?;
    let options = output::current_options(&text)?;
    let driver = output::current_driver(&options)?;
    if driver == "devicemapper" {
        let dev = output::configured_thinpool(&options)?;
        let (vg, lv) = split_dm_name(dev.strip_prefix("/dev/mapper/")?)?;
        return Some(pool(lvm, &vg, &lv, warn));
    }
    Path::new(overlay_root)
        .is_dir()
        .then(|| filesystem(overlay_root, &driver, warn))
}

/// The `docker_storage` grain (absent when no storage is configured).
pub fn grains(opts: &Map, runner: &dyn CommandRunner) -> Map {
    let mut out = Map::new();
    let output_file = opts
        .get("docker_storage_output_file")
        .and_then(Value::as_str)
        .unwrap_or("/etc/sysconfig/docker-storage");
    let warn = opts
        .get("docker_storage_warn_percent")
        .and_then(Value::as_f64)
        .unwrap_or(DEFAULT_WARN_PERCENT);
    let lvm = Lvm::from_opts(opts, runner);
    if let Some(Ok(v)) = configured(&lvm, output_file, "/var/lib/docker", warn) {
        let keep = [
            "driver",
            "vg",
            "pool",
            "data_percent",
            "metadata_percent",
            "alert",
            "warn_percent",
        ];
        let m: Map = v
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.insert("docker_storage".into(), Value::Object(m));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dm_names_split_back() {
        assert_eq!(
            split_dm_name("docker--vg-docker--pool"),
            Some(("docker-vg".into(), "docker-pool".into()))
        );
        assert_eq!(
            split_dm_name("vg0-pool"),
            Some(("vg0".into(), "pool".into()))
        );
        assert_eq!(split_dm_name("nohyphen"), None);
    }

    #[test]
    fn filesystem_usage_of_tmp() {
        let v = filesystem("/tmp", "overlay2", 101.0).unwrap();
        assert!(v["size_bytes"].as_u64().unwrap() > 0);
        assert_eq!(v["alert"], false);
    }
}
