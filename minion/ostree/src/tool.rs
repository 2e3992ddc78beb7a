//! The OS seam: every `rpm-ostree`, `bootc`, `ostree` and `systemctl` call
//! goes through here, and from here only through the context's one command
//! runner, so modules can be tested with a fake runner or a fake on PATH.
//!
//! Exit codes are mapped once: 0 = done, 77 (`--unchanged-exit-77`) = nothing
//! changed, anything else = a [`ToolError::Failed`] carrying stderr.

use std::path::PathBuf;
use std::time::Duration;

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, RunError, Value};

use crate::model::{bootc, rpm_ostree, ParseError};

/// rpm-ostree's "no new deployment" / "no updates" exit code.
pub const EXIT_UNCHANGED: i32 = 77;

/// How many times `status` is tried, 1 s apart, while the daemon is being
/// activated (rpm-ostree's own Rust client does 10 × 1 s too).
const STATUS_ATTEMPTS: u32 = 10;

/// Why a tool call did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{tool} is not installed or cannot be run: {source}")]
    Missing {
        tool: &'static str,
        #[source]
        source: RunError,
    },
    #[error("`{cmd}` failed with exit code {code}: {message}")]
    Failed {
        cmd: String,
        code: i32,
        message: String,
    },
    #[error("`{cmd}` timed out")]
    TimedOut { cmd: String },
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// What a mutating call reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: the tool did something (still confirm it in status).
    Done,
    /// Exit 77: the tool says nothing changed.
    Unchanged,
}

/// The tools of an image-based host, run through one command runner.
pub struct Tools<'a> {
    runner: &'a dyn CommandRunner,
    /// `--sysroot` for `ostree admin` (None on a real host: `/`).
    sysroot: Option<PathBuf>,
    pause: Duration,
}

impl<'a> Tools<'a> {
    /// The tools for a module call (`ostree_sysroot` option picks the sysroot).
    pub fn for_ctx(ctx: &'a Ctx) -> Tools<'a> {
        let sysroot = ctx
            .opt("ostree_sysroot")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && *s != "/")
            .map(PathBuf::from);
        Tools {
            runner: ctx.runner.as_ref(),
            sysroot,
            pause: Duration::from_secs(1),
        }
    }

