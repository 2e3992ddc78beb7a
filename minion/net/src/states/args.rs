//! State arguments with errors that name the argument and the value.

use crate::model::Cidr;
use halite_api::module::StateCall;
use halite_api::Value;
use std::net::Ipv4Addr;

/// A non-negative integer argument.
pub fn u64_arg(call: &StateCall<'_>, key: &str) -> Result<Option<u64>, String> {
    match call.get(key) {
        None => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
        Some(v) => {
            let s = halite_api::module::value_to_arg_string(v);
            s.trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("{key}: '{s}' is not a non-negative integer"))
        }
    }
}

pub fn u32_arg(call: &StateCall<'_>, key: &str) -> Result<Option<u32>, String> {
    u64_arg(call, key)?
        .map(|v| u32::try_from(v).map_err(|_| format!("{key}: {v} is too large")))
        .transpose()
}

pub fn u8_arg(call: &StateCall<'_>, key: &str) -> Result<Option<u8>, String> {
    u64_arg(call, key)?
        .map(|v| u8::try_from(v).map_err(|_| format!("{key}: {v} is too large")))
        .transpose()
}

pub fn cidr_arg(call: &StateCall<'_>, key: &str) -> Result<Option<Cidr>, String> {
    call.get_str(key)
        .map(|s| s.parse::<Cidr>().map_err(|e| format!("{key}: {e}")))
        .transpose()
}

pub fn ip_arg(call: &StateCall<'_>, key: &str) -> Result<Option<Ipv4Addr>, String> {
    call.get_str(key)
        .map(|s| {
            s.trim()
                .parse::<Ipv4Addr>()
                .map_err(|_| format!("{key}: '{s}' is not an IPv4 address"))
        })
        .transpose()
}

pub fn required(call: &StateCall<'_>, key: &str) -> Result<String, String> {
    call.get_str(key)
        .ok_or_else(|| format!("{key}: this argument is required"))
}

/// A list of strings (a single string is a list of one).
pub fn str_list(call: &StateCall<'_>, key: &str) -> Result<Vec<String>, String> {
    match call.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items
            .iter()
            .map(halite_api::module::value_to_arg_string)
            .collect()),
        Some(Value::String(s)) => Ok(s.lines().map(String::from).collect()),
        Some(_) => Err(format!("{key}: must be a list of strings")),
    }
}
