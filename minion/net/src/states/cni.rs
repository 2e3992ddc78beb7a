//! `halite_net.cni_config`: the node's CNI network configuration list in the
//! runtime's config dir (written atomically) and the `halite-cni` plugin
//! linked into the CNI bin dir, from the rack's pillar (this node's pod
//! range). What the runtime then calls for each pod is `halite-cni`.

use super::args::{required, u32_arg, u8_arg};
use halite_api::module::{StateCall, StateReturn};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The conflist for a node.
pub fn conflist(
    network: &str,
    range: &str,
    gateway: &str,
    prefix: u8,
    mtu: Option<u32>,
    data_dir: &str,
) -> serde_json::Value {
    let mut plugin = json!({
        "type": "halite-cni",
        "gateway": gateway,
        "prefixLength": prefix,
        "ipam": {"range": range, "dataDir": data_dir},
    });
    if let Some(m) = mtu {
        plugin["mtu"] = json!(m);
    }
    json!({"cniVersion": "1.0.0", "name": network, "plugins": [plugin]})
}

/// name (the conflist path), network, range, gateway, prefix_length (32),
/// mtu, data_dir (/var/lib/cni/networks), bin_dir (/opt/cni/bin), plugin
/// (the halite-cni binary; default: beside this halite).
pub fn cni_config(call: &StateCall<'_>) -> StateReturn {
    match plan(call) {
        Ok(ret) => ret,
        Err(e) => StateReturn::fail(&call.name, e),
    }
}

fn plan(call: &StateCall<'_>) -> Result<StateReturn, String> {
    let range = required(call, "range")?;
    let gateway = required(call, "gateway")?;
    gateway
        .parse::<std::net::Ipv4Addr>()
        .map_err(|_| format!("gateway: '{gateway}' is not an IPv4 address"))?;
    range
        .parse::<crate::model::Cidr>()
        .map_err(|e| format!("range: {e}"))?;
    let network = call
        .get_str("network")
        .unwrap_or_else(|| "halite-pods".into());
    let prefix = u8_arg(call, "prefix_length")?.unwrap_or(32);
    let data_dir = call
        .get_str("data_dir")
        .unwrap_or_else(|| "/var/lib/cni/networks".into());
    let doc = conflist(
        &network,
        &range,
        &gateway,
        prefix,
        u32_arg(call, "mtu")?,
        &data_dir,
    );
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    );
    let conf_path = PathBuf::from(&call.name);
    let bin_dir = PathBuf::from(
        call.get_str("bin_dir")
            .unwrap_or_else(|| "/opt/cni/bin".into()),
    );
    let plugin = match call.get_str("plugin") {
        Some(p) => PathBuf::from(p),
        None => std::env::current_exe()
            .map_err(|e| format!("plugin: cannot find this program: {e}"))?
            .with_file_name("halite-cni"),
    };
    if !plugin.is_file() {
        return Err(format!("plugin: {} does not exist", plugin.display()));
    }
    let link = bin_dir.join("halite-cni");
    let conf_ok = std::fs::read_to_string(&conf_path).ok().as_deref() == Some(text.as_str());
    let link_ok = std::fs::read_link(&link).ok().as_deref() == Some(plugin.as_path());
    let mut ret = StateReturn::ok(&call.name, "CNI configuration is as configured");
    if conf_ok && link_ok {
        return Ok(ret);
    }
    if !conf_ok {
        ret.changes.insert("config".into(), json!(doc));
    }
    if !link_ok {
        ret.changes
            .insert("plugin".into(), json!({"link": link, "target": plugin}));
    }
    if call.test {
        ret.result = None;
        ret.comment = "CNI configuration would be written".into();
        return Ok(ret);
    }
    if !conf_ok {
        write_conf(&conf_path, &text)?;
    }
    if !link_ok {
        replace_link(&link, &plugin)?;
    }
    ret.comment = format!(
        "CNI configuration written to {}, plugin linked at {}",
        conf_path.display(),
        link.display()
    );
    Ok(ret)
}

fn write_conf(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    halite_api::atomic::write_atomic(path, text.as_bytes(), 0o644)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A symlink swapped in by rename, so the runtime never finds none.
fn replace_link(link: &Path, target: &Path) -> Result<(), String> {
    let dir = link.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".halite-cni.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, link).map_err(|e| format!("{}: {e}", link.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conflist_is_what_halite_cni_reads() {
        let doc = conflist("halite-pods", "10.10.1.0/25", "10.10.0.1", 22, None, "/d");
        assert_eq!(doc["plugins"][0]["ipam"]["range"], "10.10.1.0/25");
        assert_eq!(doc["plugins"][0]["prefixLength"], 22);
        assert!(doc["plugins"][0].get("mtu").is_none());
    }
}
