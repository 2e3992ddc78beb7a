//! The `cmd` execution module: run, run_all, run_stdout, run_stderr, retcode,
//! shell, script, script_retcode, which, has_exec.

use halite_api::module::value_to_bool;
use halite_api::{ExecCall, ExecError, ExecOutput, ExecSpec, Map, Value};

use super::{ok, ExecResult};
use crate::util::shell::{self, RunOpts, RunResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "cmd.run",
        doc: "Execute the passed command and return the output as a string",
        run,
    },
    ExecSpec {
        name: "cmd.run_all",
        doc: "Execute the passed command and return a dict of return data",
        run: run_all,
    },
    ExecSpec {
        name: "cmd.run_stdout",
        doc: "Execute a command, and only return the standard out",
        run: run_stdout,
    },
    ExecSpec {
        name: "cmd.run_stderr",
        doc: "Execute a command and only return the standard error",
        run: run_stderr,
    },
    ExecSpec {
        name: "cmd.retcode",
        doc: "Execute a shell command and return the command's return code.",
        run: retcode,
    },
    ExecSpec {
        name: "cmd.shell",
        doc: "Execute the passed command and return the output as a string (python_shell=True)",
        run: shell_fn,
    },
    ExecSpec {
        name: "cmd.script",
        doc: "Download a script from a remote location and execute the script locally.",
        run: script,
    },
    ExecSpec {
        name: "cmd.script_retcode",
        doc: "Run a script and return only its return code",
        run: script_retcode,
    },
    ExecSpec {
        name: "cmd.which",
        doc: "Returns the path of an executable available on the minion, None otherwise",
        run: which,
    },
    ExecSpec {
        name: "cmd.has_exec",
        doc: "Returns true if the executable is available on the minion, false otherwise",
        run: has_exec,
    },
];

fn command(call: &ExecCall<'_>) -> Result<Value, ExecError> {
    call.arg(0, "cmd")
        .cloned()
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'cmd'".into()))
}

/// Keyword options, with positional `cwd` as second argument as in Salt's signature.
fn options(
    call: &ExecCall<'_>,
    python_shell_default: bool,
) -> Result<(RunOpts, Vec<i32>, bool), ExecError> {
    let mut kw: Map = call.kwargs.clone();
    if let Some(cwd) = call.args.get(1) {
        kw.entry("cwd").or_insert(cwd.clone());
    }
    let opts = RunOpts::from_map(&kw, python_shell_default).map_err(ExecError::Invocation)?;
    let codes = shell::parse_retcodes(kw.get("success_retcodes"));
    let ignore = kw.get("ignore_retcode").is_some_and(value_to_bool);
    Ok((opts, codes, ignore))
}

/// Run with Salt's defaults: `python_shell` is on for direct calls.
fn execute(
    call: &ExecCall<'_>,
    merge_stderr: bool,
    shell_default: bool,
) -> Result<(RunResult, bool), ExecError> {
    let cmd = command(call)?;
    let (opts, codes, ignore) = options(call, shell_default)?;
    let res =
        shell::run_salt(call.ctx, &cmd, &opts, &codes, merge_stderr).map_err(ExecError::Failed)?;
    Ok((res, ignore))
}

fn with_retcode(ret: Value, res: &RunResult, ignore: bool) -> ExecResult {
    Ok(ExecOutput {
        ret,
        retcode: if ignore { 0 } else { res.retcode },
    })
}

fn run(call: &ExecCall<'_>) -> ExecResult {
    let (res, ignore) = execute(call, true, true)?;
    let hide = call.kwarg_bool("hide_output", false);
    with_retcode(
        Value::String(if hide {
            String::new()
        } else {
            res.stdout.clone()
        }),
        &res,
        ignore,
    )
}

fn shell_fn(call: &ExecCall<'_>) -> ExecResult {
    run(call)
}

fn run_all(call: &ExecCall<'_>) -> ExecResult {
    let merge = call.kwarg_bool("redirect_stderr", false);
    let (res, ignore) = execute(call, merge, true)?;
    with_retcode(result_dict(&res), &res, ignore)
}

/// `{"pid", "retcode", "stdout", "stderr"}` as Salt's `run_all` returns it.
pub fn result_dict(res: &RunResult) -> Value {
    let mut m = Map::new();
    m.insert("pid".into(), res.pid.into());
    m.insert("retcode".into(), res.retcode.into());
    m.insert("stdout".into(), res.stdout.clone().into());
    m.insert("stderr".into(), res.stderr.clone().into());
    Value::Object(m)
}

fn run_stdout(call: &ExecCall<'_>) -> ExecResult {
    let (res, ignore) = execute(call, false, true)?;
    with_retcode(res.stdout.clone().into(), &res, ignore)
}

fn run_stderr(call: &ExecCall<'_>) -> ExecResult {
    let (res, ignore) = execute(call, false, true)?;
    with_retcode(res.stderr.clone().into(), &res, ignore)
}

fn retcode(call: &ExecCall<'_>) -> ExecResult {
    let (res, ignore) = execute(call, false, true)?;
    with_retcode(res.retcode.into(), &res, ignore)
}

/// Cache the script `source` (salt:// or local path) and return its local path.
pub fn fetch_script(call: &ExecCall<'_>, source: &str) -> Result<std::path::PathBuf, ExecError> {
    let saltenv = call
        .kwargs
        .get("saltenv")
        .and_then(Value::as_str)
        .unwrap_or(&call.ctx.saltenv)
        .to_string();
    match halite_api::files::parse_salt_url(source) {
        Some((path, env)) => call
            .ctx
            .files
            .cache_file(&path, env.as_deref().unwrap_or(&saltenv))
            .map_err(|e| ExecError::Failed(e.to_string()))?
            .ok_or_else(|| ExecError::Failed(format!("Unable to cache script '{source}'"))),
        None if std::path::Path::new(source).is_file() => Ok(source.into()),
        None => Err(ExecError::Failed(format!(
            "Unable to cache script '{source}'"
        ))),
    }
}

