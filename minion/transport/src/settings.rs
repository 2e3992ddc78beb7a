//! The minion options the transport uses, read from `MinionConfig::opts` with
//! Salt 3008.4 defaults (§18 of the spec). Bad types name the key.

use std::path::PathBuf;
use std::time::Duration;

use halite_api::{Map, Value};
use halite_proto::{EncAlgo, SigAlgo};

use crate::error::TransportError;

/// Transport settings; build with [`LinkSettings::from_opts`], fields are public
/// so callers (and tests) can adjust them.
#[derive(Debug, Clone)]
pub struct LinkSettings {
    /// `id`.
    pub id: String,
    /// `master` (host name or address; first entry if a list).
    pub master: String,
    /// `master_port` (request channel).
    pub master_port: u16,
    /// `publish_port` as configured; 4506 (Salt's fallback when unset) means "use
    /// the port the master announces in its auth reply" (see [`Self::publish_port_for`]).
    pub publish_port: u16,
    /// `pki_dir`.
    pub pki_dir: PathBuf,
    /// `cachedir`.
    pub cachedir: PathBuf,
    /// `keysize` for generated keys.
    pub keysize: u32,
    /// `encryption_algorithm`.
    pub enc_algo: EncAlgo,
    /// `signing_algorithm`.
    pub sig_algo: SigAlgo,
    /// `acceptance_wait_time`.
    pub acceptance_wait: Duration,
    /// `acceptance_wait_time_max` (0 = same as wait).
    pub acceptance_wait_max: Duration,
    /// `auth_tries` (tries per auth attempt).
    pub auth_tries: u32,
    /// `auth_timeout` per try.
    pub auth_timeout: Duration,
    /// `auth_retries` (0 = retry forever while pending/unreachable).
    pub auth_retries: u32,
    /// `rejected_retry`.
    pub rejected_retry: bool,
    /// `master_finger`.
    pub master_finger: Option<String>,
    /// `hash_type`.
    pub hash_type: String,
    /// `ipv6`.
    pub ipv6: bool,
    /// `recon_default` (ms).
    pub recon_default: i32,
    /// `recon_max` (ms).
    pub recon_max: i32,
    /// `recon_randomize`.
    pub recon_randomize: bool,
    /// `request_channel_timeout`.
    pub request_timeout: Duration,
    /// `request_channel_tries`.
    pub request_tries: u32,
    /// `return_retry_timer` .. `return_retry_timer_max` (per-try timeout of returns).
    pub return_timeout: (Duration, Duration),
    /// `return_retry_tries`.
    pub return_tries: u32,
    /// `tcp_keepalive`, `_idle`, `_cnt`, `_intvl`.
    pub tcp_keepalive: (i32, i32, i32, i32),
    /// `zmq_filtering`: subscribe to `broadcast` and our id topic only.
    pub zmq_filtering: bool,
    /// `sign_pub_messages`: require a valid master signature on publications.
    pub require_pub_sig: bool,
    /// ZMTP heartbeat interval on the SUB socket (`zmq_heartbeat_ivl`, ms).
    pub heartbeat_ivl: i32,
    /// ZMTP heartbeat timeout (`zmq_heartbeat_timeout`, ms); also sent as TTL.
    pub heartbeat_timeout: i32,
    /// Publications larger than this are dropped unread (Halite-specific,
    /// `halite_max_publication_bytes`, default 100 MiB).
    pub max_publication_bytes: usize,
    /// Minimum time between two re-authentications caused by undecryptable data.
    pub min_reauth_interval: Duration,
    /// `zmq_monitor`: on a lost publish connection, authenticate again and
    /// open a new publish socket, as Salt 3008.4's minion does.
    pub zmq_monitor: bool,
    /// The longest wait (ms) between a request socket's connects (from
    /// libzmq's 100 ms, doubling): Salt's 5000; the lost-connection re-auth
    /// lowers it to the fleet's reconnect window.
    pub request_reconnect_ivl_max: i32,
}

impl LinkSettings {
    /// The publish port to connect to, as Salt's `AsyncPubChannel.connect` picks it:
    /// a configured `publish_port` other than 4506 wins, otherwise the port the
    /// master announced in its auth reply (4505 if it announced none).
    pub fn publish_port_for(&self, announced: Option<u16>) -> u16 {
        if self.publish_port != 4506 {
            self.publish_port
        } else {
            announced.unwrap_or(4505)
        }
    }

