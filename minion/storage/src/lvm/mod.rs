//! The LVM seam: every LVM command goes through [`Lvm`], and from there
//! through the context's one command runner as `lvm <verb> …`. Reports are
//! read with `--reportformat json --units b --nosuffix`; nothing parses
//! LVM's human output.
//!
//! Two minion options serve hosts without udev or device-mapper (the test
//! machines): `lvm_system_dir` (a private `LVM_SYSTEM_DIR`) and
//! `lvm_driverloaded: false` (adds `--driverloaded n` to every command).

pub mod report;

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, RunError, Value};

pub use report::{Lv, Pv, Vg};

/// Why an LVM command gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum LvmError {
    #[error("lvm is not installed or cannot be run: {0}")]
    Missing(#[source] RunError),
    #[error("`{cmd}` failed with exit code {code}: {message}")]
    Failed {
        cmd: String,
        code: i32,
        message: String,
    },
    #[error("`{cmd}` printed a report that is not LVM JSON: {why}")]
    BadReport { cmd: String, why: String },
}

/// LVM over one command runner.
pub struct Lvm<'a> {
    runner: &'a dyn CommandRunner,
    system_dir: Option<String>,
    driverloaded: bool,
}

impl<'a> Lvm<'a> {
    /// LVM for a module call (the `lvm_*` minion options).
    pub fn for_ctx(ctx: &'a Ctx) -> Lvm<'a> {
        Lvm::from_opts(&ctx.opts, ctx.runner.as_ref())
    }

    /// LVM over any runner, with the same options (grains, the daemon).
    pub fn from_opts(opts: &halite_api::Map, runner: &'a dyn CommandRunner) -> Lvm<'a> {
        Lvm {
            runner,
            system_dir: opts
                .get("lvm_system_dir")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            driverloaded: opts
                .get("lvm_driverloaded")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        }
    }

    /// The command line `lvm VERB ARGS` is run as.
    pub fn spec(&self, verb: &str, args: &[String]) -> CmdSpec {
        let mut argv = vec!["lvm".to_string(), verb.to_string()];
        argv.extend(args.iter().cloned());
        if !self.driverloaded {
            argv.extend(["--driverloaded".to_string(), "n".to_string()]);
        }
        let mut spec = CmdSpec::argv(argv);
        spec.env
            .insert("LVM_SUPPRESS_FD_WARNINGS".into(), "1".into());
        if let Some(dir) = &self.system_dir {
            spec.env.insert("LVM_SYSTEM_DIR".into(), dir.clone());
        }
        spec
    }

    /// Run `lvm VERB ARGS`; a non-zero exit is an error carrying stderr.
    pub fn run(&self, verb: &str, args: &[String]) -> Result<CmdOutput, LvmError> {
        let out = self.run_raw(verb, args)?;
        if out.retcode != 0 {
            return Err(LvmError::Failed {
                cmd: shown(verb, args),
                code: out.retcode,
                message: stderr_message(&out),
            });
        }
        Ok(out)
    }

    /// Run `lvm VERB ARGS`, whatever its exit code.
    pub fn run_raw(&self, verb: &str, args: &[String]) -> Result<CmdOutput, LvmError> {
        self.runner
            .run(&self.spec(verb, args))
            .map_err(LvmError::Missing)
    }

    fn report(
        &self,
        verb: &str,
        fields: &str,
        extra: &[&str],
    ) -> Result<Vec<report::Row>, LvmError> {
        let mut args: Vec<String> = [
            "--reportformat",
            "json",
            "--units",
            "b",
            "--nosuffix",
            "-o",
            fields,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = self.run(verb, &args)?;
        report::rows(&String::from_utf8_lossy(&out.stdout), verb).map_err(|why| {
            LvmError::BadReport {
                cmd: shown(verb, &args),
                why,
            }
        })
    }

    /// Every PV LVM sees.
    pub fn pvs(&self) -> Result<Vec<Pv>, LvmError> {
        Ok(self
            .report("pvs", report::PV_FIELDS, &[])?
            .iter()
            .map(Pv::from_row)
            .collect())
    }

    /// Every VG LVM sees.
    pub fn vgs(&self) -> Result<Vec<Vg>, LvmError> {
        Ok(self
            .report("vgs", report::VG_FIELDS, &[])?
            .iter()
            .map(Vg::from_row)
            .collect())
    }

    /// The LVs of one VG; none (not an error) when the VG does not exist.
    pub fn lvs(&self, vg: &str) -> Result<Vec<Lv>, LvmError> {
        let select = format!("vg_name={vg}");
        Ok(self
            .report("lvs", report::LV_FIELDS, &["-S", &select])?
            .iter()
            .map(Lv::from_row)
            .collect())
    }

    /// The VG holding the LV at `device` (a /dev path), if it is one.
    pub fn vg_of_device(&self, device: &str) -> Option<String> {
        let rows = self.report("lvs", "vg_name", &[device]).ok()?;
        rows.first()
            .map(|r| report::field(r, "vg_name"))
            .filter(|s| !s.is_empty())
    }

    /// LVM's profile directory (`config/profile_dir`), as c-s-s asks for it.
    pub fn profile_dir(&self) -> Result<String, LvmError> {
        let args: Vec<String> = ["--type", "full", "config/profile_dir"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = self.run("config", &args)?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .find_map(|l| l.trim().strip_prefix("profile_dir="))
            .map(|v| v.trim_matches('"').to_string())
            .ok_or_else(|| LvmError::BadReport {
                cmd: shown("config", &args),
                why: format!("no profile_dir in {text:?}"),
            })
    }
}

/// How a command is shown in plans and messages: `VERB ARGS` (the name of
/// LVM's own symlink for the verb, as c-s-s writes it).
pub fn shown(verb: &str, args: &[String]) -> String {
    std::iter::once(verb.to_string())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// stderr without the noise LVM prints on hosts without device-mapper;
/// errors before warnings.
fn stderr_message(out: &CmdOutput) -> String {
    const NOISE: &[&str] = &[
        "/dev/mapper/control",
        "Failure to communicate with kernel device-mapper driver",
        "Incompatible libdevmapper",
        "Activation disabled. No device-mapper interaction",
        "leaked on lvm invocation",
    ];
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !NOISE.iter().any(|n| l.contains(n)))
        .collect();
    let (warnings, errors): (Vec<&str>, Vec<&str>) =
        lines.into_iter().partition(|l| l.starts_with("WARNING"));
    errors
        .into_iter()
        .chain(warnings)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The device-mapper name LVM gives `vg/lv`: hyphens doubled, joined by one.
pub fn dm_name(vg: &str, lv: &str) -> String {
    format!("{}-{}", vg.replace('-', "--"), lv.replace('-', "--"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dm_names_double_hyphens() {
        assert_eq!(
            super::dm_name("docker-vg", "docker-pool"),
            "docker--vg-docker--pool"
        );
        assert_eq!(super::dm_name("vg0", "pool"), "vg0-pool");
    }
}
