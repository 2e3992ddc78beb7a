//! Salt's systemd masks (`salt/modules/systemd_service.py`): `service.mask`,
//! `service.unmask` (`unmask_`) and `service.masked`, with the unit-change
//! check they run first (`_check_for_unit_changes`), `root` relocation
//! (`--root`) and `systemd-run --scope` where systemd supports it.

use std::path::{Path, PathBuf};

use halite_api::{Ctx, ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, reject_unknown_kwargs, required_str, ExecResult};
use crate::util::shell::{self, RunOpts, RunResult};
use crate::util::systemd::unit_name;

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "service.mask",
        doc: "Mask the specified service with systemd",
        run: mask,
    },
    ExecSpec {
        name: "service.unmask",
        doc: "Unmask the specified service with systemd",
        run: unmask,
    },
    ExecSpec {
        name: "service.masked",
        doc: "Check whether or not a service is masked",
        run: masked,
    },
];

/// The systemd facts the mask functions read, relocatable for tests.
pub struct Units<'a> {
    pub ctx: &'a Ctx,
    /// `/` on a real host; a directory in tests (Salt's paths join onto it).
    pub fs_root: PathBuf,
    /// `salt.utils.systemd.booted`.
    pub booted: bool,
    /// `which("systemctl")`.
    pub systemctl: Option<String>,
    /// `which("systemd-run")`.
    pub systemd_run: Option<String>,
}

fn failed(msg: impl Into<String>) -> ExecError {
    ExecError::Failed(msg.into())
}

impl<'a> Units<'a> {
    pub fn system(ctx: &'a Ctx) -> Self {
        Units {
            ctx,
            fs_root: PathBuf::from("/"),
            booted: crate::util::systemd::booted(),
            systemctl: crate::exec::cmd::which_path("systemctl"),
            systemd_run: crate::exec::cmd::which_path("systemd-run"),
        }
    }

    /// A host path: `_root(path, root)` joined onto [`Units::fs_root`].
    fn path(&self, p: &str, root: Option<&str>) -> PathBuf {
        let rel = p.trim_start_matches('/');
        match root {
            Some(r) => self.fs_root.join(r.trim_start_matches('/')).join(rel),
            None => self.fs_root.join(rel),
        }
    }

    fn run(&self, argv: Vec<String>) -> Result<RunResult, ExecError> {
        let cmd = Value::Array(argv.into_iter().map(Value::String).collect());
        shell::run_salt(self.ctx, &cmd, &RunOpts::default(), &[], true).map_err(failed)
    }

