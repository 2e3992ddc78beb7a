//! What c-s-s writes: the `/etc/sysconfig/docker-storage` line, the LVM
//! autoextend profile, and how it reads them back.

use crate::config::{CssConfig, Driver};

/// The variable c-s-s's compatibility mode writes.
pub const VARIABLE: &str = "DOCKER_STORAGE_OPTIONS";

/// The output file c-s-s would write, byte for byte (`None`: no driver,
/// nothing written). `pool_device` is `/dev/mapper/<dm name>` for
/// devicemapper; `docker_version` decides the deferred removal/deletion
/// options as c-s-s does (none when docker is not installed).
pub fn options_file(
    cfg: &CssConfig,
    pool_device: &str,
    docker_version: Option<(u32, u32)>,
) -> Option<String> {
    let extra = cfg.extra_storage_options.as_str();
    let line = match cfg.driver {
        Driver::None => return None,
        Driver::Devicemapper => {
            // c-s-s builds the string and prints it with an unquoted `echo`,
            // so runs of whitespace collapse; an empty EXTRA leaves the
            // closing quote as its own word (`… "`).
            let mut words: Vec<String> = vec!["--storage-driver".into(), "devicemapper".into()];
            if !extra.split_whitespace().any(|o| o.contains("dm.fs=")) {
                words.extend(["--storage-opt".into(), "dm.fs=xfs".into()]);
            }
            words.extend([
                "--storage-opt".into(),
                format!("dm.thinpooldev={pool_device}"),
            ]);
            if let Some(v) = docker_version {
                if v >= (1, 7) {
                    words.extend([
                        "--storage-opt".into(),
                        "dm.use_deferred_removal=true".into(),
                    ]);
                }
                if v >= (1, 9) {
                    words.extend([
                        "--storage-opt".into(),
                        "dm.use_deferred_deletion=true".into(),
                    ]);
                }
            }
            let extra_words: Vec<&str> = extra.split_whitespace().collect();
            words.extend(extra_words.iter().map(|s| s.to_string()));
            let close = if extra_words.is_empty() { " \"" } else { "\"" };
            format!("{VARIABLE}=\"{}{close}", words.join(" "))
        }
        Driver::Overlay | Driver::Overlay2 => {
            format!(
                "{VARIABLE}=\"--storage-driver {} {extra}\"",
                cfg.driver.name()
            )
        }
    };
    Some(format!("{line}\n"))
}

/// The current options in an output file (c-s-s `get_current_storage_options`).
pub fn current_options(text: &str) -> Option<String> {
    let prefix = format!("{VARIABLE}=");
    text.lines().find_map(|l| {
        let v = l.strip_prefix(&prefix)?;
        let v = v.trim_start();
        let v = v.strip_prefix('"').unwrap_or(v);
        let v = v.strip_suffix('"').unwrap_or(v);
        Some(v.split_whitespace().collect::<Vec<_>>().join(" "))
    })
}

/// The driver named by current options (`--storage-driver X`, `-s X`, or a
/// thinpooldev meaning devicemapper).
pub fn current_driver(options: &str) -> Option<String> {
    let words: Vec<&str> = options.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(d) = w.strip_prefix("--storage-driver=") {
            return Some(d.to_string());
        }
        if (*w == "--storage-driver" || *w == "-s") && i + 1 < words.len() {
            return Some(words[i + 1].to_string());
        }
    }
    options
        .contains("dm.thinpooldev=")
        .then(|| "devicemapper".to_string())
}

/// `dm.thinpooldev=X` of the current options.
pub fn configured_thinpool(options: &str) -> Option<String> {
    options
        .split_whitespace()
        .find_map(|w| w.strip_prefix("dm.thinpooldev=").map(str::to_string))
}

/// The old `dm.datadev`/`dm.metadatadev` mode c-s-s refuses.
pub fn is_old_data_meta_mode(options: &str) -> bool {
    options.contains("dm.datadev") || options.contains("dm.metadatadev")
}

/// The autoextend profile's name: `<VG>--<POOL>-extend`.
pub fn profile_name(vg: &str, pool: &str) -> String {
    format!("{vg}--{pool}-extend")
}

/// The autoextend profile's text, as c-s-s writes it.
pub fn profile_text(threshold: u32, percent: u32) -> String {
    format!("activation {{\n\tthin_pool_autoextend_threshold={threshold}\n\tthin_pool_autoextend_percent={percent}\n\n}}\n")
}

/// Threshold and percent read back from a profile (for usage reports).
pub fn parse_profile(text: &str) -> (Option<u32>, Option<u32>) {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(key)?
                    .trim_start()
                    .strip_prefix('=')
                    .map(|v| v.trim().parse().ok())
            })
            .flatten()
    };
    (
        get("thin_pool_autoextend_threshold"),
        get("thin_pool_autoextend_percent"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawSettings;

    fn cfg(text: &str) -> CssConfig {
        let mut raw = RawSettings::default();
        raw.merge_file("f", text);
        raw.validate(Driver::Devicemapper).unwrap()
    }

    #[test]
    fn devicemapper_line_as_css_echoes_it() {
        let c = cfg("");
        let dev = "/dev/mapper/docker--vg-docker--pool";
        assert_eq!(
            options_file(&c, dev, None).unwrap(),
            "DOCKER_STORAGE_OPTIONS=\"--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool \"\n"
        );
        assert_eq!(
            options_file(&c, dev, Some((1, 13))).unwrap(),
            "DOCKER_STORAGE_OPTIONS=\"--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool --storage-opt dm.use_deferred_removal=true --storage-opt dm.use_deferred_deletion=true \"\n"
        );
        let c = cfg(
            "EXTRA_STORAGE_OPTIONS=\"--storage-opt dm.fs=ext4  --storage-opt dm.basesize=20G\"",
        );
        assert_eq!(
            options_file(&c, dev, None).unwrap(),
            "DOCKER_STORAGE_OPTIONS=\"--storage-driver devicemapper --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool --storage-opt dm.fs=ext4 --storage-opt dm.basesize=20G\"\n"
        );
    }

    #[test]
    fn overlay2_line_keeps_its_space() {
        let c = cfg("STORAGE_DRIVER=overlay2");
        assert_eq!(
            options_file(&c, "", None).unwrap(),
            "DOCKER_STORAGE_OPTIONS=\"--storage-driver overlay2 \"\n"
        );
        assert_eq!(options_file(&cfg("STORAGE_DRIVER="), "", None), None);
    }

    #[test]
    fn reads_back_current_options() {
        let o = current_options("DOCKER_STORAGE_OPTIONS=\"--storage-driver devicemapper --storage-opt dm.thinpooldev=/dev/mapper/a-b \"\n").unwrap();
        assert_eq!(current_driver(&o).as_deref(), Some("devicemapper"));
        assert_eq!(configured_thinpool(&o).as_deref(), Some("/dev/mapper/a-b"));
        assert_eq!(current_driver("-s overlay2").as_deref(), Some("overlay2"));
        assert_eq!(
            current_driver("--storage-opt dm.thinpooldev=/x").as_deref(),
            Some("devicemapper")
        );
        assert!(is_old_data_meta_mode("--storage-opt dm.datadev=/dev/x"));
    }

    #[test]
    fn profile_round_trip() {
        let t = profile_text(60, 20);
        assert_eq!(t, "activation {\n\tthin_pool_autoextend_threshold=60\n\tthin_pool_autoextend_percent=20\n\n}\n");
        assert_eq!(parse_profile(&t), (Some(60), Some(20)));
    }
}
