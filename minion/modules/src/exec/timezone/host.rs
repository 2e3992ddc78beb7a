//! The host side of Salt's `timezone` module on Linux: `timedatectl` when it
//! is on PATH (its failure is an error, as in Salt, even where systemd is
//! not running), else the os-family files (`/etc/timezone`,
//! `/etc/sysconfig/clock`, `/etc/localtime`, `/etc/default/rcS`, `/etc/adjtime`).

use std::path::{Path, PathBuf};

use halite_api::{CmdSpec, Ctx, ExecError};

use crate::util::atomic;

/// Where the zone lives on this host and how to reach it.
pub struct Host<'a> {
    pub ctx: &'a Ctx,
    /// `/` on a real host; a directory in tests.
    pub root: PathBuf,
    /// `timedatectl` is on PATH (Salt's `salt.utils.path.which`).
    pub timedatectl: bool,
    pub os_family: String,
}

/// Python's `exc.strerror`: the message without Rust's ` (os error N)`.
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Python's `os.path.normpath` of an absolute path.
fn normpath(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
}

fn failed(msg: impl Into<String>) -> ExecError {
    ExecError::Failed(msg.into())
}

impl<'a> Host<'a> {
    /// This host: `/`, PATH lookup of timedatectl, the `os_family` grain.
    pub fn system(ctx: &'a Ctx) -> Self {
        let os_family = ctx
            .grains
            .get("os_family")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        Host {
            ctx,
            root: PathBuf::from("/"),
            timedatectl: crate::exec::cmd::which_path("timedatectl").is_some(),
            os_family,
        }
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.root.join(p.trim_start_matches('/'))
    }

    fn family(&self, names: &[&str]) -> bool {
        names.contains(&self.os_family.as_str())
    }

    /// Run a command; its exit status and rstripped stdout/stderr.
    pub fn run(&self, argv: &[&str]) -> Result<(i32, String, String), ExecError> {
        let out = self
            .ctx
            .runner
            .run(&CmdSpec::argv(argv.iter().copied()))
            .map_err(|e| failed(e.to_string()))?;
        let (o, e) = (out.stdout_text(), out.stderr_text());
        Ok((out.retcode, o.trim_end().into(), e.trim_end().into()))
    }

    /// `_timedatectl`: its stdout, or Salt's error.
    fn timedatectl_out(&self) -> Result<String, ExecError> {
        let (rc, out, err) = self.run(&["timedatectl"])?;
        if rc != 0 {
            return Err(failed(format!("timedatectl failed: {err}")));
        }
        Ok(out)
    }

    fn parse_error(out: &str) -> ExecError {
        failed(format!(
            "Failed to parse timedatectl output: {out}\nPlease file an issue with SaltStack"
        ))
    }

    /// `get_zone`.
    pub fn get_zone(&self) -> Result<String, ExecError> {
        if self.timedatectl {
            let out = self.timedatectl_out()?;
            let re = regex::Regex::new(r"^Time ?zone:\s+(\S+)").expect("valid regex");
            return out
                .lines()
                .find_map(|l| re.captures(l.trim()).map(|c| c[1].to_string()))
                .ok_or_else(|| Self::parse_error(&out));
        }
        if self.family(&["RedHat", "Suse"]) {
            return self.zone_sysconfig();
        }
        if self.family(&["Debian", "Gentoo"]) {
            let f = self.path("/etc/timezone");
            return std::fs::read_to_string(&f)
                .map(|s| s.trim().to_string())
                .map_err(|e| {
                    failed(format!(
                        "Problem reading timezone file /etc/timezone: {}",
                        strerror(&e)
                    ))
                });
        }
        if self.family(&["FreeBSD", "OpenBSD", "NetBSD", "NILinuxRT", "Slackware"]) {
            return self.zone_localtime();
        }
        Err(failed("Unable to get timezone"))
    }

