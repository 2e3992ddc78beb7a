//! Calling the function the way salt-call's `Caller.call` does: availability
//! check, argument parsing, `__pub_*` data, retcode rules and error texts.

use halite_api::module::{signature_message, PUB_KWARG_FUNCTIONS};
use halite_api::{Ctx, ExecError, Map, Value};

use super::args::parse_input;
use super::{EX_GENERIC, EX_NOT_AVAILABLE};
use crate::cli::call_args::CallArgs;

/// What the call produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The function returned.
    Returned {
        ret: Value,
        retcode: i32,
        jid: String,
    },
    /// Unknown function but some functions start with its name: their docs.
    Docs(Value),
    /// Nothing to print through an outputter: text for stderr (and maybe stdout).
    Failed {
        stderr: String,
        stdout: Option<String>,
        status: i32,
    },
}

/// A Salt job id (the daemon's generator: UTC, strictly increasing).
pub fn gen_jid() -> String {
    halite_daemon::jid::gen_jid()
}

/// Run `fun` with the command line's arguments.
pub fn call(ctx: &Ctx, fun: &str, cli: &CallArgs) -> Outcome {
    let Some(spec) = ctx.registry.exec(fun) else {
        return not_available(ctx, fun);
    };
    let jid = gen_jid();
    let parsed = parse_input(&cli.args, &cli.no_parse);
    let mut kwargs = parsed.kwargs;
    if PUB_KWARG_FUNCTIONS.contains(&fun) {
        add_pub_kwargs(&mut kwargs, fun, &jid, cli.metadata.as_deref());
    }
    let result = ctx.call(fun, parsed.args, kwargs);
    if let Some(msg) = halite_api::ctx::take_system_exit(&ctx.context) {
        return Outcome::Failed {
            stderr: format!("{msg}\n"),
            stdout: None,
            status: EX_GENERIC,
        };
    }
    match result {
        Ok(out) => {
            let retcode = if out.retcode == 0 && reports_failure(&out.ret) {
                EX_GENERIC
            } else {
                out.retcode
            };
            Outcome::Returned {
                ret: out.ret,
                retcode,
                jid,
            }
        }
        Err(ExecError::NotAvailable(_)) => not_available(ctx, fun),
        Err(ExecError::Invocation(msg)) if signature_message(fun, &msg).is_some() => {
            Outcome::Failed {
                stderr: format!(
                    "\nPassed invalid arguments: {}.\n\nUsage:\n",
                    signature_message(fun, &msg).unwrap_or_default()
                ),
                stdout: Some(spec.doc.to_string()),
                status: EX_GENERIC,
            }
        }
        Err(ExecError::Invocation(msg)) => Outcome::Failed {
            stderr: format!("{msg}\n"),
            stdout: None,
            status: EX_GENERIC,
        },
        Err(ExecError::Failed(msg)) => Outcome::Failed {
            stderr: format!("Error running '{fun}': {msg}\n"),
            stdout: None,
            status: EX_GENERIC,
        },
    }
}

fn add_pub_kwargs(kwargs: &mut Map, fun: &str, jid: &str, metadata: Option<&str>) {
    kwargs.insert("__pub_fun".into(), fun.into());
    kwargs.insert("__pub_pid".into(), std::process::id().into());
    kwargs.insert("__pub_jid".into(), jid.into());
    kwargs.insert("__pub_tgt".into(), "salt-call".into());
    if let Some(m) = metadata {
        kwargs.insert("__pub_metadata".into(), super::args::yamlify(m));
    }
}

/// A dict return with a false `result` or `success` key means retcode 1.
fn reports_failure(ret: &Value) -> bool {
    match ret {
        Value::Object(m) => ["result", "success"]
            .iter()
            .any(|k| m.get(*k).is_some_and(|v| !halite_api::value::is_truthy(v))),
        _ => false,
    }
}

