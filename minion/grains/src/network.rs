//! Names and addresses: `host`, `fqdn`, `domain`, `localhost`, `ipv4`/`ipv6`,
//! `ip*_interfaces`, `hwaddr_interfaces`, `fqdn_ip4/6`, `fqdns`, gateways, `dns`.

use std::net::IpAddr;

use halite_api::{Map, Value};
use serde_json::json;

use crate::host::{Host, Interface};
use crate::system::SystemHost;

/// The host name (`socket.gethostname()`).
pub fn hostname() -> String {
    crate::system::uname().nodename
}

/// Salt's `get_fqhostname`: the canonical name of the host name, else the host name.
pub fn fqhostname(host: &dyn Host) -> String {
    let name = host.uname().nodename;
    host.canonical_name(&name).unwrap_or(name)
}

/// `socket.getfqdn(name)` on the live host (used for minion id generation).
pub fn getfqdn(name: &str) -> String {
    let host = SystemHost::default();
    host.canonical_name(name)
        .filter(|c| c.contains('.'))
        .unwrap_or_else(|| name.to_string())
}

/// Interfaces of the live host.
pub fn system_interfaces() -> Vec<Interface> {
    crate::system::interfaces()
}

fn sorted_addrs<'a>(ifaces: impl Iterator<Item = &'a String>) -> Vec<Value> {
    let mut addrs: Vec<IpAddr> = ifaces.filter_map(|a| a.parse().ok()).collect();
    addrs.sort();
    addrs.dedup();
    addrs
        .into_iter()
        .map(|a| Value::String(a.to_string()))
        .collect()
}

/// Naming and address grains.
pub fn grains(host: &dyn Host, out: &mut Map) {
    let nodename = host.uname().nodename;
    let fqdn = fqhostname(host);
    let (short, domain) = fqdn.split_once('.').unwrap_or((&fqdn, ""));
    out.insert("localhost".into(), json!(nodename));
    out.insert("fqdn".into(), json!(fqdn));
    out.insert("host".into(), json!(short));
    out.insert("domain".into(), json!(domain));
    let ifaces = host.interfaces();
    let ipv4 = sorted_addrs(ifaces.iter().flat_map(|i| i.inet.iter()));
    let ipv6 = sorted_addrs(ifaces.iter().flat_map(|i| i.inet6.iter()));
    for (key, family, present) in [
        ("fqdn_ip4", 4, !ipv4.is_empty()),
        ("fqdn_ip6", 6, !ipv6.is_empty()),
    ] {
        let mut addrs = if present {
            host.resolve(&fqdn, family)
        } else {
            Vec::new()
        };
        addrs.sort();
        out.insert(key.into(), json!(addrs));
    }
    out.insert("ipv4".into(), Value::Array(ipv4));
    out.insert("ipv6".into(), Value::Array(ipv6));
    interface_grains(&ifaces, out);
}

fn interface_grains(ifaces: &[Interface], out: &mut Map) {
    let (mut hw, mut ip4, mut ip6, mut ip) = (Map::new(), Map::new(), Map::new(), Map::new());
    for iface in ifaces {
        if let Some(mac) = &iface.hwaddr {
            hw.insert(iface.name.clone(), json!(mac));
        }
        ip4.insert(iface.name.clone(), json!(iface.inet));
        ip6.insert(iface.name.clone(), json!(iface.inet6));
        let all: Vec<&String> = iface.inet.iter().chain(iface.inet6.iter()).collect();
        ip.insert(iface.name.clone(), json!(all));
    }
    out.insert("hwaddr_interfaces".into(), Value::Object(hw));
    out.insert("ip4_interfaces".into(), Value::Object(ip4));
    out.insert("ip6_interfaces".into(), Value::Object(ip6));
    out.insert("ip_interfaces".into(), Value::Object(ip));
}

/// Default gateways from `/proc/net/route` and `/proc/net/ipv6_route`
/// (`ip_gw`, `ip4_gw`, `ip6_gw`: the address, or `false`).
pub fn gateway_grains(host: &dyn Host, out: &mut Map) {
    let ip4 = host.read("/proc/net/route").and_then(|t| parse_route4(&t));
    let ip6 = host
        .read("/proc/net/ipv6_route")
        .and_then(|t| parse_route6(&t));
    out.insert("ip_gw".into(), json!(ip4.is_some() || ip6.is_some()));
    out.insert("ip4_gw".into(), ip4.map_or(json!(false), |a| json!(a)));
    out.insert("ip6_gw".into(), ip6.map_or(json!(false), |a| json!(a)));
}

/// The gateway of the IPv4 default route (destination and mask 0).
pub fn parse_route4(text: &str) -> Option<String> {
    text.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 8 || cols[1] != "00000000" || cols[7] != "00000000" {
            return None;
        }
        let raw = u32::from_str_radix(cols[2], 16).ok()?;
        (raw != 0).then(|| std::net::Ipv4Addr::from(u32::from_be(raw)).to_string())
    })
}

/// The next hop of the IPv6 default route (`::/0` with a non-zero gateway).
pub fn parse_route6(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 10 || !cols[0].trim_matches('0').is_empty() || cols[1] != "00" {
            return None;
        }
        let raw = u128::from_str_radix(cols[4], 16).ok()?;
        (raw != 0).then(|| std::net::Ipv6Addr::from(raw).to_string())
    })
}

/// `dns` from `/etc/resolv.conf` (Salt's `salt.utils.dns.parse_resolv`).
pub fn dns_grain(host: &dyn Host, out: &mut Map) {
    let text = host.read("/etc/resolv.conf").unwrap_or_default();
    let (mut ns4, mut ns6, mut search, mut sortlist, mut options) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut domain = String::new();
    for line in text.lines() {
        let line = line.split(['#', ';']).next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        let Some(directive) = words.next() else {
            continue;
        };
        let args: Vec<String> = words.map(str::to_string).collect();
        match directive {
            "nameserver" => match args.first().and_then(|a| a.parse::<IpAddr>().ok()) {
                Some(IpAddr::V4(a)) if !ns4.contains(&a.to_string()) => ns4.push(a.to_string()),
                Some(IpAddr::V6(a)) if !ns6.contains(&a.to_string()) => ns6.push(a.to_string()),
                _ => {}
            },
            "domain" => domain = args.first().cloned().unwrap_or_default(),
            "search" => search = args,
            "sortlist" => sortlist = args,
            "options" => options.extend(args),
            _ => {}
        }
    }
    let nameservers: Vec<&String> = ns4.iter().chain(ns6.iter()).collect();
    out.insert(
        "dns".into(),
        json!({"nameservers": nameservers, "ip4_nameservers": ns4, "ip6_nameservers": ns6,
               "sortlist": sortlist, "domain": domain, "search": search, "options": options}),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_default_route() {
        let t =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                 eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                 eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        assert_eq!(parse_route4(t).as_deref(), Some("192.0.2.1"));
        assert_eq!(parse_route4("Iface\n"), None);
    }

    #[test]
    fn ipv6_default_route() {
        let t = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n";
        assert_eq!(parse_route6(t).as_deref(), Some("fd00::1"));
    }
}
