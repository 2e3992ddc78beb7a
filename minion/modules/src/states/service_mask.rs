//! `service.masked` and `service.unmasked` (Salt's `salt/states/service.py`)
//! over `service.masked`/`mask`/`unmask`; unlike running/dead they run on an
//! offline host too, as Salt's do.

use halite_api::{ExecError, StateCall, StateReturn, StateSpec, Value};
use serde_json::json;

use super::ret;
use crate::exec::service_mask::{truthy, Units};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "service.masked",
        run: masked,
        mod_watch: None,
    },
    StateSpec {
        name: "service.unmasked",
        run: unmasked,
        mod_watch: None,
    },
];

fn masked(call: &StateCall<'_>) -> StateReturn {
    masked_on(call, &Units::system(call.ctx))
}

fn unmasked(call: &StateCall<'_>) -> StateReturn {
    unmasked_on(call, &Units::system(call.ctx))
}

fn runtime(call: &StateCall<'_>) -> bool {
    truthy(call.args.get("runtime"))
}

/// `{mask_type: {"old": old, "new": !old}}`.
fn expected(mask_type: &str, old: bool) -> Value {
    json!({ mask_type: {"old": old, "new": !old} })
}

/// A CommandExecutionError ends the state with its message.
fn settle(call: &StateCall<'_>, r: Result<StateReturn, ExecError>) -> StateReturn {
    r.unwrap_or_else(|e| ret(call, Some(false), e.to_string()))
}

fn set_changes(r: &mut StateReturn, v: Value) {
    if let Value::Object(m) = v {
        r.changes = m;
    }
}

pub fn masked_on(call: &StateCall<'_>, u: &Units<'_>) -> StateReturn {
    let (n, rt) = (call.name.as_str(), runtime(call));
    let mask_type = if rt { "runtime masked" } else { "masked" };
    let step = || -> Result<StateReturn, ExecError> {
        if u.masked(n, rt, None)? {
            return Ok(ret(
                call,
                Some(true),
                format!("Service {n} is already {mask_type}"),
            ));
        }
        if call.test {
            let mut r = ret(call, None, format!("Service {n} would be {mask_type}"));
            set_changes(&mut r, expected(mask_type, false));
            return Ok(r);
        }
        u.mask(n, rt, None)?;
        if u.masked(n, rt, None)? {
            let mut r = ret(call, Some(true), format!("Service {n} was {mask_type}"));
            set_changes(&mut r, expected(mask_type, false));
            return Ok(r);
        }
        Ok(ret(call, Some(true), format!("Failed to mask service {n}")))
    };
    settle(call, step())
}

pub fn unmasked_on(call: &StateCall<'_>, u: &Units<'_>) -> StateReturn {
    let (n, rt) = (call.name.as_str(), runtime(call));
    let mask_type = if rt { "runtime masked" } else { "masked" };
    let action = if rt { "runtime unmasked" } else { "unmasked" };
    let step = || -> Result<StateReturn, ExecError> {
        if !u.masked(n, rt, None)? {
            return Ok(ret(
                call,
                Some(true),
                format!("Service {n} was already {action}"),
            ));
        }
        if call.test {
            let mut r = ret(call, None, format!("Service {n} would be {action}"));
            set_changes(&mut r, expected(mask_type, true));
            return Ok(r);
        }
        u.unmask(n, rt, None)?;
        if !u.masked(n, rt, None)? {
            let mut r = ret(call, Some(true), format!("Service {n} was {action}"));
            set_changes(&mut r, expected(mask_type, true));
            return Ok(r);
        }
        Ok(ret(
            call,
            Some(true),
            format!("Failed to unmask service {n}"),
        ))
    };
    settle(call, step())
}
