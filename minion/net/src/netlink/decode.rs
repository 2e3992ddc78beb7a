//! rtnetlink messages → the plain [`crate::model`] types.

use crate::model::{format_mac, Addr, Cidr, Link, Neighbour, Route, Scope};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkInfo, LinkMessage};
use netlink_packet_route::neighbour::{NeighbourAddress, NeighbourAttribute, NeighbourMessage};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteScope, RouteType,
};
use std::collections::HashMap;
use std::net::IpAddr;

/// ifindex → name, to name the objects that netlink gives by index.
pub type Names = HashMap<u32, String>;

/// A link message as a [`Link`] (its master named in a second pass).
pub fn link(msg: &LinkMessage) -> (Link, Option<u32>) {
    let mut link = Link {
        name: String::new(),
        index: msg.header.index,
        kind: String::new(),
        mac: String::new(),
        mtu: 0,
        up: msg.header.flags.contains(LinkFlags::Up),
        master: None,
    };
    let mut master = None;
    for attr in &msg.attributes {
        match attr {
            LinkAttribute::IfName(n) => link.name = n.clone(),
            LinkAttribute::Address(mac) => link.mac = format_mac(mac),
            LinkAttribute::Mtu(m) => link.mtu = *m,
            LinkAttribute::Controller(i) => master = Some(*i),
            LinkAttribute::LinkInfo(infos) => {
                for info in infos {
                    if let LinkInfo::Kind(k) = info {
                        link.kind = k.to_string();
                    }
                }
            }
            _ => {}
        }
    }
    (link, master)
}

/// Links with their masters named.
pub fn links(msgs: &[LinkMessage]) -> Vec<Link> {
    let decoded: Vec<(Link, Option<u32>)> = msgs.iter().map(link).collect();
    let names: Names = decoded
        .iter()
        .map(|(l, _)| (l.index, l.name.clone()))
        .collect();
    decoded
        .into_iter()
        .map(|(mut l, master)| {
            l.master = master.and_then(|i| names.get(&i).cloned());
            l
        })
        .collect()
}

/// An IPv4 address message as an [`Addr`]; other families give `None`.
pub fn addr(msg: &AddressMessage, names: &Names) -> Option<Addr> {
    let dev = names.get(&msg.header.index)?.clone();
    let ip = msg.attributes.iter().find_map(|a| match a {
        AddressAttribute::Local(IpAddr::V4(ip)) => Some(*ip),
        _ => None,
    });
    let ip = ip.or_else(|| {
        msg.attributes.iter().find_map(|a| match a {
            AddressAttribute::Address(IpAddr::V4(ip)) => Some(*ip),
            _ => None,
        })
    })?;
    Some(Addr {
        dev,
        cidr: Cidr::new(ip, msg.header.prefix_len),
    })
}

/// A main-table IPv4 unicast route as a [`Route`]; others give `None`.
pub fn route(msg: &RouteMessage, names: &Names) -> Option<Route> {
    let h = &msg.header;
    let table = msg
        .attributes
        .iter()
        .find_map(|a| match a {
            RouteAttribute::Table(t) => Some(*t),
            _ => None,
        })
        .unwrap_or(u32::from(h.table));
    if table != u32::from(RouteHeader::RT_TABLE_MAIN) || h.kind != RouteType::Unicast {
        return None;
    }
    let mut dst = None;
    let mut gateway = None;
    let mut dev = None;
    let mut metric = None;
    for attr in &msg.attributes {
        match attr {
            RouteAttribute::Destination(RouteAddress::Inet(ip)) => dst = Some(*ip),
            RouteAttribute::Gateway(RouteAddress::Inet(ip)) => gateway = Some(*ip),
            RouteAttribute::Oif(i) => dev = names.get(i).cloned(),
            RouteAttribute::Priority(p) => metric = Some(*p),
            RouteAttribute::Destination(_) | RouteAttribute::Gateway(_) => return None,
            _ => {}
        }
    }
    let dst = Cidr::new(
        dst.unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
        h.destination_prefix_length,
    );
    Some(Route {
        dst,
        gateway,
        dev: dev?,
        scope: scope(h.scope),
        protocol: u8::from(h.protocol),
        metric,
    })
}

fn scope(s: RouteScope) -> Scope {
    match s {
        RouteScope::Link => Scope::Link,
        RouteScope::Host => Scope::Host,
        _ => Scope::Global,
    }
}

/// An IPv4 neighbour entry.
pub fn neighbour(msg: &NeighbourMessage, names: &Names) -> Option<Neighbour> {
    let dev = names.get(&msg.header.ifindex)?.clone();
    let mut ip = None;
    let mut mac = None;
    for attr in &msg.attributes {
        match attr {
            NeighbourAttribute::Destination(NeighbourAddress::Inet(a)) => ip = Some(*a),
            NeighbourAttribute::LinkLayerAddress(m) => mac = Some(format_mac(m)),
            _ => {}
        }
    }
    Some(Neighbour {
        dev,
        ip: ip?,
        mac,
        state: format!("{:?}", msg.header.state).to_lowercase(),
    })
}