    /// `salt.utils.systemd.version`: the number after `systemd` in `systemctl --version`.
    fn version(&self) -> Result<Option<u32>, ExecError> {
        let out = self.run(vec![self.systemctl_path(), "--version".into()])?;
        let first = out.stdout.lines().next().unwrap_or_default().to_string();
        Ok(first.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
    }

    fn systemctl_path(&self) -> String {
        self.systemctl.clone().unwrap_or_else(|| "systemctl".into())
    }

    /// `config.get('systemd.scope', True)`.
    fn scope_allowed(&self) -> bool {
        let args = vec![Value::String("systemd.scope".into()), Value::Bool(true)];
        self.ctx
            .call("config.get", args, Map::new())
            .map(|o| halite_api::module::value_to_bool(&o.ret))
            .unwrap_or(true)
    }

    /// `_systemctl_cmd(action, name, systemd_scope, root=root)`.
    fn command(
        &self,
        action: &[&str],
        name: &str,
        scope: bool,
        root: Option<&str>,
    ) -> Result<Vec<String>, ExecError> {
        let mut argv = Vec::new();
        let has_scope = scope && self.booted && self.version()?.is_some_and(|v| v >= 205);
        if has_scope && self.scope_allowed() {
            let Some(run) = self.systemd_run.clone() else {
                return Err(failed("systemd-run is required for running systemctl with --scope, but it was not found on the system. Make sure systemd-run is installed and in the system's PATH or disable it using the 'systemd.scope' config option."));
            };
            argv.extend([run, "--scope".into()]);
        }
        argv.push(self.systemctl_path());
        if let Some(r) = root {
            argv.extend(["--root".into(), r.into()]);
        }
        argv.extend(action.iter().map(|a| a.to_string()));
        argv.push(unit_name(name));
        if action.contains(&"status") {
            argv.extend(["-n".into(), "0".into()]);
        }
        Ok(argv)
    }

    /// `_systemctl_status`: `systemctl status <unit> -n 0`, stderr merged.
    fn status(&self, name: &str) -> Result<RunResult, ExecError> {
        let argv = self.command(&["status"], name, false, None)?;
        self.run(argv)
    }

    /// `_check_available` (offline hosts refuse it).
    fn check_available(&self, name: &str) -> Result<bool, ExecError> {
        if !self.booted && self.systemctl.is_some() {
            return Err(failed(format!(
                "Cannot run in offline mode. Failed to get information on unit '{name}'"
            )));
        }
        let st = self.status(name)?;
        if self.version()?.is_some_and(|v| v >= 231) {
            return Ok((0..4).contains(&st.retcode));
        }
        let out = st.stdout.to_lowercase();
        if out.contains("could not be found") {
            return Ok(false);
        }
        let re = regex::Regex::new(r"^\s+loaded:\s+(\S+)").expect("valid regex");
        out.split('\n')
            .find_map(|l| re.captures(l).map(|c| &c[1] != "not-found"))
            .ok_or_else(|| failed(format!("Failed to get information on unit '{name}'")))
    }

    /// `systemctl_reload`: `systemctl --system daemon-reload`.
    fn reload(&self) -> Result<(), ExecError> {
        let out = self.run(vec![
            self.systemctl_path(),
            "--system".into(),
            "daemon-reload".into(),
        ])?;
        if out.retcode != 0 {
            return Err(failed(format!(
                "Problem performing systemctl daemon-reload: {}",
                out.stdout
            )));
        }
        Ok(())
    }

    /// `_check_for_unit_changes`: daemon-reload for an untracked custom unit
    /// or a unit file systemd says changed.
    fn check_for_unit_changes(&self, name: &str) -> Result<(), ExecError> {
        let unit = self.path("/etc/systemd/system", None).join(unit_name(name));
        let untracked = readable(&unit) && !self.check_available(name)?;
        if untracked
            || self
                .status(name)?
                .stdout
                .to_lowercase()
                .contains("'systemctl daemon-reload'")
        {
            self.reload()?;
        }
        Ok(())
    }

    /// `masked(name, runtime, root)`: the unit's link in `/etc` (or `/run`)
    /// `systemd/system` points at `/dev/null`.
    pub fn masked(&self, name: &str, runtime: bool, root: Option<&str>) -> Result<bool, ExecError> {
        self.check_for_unit_changes(name)?;
        let dir = if runtime { "/run" } else { "/etc" };
        let link = self
            .path(dir, root)
            .join("systemd/system")
            .join(unit_name(name));
        match std::fs::read_link(&link) {
            Ok(target) => Ok(target == Path::new("/dev/null")),
            Err(e) => {
                if e.raw_os_error() == Some(22) {
                    tracing::error!("Failed to check mask status for service {name}. Path {} is a file, not a symlink. This could be caused by changes in systemd and is probably a bug in Salt. Please report this to the developers.", link.display());
                }
                Ok(false)
            }
        }
    }

    /// `systemctl [--root R] <verb> [--runtime] <unit>`, stderr merged.
    fn mask_cmd(
        &self,
        verb: &str,
        name: &str,
        runtime: bool,
        root: Option<&str>,
    ) -> Result<RunResult, ExecError> {
        let action: Vec<&str> = if runtime {
            vec![verb, "--runtime"]
        } else {
            vec![verb]
        };
        let argv = self.command(&action, name, true, root)?;
        self.run(argv)
    }

    /// `mask(name, runtime, root)`.
    pub fn mask(&self, name: &str, runtime: bool, root: Option<&str>) -> Result<bool, ExecError> {
        self.check_for_unit_changes(name)?;
        let out = self.mask_cmd("mask", name, runtime, root)?;
        if out.retcode != 0 {
            let msg = format!("Failed to mask service '{name}'");
            return Err(failed(with_info(msg, &out.stdout)));
        }
        Ok(true)
    }

    /// `unmask_(name, runtime, root)`.
    pub fn unmask(&self, name: &str, runtime: bool, root: Option<&str>) -> Result<bool, ExecError> {
        self.check_for_unit_changes(name)?;
        if !self.masked(name, runtime, root)? {
            let kind = if runtime { "runtime-" } else { "" };
            tracing::debug!("Service '{name}' is not {kind}masked");
            return Ok(true);
        }
        if self.mask_cmd("unmask", name, runtime, root)?.retcode != 0 {
            return Err(failed(format!("Failed to unmask service '{name}'")));
        }
        Ok(true)
    }
}

/// `str(CommandExecutionError(msg, info=text))` for a text `info`.
fn with_info(msg: String, info: &str) -> String {
    super::command_error_with_info(&msg, info.trim_end())
}

/// `os.access(path, os.R_OK)`.
fn readable(p: &Path) -> bool {
    std::fs::File::open(p).is_ok()
}

/// Python truthiness of an optional argument.
pub fn truthy(v: Option<&Value>) -> bool {
    v.is_some_and(halite_api::value::is_truthy)
}

/// `(name, runtime=False, root=None)`.
fn args(call: &ExecCall<'_>) -> Result<(String, bool, Option<String>), ExecError> {
    reject_unknown_kwargs(call, &["name", "runtime", "root"])?;
    let name = required_str(call, 0, "name")?;
    let runtime = truthy(call.arg(1, "runtime"));
    let root = call
        .arg(2, "root")
        .filter(|v| truthy(Some(v)))
        .map(halite_api::module::value_to_arg_string);
    Ok((name, runtime, root))
}

fn mask(call: &ExecCall<'_>) -> ExecResult {
    let (name, runtime, root) = args(call)?;
    ok(Units::system(call.ctx).mask(&name, runtime, root.as_deref())?)
}

fn unmask(call: &ExecCall<'_>) -> ExecResult {
    let (name, runtime, root) = args(call)?;
    ok(Units::system(call.ctx).unmask(&name, runtime, root.as_deref())?)
}

fn masked(call: &ExecCall<'_>) -> ExecResult {
    let (name, runtime, root) = args(call)?;
    ok(Units::system(call.ctx).masked(&name, runtime, root.as_deref())?)
}

#[cfg(test)]
mod tests;
