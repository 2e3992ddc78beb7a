//! rpm hosts: `rpm -qa` reads, `dnf` (or `yum` where dnf is absent)
//! changes, `dnf repoquery` candidates, `dnf versionlock` holds (the
//! versionlock plugin, as Salt's yumpkg).
//!
//! dnf 4 waits without end for a lock another process holds (Salt's
//! yumpkg runs it so, and hangs with it); Halite runs dnf with
//! `exit_on_lock` (dnf 4 and 5 know it) and tries again for
//! `pkg_lock_timeout` seconds ([`PkgTool::polling`]), then fails naming the
//! holder dnf reports.

use halite_api::{Map, Value};

use super::{InstallOpts, Manager, Target};
use crate::tool::{failed, strings, PkgError, PkgTool};
use crate::version::Scheme;

/// dnf's option to fail at once, instead of waiting, on a held lock.
pub const EXIT_ON_LOCK: &str = "--setopt=exit_on_lock=True";

pub struct Dnf<'a> {
    tool: PkgTool<'a>,
    osarch: String,
}

impl<'a> Dnf<'a> {
    pub fn new(tool: PkgTool<'a>, osarch: String) -> Dnf<'a> {
        Dnf { tool, osarch }
    }

    fn dnf(&self, args: &[&str]) -> Vec<String> {
        let mut argv = strings(&["dnf", "-y", "-q", EXIT_ON_LOCK]);
        argv.extend(strings(args));
        argv
    }

    /// Run a dnf command (a held lock retried until `pkg_lock_timeout`);
    /// stdout on exit 0.
    fn run(&self, argv: &[String]) -> Result<String, PkgError> {
        let out = self.tool.polling(argv)?;
        if out.retcode != 0 {
            return Err(failed(argv, &out));
        }
        Ok(out.stdout_text())
    }

    fn changed(&self, argv: &[String]) -> Result<(), PkgError> {
        self.run(argv).map(|_| ())
    }
}

/// An rpm version as Salt's yumpkg shows it: `[E:]V-R`.
fn evr(epoch: &str, vr: &str) -> String {
    match epoch {
        "" | "0" | "(none)" => vr.to_string(),
        e => format!("{e}:{vr}"),
    }
}

/// Installed rpms as Salt's yumpkg lists them: `[E:]V-R` by name, several
/// installed versions (kernels) joined with `,`, `name.arch` for an arch
/// other than `osarch` (none added when `osarch` is empty).
pub fn rpm_installed(tool: &PkgTool<'_>, osarch: &str) -> Result<Map, PkgError> {
    let qf = "%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n";
    let text = tool.run(&strings(&["rpm", "-qa", "--queryformat", qf]))?;
    let mut rows: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let [name, epoch, vr, arch] = c[..] else {
                return None;
            };
            let name = if arch != "noarch" && arch != osarch && !osarch.is_empty() {
                format!("{name}.{arch}")
            } else {
                name.to_string()
            };
            Some((name, evr(epoch, vr)))
        })
        .collect();
    rows.sort();
    let mut out = Map::new();
    for (name, version) in rows {
        match out.get_mut(&name) {
            // several versions installed (kernels): Salt joins them with ","
            Some(Value::String(v)) => {
                v.push(',');
                v.push_str(&version);
            }
            _ => {
                out.insert(name, version.into());
            }
        }
    }
    Ok(out)
}

