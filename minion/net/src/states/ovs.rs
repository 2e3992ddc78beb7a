//! `openvswitch_bridge.*` and `openvswitch_port.*` with Salt 3007's arguments,
//! comments and changes (Salt 3008 moved these states out of core; their
//! texts are unchanged in the extension). Halite adds `datapath_type` and
//! `fail_mode` to `openvswitch_bridge.present` and `ofport` to
//! `openvswitch_port.present`, which Salt can only set with a `cmd.run`.

use crate::ovs::{Ovs, OvsError};
use halite_api::module::{StateCall, StateReturn};
use serde_json::json;

fn fail(name: &str, e: OvsError) -> StateReturn {
    StateReturn::fail(name, e.to_string())
}

/// test=True: the change Salt's comment names would be made.
fn would(name: &str, comment: String) -> StateReturn {
    StateReturn {
        result: None,
        ..StateReturn::ok(name, comment)
    }
}

/// Made, with Salt's `changes` entry.
fn changed(name: &str, comment: String, key: &str, change: serde_json::Value) -> StateReturn {
    let mut ret = StateReturn::ok(name, comment);
    ret.changes.insert(key.into(), change);
    ret
}

/// A port state's bridge is missing: Salt fails, or says None under test.
fn missing_bridge(call: &StateCall<'_>, name: &str, comment: String) -> StateReturn {
    StateReturn {
        result: if call.test { None } else { Some(false) },
        ..StateReturn::fail(name, comment)
    }
}

/// openvswitch_bridge.present(name, parent=None, vlan=None)
pub fn bridge_present(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.as_str();
    let ovs = Ovs::new(call.ctx.runner.as_ref());
    let parent = call.get_str("parent");
    let vlan = match call.get_str("vlan").map(|v| v.parse::<u16>()) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => return StateReturn::fail(name, "vlan: must be a VLAN ID (0-4095)"),
    };
    let exists = match ovs.bridge_exists(name) {
        Ok(e) => e,
        Err(e) => return fail(name, e),
    };
    if exists {
        let current = ovs
            .bridge_parent(name)
            .and_then(|p| Ok((p, ovs.bridge_vlan(name)?)));
        return match current {
            Ok((p, v)) if p == parent && v == vlan => {
                StateReturn::ok(name, format!("Bridge {name} already exists."))
            }
            Ok(_) => StateReturn::fail(
                name,
                format!("Bridge {name} already exists, but has a different parent or VLAN ID."),
            ),
            Err(e) => fail(name, e),
        };
    }
    if call.test {
        return would(name, format!("Bridge {name} created."));
    }
    let mut columns = Vec::new();
    for key in ["datapath_type", "fail_mode"] {
        if let Some(v) = call.get_str(key) {
            columns.push(format!("{key}={v}"));
        }
    }
    let parent_vlan = parent.as_deref().zip(vlan);
    match ovs.bridge_create(name, parent_vlan, &columns) {
        Ok(()) => changed(
            name,
            format!("Bridge {name} created."),
            name,
            json!({"old": format!("Bridge {name} does not exist."), "new": format!("Bridge {name} created")}),
        ),
        Err(e) => StateReturn::fail(name, format!("Unable to create bridge: {name}. {e}")),
    }
}

/// openvswitch_bridge.absent(name)
pub fn bridge_absent(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.as_str();
    let ovs = Ovs::new(call.ctx.runner.as_ref());
    match ovs.bridge_exists(name) {
        Err(e) => fail(name, e),
        Ok(false) => StateReturn::ok(name, format!("Bridge {name} does not exist.")),
        Ok(true) if call.test => would(name, format!("Bridge {name} deleted.")),
        Ok(true) => match ovs.bridge_delete(name) {
            Ok(()) => changed(
                name,
                format!("Bridge {name} deleted."),
                name,
                json!({"old": format!("Bridge {name} exists."), "new": format!("Bridge {name} deleted.")}),
            ),
            Err(e) => StateReturn::fail(name, format!("Unable to delete bridge: {name}. {e}")),
        },
    }
}

