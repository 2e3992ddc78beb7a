//! The `state.*` execution functions and their Salt keyword arguments
//! (`test=`, `pillar=`, `saltenv=`, `pillarenv=`, `exclude=`, `queue=`).

use std::sync::Arc;

use halite_api::module::value_to_bool;
use halite_api::{Ctx, ExecCall, ExecError, ExecOutput, ExecSpec, Map, Registry, Value};

use crate::engine::{self, EX_PILLAR_FAILURE};
use crate::files::LocalFileClient;
use crate::pillar::{apply_override, compile_pillar};
use crate::py::py_str;
use crate::top::matches_to_value;

type Result<T> = std::result::Result<T, ExecError>;

/// Salt's `split_input`: a list as is, a string split on commas.
fn split_input(v: Option<&Value>) -> Vec<Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(Value::String(s)) => s
            .split(',')
            .map(|p| Value::String(p.trim().to_string()))
            .collect(),
        Some(other) => vec![Value::String(py_str(other))],
    }
}

fn mods_of(call: &ExecCall<'_>, idx: usize) -> Vec<String> {
    split_input(call.arg(idx, "mods"))
        .iter()
        .map(py_str)
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_pillar(v: Option<&Value>) -> Result<Option<Value>> {
    let parsed = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .ok()
            .or_else(|| halite_render::yaml::load(s).ok())
            .unwrap_or(Value::String(s.clone())),
        Some(other) => other.clone(),
    };
    if parsed.is_object() {
        Ok(Some(parsed))
    } else {
        Err(ExecError::Invocation(
            "Pillar data must be formatted as a dictionary, unless pillar_enc is specified.".into(),
        ))
    }
}

fn opt_str(v: Option<&Value>) -> Option<String> {
    v.filter(|v| !v.is_null())
        .map(py_str)
        .filter(|s| !s.is_empty())
}

/// Build the run's Ctx: test flag, saltenv, pillar, the CLI `pillar=`
/// override merged last. `Err(out)` is the pillar failure return.
fn run_ctx(
    call: &ExecCall<'_>,
    default_env: Option<&str>,
) -> Result<std::result::Result<(Ctx, Option<String>), ExecOutput>> {
    let base = call.ctx;
    let mut ctx = base.clone();
    let opt_test = base.opt("test").is_some_and(value_to_bool) || base.test;
    ctx.test = call
        .kwargs
        .get("test")
        .filter(|v| !v.is_null())
        .map(value_to_bool)
        .unwrap_or(opt_test);
    let saltenv = opt_str(call.kwargs.get("saltenv")).or_else(|| opt_str(base.opt("saltenv")));
    let mut opts = (*base.opts).clone();
    opts.insert("test".into(), ctx.test.into());
    ctx.opts = Arc::new(opts);
    ctx.saltenv = saltenv
        .clone()
        .or(default_env.map(str::to_string))
        .unwrap_or_else(|| "base".into());
    let override_ = parse_pillar(call.kwargs.get("pillar"))?;
    match run_pillar(call, override_.as_ref()) {
        Ok(pillar) => ctx.pillar = pillar,
        Err(errs) => {
            let mut ret = vec![Value::from(
                "Pillar failed to render with the following messages:",
            )];
            ret.extend(errs.into_iter().map(Value::from));
            return Ok(Err(ExecOutput {
                ret: Value::Array(ret),
                retcode: EX_PILLAR_FAILURE,
            }));
        }
    }
    Ok(Ok((ctx, saltenv)))
}

/// The pillar a state run sees (Salt's `State.__init__` under salt-call):
/// the pillar compiled at start-up, unless a `pillar=` override is given or
/// `pillarenv=` names another environment — then it is compiled again from
/// `pillar_roots` when masterless (top matching sees the override) — with the
/// override deep-merged on top. `Err` carries the pillar's render errors.
fn run_pillar(
    call: &ExecCall<'_>,
    override_: Option<&Value>,
) -> std::result::Result<Arc<Value>, Vec<String>> {
    let base = call.ctx;
    let configured_env = opt_str(base.opt("pillarenv"));
    let pillarenv = opt_str(call.kwargs.get("pillarenv")).or_else(|| configured_env.clone());
    let local = base.opt("file_client").and_then(Value::as_str) == Some("local");
    let recompile = local
        && base.opt("pillar_roots").is_some()
        && (override_.is_some() || pillarenv != configured_env);
    if recompile {
        let client = LocalFileClient::for_pillar_roots(&base.opts);
        let matching = apply_override(&base.pillar, override_);
        let compiled = compile_pillar(base, &client, &matching, pillarenv.as_deref())?;
        return Ok(Arc::new(apply_override(&compiled, override_)));
    }
    if let Some(errs) = base.pillar.get("_errors").and_then(Value::as_array) {
        return Err(errs.iter().map(py_str).collect());
    }
    match override_ {
        None if base.pillar.is_object() => Ok(Arc::clone(&base.pillar)),
        _ => Ok(Arc::new(apply_override(&base.pillar, override_))),
    }
}

