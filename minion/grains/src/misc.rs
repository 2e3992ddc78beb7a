//! Kernel, process, locale, init, virtualisation and other small grains.

use halite_api::Map;
use serde_json::{json, Value};

use crate::host::Host;

/// `kernel`, `kernelrelease`, `kernelversion`, `nodename`, `cpuarch`, `osarch`.
pub fn kernel_grains(host: &dyn Host, out: &mut Map) {
    let u = host.uname();
    out.insert("kernel".into(), json!(u.sysname));
    out.insert("nodename".into(), json!(u.nodename));
    out.insert("kernelrelease".into(), json!(u.release));
    out.insert("kernelversion".into(), json!(u.version));
    out.insert("cpuarch".into(), json!(u.machine));
    let osarch = host
        .run(&["dpkg", "--print-architecture"])
        .or_else(|| host.run(&["rpm", "--eval", "%{_host_cpu}"]))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or(u.machine);
    out.insert("osarch".into(), json!(osarch));
}

/// `kernelparams` from `/proc/cmdline`: shell-split words as `[name, value-or-null]`.
pub fn kernelparams(cmdline: &str) -> Value {
    let pairs: Vec<Value> = shell_words(cmdline)
        .into_iter()
        .map(|word| match word.split_once('=') {
            Some((k, v)) => json!([k, v]),
            None => json!([word, null]),
        })
        .collect();
    Value::Array(pairs)
}

/// A small `shlex.split`: whitespace-separated words, quotes group and are removed.
fn shell_words(text: &str) -> Vec<String> {
    let (mut words, mut current, mut in_word) = (Vec::new(), String::new(), false);
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// `machine_id` from `/etc/machine-id` or `/var/lib/dbus/machine-id`.
pub fn machine_id(host: &dyn Host, out: &mut Map) {
    let id = host
        .read("/etc/machine-id")
        .or_else(|| host.read("/var/lib/dbus/machine-id"));
    if let Some(id) = id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        out.insert("machine_id".into(), json!(id));
    }
}

fn which(host: &dyn Host, cmd: &str) -> Option<String> {
    if cmd.contains('/') {
        return host.exists(cmd).then(|| cmd.to_string());
    }
    let path = host
        .env("PATH")
        .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    path.split(':')
        .map(|dir| format!("{}/{cmd}", dir.trim_end_matches('/')))
        .find(|p| host.exists(p))
}

/// Salt's `_linux_init_system`.
pub fn init_system(host: &dyn Host) -> String {
    if host.exists("/run/systemd/system") {
        return "systemd".into();
    }
    let Some(cmdline) = host.read("/proc/1/cmdline") else {
        return "unknown".into();
    };
    let words: Vec<String> = cmdline
        .replace('\0', " ")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let Some(first) = words.first() else {
        return "unknown".into();
    };
    if let Some(bin) = which(host, first).filter(|b| b.ends_with("bin/init")) {
        let content = host.read(&bin).unwrap_or_default().to_lowercase();
        return ["upstart", "sysvinit", "systemd"]
            .iter()
            .find(|k| content.contains(*k))
            .map_or("unknown", |k| k)
            .into();
    }
    for name in ["supervisord", "dumb-init", "tini"] {
        if which(host, name).is_some_and(|p| words.contains(&p)) {
            return name.into();
        }
    }
    if words == ["runit"] {
        return "runit".into();
    }
    if words.iter().any(|w| w == "/sbin/my_init") {
        return "runit".into();
    }
    "unknown".into()
}

/// `virtual` and `virtual_subtype` (systemd-detect-virt, cgroups, container markers).
pub fn virtual_grains(host: &dyn Host, out: &mut Map) {
    let (mut virt, mut subtype): (String, Option<&str>) = ("physical".into(), None);
    if let Some(output) = host
        .run(&["systemd-detect-virt"])
        .map(|s| s.trim().to_lowercase())
    {
        match output.as_str() {
            "qemu" | "kvm" | "oracle" | "xen" | "bochs" | "chroot" | "uml" | "systemd-nspawn" => {
                virt = output.clone()
            }
            o if o.contains("vmware") => virt = "VMware".into(),
            o if o.contains("microsoft") => virt = "VirtualPC".into(),
            o if o.contains("lxc") => (virt, subtype) = ("container".into(), Some("LXC")),
            o if o.contains("podman") => (virt, subtype) = ("container".into(), Some("Podman")),
            o if o.contains("docker") => (virt, subtype) = ("container".into(), Some("Docker")),
            o if o.contains("amazon") => (virt, subtype) = ("Nitro".into(), Some("Amazon EC2")),
            _ => {}
        }
    }
    if let Some(cgroup) = host.read("/proc/1/cgroup") {
        if cgroup.contains(":/lxc/") {
            (virt, subtype) = ("container".into(), Some("LXC"));
        } else if [":/system.slice/docker", ":/docker/", ":/docker-ce/"]
            .iter()
            .any(|m| cgroup.contains(m))
        {
            (virt, subtype) = ("container".into(), Some("Docker"));
        }
    }
    if host
        .read("/proc/1/environ")
        .is_some_and(|e| e.contains("container=lxc"))
    {
        (virt, subtype) = ("container".into(), Some("LXC"));
    }
    if virt == "physical" && host.exists("/.dockerenv") {
        (virt, subtype) = ("container".into(), Some("Docker"));
    }
    out.insert("virtual".into(), json!(virt));
    if let Some(s) = subtype {
        out.insert("virtual_subtype".into(), json!(s));
    }
}

