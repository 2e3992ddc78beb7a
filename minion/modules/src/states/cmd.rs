//! The `cmd` state module: run, wait, script, wait_script (+ mod_watch),
//! with Salt's `stateful` output reinterpretation.

use halite_api::module::value_to_bool;
use halite_api::{Map, StateCall, StateReturn, StateSpec, Value};

use super::ret;
use crate::exec::cmd::result_dict;
use crate::util::shell::{self, shlex_split, RunOpts, RunResult};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "cmd.run",
        run,
        mod_watch: Some(mod_watch),
    },
    StateSpec {
        name: "cmd.wait",
        run: wait,
        mod_watch: Some(mod_watch),
    },
    StateSpec {
        name: "cmd.watch",
        run: wait,
        mod_watch: Some(mod_watch),
    },
    StateSpec {
        name: "cmd.script",
        run: script,
        mod_watch: Some(mod_watch),
    },
    StateSpec {
        name: "cmd.wait_script",
        run: wait,
        mod_watch: Some(mod_watch),
    },
];

fn wait(call: &StateCall<'_>) -> StateReturn {
    ret(call, Some(true), "")
}

fn is_stateful(call: &StateCall<'_>) -> bool {
    call.args
        .get("stateful")
        .is_some_and(|v| matches!(v, Value::Bool(true)))
}

fn env_invalid(call: &StateCall<'_>) -> bool {
    call.get("env")
        .is_some_and(|e| !e.is_array() && !e.is_object())
}

fn run_opts(call: &StateCall<'_>) -> Result<(RunOpts, Vec<i32>), String> {
    let mut opts = RunOpts::from_map(&call.args, true)?;
    opts.python_shell = true;
    if opts.shell.is_none() {
        opts.shell = Some(shell::default_shell(call.ctx));
    }
    opts.stdin = call.get_str("stdin");
    Ok((
        opts,
        shell::parse_retcodes(call.args.get("success_retcodes")),
    ))
}

fn check_cwd(call: &StateCall<'_>) -> Option<StateReturn> {
    let cwd = call.get_str("cwd")?;
    (!std::path::Path::new(&cwd).is_dir()).then(|| {
        ret(
            call,
            Some(false),
            format!("Desired working directory \"{cwd}\" is not available"),
        )
    })
}

/// Apply `ignore_timeout`, stateful parsing, and the finished-state result.
fn finish(call: &StateCall<'_>, res: RunResult, comment: String) -> StateReturn {
    let mut r = ret(call, Some(res.retcode == 0), comment);
    r.changes = result_dict(&res).as_object().cloned().unwrap_or_default();
    if call.get_bool("ignore_timeout", false)
        && res.retcode == 1
        && res.stdout.contains("Timed out after")
    {
        r.changes.insert("retcode".into(), 0.into());
        r.result = Some(true);
    }
    if is_stateful(call) {
        r = reinterpreted_state(r);
    }
    r
}

fn run(call: &StateCall<'_>) -> StateReturn {
    if env_invalid(call) {
        return ret(
            call,
            Some(false),
            "Invalidly-formatted 'env' parameter. See documentation.",
        );
    }
    if call.test {
        let mut r = ret(
            call,
            None,
            format!("Command \"{}\" would have been executed", call.name),
        );
        r.changes.insert("cmd".into(), call.name.clone().into());
        return if is_stateful(call) {
            reinterpreted_state(r)
        } else {
            r
        };
    }
    if let Some(r) = check_cwd(call) {
        return r;
    }
    let result = run_opts(call).and_then(|(opts, codes)| {
        shell::run_salt(
            call.ctx,
            &Value::String(call.name.clone()),
            &opts,
            &codes,
            false,
        )
    });
    match result {
        Ok(res) => finish(call, res, format!("Command \"{}\" run", call.name)),
        Err(e) => ret(call, Some(false), e),
    }
}

fn script(call: &StateCall<'_>) -> StateReturn {
    if env_invalid(call) {
        return ret(
            call,
            Some(false),
            "Invalidly-formatted 'env' parameter. See documentation.",
        );
    }
    if call.test {
        let r = ret(
            call,
            None,
            format!("Command '{}' would have been executed", call.name),
        );
        return if is_stateful(call) {
            reinterpreted_state(r)
        } else {
            r
        };
    }
    if let Some(r) = check_cwd(call) {
        return r;
    }
    let source = call.get_str("source").unwrap_or_else(|| {
        call.name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    });
    let args = call
        .get_str("args")
        .or_else(|| call.name.split_once(' ').map(|(_, rest)| rest.to_string()));
    match run_script(call, &source, args.as_deref().unwrap_or("")) {
        Ok(res) => finish(call, res, format!("Command '{}' run", call.name)),
        Err(e) => ret(call, Some(false), e),
    }
}

