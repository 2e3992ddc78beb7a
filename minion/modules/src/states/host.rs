//! `host.present` / `host.absent`: manage names in the hosts file.

use std::path::Path;

use halite_api::{StateCall, StateReturn, StateSpec, Value};
use serde_json::json;

use super::{ret, str_list};
use crate::util::atomic;

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "host.present",
        run: present,
        mod_watch: None,
    },
    StateSpec {
        name: "host.absent",
        run: absent,
        mod_watch: None,
    },
    StateSpec {
        name: "host.only",
        run: only,
        mod_watch: None,
    },
];

/// Salt's `hosts.get_alias`: every alias of `ip` over all its lines.
fn aliases(text: &str, ip: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('#').next().unwrap_or("").split_whitespace();
            (f.next() == Some(ip)).then(|| f.map(str::to_string).collect::<Vec<_>>())
        })
        .flatten()
        .collect()
}

/// Salt's `hosts.set_host`: the first line of `ip` becomes `ip\t\tnames`
/// (dropped when `names` is empty), its other lines go, or the line is appended.
fn set_host(text: &str, ip: &str, names: &str) -> String {
    let line = if names.trim().is_empty() {
        String::new()
    } else {
        format!("{ip}\t\t{names}\n")
    };
    let mut out = Vec::new();
    let mut replaced = false;
    for raw in crate::util::diff::lines_keepends(text) {
        let t = raw.trim();
        if !t.is_empty() && !t.starts_with('#') && t.split_whitespace().next() == Some(ip) {
            if !replaced {
                out.push(line.clone());
                replaced = true;
            }
            continue;
        }
        out.push(raw.to_string());
    }
    if !replaced {
        if let Some(last) = out.last_mut() {
            if !last.ends_with('\n') {
                last.push('\n');
            }
        }
        out.push(line);
    }
    out.concat()
}

/// `host.only(name, hostnames)`: the IP `name` has exactly these names.
fn only(call: &StateCall<'_>) -> StateReturn {
    let ip = call.name.clone();
    let new = str_list(call.get("hostnames"))
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let file = hosts_file(call);
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let old = aliases(&text, &ip).join(" ");
    if old == new {
        return ret(
            call,
            Some(true),
            format!("IP address {ip} already set to \"{new}\""),
        );
    }
    if call.test {
        return ret(
            call,
            None,
            format!("Would change {ip} from \"{old}\" to \"{new}\""),
        );
    }
    if !Path::new(&file).is_file()
        || atomic::write_atomic(
            Path::new(&file),
            set_host(&text, &ip, &new).as_bytes(),
            0o644,
        )
        .is_err()
    {
        return ret(
            call,
            Some(false),
            format!("hosts.set_host failed to change {ip} from \"{old}\" to \"{new}\""),
        );
    }
    let mut r = ret(
        call,
        Some(true),
        format!("successfully changed {ip} from \"{old}\" to \"{new}\""),
    );
    r.changes
        .insert(ip.clone(), json!({"old": old, "new": new}));
    r
}

fn hosts_file(call: &StateCall<'_>) -> String {
    call.get_str("hosts_file")
        .or_else(|| {
            call.ctx
                .opt("hosts.file")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "/etc/hosts".into())
}

fn has_entry(text: &str, ip: &str, name: &str) -> bool {
    text.lines().any(|l| {
        let l = l.split('#').next().unwrap_or("");
        let mut f = l.split_whitespace();
        f.next() == Some(ip) && f.any(|n| n == name)
    })
}

fn add_entry(text: &str, ip: &str, name: &str) -> String {
    let mut done = false;
    let mut out: Vec<String> = text
        .lines()
        .map(|l| {
            let first = l.split_whitespace().next();
            if !done && first == Some(ip) && !l.trim_start().starts_with('#') {
                done = true;
                format!("{l} {name}")
            } else {
                l.to_string()
            }
        })
        .collect();
    if !done {
        out.push(format!("{ip}\t\t{name}"));
    }
    format!("{}\n", out.join("\n"))
}

fn remove_entry(text: &str, ip: &str, name: &str) -> String {
    let out: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let mut f: Vec<&str> = l.split_whitespace().collect();
            if l.trim_start().starts_with('#') || f.first() != Some(&ip) {
                return Some(l.to_string());
            }
            f.retain(|n| *n != name);
            (f.len() > 1).then(|| f.join("\t\t"))
        })
        .collect();
    format!("{}\n", out.join("\n"))
}

fn present(call: &StateCall<'_>) -> StateReturn {
    edit(call, true)
}

fn absent(call: &StateCall<'_>) -> StateReturn {
    edit(call, false)
}

fn edit(call: &StateCall<'_>, adding: bool) -> StateReturn {
    let name = call.name.clone();
    let ips = str_list(call.get("ip"));
    if ips.is_empty() {
        return ret(call, Some(false), "No ip addresses specified");
    }
    let file = hosts_file(call);
    let mut text = std::fs::read_to_string(&file).unwrap_or_default();
    let mut r = ret(call, Some(true), "");
    let mut comments = Vec::new();
    let key = if adding { "added" } else { "removed" };
    let mut changed = serde_json::Map::new();
    for ip in &ips {
        let present = has_entry(&text, ip, &name);
        if present == adding {
            comments.push(if adding {
                format!("Host {name} ({ip}) already present")
            } else {
                format!("Host {name} ({ip}) already absent")
            });
            continue;
        }
        if call.test {
            r.result = None;
            comments.push(format!("Host {name} ({ip}) would be {key}"));
        } else {
            text = if adding {
                add_entry(&text, ip, &name)
            } else {
                remove_entry(&text, ip, &name)
            };
            comments.push(format!(
                "{} host {name} ({ip})",
                if adding { "Added" } else { "Removed" }
            ));
        }
        changed.insert(ip.clone(), json!([name]));
    }
    if !changed.is_empty() {
        r.changes.insert(key.into(), Value::Object(changed));
        if !call.test {
            if let Err(e) = atomic::write_atomic(Path::new(&file), text.as_bytes(), 0o644) {
                r.result = Some(false);
                comments.push(format!("Failed to write {file}: {e}"));
            }
        }
    }
    r.comment = comments.join("\n");
    r
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn host_add_noop_remove() {
        let d = TempDir::new("host");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let hf = d.s("hosts");
        std::fs::write(&hf, "127.0.0.1\tlocalhost\n").unwrap();
        let args = json!({"name": "web1", "ip": "10.0.0.5", "hosts_file": hf});
        let r = run_state(&ctx, "host.present", args.clone(), true);
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Host web1 (10.0.0.5) would be added")
        );
        let r = run_state(&ctx, "host.present", args.clone(), false);
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            (
                "Added host web1 (10.0.0.5)",
                json!({"added": {"10.0.0.5": ["web1"]}})
            )
        );
        assert!(std::fs::read_to_string(&hf)
            .unwrap()
            .contains("10.0.0.5\t\tweb1"));
        assert_eq!(
            run_state(&ctx, "host.present", args.clone(), false).comment,
            "Host web1 (10.0.0.5) already present"
        );
        let r = run_state(&ctx, "host.absent", args, false);
        assert_eq!(r.comment, "Removed host web1 (10.0.0.5)");
        assert!(!std::fs::read_to_string(&hf).unwrap().contains("web1"));
    }
}
