//! `halite_net.*` states: orb0, the node IP move, routes, pod veths, flows.

use super::args::{cidr_arg, ip_arg, required, str_list, u32_arg, u8_arg};
use super::converge;
use crate::model::{Cidr, Route, Scope, HALITE_PROTO};
use crate::netlink::{sysctl_reader, NetHost};
use crate::op::Op;
use crate::ovs::Ovs;
use crate::plan::{self, bridge::BridgeSpec, moved::MoveSpec, veth::VethSpec, Plan, Step};
use halite_api::module::{StateCall, StateReturn};
use std::net::Ipv4Addr;

/// `halite_net.bridge`: name, mac, mac_from, mtu, proxy_arp (True),
/// proxy_delay (0), forwarding (True), rp_filter.
pub fn bridge(call: &StateCall<'_>) -> StateReturn {
    let spec = match bridge_spec(call) {
        Ok(s) => s,
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let what = format!("Bridge {}", spec.name);
    converge(
        call,
        &what,
        &format!("{what} is as configured"),
        |host, seen| plan::bridge::plan(seen, &spec, &sysctl_reader(host)),
    )
}

fn bridge_spec(call: &StateCall<'_>) -> Result<BridgeSpec, String> {
    let mut spec = BridgeSpec::new(&call.name);
    spec.mac = call.get_str("mac");
    spec.mac_from = call.get_str("mac_from");
    spec.mtu = u32_arg(call, "mtu")?;
    spec.proxy_arp = call.get_bool("proxy_arp", true);
    spec.proxy_delay = u32_arg(call, "proxy_delay")?.unwrap_or(0);
    spec.forwarding = call.get_bool("forwarding", true);
    spec.rp_filter = u8_arg(call, "rp_filter")?;
    Ok(spec)
}

/// `halite_net.address_moved`: address (or a CIDR name), from (eth0), to
/// (orb0), gateway.
pub fn address_moved(call: &StateCall<'_>) -> StateReturn {
    let spec = match move_spec(call) {
        Ok(s) => s,
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let what = format!("Address {} on {}", spec.address, spec.to);
    let converged = format!("{what} is as configured ({} is a port)", spec.from);
    let test = call.test;
    converge(call, &what, &converged, |_, seen| {
        if test && seen.link(&spec.to).is_none() {
            // the bridge state before this one would create it
            let mut assumed = seen.clone();
            assumed.links.push(crate::model::Link {
                name: spec.to.clone(),
                index: 0,
                kind: "bridge".into(),
                mac: String::new(),
                mtu: 1500,
                up: true,
                master: None,
            });
            return plan::moved::plan(&assumed, &spec);
        }
        plan::moved::plan(seen, &spec)
    })
}

fn move_spec(call: &StateCall<'_>) -> Result<MoveSpec, String> {
    let address = match cidr_arg(call, "address")? {
        Some(a) => a,
        None => call
            .name
            .parse::<Cidr>()
            .map_err(|_| "address: this argument is required (or a name like 10.9.4.11/22)")?,
    };
    if address.prefix == 32 && !call.name.contains('/') && call.get("address").is_none() {
        return Err("address: give the prefix length, e.g. 10.9.4.11/22".into());
    }
    Ok(MoveSpec {
        address,
        from: call.get_str("from").unwrap_or_else(|| "eth0".into()),
        to: call.get_str("to").unwrap_or_else(|| "orb0".into()),
        gateway: ip_arg(call, "gateway")?,
    })
}

/// `halite_net.route`: name (`default` or a CIDR), dev, gateway, scope,
/// metric.
pub fn route(call: &StateCall<'_>) -> StateReturn {
    let want = match route_spec(call) {
        Ok(r) => r,
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let what = format!("Route {}", call.name);
    converge(
        call,
        &what,
        &format!("{what} is as configured"),
        |_, seen| plan::route::plan(seen, &want),
    )
}

fn route_spec(call: &StateCall<'_>) -> Result<Route, String> {
    let dst = match call
        .get_str("destination")
        .unwrap_or(call.name.clone())
        .as_str()
    {
        "default" => Cidr::new(Ipv4Addr::UNSPECIFIED, 0),
        other => other
            .parse::<Cidr>()
            .map_err(|e| format!("name: {e}"))?
            .network(),
    };
    let gateway = ip_arg(call, "gateway")?;
    let scope = match call.get_str("scope") {
        Some(s) => Scope::parse(&s).map_err(|e| format!("scope: {e}"))?,
        None if gateway.is_none() => Scope::Link,
        None => Scope::Global,
    };
    Ok(Route {
        dst,
        gateway,
        dev: required(call, "dev")?,
        scope,
        protocol: HALITE_PROTO,
        metric: u32_arg(call, "metric")?,
    })
}

/// `halite_net.veth`: name (host end), peer (eth0), netns, address (pod IP
/// with prefix), gateway (the pod's default gateway), mtu, proxy_delay (0),
/// rp_filter.
pub fn veth(call: &StateCall<'_>) -> StateReturn {
    let spec = match veth_spec(call) {
        Ok(s) => s,
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let what = format!("Veth {} to {}", spec.name, spec.address.ip);
    converge(
        call,
        &what,
        &format!("{what} is as configured"),
        |host, seen| {
            let pod = match (&spec.netns, seen.link(&spec.name)) {
                (Some(ns), Some(_)) => {
                    Some(host.observe(Some(ns)).map_err(|e| format!("netns: {e}"))?)
                }
                (Some(ns), None) if !call.test => {
                    host.observe(Some(ns)).map_err(|e| format!("netns: {e}"))?;
                    None
                }
                _ => None,
            };
            let pod = pod.filter(|p| p.link(&spec.peer).is_some());
            plan::veth::plan(seen, pod.as_ref(), &spec, &sysctl_reader(host))
        },
    )
}

fn veth_spec(call: &StateCall<'_>) -> Result<VethSpec, String> {
    let address = cidr_arg(call, "address")?.ok_or("address: this argument is required")?;
    Ok(VethSpec {
        name: call.name.clone(),
        peer: call.get_str("peer").unwrap_or_else(|| "eth0".into()),
        netns: call.get_str("netns"),
        address,
        peer_gateway: ip_arg(call, "gateway")?,
        mtu: u32_arg(call, "mtu")?,
        proxy_delay: u32_arg(call, "proxy_delay")?.unwrap_or(0),
        rp_filter: u8_arg(call, "rp_filter")?,
    })
}

/// `halite_net.ovs_flows`: name (the bridge), flows (the whole table).
pub fn ovs_flows(call: &StateCall<'_>) -> StateReturn {
    let flows = match str_list(call, "flows") {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => return StateReturn::fail(&call.name, "flows: give the bridge's flow table"),
        Err(e) => return StateReturn::fail(&call.name, e),
    };
    let br = call.name.clone();
    let what = format!("Flow table of {br}");
    let ovs = Ovs::new(call.ctx.runner.as_ref());
    converge(call, &what, &format!("{what} is as configured"), |_, _| {
        let err = |e: crate::ovs::OvsError| e.to_string();
        if !ovs.bridge_exists(&br).map_err(err)? {
            return Err(format!("name: Open vSwitch bridge '{br}' does not exist"));
        }
        let tmp = std::env::temp_dir();
        let mut plan = Plan::touching(&[]);
        if ovs.flow_diff(&br, &flows, &tmp).map_err(err)?.is_empty() {
            return Ok(plan);
        }
        let current = ovs.dump_flows(&br).map_err(err)?;
        plan.push(Step::new(
            Op::OvsReplaceFlows {
                bridge: br.clone(),
                flows: flows.clone(),
            },
            vec![Op::OvsReplaceFlows {
                bridge: br.clone(),
                flows: current,
            }],
        ));
        Ok(plan)
    })
}
