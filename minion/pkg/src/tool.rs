//! The OS seam: every package-manager command (`dpkg-query`, `apt-get`,
//! `apt-cache`, `apt-mark`, `rpm`, `dnf`/`yum`) runs through here, and from
//! here only through the context's one command runner, so the managers can
//! be tested with a fake runner.
//!
//! A lock held by another process is a typed error after a bounded wait
//! (`pkg_lock_timeout`, seconds, default 60), never an open-ended retry:
//! apt waits itself (`DPkg::Lock::Timeout`); dnf, which would wait without
//! end, is run with `exit_on_lock` and retried here ([`PkgTool::polling`]).

use std::time::Duration;

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, RunError, Value};

/// Default seconds to wait for a package-manager lock held by someone else.
pub const DEFAULT_LOCK_TIMEOUT: u64 = 60;

/// How often [`PkgTool::polling`] tries a locked command again.
const LOCK_POLL: Duration = Duration::from_secs(1);

/// Why a package-manager command gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum PkgError {
    #[error("{tool} is not installed or cannot be run: {source}")]
    Missing {
        tool: String,
        #[source]
        source: RunError,
    },
    #[error("the package database is locked by another process (waited {waited}s): {message}")]
    Locked { waited: u64, message: String },
    #[error("`{cmd}` failed with exit code {code}: {message}")]
    Failed {
        cmd: String,
        code: i32,
        message: String,
    },
    #[error("`{cmd}` timed out")]
    TimedOut { cmd: String },
    #[error("{0}")]
    Unsupported(String),
}

/// Runs package-manager commands with a non-interactive environment.
pub struct PkgTool<'a> {
    runner: &'a dyn CommandRunner,
    /// Seconds a command waits for a lock held by someone else.
    pub lock_timeout: u64,
}

impl<'a> PkgTool<'a> {
    pub fn new(runner: &'a dyn CommandRunner, lock_timeout: u64) -> PkgTool<'a> {
        PkgTool {
            runner,
            lock_timeout,
        }
    }

    /// The tool for a module call (`pkg_lock_timeout` option).
    pub fn for_ctx(ctx: &'a Ctx) -> PkgTool<'a> {
        let lock_timeout = ctx
            .opt("pkg_lock_timeout")
            .and_then(Value::as_u64)
            .unwrap_or(DEFAULT_LOCK_TIMEOUT);
        PkgTool::new(ctx.runner.as_ref(), lock_timeout)
    }

    /// Run `argv`; any exit code is returned (the caller judges it).
    pub fn raw(&self, argv: &[String]) -> Result<CmdOutput, PkgError> {
        let mut spec = CmdSpec::argv(argv.iter().cloned());
        for (k, v) in [
            ("DEBIAN_FRONTEND", "noninteractive"),
            ("APT_LISTBUGS_FRONTEND", "none"),
            ("APT_LISTCHANGES_FRONTEND", "none"),
            ("LC_ALL", "C"),
        ] {
            spec.env.insert(k.into(), v.into());
        }
        // the lock wait plus time for a real transaction
        spec.timeout = Some(Duration::from_secs(self.lock_timeout + 1800));
        let out = self.runner.run(&spec).map_err(|source| PkgError::Missing {
            tool: argv.first().cloned().unwrap_or_default(),
            source,
        })?;
        if out.timed_out {
            return Err(PkgError::TimedOut {
                cmd: argv.join(" "),
            });
        }
        if out.retcode != 0 {
            let stderr = out.stderr_text();
            if let Some(mut message) = lock_message(&stderr) {
                let holder = lock_path(&message)
                    .and_then(|p| lock_holder(&p))
                    .or_else(|| reported_holder(&stderr));
                if let Some(holder) = holder {
                    if !message.contains("held by process") {
                        message.push_str(&format!(" (held by process {holder})"));
                    }
                }
                return Err(PkgError::Locked {
                    waited: self.lock_timeout,
                    message,
                });
            }
        }
        Ok(out)
    }

    /// [`Self::raw`] for a tool that fails at once on a held lock (dnf with
    /// `exit_on_lock`): tried again every second until `lock_timeout`
    /// seconds have passed, then the lock failure, saying how long it waited.
    pub fn polling(&self, argv: &[String]) -> Result<CmdOutput, PkgError> {
        let started = std::time::Instant::now();
        let limit = Duration::from_secs(self.lock_timeout);
        loop {
            match self.raw(argv) {
                Err(PkgError::Locked { message, .. }) if started.elapsed() >= limit => {
                    return Err(PkgError::Locked {
                        waited: started.elapsed().as_secs(),
                        message,
                    });
                }
                Err(PkgError::Locked { .. }) => {
                    std::thread::sleep(LOCK_POLL.min(limit.saturating_sub(started.elapsed())));
                }
                other => return other,
            }
        }
    }

    /// Run `argv` and require exit 0; stdout on success.
    pub fn run(&self, argv: &[String]) -> Result<String, PkgError> {
        let out = self.raw(argv)?;
        if out.retcode != 0 {
            return Err(failed(argv, &out));
        }
        Ok(out.stdout_text())
    }
}

/// The [`PkgError::Failed`] of a finished command.
pub fn failed(argv: &[String], out: &CmdOutput) -> PkgError {
    let err = out.stderr_text();
    PkgError::Failed {
        cmd: argv.join(" "),
        code: out.retcode,
        message: if err.trim().is_empty() {
            out.stdout_text()
        } else {
            err
        },
    }
}

/// The lock lines of apt's or dnf's stderr, when the failure is a lock
/// another process holds.
fn lock_message(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            l.contains("Could not get lock")
                || l.contains("Unable to acquire the dpkg frontend lock")
                || l.contains("Waiting for process with pid")
                || l.contains("Failed to obtain rpm transaction lock")
                // dnf 4 with exit_on_lock: `RPMDB already locked by 4242`
                || l.contains(" already locked by ")
                // yum 3 with exit_on_lock
                || l.contains("Existing lock ")
        })
        .map(str::trim)
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The lock file a lock message names (`(/var/lib/dpkg/lock-frontend)` or
/// `lock /var/lib/dpkg/lock-frontend.`).
fn lock_path(message: &str) -> Option<std::path::PathBuf> {
    message
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.starts_with('/') && w.contains("lock"))
        .map(std::path::PathBuf::from)
}

/// `PID (comm)` of the process holding a POSIX or flock lock on `path`,
/// from `/proc/locks` (matched by inode).
fn lock_holder(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let ino = std::fs::metadata(path).ok()?.ino();
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = locks.lines().filter(|l| !l.contains("->")).find_map(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        let dev_ino = cols.get(5)?;
        let file_ino: u64 = dev_ino.rsplit(':').next()?.parse().ok()?;
        (file_ino == ino).then(|| cols.get(4).map(|p| p.to_string()))?
    })?;
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    Some(format!("{pid} ({})", comm.trim()))
}