macro_rules! with_ctx {
    ($call:expr, $env:expr) => {
        match run_ctx($call, $env)? {
            Ok(v) => v,
            Err(out) => return Ok(out),
        }
    };
}

fn exclude_of(call: &ExecCall<'_>) -> Vec<Value> {
    split_input(call.kwargs.get("exclude"))
}

fn sls(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let mods = mods_of(call, 0);
    let (ctx, _) = with_ctx!(call, Some("base"));
    Ok(engine::run_sls(&ctx, mods, &exclude_of(call)))
}

fn highstate(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let (ctx, env) = with_ctx!(call, None);
    let topfn = opt_str(ctx.opt("state_top")).unwrap_or_else(|| "top.sls".into());
    Ok(engine::run_highstate(
        &ctx,
        topfn.trim_start_matches("salt://"),
        env.as_deref(),
        &exclude_of(call),
    ))
}

fn apply(call: &ExecCall<'_>) -> Result<ExecOutput> {
    if mods_of(call, 0).is_empty() {
        highstate(call)
    } else {
        sls(call)
    }
}

fn test(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let mut kwargs = call.kwargs.clone();
    kwargs.insert("test".into(), true.into());
    apply(&ExecCall {
        ctx: call.ctx,
        args: call.args.clone(),
        kwargs,
    })
}

fn top(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let topfn = call
        .arg_str(0, "topfn")
        .ok_or_else(|| ExecError::Invocation("Missing top file name (topfn)".into()))?;
    let (ctx, env) = with_ctx!(call, None);
    Ok(engine::run_highstate(
        &ctx,
        topfn.trim_start_matches("salt://"),
        env.as_deref(),
        &exclude_of(call),
    ))
}

fn show_sls(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let mods = mods_of(call, 0);
    let (ctx, _) = with_ctx!(call, Some("base"));
    Ok(engine::show_high(&ctx, &vec![(ctx.saltenv.clone(), mods)]))
}

fn show_low_sls(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let mods = mods_of(call, 0);
    let (ctx, _) = with_ctx!(call, Some("base"));
    Ok(engine::show_low(
        &ctx,
        &vec![(ctx.saltenv.clone(), mods)],
        &exclude_of(call),
    ))
}

fn top_matches_of(
    ctx: &Ctx,
    env: Option<&str>,
) -> std::result::Result<crate::sls_loader::Matches, ExecOutput> {
    let topfn = opt_str(ctx.opt("state_top")).unwrap_or_else(|| "top.sls".into());
    engine::highstate_matches(ctx, topfn.trim_start_matches("salt://"), env)
        .map_err(|e| engine::errors(vec![e]))
}

fn show_highstate(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let (ctx, env) = with_ctx!(call, None);
    let matches = match top_matches_of(&ctx, env.as_deref()) {
        Ok(m) => m,
        Err(e) => return Ok(e),
    };
    Ok(match engine::render(&ctx, &matches) {
        Ok(h) => ExecOutput {
            ret: Value::Object(h),
            retcode: 0,
        },
        Err(e) => e,
    })
}

fn show_lowstate(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let (ctx, env) = with_ctx!(call, None);
    Ok(match top_matches_of(&ctx, env.as_deref()) {
        Ok(m) => engine::show_low(&ctx, &m, &[]),
        Err(e) => e,
    })
}

fn show_top(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let (ctx, env) = with_ctx!(call, None);
    Ok(match top_matches_of(&ctx, env.as_deref()) {
        Ok(m) => ExecOutput {
            ret: matches_to_value(&m),
            retcode: 0,
        },
        Err(e) => e,
    })
}

const RUN_KWARGS: &[&str] = &[
    "test",
    "pillar",
    "pillarenv",
    "saltenv",
    "queue",
    "exclude",
    "concurrent",
    "pillar_enc",
];