    /// Tools over any runner (the health gate, tests).
    pub fn new(runner: &'a dyn CommandRunner, sysroot: Option<PathBuf>) -> Tools<'a> {
        Tools {
            runner,
            sysroot,
            pause: Duration::from_secs(1),
        }
    }

    /// Run `rpm-ostree ARGS`, whatever its exit code.
    pub fn rpm_ostree_raw(&self, args: &[String]) -> Result<CmdOutput, ToolError> {
        let mut spec =
            CmdSpec::argv(std::iter::once("rpm-ostree".to_string()).chain(args.iter().cloned()));
        spec.env
            .insert("RPMOSTREE_CLIENT_ID".into(), "halite".into());
        self.run("rpm-ostree", &spec)
    }

    /// `rpm-ostree status --json`, retried while the daemon starts.
    pub fn rpm_ostree_status(&self) -> Result<rpm_ostree::Status, ToolError> {
        let args = strings(&["status", "--json"]);
        let mut last = None;
        for attempt in 0..STATUS_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(self.pause);
            }
            let out = self.rpm_ostree_raw(&args)?;
            if out.retcode == 0 {
                return Ok(rpm_ostree::Status::parse(&String::from_utf8_lossy(
                    &out.stdout,
                ))?);
            }
            last = Some(failed("rpm-ostree", &args, &out));
        }
        Err(last.expect("at least one attempt"))
    }

    /// A mutating rpm-ostree call: 0 = done, 77 = unchanged, else an error.
    pub fn rpm_ostree_mutate(&self, args: &[String]) -> Result<Outcome, ToolError> {
        let out = self.rpm_ostree_raw(args)?;
        match out.retcode {
            0 => Ok(Outcome::Done),
            EXIT_UNCHANGED => Ok(Outcome::Unchanged),
            _ => Err(failed("rpm-ostree", args, &out)),
        }
    }

    /// A read-only rpm-ostree call that must succeed; its stdout.
    pub fn rpm_ostree_text(&self, args: &[String]) -> Result<String, ToolError> {
        let out = self.rpm_ostree_raw(args)?;
        if out.retcode != 0 {
            return Err(failed("rpm-ostree", args, &out));
        }
        Ok(out.stdout_text())
    }

    /// The default deployment's kernel arguments (`rpm-ostree kargs`).
    pub fn rpm_ostree_kargs(&self) -> Result<Vec<String>, ToolError> {
        let text = self.rpm_ostree_text(&strings(&["kargs"]))?;
        Ok(text.split_whitespace().map(str::to_string).collect())
    }

    /// `bootc ARGS`, whatever its exit code.
    pub fn bootc_raw(&self, args: &[String]) -> Result<CmdOutput, ToolError> {
        let spec = CmdSpec::argv(std::iter::once("bootc".to_string()).chain(args.iter().cloned()));
        self.run("bootc", &spec)
    }

    /// `bootc status --json`.
    pub fn bootc_status(&self) -> Result<bootc::Host, ToolError> {
        let args = strings(&["status", "--json"]);
        let out = self.bootc_raw(&args)?;
        if out.retcode != 0 {
            return Err(failed("bootc", &args, &out));
        }
        Ok(bootc::Host::parse(&String::from_utf8_lossy(&out.stdout))?)
    }

    /// A bootc call that must exit 0; its stdout.
    pub fn bootc(&self, args: &[String]) -> Result<String, ToolError> {
        let out = self.bootc_raw(args)?;
        if out.retcode != 0 {
            return Err(failed("bootc", args, &out));
        }
        Ok(out.stdout_text())
    }

    /// `ostree admin ARGS [--sysroot=...]`, which must exit 0.
    pub fn ostree_admin(&self, args: &[String]) -> Result<String, ToolError> {
        let mut argv = vec!["ostree".to_string(), "admin".to_string()];
        argv.extend(args.iter().cloned());
        if let Some(root) = &self.sysroot {
            argv.push(format!("--sysroot={}", root.display()));
        }
        let out = self.run("ostree", &CmdSpec::argv(argv.clone()))?;
        if out.retcode != 0 {
            return Err(failed("ostree", &argv[1..], &out));
        }
        Ok(out.stdout_text())
    }

    /// Reboot the host (`systemctl reboot`).
    pub fn reboot(&self) -> Result<(), ToolError> {
        let args = strings(&["reboot"]);
        let out = self.run("systemctl", &CmdSpec::argv(["systemctl", "reboot"]))?;
        if out.retcode != 0 {
            return Err(failed("systemctl", &args, &out));
        }
        Ok(())
    }

    fn run(&self, tool: &'static str, spec: &CmdSpec) -> Result<CmdOutput, ToolError> {
        tracing::debug!("running {}", spec.argv.join(" "));
        let out = self
            .runner
            .run(spec)
            .map_err(|source| ToolError::Missing { tool, source })?;
        if out.timed_out {
            return Err(ToolError::TimedOut {
                cmd: spec.argv.join(" "),
            });
        }
        Ok(out)
    }
}

impl ToolError {
    /// The tool is absent (spawn failed), as opposed to failing.
    pub fn is_missing(&self) -> bool {
        matches!(self, ToolError::Missing { .. })
    }
}

fn failed(tool: &str, args: &[String], out: &CmdOutput) -> ToolError {
    let stderr = out.stderr_text();
    let message = if stderr.trim().is_empty() {
        out.stdout_text()
    } else {
        stderr
    };
    ToolError::Failed {
        cmd: format!("{tool} {}", args.join(" ")),
        code: out.retcode,
        message: message.trim().trim_start_matches("error: ").to_string(),
    }
}

/// Owned argv pieces.
pub fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}
