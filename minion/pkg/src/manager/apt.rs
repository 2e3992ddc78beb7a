//! dpkg hosts: `dpkg-query` reads, `apt-get` changes (with Salt's
//! `--force-confold --force-confdef` and a bounded `DPkg::Lock::Timeout`),
//! `apt-cache policy` candidates, `apt-mark` holds.

use std::path::Path;

use halite_api::{Map, Value};

use super::{InstallOpts, Manager, Target};
use crate::tool::{failed, strings, PkgError, PkgTool};
use crate::version::Scheme;

/// Field separator in `dpkg-query` output (not in any field).
const SEP: char = '\u{1f}';
/// Record separator in `dpkg-query` output.
const END: char = '\u{1e}';

pub struct Apt<'a> {
    tool: PkgTool<'a>,
    /// The host's dpkg architecture (`osarch` grain), for `name:arch`.
    osarch: String,
    /// Where dpkg keeps per-package file lists (install dates).
    info_dir: &'static str,
}

impl<'a> Apt<'a> {
    pub fn new(tool: PkgTool<'a>, osarch: String) -> Apt<'a> {
        Apt {
            tool,
            osarch,
            info_dir: "/var/lib/dpkg/info",
        }
    }

    fn apt_get(&self, verb: &str) -> Vec<String> {
        let mut argv = strings(&["apt-get", "-q", "-y"]);
        argv.push("-o".into());
        argv.push(format!("DPkg::Lock::Timeout={}", self.tool.lock_timeout));
        argv.push(verb.into());
        argv
    }

    /// dpkg's package lines: (selection, status, name, version).
    fn selections(&self) -> Result<Vec<(String, String, String, String)>, PkgError> {
        let fmt =
            format!("${{Status}}{SEP}${{Package}}{SEP}${{Version}}{SEP}${{Architecture}}{END}");
        let out = self
            .tool
            .raw(&strings(&["dpkg-query", "--showformat", &fmt, "-W"]))?;
        let text = out.stdout_text();
        let mut rows = Vec::new();
        for rec in text.split(END) {
            let cols: Vec<&str> = rec.trim_start_matches('\n').split(SEP).collect();
            let [status, name, version, arch] = cols[..] else {
                continue;
            };
            let words: Vec<&str> = status.split_whitespace().collect();
            let (Some(sel), Some(state)) = (words.first(), words.get(2)) else {
                continue;
            };
            let mut name = name.to_string();
            if arch != "all" && self.osarch == "amd64" && arch != self.osarch {
                name = format!("{name}:{arch}");
            }
            rows.push((
                sel.to_string(),
                state.to_string(),
                name,
                version.to_string(),
            ));
        }
        Ok(rows)
    }
}

impl Manager for Apt<'_> {
    fn name(&self) -> &'static str {
        "apt"
    }

    fn scheme(&self) -> Scheme {
        Scheme::Dpkg
    }

    fn installed(&self) -> Result<Map, PkgError> {
        let mut out = Map::new();
        for (sel, state, name, version) in self.selections()? {
            if (sel == "install" || sel == "hold") && state == "installed" {
                out.insert(name, version.into());
            }
        }
        Ok(out)
    }

    fn config_remains(&self) -> Result<Map, PkgError> {
        let mut out = Map::new();
        for (sel, _, name, version) in self.selections()? {
            if sel == "deinstall" {
                out.insert(name, version.into());
            }
        }
        Ok(out)
    }

    fn candidates(&self, names: &[String]) -> Result<Map, PkgError> {
        let mut argv = strings(&["apt-cache", "-q", "policy"]);
        argv.extend(names.iter().cloned());
        let text = self.tool.run(&argv)?;
        let mut found = parse_policy(&text);
        Ok(names
            .iter()
            .map(|n| (n.clone(), found.remove(n).unwrap_or_default().into()))
            .collect())
    }

    fn install(&self, targets: &[Target], opts: &InstallOpts) -> Result<(), PkgError> {
        let mut argv = self.apt_get("install");
        let verb = argv.pop().unwrap_or_default();
        argv.extend(strings(&[
            "-o",
            "DPkg::Options::=--force-confold",
            "-o",
            "DPkg::Options::=--force-confdef",
        ]));
        match opts.install_recommends {
            Some(false) => argv.push("--no-install-recommends".into()),
            Some(true) => argv.push("--install-recommends".into()),
            None => {}
        }
        if opts.skip_verify {
            argv.push("--allow-unauthenticated".into());
        }
        if let Some(repo) = &opts.fromrepo {
            argv.extend(["-t".to_string(), repo.clone()]);
        }
        argv.push(verb);
        argv.extend(targets.iter().map(|t| match &t.version {
            // an exact version is asked for; a range (`>=1.2`) or glob
            // installs the candidate, which the state then checks
            Some(v) if crate::version::is_exact(v.trim_start_matches('=')) => {
                format!("{}={}", t.name, v.trim_start_matches('='))
            }
            _ => t.name.clone(),
        }));
        let out = self.tool.raw(&argv)?;
        if out.retcode != 0 {
            return Err(failed(&argv, &out));
        }
        Ok(())
    }

    fn remove(&self, names: &[String], purge: bool) -> Result<(), PkgError> {
        let mut argv = self.apt_get(if purge { "purge" } else { "remove" });
        argv.extend(names.iter().cloned());
        let out = self.tool.raw(&argv)?;
        if out.retcode != 0 {
            return Err(failed(&argv, &out));
        }
        Ok(())
    }

    fn refresh(&self) -> Result<Value, PkgError> {
        let text = self.tool.run(&self.apt_get("update"))?;
        Ok(Value::Object(parse_update(&text)))
    }

    fn held(&self) -> Result<Vec<String>, PkgError> {
        let text = self.tool.run(&strings(&["apt-mark", "showhold"]))?;
        Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    }

    fn set_hold(&self, name: &str, hold: bool) -> Result<(), PkgError> {
        let verb = if hold { "hold" } else { "unhold" };
        self.tool.run(&strings(&["apt-mark", verb, name]))?;
        Ok(())
    }

    fn info(&self, names: &[String]) -> Result<Map, PkgError> {
        let fields = [
            "${binary:Package}",
            "${Architecture}",
            "${Maintainer}",
            "${source:Package}",
            "${Version}",
            "${Section}",
            "${Homepage}",
            "${Status}",
            "${Description}",
        ];
        let fmt = format!("{}{END}", fields.join(&SEP.to_string()));
        let mut argv = strings(&["dpkg-query", "--showformat", &fmt, "-W"]);
        argv.extend(names.iter().cloned());
        let out = self.tool.raw(&argv)?;
        let mut ret = Map::new();
        for rec in out.stdout_text().split(END) {
            let cols: Vec<&str> = rec.trim_start_matches('\n').split(SEP).collect();
            let [name, arch, packager, source, version, group, url, status, desc] = cols[..] else {
                continue;
            };
            if !status.ends_with(" installed") {
                continue;
            }
            let mut m = Map::new();
            m.insert("name".into(), name.into());
            m.insert("architecture".into(), arch.into());
            m.insert("packager".into(), packager.into());
            m.insert("source".into(), source.into());
            m.insert("version".into(), version.into());
            m.insert("group".into(), group.into());
            if !url.is_empty() {
                m.insert("url".into(), url.into());
            }
            if let Some(date) = install_date(Path::new(self.info_dir), name, arch) {
                m.insert("install_date".into(), date.into());
            }
            m.insert("description".into(), format!("{desc}\n").into());
            ret.insert(name.to_string(), Value::Object(m));
        }
        Ok(ret)
    }
}

