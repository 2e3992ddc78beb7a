//! How Salt's `git` module runs git (`_git_run` without an identity):
//! `cmd.run_all` with no shell, `runas=user`, its exit status kept as
//! salt-call's exit code; `git --version` for `_which_git_config`.

use std::cell::Cell;

use halite_api::{Ctx, ExecError, Value};

use crate::util::accounts;
use crate::util::shell::{self, RunOpts, RunResult};

/// Who runs git and how its failures count.
#[derive(Debug, Clone, Default)]
pub struct RunAs {
    pub user: Option<String>,
    pub ignore_retcode: bool,
}

/// Runs git for the config functions.
pub struct Git<'a> {
    pub ctx: &'a Ctx,
    /// Salt's `__context__["retcode"]` after the last `cmd.run_all`.
    pub retcode: Cell<i32>,
}

impl<'a> Git<'a> {
    pub fn new(ctx: &'a Ctx) -> Self {
        Git {
            ctx,
            retcode: Cell::new(0),
        }
    }

    /// `_git_run(command, cwd, user, ignore_retcode, failhard)`.
    pub fn run(
        &self,
        argv: &[String],
        cwd: Option<&str>,
        who: &RunAs,
        failhard: bool,
    ) -> Result<RunResult, ExecError> {
        let cmd = Value::Array(argv.iter().cloned().map(Value::String).collect());
        let opts = RunOpts {
            cwd: cwd.map(str::to_string),
            runas: who.user.clone(),
            ..RunOpts::default()
        };
        let res = shell::run_salt(self.ctx, &cmd, &opts, &[], false).map_err(ExecError::Failed)?;
        self.retcode
            .set(if who.ignore_retcode { 0 } else { res.retcode });
        if res.retcode == 0 || !failhard {
            return Ok(res);
        }
        let mut msg = format!("Command '{}' failed", argv.join(" "));
        if !res.stderr.is_empty() {
            msg.push_str(&format!(": {}", res.stderr));
        }
        Err(ExecError::Failed(msg))
    }

    /// `version()`: the last word of `git --version` before any `(`.
    pub fn version(&self) -> String {
        let argv = ["git".to_string(), "--version".into()];
        match self.run(&argv, None, &RunAs::default(), true) {
            Ok(res) => {
                let v = res.stdout.split('(').next().unwrap_or_default();
                let v = v.split(".windows").next().unwrap_or_default();
                v.split_whitespace().last().unwrap_or("unknown").to_string()
            }
            Err(e) => {
                tracing::error!("Failed to obtain the git version (error follows):\n{e}");
                "unknown".into()
            }
        }
    }

    /// `_which_git_config`: `--global`, `--local` (git >= 1.7.10.2), or
    /// `--file <git dir>/config` for older git.
    pub fn which_config(
        &self,
        global: bool,
        cwd: &str,
        who: &RunAs,
    ) -> Result<Vec<String>, ExecError> {
        if global {
            return Ok(vec!["--global".into()]);
        }
        if loose_at_least(&self.version(), &[1, 7, 10, 2]) {
            return Ok(vec!["--local".into()]);
        }
        let argv = ["git", "rev-parse", "--git-dir"].map(String::from);
        let quiet = RunAs {
            ignore_retcode: true,
            ..who.clone()
        };
        let git_dir = self.run(&argv, Some(cwd), &quiet, true)?.stdout;
        let path = std::path::Path::new(cwd).join(git_dir).join("config");
        Ok(vec!["--file".into(), path.to_string_lossy().into_owned()])
    }
}

/// `LooseVersion(v) >= LooseVersion(min)` for dotted numbers (a part that
/// is not a number ends the comparison as smaller).
fn loose_at_least(v: &str, min: &[u64]) -> bool {
    let parts: Vec<Option<u64>> = v.split('.').map(|p| p.parse().ok()).collect();
    for (i, m) in min.iter().enumerate() {
        match parts.get(i) {
            None => return false,
            Some(None) => return false,
            Some(Some(p)) if p != m => return p > m,
            _ => {}
        }
    }
    true
}

/// `_expand_path(cwd, user)`: `os.path.join(expanduser("~user"), cwd)`.
pub fn expand_path(cwd: &str, user: Option<&str>) -> String {
    if cwd.starts_with('/') {
        return cwd.to_string();
    }
    let home = match user {
        Some(u) => accounts::user_by_name(u)
            .map(|e| e.home)
            .unwrap_or_else(|| format!("~{u}")),
        None => std::env::var("HOME").unwrap_or_else(|_| "/root".into()),
    };
    format!("{}/{cwd}", home.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::{expand_path, loose_at_least};

    #[test]
    fn versions_and_paths() {
        assert!(loose_at_least("2.47.3", &[1, 7, 10, 2]));
        assert!(loose_at_least("1.7.10.2", &[1, 7, 10, 2]));
        assert!(!loose_at_least("1.7.9", &[1, 7, 10, 2]));
        assert!(!loose_at_least("1.7.10", &[1, 7, 10, 2]));
        assert_eq!(expand_path("/srv/repo", Some("nobody")), "/srv/repo");
    }
}
