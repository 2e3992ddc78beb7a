//! The OS seam of this crate: the only code in Halite that speaks netlink,
//! plus the `/proc/sys/net` sysctls that go with it.
//!
//! [`NetHost`] is what plans and transactions use; [`Kernel`] is the real
//! host (blocking rtnetlink sockets, one per namespace), tests use fakes.

pub mod decode;
pub mod encode;
pub mod socket;

use crate::model::{parse_mac, Neighbour, Observed};
use crate::op::Op;
use crate::NetError;
#[cfg(feature = "salt")]
use halite_api::runner::CommandRunner;
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
use netlink_packet_route::neighbour::NeighbourMessage;
use netlink_packet_route::RouteNetlinkMessage as Rt;
use socket::{NlSocket, SocketError};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
#[cfg(feature = "salt")]
use std::sync::Arc;

/// What the network modules need from a host.
pub trait NetHost {
    /// Links, IPv4 addresses and main-table routes of a namespace (`None`:
    /// the node's own).
    fn observe(&self, netns: Option<&str>) -> Result<Observed, NetError>;
    /// IPv4 neighbour entries of the node's namespace.
    fn neighbours(&self) -> Result<Vec<Neighbour>, NetError>;
    /// A sysctl's value, `None` when it does not exist (yet).
    fn sysctl(&self, key: &str) -> Result<Option<String>, NetError>;
    /// Carry out one change.
    fn apply(&self, op: &Op) -> Result<(), NetError>;
}

/// A host's sysctls as a plan reads them: a value, or `None` when missing or
/// unreadable (the plan then writes it).
pub fn sysctl_reader(host: &dyn NetHost) -> impl Fn(&str) -> Option<String> + '_ {
    move |key| host.sysctl(key).ok().flatten()
}

/// The running kernel, through rtnetlink and `/proc/sys`.
pub struct Kernel {
    sock: NlSocket,
    /// Carries out the Open vSwitch ops (none without it).
    #[cfg(feature = "salt")]
    runner: Option<Arc<dyn CommandRunner>>,
    proc_sys: PathBuf,
    netns_dir: PathBuf,
}

impl Kernel {
    /// The kernel as seen from this process's network namespace.
    pub fn open() -> Result<Self, NetError> {
        Ok(Kernel {
            sock: NlSocket::open().map_err(NetError::Socket)?,
            #[cfg(feature = "salt")]
            runner: None,
            proc_sys: PathBuf::from("/proc/sys"),
            netns_dir: PathBuf::from("/run/netns"),
        })
    }

    /// Let `runner` carry out the Open vSwitch ops.
    #[cfg(feature = "salt")]
    pub fn with_runner(mut self, runner: Arc<dyn CommandRunner>) -> Self {
        self.runner = Some(runner);
        self
    }

    #[cfg(feature = "salt")]
    fn replace_flows(&self, bridge: &str, flows: &[String]) -> Result<(), NetError> {
        let runner = self
            .runner
            .as_ref()
            .ok_or_else(|| NetError::Unsupported("Open vSwitch without a runner".into()))?;
        crate::ovs::Ovs::new(runner.as_ref())
            .replace_flows(bridge, flows, &std::env::temp_dir())
            .map_err(|e| NetError::Ovs(e.to_string()))
    }

    #[cfg(not(feature = "salt"))]
    fn replace_flows(&self, bridge: &str, _: &[String]) -> Result<(), NetError> {
        Err(NetError::Unsupported(format!(
            "Open vSwitch flows of {bridge}"
        )))
    }

    fn netns_path(&self, name: &str) -> PathBuf {
        if name.starts_with('/') {
            PathBuf::from(name)
        } else {
            self.netns_dir.join(name)
        }
    }

    fn socket_in(&self, netns: &str) -> Result<NlSocket, NetError> {
        NlSocket::open_in(&self.netns_path(netns)).map_err(|source| NetError::Netns {
            name: netns.to_string(),
            source,
        })
    }

    fn sysctl_path(&self, key: &str) -> PathBuf {
        self.proc_sys.join(key.replace('.', "/"))
    }
}

impl NetHost for Kernel {
    fn observe(&self, netns: Option<&str>) -> Result<Observed, NetError> {
        match netns {
            None => observe_with(&self.sock),
            Some(ns) => observe_with(&self.socket_in(ns)?),
        }
    }

    fn neighbours(&self) -> Result<Vec<Neighbour>, NetError> {
        let names = names(&self.sock)?;
        let mut req = NeighbourMessage::default();
        req.header.family = netlink_packet_route::AddressFamily::Inet;
        let msgs = self
            .sock
            .dump(Rt::GetNeighbour(req))
            .map_err(|e| refused("dump neighbours", e))?;
        Ok(msgs
            .iter()
            .filter_map(|m| match m {
                Rt::NewNeighbour(n) => decode::neighbour(n, &names),
                _ => None,
            })
            .collect())
    }

