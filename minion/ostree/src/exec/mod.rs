//! Execution modules `rpm_ostree.*` and `bootc.*`: thin, Salt-shaped wrappers
//! over [`crate::tool::Tools`]. Mutating functions re-read the status after
//! the call and report what the status shows, never the exit code alone.

use halite_api::{ExecCall, ExecError, Map, Value};
use serde_json::json;

use crate::model::rpm_ostree::Deployment;
use crate::tool::ToolError;

pub mod bootc;
pub mod rpm_ostree;

pub(crate) fn tool_err(e: ToolError) -> ExecError {
    ExecError::Failed(e.to_string())
}

/// Every positional argument plus a `key=` list or string, flattened.
pub(crate) fn list_arg(call: &ExecCall<'_>, key: &str) -> Vec<String> {
    let mut out: Vec<String> = call
        .args
        .iter()
        .map(halite_api::module::value_to_arg_string)
        .collect();
    out.extend(value_list(call.kwargs.get(key)));
    out
}

/// A string, a comma-free list, or nothing, as strings.
pub(crate) fn value_list(v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(halite_api::module::value_to_arg_string)
            .collect(),
        Some(other) => vec![halite_api::module::value_to_arg_string(other)],
    }
}

/// The short, stable view of a deployment that functions and states return.
pub fn summary(d: &Deployment) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), d.id.clone().into());
    m.insert("version".into(), json!(d.version));
    m.insert("checksum".into(), d.checksum.clone().into());
    if let Some(base) = &d.base_checksum {
        m.insert("base_checksum".into(), base.clone().into());
    }
    if let Some(digest) = &d.container_image_reference_digest {
        m.insert("image_digest".into(), digest.clone().into());
    }
    m.insert("origin".into(), json!(d.origin_ref()));
    m.insert("booted".into(), d.booted.into());
    m.insert("staged".into(), d.staged.into());
    m.insert("pinned".into(), d.pinned.into());
    m.insert("finalization_locked".into(), d.finalization_locked.into());
    Value::Object(m)
}
