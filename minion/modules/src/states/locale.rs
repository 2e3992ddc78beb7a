//! `locale.system` and `locale.present` (Salt's `salt/states/locale.py`):
//! the system locale through `locale.get_locale`/`set_locale`, generation
//! through `locale.avail`/`gen_locale`.

use halite_api::{StateCall, StateReturn, StateSpec};

use super::ret;
use crate::exec::locale::{Generated, Host, LocaleError};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "locale.system",
        run: system,
        mod_watch: None,
    },
    StateSpec {
        name: "locale.present",
        run: present,
        mod_watch: None,
    },
];

/// An error the state does not catch (Salt raises out of it).
fn raised(call: &StateCall<'_>, e: &LocaleError) -> StateReturn {
    ret(
        call,
        Some(false),
        format!(
            "An exception occurred in this state: {}",
            e.traceback_line()
        ),
    )
}

fn system(call: &StateCall<'_>) -> StateReturn {
    system_on(call, &Host::system(call.ctx))
}

pub fn system_on(call: &StateCall<'_>, host: &Host<'_>) -> StateReturn {
    let name = call.name.clone();
    let step = || -> Result<StateReturn, LocaleError> {
        if host.get_locale()? == name {
            return Ok(ret(
                call,
                Some(true),
                format!("System locale {name} already set"),
            ));
        }
        if call.test {
            return Ok(ret(
                call,
                None,
                format!("System locale {name} needs to be set"),
            ));
        }
        if host.set_locale(&name)? {
            let mut r = ret(call, Some(true), format!("Set system locale {name}"));
            r.changes.insert("locale".into(), name.clone().into());
            return Ok(r);
        }
        Ok(ret(
            call,
            Some(false),
            format!("Failed to set system locale to {name}"),
        ))
    };
    match step() {
        Ok(r) => r,
        Err(LocaleError::Command(m)) => ret(
            call,
            Some(false),
            format!("Failed to set system locale: {m}"),
        ),
        Err(e) => raised(call, &e),
    }
}

fn present(call: &StateCall<'_>) -> StateReturn {
    present_on(call, &Host::system(call.ctx))
}

pub fn present_on(call: &StateCall<'_>, host: &Host<'_>) -> StateReturn {
    let name = call.name.clone();
    match host.avail(&name) {
        Ok(true) => {
            return ret(
                call,
                Some(true),
                format!("Locale {name} is already present"),
            )
        }
        Ok(false) => {}
        Err(e) => return raised(call, &e),
    }
    if call.test {
        return ret(call, None, format!("Locale {name} needs to be generated"));
    }
    match host.gen_locale(&name, false) {
        Ok(Generated::Bool(true)) | Ok(Generated::Verbose(_)) => {
            let mut r = ret(call, Some(true), format!("Generated locale {name}"));
            r.changes.insert("locale".into(), name.clone().into());
            r
        }
        Ok(Generated::Bool(false)) => ret(
            call,
            Some(false),
            format!("Failed to generate locale {name}"),
        ),
        Err(e) => raised(call, &e),
    }
}