/// Salt's missing-function path: docs of functions starting with the name
/// (plus the missing message), or the message on stderr and exit 255.
fn not_available(ctx: &Ctx, fun: &str) -> Outcome {
    let mut missing = format!("'{fun}' is not available.");
    if let Some(note) = halite_api::salt_names::not_yet(halite_api::salt_names::Kind::Exec, fun) {
        missing = format!("{missing} {note}");
    }
    let mut docs = Map::new();
    for name in ctx.registry.exec_names().filter(|n| n.starts_with(fun)) {
        if let Some(spec) = ctx.registry.exec(name) {
            docs.insert(name.to_string(), spec.doc.into());
        }
    }
    if docs.is_empty() {
        return Outcome::Failed {
            stderr: format!("{missing}\n"),
            stdout: None,
            status: EX_NOT_AVAILABLE,
        };
    }
    docs.insert(fun.to_string(), missing.into());
    Outcome::Docs(Value::Object(docs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use halite_api::{ExecCall, ExecOutput, ExecSpec, Registry};
    use serde_json::json;

    fn echo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        let text = call.arg(0, "text").ok_or_else(|| {
            ExecError::Invocation("echo() missing 1 required positional argument: 'text'".into())
        })?;
        Ok(ExecOutput::from(text.clone()))
    }

    fn fail(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Ok(ExecOutput::from(json!({"result": false})))
    }

    fn boom(_: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
        Err(ExecError::Failed("it broke".into()))
    }

    fn ctx() -> Ctx {
        let mut reg = Registry::new();
        reg.add_exec(&[
            ExecSpec {
                name: "test.echo",
                doc: "Echo text",
                run: echo,
            },
            ExecSpec {
                name: "test.fail",
                doc: "Fails",
                run: fail,
            },
            ExecSpec {
                name: "test.boom",
                doc: "Raises",
                run: boom,
            },
        ]);
        let opts = json!({"id": "m", "file_client": "local"})
            .as_object()
            .unwrap()
            .clone();
        super::super::context::build(opts, json!({}), reg)
    }

    fn cli(args: &[&str]) -> CallArgs {
        CallArgs {
            args: args.iter().map(|s| s.to_string()).collect(),
            ..CallArgs::default()
        }
    }

    #[test]
    fn returns_and_retcodes() {
        let c = ctx();
        match call(&c, "test.echo", &cli(&["1.5"])) {
            Outcome::Returned { ret, retcode, jid } => {
                assert_eq!((ret, retcode), (json!(1.5), 0));
                assert_eq!(jid.len(), 20);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            call(&c, "test.fail", &cli(&[])),
            Outcome::Returned { retcode: 1, .. }
        ));
    }

    #[test]
    fn module_missing_argument_reads_like_python() {
        assert_eq!(
            signature_message("test.echo", "Missing required argument: 'text'").as_deref(),
            Some("echo() missing 1 required positional argument: 'text'")
        );
        assert_eq!(signature_message("test.echo", "bad value"), None);
    }

    #[test]
    fn error_texts_like_salt_call() {
        let c = ctx();
        assert_eq!(
            call(&c, "nope.fun", &cli(&[])),
            Outcome::Failed {
                stderr: "'nope.fun' is not available.\n".into(),
                stdout: None,
                status: 255
            }
        );
        assert_eq!(
            call(&c, "file.copy", &cli(&[])),
            Outcome::Failed {
                stderr: "'file.copy' is not available. 'file.copy' is a Salt function Halite does not implement yet (halite audit lists them all)\n".into(),
                stdout: None,
                status: 255
            }
        );
        assert_eq!(
            call(&c, "test.echo", &cli(&[])),
            Outcome::Failed {
                stderr: "\nPassed invalid arguments: echo() missing 1 required positional argument: 'text'.\n\nUsage:\n".into(),
                stdout: Some("Echo text".into()),
                status: 1
            }
        );
        assert_eq!(
            call(&c, "test.boom", &cli(&[])),
            Outcome::Failed {
                stderr: "Error running 'test.boom': it broke\n".into(),
                stdout: None,
                status: 1
            }
        );
        match call(&c, "test", &cli(&[])) {
            Outcome::Docs(d) => assert_eq!(d["test"], json!("'test' is not available.")),
            other => panic!("{other:?}"),
        }
    }
}
