//! `timezone.system` (Salt's `salt/states/timezone.py`): the zone through
//! `timezone.zone_compare`/`set_zone`, the hardware clock through
//! `get_hwclock`/`set_hwclock`.

use halite_api::{ExecError, StateCall, StateReturn, StateSpec, Value};

use super::ret;
use crate::exec::timezone::Host;

pub const SPECS: &[StateSpec] = &[StateSpec {
    name: "timezone.system",
    run: system,
    mod_watch: None,
}];

/// Python's `utc == myutc` for a bool `myutc` (`1 == True` holds).
fn equals_bool(v: &Value, b: bool) -> bool {
    match v {
        Value::Bool(x) => *x == b,
        Value::Number(n) => n.as_f64() == Some(if b { 1.0 } else { 0.0 }),
        _ => false,
    }
}

/// An error Salt does not catch in this state (it raises out of it).
fn raised(call: &StateCall<'_>, e: &ExecError) -> StateReturn {
    let kind = match e {
        ExecError::Invocation(_) => "SaltInvocationError",
        _ => "CommandExecutionError",
    };
    ret(
        call,
        Some(false),
        format!("An exception occurred in this state: salt.exceptions.{kind}: {e}"),
    )
}

fn system(call: &StateCall<'_>) -> StateReturn {
    system_on(call, &Host::system(call.ctx))
}

pub fn system_on(call: &StateCall<'_>, host: &Host<'_>) -> StateReturn {
    let name = call.name.clone();
    let utc = call.get("utc").cloned().unwrap_or(Value::Bool(true));
    let compzone = match host.zone_compare(&name) {
        Ok(c) => c,
        Err(e) => {
            return ret(
                call,
                Some(false),
                format!("Unable to compare desired timezone '{name}' to system timezone: {e}"),
            )
        }
    };
    let myutc = match host.get_hwclock() {
        Ok(c) => c.as_deref() != Some("localtime"),
        Err(e) => return raised(call, &e),
    };
    let utc_str = halite_api::py::str_of(&utc);
    let mut r = ret(call, None, "");
    let mut messages = Vec::new();
    if compzone {
        r.result = Some(true);
        messages.push(format!("Timezone {name} already set"));
    }
    let do_utc = halite_api::value::is_truthy(&utc) && !equals_bool(&utc, myutc);
    if do_utc {
        r.result = None;
    } else if halite_api::value::is_truthy(&utc) {
        messages.push(format!("UTC already set to {name}"));
    }
    if r.result == Some(true) {
        r.comment = messages.join(", ");
        return r;
    }
    if call.test {
        let mut m = Vec::new();
        if !compzone {
            m.push(format!("Timezone {name} needs to be set"));
        }
        if do_utc {
            m.push(format!("UTC needs to be set to {utc_str}"));
        }
        r.comment = m.join(", ");
        return r;
    }
    let mut messages = Vec::new();
    if !compzone {
        match host.set_zone(&name) {
            Ok(_) => {
                r.changes
                    .insert("timezone".into(), Value::String(name.clone()));
                messages.push(format!("Set timezone {name}"));
                r.result = Some(true);
            }
            Err(e) => return raised(call, &e),
        }
    }
    if do_utc {
        match host.set_hwclock("UTC") {
            Ok(true) => {
                r.changes.insert("utc".into(), utc.clone());
                messages.push(format!("Set UTC to {utc_str}"));
                r.result = Some(true);
            }
            Ok(false) => {
                messages.push(format!("Failed to set UTC to {utc_str}"));
                r.result = Some(false);
            }
            Err(e) => return raised(call, &e),
        }
    }
    r.comment = messages.join(", ");
    r
}
