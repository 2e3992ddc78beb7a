//! Salt's network filters (`salt/utils/network.py`): `is_ip`, `is_ipv4`,
//! `is_ipv6`, `ipaddr`, `ipv4`, `ipv6`, `ip_host`, `network_hosts`,
//! `network_size`, `filter_by_networks`, `ipwrap`, `gen_mac`,
//! `mac_str_to_bytes`, over [`super::pyip`] (Python's `ipaddress`).

use std::hash::{BuildHasher, Hasher};

use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};

use super::filters_data::{bind, py_type, some};
use super::mutable::MutList;
use super::pyip::{address_from_int, parse_address, parse_interface, parse_network_strict, PyIp};

/// More hosts than this is an error rather than an exhausted memory.
const MAX_HOSTS: u128 = 1 << 24;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("is_ip", is_ip);
    env.add_filter("is_ipv4", is_ipv4);
    env.add_filter("is_ipv6", is_ipv6);
    env.add_filter("ipaddr", ipaddr);
    env.add_filter("ipv4", ipv4);
    env.add_filter("ipv6", ipv6);
    env.add_filter("ip_host", ip_host);
    env.add_filter("network_hosts", network_hosts);
    env.add_filter("network_size", network_size);
    env.add_filter("filter_by_networks", filter_by_networks);
    env.add_filter("ipwrap", ipwrap);
    env.add_filter("gen_mac", gen_mac);
    env.add_filter("mac_str_to_bytes", mac_str_to_bytes);
}

fn value_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

fn none() -> Value {
    Value::from(())
}

/// `ip_address(v)`, else `ip_interface(v)` (strings and ints, as Python).
fn parse_any(v: &Value) -> Option<PyIp> {
    if let Some(s) = v.as_str() {
        return parse_address(s).or_else(|| parse_interface(s));
    }
    if matches!(v.kind(), ValueKind::Number | ValueKind::Bool) {
        return address_from_int(i128::try_from(v.clone()).ok()?);
    }
    None
}

/// Salt's `_ip_options`: every named check must hold (unknown names are ignored).
fn options_hold(ip: &PyIp, options: Option<&str>) -> bool {
    let Some(options) = options.filter(|o| !o.is_empty()) else {
        return true;
    };
    options.split(',').map(str::trim).all(|o| match o {
        "global" | "public" => !ip.is_private(),
        "link-local" | "linklocal" | "ll" | "link_local" => ip.is_link_local(),
        "loopback" | "lo" => ip.is_loopback(),
        "multicast" => ip.is_multicast(),
        "private" => ip.is_private(),
        "reserved" => ip.is_reserved(),
        "site-local" | "sl" | "site_local" => ip.is_site_local(),
        "unspecified" => ip.is_unspecified(),
        _ => true,
    })
}

/// Salt's `_is_ipv`: the normalised text when `v` is an IP of `version`
/// passing `options`.
fn is_ipv(v: &Value, version: u8, options: Option<&str>) -> Option<String> {
    let ip = parse_any(v)?;
    (ip.version() == version && options_hold(&ip, options)).then(|| ip.to_py_string())
}

fn options_arg(options: &Option<Value>) -> Result<Option<String>, Error> {
    match options {
        None => Ok(None),
        Some(v) if v.is_none() || v.is_undefined() => Ok(None),
        Some(v) => match v.as_str() {
            Some(s) => Ok(Some(s.to_string())),
            None if !v.is_true() => Ok(None),
            None => Err(value_error(format!(
                "'{}' object has no attribute 'split'",
                py_type(v)
            ))),
        },
    }
}

/// `options=None`, positional or by keyword.
fn options_of(fun: &str, rest: &[Value], kwargs: &Kwargs) -> Result<Option<Value>, Error> {
    Ok(some(&bind(fun, rest, kwargs, &["options"])?[0]))
}

/// `options=None, version=None`.
fn options_version(
    fun: &str,
    rest: &[Value],
    kwargs: &Kwargs,
) -> Result<(Option<Value>, Option<Value>), Error> {
    let args = bind(fun, rest, kwargs, &["options", "version"])?;
    Ok((some(&args[0]), some(&args[1])))
}