/// `PID (name)` of the lock holder dnf or yum names: the pid of `already
/// locked by N`, `running as pid N` or `Waiting for process with pid N`,
/// the name from dnf's `The application with PID N is: NAME` or else
/// `/proc/N/comm`.
fn reported_holder(stderr: &str) -> Option<String> {
    let after = |l: &str, marker: &str| -> Option<u32> {
        let rest = &l[l.find(marker)? + marker.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    let pid = stderr.lines().find_map(|l| {
        [
            "already locked by ",
            "running as pid ",
            "Waiting for process with pid ",
        ]
        .iter()
        .find_map(|m| after(l, m))
    })?;
    let named = format!("The application with PID {pid} is: ");
    let name = stderr
        .lines()
        .find_map(|l| l.split_once(&named).map(|(_, n)| n.trim().to_string()))
        .or_else(|| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .ok()
                .map(|c| c.trim().to_string())
        });
    Some(match name {
        Some(n) if !n.is_empty() => format!("{pid} ({n})"),
        _ => pid.to_string(),
    })
}

/// Owned argv from string slices.
pub fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_lock_lines_are_recognised() {
        let err = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 22188 (python3)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?";
        let msg = lock_message(err).unwrap();
        assert!(msg.contains("held by process 22188"), "{msg}");
        assert!(lock_message("E: Unable to locate package x").is_none());
        let dnf = "RPMDB already locked by 4242\n  The application with PID 4242 is: dnf-automatic\n    Memory :  80 M RSS (400 MB VSZ)\n";
        assert_eq!(lock_message(dnf).unwrap(), "RPMDB already locked by 4242");
        assert_eq!(reported_holder(dnf).unwrap(), "4242 (dnf-automatic)");
        let yum = "Existing lock /var/run/yum.pid: another copy is running as pid 977.\n";
        assert!(reported_holder(yum).unwrap().starts_with("977"));
        assert_eq!(
            lock_path(err).unwrap(),
            std::path::Path::new("/var/lib/dpkg/lock-frontend")
        );
    }
}