    /// `_get_zone_sysconfig`: the `ZONE=` line of `/etc/sysconfig/clock`.
    fn zone_sysconfig(&self) -> Result<String, ExecError> {
        let text = std::fs::read_to_string(self.path("/etc/sysconfig/clock"))
            .map_err(|e| failed(strerror(&e)))?;
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .find(|l| l.contains("ZONE") && l.contains('='))
            .map(|l| {
                let v = l.rsplit('=').next().unwrap_or("").trim_matches(['\'', '"']);
                if v.is_empty() { "UTC" } else { v }.to_string()
            })
            .ok_or_else(|| failed("Unable to get timezone from /etc/sysconfig/clock"))
    }

    /// `_get_zone_etc_localtime` for a symlinked `/etc/localtime`.
    fn zone_localtime(&self) -> Result<String, ExecError> {
        let link = std::fs::read_link(self.path("/etc/localtime"))
            .map_err(|_| failed("Unable to determine timezone"))?;
        let abs = Path::new("/etc").join(link);
        let norm = normpath(&abs);
        norm.strip_prefix("/usr/share/zoneinfo/")
            .map(str::to_string)
            .ok_or_else(|| failed("Unable to determine timezone"))
    }

    /// `zone_compare`: names via `get_zone`, else `/etc/localtime`'s bytes
    /// against the zone file's (`Ok(Err(msg))` is Salt's SaltInvocationError).
    pub fn zone_compare(&self, tz: &str) -> Result<bool, ExecError> {
        match self.get_zone() {
            Ok(z) => return Ok(z == tz),
            Err(ExecError::Failed(_)) => {}
            Err(e) => return Err(e),
        }
        let local = std::fs::read(self.path("/etc/localtime")).map_err(|e| {
            failed(format!(
                "Failed to read /etc/localtime to determine current timezone: {}",
                strerror(&e)
            ))
        });
        let zone = std::fs::read(self.path(&format!("/usr/share/zoneinfo/{tz}")));
        match (local, zone) {
            (Err(e), _) => Err(e),
            (_, Err(_)) => Err(ExecError::Invocation(format!(
                "Can't find a local timezone \"{tz}\""
            ))),
            (Ok(a), Ok(b)) => Ok(a == b),
        }
    }

    /// `_get_adjtime_timezone`: the last line of `/etc/adjtime`.
    fn adjtime(&self) -> Result<Option<String>, ExecError> {
        let f = self.path("/etc/adjtime");
        if f.exists() {
            let last = std::fs::read_to_string(&f)
                .map_err(|e| failed(strerror(&e)))?
                .lines()
                .last()
                .unwrap_or_default()
                .to_string();
            return Ok(Some(last));
        }
        if self.path("/dev/rtc").exists() {
            return Err(failed("Unable to get hwclock timezone from /etc/adjtime"));
        }
        Ok(None)
    }

    /// `get_hwclock`: `UTC` or `localtime` (`None` where Salt finds nothing).
    pub fn get_hwclock(&self) -> Result<Option<String>, ExecError> {
        if self.timedatectl {
            let out = self.timedatectl_out()?;
            let line = out
                .lines()
                .map(str::trim)
                .find(|l| l.to_lowercase().contains("rtc in local tz"))
                .ok_or_else(|| Self::parse_error(&out))?;
            let yes = line.rsplit(':').next().unwrap_or("").trim().to_lowercase() == "yes";
            return Ok(Some(if yes { "localtime" } else { "UTC" }.into()));
        }
        if self.family(&["RedHat", "Suse", "NILinuxRT"]) {
            return self.adjtime();
        }
        if self.family(&["Debian"]) {
            if let Ok(text) = std::fs::read_to_string(self.path("/etc/default/rcS")) {
                let hit = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .find(|l| l.contains("UTC="));
                if let Some(l) = hit {
                    let utc = l.rsplit('=').next().unwrap_or("").to_lowercase() == "yes";
                    return Ok(Some(if utc { "UTC" } else { "localtime" }.into()));
                }
            }
            return self.adjtime();
        }
        Ok(None)
    }