/// `is_ip(options=None)` (filter, and a Halite test).
pub fn is_ip(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<bool, Error> {
    let o = options_arg(&options_of("is_ip_filter", &rest, &kwargs)?)?;
    Ok(is_ipv(&v, 4, o.as_deref()).is_some() || is_ipv(&v, 6, o.as_deref()).is_some())
}

pub fn is_ipv4(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<bool, Error> {
    let o = options_arg(&options_of("is_ipv4_filter", &rest, &kwargs)?)?;
    Ok(is_ipv(&v, 4, o.as_deref()).is_some())
}

pub fn is_ipv6(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<bool, Error> {
    let o = options_arg(&options_of("is_ipv6_filter", &rest, &kwargs)?)?;
    Ok(is_ipv(&v, 6, o.as_deref()).is_some())
}

fn is_sequence(v: &Value) -> bool {
    matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable)
}

/// Salt's `_ipv_filter`: a string gives its text or None, a list the texts of
/// its items of that version, anything else None.
fn ipv_filter(v: &Value, version: u8, options: Option<&str>) -> Result<Option<Value>, Error> {
    if v.as_str().is_some() {
        return Ok(Some(
            is_ipv(v, version, options).map_or_else(none, Value::from),
        ));
    }
    if is_sequence(v) {
        let found: Vec<Value> = v
            .try_iter()?
            .filter_map(|x| is_ipv(&x, version, options))
            .map(Value::from)
            .collect();
        return Ok(Some(MutList::new_value(found)));
    }
    Ok(None)
}

fn or_none(v: Option<Value>) -> Value {
    v.unwrap_or_else(none)
}

/// `ipv4(options=None)`.
pub fn ipv4(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    ipv4_of(v, options_of("ipv4", &rest, &kwargs)?)
}

fn ipv4_of(v: Value, options: Option<Value>) -> Result<Value, Error> {
    Ok(or_none(ipv_filter(
        &v,
        4,
        options_arg(&options)?.as_deref(),
    )?))
}

/// `ipv6(options=None)`.
pub fn ipv6(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    ipv6_of(v, options_of("ipv6", &rest, &kwargs)?)
}

fn ipv6_of(v: Value, options: Option<Value>) -> Result<Value, Error> {
    Ok(or_none(ipv_filter(
        &v,
        6,
        options_arg(&options)?.as_deref(),
    )?))
}

/// `ipaddr(options=None)`: for a list the IPv4 items, then the IPv6 ones.
pub fn ipaddr(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    ipaddr_of(v, options_of("ipaddr", &rest, &kwargs)?)
}

fn ipaddr_of(v: Value, options: Option<Value>) -> Result<Value, Error> {
    let opts = options_arg(&options)?;
    let four = ipv_filter(&v, 4, opts.as_deref())?;
    let six = ipv_filter(&v, 6, opts.as_deref())?;
    match (four, six) {
        (Some(a), Some(b)) if is_sequence(&v) => {
            let mut all: Vec<Value> = a.try_iter()?.collect();
            all.extend(b.try_iter()?);
            Ok(MutList::new_value(all))
        }
        // `ipv4_obj or ipv6_obj`
        (a, b) => Ok(match a.filter(Value::is_true) {
            Some(a) => a,
            None => or_none(b),
        }),
    }
}

/// Salt's `_filter_ipaddr`: the matching texts as a list, None when none match.
fn filter_ipaddr(
    v: &Value,
    options: &Option<Value>,
    version: &Option<Value>,
) -> Result<Option<Vec<String>>, Error> {
    let opts = options.clone();
    let out = match version.as_ref().filter(|x| x.is_true()) {
        None => ipaddr_of(v.clone(), opts)?,
        Some(x) if x == &Value::from(4) => ipv4_of(v.clone(), opts)?,
        Some(x) if x == &Value::from(6) => ipv6_of(v.clone(), opts)?,
        Some(_) => return Ok(None),
    };
    if !out.is_true() {
        return Ok(None);
    }
    if let Some(s) = out.as_str() {
        return Ok(Some(vec![s.to_string()]));
    }
    Ok(Some(
        out.try_iter()?
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
    ))
}

/// Apply `f` to the first match of a scalar, or to every match of a list.
fn per_match(
    v: &Value,
    options: Option<Value>,
    version: Option<Value>,
    f: impl Fn(&PyIp) -> Result<Value, Error>,
) -> Result<Value, Error> {
    let Some(found) = filter_ipaddr(v, &options, &version)? else {
        return Ok(none());
    };
    let ips: Vec<PyIp> = found
        .iter()
        .filter_map(|s| parse_any(&Value::from(s.as_str())))
        .collect();
    if !is_sequence(v) {
        return ips.first().map_or_else(|| Ok(none()), &f);
    }
    Ok(MutList::new_value(
        ips.iter().map(f).collect::<Result<_, _>>()?,
    ))
}

/// `ip_host(options=None, version=None)`: `addr/prefixlen`.
pub fn ip_host(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let (options, version) = options_version("ip_host", &rest, &kwargs)?;
    per_match(&v, options, version, |ip| {
        Ok(Value::from(ip.as_interface().to_py_string()))
    })
}

/// `network_hosts(options=None, version=None)`.
pub fn network_hosts(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let (options, version) = options_version("network_hosts", &rest, &kwargs)?;
    per_match(&v, options, version, |ip| {
        if ip.num_addresses().is_none_or(|n| n > MAX_HOSTS) {
            return Err(value_error(format!(
                "network_hosts: {} has more than {MAX_HOSTS} hosts",
                ip.to_py_string()
            )));
        }
        Ok(MutList::new_value(
            ip.hosts().into_iter().map(Value::from).collect(),
        ))
    })
}

/// `network_size(options=None, version=None)`: `num_addresses`.
pub fn network_size(v: Value, rest: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let (options, version) = options_version("network_size", &rest, &kwargs)?;
    per_match(&v, options, version, |ip| match ip.num_addresses() {
        Some(n) => Ok(Value::from(n)),
        None => Err(value_error("network_size: 2**128 does not fit an integer")),
    })
}

/// `filter_by_networks(networks)`: IPs (a list, or a dict of lists) inside
/// any of the networks, once per network holding them; None keeps all.
pub fn filter_by_networks(values: Value, networks: Value) -> Result<Value, Error> {
    if networks.is_none() {
        return Ok(values);
    }
    let nets: Vec<PyIp> = networks
        .try_iter()?
        .map(|n| network_strict(&n))
        .collect::<Result<_, _>>()?;
    let filter = |ips: &Value| -> Result<Value, Error> {
        let mut out = Vec::new();
        for ip in ips.try_iter()? {
            let addr = address_strict(&ip)?;
            for net in &nets {
                if net.v6 == addr.v6 && {
                    let (lo, hi) = net.network_bounds();
                    (lo..=hi).contains(&addr.bits)
                } {
                    out.push(ip.clone());
                }
            }
        }
        Ok(MutList::new_value(out))
    };
    match values.kind() {
        ValueKind::Map => {
            let mut map = indexmap::IndexMap::new();
            for k in values.try_iter()? {
                map.insert(k.clone(), filter(&values.get_item(&k)?)?);
            }
            Ok(super::mutable::MutDict::new_value(map))
        }
        ValueKind::Seq | ValueKind::String | ValueKind::Iterable => filter(&values),
        _ => Err(value_error(format!(
            "Do not know how to filter a <class '{}'>",
            py_type(&values)
        ))),
    }
}

fn repr_text(v: &Value) -> String {
    match v.as_str() {
        Some(s) => format!("'{s}'"),
        None => v.to_string(),
    }
}

fn address_strict(v: &Value) -> Result<PyIp, Error> {
    let parsed = match v.as_str() {
        Some(s) => parse_address(s),
        None => parse_any(v).filter(|ip| ip.prefix.is_none()),
    };
    parsed.ok_or_else(|| {
        value_error(format!(
            "{} does not appear to be an IPv4 or IPv6 address",
            repr_text(v)
        ))
    })
}

fn network_strict(v: &Value) -> Result<PyIp, Error> {
    let text = v.as_str().unwrap_or_default();
    match parse_network_strict(text) {
        Some(n) => Ok(n),
        None if parse_interface(text).is_some() => {
            Err(value_error(format!("{text} has host bits set")))
        }
        None => Err(value_error(format!(
            "{} does not appear to be an IPv4 or IPv6 network",
            repr_text(v)
        ))),
    }
}

/// Salt's `ip_bracket`: `[addr]` for an IPv6 address.
fn bracket(v: &Value) -> Result<Value, Error> {
    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let inner = text.trim_start_matches('[').trim_end_matches(']');
    let ip = parse_address(inner).ok_or_else(|| {
        value_error(format!(
            "'{inner}' does not appear to be an IPv4 or IPv6 address"
        ))
    })?;
    Ok(Value::from(if ip.v6 {
        format!("[{}]", ip.to_py_string())
    } else {
        ip.to_py_string()
    }))
}

fn wrap_one(v: Value) -> Result<Value, Error> {
    if is_ipv(&v, 6, None).is_some() {
        bracket(&v)
    } else {
        Ok(v)
    }
}

/// `ipwrap`: IPv6 addresses in square brackets; a list item by item.
pub fn ipwrap(v: Value) -> Result<Value, Error> {
    if matches!(v.kind(), ValueKind::Seq) {
        let out: Vec<Value> = v.try_iter()?.map(wrap_one).collect::<Result<_, _>>()?;
        return Ok(MutList::new_value(out));
    }
    wrap_one(v)
}

fn random_byte() -> u8 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() & 0xff) as u8
}

