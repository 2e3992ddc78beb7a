//! The part of Python's `ipaddress` module Salt's network filters use
//! (`ip_address`, `ip_interface`, `ip_network(strict=False)`, `hosts()`, the
//! `is_private`/`is_loopback`/... properties), as Python 3.11 has them.

use std::net::{Ipv4Addr, Ipv6Addr};

/// An `IPv4Address`/`IPv6Address` (`prefix` None) or `IPv4Interface`/`IPv6Interface`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyIp {
    pub bits: u128,
    pub v6: bool,
    pub scope: Option<String>,
    pub prefix: Option<u32>,
}

impl PyIp {
    pub fn version(&self) -> u8 {
        if self.v6 {
            6
        } else {
            4
        }
    }

    pub fn max_prefix(&self) -> u32 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    /// The prefix length (an address is a host network).
    pub fn prefixlen(&self) -> u32 {
        self.prefix.unwrap_or(self.max_prefix())
    }

    fn mask(&self) -> u128 {
        mask_of(self.prefixlen(), self.max_prefix())
    }

    /// `ip_network(str(self), strict=False)`: network address and broadcast.
    pub fn network_bounds(&self) -> (u128, u128) {
        let net = self.bits & self.mask();
        (net, net | (!self.mask() & all_ones(self.max_prefix())))
    }

    /// `ip_interface(self)`: the address as a host interface when it has no prefix.
    pub fn as_interface(&self) -> PyIp {
        PyIp {
            prefix: Some(self.prefixlen()),
            ..self.clone()
        }
    }

    /// Python's `str()`.
    pub fn to_py_string(&self) -> String {
        let mut out = self.addr_string();
        if let Some(scope) = &self.scope {
            out.push('%');
            out.push_str(scope);
        }
        if let Some(p) = self.prefix {
            out.push_str(&format!("/{p}"));
        }
        out
    }

    fn addr_string(&self) -> String {
        addr_text(self.bits, self.v6)
    }

    fn in_net(&self, net: &str) -> bool {
        let (addr, len) = net.split_once('/').unwrap_or((net, ""));
        let len: u32 = len.parse().unwrap_or(self.max_prefix());
        match parse_address(addr) {
            Some(n) if n.v6 == self.v6 => {
                let m = mask_of(len, self.max_prefix());
                self.bits & m == n.bits & m
            }
            _ => false,
        }
    }

    fn in_any(&self, nets: &[&str]) -> bool {
        nets.iter().any(|n| self.in_net(n))
    }

    /// `is_private` (an IPv4-mapped IPv6 address asks its IPv4 address).
    pub fn is_private(&self) -> bool {
        if self.v6 {
            if self.bits >> 32 == 0xffff {
                return v4_of(self.bits).is_private();
            }
            return self.in_any(V6_PRIVATE);
        }
        self.in_any(V4_PRIVATE)
    }

    pub fn is_multicast(&self) -> bool {
        self.in_net(if self.v6 { "ff00::/8" } else { "224.0.0.0/4" })
    }

    pub fn is_link_local(&self) -> bool {
        self.in_net(if self.v6 {
            "fe80::/10"
        } else {
            "169.254.0.0/16"
        })
    }

    pub fn is_reserved(&self) -> bool {
        if self.v6 {
            self.in_any(V6_RESERVED)
        } else {
            self.in_net("240.0.0.0/4")
        }
    }

    pub fn is_site_local(&self) -> bool {
        self.v6 && self.in_net("fec0::/10")
    }

    /// IPv4Interface compares unequal to an address; IPv6Interface needs a /128.
    pub fn is_unspecified(&self) -> bool {
        match (self.v6, self.prefix) {
            (_, None) => self.bits == 0,
            (false, Some(_)) => false,
            (true, Some(p)) => self.bits == 0 && p == 128,
        }
    }

    pub fn is_loopback(&self) -> bool {
        match (self.v6, self.prefix) {
            (false, _) => self.in_net("127.0.0.0/8"),
            (true, None) => self.bits == 1,
            (true, Some(p)) => self.bits == 1 && p == 128,
        }
    }

    /// `ip_network(str(self), strict=False).hosts()` as strings.
    pub fn hosts(&self) -> Vec<String> {
        let max = self.max_prefix();
        let (net, bcast) = self.network_bounds();
        let plen = self.prefixlen();
        if plen == max {
            // `[IPv?Address(addr)]`: the address text, scope kept
            let mut one = self.clone();
            one.prefix = None;
            return vec![one.to_py_string()];
        }
        let (first, last) = if plen == max - 1 {
            (net, bcast)
        } else if self.v6 {
            (net + 1, bcast)
        } else {
            (net + 1, bcast - 1)
        };
        (first..=last).map(|b| addr_text(b, self.v6)).collect()
    }