    /// Point `/etc/localtime` at `zonepath` (a new link renamed over the old).
    fn relink(&self, zonepath: &str) -> Result<(), ExecError> {
        let dest = self.path("/etc/localtime");
        let dir = dest.parent().unwrap_or(Path::new("/"));
        let tmp = dir.join(format!(".localtime.salt.{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(zonepath, &tmp)
            .and_then(|_| std::fs::rename(&tmp, &dest))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                failed(format!("/etc/localtime: {}", strerror(&e)))
            })
    }

    /// Salt's `file.sed` for one anchored pattern: replace matching lines
    /// in place (nothing when the file does not exist).
    fn sed(&self, file: &str, pattern: &str, repl: &str) -> Result<(), ExecError> {
        let f = self.path(file);
        let Ok(text) = std::fs::read_to_string(&f) else {
            return Ok(());
        };
        let re = regex::Regex::new(pattern).expect("valid regex");
        let new: String = crate::util::diff::lines_keepends(&text)
            .into_iter()
            .map(|l| {
                let (body, nl) = l.strip_suffix('\n').map_or((l, ""), |b| (b, "\n"));
                format!("{}{nl}", re.replace(body, regex::NoExpand(repl)))
            })
            .collect();
        if new != text {
            atomic::write_atomic(&f, new.as_bytes(), 0o644)
                .map_err(|e| failed(format!("{file}: {}", strerror(&e))))?;
        }
        Ok(())
    }

    /// The zone line of `/etc/sysconfig/clock` on RedHat (`ZONE`) and Suse
    /// (`TIMEZONE`) hosts; false (nothing written) on other families.
    fn set_sysconfig_clock(&self, tz: &str) -> Result<bool, ExecError> {
        let key = if self.family(&["RedHat"]) {
            "ZONE"
        } else if self.family(&["Suse"]) {
            "TIMEZONE"
        } else {
            return Ok(false);
        };
        let line = format!("{key}=\"{tz}\"");
        self.sed("/etc/sysconfig/clock", &format!("^{key}=.*"), &line)?;
        Ok(true)
    }

    /// `set_zone`: `Ok(None)` for True, `Ok(Some(msg))` for Salt's string answer.
    pub fn set_zone(&self, tz: &str) -> Result<Option<String>, ExecError> {
        if self.timedatectl {
            self.run(&["timedatectl", "set-timezone", tz])?;
        }
        let zonepath = format!("/usr/share/zoneinfo/{tz}");
        if !self.path(&zonepath).exists() {
            return Ok(Some(format!("Zone does not exist: {zonepath}")));
        }
        self.relink(&zonepath)?;
        if !self.set_sysconfig_clock(tz)? && self.family(&["Debian", "Gentoo"]) {
            atomic::write_atomic(
                &self.path("/etc/timezone"),
                format!("{}\n", tz.trim()).as_bytes(),
                0o644,
            )
            .map_err(|e| failed(format!("/etc/timezone: {}", strerror(&e))))?;
        }
        Ok(None)
    }

    /// `set_hwclock` (`UTC` or `localtime`).
    pub fn set_hwclock(&self, clock: &str) -> Result<bool, ExecError> {
        if self.timedatectl {
            let local = if clock == "localtime" {
                "true"
            } else {
                "false"
            };
            return Ok(self.run(&["timedatectl", "set-local-rtc", local])?.0 == 0);
        }
        if self.family(&["AIX", "NILinuxRT"]) {
            if clock.to_lowercase() != "utc" {
                return Err(ExecError::Invocation(
                    "UTC is the only permitted value".into(),
                ));
            }
            return Ok(true);
        }
        let tz = self.get_zone()?;
        let zonepath = format!("/usr/share/zoneinfo/{tz}");
        if !self.path(&zonepath).exists() {
            return Err(failed(format!("Zone '{zonepath}' does not exist")));
        }
        self.relink(&zonepath)?;
        if !self.set_sysconfig_clock(&tz)? && self.family(&["Debian"]) {
            match clock {
                "UTC" => self.sed("/etc/default/rcS", "^UTC=.*", "UTC=yes")?,
                "localtime" => self.sed("/etc/default/rcS", "^UTC=.*", "UTC=no")?,
                _ => {}
            }
        }
        Ok(true)
    }
}
