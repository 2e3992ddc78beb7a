//! The package managers Halite drives, behind one trait: [`apt::Apt`]
//! (dpkg hosts), [`dnf::Dnf`] (rpm hosts with dnf or yum) and
//! [`layered::Layered`] (rpm-ostree hosts, where installing a package is
//! layering it into the next deployment). [`for_ctx`] picks one as Salt
//! would (`providers: {pkg: ...}` first, then the host).

use halite_api::{Ctx, Map, Value};
use halite_ostree::sysroot::Sysroot;

use crate::tool::{PkgError, PkgTool};
use crate::version::Scheme;

pub mod apt;
pub mod dnf;
pub mod layered;

/// One package to install: name and optional version (`None`: any/newest).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    pub version: Option<String>,
}

/// Options of an install that the managers understand.
#[derive(Debug, Clone, Default)]
pub struct InstallOpts {
    /// `fromrepo`: apt's `-t`, dnf's `--repo`.
    pub fromrepo: Option<String>,
    /// `install_recommends`: apt only.
    pub install_recommends: Option<bool>,
    /// `skip_verify`: unsigned packages allowed.
    pub skip_verify: bool,
}

/// What every package manager answers.
pub trait Manager {
    /// Short name used in messages (`apt`, `dnf`, `rpm-ostree`).
    fn name(&self) -> &'static str;
    /// The version order of its package format.
    fn scheme(&self) -> Scheme;
    /// Installed packages: name → version, in the manager's order.
    fn installed(&self) -> Result<Map, PkgError>;
    /// Removed packages whose configuration is left (dpkg `config-files`).
    fn config_remains(&self) -> Result<Map, PkgError> {
        Ok(Map::new())
    }
    /// The version an install would pick for each name ("" when none).
    fn candidates(&self, names: &[String]) -> Result<Map, PkgError>;
    /// Install `targets`; a failure carries the manager's error lines.
    fn install(&self, targets: &[Target], opts: &InstallOpts) -> Result<(), PkgError>;
    /// Remove (or purge) installed packages.
    fn remove(&self, names: &[String], purge: bool) -> Result<(), PkgError>;
    /// Refresh the package database; Salt's `pkg.refresh_db` return.
    fn refresh(&self) -> Result<Value, PkgError>;
    /// Held (version-locked) package names.
    fn held(&self) -> Result<Vec<String>, PkgError>;
    /// Hold or release `name`.
    fn set_hold(&self, name: &str, hold: bool) -> Result<(), PkgError>;
    /// `pkg.info_installed` fields per installed package.
    fn info(&self, names: &[String]) -> Result<Map, PkgError>;
    /// Packages the next boot will have that do not run yet (rpm-ostree).
    fn pending(&self) -> Result<Vec<String>, PkgError> {
        Ok(Vec::new())
    }
    /// Changes an install makes take effect only after a reboot.
    fn needs_reboot(&self) -> bool {
        false
    }
}

/// The manager for this host: `providers: {pkg: aptpkg|yumpkg|rpm_ostree}`
/// when set, an OSTree-booted host (`ostree_sysroot`) → rpm-ostree layering,
/// else by `os_family` (Debian → apt, RedHat → dnf/yum).
pub fn for_ctx(ctx: &Ctx) -> Result<Box<dyn Manager + '_>, PkgError> {
    let tool = PkgTool::for_ctx(ctx);
    let grain = |k: &str| {
        ctx.grains
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let provider = ctx
        .opt("providers")
        .and_then(|p| p.get("pkg"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let kind = match provider.as_deref() {
        Some("aptpkg") => "apt",
        Some("yumpkg" | "dnf") => "dnf",
        Some("rpm_ostree" | "rpm-ostree") => "ostree",
        Some(other) => {
            return Err(PkgError::Unsupported(format!(
                "providers: pkg: {other} is not a package manager Halite drives (aptpkg, yumpkg, rpm_ostree)"
            )))
        }
        None if Sysroot::from_opts(&ctx.opts).is_booted() => "ostree",
        None => match grain("os_family").as_str() {
            "Debian" => "apt",
            "RedHat" => "dnf",
            other => {
                return Err(PkgError::Unsupported(format!(
                    "no package manager Halite drives on this host (os_family '{other}'; Halite has apt, dnf/yum and rpm-ostree)"
                )))
            }
        },
    };
    Ok(match kind {
        "apt" => Box::new(apt::Apt::new(tool, grain("osarch"))),
        "dnf" => Box::new(dnf::Dnf::new(tool, grain("osarch"))),
        _ => Box::new(layered::Layered::new(ctx, tool)),
    })
}

/// Salt's `compare_dicts(old, new)`: `{name: {old, new}}` for every name
/// whose version changed. Salt walks a set (no stable order); Halite sorts
/// by name.
pub fn compare(old: &Map, new: &Map) -> Map {
    let text = |m: &Map, k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    for key in keys {
        let (o, n) = (text(old, key), text(new, key));
        if o != n {
            let mut ch = Map::new();
            ch.insert("old".into(), o.into());
            ch.insert("new".into(), n.into());
            out.insert(key.clone(), Value::Object(ch));
        }
    }
    out
}