fn run_script(call: &StateCall<'_>, source: &str, args: &str) -> Result<RunResult, String> {
    let saltenv = call.ctx.saltenv.clone();
    let path = crate::exec::cp::cache_source(call.ctx, source, &saltenv)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("Unable to cache script {source} from saltenv '{saltenv}'"))?;
    let script_path = match call.get_str("template") {
        Some(engine) => render_script(call, &path, &engine)?,
        None => path,
    };
    let (opts, codes) = run_opts(call)?;
    let sh = opts
        .shell
        .clone()
        .unwrap_or_else(|| shell::default_shell(call.ctx));
    let line = format!("{sh} '{}' {args}", script_path.display());
    shell::run_salt(
        call.ctx,
        &Value::String(line.trim_end().into()),
        &opts,
        &codes,
        false,
    )
}

fn render_script(
    call: &StateCall<'_>,
    path: &std::path::Path,
    engine: &str,
) -> Result<std::path::PathBuf, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Unable to read {}: {e}", path.display()))?;
    let mut context: Map = call
        .get("defaults")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in call
        .get("context")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        context.insert(k.clone(), v.clone());
    }
    let rendered = call.ctx.templates.render_template(
        call.ctx,
        engine,
        &text,
        &context,
        &path.to_string_lossy(),
    )?;
    let dir = call.ctx.cachedir().join("extrn_files");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (tmp, _) = crate::util::atomic::create_temp(&dir).map_err(|e| e.to_string())?;
    std::fs::write(&tmp, rendered).map_err(|e| e.to_string())?;
    Ok(tmp)
}

fn mod_watch(call: &StateCall<'_>) -> StateReturn {
    let sfun = call.get_str("sfun").unwrap_or_else(|| "run".into());
    match sfun.as_str() {
        "wait" | "run" | "watch" => run(call),
        "wait_script" | "script" => script(call),
        other => ret(call, Some(false), format!("cmd.{other} does not work with the watch requisite, please use cmd.wait or cmd.wait_script")),
    }
}

fn is_true(v: &Value) -> bool {
    match v {
        Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "1"),
        other => value_to_bool(other),
    }
}

/// Salt's `_reinterpreted_state`: parse stdout as JSON or a last line of
/// `key=value` pairs to decide changes and comment.
pub fn reinterpreted_state(mut state: StateReturn) -> StateReturn {
    let out_map = std::mem::take(&mut state.changes);
    state.comment = String::new();
    let out = out_map
        .get("stdout")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if out.is_empty() {
        if let Some(err) = out_map
            .get("stderr")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
        {
            state.comment = err.to_string();
        }
        return state;
    }
    let (mut data, is_json, idx) = match serde_json::from_str::<Value>(&out) {
        Ok(Value::Object(m)) => (m, true, -1),
        Ok(_) => {
            state.comment = "script JSON output must be a JSON object (e.g., {})!".into();
            state.result = Some(false);
            return state;
        }
        Err(_) => {
            let trimmed = out.trim_end();
            let idx = trimmed.rfind('\n').map(|i| i as isize).unwrap_or(-1);
            let last = if idx >= 0 {
                &out[idx as usize + 1..]
            } else {
                out.as_str()
            };
            match parse_kv_line(last) {
                Some(m) => (m, false, idx),
                None => {
                    state.comment = "Failed parsing script output! Stdout must be JSON or a line of name=value pairs.".into();
                    state.result = Some(false);
                    state.changes = out_map;
                    return state;
                }
            }
        }
    };
    let changed = is_true(data.get("changed").unwrap_or(&Value::String("no".into())));
    if let Some(c) = data.shift_remove("comment") {
        state.comment = c
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| c.to_string());
    }
    if changed {
        for (k, v) in &out_map {
            data.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let stdout = if is_json {
            String::new()
        } else {
            py_slice_end(
                data.get("stdout").and_then(Value::as_str).unwrap_or(""),
                idx,
            )
        };
        data.insert("stdout".into(), stdout.into());
        state.changes = data;
    }
    state
}

/// Python's `s[:idx]` (negative indexes count from the end).
fn py_slice_end(s: &str, idx: isize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let end = if idx < 0 {
        (chars.len() as isize + idx).max(0) as usize
    } else {
        (idx as usize).min(chars.len())
    };
    chars[..end].iter().collect()
}