fn single(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let fun = call
        .arg_str(0, "fun")
        .ok_or_else(|| ExecError::Invocation("Missing state function (fun)".into()))?;
    let name = call
        .arg_str(1, "name")
        .ok_or_else(|| ExecError::Invocation("Missing state name (name)".into()))?;
    let (ctx, _) = with_ctx!(call, Some("base"));
    let kwargs: Map = call
        .kwargs
        .iter()
        .filter(|(k, _)| {
            !RUN_KWARGS.contains(&k.as_str())
                && !k.starts_with("__pub_")
                && k.as_str() != "fun"
                && k.as_str() != "name"
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(engine::run_single(&ctx, &fun, &name, &kwargs))
}

fn sls_id(call: &ExecCall<'_>) -> Result<ExecOutput> {
    let id = call
        .arg_str(0, "id_")
        .or_else(|| call.kwargs.get("id").map(py_str));
    let id = id.ok_or_else(|| ExecError::Invocation("Missing state ID".into()))?;
    let mods = mods_of(call, 1);
    let (ctx, _) = with_ctx!(call, Some("base"));
    Ok(engine::run_sls_id(&ctx, &id, mods))
}

mod running;
use running::running;
pub use running::{check_queue, running_states, EX_STATE_COMPILER_ERROR};

const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "state.apply",
        doc: "Apply states: highstate without arguments, else the named SLS.",
        run: apply,
    },
    ExecSpec {
        name: "state.sls",
        doc: "Apply the named SLS files.",
        run: sls,
    },
    ExecSpec {
        name: "state.highstate",
        doc: "Apply every SLS the top file assigns to this minion.",
        run: highstate,
    },
    ExecSpec {
        name: "state.top",
        doc: "Apply the states of one specific top file.",
        run: top,
    },
    ExecSpec {
        name: "state.test",
        doc: "state.apply with test=True.",
        run: test,
    },
    ExecSpec {
        name: "state.show_sls",
        doc: "Show the high data of the named SLS.",
        run: show_sls,
    },
    ExecSpec {
        name: "state.show_low_sls",
        doc: "Show the low chunks of the named SLS.",
        run: show_low_sls,
    },
    ExecSpec {
        name: "state.show_highstate",
        doc: "Show the high data of the highstate.",
        run: show_highstate,
    },
    ExecSpec {
        name: "state.show_lowstate",
        doc: "Show the low chunks of the highstate.",
        run: show_lowstate,
    },
    ExecSpec {
        name: "state.show_top",
        doc: "Show the SLS names the top file assigns.",
        run: show_top,
    },
    ExecSpec {
        name: "state.single",
        doc: "Run one state function directly.",
        run: single,
    },
    ExecSpec {
        name: "state.sls_id",
        doc: "Run one ID from the named SLS.",
        run: sls_id,
    },
    ExecSpec {
        name: "state.running",
        doc: "List running state jobs.",
        run: running,
    },
];

/// Register the `state.*` execution functions.
pub fn register(reg: &mut Registry) {
    reg.add_exec(SPECS);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A masterless ctx whose start-up pillar is `startup`, over pillar_roots
    /// in `dir` that would compile to `{"from": "disk", "app": {"port": 80}}`.
    fn masterless(dir: &std::path::Path, startup: Value) -> Ctx {
        std::fs::write(dir.join("top.sls"), "base:\n  '*':\n    - app\n").unwrap();
        std::fs::write(dir.join("app.sls"), "from: disk\napp:\n  port: 80\n").unwrap();
        let opts = json!({"file_client": "local", "pillar_roots": {"base": [dir]}});
        let mut ctx = crate::testutil::ctx(false, opts);
        ctx.pillar = Arc::new(startup);
        ctx
    }

    fn pillar_of(ctx: &Ctx, kwargs: Value) -> std::result::Result<Arc<Value>, Vec<String>> {
        let kwargs = kwargs.as_object().cloned().unwrap_or_default();
        let override_ = parse_pillar(kwargs.get("pillar")).unwrap();
        let call = ExecCall {
            ctx,
            args: vec![],
            kwargs,
        };
        run_pillar(&call, override_.as_ref())
    }

    #[test]
    fn start_up_pillar_is_reused_without_override() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = masterless(dir.path(), json!({"from": "startup"}));
        let pillar = pillar_of(&ctx, json!({})).unwrap();
        assert!(Arc::ptr_eq(&pillar, &ctx.pillar));
    }

    #[test]
    fn override_or_other_pillarenv_compiles_again() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = masterless(dir.path(), json!({"from": "startup"}));
        let pillar = pillar_of(&ctx, json!({"pillar": {"app": {"debug": true}}})).unwrap();
        assert_eq!(
            *pillar,
            json!({"from": "disk", "app": {"port": 80, "debug": true}})
        );
        let pillar = pillar_of(&ctx, json!({"pillarenv": "base"})).unwrap();
        assert_eq!(pillar["from"], json!("disk"));
    }

    #[test]
    fn start_up_pillar_errors_fail_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = masterless(
            dir.path(),
            json!({"_errors": ["Rendering SLS 'x' failed."]}),
        );
        assert_eq!(
            pillar_of(&ctx, json!({})).unwrap_err(),
            vec!["Rendering SLS 'x' failed.".to_string()]
        );
        std::fs::write(dir.path().join("app.sls"), "{{ nope() }}").unwrap();
        let errs = pillar_of(&ctx, json!({"pillar": {"a": 1}})).unwrap_err();
        assert_eq!(
            errs,
            vec!["Rendering SLS 'app' failed. Please see master log for details.".to_string()]
        );
    }
}