/// `gen_mac(prefix='AC:DE:48')`: the prefix and three random octets.
pub fn gen_mac(rest: Rest<Value>, kwargs: Kwargs) -> Result<String, Error> {
    let prefix = some(&bind("gen_mac", &rest, &kwargs, &["prefix"])?[0]);
    let prefix = prefix.map_or_else(|| "AC:DE:48".to_string(), |p| p.to_string());
    Ok(format!(
        "{}:{:02X}:{:02X}:{:02X}",
        prefix,
        random_byte(),
        random_byte(),
        random_byte()
    ))
}

/// Python's `int(text, 16)` for a two-character chunk, as a byte.
fn hex_octet(chunk: &str) -> Result<u8, Error> {
    let t = chunk.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(value_error(format!(
            "invalid literal for int() with base 16: '{chunk}'"
        )));
    }
    let n = i64::from_str_radix(digits, 16).unwrap_or_default();
    let n = if negative { -n } else { n };
    u8::try_from(n).map_err(|_| value_error("bytes must be in range(0, 256)"))
}

/// `mac_str_to_bytes`: 12 hex digits, or 17 characters with a separator.
pub fn mac_str_to_bytes(mac: String) -> Result<Value, Error> {
    let chars: Vec<char> = mac.chars().collect();
    let digits: String = match chars.len() {
        12 => mac.clone(),
        17 => mac.replace(chars[2], ""),
        _ => return Err(value_error("Invalid MAC address")),
    };
    let mut out = Vec::with_capacity(6);
    for i in (0..12).step_by(2) {
        let chunk: String = digits.chars().skip(i).take(2).collect();
        out.push(hex_octet(&chunk)?);
    }
    Ok(Value::from_bytes(out))
}

