//! The container-storage-setup settings: the same keys, the same defaults,
//! read from `/etc/sysconfig/docker-storage-setup` (shell assignments) and
//! then overridden by state arguments or pillar (the keys lower-cased).
//!
//! Every rejected value names its key, its value and where it came from.

use std::collections::BTreeMap;

use halite_api::{Map, Value};

use crate::size::{Size, SizeError};

/// Where a setting came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(String),
    Argument,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("the default"),
            Source::File(p) => write!(f, "{p}"),
            Source::Argument => f.write_str("state argument"),
        }
    }
}

/// A rejected setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {key}={value:?} is invalid: {why}")]
pub struct ConfigError {
    pub key: String,
    pub value: String,
    pub origin: Source,
    pub why: String,
}

/// The storage driver to set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// Empty STORAGE_DRIVER: configure nothing (c-s-s exits 0).
    None,
    Devicemapper,
    Overlay,
    Overlay2,
}

impl Driver {
    pub fn name(self) -> &'static str {
        match self {
            Driver::None => "",
            Driver::Devicemapper => "devicemapper",
            Driver::Overlay => "overlay",
            Driver::Overlay2 => "overlay2",
        }
    }
}

/// An extra XFS LV for the engine's root (CONTAINER_ROOT_LV_*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootLv {
    pub name: String,
    pub size: Size,
    pub mount_path: String,
}

/// The whole c-s-s configuration, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CssConfig {
    pub driver: Driver,
    pub devs: Vec<String>,
    pub vg: Option<String>,
    pub thinpool: String,
    pub data_size: Size,
    pub min_data_size: Option<Size>,
    pub pool_meta_size: Option<Size>,
    pub chunk_size: Option<String>,
    pub growpart: bool,
    pub root_size: Option<Size>,
    pub auto_extend_pool: bool,
    pub autoextend_threshold: u32,
    pub autoextend_percent: u32,
    pub device_wait_timeout: u64,
    pub wipe_signatures: bool,
    pub extra_storage_options: String,
    pub root_lv: Option<RootLv>,
}

/// Every key c-s-s reads, upper-case as in the sysconfig file.
pub const KEYS: &[&str] = &[
    "STORAGE_DRIVER",
    "DEVS",
    "VG",
    "CONTAINER_THINPOOL",
    "DATA_SIZE",
    "MIN_DATA_SIZE",
    "POOL_META_SIZE",
    "CHUNK_SIZE",
    "GROWPART",
    "ROOT_SIZE",
    "AUTO_EXTEND_POOL",
    "POOL_AUTOEXTEND_THRESHOLD",
    "POOL_AUTOEXTEND_PERCENT",
    "DEVICE_WAIT_TIMEOUT",
    "WIPE_SIGNATURES",
    "EXTRA_STORAGE_OPTIONS",
    "EXTRA_DOCKER_STORAGE_OPTIONS",
    "CONTAINER_ROOT_LV_NAME",
    "CONTAINER_ROOT_LV_SIZE",
    "CONTAINER_ROOT_LV_MOUNT_PATH",
];

/// Raw settings with their origin, before validation.
#[derive(Debug, Default, Clone)]
pub struct RawSettings {
    values: BTreeMap<String, (String, Source)>,
}

impl RawSettings {
    /// Assignments from a sysconfig file (`KEY=value`, quotes, comments).
    pub fn merge_file(&mut self, path: &str, text: &str) {
        for (k, v) in parse_shell_assignments(text) {
            if KEYS.contains(&k.as_str()) {
                self.values.insert(k, (v, Source::File(path.to_string())));
            }
        }
    }

