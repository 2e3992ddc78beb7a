//! The `network` execution module: interfaces, ip_addrs, ip_addrs6, hw_addr,
//! from `ip -j addr show` run through the context's runner.

use halite_api::{CmdSpec, ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "network.interfaces",
        doc: "Return a dictionary of information about all the interfaces on the minion",
        run: interfaces,
    },
    ExecSpec {
        name: "network.ip_addrs",
        doc: "Returns a list of IPv4 addresses assigned to the host.",
        run: ip_addrs,
    },
    ExecSpec {
        name: "network.ip_addrs6",
        doc: "Returns a list of IPv6 addresses assigned to the host.",
        run: ip_addrs6,
    },
    ExecSpec {
        name: "network.hw_addr",
        doc: "Return the hardware address (a.k.a. MAC address) for a given interface",
        run: hw_addr,
    },
];

/// Dotted netmask of an IPv4 prefix length.
pub fn netmask(prefix: u32) -> String {
    let bits: u32 = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    };
    let o = bits.to_be_bytes();
    format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])
}

/// Convert `ip -j addr show` JSON into Salt's interfaces dict.
pub fn interfaces_from_ip_json(data: &Value) -> Value {
    let mut ret = Map::new();
    for link in data.as_array().into_iter().flatten() {
        let Some(name) = link.get("ifname").and_then(Value::as_str) else {
            continue;
        };
        let mut entry = Map::new();
        if let Some(mac) = link.get("address").and_then(Value::as_str) {
            entry.insert("hwaddr".into(), mac.into());
        }
        let up = link
            .get("flags")
            .and_then(Value::as_array)
            .is_some_and(|f| f.iter().any(|x| x == "UP"));
        entry.insert("up".into(), up.into());
        let (mut inet, mut inet6) = (Vec::new(), Vec::new());
        for a in link
            .get("addr_info")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let addr = a.get("local").cloned().unwrap_or(Value::Null);
            let prefix = a.get("prefixlen").and_then(Value::as_u64).unwrap_or(0) as u32;
            let mut e = Map::new();
            e.insert("address".into(), addr);
            if a.get("family").and_then(Value::as_str) == Some("inet") {
                e.insert("netmask".into(), netmask(prefix).into());
                if let Some(b) = a.get("broadcast") {
                    e.insert("broadcast".into(), b.clone());
                }
                e.insert(
                    "label".into(),
                    a.get("label").cloned().unwrap_or_else(|| name.into()),
                );
                inet.push(Value::Object(e));
            } else {
                e.insert("prefixlen".into(), prefix.to_string().into());
                e.insert(
                    "scope".into(),
                    a.get("scope").cloned().unwrap_or(Value::Null),
                );
                inet6.push(Value::Object(e));
            }
        }
        if !inet.is_empty() {
            entry.insert("inet".into(), Value::Array(inet));
        }
        if !inet6.is_empty() {
            entry.insert("inet6".into(), Value::Array(inet6));
        }
        ret.insert(name.into(), Value::Object(entry));
    }
    Value::Object(ret)
}

fn load(call: &ExecCall<'_>) -> Result<Value, ExecError> {
    let out = call
        .ctx
        .runner
        .run(&CmdSpec::argv(["ip", "-j", "addr", "show"]))
        .map_err(|e| ExecError::Failed(e.to_string()))?;
    let data: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| ExecError::Failed(format!("Unable to parse 'ip -j addr show' output: {e}")))?;
    Ok(interfaces_from_ip_json(&data))
}

fn interfaces(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(load(call)?)
}

/// Addresses of one family, skipping loopback unless asked.
pub fn collect_addrs(
    ifaces: &Value,
    family: &str,
    only: Option<&str>,
    include_loopback: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (name, e) in ifaces.as_object().into_iter().flatten() {
        if only.is_some_and(|o| o != name) {
            continue;
        }
        for a in e
            .get(family)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(addr) = a.get("address").and_then(Value::as_str) else {
                continue;
            };
            let loopback = addr.starts_with("127.") || addr == "::1";
            if loopback && !include_loopback {
                continue;
            }
            if family == "inet6" && addr.starts_with("fe80") {
                continue;
            }
            out.push(addr.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

fn addrs(call: &ExecCall<'_>, family: &str) -> ExecResult {
    let ifaces = load(call)?;
    let only = call.arg_str(0, "interface");
    let include_loopback = call.kwarg_bool("include_loopback", false);
    ok(Value::Array(
        collect_addrs(&ifaces, family, only.as_deref(), include_loopback)
            .into_iter()
            .map(Value::String)
            .collect(),
    ))
}

fn ip_addrs(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["interface", "include_loopback", "cidr", "type"])?;
    addrs(call, "inet")
}

fn ip_addrs6(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["interface", "include_loopback", "cidr"])?;
    addrs(call, "inet6")
}

fn hw_addr(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["iface"])?;
    let iface = super::required_str(call, 0, "iface")?;
    let ifaces = load(call)?;
    match ifaces.get(&iface).and_then(|e| e.get("hwaddr")) {
        Some(v) => ok(v.clone()),
        None => ok(format!(
            "Interface \"{iface}\" not in available interfaces: \"{}\"",
            ifaces
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>().join("\", \""))
                .unwrap_or_default()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    const IP_JSON: &str = r#"[{"ifname":"lo","flags":["LOOPBACK","UP"],"address":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo"},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host"}]},{"ifname":"eth0","flags":["BROADCAST","UP"],"address":"52:54:00:12:34:56","addr_info":[{"family":"inet","local":"10.0.0.5","prefixlen":24,"broadcast":"10.0.0.255","scope":"global","label":"eth0"}]}]"#;

    #[test]
    fn interfaces_and_addrs() {
        let d = TempDir::new("net");
        let fake = FakeRunner::new();
        fake.on("ip -j addr show", 0, IP_JSON);
        let ctx = ctx_with(fake, &d.0);
        let ifs = ctx
            .call("network.interfaces", vec![], Map::new())
            .unwrap()
            .ret;
        assert_eq!(
            ifs["eth0"]["inet"][0],
            json!({"address": "10.0.0.5", "netmask": "255.255.255.0", "broadcast": "10.0.0.255", "label": "eth0"})
        );
        assert_eq!(
            ifs["lo"]["inet6"][0],
            json!({"address": "::1", "prefixlen": "128", "scope": "host"})
        );
        assert_eq!(
            ctx.call("network.ip_addrs", vec![], Map::new())
                .unwrap()
                .ret,
            json!(["10.0.0.5"])
        );
        let kw = json!({"include_loopback": true})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(
            ctx.call("network.ip_addrs", vec![], kw).unwrap().ret,
            json!(["10.0.0.5", "127.0.0.1"])
        );
        assert_eq!(
            ctx.call("network.hw_addr", vec![json!("eth0")], Map::new())
                .unwrap()
                .ret,
            json!("52:54:00:12:34:56")
        );
        assert_eq!(netmask(0), "0.0.0.0");
    }
}