#[cfg(test)]
mod tests {
    fn run(t: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let ctx = super::super::tests::test_ctx(dir.path());
        super::super::render(&ctx, "t.sls", t, &Default::default()).unwrap()
    }

    #[test]
    fn ip_checks_follow_python() {
        assert_eq!(
            run("{{ '10.0.0.1/24'|is_ipv4 }} {{ '10.0.0.1'|is_ipv4('private') }} {{ '8.8.8.8'|is_ip('private') }} {{ 'fe80::1'|is_ipv6('link-local') }} {{ 'x'|is_ip }} {{ 5|is_ipv4 }}"),
            "True True False True False True"
        );
    }

    #[test]
    fn ipaddr_family() {
        let l = "{% set l = ['10.0.0.1', 'fe80::1', 'x', '192.168.1.1/24', '2001:DB8::1', 1] %}";
        assert_eq!(
            run(&format!("{l}{{{{ l|ipaddr }}}} {{{{ l|ipv4 }}}} {{{{ l|ipv6('private') }}}} {{{{ 'x'|ipaddr }}}} {{{{ 5|ipv4 }}}}")),
            "['10.0.0.1', '192.168.1.1/24', '0.0.0.1', 'fe80::1', '2001:db8::1'] ['10.0.0.1', '192.168.1.1/24', '0.0.0.1'] ['fe80::1', '2001:db8::1'] None None"
        );
        assert_eq!(
            run("{{ '10.0.0.1'|ip_host }} {{ ['10.0.0.1/24', 'fe80::1']|ip_host(version=6) }} {{ 'x'|ip_host }} {{ '10.0.0.1'|ip_host(version='4') }}"),
            "10.0.0.1/32 ['fe80::1/128'] None None"
        );
        assert_eq!(
            run("{{ '10.0.0.1/30'|network_hosts }} {{ '10.0.0.1/24'|network_size }} {{ ['::/64', '10.0.0.0/8']|network_size }}"),
            "['10.0.0.1', '10.0.0.2'] 256 [16777216, 18446744073709551616]"
        );
    }

    #[test]
    fn filter_wrap_mac() {
        assert_eq!(
            run("{{ ['10.0.0.1', '10.1.0.1', 'fe80::1']|filter_by_networks(['10.0.0.0/16', '10.0.0.0/8']) }} {{ {'eth0': ['10.0.0.1']}|filter_by_networks([]) }} {{ ['a']|filter_by_networks(none) }}"),
            "['10.0.0.1', '10.0.0.1', '10.1.0.1'] {'eth0': []} ['a']"
        );
        assert_eq!(
            run("{{ ['fe80::1', '10.0.0.1', 5]|ipwrap }} {{ '::1'|ipwrap }} {{ 'host'|ipwrap }}"),
            "['[fe80::1]', '10.0.0.1', 5] [::1] host"
        );
        assert_eq!(
            run("{{ '08:00:27:13:69:77'|mac_str_to_bytes }} {{ '0800275c2722'|mac_str_to_bytes }}"),
            r#"b"\x08\x00'\x13iw" b'\x08\x00\'\\\'"'"#
        );
        let mac = run("{{ '52:54:00'|gen_mac }}");
        assert!(
            regex::Regex::new("^52:54:00(:[0-9A-F]{2}){3}$")
                .unwrap()
                .is_match(&mac),
            "{mac}"
        );
    }
}
