//! Running commands the way Salt's `cmd` module does: shell or argv, cwd
//! defaulting to the runas user's home, env, umask, timeout, stdin.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use halite_api::module::{value_to_arg_string, value_to_bool};
use halite_api::{CmdOutput, CmdSpec, Ctx, Map, Value};

use super::accounts;

/// How to run one command.
#[derive(Debug, Clone, Default)]
pub struct RunOpts {
    pub cwd: Option<String>,
    pub env: BTreeMap<String, String>,
    pub runas: Option<String>,
    pub shell: Option<String>,
    pub python_shell: bool,
    pub stdin: Option<String>,
    pub timeout: Option<f64>,
    pub umask: Option<u32>,
    pub prepend_path: Option<String>,
}

/// `env` given as a dict or as a list of one-key dicts; values are stringified
/// (`None` → empty string).
pub fn parse_env(v: &Value) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let mut add = |m: &Map| {
        for (k, v) in m {
            let s = if v.is_null() {
                String::new()
            } else {
                value_to_arg_string(v)
            };
            out.insert(k.clone(), s);
        }
    };
    match v {
        Value::Null => {}
        Value::Object(m) => add(m),
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(m) => add(m),
                    _ => {
                        return Err(
                            "Invalid environment: 'env' must be a dict or a list of dicts".into(),
                        )
                    }
                }
            }
        }
        _ => return Err("Invalid environment: 'env' must be a dict or a list of dicts".into()),
    }
    Ok(out)
}

fn opt_str(m: &Map, key: &str) -> Option<String> {
    m.get(key).filter(|v| !v.is_null()).map(value_to_arg_string)
}

impl RunOpts {
    /// Options from keyword arguments (`cwd`, `env`, `runas`, `shell`,
    /// `python_shell`, `stdin`, `timeout`, `umask`, `prepend_path`).
    pub fn from_map(m: &Map, python_shell_default: bool) -> Result<Self, String> {
        let umask = match opt_str(m, "umask") {
            Some(u) => Some(
                u32::from_str_radix(u.trim_start_matches("0o"), 8)
                    .map_err(|_| format!("Invalid umask: '{u}'"))?,
            ),
            None => None,
        };
        let timeout = match m.get("timeout").filter(|v| !v.is_null()) {
            Some(v) => Some(
                value_to_arg_string(v)
                    .parse::<f64>()
                    .map_err(|_| format!("Invalid timeout: '{v}'"))?,
            ),
            None => None,
        };
        Ok(RunOpts {
            cwd: opt_str(m, "cwd"),
            env: parse_env(m.get("env").unwrap_or(&Value::Null))?,
            runas: opt_str(m, "runas").filter(|s| !s.is_empty()),
            shell: opt_str(m, "shell"),
            python_shell: m
                .get("python_shell")
                .filter(|v| !v.is_null())
                .map(value_to_bool)
                .unwrap_or(python_shell_default),
            stdin: opt_str(m, "stdin"),
            timeout,
            umask,
            prepend_path: opt_str(m, "prepend_path"),
        })
    }
}

/// The shell used when none is given: the `shell` grain, else `/bin/sh`.
pub fn default_shell(ctx: &Ctx) -> String {
    ctx.grains
        .get("shell")
        .and_then(Value::as_str)
        .unwrap_or("/bin/sh")
        .to_string()
}

/// Default working directory: the home of `runas` (or of the current user).
fn default_cwd(runas: Option<&str>) -> String {
    match runas {
        Some(u) => accounts::user_by_name(u)
            .map(|e| e.home)
            .unwrap_or_else(|| "/".into()),
        None => std::env::var("HOME")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "/root".into()),
    }
}

/// Build the [`CmdSpec`] for `cmd` (a string, or a list of argv items).
pub fn build_spec(ctx: &Ctx, cmd: &Value, opts: &RunOpts) -> Result<CmdSpec, String> {
    let mut spec = match cmd {
        Value::Array(items) if !opts.python_shell => {
            CmdSpec::argv(items.iter().map(value_to_arg_string))
        }
        Value::Array(items) => {
            let line: Vec<String> = items.iter().map(value_to_arg_string).collect();
            CmdSpec::shell(
                &opts.shell.clone().unwrap_or_else(|| default_shell(ctx)),
                &line.join(" "),
            )
        }
        other => {
            let line = value_to_arg_string(other);
            if opts.python_shell {
                CmdSpec::shell(
                    &opts.shell.clone().unwrap_or_else(|| default_shell(ctx)),
                    &line,
                )
            } else {
                CmdSpec::argv(shlex_split(&line)?)
            }
        }
    };
    if spec.argv.is_empty() || spec.argv.iter().all(String::is_empty) {
        return Err("No command specified".into());
    }
    if let Some(user) = &opts.runas {
        if accounts::user_by_name(user).is_none() {
            return Err(format!("User '{user}' is not available"));
        }
    }
    let cwd = opts
        .cwd
        .clone()
        .unwrap_or_else(|| default_cwd(opts.runas.as_deref()));
    if !std::path::Path::new(&cwd).is_dir() {
        return Err(format!(
            "Specified cwd '{cwd}' either not absolute or does not exist"
        ));
    }
    spec.cwd = Some(PathBuf::from(cwd));
    spec.env = opts.env.clone();
    if let Some(pp) = &opts.prepend_path {
        let path = std::env::var("PATH").unwrap_or_default();
        spec.env.insert("PATH".into(), format!("{pp}:{path}"));
    }
    spec.runas = opts.runas.clone();
    spec.stdin = opts.stdin.clone().map(String::into_bytes);
    spec.timeout = opts
        .timeout
        .filter(|t| *t > 0.0)
        .map(Duration::from_secs_f64);
    spec.umask = opts.umask;
    Ok(spec)
}

