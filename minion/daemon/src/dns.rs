//! Salt's `resolve_dns` before a connection: a master name that does not
//! resolve is retried every `retry_dns` seconds (at most `retry_dns_count`
//! times, then the minion gives up), or with `retry_dns: 0` the minion
//! falls back to 127.0.0.1. In failover mode Salt forces `retry_dns` to 0
//! and an unresolvable master is skipped for the next one. The log lines
//! are Salt 3008.4's, so an operator's grep finds them.
//!
//! One difference, on purpose: when the retries run out, Salt 3008.4's
//! minion logs "Minion unable to successfully connect" and then idles until
//! it is killed; Halite exits non-zero so the service manager sees it.

use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use halite_api::{Map, Value};

/// Does this host name (or address) resolve? The seam unit tests replace.
pub type Lookup<'a> = &'a dyn Fn(&str, u16) -> bool;

/// The host's resolver (getaddrinfo).
pub fn system_lookup(host: &str, port: u16) -> bool {
    (host, port)
        .to_socket_addrs()
        .is_ok_and(|mut a| a.next().is_some())
}

/// What to connect to after resolving.
#[derive(Debug, PartialEq)]
pub enum Resolution {
    /// The name resolves: connect as configured.
    Resolved,
    /// `retry_dns: 0`: Salt connects to 127.0.0.1 instead.
    FallBack,
    /// `retry_dns_count` retries ran out (the message is Salt's).
    GaveUp(String),
    /// Asked to stop while waiting to retry.
    Stopped,
}

/// Salt's `retry_dns` and `retry_dns_count` for one master.
#[derive(Debug, Clone, PartialEq)]
pub struct DnsRetry {
    /// Seconds between lookups, as configured (Salt logs the value as is).
    every: Option<Value>,
    count: Option<u64>,
}

impl DnsRetry {
    pub fn from_opts(opts: &Map) -> DnsRetry {
        let every = opts
            .get("retry_dns")
            .filter(|v| seconds(v).is_some_and(|s| s > 0.0))
            .cloned();
        let count = opts.get("retry_dns_count").and_then(Value::as_u64);
        DnsRetry { every, count }
    }

    /// Failover mode: Salt sets `retry_dns` to 0 (saying so) so that a
    /// master that does not resolve is left for the next one.
    pub fn for_failover(self) -> DnsRetry {
        if self.every.is_some() {
            tracing::error!(
                "'master_type' set to 'failover' but 'retry_dns' is not 0. Setting 'retry_dns' to 0 to failover to the next master on DNS errors."
            );
        }
        DnsRetry {
            every: None,
            ..self
        }
    }

    /// Resolve the `master` (and `master_port`) of connection options.
    pub fn resolve_opts(&self, opts: &Map, stop: &AtomicBool, lookup: Lookup) -> Resolution {
        let host = opts.get("master").and_then(Value::as_str).unwrap_or("salt");
        let port = opts
            .get("master_port")
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(4506);
        self.resolve(host, port, stop, lookup)
    }

    /// Resolve `host` as Salt's `resolve_dns(opts, fallback=True)`.
    pub fn resolve(&self, host: &str, port: u16, stop: &AtomicBool, lookup: Lookup) -> Resolution {
        if found(host, port, lookup) {
            return Resolution::Resolved;
        }
        let Some(every) = &self.every else {
            return Resolution::FallBack;
        };
        let wait = Duration::from_secs_f64(seconds(every).unwrap_or(30.0));
        let mut left = self.count;
        loop {
            if left == Some(0) {
                return Resolution::GaveUp(unresolvable(host));
            }
            left = left.map(|n| n - 1);
            tracing::error!(
                "Master hostname: '{host}' not found or not responsive. Retrying in {} seconds",
                shown(every)
            );
            if sleep_unless_stopped(wait, stop) {
                tracing::warn!(
                    "Master DNS retry loop aborted by shutdown request before '{host}' could be resolved."
                );
                return Resolution::Stopped;
            }
            if found(host, port, lookup) {
                return Resolution::Resolved;
            }
        }
    }
}