    /// State arguments / pillar: lower-case keys, YAML values.
    pub fn merge_args(&mut self, args: &Map) {
        for key in KEYS {
            let Some(v) = args.get(&key.to_ascii_lowercase()) else {
                continue;
            };
            let text = match v {
                Value::Null => continue,
                Value::Bool(true) => "true".to_string(),
                Value::Bool(false) => "false".to_string(),
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(halite_api::module::value_to_arg_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                other => halite_api::module::value_to_arg_string(other),
            };
            self.values
                .insert(key.to_string(), (text, Source::Argument));
        }
    }

    pub fn is_set(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    fn get(&self, key: &str) -> Option<(&str, &Source)> {
        self.values.get(key).map(|(v, s)| (v.as_str(), s))
    }

    /// Validate into a configuration. `default_driver` applies when no
    /// source sets STORAGE_DRIVER.
    pub fn validate(&self, default_driver: Driver) -> Result<CssConfig, ConfigError> {
        let v = Validator { raw: self };
        let driver = match v.text("STORAGE_DRIVER") {
            None => default_driver,
            Some((s, src)) => match s {
                "" => Driver::None,
                "devicemapper" => Driver::Devicemapper,
                "overlay" => Driver::Overlay,
                "overlay2" => Driver::Overlay2,
                _ => {
                    return Err(v.err(
                        "STORAGE_DRIVER",
                        s,
                        src,
                        "must be devicemapper, overlay, overlay2 or empty",
                    ))
                }
            },
        };
        let extra = match (v.text("EXTRA_STORAGE_OPTIONS"), v.text("EXTRA_DOCKER_STORAGE_OPTIONS")) {
            (Some((a, _)), Some((b, src))) if !a.is_empty() && !b.is_empty() => {
                return Err(v.err(
                    "EXTRA_DOCKER_STORAGE_OPTIONS",
                    b,
                    src,
                    "EXTRA_DOCKER_STORAGE_OPTIONS and EXTRA_STORAGE_OPTIONS are mutually exclusive options",
                ))
            }
            (Some((a, _)), _) if !a.is_empty() => a.to_string(),
            (_, Some((b, _))) => b.to_string(),
            _ => String::new(),
        };
        let thinpool = v
            .text("CONTAINER_THINPOOL")
            .map(|(s, _)| s.to_string())
            .unwrap_or_else(|| "docker-pool".into());
        if driver == Driver::Devicemapper && thinpool.is_empty() {
            let src = v
                .text("CONTAINER_THINPOOL")
                .map(|(_, s)| s.clone())
                .unwrap_or(Source::Default);
            return Err(v.err(
                "CONTAINER_THINPOOL",
                "",
                &src,
                "CONTAINER_THINPOOL must be defined for the devicemapper storage driver",
            ));
        }
        let vg = v
            .text("VG")
            .map(|(s, _)| s.to_string())
            .filter(|s| !s.is_empty());
        if let Some(name) = &vg {
            v.lvm_name("VG", name)?;
        }
        v.lvm_name("CONTAINER_THINPOOL", &thinpool)?;
        Ok(CssConfig {
            driver,
            devs: v
                .text("DEVS")
                .map(|(s, _)| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
            vg,
            thinpool,
            data_size: v
                .required_size("DATA_SIZE")?
                .unwrap_or_else(|| Size::parse("40%FREE", true).expect("default")),
            min_data_size: match v.text("MIN_DATA_SIZE") {
                None => Some(Size::parse("2G", false).expect("default")),
                Some(("", _)) => None,
                Some(_) => v.size("MIN_DATA_SIZE", false)?,
            },
            pool_meta_size: v.size("POOL_META_SIZE", false)?,
            chunk_size: match v.size("CHUNK_SIZE", false)? {
                Some(s) => Some(s.to_string()),
                None if v.is_set_empty("CHUNK_SIZE") => None,
                None => Some("512K".into()),
            },
            growpart: v.flag("GROWPART", "true", false)?,
            root_size: v.size("ROOT_SIZE", true)?,
            auto_extend_pool: v.flag("AUTO_EXTEND_POOL", "yes", true)?,
            autoextend_threshold: v.number("POOL_AUTOEXTEND_THRESHOLD", 60, 100)? as u32,
            autoextend_percent: v.number("POOL_AUTOEXTEND_PERCENT", 20, 10_000)? as u32,
            device_wait_timeout: v.number("DEVICE_WAIT_TIMEOUT", 60, 86_400)?,
            wipe_signatures: v.flag("WIPE_SIGNATURES", "true", false)?,
            extra_storage_options: extra,
            root_lv: v.root_lv()?,
        })
    }
}

struct Validator<'a> {
    raw: &'a RawSettings,
}

impl Validator<'_> {
    fn text(&self, key: &str) -> Option<(&str, &Source)> {
        self.raw.get(key)
    }

    fn is_set_empty(&self, key: &str) -> bool {
        matches!(self.text(key), Some(("", _)))
    }

    fn err(&self, key: &str, value: &str, src: &Source, why: &str) -> ConfigError {
        ConfigError {
            key: key.to_string(),
            value: value.to_string(),
            origin: src.clone(),
            why: why.to_string(),
        }
    }

    /// DATA_SIZE: the default when unset; set but empty is c-s-s's
    /// "DATA_SIZE not specified." (only a devicemapper pool uses it).
    fn required_size(&self, key: &str) -> Result<Option<Size>, ConfigError> {
        match self.text(key) {
            Some(("", src))
                if self
                    .text("STORAGE_DRIVER")
                    .is_none_or(|(d, _)| d == "devicemapper") =>
            {
                Err(self.err(key, "", src, "DATA_SIZE not specified."))
            }
            _ => self.size(key, true),
        }
    }

    fn size(&self, key: &str, allow_percent: bool) -> Result<Option<Size>, ConfigError> {
        match self.text(key) {
            None | Some(("", _)) => Ok(None),
            Some((s, src)) => Size::parse(s, allow_percent)
                .map(Some)
                .map_err(|SizeError { why, .. }| self.err(key, s, src, why)),
        }
    }

    /// c-s-s compares against one word (`yes` or `true`). From the sysconfig
    /// file that is the rule exactly (`WIPE_SIGNATURES=yes` does not wipe,
    /// an empty value is off); state arguments may also be YAML booleans.
    /// Anything else is an error.
    fn flag(&self, key: &str, word: &str, default: bool) -> Result<bool, ConfigError> {
        match self.text(key) {
            None => Ok(default),
            Some((s, Source::File(_))) => Ok(s == word),
            Some(("", _)) => Ok(default),
            Some((s, src)) => match s.to_ascii_lowercase().as_str() {
                "yes" | "true" | "1" => Ok(true),
                "no" | "false" | "0" => Ok(false),
                _ => Err(self.err(
                    key,
                    s,
                    src,
                    &format!(
                        "expected {word} or {}",
                        if word == "yes" { "no" } else { "false" }
                    ),
                )),
            },
        }
    }

    fn number(&self, key: &str, default: u64, max: u64) -> Result<u64, ConfigError> {
        match self.text(key) {
            None => Ok(default),
            // c-s-s: an empty DEVICE_WAIT_TIMEOUT means "do not wait"
            Some(("", Source::File(_))) if key == "DEVICE_WAIT_TIMEOUT" => Ok(0),
            Some(("", _)) => Ok(default),
            Some((s, src)) => match s.parse::<u64>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(self.err(
                    key,
                    s,
                    src,
                    &format!("expected a whole number from 0 to {max}"),
                )),
            },
        }
    }

