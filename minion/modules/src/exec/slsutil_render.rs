//! `slsutil.renderer` (`salt/modules/slsutil.py`): a file (`salt://`, a
//! local absolute path, fetched as `archive`'s sources are) or a string through Salt's renderer pipes
//! (`halite_render::compile_template`), returning the data.

use halite_api::module::value_to_arg_string;
use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};
use halite_render::{compile_template, Template};

use super::archive::cache;
use super::{ok, ExecResult};

pub const SPECS: &[ExecSpec] = &[ExecSpec {
    name: "slsutil.renderer",
    doc: "Parse a string or file through Salt's renderer system",
    run: renderer,
}];

/// Keywords `compile_template` takes itself; the rest reach the template.
const CONSUMED: &[&str] = &[
    "path",
    "string",
    "default_renderer",
    "saltenv",
    "sls",
    "context",
    "input_data",
    "env",
];

fn kwarg_str(call: &ExecCall<'_>, key: &str, default: &str) -> String {
    call.kwargs
        .get(key)
        .filter(|v| !v.is_null())
        .map(value_to_arg_string)
        .unwrap_or_else(|| default.into())
}

/// `renderer(path=None, string=None, default_renderer="jinja|yaml", **kwargs)`.
fn renderer(call: &ExecCall<'_>) -> ExecResult {
    let given = |idx, key| {
        call.arg(idx, key)
            .filter(|v| halite_api::value::is_truthy(v))
            .map(value_to_arg_string)
    };
    let (path, string) = (given(0, "path"), given(1, "string"));
    let saltenv = kwarg_str(call, "saltenv", "base");
    let (local, input) = match (path, string) {
        (None, None) => return Err(ExecError::Invocation("Must pass path or string.".into())),
        (Some(_), Some(_)) => {
            return Err(ExecError::Invocation(
                "Must not pass both path and string.".into(),
            ))
        }
        (None, Some(s)) => (None, s),
        (Some(p), None) => {
            let Some(local) = fetch(call, &p, &saltenv)? else {
                return ok(Value::Object(Map::new()));
            };
            let text = std::fs::read_to_string(&local)
                .map_err(|e| ExecError::Failed(crate::util::pyerr::os_error(&e, &local)))?;
            (Some(local), text)
        }
    };
    let vars = template_vars(call);
    let t = Template {
        text: &input,
        path: local.as_deref(),
        default: &call
            .arg_str(2, "default_renderer")
            .unwrap_or_else(|| "jinja|yaml".into()),
        saltenv: &saltenv,
        sls: &kwarg_str(call, "sls", ""),
        vars: &vars,
    };
    ok(compile_template(call.ctx, &t).map_err(|e| ExecError::Failed(e.to_string()))?)
}

/// `cp.get_url(path, dest="")`: the cached copy of a `salt://` file, a
/// local absolute path as given; `None` when there is no file to render
/// (Salt's `compile_template` then answers `{}`).
fn fetch(call: &ExecCall<'_>, path: &str, saltenv: &str) -> Result<Option<String>, ExecError> {
    let local = cache::cache_any(call.ctx, path, saltenv).map_err(ExecError::Failed)?;
    Ok(local
        .filter(|p| p.is_file())
        .map(|p| p.display().to_string()))
}

/// The keyword arguments the template sees, `context` over them.
fn template_vars(call: &ExecCall<'_>) -> Map {
    let mut vars: Map = call
        .kwargs
        .iter()
        .filter(|(k, _)| !k.starts_with("__") && !CONSUMED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(Value::Object(extra)) = call.kwargs.get("context") {
        vars.extend(extra.clone());
    }
    vars
}

#[cfg(test)]
mod tests;