/// openvswitch_port.present(name, bridge, internal=False); tunnel ports
/// (`tunnel_type`) are not native yet and say so.
pub fn port_present(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.as_str();
    let Some(bridge) = call.get_str("bridge") else {
        return StateReturn::fail(name, "bridge: this argument is required");
    };
    if let Some(t) = call.get_str("tunnel_type") {
        return StateReturn::fail(
            name,
            format!("tunnel_type: '{t}' ports are not implemented natively by Halite yet"),
        );
    }
    let internal = call.get_bool("internal", false);
    let ofport = match call.get_str("ofport").map(|v| v.parse::<u16>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return StateReturn::fail(name, "ofport: must be an OpenFlow port number"),
    };
    let ovs = Ovs::new(call.ctx.runner.as_ref());
    let ports = match ovs.bridge_exists(&bridge) {
        Err(e) => return fail(name, e),
        Ok(false) => {
            return missing_bridge(call, name, format!("Bridge {bridge} does not exist."));
        }
        Ok(true) => match ovs.port_list(&bridge) {
            Ok(p) => p,
            Err(e) => return fail(name, e),
        },
    };
    if ports.iter().any(|p| p == name) {
        return existing_port(call, &ovs, &bridge, internal);
    }
    if call.test {
        return would(name, format!("Port {name} created on bridge {bridge}."));
    }
    match ovs.port_add(&bridge, name, internal, ofport) {
        Ok(()) => changed(
            name,
            format!("Port {name} created on bridge {bridge}."),
            name,
            json!({"old": format!("No port named {name} present."), "new": format!("Created port {name} on bridge {bridge}.")}),
        ),
        Err(e) => StateReturn::fail(
            name,
            format!("Unable to create port {name} on bridge {bridge}. {e}"),
        ),
    }
}

fn existing_port(call: &StateCall<'_>, ovs: &Ovs<'_>, bridge: &str, internal: bool) -> StateReturn {
    let name = call.name.as_str();
    let current = match ovs.interface_type(name) {
        Ok(t) => t,
        Err(e) => return fail(name, e),
    };
    if !internal || current == "internal" {
        return StateReturn::ok(name, format!("Port {name} already exists."));
    }
    let comment =
        format!("Port {name} already exists, but interface type has been changed to internal.");
    if call.test {
        return StateReturn::ok(name, comment);
    }
    match ovs.port_add(bridge, name, true, None) {
        Ok(()) => {
            changed(name, comment, "internal", json!({"old": false, "new": true}))
        }
        Err(_) => StateReturn::fail(
            name,
            format!(
                "Port {name} already exists, but the interface type could not be changed to internal."
            ),
        ),
    }
}

/// openvswitch_port.absent(name, bridge=None)
pub fn port_absent(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.as_str();
    let bridge = call.get_str("bridge");
    let ovs = Ovs::new(call.ctx.runner.as_ref());
    let shown = bridge.clone().unwrap_or_else(|| "None".into());
    let present = match &bridge {
        Some(br) => match ovs.bridge_exists(br) {
            Err(e) => return fail(name, e),
            Ok(false) => {
                return missing_bridge(call, name, format!("Bridge {br} does not exist."));
            }
            Ok(true) => match ovs.port_list(br) {
                Ok(p) => p.iter().any(|p| p == name),
                Err(e) => return fail(name, e),
            },
        },
        None => true, // Salt: "port_list = [name]", the port may exist anywhere
    };
    if !present {
        return StateReturn::ok(
            name,
            format!("Port {name} does not exist on bridge {shown}."),
        );
    }
    if call.test {
        return would(name, format!("Port {name} deleted."));
    }
    match ovs.port_remove(bridge.as_deref(), name) {
        Ok(()) => changed(
            name,
            format!("Port {name} deleted."),
            name,
            json!({"old": format!("Port named {name} may exist."), "new": format!("Deleted port {name}.")}),
        ),
        Err(_) => StateReturn::fail(name, format!("Unable to delete port {name}.")),
    }
}
