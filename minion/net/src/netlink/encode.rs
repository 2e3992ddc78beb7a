//! The plain [`crate::model`] types → rtnetlink request messages.
//!
//! Each builder takes ifindexes already resolved by the caller; the kernel
//! seam resolves names just before sending, so nothing stale is used.

use crate::model::{Cidr, Route, Scope};
use netlink_packet_route::address::{AddressAttribute, AddressMessage, AddressScope};
use netlink_packet_route::link::{
    BridgeStpState, InfoBridge, InfoData, InfoKind, InfoVeth, LinkAttribute, LinkFlags, LinkInfo,
    LinkMessage,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::AddressFamily;
use std::net::IpAddr;
use std::os::fd::RawFd;

/// A link message naming the link (for creation and get-by-name).
pub fn named_link(name: &str) -> LinkMessage {
    let mut msg = LinkMessage::default();
    msg.attributes.push(LinkAttribute::IfName(name.to_string()));
    msg
}

/// A link message addressing an existing link by index.
pub fn indexed_link(index: u32) -> LinkMessage {
    let mut msg = LinkMessage::default();
    msg.header.index = index;
    msg
}

/// A new bridge: STP off, forward delay 0.
pub fn bridge(name: &str, mac: Option<Vec<u8>>) -> LinkMessage {
    let mut msg = named_link(name);
    if let Some(mac) = mac {
        msg.attributes.push(LinkAttribute::Address(mac));
    }
    msg.attributes.push(LinkAttribute::LinkInfo(vec![
        LinkInfo::Kind(InfoKind::Bridge),
        LinkInfo::Data(InfoData::Bridge(vec![
            InfoBridge::StpState(BridgeStpState::Disabled),
            InfoBridge::ForwardDelay(0),
        ])),
    ]));
    msg
}

/// A new veth pair, the peer moved into the namespace open as `peer_netns`.
pub fn veth(name: &str, peer: &str, peer_netns: Option<RawFd>) -> LinkMessage {
    let mut peer_msg = named_link(peer);
    if let Some(fd) = peer_netns {
        peer_msg.attributes.push(LinkAttribute::NetNsFd(fd));
    }
    let mut msg = named_link(name);
    msg.attributes.push(LinkAttribute::LinkInfo(vec![
        LinkInfo::Kind(InfoKind::Veth),
        LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer_msg))),
    ]));
    msg
}

/// Set or clear `IFF_UP`.
pub fn set_up(index: u32, up: bool) -> LinkMessage {
    let mut msg = indexed_link(index);
    msg.header.change_mask = LinkFlags::Up;
    if up {
        msg.header.flags = LinkFlags::Up;
    }
    msg
}

/// Make the link a port of `master` (0 releases it).
pub fn set_master(index: u32, master: u32) -> LinkMessage {
    let mut msg = indexed_link(index);
    msg.attributes.push(LinkAttribute::Controller(master));
    msg
}

pub fn set_mtu(index: u32, mtu: u32) -> LinkMessage {
    let mut msg = indexed_link(index);
    msg.attributes.push(LinkAttribute::Mtu(mtu));
    msg
}

pub fn set_mac(index: u32, mac: Vec<u8>) -> LinkMessage {
    let mut msg = indexed_link(index);
    msg.attributes.push(LinkAttribute::Address(mac));
    msg
}

/// An IPv4 address on link `index`, as `ip addr add CIDR dev X` sends it.
pub fn address(index: u32, cidr: Cidr) -> AddressMessage {
    let mut msg = AddressMessage::default();
    msg.header.family = AddressFamily::Inet;
    msg.header.prefix_len = cidr.prefix;
    msg.header.index = index;
    msg.header.scope = AddressScope::Universe;
    msg.attributes
        .push(AddressAttribute::Local(IpAddr::V4(cidr.ip)));
    msg.attributes
        .push(AddressAttribute::Address(IpAddr::V4(cidr.ip)));
    msg
}

/// A main-table unicast route out of link `oif`.
pub fn route(r: &Route, oif: u32) -> RouteMessage {
    let mut msg = route_key(r);
    msg.header.protocol = RouteProtocol::from(r.protocol);
    msg.header.scope = match r.scope {
        Scope::Global => RouteScope::Universe,
        Scope::Link => RouteScope::Link,
        Scope::Host => RouteScope::Host,
    };
    if let Some(gw) = r.gateway {
        msg.attributes
            .push(RouteAttribute::Gateway(RouteAddress::Inet(gw)));
    }
    msg.attributes.push(RouteAttribute::Oif(oif));
    msg
}

/// What `ip route del` sends: the key only, any protocol and scope.
pub fn route_key(r: &Route) -> RouteMessage {
    let mut msg = RouteMessage::default();
    msg.header.address_family = AddressFamily::Inet;
    msg.header.destination_prefix_length = r.dst.prefix;
    msg.header.table = RouteHeader::RT_TABLE_MAIN;
    msg.header.kind = RouteType::Unicast;
    msg.header.scope = RouteScope::NoWhere;
    if r.dst.prefix > 0 {
        msg.attributes
            .push(RouteAttribute::Destination(RouteAddress::Inet(r.dst.ip)));
    }
    if let Some(m) = r.metric {
        msg.attributes.push(RouteAttribute::Priority(m));
    }
    msg
}

/// A dump request for IPv4 objects.
pub fn inet_route_dump() -> RouteMessage {
    let mut msg = RouteMessage::default();
    msg.header.address_family = AddressFamily::Inet;
    msg
}

pub fn inet_address_dump() -> AddressMessage {
    let mut msg = AddressMessage::default();
    msg.header.family = AddressFamily::Inet;
    msg
}
