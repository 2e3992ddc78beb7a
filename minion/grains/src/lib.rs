//! halite-grains: Grain collection for Linux nodes, parsed from /proc, /sys and
//! os-release through a host seam ([`host::Host`]).
//!
//! [`collect`] gathers the core grains Salt 3008.4 reports on Linux;
//! [`merge_static`] lays the configured `grains:` option and the `grains` file
//! over them. Differences from Salt are listed in `docs/grains.md`.

pub mod hardware;
pub mod host;
pub mod misc;
pub mod network;
pub mod osrelease;
pub mod system;

use halite_api::{Map, Value};
use serde_json::json;

pub use host::{Host, Interface, ProcessInfo, RootedHost, Uname};
pub use system::SystemHost;

/// The Salt version Halite emulates.
pub const SALT_VERSION: &str = "3008.4";
/// `pythonversion`: the interpreter of the reference Salt 3008.4 install
/// (formulas test e.g. `grains['pythonversion'][0] >= 3`).
pub const PYTHON_VERSION: (u64, u64, u64) = (3, 11, 7);

/// Inputs that come from the minion's configuration rather than the host.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub id: String,
    /// The `master` option (string or list), reported as the `master` grain.
    pub master: Value,
    /// The libzmq version linked by the transport, when known.
    pub zmqversion: Option<String>,
}

impl CollectOptions {
    pub fn new(id: &str) -> Self {
        CollectOptions {
            id: id.to_string(),
            master: json!("salt"),
            zmqversion: None,
        }
    }
}

/// Collect the grains of `host` for minion `minion_id` (master `salt`).
pub fn collect(host: &dyn Host, minion_id: &str) -> Map {
    collect_with(host, &CollectOptions::new(minion_id))
}

/// Collect with explicit configuration-derived inputs.
pub fn collect_with(host: &dyn Host, opts: &CollectOptions) -> Map {
    let mut g = Map::new();
    g.insert("cwd".into(), json!(host.process().cwd));
    network::gateway_grains(host, &mut g);
    network::dns_grain(host, &mut g);
    g.insert(
        "fibre_channel_host".into(),
        json!(host.exists("/sys/class/fc_host")),
    );
    g.insert("fqdns".into(), json!([]));
    misc::machine_id(host, &mut g);
    g.insert("master".into(), opts.master.clone());
    g.insert("server_id".into(), json!(server_id(&opts.id)));
    network::grains(host, &mut g);
    g.insert("id".into(), json!(opts.id));
    g.insert(
        "kernelparams".into(),
        misc::kernelparams(&host.read("/proc/cmdline").unwrap_or_default()),
    );
    misc::locale_grain(host, &mut g);
    g.insert("num_gpus".into(), json!(0));
    g.insert("gpus".into(), json!([]));
    misc::kernel_grains(host, &mut g);
    misc::systemd_grain(host, &mut g);
    g.insert("init".into(), json!(misc::init_system(host)));
    osrelease::grains(host, &mut g);
    hardware::cpu_grains(&host.read("/proc/cpuinfo").unwrap_or_default(), &mut g);
    hardware::memory_grains(&host.read("/proc/meminfo").unwrap_or_default(), &mut g);
    misc::virtual_grains(host, &mut g);
    hardware::dmi_grains(host, &mut g);
    g.insert("ps".into(), json!("ps -efHww"));
    misc::process_grains(host, &mut g);
    salt_grains(opts, &mut g);
    hardware::disk_grains(host, &mut g);
    g.insert(
        "transactional".into(),
        json!(host.exists("/usr/sbin/transactional-update")),
    );
    g.insert("efi".into(), json!(host.exists("/sys/firmware/efi/systab")));
    g.insert("efi-secure-boot".into(), json!(false));
    g
}

fn salt_grains(opts: &CollectOptions, g: &mut Map) {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let exe_dir = std::path::Path::new(&exe)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let (major, minor, micro) = PYTHON_VERSION;
    g.insert("pythonexecutable".into(), json!(exe));
    g.insert("pythonpath".into(), json!([]));
    g.insert(
        "pythonversion".into(),
        json!([major, minor, micro, "final", 0]),
    );
    g.insert("saltpath".into(), json!(exe_dir));
    g.insert("saltversion".into(), json!(SALT_VERSION));
    let info: Vec<u64> = SALT_VERSION
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect();
    g.insert("saltversioninfo".into(), json!(info));
    if let Some(z) = &opts.zmqversion {
        g.insert("zmqversion".into(), json!(z));
    }
    g.insert("package".into(), Value::Null);
}

/// Salt's `get_server_id`: `sha256(id) mod 2**31`.
pub fn server_id(id: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.as_bytes());
    // (big-endian 256-bit number) mod 2^31 only depends on the last 31 bits.
    let tail = u32::from_be_bytes([digest[28], digest[29], digest[30], digest[31]]);
    u64::from(tail & 0x7fff_ffff)
}

/// Python `str()` for a grain value used in text.
pub(crate) fn pystr(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Lay static grains over detected ones: first the `grains` file next to the
/// config (a YAML mapping, already parsed), then the config's `grains:` option.
/// Top-level keys are replaced, as Salt's loader does.
pub fn merge_static(grains: &mut Map, config_grains: Option<&Map>, grains_file: Option<&Map>) {
    for source in [grains_file, config_grains].into_iter().flatten() {
        for (k, v) in source {
            grains.insert(k.clone(), v.clone());
        }
    }
}

#[cfg(test)]
mod tests;