/// Salt's `dns_check`, which logs each failed lookup.
fn found(host: &str, port: u16, lookup: Lookup) -> bool {
    let ok = lookup(host, port);
    if !ok {
        tracing::error!("DNS lookup or connection check of '{host}' failed.");
    }
    ok
}

/// Salt's final word when the master's name never resolved.
pub fn unresolvable(host: &str) -> String {
    format!(
        "Master address: '{host}' could not be resolved. Invalid or unresolveable address. Set 'master' value in minion config."
    )
}

fn seconds(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The value as Python's `%s` shows it (`30`, `1.5`, `2.0`).
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Sleep `wait` in short slices; true if `stop` was set meanwhile.
fn sleep_unless_stopped(wait: Duration, stop: &AtomicBool) -> bool {
    let until = Instant::now() + wait;
    loop {
        if stop.load(Ordering::SeqCst) {
            return true;
        }
        let now = Instant::now();
        if now >= until {
            return false;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(200)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::cell::Cell;

    fn retry(opts: Value) -> DnsRetry {
        DnsRetry::from_opts(opts.as_object().unwrap())
    }

    #[test]
    fn a_name_that_resolves_is_used_at_once() {
        let r = retry(json!({"retry_dns": 30, "retry_dns_count": null}));
        let no_stop = AtomicBool::new(false);
        assert_eq!(
            r.resolve("m", 4506, &no_stop, &|_, _| true),
            Resolution::Resolved
        );
    }

    #[test]
    fn retry_dns_zero_falls_back_and_failover_forces_zero() {
        let no_stop = AtomicBool::new(false);
        let r = retry(json!({"retry_dns": 0}));
        assert_eq!(
            r.resolve("m", 4506, &no_stop, &|_, _| false),
            Resolution::FallBack
        );
        let r = retry(json!({"retry_dns": 30})).for_failover();
        assert_eq!(
            r.resolve("m", 4506, &no_stop, &|_, _| false),
            Resolution::FallBack
        );
    }

    #[test]
    fn retries_until_the_name_resolves() {
        let no_stop = AtomicBool::new(false);
        let tries = Cell::new(0);
        let lookup = |_: &str, _: u16| {
            tries.set(tries.get() + 1);
            tries.get() == 3
        };
        let r = retry(json!({"retry_dns": 0.01}));
        assert_eq!(
            r.resolve("m", 4506, &no_stop, &lookup),
            Resolution::Resolved
        );
        assert_eq!(tries.get(), 3);
    }

    #[test]
    fn retry_dns_count_gives_up_with_salts_message() {
        let no_stop = AtomicBool::new(false);
        let tries = Cell::new(0);
        let lookup = |_: &str, _: u16| {
            tries.set(tries.get() + 1);
            false
        };
        let r = retry(json!({"retry_dns": "0.01", "retry_dns_count": 2}));
        let got = r.resolve("nosuch.invalid", 4506, &no_stop, &lookup);
        assert_eq!(got, Resolution::GaveUp("Master address: 'nosuch.invalid' could not be resolved. Invalid or unresolveable address. Set 'master' value in minion config.".into()));
        // the first lookup and two retries, as Salt's loop
        assert_eq!(tries.get(), 3);
    }

    #[test]
    fn a_stop_request_ends_the_wait() {
        let stop = AtomicBool::new(true);
        let r = retry(json!({"retry_dns": 3600}));
        assert_eq!(
            r.resolve("m", 4506, &stop, &|_, _| false),
            Resolution::Stopped
        );
    }

    #[test]
    fn values_show_as_python_prints_them() {
        assert_eq!(shown(&json!(30)), "30");
        assert_eq!(shown(&json!(1.5)), "1.5");
        assert_eq!(shown(&json!(2.0)), "2.0");
    }
}