/// `apt-cache policy` blocks: `name:` then `  Candidate: VERSION`.
pub fn parse_policy(text: &str) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            current = Some(line.trim_end_matches(':').to_string());
        } else if let (Some(name), Some(v)) = (&current, line.trim().strip_prefix("Candidate:")) {
            let v = v.trim();
            out.insert(
                name.clone(),
                if v == "(none)" {
                    String::new()
                } else {
                    v.into()
                },
            );
        }
    }
    out
}

/// Salt's reading of `apt-get update`: `Get` → true, `Hit` → null,
/// `Ign`/`Err` → false, keyed by the rest of the line (size stripped).
pub fn parse_update(text: &str) -> Map {
    let mut ret = Map::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let Some(head) = cols.first() else { continue };
        let mut ident = cols[1..].join(" ");
        let v = if head.contains("Get") {
            if let Some(i) = ident.rfind(" [") {
                if ident.ends_with("B]") {
                    ident.truncate(i);
                }
            }
            Value::Bool(true)
        } else if head.contains("Ign") || head.contains("Err") {
            Value::Bool(false)
        } else if head.contains("Hit") {
            Value::Null
        } else {
            continue;
        };
        ret.insert(ident, v);
    }
    ret
}

/// The mtime of dpkg's file list of `name` as Salt shows it (`...Z`).
fn install_date(dir: &Path, name: &str, arch: &str) -> Option<String> {
    let list = [
        dir.join(format!("{name}.list")),
        dir.join(format!("{name}:{arch}.list")),
    ]
    .into_iter()
    .find(|p| p.exists())?;
    let mtime = std::fs::metadata(list).ok()?.modified().ok()?;
    let secs = mtime.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    let (y, mo, d) = halite_api::calendar::civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    Some(format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_candidates_per_package() {
        let text = "hello:\n  Installed: (none)\n  Candidate: 2.10-3\n  Version table:\n     2.10-3 500\nnosuch:\n  Installed: (none)\n  Candidate: (none)\n";
        let c = parse_policy(text);
        assert_eq!(c["hello"], "2.10-3");
        assert_eq!(c["nosuch"], "");
    }

    #[test]
    fn update_lines_as_salt_reads_them() {
        let text = "Hit:1 http://deb.debian.org/debian bookworm InRelease\nGet:2 http://deb.debian.org/debian bookworm-updates InRelease [55.4 kB]\nIgn:3 http://x y Release\nReading package lists...\n";
        let m = parse_update(text);
        assert_eq!(
            m["http://deb.debian.org/debian bookworm InRelease"],
            Value::Null
        );
        assert_eq!(
            m["http://deb.debian.org/debian bookworm-updates InRelease"],
            Value::Bool(true)
        );
        assert_eq!(m["http://x y Release"], Value::Bool(false));
        assert_eq!(m.len(), 3, "{m:?}");
    }
}
