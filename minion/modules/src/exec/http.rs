//! The `http` execution module: `http.query(url, **kwargs)`, Salt's
//! salt/modules/http.py over `salt.utils.http.query` — the same port the
//! `http_query` Jinja filter uses ([`halite_render::http_query`]), with
//! the minion's options updated by an `opts` keyword, through the `Ctx`'s
//! network seam. A query Halite does not port fails as Salt's
//! CommandExecutionError does.

use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[ExecSpec {
    name: "http.query",
    doc: "Query a resource, and decode the return data",
    run: query,
}];

fn query(call: &ExecCall<'_>) -> ExecResult {
    if call.args.len() > 1 {
        return Err(ExecError::Invocation(format!(
            "query() takes 1 positional argument but {} were given",
            call.args.len()
        )));
    }
    let url = required_str(call, 0, "url")?;
    let mut kwargs: Map = call
        .kwargs
        .iter()
        .filter(|(k, _)| !k.starts_with("__") && k.as_str() != "url")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut opts = (*call.ctx.opts).clone();
    if let Some(Value::Object(given)) = kwargs.shift_remove("opts") {
        opts.extend(given);
    }
    let ret = halite_render::http_query::query(call.ctx.net.as_ref(), &opts, &url, &kwargs)
        .map_err(|e| ExecError::Failed(e.to_string()))?;
    ok(Value::Object(ret))
}
