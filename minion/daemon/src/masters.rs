//! Which master to talk to, as Salt 3008's minion decides: `master` as one
//! name or a list (`host` or `host:port`), `master_type: str` (the first
//! master, retried forever) or `failover` (each in turn, the next when one
//! cannot be reached; `random_master` shuffles the order), with
//! `master_alive_interval` (seconds between checks that the master still
//! answers; a dead one fails over) and `master_failback` (go back to the
//! first master when it answers again).

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use halite_api::{Map, Value};

use crate::dns::DnsRetry;

/// The masters and how to move between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Masters {
    /// `host` or `host:port` entries, in the order they are tried.
    pub entries: Vec<String>,
    pub failover: bool,
    /// `master_alive_interval` (None: no checks).
    pub alive_interval: Option<Duration>,
    pub failback: bool,
    /// `master_failback_interval` (Salt: 0 means `master_alive_interval`).
    pub failback_interval: Option<Duration>,
    /// `retry_dns` / `retry_dns_count` (forced off in failover mode).
    pub dns: DnsRetry,
}

impl Masters {
    pub fn from_opts(opts: &Map) -> Masters {
        let mut entries: Vec<String> = match opts.get("master") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => vec!["salt".into()],
        };
        if entries.is_empty() {
            entries.push("salt".into());
        }
        let failover = opts.get("master_type").and_then(Value::as_str) == Some("failover");
        let random = opts
            .get("random_master")
            .is_some_and(halite_api::value::is_truthy);
        let failback = failover
            && opts
                .get("master_failback")
                .is_some_and(halite_api::value::is_truthy);
        if random {
            shuffle_as_salt(&mut entries, failover, failback);
        }
        let seconds = |key| {
            opts.get(key)
                .and_then(Value::as_u64)
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
        };
        let alive = seconds("master_alive_interval");
        let dns = DnsRetry::from_opts(opts);
        Masters {
            entries,
            failover,
            alive_interval: alive,
            failback,
            failback_interval: seconds("master_failback_interval").or(alive),
            dns: if failover { dns.for_failover() } else { dns },
        }
    }

    /// The options for talking to entry `i`: `master` (and `master_port`
    /// from `host:port`); in failover mode one auth attempt, so a dead
    /// master costs one `auth_timeout` before the next is tried.
    pub fn opts_for(&self, base: &Map, i: usize) -> Map {
        let mut opts = base.clone();
        let (host, port) = split_host_port(&self.entries[i]);
        opts.insert("master".into(), host.into());
        if let Some(p) = port {
            opts.insert("master_port".into(), p.into());
        }
        if self.failover {
            opts.insert("auth_tries".into(), 1.into());
            opts.insert("auth_retries".into(), 1.into());
        }
        opts
    }
}

/// Salt's `prep_ip_port`: `host:port` (not an IPv6 literal) splits.
pub fn split_host_port(entry: &str) -> (String, Option<u16>) {
    if entry.matches(':').count() == 1 {
        if let Some((h, p)) = entry.rsplit_once(':') {
            if let Ok(port) = p.parse::<u16>() {
                return (h.to_string(), Some(port));
            }
        }
    }
    (
        entry.trim_matches(|c| c == '[' || c == ']').to_string(),
        None,
    )
}

/// Does the master's request port accept a TCP connection (2 s at most)?
pub fn answers(opts: &Map) -> bool {
    let host = opts.get("master").and_then(Value::as_str).unwrap_or("salt");
    let port = opts
        .get("master_port")
        .and_then(Value::as_u64)
        .unwrap_or(4506) as u16;
    let Ok(addrs) = (host, port).to_socket_addrs() else {
        return false;
    };
    addrs
        .into_iter()
        .any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

/// Salt's `random_master`: with failover and `master_failback` the first
/// master stays first (it is the one to fail back to) and the others are
/// shuffled; otherwise the whole list is. One master: Salt warns.
fn shuffle_as_salt(entries: &mut [String], failover: bool, failback: bool) {
    match entries {
        [_] if !failover => tracing::warn!(
            "random_master is True but there is only one master specified. Ignoring."
        ),
        [_, rest @ ..] if failback => shuffle(rest),
        all => shuffle(all),
    }
}

fn shuffle(v: &mut [String]) {
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7)
        | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn failover_lists_and_host_port_entries() {
        let opts = json!({"master": ["10.0.0.1:45001", "m2"], "master_type": "failover", "master_alive_interval": 5, "master_failback": true, "master_port": 4506});
        let m = Masters::from_opts(opts.as_object().unwrap());
        assert!(m.failover && m.failback);
        assert_eq!(m.alive_interval, Some(Duration::from_secs(5)));
        let first = m.opts_for(opts.as_object().unwrap(), 0);
        assert_eq!(first["master"], json!("10.0.0.1"));
        assert_eq!(first["master_port"], json!(45001));
        assert_eq!(first["auth_tries"], json!(1));
        let second = m.opts_for(opts.as_object().unwrap(), 1);
        assert_eq!(
            (second["master"].clone(), second["master_port"].clone()),
            (json!("m2"), json!(4506))
        );
        assert_eq!(split_host_port("fe80::1"), ("fe80::1".into(), None));
        let one = json!({"master": "salt.example"});
        let m = Masters::from_opts(one.as_object().unwrap());
        assert_eq!(
            (m.entries.clone(), m.failover, m.failback),
            (vec!["salt.example".to_string()], false, false)
        );
    }

    #[test]
    fn failback_interval_defaults_to_the_alive_interval() {
        let opts = json!({"master": ["a", "b"], "master_type": "failover", "master_alive_interval": 5, "master_failback": true, "master_failback_interval": 0});
        let m = Masters::from_opts(opts.as_object().unwrap());
        assert_eq!(m.failback_interval, Some(Duration::from_secs(5)));
        let opts = json!({"master": ["a", "b"], "master_type": "failover", "master_alive_interval": 5, "master_failback": true, "master_failback_interval": 9});
        let m = Masters::from_opts(opts.as_object().unwrap());
        assert_eq!(m.failback_interval, Some(Duration::from_secs(9)));
    }

    #[test]
    fn random_master_keeps_the_failback_master_first() {
        let all: Vec<String> = (0..8).map(|i| format!("m{i}")).collect();
        for _ in 0..20 {
            let mut v = all.clone();
            shuffle_as_salt(&mut v, true, true);
            assert_eq!(v[0], "m0");
            let mut sorted = v.clone();
            sorted.sort();
            assert_eq!(sorted, all);
        }
        // without failback the whole list moves: over 20 shuffles of 8,
        // m0 stays first every time with probability 8^-20
        let moved = (0..20).any(|_| {
            let mut v = all.clone();
            shuffle_as_salt(&mut v, true, false);
            v[0] != "m0"
        });
        assert!(moved);
    }
}