impl Manager for Dnf<'_> {
    fn name(&self) -> &'static str {
        "dnf"
    }

    fn scheme(&self) -> Scheme {
        Scheme::Rpm
    }

    fn installed(&self) -> Result<Map, PkgError> {
        rpm_installed(&self.tool, &self.osarch)
    }

    fn candidates(&self, names: &[String]) -> Result<Map, PkgError> {
        let mut argv = strings(&[
            "dnf",
            "-q",
            EXIT_ON_LOCK,
            "repoquery",
            "--latest-limit=1",
            "--queryformat",
            "%{name}\t%{epoch}\t%{version}-%{release}\n",
        ]);
        argv.extend(names.iter().cloned());
        let text = self.run(&argv)?;
        let mut found = std::collections::HashMap::new();
        for line in text.lines() {
            if let [name, epoch, vr] = line.split('\t').collect::<Vec<_>>()[..] {
                found.insert(name.to_string(), evr(epoch, vr));
            }
        }
        Ok(names
            .iter()
            .map(|n| (n.clone(), found.remove(n).unwrap_or_default().into()))
            .collect())
    }

    fn install(&self, targets: &[Target], opts: &InstallOpts) -> Result<(), PkgError> {
        let mut argv = self.dnf(&[]);
        if let Some(repo) = &opts.fromrepo {
            argv.push(format!("--repo={repo}"));
        }
        if opts.skip_verify {
            argv.push("--nogpgcheck".into());
        }
        argv.push("install".into());
        argv.extend(targets.iter().map(|t| match &t.version {
            // an exact version is asked for; a range (`>=1.2`) or glob
            // installs the candidate, which the state then checks
            Some(v) if crate::version::is_exact(v.trim_start_matches('=')) => {
                format!("{}-{}", t.name, v.trim_start_matches('='))
            }
            _ => t.name.clone(),
        }));
        self.changed(&argv)
    }

    fn remove(&self, names: &[String], _purge: bool) -> Result<(), PkgError> {
        let mut argv = self.dnf(&["remove"]);
        argv.extend(names.iter().cloned());
        self.changed(&argv)
    }

    fn refresh(&self) -> Result<Value, PkgError> {
        self.run(&self.dnf(&["makecache"]))?;
        Ok(Value::Bool(true))
    }

    fn held(&self) -> Result<Vec<String>, PkgError> {
        let text = self.run(&self.dnf(&["versionlock", "list"]))?;
        Ok(text
            .lines()
            .filter_map(|l| {
                let spec = l.trim().trim_start_matches("0:");
                // name-[epoch:]version-release.arch (or name.*)
                let mut parts: Vec<&str> = spec.rsplitn(3, '-').collect();
                parts.reverse();
                parts
                    .first()
                    .filter(|_| parts.len() == 3)
                    .map(|n| n.to_string())
            })
            .collect())
    }

    fn set_hold(&self, name: &str, hold: bool) -> Result<(), PkgError> {
        let verb = if hold { "add" } else { "delete" };
        self.run(&self.dnf(&["versionlock", verb, name]))?;
        Ok(())
    }

    fn info(&self, names: &[String]) -> Result<Map, PkgError> {
        let qf = "%{NAME}\x1f%{ARCH}\x1f%{PACKAGER}\x1f%{SOURCERPM}\x1f%{VERSION}\x1f%{RELEASE}\x1f%{GROUP}\x1f%{URL}\x1f%{INSTALLTIME:date}\x1f%{SUMMARY}\x1f%{LICENSE}\x1f%{DESCRIPTION}\x1e";
        let mut argv = strings(&["rpm", "-q", "--queryformat", qf]);
        argv.extend(names.iter().cloned());
        let out = self.tool.raw(&argv)?;
        let mut ret = Map::new();
        for rec in out.stdout_text().split('\x1e') {
            let c: Vec<&str> = rec.trim_start_matches('\n').split('\x1f').collect();
            let [name, arch, packager, source, version, release, group, url, date, summary, license, desc] =
                c[..]
            else {
                continue;
            };
            let mut m = Map::new();
            for (k, v) in [
                ("name", name),
                ("arch", arch),
                ("packager", packager),
                ("source", source),
                ("version", version),
                ("release", release),
                ("group", group),
                ("url", url),
                ("install_date", date),
                ("summary", summary),
                ("license", license),
                ("description", desc),
            ] {
                if v != "(none)" {
                    m.insert(k.into(), v.into());
                }
            }
            ret.insert(name.to_string(), Value::Object(m));
        }
        Ok(ret)
    }
}
