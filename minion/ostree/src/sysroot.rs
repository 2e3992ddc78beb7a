//! What the module reads from disk, under a configurable sysroot
//! (`ostree_sysroot`, default `/`): the `run/ostree-booted` marker, the
//! booted deployment named by `ostree=` on `proc/cmdline`, the deployment's
//! `.origin` file and its `usr/lib/os-release`. No tool runs here, so the
//! `ostree_*` grains cost a few file reads.

use std::path::{Path, PathBuf};

use halite_api::{Map, Value};

/// A deployment as the on-disk layout shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskDeployment {
    pub osname: String,
    pub checksum: String,
    pub serial: u32,
    /// `refspec=` of the origin file.
    pub refspec: Option<String>,
    /// `container-image-reference=` of the origin file.
    pub image: Option<String>,
    /// `OSTREE_VERSION` (else `VERSION`) of the deployment's os-release.
    pub version: Option<String>,
}

/// An OSTree sysroot.
#[derive(Debug, Clone)]
pub struct Sysroot {
    root: PathBuf,
}

impl Sysroot {
    pub fn new(root: impl Into<PathBuf>) -> Sysroot {
        Sysroot { root: root.into() }
    }

    /// The sysroot named by the `ostree_sysroot` option (default `/`).
    pub fn from_opts(opts: &Map) -> Sysroot {
        let root = opts
            .get("ostree_sysroot")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("/");
        Sysroot::new(root)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// The host booted an OSTree deployment (`/run/ostree-booted`).
    pub fn is_booted(&self) -> bool {
        self.path("run/ostree-booted").exists()
    }

    /// The booted deployment: `ostree=` on the kernel command line resolved
    /// through the `boot.N` symlinks to `ostree/deploy/<os>/deploy/<csum>.<serial>`.
    pub fn booted(&self) -> Option<DiskDeployment> {
        let cmdline = std::fs::read_to_string(self.path("proc/cmdline")).ok()?;
        let karg = cmdline
            .split_whitespace()
            .find_map(|a| a.strip_prefix("ostree="))?;
        let dir = std::fs::canonicalize(self.path(karg)).ok()?;
        self.read_deployment(&dir)
    }

    /// Every deployment directory under `ostree/deploy/*/deploy/`.
    pub fn deployments(&self) -> Vec<DiskDeployment> {
        let mut out = Vec::new();
        let Ok(stateroots) = std::fs::read_dir(self.path("ostree/deploy")) else {
            return out;
        };
        for os in stateroots.flatten() {
            let Ok(entries) = std::fs::read_dir(os.path().join("deploy")) else {
                continue;
            };
            for e in entries.flatten() {
                if e.path().is_dir() {
                    out.extend(self.read_deployment(&e.path()));
                }
            }
        }
        out.sort_by(|a, b| {
            (&a.osname, &a.checksum, a.serial).cmp(&(&b.osname, &b.checksum, b.serial))
        });
        out
    }

    fn read_deployment(&self, dir: &Path) -> Option<DiskDeployment> {
        let name = dir.file_name()?.to_str()?;
        let (checksum, serial) = name.split_once('.')?;
        let osname = dir.parent()?.parent()?.file_name()?.to_str()?.to_string();
        let origin = std::fs::read_to_string(dir.with_file_name(format!("{name}.origin")))
            .unwrap_or_default();
        let os_release =
            std::fs::read_to_string(dir.join("usr/lib/os-release")).unwrap_or_default();
        Some(DiskDeployment {
            osname,
            checksum: checksum.to_string(),
            serial: serial.parse().ok()?,
            refspec: ini_value(&origin, "refspec"),
            image: ini_value(&origin, "container-image-reference"),
            version: os_release_value(&os_release, "OSTREE_VERSION")
                .or_else(|| os_release_value(&os_release, "VERSION")),
        })
    }

    /// Kernel arguments of each boot loader entry, keyed by entry file name.
    pub fn boot_entries(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.path("boot/loader/entries"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            if let Some(opts) = text.lines().find_map(|l| l.strip_prefix("options ")) {
                out.push((
                    e.file_name().to_string_lossy().into_owned(),
                    opts.trim().to_string(),
                ));
            }
        }
        out.sort();
        out
    }
}

fn ini_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
}

fn os_release_value(text: &str, key: &str) -> Option<String> {
    ini_value(text, key)
        .map(|v| v.trim_matches(|c| c == '"' || c == '\'').to_string())
        .filter(|v| !v.is_empty())
}

/// `ostree_booted`, `ostree_osname`, `ostree_checksum`, `ostree_version`,
/// `ostree_image`: empty on hosts that did not boot an OSTree deployment.
pub fn grains(sysroot: &Sysroot) -> Map {
    let mut g = Map::new();
    if !sysroot.is_booted() {
        return g;
    }
    g.insert("ostree_booted".into(), true.into());
    if let Some(d) = sysroot.booted() {
        g.insert("ostree_osname".into(), d.osname.into());
        g.insert("ostree_checksum".into(), d.checksum.into());
        g.insert(
            "ostree_version".into(),
            d.version.map(Value::from).unwrap_or(Value::Null),
        );
        let image = d
            .image
            .as_deref()
            .map(|i| crate::states::deployed::plain_image(i).to_string());
        g.insert(
            "ostree_image".into(),
            image.map(Value::from).unwrap_or(Value::Null),
        );
        g.insert(
            "ostree_refspec".into(),
            d.refspec.map(Value::from).unwrap_or(Value::Null),
        );
    }
    g
}