fn run_script(call: &ExecCall<'_>) -> Result<(RunResult, bool), ExecError> {
    let source = super::required_str(call, 0, "source")?;
    let script = fetch_script(call, &source)?;
    let args = call.arg_str(1, "args").unwrap_or_default();
    let (mut opts, codes, ignore) = options(call, true)?;
    if call.args.len() > 1 {
        opts.cwd = call
            .kwargs
            .get("cwd")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    let sh = opts
        .shell
        .clone()
        .unwrap_or_else(|| shell::default_shell(call.ctx));
    let line = format!("{sh} '{}' {args}", script.display());
    opts.python_shell = true;
    let res = shell::run_salt(
        call.ctx,
        &Value::String(line.trim_end().to_string()),
        &opts,
        &codes,
        false,
    )
    .map_err(ExecError::Failed)?;
    Ok((res, ignore))
}

fn script(call: &ExecCall<'_>) -> ExecResult {
    let (res, ignore) = run_script(call)?;
    with_retcode(result_dict(&res), &res, ignore)
}

fn script_retcode(call: &ExecCall<'_>) -> ExecResult {
    let (res, ignore) = run_script(call)?;
    with_retcode(res.retcode.into(), &res, ignore)
}

/// Look `cmd` up on `PATH` (absolute paths are checked directly).
pub fn which_path(cmd: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let is_exec = |p: &std::path::Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if cmd.contains('/') {
        return is_exec(std::path::Path::new(cmd)).then(|| cmd.to_string());
    }
    let path = std::env::var("PATH")
        .unwrap_or_else(|_| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    path.split(':')
        .map(|d| std::path::Path::new(d).join(cmd))
        .find(|p| is_exec(p))
        .map(|p| p.to_string_lossy().into_owned())
}

fn which(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["cmd"])?;
    let cmd = super::required_str(call, 0, "cmd")?;
    ok(which_path(&cmd).map(Value::String).unwrap_or(Value::Null))
}

fn has_exec(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["cmd"])?;
    let cmd = super::required_str(call, 0, "cmd")?;
    ok(which_path(&cmd).is_some())
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::SystemRunner;
    use serde_json::json;
    use std::sync::Arc;

    fn kw(v: serde_json::Value) -> halite_api::Map {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn run_merges_streams_and_sets_retcode() {
        let d = TempDir::new("cmd");
        let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
        let out = ctx
            .call(
                "cmd.run",
                vec![json!("echo out; echo err >&2; exit 3")],
                Default::default(),
            )
            .unwrap();
        assert_eq!(out.ret, json!("out\nerr"));
        assert_eq!(out.retcode, 3);
    }

    #[test]
    fn run_all_shape_and_cwd_env() {
        let d = TempDir::new("cmd2");
        let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
        let out = ctx
            .call(
                "cmd.run_all",
                vec![json!("pwd; printf %s \"$FOO\" >&2")],
                kw(json!({"cwd": d.s(""), "env": {"FOO": "bar"}})),
            )
            .unwrap();
        let r = out.ret.as_object().unwrap();
        assert_eq!(
            r.keys().collect::<Vec<_>>(),
            vec!["pid", "retcode", "stdout", "stderr"]
        );
        assert_eq!(
            r["stdout"],
            json!(d.0.to_string_lossy().trim_end_matches('/'))
        );
        assert_eq!(r["stderr"], json!("bar"));
    }

    #[test]
    fn retcode_and_python_shell_false() {
        let d = TempDir::new("cmd3");
        let fake = FakeRunner::new();
        fake.on("false", 1, "");
        let ctx = ctx_with(fake.clone(), &d.0);
        let out = ctx
            .call(
                "cmd.retcode",
                vec![json!("false 'a b'")],
                kw(json!({"python_shell": false})),
            )
            .unwrap();
        assert_eq!(out.ret, json!(1));
        assert_eq!(fake.calls.lock().unwrap()[0].argv, vec!["false", "a b"]);
        let out = ctx
            .call(
                "cmd.retcode",
                vec![json!("false")],
                kw(json!({"success_retcodes": [1]})),
            )
            .unwrap();
        assert_eq!(out.ret, json!(0));
        assert_eq!(
            fake.calls.lock().unwrap()[1].argv,
            vec!["/bin/sh", "-c", "false"]
        );
    }

    #[test]
    fn timeout_reports_like_salt() {
        let d = TempDir::new("cmd4");
        let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
        let out = ctx
            .call(
                "cmd.run",
                vec![json!("sleep 3")],
                kw(json!({"timeout": 0.2})),
            )
            .unwrap();
        assert_eq!(out.retcode, 1);
        assert_eq!(out.ret, json!("sleep 3 : Timed out after 0.2 seconds"));
    }

    #[test]
    fn script_from_salt_url() {
        let d = TempDir::new("cmd5");
        std::fs::create_dir_all(d.path("salt")).unwrap();
        std::fs::write(d.path("salt/s.sh"), "echo script \"$1\"\n").unwrap();
        let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
        let out = ctx
            .call(
                "cmd.script",
                vec![json!("salt://s.sh"), json!("arg1")],
                Default::default(),
            )
            .unwrap();
        assert_eq!(out.ret["stdout"], json!("script arg1"));
        assert!(ctx
            .call(
                "cmd.script",
                vec![json!("salt://missing.sh")],
                Default::default()
            )
            .is_err());
    }
}
