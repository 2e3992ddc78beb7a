//! Execution modules (`salt-call <mod>.<fun>`).

use halite_api::{ExecCall, ExecError, ExecOutput, Registry, Value};

pub mod archive;
pub mod cmd;
pub mod config;
pub mod cp;
pub mod cron;
pub mod data;
pub mod event;
pub mod file;
pub mod git;
pub mod grains;
pub mod http;
pub mod ini;
pub mod locale;
pub mod log;
pub mod lookup;
pub mod mine;
pub mod network;
pub mod pillar;
pub mod secret;
pub mod service;
pub mod service_mask;
pub mod slsutil;
pub mod slsutil_render;
pub mod slsutil_tree;
pub mod ssh;
pub mod status;
pub mod sys;
pub mod test;
pub mod timezone;

/// Add every execution function.
pub fn register(reg: &mut Registry) {
    for specs in [
        test::SPECS,
        cmd::SPECS,
        grains::SPECS,
        pillar::SPECS,
        config::SPECS,
        sys::SPECS,
        status::SPECS,
        network::SPECS,
        service::SPECS,
        service_mask::SPECS,
        cp::SPECS,
        archive::SPECS,
        file::SPECS,
        git::SPECS,
        ini::SPECS,
        ssh::SPECS,
        log::SPECS,
        mine::SPECS,
        data::SPECS,
        event::SPECS,
        slsutil::SPECS,
        slsutil_render::SPECS,
        slsutil_tree::SPECS,
        cron::SPECS,
        timezone::SPECS,
        locale::SPECS,
        http::SPECS,
    ] {
        reg.add_exec(specs);
    }
}

/// Shorthand result type of an execution function.
pub type ExecResult = Result<ExecOutput, ExecError>;

/// A successful return of `v`.
pub fn ok(v: impl Into<Value>) -> ExecResult {
    Ok(ExecOutput::from(v.into()))
}

/// A required positional/keyword string argument.
pub fn required_str(call: &ExecCall<'_>, idx: usize, key: &str) -> Result<String, ExecError> {
    call.arg_str(idx, key)
        .ok_or_else(|| ExecError::Invocation(format!("Missing required argument: '{key}'")))
}

/// Salt's `load_args_and_kwargs` check for functions without `**kwargs`:
/// keyword arguments that are not among `params` are refused with
/// `The following keyword arguments are not valid: k=v, ...`. Keys starting
/// with `__` are Halite's internal markers (and Salt's `__pub_*`) and pass.
pub fn reject_unknown_kwargs(call: &ExecCall<'_>, params: &[&str]) -> Result<(), ExecError> {
    let invalid: Vec<String> = call
        .kwargs
        .iter()
        .filter(|(k, _)| !k.starts_with("__") && !params.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={}", python_str(v)))
        .collect();
    if invalid.is_empty() {
        return Ok(());
    }
    Err(ExecError::Invocation(format!(
        "The following keyword arguments are not valid: {}",
        invalid.join(", ")
    )))
}

/// Python's `str()` of a value (strings bare, containers as their repr).
pub fn python_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => python_repr(other),
    }
}

/// Python's `repr()` of a value.
pub fn python_repr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(python_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, x)| format!("'{k}': {}", python_repr(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => halite_api::module::value_to_arg_string(other),
    }
}

/// `str(CommandExecutionError(msg, info=...))` with the info already in
/// Salt's nested-output form: `msg.` (a stop added) `Additional info
/// follows:` and the info; no info, the message alone.
pub fn command_error_with_info(msg: &str, nested_info: &str) -> String {
    if nested_info.is_empty() {
        return msg.to_string();
    }
    let mut prefix = msg.to_string();
    if !prefix.is_empty() {
        if !prefix.ends_with(['.', '?', '!']) {
            prefix.push('.');
        }
        prefix.push(' ');
    }
    format!("{prefix}Additional info follows:\n\n{nested_info}")
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::{ExecError, Map};
    use serde_json::json;

    #[test]
    fn unknown_kwargs_are_refused_like_salt() {
        let d = TempDir::new("kwargs");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let kw: Map = json!({"bogus": 1, "other": {"a": [true, "x"]}, "__pub_jid": "1"})
            .as_object()
            .unwrap()
            .clone();
        let err = ctx.call("grains.get", vec![json!("os")], kw).unwrap_err();
        assert_eq!(
            err,
            ExecError::Invocation(
                "The following keyword arguments are not valid: bogus=1, other={'a': [True, 'x']}"
                    .into()
            )
        );
        let ok = ctx.call(
            "grains.get",
            vec![json!("os")],
            json!({"delimiter": "|"}).as_object().unwrap().clone(),
        );
        assert_eq!(ok.unwrap().ret, json!("Debian"));
    }
}