/// `systemd` (`version`, `features`) from `systemctl --version`.
pub fn systemd_grain(host: &dyn Host, out: &mut Map) {
    let Some(text) = host.run(&["systemctl", "--version"]) else {
        return;
    };
    let mut lines = text.lines();
    let version = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_default();
    let features = lines.next().unwrap_or_default().trim();
    out.insert(
        "systemd".into(),
        json!({"version": version, "features": features}),
    );
}

/// Python's `locale.getlocale()` after interpreter start-up (C locales are
/// coerced to UTF-8 and reported as `en_US`/`UTF-8`).
pub fn locale_pair(host: &dyn Host) -> (String, String) {
    let value = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| host.env(k).filter(|v| !v.is_empty()))
        .unwrap_or_default();
    let (lang, enc) = value
        .split_once('.')
        .map_or((value.as_str(), ""), |(l, e)| (l, e));
    let lang = lang.split('@').next().unwrap_or_default();
    if lang.is_empty() || lang == "C" || lang == "POSIX" {
        return ("en_US".into(), "UTF-8".into());
    }
    let enc = match enc.to_lowercase().replace('-', "").as_str() {
        "" => "ISO8859-1".to_string(),
        "utf8" => "UTF-8".to_string(),
        _ => enc.to_string(),
    };
    (lang.to_string(), enc)
}

/// The local time zone abbreviation: `TZ`, else the TZif footer of `/etc/localtime`.
pub fn timezone(host: &dyn Host) -> String {
    let spec = host
        .env("TZ")
        .filter(|t| !t.is_empty() && !t.starts_with(':'))
        .or_else(|| {
            let data = host.read("/etc/localtime")?;
            data.trim_end_matches('\n')
                .rsplit('\n')
                .next()
                .map(str::to_string)
        });
    let spec = spec.unwrap_or_default();
    let abbrev: String = if let Some(rest) = spec.strip_prefix('<') {
        rest.split('>').next().unwrap_or_default().to_string()
    } else {
        spec.chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect()
    };
    if abbrev.len() >= 3 {
        abbrev
    } else {
        "UTC".into()
    }
}

/// `locale_info`.
pub fn locale_grain(host: &dyn Host, out: &mut Map) {
    let (lang, enc) = locale_pair(host);
    out.insert(
        "locale_info".into(),
        json!({"defaultlanguage": lang, "defaultencoding": enc, "detectedencoding": "utf-8", "timezone": timezone(host)}),
    );
}

/// `path`, `systempath`, `shell`, `cwd`, `pid`, `uid`, `gid`, `username`, `groupname`.
pub fn process_grains(host: &dyn Host, out: &mut Map) {
    let path = host.env("PATH").unwrap_or_default();
    let systempath: Vec<&str> = path.split(':').collect();
    out.insert("path".into(), json!(path));
    out.insert("systempath".into(), json!(systempath));
    out.insert(
        "shell".into(),
        json!(host.env("SHELL").unwrap_or_else(|| "/bin/sh".into())),
    );
    let p = host.process();
    out.insert("cwd".into(), json!(p.cwd));
    out.insert("pid".into(), json!(p.pid));
    out.insert("uid".into(), json!(p.uid));
    out.insert("gid".into(), json!(p.gid));
    out.insert("username".into(), json!(p.username));
    out.insert("groupname".into(), json!(p.groupname));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_params_pairs() {
        assert_eq!(
            kernelparams("quiet console=ttyS0 a=\"b c\" x=\n"),
            json!([
                ["quiet", null],
                ["console", "ttyS0"],
                ["a", "b c"],
                ["x", ""]
            ])
        );
    }
}
