//! Running one function of a job and turning its result into Salt's
//! `return`/`retcode`/`success`/`out`, as `Minion._thread_return` does.

use std::panic::{catch_unwind, AssertUnwindSafe};

use halite_api::module::signature_message;
use halite_api::{Ctx, ExecError, Map, Value};

use halite_state::exec_state::check_queue;

use crate::args::parse_call_args;
use crate::state_guard::is_guarded;

/// Salt's `EX_GENERIC`.
pub const EX_GENERIC: i32 = 1;

/// The result of one function call, before it is put into a return load.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub ret: Value,
    pub retcode: i32,
    /// The outputter Salt names for this result (`nested` for errors,
    /// the function's `__outputter__` otherwise).
    pub out: Option<&'static str>,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.retcode == 0
    }

    fn error(ret: impl Into<Value>) -> Self {
        Outcome {
            ret: ret.into(),
            retcode: EX_GENERIC,
            out: Some("nested"),
        }
    }
}

/// The `__outputter__` declarations of Salt's modules that Halite implements.
fn declared_outputter(fun: &str) -> Option<&'static str> {
    const HIGHSTATE: &[&str] = &[
        "sls",
        "sls_id",
        "pkg",
        "top",
        "single",
        "highstate",
        "template",
        "template_str",
        "apply",
        "test",
        "request",
        "check_request",
        "run_request",
    ];
    let (module, function) = fun.split_once('.')?;
    match module {
        "state" if HIGHSTATE.contains(&function) => Some("highstate"),
        "grains" if matches!(function, "items" | "item" | "setval") => Some("nested"),
        _ => None,
    }
}

/// Call `fun` with the publication's `arg` list.
pub fn run_function(ctx: &Ctx, fun: &str, arg: &Value, publication: &Map) -> Outcome {
    if ctx.registry.exec(fun).is_none() {
        return missing_function(ctx, fun);
    }
    let call = parse_call_args(fun, arg, publication);
    let result = catch_unwind(AssertUnwindSafe(|| {
        if is_guarded(fun) {
            if let Some(refusal) = check_queue(ctx, &call.kwargs)? {
                return Ok(refusal);
            }
        }
        ctx.call(fun, call.args, call.kwargs)
    }));
    match result {
        Ok(Ok(output)) => {
            let retcode = if output.retcode == 0 && reports_failure(&output.ret) {
                EX_GENERIC
            } else {
                output.retcode
            };
            Outcome {
                ret: output.ret,
                retcode,
                out: declared_outputter(fun),
            }
        }
        Ok(Err(ExecError::Invocation(msg))) => match signature_message(fun, &msg) {
            // Salt's minion: "Passed invalid arguments to fun: <TypeError>\n\n<docstring>".
            Some(text) => {
                let doc = ctx.registry.exec(fun).map_or("", |spec| spec.doc);
                Outcome::error(format!(
                    "Passed invalid arguments to {fun}: {text}\n\n{doc}"
                ))
            }
            None => Outcome::error(format!("ERROR executing '{fun}': {msg}")),
        },
        Ok(Err(ExecError::Failed(msg))) => Outcome::error(format!("ERROR: {msg}")),
        Ok(Err(err @ ExecError::NotAvailable(_))) => Outcome::error(format!("ERROR: {err}")),
        Err(panic) => Outcome::error(format!(
            "The minion function caused an exception: {}",
            panic_text(&panic)
        )),
    }
}

/// Salt: a dict return whose `result` or `success` is falsy means failure.
fn reports_failure(ret: &Value) -> bool {
    let Value::Object(map) = ret else {
        return false;
    };
    ["result", "success"].iter().any(|k| {
        map.get(*k)
            .is_some_and(|v| !halite_api::value::is_truthy(v))
    })
}

