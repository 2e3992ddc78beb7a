//! The host's network as plain data: what netlink dumps are decoded into,
//! what plans are computed from, and what `halite_net.show` returns.
//!
//! Objects are named by interface name, never by ifindex, so a record written
//! before a change still means the same objects after links were recreated.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// The routing protocol number Halite stamps on the routes it installs
/// (`ip route` shows it as `proto 72`), so "ours" can be told from kernel,
/// DHCP and static routes.
pub const HALITE_PROTO: u8 = 72;

/// An IPv4 address with a prefix length, `10.9.4.11/22`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr {
    pub ip: Ipv4Addr,
    pub prefix: u8,
}

impl Cidr {
    pub fn new(ip: Ipv4Addr, prefix: u8) -> Self {
        Cidr { ip, prefix }
    }
    /// The network this address is in (`10.9.4.0/22` for `10.9.4.11/22`).
    pub fn network(&self) -> Cidr {
        let mask = if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix))
        };
        Cidr::new(Ipv4Addr::from(u32::from(self.ip) & mask), self.prefix)
    }
    /// Whether `ip` lies inside this network.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        Cidr::new(ip, self.prefix).network() == self.network()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ip, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (ip, prefix) = s.split_once('/').unwrap_or((s, "32"));
        let ip = ip
            .trim()
            .parse::<Ipv4Addr>()
            .map_err(|_| format!("'{s}' is not an IPv4 address"))?;
        let prefix = prefix
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| format!("'{s}' has no valid prefix length (0-32)"))?;
        Ok(Cidr { ip, prefix })
    }
}

impl TryFrom<String> for Cidr {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Cidr> for String {
    fn from(c: Cidr) -> String {
        c.to_string()
    }
}

/// One network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub name: String,
    pub index: u32,
    /// `bridge`, `veth`, `openvswitch`, ... ; empty for plain devices.
    pub kind: String,
    pub mac: String,
    pub mtu: u32,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// The bridge this link is a port of.
    pub master: Option<String>,
}

/// One IPv4 address on an interface.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Addr {
    pub dev: String,
    pub cidr: Cidr,
}

/// Route scope, as `ip route` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Global,
    Link,
    Host,
}

impl Scope {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "global" | "universe" => Ok(Scope::Global),
            "link" => Ok(Scope::Link),
            "host" => Ok(Scope::Host),
            other => Err(format!(
                "unknown route scope '{other}' (global, link or host)"
            )),
        }
    }
}

/// One IPv4 unicast route of the main table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Destination; `0.0.0.0/0` is the default route.
    pub dst: Cidr,
    pub gateway: Option<Ipv4Addr>,
    pub dev: String,
    #[serde(default)]
    pub scope: Scope,
    /// `rtm_protocol` (kernel = 2, boot = 3, static = 4, dhcp = 16, Halite = 72).
    pub protocol: u8,
    pub metric: Option<u32>,
}

impl Route {
    pub fn is_default(&self) -> bool {
        self.dst.prefix == 0
    }
    /// Whether two routes are the same kernel object (what `ip route replace`
    /// matches on: destination and metric in the main table).
    pub fn same_key(&self, other: &Route) -> bool {
        self.dst == other.dst && self.metric.unwrap_or(0) == other.metric.unwrap_or(0)
    }
    /// Whether the route already says what `want` says (protocol aside).
    pub fn satisfies(&self, want: &Route) -> bool {
        self.same_key(want)
            && self.gateway == want.gateway
            && self.dev == want.dev
            && self.scope == want.scope
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_default() {
            f.write_str("default")?;
        } else {
            write!(f, "{}", self.dst)?;
        }
        if let Some(gw) = self.gateway {
            write!(f, " via {gw}")?;
        }
        write!(f, " dev {}", self.dev)?;
        match self.scope {
            Scope::Global => {}
            Scope::Link => f.write_str(" scope link")?,
            Scope::Host => f.write_str(" scope host")?,
        }
        write!(f, " proto {}", self.protocol)?;
        if let Some(m) = self.metric {
            write!(f, " metric {m}")?;
        }
        Ok(())
    }
}

/// One IPv4 neighbour (ARP) entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Neighbour {
    pub dev: String,
    pub ip: Ipv4Addr,
    pub mac: Option<String>,
    pub state: String,
}

/// Everything one dump saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    pub links: Vec<Link>,
    pub addrs: Vec<Addr>,
    pub routes: Vec<Route>,
}

impl Observed {
    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }
    pub fn addrs_on<'a>(&'a self, dev: &'a str) -> impl Iterator<Item = &'a Addr> + 'a {
        self.addrs.iter().filter(move |a| a.dev == dev)
    }
    pub fn has_addr(&self, dev: &str, cidr: Cidr) -> bool {
        self.addrs.iter().any(|a| a.dev == dev && a.cidr == cidr)
    }
    /// The route with the same key as `want`, if any.
    pub fn route_like(&self, want: &Route) -> Option<&Route> {
        self.routes.iter().find(|r| r.same_key(want))
    }
    /// The default route with the lowest metric.
    pub fn default_route(&self) -> Option<&Route> {
        self.routes
            .iter()
            .filter(|r| r.is_default())
            .min_by_key(|r| r.metric.unwrap_or(0))
    }
}

/// A MAC address as `ip link` prints it.
pub fn format_mac(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Parse `aa:bb:cc:dd:ee:ff`.
pub fn parse_mac(s: &str) -> Result<Vec<u8>, String> {
    let bytes: Result<Vec<u8>, _> = s.split(':').map(|p| u8::from_str_radix(p, 16)).collect();
    match bytes {
        Ok(b) if b.len() == 6 => Ok(b),
        _ => Err(format!("'{s}' is not a MAC address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parses_networks_and_rejects_garbage() {
        let c: Cidr = "10.9.4.11/22".parse().unwrap();
        assert_eq!(c.network().to_string(), "10.9.4.0/22");
        assert!(c.contains("10.9.7.255".parse().unwrap()));
        assert!(!c.contains("10.9.8.1".parse().unwrap()));
        assert_eq!("10.10.2.2".parse::<Cidr>().unwrap().prefix, 32);
        assert!("10.9.4.1/33".parse::<Cidr>().is_err());
        assert!("orb0".parse::<Cidr>().unwrap_err().contains("'orb0'"));
    }

    #[test]
    fn routes_print_as_ip_route_does() {
        let r = Route {
            dst: "0.0.0.0/0".parse().unwrap(),
            gateway: Some("10.9.4.1".parse().unwrap()),
            dev: "orb0".into(),
            scope: Scope::Global,
            protocol: HALITE_PROTO,
            metric: None,
        };
        assert_eq!(r.to_string(), "default via 10.9.4.1 dev orb0 proto 72");
    }

    #[test]
    fn macs_round_trip() {
        let m = parse_mac("02:00:0a:09:04:0b").unwrap();
        assert_eq!(format_mac(&m), "02:00:0a:09:04:0b");
        assert!(parse_mac("02:00").is_err());
    }
}