    /// `num_addresses` (None past u128: an IPv6 /0).
    pub fn num_addresses(&self) -> Option<u128> {
        1u128.checked_shl(self.max_prefix() - self.prefixlen())
    }
}

const V4_PRIVATE: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/29",
    "192.0.0.170/31",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "240.0.0.0/4",
    "255.255.255.255/32",
];

const V6_PRIVATE: &[&str] = &[
    "::1/128",
    "::/128",
    "::ffff:0:0/96",
    "100::/64",
    "2001::/23",
    "2001:2::/48",
    "2001:db8::/32",
    "2001:10::/28",
    "fc00::/7",
    "fe80::/10",
];

const V6_RESERVED: &[&str] = &[
    "::/8", "100::/8", "200::/7", "400::/6", "800::/5", "1000::/4", "4000::/3", "6000::/3",
    "8000::/3", "a000::/3", "c000::/3", "e000::/4", "f000::/5", "f800::/6", "fe00::/9",
];

fn all_ones(max: u32) -> u128 {
    if max == 128 {
        u128::MAX
    } else {
        (1u128 << max) - 1
    }
}

fn mask_of(len: u32, max: u32) -> u128 {
    if len == 0 {
        0
    } else {
        (all_ones(max) >> (max - len)) << (max - len)
    }
}

fn v4_of(bits: u128) -> PyIp {
    PyIp {
        bits: bits & 0xffff_ffff,
        v6: false,
        scope: None,
        prefix: None,
    }
}