    fn sysctl(&self, key: &str) -> Result<Option<String>, NetError> {
        match std::fs::read_to_string(self.sysctl_path(key)) {
            Ok(v) => Ok(Some(v.trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(NetError::Sysctl {
                key: key.to_string(),
                source,
            }),
        }
    }

    fn apply(&self, op: &Op) -> Result<(), NetError> {
        match op {
            Op::Sysctl { key, value } => {
                std::fs::write(self.sysctl_path(key), value).map_err(|source| NetError::Sysctl {
                    key: key.clone(),
                    source,
                })
            }
            Op::InNetns { netns, op } => {
                if matches!(
                    **op,
                    Op::Sysctl { .. } | Op::InNetns { .. } | Op::OvsReplaceFlows { .. }
                ) {
                    return Err(NetError::Unsupported(op.to_string()));
                }
                let sock = self.socket_in(netns)?;
                apply_with(&sock, op, |ns| self.netns_path(ns))
            }
            Op::OvsReplaceFlows { bridge, flows } => self.replace_flows(bridge, flows),
            op => apply_with(&self.sock, op, |ns| self.netns_path(ns)),
        }
    }
}

fn refused(what: &str, e: SocketError) -> NetError {
    NetError::Kernel {
        op: what.to_string(),
        errno: e.errno(),
        message: e.to_string(),
    }
}

fn dump_links(sock: &NlSocket) -> Result<Vec<crate::model::Link>, NetError> {
    let link_msgs: Vec<_> = sock
        .dump(Rt::GetLink(Default::default()))
        .map_err(|e| refused("dump links", e))?
        .into_iter()
        .filter_map(|m| match m {
            Rt::NewLink(l) => Some(l),
            _ => None,
        })
        .collect();
    Ok(decode::links(&link_msgs))
}

fn observe_with(sock: &NlSocket) -> Result<Observed, NetError> {
    let links = dump_links(sock)?;
    let names: decode::Names = links.iter().map(|l| (l.index, l.name.clone())).collect();
    let addrs = sock
        .dump(Rt::GetAddress(encode::inet_address_dump()))
        .map_err(|e| refused("dump addresses", e))?
        .iter()
        .filter_map(|m| match m {
            Rt::NewAddress(a) => decode::addr(a, &names),
            _ => None,
        })
        .collect();
    let routes = sock
        .dump(Rt::GetRoute(encode::inet_route_dump()))
        .map_err(|e| refused("dump routes", e))?
        .iter()
        .filter_map(|m| match m {
            Rt::NewRoute(r) => decode::route(r, &names),
            _ => None,
        })
        .collect();
    Ok(Observed {
        links,
        addrs,
        routes,
    })
}

fn names(sock: &NlSocket) -> Result<decode::Names, NetError> {
    Ok(dump_links(sock)?
        .into_iter()
        .map(|l| (l.index, l.name))
        .collect())
}

/// The ifindex of the link called `name`.
fn index_of(sock: &NlSocket, name: &str) -> Result<u32, NetError> {
    match sock.get(Rt::GetLink(encode::named_link(name))) {
        Ok(msgs) => msgs
            .iter()
            .find_map(|m| match m {
                Rt::NewLink(l) => Some(l.header.index),
                _ => None,
            })
            .ok_or_else(|| NetError::NoSuchLink(name.to_string())),
        Err(e) if e.errno() == Some(libc::ENODEV) => Err(NetError::NoSuchLink(name.to_string())),
        Err(e) => Err(refused(&format!("find link {name}"), e)),
    }
}

fn mac_bytes(mac: &str) -> Result<Vec<u8>, NetError> {
    parse_mac(mac).map_err(NetError::Invalid)
}

fn apply_with(
    sock: &NlSocket,
    op: &Op,
    netns_path: impl Fn(&str) -> PathBuf,
) -> Result<(), NetError> {
    let shown = op.to_string();
    let create = NLM_F_CREATE | NLM_F_EXCL;
    let send = |msg: Rt, flags: u16| sock.change(msg, flags).map_err(|e| refused(&shown, e));
    let idx = |name: &str| index_of(sock, name);
    match op {
        Op::CreateBridge { name, mac } => {
            let mac = mac.as_deref().map(mac_bytes).transpose()?;
            send(Rt::NewLink(encode::bridge(name, mac)), create)
        }
        Op::CreateVeth { name, peer, netns } => {
            let ns_file = match netns {
                Some(ns) => Some(open_netns(&netns_path(ns), ns)?),
                None => None,
            };
            let fd = ns_file.as_ref().map(|f| f.as_raw_fd());
            send(Rt::NewLink(encode::veth(name, peer, fd)), create)
        }
        Op::DeleteLink { name } => send(Rt::DelLink(encode::indexed_link(idx(name)?)), 0),
        Op::SetMaster { name, master } => {
            let master = match master {
                Some(m) => idx(m)?,
                None => 0,
            };
            send(Rt::SetLink(encode::set_master(idx(name)?, master)), 0)
        }
        Op::SetUp { name, up } => send(Rt::SetLink(encode::set_up(idx(name)?, *up)), 0),
        Op::SetMtu { name, mtu } => send(Rt::SetLink(encode::set_mtu(idx(name)?, *mtu)), 0),
        Op::SetMac { name, mac } => {
            send(Rt::SetLink(encode::set_mac(idx(name)?, mac_bytes(mac)?)), 0)
        }
        Op::AddAddr { dev, cidr } => {
            send(Rt::NewAddress(encode::address(idx(dev)?, *cidr)), create)
        }
        Op::DelAddr { dev, cidr } => send(Rt::DelAddress(encode::address(idx(dev)?, *cidr)), 0),
        Op::ReplaceRoute { route } => send(
            Rt::NewRoute(encode::route(route, idx(&route.dev)?)),
            NLM_F_CREATE | NLM_F_REPLACE,
        ),
        Op::DelRoute { route } => {
            let mut msg = encode::route_key(route);
            msg.attributes
                .push(netlink_packet_route::route::RouteAttribute::Oif(idx(
                    &route.dev,
                )?));
            send(Rt::DelRoute(msg), 0)
        }
        Op::Sysctl { .. } | Op::InNetns { .. } | Op::OvsReplaceFlows { .. } => {
            Err(NetError::Unsupported(shown))
        }
    }
}

fn open_netns(path: &Path, name: &str) -> Result<std::fs::File, NetError> {
    std::fs::File::open(path).map_err(|source| NetError::Netns {
        name: name.to_string(),
        source,
    })
}
