//! One pod attachment: ADD builds a routed veth (the pod end with its IP and
//! a default route via the gateway, the host end with proxy ARP, delay 0
//! and a /32 route), DEL removes exactly that and succeeds when it is gone
//! already, CHECK verifies it, GC releases what the runtime no longer knows.
//! The steps are halite-net's veth plan, carried out by its netlink seam.

use crate::ipam::{Range, Store};
use crate::spec::{
    code, version_info, CniError, CniResult, Interface, Invocation, IpConfig, NetConf, RouteConfig,
};
use halite_net::model::{Cidr, Observed};
use halite_net::netlink::{sysctl_reader, Kernel, NetHost};
use halite_net::op::Op;
use halite_net::plan::veth::{self, VethSpec};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;

/// The host end's name: `hc` + 12 hex digits of FNV-1a(container id, ifname),
/// stable across plugin versions, at most 15 bytes (IFNAMSIZ - 1).
pub fn host_ifname(container_id: &str, ifname: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in container_id.bytes().chain([b'/']).chain(ifname.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("hc{:012x}", hash & 0xffff_ffff_ffff)
}

/// Run one invocation: the document to print and the exit status.
pub fn run(env: &BTreeMap<String, String>, stdin: &[u8]) -> (Option<Value>, i32) {
    let version = serde_json::from_slice::<Value>(stdin)
        .ok()
        .and_then(|v| v["cniVersion"].as_str().map(String::from))
        .unwrap_or_else(|| "1.1.0".into());
    match dispatch(env, stdin, &version) {
        Ok(doc) => (doc, 0),
        Err(e) => (Some(e.to_json(&version)), 1),
    }
}

/// `version`: the configuration's `cniVersion` (1.1.0 when it has none).
fn dispatch(
    env: &BTreeMap<String, String>,
    stdin: &[u8],
    version: &str,
) -> Result<Option<Value>, CniError> {
    let inv = Invocation::from_env(env)?;
    if inv.command == "VERSION" {
        return Ok(Some(version_info(version)));
    }
    let conf = NetConf::parse(stdin)?;
    match inv.command.as_str() {
        "ADD" => add(&inv, &conf).map(|r| Some(json!(r))),
        "DEL" => del(&inv, &conf).map(|_| None),
        "CHECK" => check(&inv, &conf).map(|_| None),
        "STATUS" => status(&conf).map(|_| None),
        "GC" => gc(&conf, stdin).map(|_| None),
        _ => unreachable!("from_env accepts only known commands"),
    }
}

fn kernel() -> Result<Kernel, CniError> {
    Kernel::open().map_err(|e| CniError::new(code::IO, e.to_string()))
}

fn kernel_err(e: halite_net::NetError) -> CniError {
    CniError::new(code::KERNEL, e.to_string())
}

fn spec_for(inv: &Invocation, conf: &NetConf, ip: Ipv4Addr) -> VethSpec {
    VethSpec {
        name: host_ifname(&inv.container_id, &inv.ifname),
        peer: inv.ifname.clone(),
        netns: Some(inv.netns.clone()),
        address: Cidr::new(ip, conf.prefix_length),
        peer_gateway: Some(conf.gateway),
        mtu: conf.mtu,
        proxy_delay: 0,
        rp_filter: None,
    }
}

fn observe_pod(host: &Kernel, netns: &str) -> Result<Observed, CniError> {
    if !Path::new(netns).exists() {
        return Err(CniError::new(
            code::UNKNOWN_CONTAINER,
            format!("network namespace {netns} does not exist"),
        ));
    }
    host.observe(Some(netns))
        .map_err(|e| CniError::new(code::UNKNOWN_CONTAINER, e.to_string()))
}

/// ADD: allocate, build, report. A failure leaves nothing behind (the veth
/// deleted, a new allocation released); a retried ADD converges to the same.
pub fn add(inv: &Invocation, conf: &NetConf) -> Result<CniResult, CniError> {
    let range = Range::from_conf(&conf.ipam, conf.gateway)?;
    let host = kernel()?;
    let pod_before = observe_pod(&host, &inv.netns)?;
    let (ip, fresh) = {
        let store = Store::open(Path::new(&conf.ipam.data_dir), &conf.name)?;
        let had = store.find(&inv.container_id, &inv.ifname);
        (
            store.allocate(&range, &inv.container_id, &inv.ifname)?,
            had.is_none(),
        )
    };
    let spec = spec_for(inv, conf, ip);
    let built = build(&host, &spec, &pod_before);
    if let Err(e) = built {
        let _ = host.apply(&Op::DeleteLink {
            name: spec.name.clone(),
        });
        if fresh {
            if let Ok(store) = Store::open(Path::new(&conf.ipam.data_dir), &conf.name) {
                let _ = store.release(&inv.container_id, &inv.ifname);
            }
        }
        return Err(e);
    }
    result(&host, inv, conf, &spec)
}

fn build(host: &Kernel, spec: &VethSpec, pod_before: &Observed) -> Result<(), CniError> {
    let seen = host.observe(None).map_err(kernel_err)?;
    if let Some(l) = pod_before.link(&spec.peer) {
        if seen.link(&spec.name).is_none() {
            return Err(CniError::new(
                code::INVALID_CONFIG,
                format!(
                    "the sandbox already has an interface {} ({})",
                    spec.peer, l.kind
                ),
            ));
        }
    }
    let pod = seen.link(&spec.name).map(|_| pod_before);
    let read = sysctl_reader(host);
    let plan =
        veth::plan(&seen, pod, spec, &read).map_err(|e| CniError::new(code::INVALID_CONFIG, e))?;
    for step in &plan.steps {
        host.apply(&step.op).map_err(kernel_err)?;
    }
    Ok(())
}

fn result(
    host: &Kernel,
    inv: &Invocation,
    conf: &NetConf,
    spec: &VethSpec,
) -> Result<CniResult, CniError> {
    let seen = host.observe(None).map_err(kernel_err)?;
    let pod = observe_pod(host, &inv.netns)?;
    let mac = |o: &Observed, n: &str| o.link(n).map(|l| l.mac.clone()).unwrap_or_default();
    Ok(CniResult {
        cni_version: conf.cni_version.clone(),
        interfaces: vec![
            Interface {
                name: spec.name.clone(),
                mac: mac(&seen, &spec.name),
                sandbox: None,
            },
            Interface {
                name: inv.ifname.clone(),
                mac: mac(&pod, &inv.ifname),
                sandbox: Some(inv.netns.clone()),
            },
        ],
        ips: vec![IpConfig {
            address: spec.address.to_string(),
            gateway: conf.gateway.to_string(),
            interface: 1,
        }],
        routes: vec![RouteConfig {
            dst: "0.0.0.0/0".into(),
            gw: Some(conf.gateway.to_string()),
        }],
        dns: json!({}),
    })
}

/// DEL: the address released and the host end deleted (its pod end and /32
/// route go with it); already gone is success.
pub fn del(inv: &Invocation, conf: &NetConf) -> Result<(), CniError> {
    let store = Store::open(Path::new(&conf.ipam.data_dir), &conf.name)?;
    let host = kernel()?;
    match host.apply(&Op::DeleteLink {
        name: host_ifname(&inv.container_id, &inv.ifname),
    }) {
        Ok(()) | Err(halite_net::NetError::NoSuchLink(_)) => {}
        Err(e) => return Err(kernel_err(e)),
    }
    store.release(&inv.container_id, &inv.ifname)?;
    Ok(())
}

/// CHECK: the attachment is as ADD made it (a plan from it is empty) and
/// the allocation is held.
pub fn check(inv: &Invocation, conf: &NetConf) -> Result<(), CniError> {
    let ip = {
        let store = Store::open(Path::new(&conf.ipam.data_dir), &conf.name)?;
        store.find(&inv.container_id, &inv.ifname).ok_or_else(|| {
            CniError::new(
                code::CHECK_FAILED,
                format!(
                    "no address is allocated to {} {}",
                    inv.container_id, inv.ifname
                ),
            )
        })?
    };
    if let Some(prev) = &conf.prev_result {
        let want = Cidr::new(ip, conf.prefix_length).to_string();
        let listed = prev["ips"]
            .as_array()
            .is_some_and(|ips| ips.iter().any(|i| i["address"] == json!(want)));
        if !listed {
            return Err(CniError::new(
                code::CHECK_FAILED,
                format!("prevResult does not hold the allocated {want}"),
            ));
        }
    }
    let host = kernel()?;
    let spec = spec_for(inv, conf, ip);
    let seen = host.observe(None).map_err(kernel_err)?;
    let pod = observe_pod(&host, &inv.netns)?;
    let read = sysctl_reader(&host);
    let plan = veth::plan(
        &seen,
        Some(&pod).filter(|p| p.link(&spec.peer).is_some()),
        &spec,
        &read,
    )
    .map_err(|e| CniError::new(code::CHECK_FAILED, e))?;
    if plan.is_empty() {
        return Ok(());
    }
    Err(
        CniError::new(code::CHECK_FAILED, "the attachment is not as ADD made it")
            .details(format!("missing: {}", plan.describe().join("; "))),
    )
}

/// STATUS: ready when the range parses and the allocation store is usable.
pub fn status(conf: &NetConf) -> Result<(), CniError> {
    Range::from_conf(&conf.ipam, conf.gateway)?;
    Store::open(Path::new(&conf.ipam.data_dir), &conf.name).map(|_| ())
}

/// GC (CNI 1.1): release allocations (and delete host ends) of attachments
/// not in `cni.dev/valid-attachments`.
pub fn gc(conf: &NetConf, stdin: &[u8]) -> Result<(), CniError> {
    let raw: Value = serde_json::from_slice(stdin).unwrap_or(Value::Null);
    let valid: Vec<(String, String)> = raw["cni.dev/valid-attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                a["containerID"].as_str()?.into(),
                a["ifname"].as_str()?.into(),
            ))
        })
        .collect();
    let store = Store::open(Path::new(&conf.ipam.data_dir), &conf.name)?;
    let host = kernel()?;
    for (_, id, ifname) in store.allocations() {
        if !valid.contains(&(id.clone(), ifname.clone())) {
            let _ = host.apply(&Op::DeleteLink {
                name: host_ifname(&id, &ifname),
            });
            store.release(&id, &ifname)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_stable_and_fit_ifnamsiz() {
        let a = host_ifname("0123456789abcdef0123456789abcdef", "eth0");
        assert_eq!(a, host_ifname("0123456789abcdef0123456789abcdef", "eth0"));
        assert_ne!(a, host_ifname("0123456789abcdef0123456789abcdef", "eth1"));
        assert_eq!(a.len(), 14);
        assert!(a.starts_with("hc"));
    }

    #[test]
    fn version_and_errors_are_spec_documents() {
        let env: BTreeMap<String, String> =
            [("CNI_COMMAND".to_string(), "VERSION".to_string())].into();
        let (doc, status) = run(&env, br#"{"cniVersion":"1.0.0"}"#);
        assert_eq!(status, 0);
        assert_eq!(doc.unwrap()["supportedVersions"], json!(["1.0.0", "1.1.0"]));
        let env: BTreeMap<String, String> = [("CNI_COMMAND".to_string(), "ADD".to_string())].into();
        let (doc, status) = run(&env, b"");
        assert_eq!(status, 1);
        let doc = doc.unwrap();
        assert_eq!(doc["code"], json!(4));
        assert_eq!(doc["msg"], json!("CNI_CONTAINERID is not set"));
    }
}