/// Python's address text: dotted quad, or hextets with the first longest run
/// of two or more zero groups written `::` (no IPv4 tail).
pub fn addr_text(bits: u128, v6: bool) -> String {
    if !v6 {
        return Ipv4Addr::from(bits as u32).to_string();
    }
    let groups: Vec<u16> = Ipv6Addr::from(bits).segments().to_vec();
    let (mut best, mut best_len, mut cur, mut cur_len) = (0usize, 0usize, 0usize, 0usize);
    for (i, g) in groups.iter().enumerate() {
        if *g == 0 {
            if cur_len == 0 {
                cur = i;
            }
            cur_len += 1;
            if cur_len > best_len {
                best = cur;
                best_len = cur_len;
            }
        } else {
            cur_len = 0;
        }
    }
    let hex = |gs: &[u16]| {
        gs.iter()
            .map(|g| format!("{g:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    if best_len < 2 {
        return hex(&groups);
    }
    format!(
        "{}::{}",
        hex(&groups[..best]),
        hex(&groups[best + best_len..])
    )
}

/// `ipaddress.ip_address(text)`.
pub fn parse_address(text: &str) -> Option<PyIp> {
    if text.contains('/') {
        return None;
    }
    if let Ok(a) = text.parse::<Ipv4Addr>() {
        return Some(PyIp {
            bits: u32::from(a) as u128,
            v6: false,
            scope: None,
            prefix: None,
        });
    }
    let (addr, scope) = match text.split_once('%') {
        Some((_, s)) if s.is_empty() || s.contains('%') => return None,
        Some((a, s)) => (a, Some(s.to_string())),
        None => (text, None),
    };
    let a = addr.parse::<Ipv6Addr>().ok()?;
    Some(PyIp {
        bits: u128::from(a),
        v6: true,
        scope,
        prefix: None,
    })
}

/// `ipaddress.ip_address(int)`.
pub fn address_from_int(n: i128) -> Option<PyIp> {
    let bits = u128::try_from(n).ok()?;
    Some(PyIp {
        bits,
        v6: bits > u32::MAX as u128,
        scope: None,
        prefix: None,
    })
}

/// `ipaddress.ip_interface(text)`: `addr/prefixlen`, IPv4 also `addr/netmask`
/// or `addr/hostmask`.
pub fn parse_interface(text: &str) -> Option<PyIp> {
    let mut parts = text.split('/');
    let addr = parts.next()?;
    let mask = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let v4 = addr.parse::<Ipv4Addr>().ok().and_then(|a| {
        let max = 32;
        let prefix = match mask {
            None => max,
            Some(m) => prefix_digits(m, max).or_else(|| v4_mask_prefix(m))?,
        };
        Some(PyIp {
            bits: u32::from(a) as u128,
            v6: false,
            scope: None,
            prefix: Some(prefix),
        })
    });
    if v4.is_some() {
        return v4;
    }
    let mut ip = parse_address(addr).filter(|ip| ip.v6)?;
    ip.prefix = Some(match mask {
        None => 128,
        Some(m) => prefix_digits(m, 128)?,
    });
    Some(ip)
}

/// `_prefix_from_prefix_string`: ASCII digits, at most the address size.
fn prefix_digits(m: &str, max: u32) -> Option<u32> {
    if m.is_empty() || !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    m.parse::<u32>().ok().filter(|p| *p <= max)
}

/// `_prefix_from_ip_string`: a netmask, else a hostmask.
fn v4_mask_prefix(m: &str) -> Option<u32> {
    let n = u32::from(m.parse::<Ipv4Addr>().ok()?);
    let contiguous =
        |x: u32| (x.leading_ones() + x.trailing_zeros() == 32).then(|| x.leading_ones());
    contiguous(n).or_else(|| contiguous(!n))
}

/// `ipaddress.ip_network(text)` (strict: host bits must be clear).
pub fn parse_network_strict(text: &str) -> Option<PyIp> {
    let ip = parse_interface(text)?;
    let (net, _) = ip.network_bounds();
    (net == ip.bits).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_texts() {
        let s = |t: &str| parse_address(t).unwrap().to_py_string();
        assert_eq!(s("::ffff:1.2.3.4"), "::ffff:102:304");
        assert_eq!(s("1:0:0:1:0:0:0:1"), "1:0:0:1::1");
        assert_eq!(s("1:0:0:1:0:0:1:1"), "1::1:0:0:1:1");
        assert_eq!(s("2001:DB8::1"), "2001:db8::1");
        assert_eq!(s("fe80::1%eth0"), "fe80::1%eth0");
        assert_eq!(s("::"), "::");
        assert!(parse_address("10.0.0.1/24").is_none());
        assert!(parse_address("01.2.3.4").is_none());
        assert!(parse_address("fe80::1%").is_none());
    }

    #[test]
    fn interfaces_and_masks() {
        let s = |t: &str| parse_interface(t).map(|i| i.to_py_string());
        assert_eq!(s("10.0.0.1/0.0.0.255").as_deref(), Some("10.0.0.1/24"));
        assert_eq!(s("10.0.0.1/255.255.0.0").as_deref(), Some("10.0.0.1/16"));
        assert_eq!(s("10.0.0.1/024").as_deref(), Some("10.0.0.1/24"));
        assert_eq!(s("fe80::1%eth0/64").as_deref(), Some("fe80::1%eth0/64"));
        assert_eq!(s("10.0.0.1/33"), None);
        assert_eq!(s("10.0.0.1/255.0.255.0"), None);
        assert_eq!(s("fe80::1/ffff::"), None);
        assert_eq!(s("1/2/3"), None);
    }

    #[test]
    fn hosts_as_python() {
        let h = |t: &str| parse_interface(t).unwrap().hosts();
        assert_eq!(h("10.0.0.5/32"), ["10.0.0.5"]);
        assert_eq!(h("10.0.0.5/31"), ["10.0.0.4", "10.0.0.5"]);
        assert_eq!(h("10.0.0.5/30"), ["10.0.0.5", "10.0.0.6"]);
        assert_eq!(h("::5/127"), ["::4", "::5"]);
        assert_eq!(h("::4/126"), ["::5", "::6", "::7"]);
        assert_eq!(h("fe80::1%eth0/128"), ["fe80::1%eth0"]);
    }

    #[test]
    fn properties() {
        let a = |t: &str| parse_address(t).unwrap();
        assert!(a("10.1.2.3").is_private());
        assert!(!a("8.8.8.8").is_private());
        assert!(!a("::ffff:8.8.8.8").is_private());
        assert!(a("::ffff:10.0.0.1").is_private());
        assert!(a("fec0::1").is_site_local());
        assert!(a("ff02::1").is_multicast());
        assert!(a("::1").is_loopback());
        assert!(!parse_interface("::1/64").unwrap().is_loopback());
        assert!(!parse_interface("0.0.0.0/8").unwrap().is_unspecified());
        assert_eq!(parse_interface("::/0").unwrap().num_addresses(), None);
        assert_eq!(
            parse_interface("::/64").unwrap().num_addresses(),
            Some(1 << 64)
        );
    }
}