    /// LVM names: letters, digits and `+_.-`, not starting with `-`.
    fn lvm_name(&self, key: &str, name: &str) -> Result<(), ConfigError> {
        let ok = !name.is_empty()
            && !name.starts_with('-')
            && name != "."
            && name != ".."
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+_.-".contains(c));
        if ok {
            return Ok(());
        }
        let src = self
            .text(key)
            .map(|(_, s)| s.clone())
            .unwrap_or(Source::Default);
        Err(self.err(
            key,
            name,
            &src,
            "LVM names may contain only letters, digits and + _ . - and must not start with -",
        ))
    }

    fn root_lv(&self) -> Result<Option<RootLv>, ConfigError> {
        let name = self
            .text("CONTAINER_ROOT_LV_NAME")
            .filter(|(s, _)| !s.is_empty());
        let path = self
            .text("CONTAINER_ROOT_LV_MOUNT_PATH")
            .filter(|(s, _)| !s.is_empty());
        match (name, path) {
            (None, None) => Ok(None),
            (Some((n, src)), None) => Err(self.err("CONTAINER_ROOT_LV_MOUNT_PATH", "", src, &format!("CONTAINER_ROOT_LV_MOUNT_PATH cannot be empty, when CONTAINER_ROOT_LV_NAME is set (to {n:?})"))),
            (None, Some((p, src))) => Err(self.err("CONTAINER_ROOT_LV_NAME", "", src, &format!("CONTAINER_ROOT_LV_NAME cannot be empty, when CONTAINER_ROOT_LV_MOUNT_PATH is set (to {p:?})"))),
            (Some((n, _)), Some((p, src))) => {
                self.lvm_name("CONTAINER_ROOT_LV_NAME", n)?;
                if !p.starts_with('/') {
                    return Err(self.err("CONTAINER_ROOT_LV_MOUNT_PATH", p, src, "must be an absolute path"));
                }
                let size = self.size("CONTAINER_ROOT_LV_SIZE", true)?.unwrap_or_else(|| Size::parse("40%FREE", true).expect("default"));
                Ok(Some(RootLv { name: n.to_string(), size, mount_path: p.trim_end_matches('/').to_string() }))
            }
        }
    }
}