/// `'x.y' is not available.`, or `sys.doc`'s map of similarly named functions
/// with that message added (what Salt answers for `test.pin`).
fn missing_function(ctx: &Ctx, fun: &str) -> Outcome {
    if let Some(why) = crate::python_modules::explain(&ctx.cachedir(), fun) {
        return Outcome::error(why);
    }
    let mut message = format!("'{fun}' is not available.");
    if let Some(note) = halite_api::salt_names::not_yet(halite_api::salt_names::Kind::Exec, fun) {
        message = format!("{message} {note}");
    }
    let similar: Map = ctx
        .registry
        .exec_names()
        .filter(|name| name.starts_with(fun))
        .map(|name| {
            (
                name.to_string(),
                Value::String(ctx.registry.exec(name).map(|s| s.doc).unwrap_or("").into()),
            )
        })
        .collect();
    if similar.is_empty() {
        return Outcome::error(message);
    }
    let mut docs = similar;
    docs.insert(fun.to_string(), Value::String(message));
    Outcome::error(Value::Object(docs))
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::ctx_with;
    use halite_api::{ExecCall, ExecOutput, ExecSpec};
    use serde_json::json;

    fn echo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Ok(json!({"args": call.args, "kwargs": call.kwargs}).into())
    }
    fn fails(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Err(ExecError::Failed("disk on fire".into()))
    }
    fn bad_args(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Err(ExecError::Invocation("missing name".into()))
    }
    fn result_false(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Ok(json!({"result": false, "comment": "no"}).into())
    }
    fn retcode_3(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Ok(ExecOutput {
            ret: json!("x"),
            retcode: 3,
        })
    }
    fn panics(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        panic!("boom")
    }

    const SPECS: &[ExecSpec] = &[
        ExecSpec {
            name: "t.echo",
            doc: "Echo",
            run: echo,
        },
        ExecSpec {
            name: "t.fails",
            doc: "",
            run: fails,
        },
        ExecSpec {
            name: "t.bad_args",
            doc: "",
            run: bad_args,
        },
        ExecSpec {
            name: "t.result_false",
            doc: "",
            run: result_false,
        },
        ExecSpec {
            name: "t.retcode_3",
            doc: "",
            run: retcode_3,
        },
        ExecSpec {
            name: "t.panics",
            doc: "",
            run: panics,
        },
        ExecSpec {
            name: "state.apply",
            doc: "",
            run: echo,
        },
    ];

    fn run(fun: &str, arg: Value) -> Outcome {
        let ctx = ctx_with(SPECS);
        run_function(&ctx, fun, &arg, &Map::new())
    }

    #[test]
    fn success_carries_args_and_no_outputter() {
        let o = run("t.echo", json!(["a", {"__kwarg__": true, "k": 1}]));
        assert_eq!(
            o,
            Outcome {
                ret: json!({"args": ["a"], "kwargs": {"k": 1}}),
                retcode: 0,
                out: None
            }
        );
    }

    #[test]
    fn state_functions_declare_highstate() {
        assert_eq!(run("state.apply", json!([])).out, Some("highstate"));
    }

    #[test]
    fn unknown_function_is_salt_message() {
        let o = run("nope.nothing", json!([]));
        assert_eq!(
            o,
            Outcome {
                ret: json!("'nope.nothing' is not available."),
                retcode: 1,
                out: Some("nested")
            }
        );
    }

    #[test]
    fn a_salt_function_halite_lacks_says_so_after_salts_words() {
        assert_eq!(
            run("file.copy", json!([])).ret,
            json!("'file.copy' is not available. 'file.copy' is a Salt function Halite does not implement yet (halite audit lists them all)")
        );
    }

    #[test]
    fn unknown_function_with_similar_names_lists_their_docs() {
        let o = run("t.ech", json!([]));
        assert_eq!(
            o.ret,
            json!({"t.echo": "Echo", "t.ech": "'t.ech' is not available."})
        );
        assert_eq!(o.retcode, 1);
    }

    #[test]
    fn errors_map_to_salt_strings() {
        assert_eq!(run("t.fails", json!([])).ret, json!("ERROR: disk on fire"));
        assert_eq!(
            run("t.bad_args", json!([])).ret,
            json!("ERROR executing 't.bad_args': missing name")
        );
        let p = run("t.panics", json!([]));
        assert_eq!(p.retcode, 1);
        assert!(p.ret.as_str().unwrap().contains("boom"));
    }

    #[test]
    fn retcodes() {
        assert_eq!(run("t.result_false", json!([])).retcode, 1);
        assert!(!run("t.result_false", json!([])).success());
        assert_eq!(run("t.retcode_3", json!([])).retcode, 3);
    }
}
