//! Carrying out a plan: each [`Step`] through its seam, in order, stopping
//! at the first failure and saying which steps ran.

use std::path::Path;

use halite_api::atomic::write_atomic;
use halite_api::{CmdSpec, CommandRunner};

use crate::host::wait_for_device;
use crate::lvm::Lvm;
use crate::plan::Step;

/// A step that failed, after `done` succeeded.
#[derive(Debug)]
pub struct Failed {
    pub done: Vec<String>,
    pub step: String,
    pub message: String,
}

/// Run `steps`; returns the lines of the steps that ran.
pub fn run(
    steps: &[Step],
    runner: &dyn CommandRunner,
    lvm: &Lvm<'_>,
) -> Result<Vec<String>, Failed> {
    let mut done = Vec::new();
    for step in steps {
        match run_one(step, runner, lvm) {
            Ok(()) => done.push(step.to_string()),
            Err(message) => {
                return Err(Failed {
                    done,
                    step: step.to_string(),
                    message,
                });
            }
        }
    }
    Ok(done)
}

/// Test mode: the read-only checks of a plan whose filesystem is already
/// there (no `mount` step before them), so test=True refuses what the real
/// run would refuse.
pub fn run_checks(steps: &[Step], runner: &dyn CommandRunner, lvm: &Lvm<'_>) -> Result<(), Failed> {
    let mut mounts_first = false;
    for step in steps {
        match step {
            Step::Run { argv, .. } if argv.first().is_some_and(|a| a == "mount") => {
                mounts_first = true
            }
            Step::CheckFtype { .. } if !mounts_first => {
                run_one(step, runner, lvm).map_err(|message| Failed {
                    done: Vec::new(),
                    step: step.to_string(),
                    message,
                })?
            }
            _ => {}
        }
    }
    Ok(())
}

fn run_one(step: &Step, runner: &dyn CommandRunner, lvm: &Lvm<'_>) -> Result<(), String> {
    match step {
        Step::Lvm { verb, args } => lvm.run(verb, args).map(|_| ()).map_err(|e| e.to_string()),
        Step::Run { argv, optional } => command(runner, argv, *optional),
        Step::WaitDevice { path, timeout } => {
            if *timeout == 0 || wait_for_device(path, *timeout) {
                Ok(())
            } else {
                Err(format!(
                    "Partition device {path} is not available after {timeout} s"
                ))
            }
        }
        Step::Write {
            path,
            content,
            mode,
        } => write(path, content.as_bytes(), *mode),
        Step::Remove { path } => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{path}: {e}")),
            _ => Ok(()),
        },
        Step::Mkdir { path } => std::fs::create_dir_all(path).map_err(|e| format!("{path}: {e}")),
        Step::Fstab {
            fstab,
            line,
            mount_point,
        } => fstab_entry(fstab, line, mount_point),
        Step::CheckFtype { mount_point } => check_ftype(runner, mount_point),
    }
}

fn command(runner: &dyn CommandRunner, argv: &[String], optional: bool) -> Result<(), String> {
    match runner.run(&CmdSpec::argv(argv.iter().cloned())) {
        Err(_) if optional => Ok(()),
        Err(e) => Err(format!("`{}` could not run: {e}", argv.join(" "))),
        Ok(out) if out.retcode == 0 => Ok(()),
        Ok(out) => Err(format!(
            "`{}` failed with exit code {}: {}",
            argv.join(" "),
            out.retcode,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

fn write(path: &str, data: &[u8], mode: u32) -> Result<(), String> {
    if let Some(dir) = Path::new(path).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    write_atomic(Path::new(path), data, mode).map_err(|e| format!("{path}: {e}"))
}

/// Replace the entry for `mount_point` (or append one), atomically.
fn fstab_entry(fstab: &str, line: &str, mount_point: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(fstab).unwrap_or_default();
    let mut replaced = false;
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if !l.trim_start().starts_with('#') && f.get(1) == Some(&mount_point) && !replaced {
                replaced = true;
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    if !replaced {
        lines.push(line.to_string());
    }
    write(fstab, format!("{}\n", lines.join("\n")).as_bytes(), 0o644)
}

/// overlay2 needs d_type: refuse an XFS made without ftype=1.
fn check_ftype(runner: &dyn CommandRunner, mount_point: &str) -> Result<(), String> {
    let out = runner
        .run(&CmdSpec::argv(["xfs_info", mount_point]))
        .map_err(|e| format!("xfs_info could not run: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if out.retcode == 0 && text.contains("ftype=1") {
        Ok(())
    } else {
        Err(format!(
            "{mount_point} is not XFS with ftype=1, which overlay2 needs (xfs_info: {})",
            text.trim()
        ))
    }
}
