//! State modules (`file.managed`, `cmd.run`, `service.running`, ...).

use halite_api::{Map, Registry, StateCall, StateReturn, Value};

pub mod archive;
pub mod cmd;
pub mod cron;
pub mod file;
pub mod git;
pub mod group;
pub mod host;
pub mod ini;
pub mod kmod;
pub mod locale;
pub mod mount;
pub mod service;
pub mod service_mask;
pub mod ssh_auth;
pub mod sysctl;
pub mod test;
pub mod timezone;
pub mod user;

/// Add every state function.
pub fn register(reg: &mut Registry) {
    for specs in [
        file::SPECS,
        archive::SPECS,
        git::SPECS,
        cmd::SPECS,
        service::SPECS,
        service_mask::SPECS,
        sysctl::SPECS,
        kmod::SPECS,
        mount::SPECS,
        host::SPECS,
        ssh_auth::SPECS,
        ini::SPECS,
        user::SPECS,
        group::SPECS,
        test::SPECS,
        cron::SPECS,
        timezone::SPECS,
        locale::SPECS,
    ] {
        reg.add_states(specs);
    }
}

/// A return with `result` and `comment` set and no changes.
pub fn ret(call: &StateCall<'_>, result: Option<bool>, comment: impl Into<String>) -> StateReturn {
    StateReturn {
        name: call.name.clone(),
        result,
        comment: comment.into(),
        ..Default::default()
    }
}

/// Build a changes map from pairs.
pub fn changes<I: IntoIterator<Item = (String, Value)>>(items: I) -> Map {
    items.into_iter().collect()
}

/// A list-or-string argument as a list of strings.
pub fn str_list(v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(halite_api::module::value_to_arg_string)
            .collect(),
        Some(Value::String(s)) if s.contains(',') => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        Some(other) => vec![halite_api::module::value_to_arg_string(other)],
    }
}
