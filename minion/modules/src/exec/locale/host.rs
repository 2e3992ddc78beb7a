//! The host side of Salt's `locale` module (`salt/modules/localemod.py`):
//! `localectl` where systemd is booted (no dbus bindings, as in Salt's
//! venv), else the os-family files (`/etc/default/locale`,
//! `/etc/sysconfig/i18n`, `/etc/sysconfig/language`, `/etc/default/init`)
//! and `eselect`; locale generation through `/etc/locale.gen` and
//! `locale-gen` or `localedef`.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use halite_api::{Ctx, ExecError, Map, Value};

use super::names::normalize;
use crate::util::replace;
use crate::util::shell::{self, RunOpts, RunResult};

/// An error as Salt raises it: `CommandExecutionError` (the states catch
/// it), `SaltInvocationError`, or another Python exception (`KeyError: ...`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocaleError {
    #[error("{0}")]
    Command(String),
    #[error("{0}")]
    Invocation(String),
    #[error("{0}")]
    Python(String),
}

impl LocaleError {
    /// The last line of Salt's traceback for this error.
    pub fn traceback_line(&self) -> String {
        match self {
            LocaleError::Command(m) => format!("salt.exceptions.CommandExecutionError: {m}"),
            LocaleError::Invocation(m) => format!("salt.exceptions.SaltInvocationError: {m}"),
            LocaleError::Python(m) => m.clone(),
        }
    }
}

impl From<ExecError> for LocaleError {
    fn from(e: ExecError) -> Self {
        match e {
            ExecError::Invocation(m) => LocaleError::Invocation(m),
            other => LocaleError::Command(other.to_string()),
        }
    }
}

impl From<LocaleError> for ExecError {
    fn from(e: LocaleError) -> Self {
        match e {
            LocaleError::Invocation(m) => ExecError::Invocation(m),
            LocaleError::Command(m) | LocaleError::Python(m) => ExecError::Failed(m),
        }
    }
}

pub type Result<T> = std::result::Result<T, LocaleError>;

fn command(msg: impl Into<String>) -> LocaleError {
    LocaleError::Command(msg.into())
}

/// What `salt.utils.path.which` finds for the commands Salt looks for.
#[derive(Debug, Clone, Default)]
pub struct Tools {
    pub localectl: Option<String>,
    pub update_locale: Option<String>,
    pub locale_gen: Option<String>,
    pub localedef: Option<String>,
}

/// This host's locale facts: root, systemd, tools and the grains Salt reads.
pub struct Host<'a> {
    pub ctx: &'a Ctx,
    /// `/` on a real host; a directory in tests.
    pub root: PathBuf,
    /// `salt.utils.systemd.booted`.
    pub booted: bool,
    pub tools: Tools,
    pub os: String,
    pub os_family: String,
    pub osmajorrelease: i64,
    pub oscodename: String,
    /// Salt's `__context__["retcode"]`: the exit status of the last
    /// command run as `cmd.*` (salt-call's exit code for an exec call).
    pub retcode: Cell<i32>,
}

fn grain_str(ctx: &Ctx, key: &str) -> String {
    ctx.grains
        .get(key)
        .map(halite_api::py::str_of)
        .unwrap_or_default()
}

impl<'a> Host<'a> {
    /// This host: `/`, `/run/systemd/system`, PATH lookups and grains.
    pub fn system(ctx: &'a Ctx) -> Self {
        let which = crate::exec::cmd::which_path;
        Host {
            ctx,
            root: PathBuf::from("/"),
            booted: crate::util::systemd::booted(),
            tools: Tools {
                localectl: which("localectl"),
                update_locale: which("update-locale"),
                locale_gen: which("locale-gen"),
                localedef: which("localedef"),
            },
            os: grain_str(ctx, "os"),
            os_family: grain_str(ctx, "os_family"),
            osmajorrelease: grain_str(ctx, "osmajorrelease").parse().unwrap_or(0),
            oscodename: grain_str(ctx, "oscodename"),
            retcode: Cell::new(0),
        }
    }

    /// A host path under [`Host::root`], as text for Salt's command lines.
    pub fn path(&self, p: &str) -> String {
        self.root
            .join(p.trim_start_matches('/'))
            .to_string_lossy()
            .into_owned()
    }

