//! The CNI 1.x protocol: the `CNI_*` environment, the network configuration
//! on stdin, the result and error documents on stdout.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Versions this plugin speaks.
pub const SUPPORTED_VERSIONS: [&str; 2] = ["1.0.0", "1.1.0"];

/// The spec's well-known error codes.
pub mod code {
    pub const INCOMPATIBLE_VERSION: u32 = 1;
    pub const UNSUPPORTED_FIELD: u32 = 2;
    pub const UNKNOWN_CONTAINER: u32 = 3;
    pub const INVALID_ENV: u32 = 4;
    pub const IO: u32 = 5;
    pub const DECODE: u32 = 6;
    pub const INVALID_CONFIG: u32 = 7;
    pub const TRY_AGAIN: u32 = 11;
    /// Plugin-specific (≥ 100): the range has no free address.
    pub const RANGE_FULL: u32 = 100;
    /// Plugin-specific: CHECK found the attachment not as ADD made it.
    pub const CHECK_FAILED: u32 = 101;
    /// Plugin-specific: the kernel refused a change.
    pub const KERNEL: u32 = 102;
}

/// A CNI error document.
#[derive(Debug, Clone, PartialEq)]
pub struct CniError {
    pub code: u32,
    pub msg: String,
    pub details: String,
}

impl CniError {
    pub fn new(code: u32, msg: impl Into<String>) -> Self {
        CniError {
            code,
            msg: msg.into(),
            details: String::new(),
        }
    }
    pub fn details(mut self, d: impl Into<String>) -> Self {
        self.details = d.into();
        self
    }
    pub fn to_json(&self, version: &str) -> Value {
        let mut v = json!({"cniVersion": version, "code": self.code, "msg": self.msg});
        if !self.details.is_empty() {
            v["details"] = json!(self.details);
        }
        v
    }
}

/// The command and its environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub command: String,
    pub container_id: String,
    pub netns: String,
    pub ifname: String,
}

impl Invocation {
    /// Read `CNI_*` from `env`; the variables a command needs must be there.
    pub fn from_env(env: &BTreeMap<String, String>) -> Result<Self, CniError> {
        let get = |k: &str| env.get(k).cloned().unwrap_or_default();
        let inv = Invocation {
            command: get("CNI_COMMAND"),
            container_id: get("CNI_CONTAINERID"),
            netns: get("CNI_NETNS"),
            ifname: get("CNI_IFNAME"),
        };
        let required: &[&str] = match inv.command.as_str() {
            "ADD" | "CHECK" => &["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"],
            "DEL" => &["CNI_CONTAINERID", "CNI_IFNAME"],
            "VERSION" | "STATUS" | "GC" => &[],
            "" => return Err(CniError::new(code::INVALID_ENV, "CNI_COMMAND is not set")),
            other => {
                return Err(CniError::new(
                    code::INVALID_ENV,
                    format!("unknown CNI_COMMAND '{other}'"),
                ))
            }
        };
        for key in required {
            if get(key).is_empty() {
                return Err(
                    CniError::new(code::INVALID_ENV, format!("{key} is not set")).details(format!(
                        "{} needs {}",
                        inv.command,
                        required.join(", ")
                    )),
                );
            }
        }
        Ok(inv)
    }
}

/// The plugin's network configuration (one entry of a conflist, with the
/// list's `name` and `cniVersion`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetConf {
    pub cni_version: String,
    pub name: String,
    #[serde(rename = "type")]
    pub plugin_type: String,
    /// The pods' default gateway (answered by proxy ARP on the host end).
    pub gateway: std::net::Ipv4Addr,
    /// The prefix length the pod sees on its address (the rack's, e.g. 22;
    /// 32 for a pure point-to-point view).
    #[serde(default = "default_prefix")]
    pub prefix_length: u8,
    #[serde(default)]
    pub mtu: Option<u32>,
    pub ipam: IpamConf,
    #[serde(default)]
    pub prev_result: Option<Value>,
}

