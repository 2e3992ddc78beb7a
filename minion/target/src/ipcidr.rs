//! The `ipcidr` matcher (`S@`): an address in the `ipv4`/`ipv6` grains, or a
//! network (Python `ipaddress.ip_network`, strict) containing one of them.

use std::net::IpAddr;

use halite_api::Value;

/// A parsed `ipcidr` target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpTarget {
    Address(IpAddr),
    Network { base: IpAddr, prefix: u8 },
}

/// Parse like Python: `ip_address(tgt)`, else `ip_network(tgt)` (host bits must be 0).
pub fn parse_target(tgt: &str) -> Result<IpTarget, String> {
    if let Ok(addr) = tgt.parse::<IpAddr>() {
        return Ok(IpTarget::Address(addr));
    }
    let (addr_text, mask_text) = tgt
        .split_once('/')
        .ok_or_else(|| format!("'{tgt}' is not an IP address or network"))?;
    let base: IpAddr = addr_text
        .parse()
        .map_err(|_| format!("'{addr_text}' is not an IP address"))?;
    let prefix = parse_prefix(base, mask_text)?;
    if mask_bits(&base, prefix) != to_bits(&base) {
        return Err(format!("'{tgt}' has host bits set"));
    }
    Ok(IpTarget::Network { base, prefix })
}

fn max_prefix(addr: &IpAddr) -> u8 {
    if addr.is_ipv4() {
        32
    } else {
        128
    }
}

/// `/24`, or for IPv4 a netmask `/255.255.255.0` or hostmask `/0.0.0.255`.
fn parse_prefix(base: IpAddr, mask: &str) -> Result<u8, String> {
    if !mask.is_empty() && mask.bytes().all(|b| b.is_ascii_digit()) {
        let prefix: u8 = mask
            .parse()
            .map_err(|_| format!("invalid prefix length '{mask}'"))?;
        if prefix > max_prefix(&base) {
            return Err(format!("invalid prefix length '{mask}'"));
        }
        return Ok(prefix);
    }
    let netmask: std::net::Ipv4Addr = match base {
        IpAddr::V4(_) => mask
            .parse()
            .map_err(|_| format!("invalid netmask '{mask}'"))?,
        IpAddr::V6(_) => return Err(format!("invalid prefix length '{mask}'")),
    };
    let bits = u32::from(netmask);
    if bits.leading_ones() + bits.trailing_zeros() == 32 {
        return Ok(bits.leading_ones() as u8);
    }
    let inverted = !bits;
    if inverted.leading_ones() + inverted.trailing_zeros() == 32 {
        return Ok(inverted.leading_ones() as u8);
    }
    Err(format!("invalid netmask '{mask}'"))
}

fn to_bits(addr: &IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u32::from(*a) as u128,
        IpAddr::V6(a) => u128::from(*a),
    }
}

fn mask_bits(addr: &IpAddr, prefix: u8) -> u128 {
    let width = max_prefix(addr) as u32;
    let host_bits = width - prefix as u32;
    let value = to_bits(addr);
    if host_bits >= 128 {
        0
    } else {
        (value >> host_bits) << host_bits
    }
}

/// Does this minion (by its `ipv4`/`ipv6` grains) match the target?
pub fn matches(target: &IpTarget, grains: &Value) -> bool {
    let base = match target {
        IpTarget::Address(a) | IpTarget::Network { base: a, .. } => a,
    };
    let proto = if base.is_ipv4() { "ipv4" } else { "ipv6" };
    let Some(Value::Array(addrs)) = grains.get(proto) else {
        return false;
    };
    let texts = addrs.iter().filter_map(Value::as_str);
    match target {
        IpTarget::Address(a) => {
            let wanted = a.to_string();
            texts.into_iter().any(|t| t == wanted)
        }
        IpTarget::Network { base, prefix } => texts
            .filter_map(|t| t.parse::<IpAddr>().ok())
            .filter(|ip| ip.is_ipv4() == base.is_ipv4())
            .any(|ip| mask_bits(&ip, *prefix) == to_bits(base)),
    }
}

#[cfg(test)]
mod tests {
    use super::{matches, parse_target};
    use serde_json::json;

    fn grains() -> serde_json::Value {
        json!({"ipv4": ["127.0.0.1", "192.0.2.2"], "ipv6": ["::1", "fd00::2"]})
    }

    fn check(tgt: &str) -> bool {
        matches(&parse_target(tgt).unwrap(), &grains())
    }

    #[test]
    fn addresses_must_be_in_grains() {
        assert!(check("192.0.2.2"));
        assert!(!check("192.0.2.3"));
        assert!(check("fd00:0::2"));
    }

    #[test]
    fn networks_contain_an_address() {
        assert!(check("192.0.2.0/24"));
        assert!(check("192.0.2.0/255.255.255.0"));
        assert!(check("0.0.0.0/0"));
        assert!(!check("10.0.0.0/8"));
        assert!(check("fd00::/8"));
        assert!(!check("fe80::/10"));
        assert!(check("192.0.2.2/32"));
    }

    #[test]
    fn strict_networks_and_garbage_are_errors() {
        assert!(parse_target("192.0.2.1/24").is_err());
        assert!(parse_target("192.0.2.0/33").is_err());
        assert!(parse_target("web01").is_err());
        assert!(parse_target("192.0.2.0/255.0.255.0").is_err());
    }

    #[test]
    fn missing_grain_never_matches() {
        let t = parse_target("10.0.0.1").unwrap();
        assert!(!matches(&t, &json!({})));
    }
}