/// `KEY=value` lines as a shell sources them (no expansion): quotes are
/// removed, `#` starts a comment outside quotes, `export ` is ignored.
pub fn parse_shell_assignments(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        let Some((key, rest)) = line.split_once('=') else {
            continue;
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        // a quoted value may go on over lines (`DEVS="/dev/vdb\n/dev/vdc"`)
        let mut value = rest.to_string();
        while open_quote(&value) {
            match lines.next() {
                Some(more) => {
                    value.push('\n');
                    value.push_str(more);
                }
                None => break,
            }
        }
        out.push((key.to_string(), shell_word(&value).replace('\n', " ")));
    }
    out
}

/// Is a quote of `s` still open at its end?
fn open_quote(s: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '#') => return false,
            (None, '"' | '\'') => quote = Some(c),
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (None, '\\') => {
                chars.next();
            }
            _ => {}
        }
    }
    quote.is_some()
}

fn shell_word(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => out.extend(chars.next()),
                        _ => out.push(d),
                    }
                }
            }
            '\'' => out.extend(chars.by_ref().take_while(|&d| d != '\'')),
            '#' if out.is_empty() || out.ends_with(' ') => break,
            ' ' | '\t' => break,
            '\\' => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn from_file(text: &str) -> Result<CssConfig, ConfigError> {
        let mut raw = RawSettings::default();
        raw.merge_file("/etc/sysconfig/docker-storage-setup", text);
        raw.validate(Driver::Devicemapper)
    }

    #[test]
    fn defaults_are_css_defaults() {
        let c = from_file("").unwrap();
        assert_eq!(c.driver, Driver::Devicemapper);
        assert_eq!(c.thinpool, "docker-pool");
        assert_eq!(c.data_size.to_string(), "40%FREE");
        assert_eq!(c.chunk_size.as_deref(), Some("512K"));
        assert!(c.auto_extend_pool);
        assert_eq!((c.autoextend_threshold, c.autoextend_percent), (60, 20));
        assert_eq!(c.device_wait_timeout, 60);
        assert!(!c.wipe_signatures && !c.growpart);
    }

    #[test]
    fn file_then_arguments() {
        let mut raw = RawSettings::default();
        raw.merge_file("f", "# comment\nDEVS=\"/dev/vdb /dev/vdc\"\nVG='docker-vg'\nDATA_SIZE=20G # inline\nAUTO_EXTEND_POOL=no\n");
        let args = json!({"data_size": "50%FREE", "wipe_signatures": true, "devs": ["/dev/vdd"]});
        raw.merge_args(args.as_object().unwrap());
        let c = raw.validate(Driver::Overlay2).unwrap();
        assert_eq!(c.devs, vec!["/dev/vdd"]);
        assert_eq!(c.vg.as_deref(), Some("docker-vg"));
        assert_eq!(c.data_size.to_string(), "50%FREE");
        assert!(!c.auto_extend_pool);
        assert!(c.wipe_signatures);
        assert_eq!(c.driver, Driver::Overlay2);
    }

    #[test]
    fn errors_name_key_value_and_file() {
        let e = from_file("DATA_SIZE=lots\n").unwrap_err();
        assert_eq!(e.key, "DATA_SIZE");
        assert_eq!(e.value, "lots");
        assert!(
            e.to_string()
                .starts_with("/etc/sysconfig/docker-storage-setup: DATA_SIZE=\"lots\""),
            "{e}"
        );
        assert_eq!(
            from_file("STORAGE_DRIVER=btrfs").unwrap_err().key,
            "STORAGE_DRIVER"
        );
        // from the file c-s-s's exact words: anything but `yes` is off,
        // anything but `true` does not wipe; from arguments, an error
        assert!(
            !from_file("AUTO_EXTEND_POOL=maybe")
                .unwrap()
                .auto_extend_pool
        );
        assert!(!from_file("WIPE_SIGNATURES=yes").unwrap().wipe_signatures);
        assert!(!from_file("AUTO_EXTEND_POOL=").unwrap().auto_extend_pool);
        assert_eq!(
            from_file("DEVICE_WAIT_TIMEOUT=")
                .unwrap()
                .device_wait_timeout,
            0
        );
        assert_eq!(
            from_file("DATA_SIZE=").unwrap_err().why,
            "DATA_SIZE not specified."
        );
        let mut raw = RawSettings::default();
        raw.merge_args(
            serde_json::json!({"auto_extend_pool": "maybe"})
                .as_object()
                .unwrap(),
        );
        assert_eq!(
            raw.validate(Driver::Devicemapper).unwrap_err().key,
            "AUTO_EXTEND_POOL"
        );
        assert_eq!(
            from_file("POOL_AUTOEXTEND_THRESHOLD=120").unwrap_err().key,
            "POOL_AUTOEXTEND_THRESHOLD"
        );
        assert_eq!(from_file("VG=-bad").unwrap_err().key, "VG");
        assert_eq!(
            from_file("CONTAINER_ROOT_LV_NAME=x").unwrap_err().key,
            "CONTAINER_ROOT_LV_MOUNT_PATH"
        );
        assert_eq!(
            from_file("EXTRA_STORAGE_OPTIONS=a\nEXTRA_DOCKER_STORAGE_OPTIONS=b")
                .unwrap_err()
                .key,
            "EXTRA_DOCKER_STORAGE_OPTIONS"
        );
    }

    #[test]
    fn quoted_values_over_lines() {
        let c = from_file("DEVS=\"/dev/vdb\n  /dev/vdc\"\nVG=docker-vg\n").unwrap();
        assert_eq!(c.devs, vec!["/dev/vdb", "/dev/vdc"]);
        assert_eq!(c.vg.as_deref(), Some("docker-vg"));
    }

    #[test]
    fn empty_driver_means_nothing() {
        assert_eq!(from_file("STORAGE_DRIVER=\n").unwrap().driver, Driver::None);
    }
}
