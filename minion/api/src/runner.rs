//! The one place in Halite that starts external processes.
//!
//! Modules describe a command as a [`CmdSpec`] and hand it to a [`CommandRunner`].
//! Production code uses [`SystemRunner`]; tests use a scripted fake so that module
//! logic can be checked without touching the host.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CmdSpec {
    /// Program and arguments; `argv[0]` is looked up on PATH.
    pub argv: Vec<String>,
    /// Working directory.
    pub cwd: Option<PathBuf>,
    /// Extra environment variables (added to the inherited environment).
    pub env: BTreeMap<String, String>,
    /// Bytes written to the child's stdin (stdin is empty/closed otherwise).
    pub stdin: Option<Vec<u8>>,
    /// Run as this user (via `runuser -u USER --`); `None` runs as the current user.
    pub runas: Option<String>,
    /// Kill the child after this long.
    pub timeout: Option<Duration>,
    /// umask for the child, e.g. 0o022.
    pub umask: Option<u32>,
}

impl CmdSpec {
    /// A command from an argv list.
    pub fn argv<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CmdSpec {
            argv: argv.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// A shell command line run by `shell -c line`.
    pub fn shell(shell: &str, line: &str) -> Self {
        Self::argv([shell, "-c", line])
    }
}

/// What a finished command produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CmdOutput {
    pub pid: u32,
    /// Exit status; a signal-terminated child reports `-signal` like Python's subprocess.
    pub retcode: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
}

impl CmdOutput {
    /// stdout as text with one trailing newline removed, as Salt's cmd module returns it.
    pub fn stdout_text(&self) -> String {
        strip_one_newline(&self.stdout)
    }
    /// stderr as text with one trailing newline removed.
    pub fn stderr_text(&self) -> String {
        strip_one_newline(&self.stderr)
    }
}

fn strip_one_newline(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let s = s.strip_suffix('\n').unwrap_or(&s);
    s.strip_suffix('\r').unwrap_or(s).to_string()
}

/// Why a command could not be run at all (a non-zero exit is not an error).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("empty command")]
    Empty,
    #[error("unable to run command '{cmd}': {source}")]
    Spawn {
        cmd: String,
        #[source]
        source: std::io::Error,
    },
    #[error("i/o error while running '{cmd}': {source}")]
    Io {
        cmd: String,
        #[source]
        source: std::io::Error,
    },
}

/// Runs commands. Implemented by [`SystemRunner`] and by test fakes.
pub trait CommandRunner: Send + Sync {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError>;

    /// Start `argv` as a process that outlives the caller: its own session,
    /// stdio on /dev/null, reparented to init (no zombie left behind).
    /// Returns once it has started. Runners that cannot do this say so.
    fn spawn_detached(&self, argv: &[String]) -> Result<(), RunError> {
        Err(RunError::Spawn {
            cmd: argv.join(" "),
            source: std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "this runner cannot start detached processes",
            ),
        })
    }
}

/// Runs commands on the host with `std::process`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRunner;

