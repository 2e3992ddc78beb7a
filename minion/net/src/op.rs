//! One change to the host's network, as data.
//!
//! Plans are lists of [`Op`]s; the kernel seam carries them out one netlink
//! request (or one sysctl write) each; pending-rollback records store them.
//! `Display` prints each as the equivalent `ip`/`sysctl` command line, which is
//! what `test=True` and the state's changes show.

use crate::model::{Cidr, Route};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A network change. Interfaces are named, never indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Op {
    /// A Linux bridge with STP off and forward delay 0 (ports forward at once).
    CreateBridge {
        name: String,
        mac: Option<String>,
    },
    /// A veth pair; the peer end is moved into the named netns when given.
    CreateVeth {
        name: String,
        peer: String,
        netns: Option<String>,
    },
    DeleteLink {
        name: String,
    },
    /// Make `name` a port of `master` (`None`: release it).
    SetMaster {
        name: String,
        master: Option<String>,
    },
    SetUp {
        name: String,
        up: bool,
    },
    SetMtu {
        name: String,
        mtu: u32,
    },
    SetMac {
        name: String,
        mac: String,
    },
    AddAddr {
        dev: String,
        cidr: Cidr,
    },
    DelAddr {
        dev: String,
        cidr: Cidr,
    },
    /// `ip route replace`: create, or overwrite the route with the same key.
    ReplaceRoute {
        route: Route,
    },
    DelRoute {
        route: Route,
    },
    /// Write one sysctl under `/proc/sys` (`net.ipv4.conf.orb0.proxy_arp`).
    Sysctl {
        key: String,
        value: String,
    },
    /// The inner op, carried out inside the named network namespace.
    InNetns {
        netns: String,
        op: Box<Op>,
    },
    /// Replace an Open vSwitch bridge's whole flow table in one bundle.
    OvsReplaceFlows {
        bridge: String,
        flows: Vec<String>,
    },
}

impl Op {
    /// The same op inside `netns` (or unchanged for the node's namespace).
    pub fn within(self, netns: Option<&str>) -> Op {
        match netns {
            Some(ns) => Op::InNetns {
                netns: ns.to_string(),
                op: Box::new(self),
            },
            None => self,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::CreateBridge { name, mac } => {
                write!(
                    f,
                    "ip link add {name} type bridge stp_state 0 forward_delay 0"
                )?;
                if let Some(mac) = mac {
                    write!(f, " address {mac}")?;
                }
                Ok(())
            }
            Op::CreateVeth { name, peer, netns } => {
                write!(f, "ip link add {name} type veth peer name {peer}")?;
                if let Some(ns) = netns {
                    write!(f, " netns {ns}")?;
                }
                Ok(())
            }
            Op::DeleteLink { name } => write!(f, "ip link del {name}"),
            Op::SetMaster { name, master } => match master {
                Some(m) => write!(f, "ip link set {name} master {m}"),
                None => write!(f, "ip link set {name} nomaster"),
            },
            Op::SetUp { name, up } => {
                write!(f, "ip link set {name} {}", if *up { "up" } else { "down" })
            }
            Op::SetMtu { name, mtu } => write!(f, "ip link set {name} mtu {mtu}"),
            Op::SetMac { name, mac } => write!(f, "ip link set {name} address {mac}"),
            Op::AddAddr { dev, cidr } => write!(f, "ip addr add {cidr} dev {dev}"),
            Op::DelAddr { dev, cidr } => write!(f, "ip addr del {cidr} dev {dev}"),
            Op::ReplaceRoute { route } => write!(f, "ip route replace {route}"),
            Op::DelRoute { route } => write!(f, "ip route del {route}"),
            Op::Sysctl { key, value } => write!(f, "sysctl -w {key}={value}"),
            Op::InNetns { netns, op } => write!(f, "ip netns exec {netns} {op}"),
            Op::OvsReplaceFlows { bridge, flows } => write!(
                f,
                "ovs-ofctl --bundle replace-flows {bridge} ({} flows: {})",
                flows.len(),
                flows.join(" | ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_print_as_commands_and_round_trip_as_json() {
        let op = Op::AddAddr {
            dev: "eth0".into(),
            cidr: "10.10.2.2/22".parse().unwrap(),
        }
        .within(Some("pod1"));
        assert_eq!(
            op.to_string(),
            "ip netns exec pod1 ip addr add 10.10.2.2/22 dev eth0"
        );
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
    }
}