    /// Read the options from a minion opts map.
    pub fn from_opts(opts: &Map) -> Result<Self, TransportError> {
        let o = Opts(opts);
        let timer = o.secs("return_retry_timer", 5)?;
        let timer_max = o.secs("return_retry_timer_max", 10)?.max(timer);
        Ok(LinkSettings {
            id: o.string("id")?.ok_or(TransportError::Config {
                key: "id",
                reason: "the minion id is not set".into(),
            })?,
            master: o.master()?,
            master_port: o.port("master_port", 4506)?,
            publish_port: o.port("publish_port", 4506)?,
            pki_dir: o
                .string("pki_dir")?
                .unwrap_or_else(|| "/etc/salt/pki/minion".into())
                .into(),
            cachedir: o
                .string("cachedir")?
                .unwrap_or_else(|| "/var/cache/salt/minion".into())
                .into(),
            keysize: o.int("keysize", 2048)? as u32,
            enc_algo: o.algo("encryption_algorithm", EncAlgo::parse, EncAlgo::default())?,
            sig_algo: o.algo("signing_algorithm", SigAlgo::parse, SigAlgo::default())?,
            acceptance_wait: o.secs("acceptance_wait_time", 10)?,
            acceptance_wait_max: o.secs("acceptance_wait_time_max", 0)?,
            auth_tries: o.int("auth_tries", 7)?.max(1) as u32,
            auth_timeout: o.secs("auth_timeout", 5)?,
            auth_retries: o.int("auth_retries", 0)? as u32,
            rejected_retry: o.bool("rejected_retry", false)?,
            master_finger: o.string("master_finger")?.filter(|s| !s.trim().is_empty()),
            hash_type: o.string("hash_type")?.unwrap_or_else(|| "sha256".into()),
            ipv6: o.bool("ipv6", false)?,
            recon_default: o.int("recon_default", 1000)? as i32,
            recon_max: o.int("recon_max", 10000)? as i32,
            recon_randomize: o.bool("recon_randomize", true)?,
            request_timeout: o.secs("request_channel_timeout", 60)?,
            request_tries: o.int("request_channel_tries", 3)?.max(1) as u32,
            return_timeout: (timer, timer_max),
            return_tries: o.int("return_retry_tries", 3)?.max(1) as u32,
            tcp_keepalive: (
                i32::from(o.bool("tcp_keepalive", true)?),
                o.int("tcp_keepalive_idle", 300)? as i32,
                o.int("tcp_keepalive_cnt", -1)? as i32,
                o.int("tcp_keepalive_intvl", -1)? as i32,
            ),
            zmq_filtering: o.bool("zmq_filtering", false)?,
            require_pub_sig: o.bool("sign_pub_messages", false)?,
            heartbeat_ivl: o.int("zmq_heartbeat_ivl", 10000)? as i32,
            heartbeat_timeout: o.int("zmq_heartbeat_timeout", 30000)? as i32,
            max_publication_bytes: o.int("halite_max_publication_bytes", 100 << 20)? as usize,
            min_reauth_interval: Duration::from_secs(1),
            zmq_monitor: o.bool("zmq_monitor", true)?,
            request_reconnect_ivl_max: 5000,
        })
    }

    /// `tcp://host:port`, bracketing IPv6 literals.
    pub fn endpoint(&self, port: u16) -> String {
        if self.master.contains(':') && !self.master.starts_with('[') {
            format!("tcp://[{}]:{}", self.master, port)
        } else {
            format!("tcp://{}:{}", self.master, port)
        }
    }
}

struct Opts<'a>(&'a Map);

