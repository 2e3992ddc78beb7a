//! The `locale` execution module (Salt's `salt/modules/localemod.py`):
//! list_avail, get_locale, set_locale, avail, gen_locale. The host paths
//! are in [`host`] and [`gen`], name handling in [`names`].

use halite_api::{ExecCall, ExecOutput, ExecSpec, Value};

use super::{reject_unknown_kwargs, required_str, ExecResult};

pub mod gen;
pub mod host;
pub mod names;

pub use gen::Generated;
pub use host::{Host, LocaleError};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "locale.list_avail",
        doc: "Lists available (compiled) locales",
        run: list_avail,
    },
    ExecSpec {
        name: "locale.get_locale",
        doc: "Get the current system locale",
        run: get_locale,
    },
    ExecSpec {
        name: "locale.set_locale",
        doc: "Sets the current system locale",
        run: set_locale,
    },
    ExecSpec {
        name: "locale.avail",
        doc: "Check if a locale is available.",
        run: avail,
    },
    ExecSpec {
        name: "locale.gen_locale",
        doc: "Generate a locale. Options:",
        run: gen_locale,
    },
];

/// `value` with the exit status of the host's last `cmd.*` call.
fn answer(host: &Host<'_>, value: impl Into<Value>) -> ExecResult {
    Ok(ExecOutput {
        ret: value.into(),
        retcode: host.retcode.get(),
    })
}

fn list_avail(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    let host = Host::system(call.ctx);
    let all = host.list_avail()?;
    answer(
        &host,
        Value::Array(all.into_iter().map(Value::String).collect()),
    )
}

fn get_locale(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &[])?;
    let host = Host::system(call.ctx);
    let value = host.get_locale()?;
    answer(&host, value)
}

fn set_locale(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["locale"])?;
    let locale = required_str(call, 0, "locale")?;
    let host = Host::system(call.ctx);
    let value = host.set_locale(&locale)?;
    answer(&host, value)
}

fn avail(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["locale"])?;
    let locale = required_str(call, 0, "locale")?;
    let host = Host::system(call.ctx);
    let value = host.avail(&locale)?;
    answer(&host, value)
}

/// `gen_locale(locale, **kwargs)`: any keyword is accepted, `verbose` read.
fn gen_locale(call: &ExecCall<'_>) -> ExecResult {
    let locale = required_str(call, 0, "locale")?;
    let verbose = call
        .kwargs
        .get("verbose")
        .is_some_and(halite_api::value::is_truthy);
    let host = Host::system(call.ctx);
    let value = match host.gen_locale(&locale, verbose)? {
        Generated::Bool(b) => Value::Bool(b),
        Generated::Verbose(v) => v,
    };
    answer(&host, value)
}

#[cfg(test)]
mod tests;