    fn family_has(&self, name: &str) -> bool {
        self.os_family.contains(name)
    }

    /// Run without touching [`Host::retcode`] (Salt's bare `subprocess.run`).
    fn spawn(&self, cmd: Value, merge: bool) -> Result<RunResult> {
        shell::run_salt(self.ctx, &cmd, &RunOpts::default(), &[], merge).map_err(command)
    }

    /// Run as a `cmd.*` call, recording its exit status.
    fn exec(&self, cmd: Value, merge: bool) -> Result<RunResult> {
        let res = self.spawn(cmd, merge)?;
        self.retcode.set(res.retcode);
        Ok(res)
    }

    /// `cmd.run_all(argv)`: stdout and stderr apart.
    pub fn exec_argv(&self, argv: &[String]) -> Result<RunResult> {
        self.exec(
            Value::Array(argv.iter().cloned().map(Value::String).collect()),
            false,
        )
    }

    /// `cmd.run(cmd)` from another module: no shell, stderr merged, rstripped.
    pub fn cmd_run(&self, cmd: &str) -> Result<String> {
        Ok(self.exec(Value::String(cmd.into()), true)?.stdout)
    }

    /// `list_avail`: `locale -a`, one entry a line.
    pub fn list_avail(&self) -> Result<Vec<String>> {
        Ok(self
            .cmd_run("locale -a")?
            .split('\n')
            .map(str::to_string)
            .collect())
    }

    /// `avail`: whether a listed locale normalizes to the same name.
    pub fn avail(&self, locale: &str) -> Result<bool> {
        let want = normalize(locale);
        Ok(self
            .list_avail()?
            .iter()
            .any(|x| normalize(x.trim()) == want))
    }

    /// `_localectl_status`: `localectl status` as `{key: {VAR: value}}` or
    /// `{key: {"data": text}}`.
    pub fn localectl_status(&self) -> Result<Map> {
        if self.tools.localectl.is_none() {
            return Err(command("Unable to find \"localectl\""));
        }
        let probe = self.spawn(Value::Array(vec!["localectl".into()]), false)?;
        if probe
            .stderr
            .contains("Failed to connect to bus: No such file or directory")
        {
            return Err(command("Command \"localectl\" is in a degraded state."));
        }
        let out = self.cmd_run("localectl status")?;
        let ret = parse_localectl(out.trim())?;
        if ret.is_empty() {
            tracing::debug!(
                "Unable to find any locale information inside the following data:\n{out}"
            );
            return Err(command("Unable to parse result of \"localectl\""));
        }
        Ok(ret)
    }

    /// `get_locale`.
    pub fn get_locale(&self) -> Result<String> {
        let suse12 = self.os_family == "Suse" && self.osmajorrelease == 12;
        if self.booted && !suse12 {
            let status = self.localectl_status()?;
            let sys = status
                .get("system_locale")
                .ok_or_else(|| LocaleError::Python("KeyError: 'system_locale'".into()))?;
            return Ok(sys
                .get("LANG")
                .map(halite_api::py::str_of)
                .unwrap_or_default());
        }
        let cmd = if self.family_has("Suse") {
            format!("grep \"^RC_LANG\" {}", self.path("/etc/sysconfig/language"))
        } else if self.family_has("RedHat") {
            format!("grep \"^LANG=\" {}", self.path("/etc/sysconfig/i18n"))
        } else if self.family_has("Debian") {
            format!("grep \"^LANG=\" {}", self.path("/etc/default/locale"))
        } else if self.family_has("Gentoo") {
            return Ok(self
                .cmd_run("eselect --brief locale show")?
                .trim()
                .to_string());
        } else if self.family_has("Solaris") {
            format!("grep \"^LANG=\" {}", self.path("/etc/default/init"))
        } else {
            return Err(command(format!(
                "Error: \"{}\" is unsupported!",
                self.oscodename
            )));
        };
        let out = self.cmd_run(&cmd)?;
        match out.split('=').nth(1) {
            Some(v) => Ok(v.replace('"', "")),
            None => {
                tracing::error!("Error occurred while running \"{cmd}\": list index out of range");
                Ok(String::new())
            }
        }
    }