impl Opts<'_> {
    fn bad(key: &'static str, v: &Value, want: &str) -> TransportError {
        TransportError::Config {
            key,
            reason: format!("expected {want}, got {v}"),
        }
    }

    fn string(&self, key: &'static str) -> Result<Option<String>, TransportError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(Self::bad(key, v, "a string")),
        }
    }

    fn int(&self, key: &'static str, default: i64) -> Result<i64, TransportError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .ok_or_else(|| Self::bad(key, &Value::Number(n.clone()), "an integer")),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map_err(|_| Self::bad(key, &Value::String(s.clone()), "an integer")),
            Some(v) => Err(Self::bad(key, v, "an integer")),
        }
    }

    fn secs(&self, key: &'static str, default: i64) -> Result<Duration, TransportError> {
        match self.0.get(key) {
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f >= 0.0) => {
                Ok(Duration::from_secs_f64(n.as_f64().unwrap_or(0.0)))
            }
            _ => Ok(Duration::from_secs(self.int(key, default)?.max(0) as u64)),
        }
    }

    fn port(&self, key: &'static str, default: i64) -> Result<u16, TransportError> {
        let v = self.int(key, default)?;
        u16::try_from(v).map_err(|_| TransportError::Config {
            key,
            reason: format!("{v} is not a TCP port"),
        })
    }

    fn bool(&self, key: &'static str, default: bool) -> Result<bool, TransportError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) => Ok(n.as_f64() != Some(0.0)),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(true),
                "false" | "no" | "off" | "0" | "" => Ok(false),
                _ => Err(Self::bad(key, &Value::String(s.clone()), "a boolean")),
            },
            Some(v) => Err(Self::bad(key, v, "a boolean")),
        }
    }

    fn master(&self) -> Result<String, TransportError> {
        match self.0.get("master") {
            None | Some(Value::Null) => Ok("salt".into()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Array(list)) => match list.first() {
                Some(Value::String(s)) => Ok(s.clone()),
                _ => Err(TransportError::Config {
                    key: "master",
                    reason: "empty or non-string master list".into(),
                }),
            },
            Some(v) => Err(Self::bad("master", v, "a host name or a list of them")),
        }
    }

    fn algo<T>(
        &self,
        key: &'static str,
        parse: fn(&str) -> Option<T>,
        default: T,
    ) -> Result<T, TransportError> {
        match self.string(key)? {
            None => Ok(default),
            Some(name) => parse(&name).ok_or(TransportError::Config {
                key,
                reason: format!("unsupported algorithm '{name}'"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(v: Value) -> Map {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn defaults_follow_salt() {
        let s = LinkSettings::from_opts(&opts(json!({"id": "m1"}))).unwrap();
        assert_eq!(
            (s.master.as_str(), s.master_port, s.publish_port),
            ("salt", 4506, 4506)
        );
        assert_eq!(
            s.publish_port_for(Some(4605)),
            4605,
            "announced port used when unset"
        );
        assert_eq!(s.publish_port_for(None), 4505);
        let pinned =
            LinkSettings::from_opts(&opts(json!({"id": "m1", "publish_port": 5000}))).unwrap();
        assert_eq!(
            pinned.publish_port_for(Some(4605)),
            5000,
            "configured port wins"
        );
        assert_eq!((s.auth_tries, s.auth_timeout), (7, Duration::from_secs(5)));
        assert_eq!(s.acceptance_wait, Duration::from_secs(10));
        assert_eq!(
            (s.request_tries, s.request_timeout),
            (3, Duration::from_secs(60))
        );
        assert_eq!(s.enc_algo, EncAlgo::OaepSha1);
        assert_eq!(s.endpoint(4506), "tcp://salt:4506");
    }

    #[test]
    fn values_and_errors_name_the_key() {
        let s = LinkSettings::from_opts(&opts(
            json!({"id": "m", "master": ["::1"], "master_port": "4510", "ipv6": "yes"}),
        ))
        .unwrap();
        assert_eq!(s.endpoint(s.master_port), "tcp://[::1]:4510");
        assert!(s.ipv6);
        let err =
            LinkSettings::from_opts(&opts(json!({"id": "m", "master_port": 70000}))).unwrap_err();
        assert!(err.to_string().contains("master_port"), "{err}");
        let err = LinkSettings::from_opts(&opts(json!({"master": "x"}))).unwrap_err();
        assert!(err.to_string().contains("'id'"), "{err}");
        let err = LinkSettings::from_opts(&opts(json!({"id": "m", "encryption_algorithm": "RSA"})))
            .unwrap_err();
        assert!(err.to_string().contains("encryption_algorithm"), "{err}");
    }
}