fn parse_kv_line(line: &str) -> Option<Map> {
    let mut m = Map::new();
    for item in shlex_split(line).ok()? {
        let mut parts = item.split('=');
        let (k, v) = (parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        m.insert(k.to_string(), v.to_string().into());
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use halite_api::SystemRunner;
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn run_success_failure_and_test_mode() {
        let d = TempDir::new("cmdstate");
        let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "echo out; echo err >&2; exit 9"}),
            false,
        );
        assert_eq!(r.result, Some(false));
        assert_eq!(r.comment, "Command \"echo out; echo err >&2; exit 9\" run");
        let c = changes(&r);
        assert_eq!(
            (
                c["retcode"].clone(),
                c["stdout"].clone(),
                c["stderr"].clone()
            ),
            (json!(9), json!("out"), json!("err"))
        );
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "exit 4", "success_retcodes": [4]}),
            false,
        );
        assert_eq!(
            (r.result, changes(&r)["retcode"].clone()),
            (Some(true), json!(0))
        );
        let r = run_state(&ctx, "cmd.run", json!({"name": "echo hi"}), true);
        assert_eq!((r.result, changes(&r)), (None, json!({"cmd": "echo hi"})));
        assert_eq!(r.comment, "Command \"echo hi\" would have been executed");
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "pwd", "cwd": d.s("")}),
            false,
        );
        assert_eq!(changes(&r)["stdout"], json!(d.s("").trim_end_matches('/')));
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "pwd", "cwd": d.s("nope")}),
            false,
        );
        assert_eq!(r.result, Some(false));
        assert!(r.comment.starts_with("Desired working directory"));
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "printf %s \"$A\"", "env": [{"A": "b"}]}),
            false,
        );
        assert_eq!(changes(&r)["stdout"], json!("b"));
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "true", "env": "bad"}),
            false,
        );
        assert_eq!(
            r.comment,
            "Invalidly-formatted 'env' parameter. See documentation."
        );
    }

    #[test]
    fn stateful_key_value_and_json() {
        let d = TempDir::new("cmdstate2");
        let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "echo; echo \"changed=yes comment='did it' extra=1\"", "stateful": true}),
            false,
        );
        assert_eq!(r.comment, "did it");
        let c = changes(&r);
        assert_eq!(
            c.as_object().unwrap().keys().collect::<Vec<_>>(),
            vec!["changed", "extra", "pid", "retcode", "stdout", "stderr"]
        );
        assert_eq!(c["stdout"], json!(""));
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "echo '{\"changed\": false, \"comment\": \"nothing\"}'", "stateful": true}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.as_str(), changes(&r)),
            (Some(true), "nothing", json!({}))
        );
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "echo not kv", "stateful": true}),
            false,
        );
        assert_eq!(r.result, Some(false));
        assert!(r.comment.starts_with("Failed parsing script output!"));
        let r = run_state(
            &ctx,
            "cmd.run",
            json!({"name": "echo x", "stateful": true}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str(), changes(&r)),
            (None, "", json!({}))
        );
    }

    #[test]
    fn wait_and_mod_watch() {
        let d = TempDir::new("cmdstate3");
        let fake = FakeRunner::new();
        fake.on("echo reload", 0, "reload\n");
        let ctx = ctx_with(fake.clone(), &d.0);
        let r = run_state(&ctx, "cmd.wait", json!({"name": "echo reload"}), false);
        assert_eq!(
            (r.result, r.comment.as_str(), changes(&r)),
            (Some(true), "", json!({}))
        );
        assert!(fake.commands().is_empty());
        let spec = *ctx.registry.state("cmd.wait").unwrap();
        let args = json!({"name": "echo reload", "sfun": "wait"})
            .as_object()
            .unwrap()
            .clone();
        let r = (spec.mod_watch.unwrap())(&halite_api::StateCall {
            ctx: &ctx,
            name: "echo reload".into(),
            args,
            test: false,
        });
        assert_eq!(
            changes(&r),
            json!({"pid": 4242, "retcode": 0, "stdout": "reload", "stderr": ""})
        );
        assert_eq!(fake.commands(), vec!["/bin/sh -c echo reload"]);
        let args = json!({"name": "x", "sfun": "call"})
            .as_object()
            .unwrap()
            .clone();
        let r = (spec.mod_watch.unwrap())(&halite_api::StateCall {
            ctx: &ctx,
            name: "x".into(),
            args,
            test: false,
        });
        assert_eq!(r.comment, "cmd.call does not work with the watch requisite, please use cmd.wait or cmd.wait_script");
    }

    #[test]
    fn script_state_runs_salt_source() {
        let d = TempDir::new("cmdstate4");
        std::fs::create_dir_all(d.path("salt")).unwrap();
        std::fs::write(d.path("salt/s.sh"), "echo got \"$1\"\n").unwrap();
        let ctx = ctx_with(Arc::new(SystemRunner), &d.0);
        let r = run_state(
            &ctx,
            "cmd.script",
            json!({"name": "salt://s.sh one"}),
            false,
        );
        assert_eq!(r.result, Some(true), "{}", r.comment);
        assert_eq!(changes(&r)["stdout"], json!("got one"));
        assert_eq!(r.comment, "Command 'salt://s.sh one' run");
    }
}
