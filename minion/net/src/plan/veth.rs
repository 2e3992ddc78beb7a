//! `halite_net.veth`: a routed pod veth. The host end has no address, answers
//! ARP for everything else on the pod's network (proxy ARP, delay 0) and
//! carries a /32 scope-link route to the pod; the pod end (when the state
//! manages the pod's namespace) holds the pod IP and a default route via the
//! pod gateway.

use super::{interface_sysctls, route_step, up_step, Plan, Step, SysctlRead};
use crate::model::{Cidr, Observed, Route, Scope, HALITE_PROTO};
use crate::op::Op;
use std::net::Ipv4Addr;

/// What the veth should be.
#[derive(Debug, Clone, PartialEq)]
pub struct VethSpec {
    /// The host end (`veth1a`).
    pub name: String,
    /// The pod end's name (`eth0`).
    pub peer: String,
    /// The pod's network namespace; `None` leaves the pod end alone.
    pub netns: Option<String>,
    /// The pod IP with the prefix the pod sees (`10.10.2.2/22`).
    pub address: Cidr,
    /// The pod's default gateway (`10.10.0.1`).
    pub peer_gateway: Option<Ipv4Addr>,
    pub mtu: Option<u32>,
    pub proxy_delay: u32,
    pub rp_filter: Option<u8>,
}

/// The steps from the host (`observed`) and the pod (`pod`, `None` when the
/// namespace has no such interface yet) to `spec`.
pub fn plan(
    observed: &Observed,
    pod: Option<&Observed>,
    spec: &VethSpec,
    read: SysctlRead<'_>,
) -> Result<Plan, String> {
    let name = spec.name.as_str();
    let mut plan = Plan::touching(&[name]);
    let host_end = observed.link(name);
    match host_end {
        Some(l) if l.kind != "veth" => {
            return Err(format!("interface '{name}' exists and is not a veth"))
        }
        Some(_) => {}
        None => plan.push(Step::new(
            Op::CreateVeth {
                name: name.into(),
                peer: spec.peer.clone(),
                netns: spec.netns.clone(),
            },
            vec![Op::DeleteLink { name: name.into() }],
        )),
    }
    if let Some(ns) = &spec.netns {
        let fresh = host_end.is_none();
        plan.steps
            .extend(pod_steps(pod.filter(|_| !fresh), ns, spec));
    }
    if let Some(mtu) = spec.mtu.filter(|m| host_end.map(|l| l.mtu) != Some(*m)) {
        plan.push(Step::new(
            Op::SetMtu {
                name: name.into(),
                mtu,
            },
            host_end
                .map(|l| {
                    vec![Op::SetMtu {
                        name: name.into(),
                        mtu: l.mtu,
                    }]
                })
                .unwrap_or_default(),
        ));
    }
    plan.steps.extend(interface_sysctls(
        name,
        true,
        spec.proxy_delay,
        spec.rp_filter,
        read,
    ));
    plan.steps
        .extend(up_step(name, host_end.is_some_and(|l| l.up)));
    let pod_route = Route {
        dst: Cidr::new(spec.address.ip, 32),
        gateway: None,
        dev: name.into(),
        scope: Scope::Link,
        protocol: HALITE_PROTO,
        metric: None,
    };
    plan.steps.extend(route_step(observed, pod_route));
    Ok(plan)
}

