//! Options Halite accepts but does not act on. A Salt user who sets one
//! (to anything but Salt's default) is told once, at start, naming the key
//! and the file: silently ignored settings are how a fleet ends up unlike
//! its config.

use std::path::Path;

use halite_api::Value;

use crate::MinionConfig;

/// An option and why Halite does nothing with it.
struct Unacted {
    key: &'static str,
    why: &'static str,
}

const UNACTED: &[Unacted] = &[
    Unacted { key: "beacons", why: "beacons do not run on a Halite minion" },
    Unacted { key: "engines", why: "engines do not run on a Halite minion" },
    Unacted { key: "return", why: "returners do not run: returns go to the master only" },
    Unacted { key: "returner", why: "returners do not run: returns go to the master only" },
    Unacted { key: "master_tries", why: "the minion keeps trying its master" },
    Unacted { key: "grains_refresh_every", why: "grains are not refreshed on a timer (saltutil.refresh_grains does)" },
    Unacted { key: "grains_cache", why: "grains are not cached" },
    Unacted { key: "ping_interval", why: "the minion does not ping the master on a timer" },
    Unacted { key: "minion_sign_messages", why: "the minion does not sign its messages; a master with require_minion_sign_messages refuses it" },
    Unacted { key: "disable_modules", why: "every built-in module stays available" },
    Unacted { key: "disable_states", why: "every built-in state module stays available" },
    Unacted { key: "whitelist_modules", why: "every built-in module stays available" },
    Unacted { key: "providers", why: "only providers:pkg (aptpkg, yumpkg, rpm_ostree) is read; other modules have no providers to choose from" },
    Unacted { key: "state_aggregate", why: "states are not aggregated" },
    Unacted { key: "cache_jobs", why: "job returns are not cached on the minion" },
    Unacted { key: "top_file_merging_strategy", why: "top files are merged as with 'merge'" },
];

/// One warning per option set in a file to something other than Salt's
/// default that Halite does not act on, plus values of acted-on options
/// Halite cannot honour (`master_type: failover`, `transport: tcp`).
pub fn warnings(config: &MinionConfig) -> Vec<String> {
    let defaults = crate::defaults::minion_defaults();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, file) in &config.origin {
        if !seen.insert(key.as_str()) {
            continue;
        }
        let Some(value) = config.opts.get(key) else {
            continue;
        };
        if defaults.get(key) == Some(value) || is_empty(value) {
            continue;
        }
        if let Some(u) = UNACTED.iter().find(|u| u.key == key) {
            out.push(message(key, file, u.why));
        } else if let Some(why) = unhonoured_value(key, value, &config.opts) {
            out.push(message(key, file, why));
        }
    }
    out
}

fn message(key: &str, file: &Path, why: &str) -> String {
    format!(
        "Halite does not act on the minion option '{key}' (set in {}): {why}",
        file.display()
    )
}

/// `[]`, `{}`, `null` and `""` ask for nothing.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn unhonoured_value(key: &str, value: &Value, opts: &halite_api::Map) -> Option<&'static str> {
    let text = value.as_str().unwrap_or("");
    let failover = opts.get("master_type").and_then(Value::as_str) == Some("failover");
    match key {
        "master_type" if !matches!(text, "str" | "disable" | "failover") => {
            Some("only 'str', 'failover' and 'disable' are implemented; the first master is used")
        }
        "transport" if text != "zeromq" => Some("Halite speaks Salt's ZeroMQ transport only"),
        "master_alive_interval" | "master_failback" | "master_failback_interval" if !failover => {
            Some("acted on with master_type: failover only")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn set_non_default_unacted_options_are_named_once() {
        let file = PathBuf::from("/etc/salt/minion.d/x.conf");
        let opts = json!({
            "beacons": {"load": [{"averages": {"1m": [0, 2]}}]},
            "ping_interval": 0,
            "disable_modules": [],
            "master_type": "func",
            "master": ["m1", "m2"],
            "master_alive_interval": 30,
            "id": "n1",
        });
        let origin = [
            "beacons",
            "ping_interval",
            "disable_modules",
            "master_type",
            "master",
            "master_alive_interval",
            "id",
            "beacons",
        ]
        .iter()
        .map(|k| (k.to_string(), file.clone()))
        .collect();
        let config = MinionConfig {
            opts: opts.as_object().cloned().unwrap(),
            config_dir: PathBuf::from("/etc/salt"),
            origin,
        };
        let got = warnings(&config);
        assert_eq!(
            got,
            [
                "Halite does not act on the minion option 'beacons' (set in /etc/salt/minion.d/x.conf): beacons do not run on a Halite minion",
                "Halite does not act on the minion option 'master_type' (set in /etc/salt/minion.d/x.conf): only 'str', 'failover' and 'disable' are implemented; the first master is used",
                "Halite does not act on the minion option 'master_alive_interval' (set in /etc/salt/minion.d/x.conf): acted on with master_type: failover only",
            ]
        );
    }
}