impl CommandRunner for SystemRunner {
    /// `setsid --fork ARGV`: util-linux forks the program into a new session
    /// and exits at once, so the program is reparented to init.
    #[allow(clippy::disallowed_methods)] // the single sanctioned place that spawns processes
    fn spawn_detached(&self, argv: &[String]) -> Result<(), RunError> {
        if argv.is_empty() {
            return Err(RunError::Empty);
        }
        let shown = argv.join(" ");
        let status = Command::new("setsid")
            .arg("--fork")
            .args(argv)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|source| RunError::Spawn {
                cmd: shown.clone(),
                source,
            })?;
        if status.success() {
            Ok(())
        } else {
            Err(RunError::Spawn {
                cmd: shown,
                source: std::io::Error::other(format!("setsid exited with {status}")),
            })
        }
    }

    #[allow(clippy::disallowed_methods)] // the single sanctioned place that spawns processes
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        let argv = effective_argv(spec)?;
        let shown = argv.join(" ");
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]).envs(&spec.env);
        if let Some(cwd) = &spec.cwd {
            cmd.current_dir(cwd);
        }
        cmd.stdin(if spec.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        set_umask(&mut cmd, spec.umask);
        let mut child = cmd.spawn().map_err(|source| RunError::Spawn {
            cmd: shown.clone(),
            source,
        })?;
        let pid = child.id();
        if let (Some(data), Some(mut stdin)) = (spec.stdin.clone(), child.stdin.take()) {
            std::thread::spawn(move || {
                let _ = stdin.write_all(&data);
            });
        }
        let out = collect_pipes(&mut child);
        let io_err = |source| RunError::Io {
            cmd: shown.clone(),
            source,
        };
        let (status, timed_out) = wait_with_timeout(&mut child, spec.timeout).map_err(io_err)?;
        let (stdout, stderr) = out.join();
        Ok(CmdOutput {
            pid,
            retcode: exit_code(status),
            stdout,
            stderr,
            timed_out,
        })
    }
}

fn effective_argv(spec: &CmdSpec) -> Result<Vec<String>, RunError> {
    if spec.argv.is_empty() {
        return Err(RunError::Empty);
    }
    Ok(match &spec.runas {
        Some(user) => {
            let mut v = vec![
                "runuser".to_string(),
                "-u".into(),
                user.clone(),
                "--".into(),
            ];
            v.extend(spec.argv.iter().cloned());
            v
        }
        None => spec.argv.clone(),
    })
}

#[allow(unsafe_code)]
fn set_umask(cmd: &mut Command, umask: Option<u32>) {
    use std::os::unix::process::CommandExt;
    if let Some(mask) = umask {
        // SAFETY: umask(2) is async-signal-safe and touches only this child's state.
        unsafe {
            cmd.pre_exec(move || {
                libc::umask(mask as libc::mode_t);
                Ok(())
            });
        }
    }
}

struct PipeReaders {
    stdout: std::thread::JoinHandle<Vec<u8>>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

impl PipeReaders {
    fn join(self) -> (Vec<u8>, Vec<u8>) {
        (
            self.stdout.join().unwrap_or_default(),
            self.stderr.join().unwrap_or_default(),
        )
    }
}

fn read_all<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

fn collect_pipes(child: &mut std::process::Child) -> PipeReaders {
    PipeReaders {
        stdout: read_all(child.stdout.take()),
        stderr: read_all(child.stderr.take()),
    }
}

fn wait_with_timeout(
    child: &mut std::process::Child,
    timeout: Option<Duration>,
) -> std::io::Result<(std::process::ExitStatus, bool)> {
    let Some(limit) = timeout else {
        return Ok((child.wait()?, false));
    };
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, false));
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            return Ok((child.wait()?, true));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .unwrap_or_else(|| -status.signal().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_shell_and_captures_streams() {
        let out = SystemRunner
            .run(&CmdSpec::shell("/bin/sh", "echo hi; echo err >&2; exit 3"))
            .unwrap();
        assert_eq!(out.stdout_text(), "hi");
        assert_eq!(out.stderr_text(), "err");
        assert_eq!(out.retcode, 3);
    }

    #[test]
    fn feeds_stdin_and_env() {
        let mut spec = CmdSpec::shell("/bin/sh", "cat; printf %s \"$X\"");
        spec.stdin = Some(b"in:".to_vec());
        spec.env.insert("X".into(), "y".into());
        assert_eq!(SystemRunner.run(&spec).unwrap().stdout_text(), "in:y");
    }

    #[test]
    fn timeout_kills_child() {
        let mut spec = CmdSpec::shell("/bin/sh", "sleep 5");
        spec.timeout = Some(Duration::from_millis(100));
        let out = SystemRunner.run(&spec).unwrap();
        assert!(out.timed_out);
    }

    #[test]
    fn missing_program_is_spawn_error() {
        let err = SystemRunner
            .run(&CmdSpec::argv(["/nonexistent/x"]))
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/x"));
    }
}