    /// `file.replace(path, '^VAR=.*', line, append_if_not_found=True)`,
    /// after `file.touch` when `touch` and the file is missing.
    fn replace_var(&self, file: &str, var: &str, line: &str, touch: bool) -> Result<()> {
        let path = self.path(file);
        if touch {
            replace::touch(Path::new(&path))?;
        }
        replace::replace(Path::new(&path), &format!("^{var}.*"), line, true)?;
        Ok(())
    }

    /// `_localectl_set`: `localectl set-locale` keeping the other variables,
    /// else `LANG=` written into `/etc/locale.conf`.
    fn localectl_set(&self, locale: &str) -> Result<bool> {
        let mut params = match self.localectl_status()?.get("system_locale") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        params.insert("LANG".into(), Value::String(locale.into()));
        let args: Vec<String> = params
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{k}=\"{}\"", halite_api::py::str_of(v)))
            .collect();
        let cmd = format!("localectl set-locale {}", args.join(" "));
        if self.exec(Value::String(cmd), false)?.retcode == 0 {
            return Ok(true);
        }
        tracing::debug!("localectl set-locale failed; writing /etc/locale.conf directly");
        self.replace_var("/etc/locale.conf", "LANG=", &format!("LANG={locale}"), true)?;
        Ok(true)
    }

    /// `set_locale`.
    pub fn set_locale(&self, locale: &str) -> Result<bool> {
        let skip_ctl = (self.os_family == "Suse" && self.osmajorrelease == 12)
            || (self.os_family == "Debian" && self.osmajorrelease >= 13);
        if self.booted && !skip_ctl {
            return self.localectl_set(locale);
        }
        let quoted = |var: &str| format!("{var}=\"{locale}\"");
        if self.family_has("Suse") {
            self.replace_var(
                "/etc/sysconfig/language",
                "RC_LANG=",
                &quoted("RC_LANG"),
                true,
            )?;
        } else if self.family_has("RedHat") {
            self.replace_var("/etc/sysconfig/i18n", "LANG=", &quoted("LANG"), true)?;
        } else if self.family_has("Debian") {
            let Some(update) = self.tools.update_locale.clone() else {
                return Err(command(
                    "Cannot set locale: \"update-locale\" was not found.",
                ));
            };
            self.cmd_run(&update)?;
            self.replace_var("/etc/default/locale", "LANG=", &quoted("LANG"), false)?;
        } else if self.family_has("Gentoo") {
            let cmd = format!("eselect --brief locale set {locale}");
            return Ok(self.exec(Value::String(cmd), false)?.retcode == 0);
        } else if self.family_has("Solaris") {
            if !self.list_avail()?.iter().any(|l| l == locale) {
                return Ok(false);
            }
            self.replace_var("/etc/default/init", "LANG=", &quoted("LANG"), false)?;
        } else {
            return Err(command("Error: Unsupported platform!"));
        }
        Ok(true)
    }
}

/// The key/value parse of `_localectl_status`.
fn parse_localectl(out: &str) -> Result<Map> {
    let mut ret = Map::new();
    let mut key: Option<String> = None;
    for line in out.lines() {
        let data = if line.contains(": ") {
            let parts: Vec<&str> = line.split(": ").collect();
            if parts.len() != 2 {
                return Err(LocaleError::Python(
                    "ValueError: too many values to unpack (expected 2)".into(),
                ));
            }
            key = Some(parts[0].trim().to_lowercase().replace(' ', "_"));
            parts[1]
        } else {
            line.trim()
        };
        let Some(k) = key.as_ref().filter(|_| !data.is_empty()) else {
            continue;
        };
        if data.contains('=') {
            let set: Vec<&str> = data.split('=').collect();
            if set.len() == 2 {
                let entry = ret
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = entry {
                    m.insert(set[0].into(), Value::String(set[1].into()));
                }
            }
        } else {
            let v = if data == "n/a" || data == "(unset)" {
                Value::Null
            } else {
                Value::String(data.into())
            };
            let mut m = Map::new();
            m.insert("data".into(), v);
            ret.insert(k.clone(), Value::Object(m));
        }
    }
    Ok(ret)
}
