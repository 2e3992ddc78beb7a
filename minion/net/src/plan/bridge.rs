//! `halite_net.bridge`: a Linux bridge such as orb0, with proxy ARP, proxy
//! delay 0, forwarding, MTU and (optionally) the MAC of the NIC it will carry.

use super::{interface_sysctls, sysctl_step, up_step, Plan, Step, SysctlRead};
use crate::model::Observed;
use crate::op::Op;

/// What the bridge should be.
#[derive(Debug, Clone, PartialEq)]
pub struct BridgeSpec {
    pub name: String,
    /// An explicit MAC address.
    pub mac: Option<String>,
    /// Take the MAC of this interface (the NIC that will become a port, so
    /// the ToR's ARP cache and switch port security stay valid).
    pub mac_from: Option<String>,
    pub mtu: Option<u32>,
    pub proxy_arp: bool,
    pub proxy_delay: u32,
    /// `net.ipv4.ip_forward=1` and `conf.<bridge>.forwarding=1`.
    pub forwarding: bool,
    pub rp_filter: Option<u8>,
}

impl BridgeSpec {
    pub fn new(name: &str) -> Self {
        BridgeSpec {
            name: name.to_string(),
            mac: None,
            mac_from: None,
            mtu: None,
            proxy_arp: true,
            proxy_delay: 0,
            forwarding: true,
            rp_filter: None,
        }
    }
}

/// The steps from `observed` to `spec`.
pub fn plan(observed: &Observed, spec: &BridgeSpec, read: SysctlRead<'_>) -> Result<Plan, String> {
    let name = spec.name.as_str();
    let mut plan = Plan::touching(&[name]);
    let mac = wanted_mac(observed, spec)?;
    match observed.link(name) {
        None => plan.push(Step::new(
            Op::CreateBridge {
                name: name.into(),
                mac: mac.clone(),
            },
            vec![Op::DeleteLink { name: name.into() }],
        )),
        Some(link) if link.kind != "bridge" => {
            return Err(format!(
                "interface '{name}' exists and is {}, not a bridge",
                if link.kind.is_empty() {
                    "a plain device".to_string()
                } else {
                    format!("a {}", link.kind)
                }
            ))
        }
        Some(link) => {
            if let Some(mac) = mac.filter(|m| !m.eq_ignore_ascii_case(&link.mac)) {
                plan.push(Step::new(
                    Op::SetMac {
                        name: name.into(),
                        mac,
                    },
                    vec![Op::SetMac {
                        name: name.into(),
                        mac: link.mac.clone(),
                    }],
                ));
            }
        }
    }
    let current = observed.link(name);
    if let Some(mtu) = spec.mtu.filter(|m| current.map(|l| l.mtu) != Some(*m)) {
        let undo = current
            .map(|l| {
                vec![Op::SetMtu {
                    name: name.into(),
                    mtu: l.mtu,
                }]
            })
            .unwrap_or_default();
        plan.push(Step::new(
            Op::SetMtu {
                name: name.into(),
                mtu,
            },
            undo,
        ));
    }
    for step in interface_sysctls(name, spec.proxy_arp, spec.proxy_delay, spec.rp_filter, read) {
        plan.push(step);
    }
    if spec.forwarding {
        plan.steps.extend(sysctl_step(
            format!("net.ipv4.conf.{name}.forwarding"),
            "1",
            read,
        ));
        plan.steps
            .extend(sysctl_step("net.ipv4.ip_forward".into(), "1", read));
    }
    plan.steps
        .extend(up_step(name, current.is_some_and(|l| l.up)));
    Ok(plan)
}

fn wanted_mac(observed: &Observed, spec: &BridgeSpec) -> Result<Option<String>, String> {
    if let Some(mac) = &spec.mac {
        crate::model::parse_mac(mac).map_err(|e| format!("mac: {e}"))?;
        return Ok(Some(mac.to_lowercase()));
    }
    match &spec.mac_from {
        None => Ok(None),
        Some(from) => match observed.link(from) {
            Some(l) => Ok(Some(l.mac.clone())),
            None => Err(format!("mac_from: no interface named '{from}'")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testdata::{fresh_node, link};

    fn kernel_defaults(key: &str) -> Option<String> {
        let v = if key.ends_with("proxy_delay") {
            "80"
        } else {
            "0"
        };
        key.contains("orb0")
            .then(|| v.to_string())
            .or_else(|| (key == "net.ipv4.ip_forward").then(|| "1".to_string()))
    }

    #[test]
    fn a_new_bridge_takes_the_nic_mac_and_comes_up_last() {
        let mut spec = BridgeSpec::new("orb0");
        spec.mac_from = Some("eth0".into());
        let plan = plan(&fresh_node(), &spec, &|_| None).unwrap();
        assert_eq!(
            plan.describe(),
            [
                "ip link add orb0 type bridge stp_state 0 forward_delay 0 address 02:00:00:00:00:02",
                "sysctl -w net.ipv4.conf.orb0.proxy_arp=1",
                "sysctl -w net.ipv4.neigh.orb0.proxy_delay=0",
                "sysctl -w net.ipv4.conf.orb0.forwarding=1",
                "sysctl -w net.ipv4.ip_forward=1",
                "ip link set orb0 up",
            ]
        );
        assert_eq!(
            plan.rollback_ops(),
            [
                Op::SetUp {
                    name: "orb0".into(),
                    up: false
                },
                Op::DeleteLink {
                    name: "orb0".into()
                }
            ]
        );
    }

    #[test]
    fn an_existing_bridge_only_gets_what_differs() {
        let mut node = fresh_node();
        node.links.push(link("orb0", 3, "bridge", None));
        let plan = plan(&node, &BridgeSpec::new("orb0"), &kernel_defaults).unwrap();
        assert_eq!(
            plan.describe(),
            [
                "sysctl -w net.ipv4.conf.orb0.proxy_arp=1",
                "sysctl -w net.ipv4.neigh.orb0.proxy_delay=0",
                "sysctl -w net.ipv4.conf.orb0.forwarding=1",
            ]
        );
        assert!(plan.rollback_ops().contains(&Op::Sysctl {
            key: "net.ipv4.neigh.orb0.proxy_delay".into(),
            value: "80".into()
        }));
    }

    #[test]
    fn a_converged_bridge_plans_nothing() {
        let mut node = fresh_node();
        node.links.push(link("orb0", 3, "bridge", None));
        let done = |key: &str| {
            Some(
                if key.ends_with("proxy_delay") {
                    "0"
                } else {
                    "1"
                }
                .to_string(),
            )
        };
        assert!(plan(&node, &BridgeSpec::new("orb0"), &done)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_non_bridge_of_that_name_is_refused() {
        let err = plan(&fresh_node(), &BridgeSpec::new("eth0"), &|_| None).unwrap_err();
        assert_eq!(err, "interface 'eth0' exists and is a veth, not a bridge");
    }
}
