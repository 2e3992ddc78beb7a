//! The `timezone` execution module (Salt's `salt/modules/timezone.py` on
//! Linux): get_zone, get_zonecode, get_offset, zone_compare, set_zone,
//! get_hwclock, set_hwclock. The host paths are in [`host`].

use halite_api::{ExecCall, ExecSpec, Value};

use super::{ok, reject_unknown_kwargs, required_str, ExecResult};

pub mod host;

pub use host::Host;

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "timezone.get_zone", doc: "Get current timezone (i.e. America/Denver)", run: get_zone },
    ExecSpec { name: "timezone.get_zonecode", doc: "Get current timezone (i.e. PST, MDT, etc)", run: get_zonecode },
    ExecSpec { name: "timezone.get_offset", doc: "Get current numeric timezone offset from UTC (i.e. -0700)", run: get_offset },
    ExecSpec { name: "timezone.zone_compare", doc: "Compares the given timezone name with the system timezone name determined by timezone.get_zone. Returns True if names match, and False if not. Mostly useful for running state checks.", run: zone_compare },
    ExecSpec { name: "timezone.set_zone", doc: "Unlinks, then symlinks /etc/localtime to the set timezone.", run: set_zone },
    ExecSpec { name: "timezone.get_hwclock", doc: "Get current hardware clock setting (UTC or localtime)", run: get_hwclock },
    ExecSpec { name: "timezone.set_hwclock", doc: "Sets the hardware clock to be either UTC or localtime", run: set_hwclock },
];

fn get_zone(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    ok(Host::system(call.ctx).get_zone()?)
}

fn date(call: &ExecCall<'_>, fmt: &str) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    ok(Host::system(call.ctx).run(&["date", fmt])?.1)
}

fn get_zonecode(call: &ExecCall<'_>) -> ExecResult {
    date(call, "+%Z")
}

fn get_offset(call: &ExecCall<'_>) -> ExecResult {
    date(call, "+%z")
}

fn zone_compare(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["timezone"])?;
    let tz = required_str(call, 0, "timezone")?;
    ok(Host::system(call.ctx).zone_compare(&tz)?)
}

fn set_zone(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["timezone"])?;
    let tz = required_str(call, 0, "timezone")?;
    ok(match Host::system(call.ctx).set_zone(&tz)? {
        None => Value::Bool(true),
        Some(msg) => Value::String(msg),
    })
}

fn get_hwclock(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    ok(Host::system(call.ctx)
        .get_hwclock()?
        .map(Value::String)
        .unwrap_or(Value::Null))
}

fn set_hwclock(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["clock"])?;
    let clock = required_str(call, 0, "clock")?;
    ok(Host::system(call.ctx).set_hwclock(&clock)?)
}

#[cfg(test)]
mod tests;
