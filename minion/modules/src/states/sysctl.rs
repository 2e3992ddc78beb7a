//! `sysctl.present`: persist a kernel parameter in a config file and apply it
//! through `/proc/sys`.

use std::path::{Path, PathBuf};

use halite_api::{StateCall, StateReturn, StateSpec, Value};

use super::ret;
use crate::util::atomic;

pub const SPECS: &[StateSpec] = &[StateSpec {
    name: "sysctl.present",
    run: present,
    mod_watch: None,
}];

/// `/etc/sysctl.d/99-salt.conf` on systemd hosts, else `/etc/sysctl.conf`.
fn default_config() -> String {
    if crate::util::systemd::booted() || Path::new("/etc/sysctl.d").is_dir() {
        "/etc/sysctl.d/99-salt.conf".into()
    } else {
        "/etc/sysctl.conf".into()
    }
}

fn norm(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The running value from `<proc_root>/a/b/c` for `a.b.c`.
fn running_value(proc_root: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(proc_root.join(name.replace('.', "/")))
        .ok()
        .map(|s| norm(&s))
}

/// The value `name` has in a sysctl config file.
fn config_value(config: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(config).ok()?;
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == name).then(|| norm(v))
        })
}

/// Set `name = value` in the config file (replacing an existing line).
fn persist(config: &Path, name: &str, value: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(config).unwrap_or_default();
    let mut found = false;
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| match l.split_once('=') {
            Some((k, _)) if k.trim() == name && !l.trim_start().starts_with('#') => {
                found = true;
                format!("{name} = {value}")
            }
            _ => l.to_string(),
        })
        .collect();
    if !found {
        lines.push(format!("{name} = {value}"));
    }
    if let Some(dir) = config.parent() {
        std::fs::create_dir_all(dir)?;
    }
    atomic::write_atomic(config, format!("{}\n", lines.join("\n")).as_bytes(), 0o644)
}

fn present(call: &StateCall<'_>) -> StateReturn {
    present_impl(call, Path::new("/proc/sys"))
}

pub fn present_impl(call: &StateCall<'_>, proc_root: &Path) -> StateReturn {
    let n = call.name.clone();
    let Some(value) = call.get("value").map(|v| match v {
        Value::String(s) => s.clone(),
        other => halite_api::module::value_to_arg_string(other),
    }) else {
        return ret(call, Some(false), "Missing required argument: value");
    };
    let value_n = norm(&value);
    let config = PathBuf::from(call.get_str("config").unwrap_or_else(default_config));
    let running = running_value(proc_root, &n);
    let configured = config_value(&config, &n);
    if call.test {
        return if running.as_deref() == Some(value_n.as_str())
            && configured.as_deref() == Some(value_n.as_str())
        {
            ret(
                call,
                Some(true),
                format!("Sysctl value {n} = {value} is already set"),
            )
        } else if running.as_deref() == Some(value_n.as_str()) {
            ret(call, None, format!("Sysctl value is currently set on the running system but not in a config file. Sysctl option {n} set to be changed to {value} in config file."))
        } else if running.is_some() {
            ret(
                call,
                None,
                format!("Sysctl option {n} set to be changed to {value}"),
            )
        } else {
            ret(
                call,
                None,
                format!("Sysctl option {n} would be changed to {value}"),
            )
        };
    }
    if running.as_deref() == Some(value_n.as_str())
        && configured.as_deref() == Some(value_n.as_str())
    {
        return ret(
            call,
            Some(true),
            format!("Sysctl value {n} = {value} is already set"),
        );
    }
    if running.is_none() {
        return ret(
            call,
            Some(false),
            format!("Failed to set {n} to {value}: sysctl {n} does not exist"),
        );
    }
    let applied = std::fs::write(proc_root.join(n.replace('.', "/")), format!("{value}\n"));
    if let Err(e) = applied.and_then(|_| persist(&config, &n, &value)) {
        return ret(
            call,
            Some(false),
            format!("Failed to set {n} to {value}: {e}"),
        );
    }
    let mut r = ret(
        call,
        Some(true),
        format!("Updated sysctl value {n} = {value}"),
    );
    r.changes.insert(n, Value::String(value));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{changes, ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn sysctl_paths() {
        let d = TempDir::new("sysctl");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let proc = d.path("proc");
        std::fs::create_dir_all(proc.join("vm")).unwrap();
        std::fs::write(proc.join("vm/swappiness"), "60\n").unwrap();
        let conf = d.s("99-salt.conf");
        let args = json!({"name": "vm.swappiness", "value": 10, "config": conf})
            .as_object()
            .unwrap()
            .clone();
        let mk = |test| StateCall {
            ctx: &ctx,
            name: "vm.swappiness".into(),
            args: args.clone(),
            test,
        };
        let r = present_impl(&mk(true), &proc);
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Sysctl option vm.swappiness set to be changed to 10")
        );
        let r = present_impl(&mk(false), &proc);
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            (
                "Updated sysctl value vm.swappiness = 10",
                json!({"vm.swappiness": "10"})
            )
        );
        assert_eq!(
            std::fs::read_to_string(&conf).unwrap(),
            "vm.swappiness = 10\n"
        );
        assert_eq!(
            std::fs::read_to_string(proc.join("vm/swappiness")).unwrap(),
            "10\n"
        );
        let r = present_impl(&mk(false), &proc);
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            ("Sysctl value vm.swappiness = 10 is already set", json!({}))
        );
        std::fs::remove_file(&conf).unwrap();
        let r = present_impl(&mk(true), &proc);
        assert!(r.comment.starts_with(
            "Sysctl value is currently set on the running system but not in a config file."
        ));
    }
}