/// The pod end: address, up (and lo up), default route. `pod` is `None`
/// when the veth is being created, so everything is planned; the undo of
/// each is implied by deleting the veth.
fn pod_steps(pod: Option<&Observed>, ns: &str, spec: &VethSpec) -> Vec<Step> {
    let peer = spec.peer.as_str();
    let in_ns = |op: Op| op.within(Some(ns));
    let mut steps = Vec::new();
    let empty = Observed::default();
    let seen = pod.unwrap_or(&empty);
    if !seen.has_addr(peer, spec.address) {
        let add = Op::AddAddr {
            dev: peer.into(),
            cidr: spec.address,
        };
        let undo = pod
            .map(|_| {
                vec![in_ns(Op::DelAddr {
                    dev: peer.into(),
                    cidr: spec.address,
                })]
            })
            .unwrap_or_default();
        steps.push(Step::new(in_ns(add), undo));
    }
    for dev in [peer, "lo"] {
        if !seen.link(dev).is_some_and(|l| l.up) {
            steps.push(Step::new(
                in_ns(Op::SetUp {
                    name: dev.into(),
                    up: true,
                }),
                vec![],
            ));
        }
    }
    if let Some(gw) = spec.peer_gateway {
        let want = Route {
            dst: Cidr::new(Ipv4Addr::UNSPECIFIED, 0),
            gateway: Some(gw),
            dev: peer.into(),
            scope: Scope::Global,
            protocol: HALITE_PROTO,
            metric: None,
        };
        if let Some(step) = route_step(seen, want) {
            let undo = if pod.is_some() {
                step.undo.into_iter().map(in_ns).collect()
            } else {
                vec![]
            };
            steps.push(Step::new(in_ns(step.op), undo));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Addr;
    use crate::plan::testdata::{fresh_node, link};

    fn spec() -> VethSpec {
        VethSpec {
            name: "veth1a".into(),
            peer: "eth0".into(),
            netns: Some("p1a".into()),
            address: "10.10.2.2/22".parse().unwrap(),
            peer_gateway: Some("10.10.0.1".parse().unwrap()),
            mtu: None,
            proxy_delay: 0,
            rp_filter: Some(1),
        }
    }

    #[test]
    fn a_new_pod_veth_is_built_pod_side_first_route_last() {
        let plan = plan(&fresh_node(), None, &spec(), &|_| None).unwrap();
        assert_eq!(
            plan.describe(),
            [
                "ip link add veth1a type veth peer name eth0 netns p1a",
                "ip netns exec p1a ip addr add 10.10.2.2/22 dev eth0",
                "ip netns exec p1a ip link set eth0 up",
                "ip netns exec p1a ip link set lo up",
                "ip netns exec p1a ip route replace default via 10.10.0.1 dev eth0 proto 72",
                "sysctl -w net.ipv4.conf.veth1a.proxy_arp=1",
                "sysctl -w net.ipv4.neigh.veth1a.proxy_delay=0",
                "sysctl -w net.ipv4.conf.veth1a.rp_filter=1",
                "ip link set veth1a up",
                "ip route replace 10.10.2.2/32 dev veth1a scope link proto 72",
            ]
        );
        assert_eq!(
            plan.rollback_ops().last().unwrap().to_string(),
            "ip link del veth1a"
        );
    }

    #[test]
    fn a_converged_pod_veth_plans_nothing() {
        let mut node = fresh_node();
        node.links.push(link("veth1a", 5, "veth", None));
        node.routes.push(Route {
            dst: "10.10.2.2/32".parse().unwrap(),
            gateway: None,
            dev: "veth1a".into(),
            scope: Scope::Link,
            protocol: HALITE_PROTO,
            metric: None,
        });
        let mut pod = Observed {
            links: vec![link("lo", 1, "", None), link("eth0", 2, "veth", None)],
            addrs: vec![Addr {
                dev: "eth0".into(),
                cidr: "10.10.2.2/22".parse().unwrap(),
            }],
            routes: vec![],
        };
        pod.routes.push(Route {
            dst: "0.0.0.0/0".parse().unwrap(),
            gateway: Some("10.10.0.1".parse().unwrap()),
            dev: "eth0".into(),
            scope: Scope::Global,
            protocol: 3,
            metric: None,
        });
        let done = |key: &str| {
            Some(
                if key.ends_with("proxy_delay") {
                    "0"
                } else {
                    "1"
                }
                .into(),
            )
        };
        assert!(plan(&node, Some(&pod), &spec(), &done).unwrap().is_empty());
    }
}