fn default_prefix() -> u8 {
    32
}

/// Host-local style IPAM from the node's pod range.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpamConf {
    /// The node's pod range (`10.10.2.0/24`).
    pub range: String,
    #[serde(default)]
    pub range_start: Option<std::net::Ipv4Addr>,
    #[serde(default)]
    pub range_end: Option<std::net::Ipv4Addr>,
    #[serde(default = "default_data_dir")]
    pub data_dir: String,
}

fn default_data_dir() -> String {
    "/var/lib/cni/networks".into()
}

impl NetConf {
    /// Parse stdin; errors carry the spec's codes (6 undecodable, 7 invalid).
    pub fn parse(bytes: &[u8]) -> Result<Self, CniError> {
        let raw: Value = serde_json::from_slice(bytes).map_err(|e| {
            CniError::new(code::DECODE, "network configuration is not JSON").details(e.to_string())
        })?;
        let conf: NetConf = serde_json::from_value(raw).map_err(|e| {
            CniError::new(code::INVALID_CONFIG, "invalid network configuration")
                .details(e.to_string())
        })?;
        if !SUPPORTED_VERSIONS.contains(&conf.cni_version.as_str()) {
            return Err(CniError::new(
                code::INCOMPATIBLE_VERSION,
                format!("cniVersion {} is not supported", conf.cni_version),
            )
            .details(format!("supported: {}", SUPPORTED_VERSIONS.join(", "))));
        }
        if conf.prefix_length == 0 || conf.prefix_length > 32 {
            return Err(CniError::new(
                code::INVALID_CONFIG,
                format!("prefixLength {} is not 1-32", conf.prefix_length),
            ));
        }
        Ok(conf)
    }
}

/// One interface of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interface {
    pub name: String,
    pub mac: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sandbox: Option<String>,
}

/// One address of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpConfig {
    pub address: String,
    pub gateway: String,
    pub interface: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteConfig {
    pub dst: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gw: Option<String>,
}

/// The ADD result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CniResult {
    pub cni_version: String,
    pub interfaces: Vec<Interface>,
    pub ips: Vec<IpConfig>,
    pub routes: Vec<RouteConfig>,
    pub dns: Value,
}

/// The VERSION answer.
pub fn version_info(version: &str) -> Value {
    json!({"cniVersion": version, "supportedVersions": SUPPORTED_VERSIONS})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn add_without_a_netns_is_error_4_naming_the_variable() {
        let e = Invocation::from_env(&env(&[
            ("CNI_COMMAND", "ADD"),
            ("CNI_CONTAINERID", "c1"),
            ("CNI_IFNAME", "eth0"),
        ]))
        .unwrap_err();
        assert_eq!((e.code, e.msg.as_str()), (4, "CNI_NETNS is not set"));
        // DEL may come without a netns (the spec: the sandbox may be gone)
        assert!(Invocation::from_env(&env(&[
            ("CNI_COMMAND", "DEL"),
            ("CNI_CONTAINERID", "c1"),
            ("CNI_IFNAME", "eth0"),
        ]))
        .is_ok());
    }

    #[test]
    fn configs_fail_with_the_spec_codes() {
        assert_eq!(NetConf::parse(b"{not json").unwrap_err().code, 6);
        let no_ipam =
            br#"{"cniVersion":"1.0.0","name":"n","type":"halite-cni","gateway":"10.10.0.1"}"#;
        let e = NetConf::parse(no_ipam).unwrap_err();
        assert_eq!(e.code, 7);
        assert!(e.details.contains("ipam"), "{e:?}");
        let old = br#"{"cniVersion":"0.1.0","name":"n","type":"halite-cni","gateway":"10.10.0.1","ipam":{"range":"10.10.2.0/24"}}"#;
        assert_eq!(NetConf::parse(old).unwrap_err().code, 1);
    }
}
