//! Pure planning: what the host has ([`Observed`] plus sysctl values) and
//! what a state wants → the ordered [`Step`]s that get there, nothing when it
//! is already there.
//!
//! Invariant: every undo op sets an object back to its value in the
//! snapshot the plan was made from, so running the undo of a step that never
//! ran is harmless. That is what lets a rollback after a crash (which does
//! not know how far the change got) run every undo of the plan.

pub mod bridge;
pub mod moved;
pub mod route;
pub mod veth;

use crate::model::{Observed, Route};
use crate::op::Op;

/// One change and how to take it back.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub op: Op,
    /// Run in this order when rolling back (steps themselves in reverse).
    pub undo: Vec<Op>,
}

impl Step {
    pub fn new(op: Op, undo: Vec<Op>) -> Self {
        Step { op, undo }
    }
}

/// The steps of one state, and the interfaces they touch (whose routes a
/// rollback restores from the snapshot).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub touched: Vec<String>,
}

impl Plan {
    pub fn touching(devs: &[&str]) -> Self {
        Plan {
            steps: Vec::new(),
            touched: devs.iter().map(|d| d.to_string()).collect(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }
    /// The ops as the commands they correspond to.
    pub fn describe(&self) -> Vec<String> {
        self.steps.iter().map(|s| s.op.to_string()).collect()
    }
    /// Every undo op, in rollback order.
    pub fn rollback_ops(&self) -> Vec<Op> {
        self.steps
            .iter()
            .rev()
            .flat_map(|s| s.undo.iter().cloned())
            .collect()
    }
    /// The snapshot's routes on the touched interfaces that a rollback must
    /// see again (kernel-made prefix routes come back with their addresses).
    pub fn routes_to_keep(&self, snapshot: &Observed) -> Vec<Route> {
        snapshot
            .routes
            .iter()
            .filter(|r| self.touched.contains(&r.dev) && r.protocol != KERNEL_PROTO)
            .cloned()
            .collect()
    }
}

/// `rtm_protocol` of routes the kernel adds for addresses.
pub const KERNEL_PROTO: u8 = 2;

/// A sysctl read for planning; `None` when it does not exist (yet).
pub type SysctlRead<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Set `key` to `want` unless it already has that value. The undo restores
/// the old value; a key that does not exist yet (the link is being created)
/// needs no undo, it goes with the link.
pub fn sysctl_step(key: String, want: &str, read: SysctlRead<'_>) -> Option<Step> {
    let current = read(&key);
    if current.as_deref() == Some(want) {
        return None;
    }
    let undo = current
        .map(|old| {
            vec![Op::Sysctl {
                key: key.clone(),
                value: old,
            }]
        })
        .unwrap_or_default();
    Some(Step::new(
        Op::Sysctl {
            key,
            value: want.to_string(),
        },
        undo,
    ))
}

/// The per-interface sysctls of a routed interface (orb0 or a pod veth):
/// proxy ARP, proxy delay 0 (the kernel's 0.8 s random delay would stall
/// every first packet), and optionally rp_filter.
pub fn interface_sysctls(
    dev: &str,
    proxy_arp: bool,
    proxy_delay: u32,
    rp_filter: Option<u8>,
    read: SysctlRead<'_>,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let proxy = if proxy_arp { "1" } else { "0" };
    steps.extend(sysctl_step(
        format!("net.ipv4.conf.{dev}.proxy_arp"),
        proxy,
        read,
    ));
    if proxy_arp {
        steps.extend(sysctl_step(
            format!("net.ipv4.neigh.{dev}.proxy_delay"),
            &proxy_delay.to_string(),
            read,
        ));
    }
    if let Some(rp) = rp_filter {
        steps.extend(sysctl_step(
            format!("net.ipv4.conf.{dev}.rp_filter"),
            &rp.to_string(),
            read,
        ));
    }
    steps
}

/// Bring a link up unless it is (undo: down again).
pub fn up_step(name: &str, is_up: bool) -> Option<Step> {
    (!is_up).then(|| {
        Step::new(
            Op::SetUp {
                name: name.into(),
                up: true,
            },
            vec![Op::SetUp {
                name: name.into(),
                up: false,
            }],
        )
    })
}

/// Make the main table hold `want` (undo: the route it replaced, or none).
pub fn route_step(observed: &Observed, want: Route) -> Option<Step> {
    let current = observed.route_like(&want);
    if current.is_some_and(|r| r.satisfies(&want)) {
        return None;
    }
    let undo = match current {
        Some(old) => vec![Op::ReplaceRoute { route: old.clone() }],
        None => vec![Op::DelRoute {
            route: want.clone(),
        }],
    };
    Some(Step::new(Op::ReplaceRoute { route: want }, undo))
}

#[cfg(test)]
pub(crate) mod testdata {
    use crate::model::{Addr, Link, Observed, Route, Scope};

    pub fn link(name: &str, index: u32, kind: &str, master: Option<&str>) -> Link {
        Link {
            name: name.into(),
            index,
            kind: kind.into(),
            mac: format!("02:00:00:00:00:{index:02x}"),
            mtu: 1500,
            up: true,
            master: master.map(Into::into),
        }
    }

    /// A node before the move: 10.9.4.11/22 and the default route on eth0.
    pub fn fresh_node() -> Observed {
        Observed {
            links: vec![link("lo", 1, "", None), link("eth0", 2, "veth", None)],
            addrs: vec![Addr {
                dev: "eth0".into(),
                cidr: "10.9.4.11/22".parse().unwrap(),
            }],
            routes: vec![
                Route {
                    dst: "0.0.0.0/0".parse().unwrap(),
                    gateway: Some("10.9.4.1".parse().unwrap()),
                    dev: "eth0".into(),
                    scope: Scope::Global,
                    protocol: 4,
                    metric: None,
                },
                Route {
                    dst: "10.9.4.0/22".parse().unwrap(),
                    gateway: None,
                    dev: "eth0".into(),
                    scope: Scope::Link,
                    protocol: 2,
                    metric: None,
                },
            ],
        }
    }
}
