//! `mine.get` for templates. Masterless (`file_client: local`) Salt answers
//! from the minion's local mine cache, which halite does not keep: an empty
//! dict, as salt-call --local answers on a minion that never sent mine data.
//! Through a master, the mine request is not implemented yet and says so.

use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, ExecResult};

pub const SPECS: &[ExecSpec] = &[ExecSpec {
    name: "mine.get",
    doc: "Get data from the mine based on the target, function and tgt_type",
    run: get,
}];

fn get(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["tgt", "fun", "tgt_type", "exclude_minion", "allow_tgt"],
    )?;
    let local = call.ctx.opt("file_client").and_then(Value::as_str) == Some("local")
        || call
            .ctx
            .opt("local")
            .is_some_and(halite_api::value::is_truthy);
    if local {
        return ok(Value::Object(Map::new()));
    }
    Err(ExecError::Failed(
        "mine.get through the master is not implemented in halite yet (issue: real-world fidelity)"
            .into(),
    ))
}
