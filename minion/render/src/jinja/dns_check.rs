//! Salt's `dns_check` filter (salt/utils/network.py, 3008.4):
//! `addr|dns_check(port, safe=False, ipv6=None)` resolves `addr` (only IPv6
//! when `ipv6` is true, falling back to IPv4 when that lookup finds
//! nothing; only IPv4 when it is `False`), tries a TCP connection (2 s) to
//! each address in turn and returns the first that answers, or the first
//! resolved when none does, IPv6 in brackets (`[::1]`). Lookups and
//! connections go through [`halite_api::Network`], the `Ctx` seam.
//!
//! Failures, in Salt's words: nothing resolved is Salt's SaltSystemExit
//! `DNS lookup or connection check of 'x' failed.`, a port that is not an
//! int (Python's TypeError in `connect`) SaltSystemExit `Attempt to resolve
//! address 'x' failed. Invalid or unresolveable address`: the render fails
//! with that text and the exit is requested in the run context
//! ([`halite_api::ctx::request_system_exit`]), so salt-call's `halite call`
//! ends as Salt's does. With `safe=True` it is Salt's SaltClientError
//! without a message (`Jinja error: `), which the template sees.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use halite_api::ctx::{request_system_exit, RunContext};
use halite_api::Network;
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Error, Value};

use super::filters_data::error;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Which address family `getaddrinfo` is asked for.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Family {
    Any,
    V4,
    V6,
}

/// The filter, bound to the `Ctx`'s network and run context (where a
/// SaltSystemExit is requested).
pub fn filter(
    net: Arc<dyn Network>,
    context: RunContext,
) -> impl Fn(Value, Option<Value>, Option<Value>, Option<Value>, Kwargs) -> Result<String, Error>
       + Send
       + Sync
       + 'static {
    move |addr, port, safe, ipv6, kwargs| {
        let safe = keyword(safe, &kwargs, "safe")?;
        let ipv6 = keyword(ipv6, &kwargs, "ipv6")?;
        let port = match port.or(kwargs.get::<Option<Value>>("port")?) {
            Some(port) => port,
            None => {
                return Err(error(
                    "dns_check() missing 1 required positional argument: 'port'",
                ))
            }
        };
        if let Some(bad) = kwargs
            .args()
            .find(|k| !["port", "safe", "ipv6"].contains(k))
        {
            return Err(error(format!(
                "dns_check() got an unexpected keyword argument '{bad}'"
            )));
        }
        kwargs.assert_all_used()?;
        let safe = safe.is_some_and(|v| v.is_true());
        dns_check(net.as_ref(), &addr, &port, safe, ipv6.as_ref()).map_err(|failure| {
            if let Failure::SystemExit(msg) = &failure {
                request_system_exit(&context, msg);
            }
            failure.into()
        })
    }
}

/// An argument given by position or by keyword (not both: Python's
/// `got multiple values for argument`).
fn keyword(positional: Option<Value>, kwargs: &Kwargs, name: &str) -> Result<Option<Value>, Error> {
    let by_name: Option<Value> = kwargs.get(name)?;
    match (positional, by_name) {
        (Some(_), Some(_)) => Err(error(format!(
            "dns_check() got multiple values for argument '{name}'"
        ))),
        (p, k) => Ok(p.or(k)),
    }
}

/// `salt.utils.network.dns_check(addr, port, safe, ipv6)`.
fn dns_check(
    net: &dyn Network,
    addr: &Value,
    port: &Value,
    safe: bool,
    ipv6: Option<&Value>,
) -> Result<String, Failure> {
    let name = addr.to_string();
    let type_error = || {
        Failure::SystemExit(format!(
            "Attempt to resolve address '{name}' failed. Invalid or unresolveable address"
        ))
    };
    let Some(host) = addr.as_str().filter(|_| addr.kind() == ValueKind::String) else {
        return Err(type_error());
    };
    let port = match port_number(port) {
        Port::Int(p) => p,
        Port::TypeError => return Err(type_error()),
        Port::Unresolvable => return Err(failed(host, safe)),
        Port::Overflow => {
            return Err(Failure::Error(error(
                "getsockaddrarg: port must be 0-65535.",
            )))
        }
    };
    let family = family(ipv6);
    let mut found = lookup(net, host, port, family);
    if found.is_none() && family == Family::V6 {
        found = lookup(net, host, port, Family::V4);
    }
    match found.map(|addrs| reachable_first(net, addrs)) {
        Some(ip) => Ok(bracket(ip)),
        None => Err(failed(host, safe)),
    }
}

/// How `dns_check` fails: Salt's SaltSystemExit, or an exception the
/// template sees.
enum Failure {
    SystemExit(String),
    Error(Error),
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Error {
        match failure {
            Failure::SystemExit(msg) => error(msg),
            Failure::Error(e) => e,
        }
    }
}

/// Salt's SaltSystemExit text, or its message-less SaltClientError.
fn failed(host: &str, safe: bool) -> Failure {
    let msg = format!("DNS lookup or connection check of '{host}' failed.");
    if safe {
        tracing::error!("{msg}");
        return Failure::Error(error(""));
    }
    Failure::SystemExit(msg)
}

enum Port {
    Int(u16),
    /// A str `getaddrinfo` takes but `connect` refuses.
    TypeError,
    /// A str `getaddrinfo` cannot read as a service.
    Unresolvable,
    Overflow,
}

fn port_number(port: &Value) -> Port {
    match port.kind() {
        ValueKind::Bool => Port::Int(u16::from(port.is_true())),
        ValueKind::Number if port.is_integer() => match i64::try_from(port.clone()) {
            Ok(n) => u16::try_from(n).map_or(Port::Overflow, Port::Int),
            Err(_) => Port::Overflow,
        },
        ValueKind::String if port.as_str().is_some_and(|s| s.parse::<u16>().is_ok()) => {
            Port::TypeError
        }
        ValueKind::String => Port::Unresolvable,
        _ => Port::TypeError,
    }
}

/// `AF_INET6` when `ipv6` is true, `AF_INET` when it is exactly `False`.
fn family(ipv6: Option<&Value>) -> Family {
    match ipv6 {
        Some(v) if v.is_true() => Family::V6,
        Some(v) if v.kind() == ValueKind::Bool => Family::V4,
        _ => Family::Any,
    }
}

/// The distinct addresses of `host` in the family, in lookup order;
/// `None` where Python's `getaddrinfo` raises (nothing of that family).
fn lookup(net: &dyn Network, host: &str, port: u16, family: Family) -> Option<Vec<SocketAddr>> {
    let mut seen: Vec<SocketAddr> = Vec::new();
    for addr in net.lookup(host, port).ok()? {
        let wanted = match family {
            Family::Any => true,
            Family::V4 => addr.is_ipv4(),
            Family::V6 => addr.is_ipv6(),
        };
        if wanted && !seen.iter().any(|s| s.ip() == addr.ip()) {
            seen.push(addr);
        }
    }
    (!seen.is_empty()).then_some(seen)
}

/// Salt's `_test_addrs`: the first address that takes a TCP connection,
/// else the first one resolved.
fn reachable_first(net: &dyn Network, addrs: Vec<SocketAddr>) -> IpAddr {
    addrs
        .iter()
        .find(|a| net.can_connect(**a, CONNECT_TIMEOUT))
        .unwrap_or(&addrs[0])
        .ip()
}

/// `ip_bracket`: IPv6 in brackets.
fn bracket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

#[cfg(test)]
#[path = "dns_check_tests.rs"]
mod tests;