/// Run `cmd`; the error text is what Salt puts in the failure comment.
pub fn run(ctx: &Ctx, cmd: &Value, opts: &RunOpts) -> Result<CmdOutput, String> {
    let spec = build_spec(ctx, cmd, opts)?;
    ctx.runner.run(&spec).map_err(|e| e.to_string())
}

/// Python's `str.rstrip()` (all trailing whitespace).
pub fn rstrip(s: &str) -> String {
    s.trim_end().to_string()
}

/// stdout/stderr of a finished command as Salt reports them (lossy UTF-8, rstripped).
pub fn texts(out: &CmdOutput) -> (String, String) {
    (
        rstrip(&String::from_utf8_lossy(&out.stdout)),
        rstrip(&String::from_utf8_lossy(&out.stderr)),
    )
}

/// A POSIX-like `shlex.split`.
pub fn shlex_split(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("No escaped character".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(x) => cur.push(x),
                    None => return Err("No escaped character".into()),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shlex_handles_quotes() {
        assert_eq!(
            shlex_split(r#"echo 'a b' "c \"d\"" e\ f"#).unwrap(),
            vec!["echo", "a b", "c \"d\"", "e f"]
        );
        assert!(shlex_split("echo 'open").is_err());
    }

    #[test]
    fn env_forms() {
        let e = parse_env(&json!([{"A": 1}, {"B": null}])).unwrap();
        assert_eq!(e.get("A").unwrap(), "1");
        assert_eq!(e.get("B").unwrap(), "");
        assert!(parse_env(&json!("x")).is_err());
    }

    #[test]
    fn opts_parse_umask_and_timeout() {
        let m = json!({"umask": "077", "timeout": 5, "python_shell": false});
        let o = RunOpts::from_map(m.as_object().unwrap(), true).unwrap();
        assert_eq!(o.umask, Some(0o77));
        assert_eq!(o.timeout, Some(5.0));
        assert!(!o.python_shell);
    }
}

/// What Salt's `cmd._run` returns.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub pid: u32,
    pub retcode: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Salt's `cmd._run`: run, rstrip the streams, map `success_retcodes` to 0,
/// report a timeout as retcode 1 with `<cmd> : Timed out after <n> seconds`.
/// `merge_stderr` appends stderr to stdout (`cmd.run`'s redirect).
pub fn run_salt(
    ctx: &Ctx,
    cmd: &Value,
    opts: &RunOpts,
    success_retcodes: &[i32],
    merge_stderr: bool,
) -> Result<RunResult, String> {
    let out = run(ctx, cmd, opts)?;
    if out.timed_out {
        let timeout = opts
            .timeout
            .map(|t| {
                if t.fract() == 0.0 {
                    format!("{}", t as i64)
                } else {
                    t.to_string()
                }
            })
            .unwrap_or_default();
        return Ok(RunResult {
            pid: out.pid,
            retcode: 1,
            stdout: format!(
                "{} : Timed out after {timeout} seconds",
                value_to_arg_string(cmd)
            ),
            stderr: String::new(),
        });
    }
    let (stdout, stderr) = if merge_stderr {
        let mut all = out.stdout.clone();
        all.extend_from_slice(&out.stderr);
        (rstrip(&String::from_utf8_lossy(&all)), String::new())
    } else {
        texts(&out)
    };
    let retcode = if success_retcodes.contains(&out.retcode) {
        0
    } else {
        out.retcode
    };
    Ok(RunResult {
        pid: out.pid,
        retcode,
        stdout,
        stderr,
    })
}

/// `success_retcodes` as a list of ints (a single int is accepted).
pub fn parse_retcodes(v: Option<&Value>) -> Vec<i32> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| value_to_arg_string(i).parse().ok())
            .collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => value_to_arg_string(other)
            .parse()
            .ok()
            .into_iter()
            .collect(),
    }
}
