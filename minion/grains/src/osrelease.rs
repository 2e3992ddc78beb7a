//! OS identity grains from `/etc/os-release` (Salt's `_os_release_to_grains`,
//! `_osrelease_data`) and `lsb_distrib_*` from `/etc/lsb-release` or os-release.

use halite_api::{Map, Value};
use serde_json::json;

use crate::host::Host;

/// Parse os-release text (`KEY=value`, optional quotes, backslash escapes).
pub fn parse_os_release(text: &str) -> Vec<(String, String)> {
    let mut out = vec![
        ("NAME".into(), "Linux".into()),
        ("ID".into(), "linux".into()),
        ("PRETTY_NAME".into(), "Linux".into()),
    ];
    for line in text.lines() {
        let line = line.trim();
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let value = raw.strip_prefix(['"', '\'']).unwrap_or(raw);
        let value = value.strip_suffix(['"', '\'']).unwrap_or(value);
        let value = unescape(value);
        out.retain(|(k, _)| k != key);
        out.push((key.to_string(), value));
    }
    out
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| "$\"'\\`".contains(*n)) {
            out.push(chars.next().unwrap_or_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn get<'a>(kv: &'a [(String, String)], key: &str) -> Option<&'a str> {
    kv.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

const OS_NAME_MAP: &[(&str, &str)] = &[
    ("redhatente", "RedHat"),
    ("gentoobase", "Gentoo"),
    ("archarm", "Arch ARM"),
    ("arch", "Arch"),
    ("debian", "Debian"),
    ("raspbian", "Raspbian"),
    ("fedoraremi", "Fedora"),
    ("amazonami", "Amazon"),
    ("alt", "ALT"),
    ("enterprise", "OEL"),
    ("oracleserv", "OEL"),
    ("cloudserve", "CloudLinux"),
    ("cloudlinux", "CloudLinux"),
    ("virtuozzo", "Virtuozzo"),
    ("almalinux", "AlmaLinux"),
    ("almalinuxk", "AlmaLinux"),
    ("pidora", "Fedora"),
    ("scientific", "ScientificLinux"),
    ("manjaro", "Manjaro"),
    ("manjarolin", "Manjaro"),
    ("univention", "Univention"),
    ("sles", "SUSE"),
    ("void", "Void"),
    ("slesexpand", "RES"),
    ("linuxmint", "Mint"),
    ("neon", "KDE neon"),
    ("pop", "Pop"),
    ("rocky", "Rocky"),
    ("alibabaclo", "Alinux"),
    ("mendel", "Mendel"),
    ("photon", "VMware Photon OS"),
];

/// Salt's `_derive_os_grain`: NAME without "GNU/Linux", mapped by its first ten letters.
pub fn derive_os(name: &str, id: &str) -> String {
    if id == "pop" && name == "Pop!_OS" {
        return "Pop".into();
    }
    let re = regex::Regex::new(r"(?i)\W(?:gnu/)?linux").expect("static regex");
    let distro = re.replace_all(name, "").trim().to_string();
    let short: String = distro
        .replace(' ', "")
        .to_lowercase()
        .chars()
        .take(10)
        .collect();
    OS_NAME_MAP
        .iter()
        .find(|(k, _)| *k == short)
        .map(|(_, v)| v.to_string())
        .unwrap_or(distro)
}

fn family_id(id: &str, id_like: Option<&str>) -> String {
    let Some(like) = id_like else {
        return id.to_string();
    };
    let ids: Vec<&str> = std::iter::once(id).chain(like.split_whitespace()).collect();
    if ids.contains(&"debian") || ids.contains(&"ubuntu") {
        return "debian".into();
    }
    ids.last().copied().unwrap_or(id).to_string()
}

fn prettify_family(id: &str) -> String {
    if id == "fedora" {
        return "RedHat".into();
    }
    let mut c = id.chars();
    match c.next() {
        Some(first) => first
            .to_uppercase()
            .chain(c.flat_map(|x| x.to_lowercase()))
            .collect(),
        None => String::new(),
    }
}

/// `os`, `os_family`, `osfullname`, `oscodename`, `osrelease(_info)`,
/// `osmajorrelease`, `osfinger` and `lsb_distrib_*`.
pub fn grains(host: &dyn Host, out: &mut Map) {
    let text = host
        .read("/etc/os-release")
        .or_else(|| host.read("/usr/lib/os-release"))
        .unwrap_or_default();
    let kv = parse_os_release(&text);
    let name = get(&kv, "NAME").unwrap_or("Linux");
    let id = get(&kv, "ID").unwrap_or("linux");
    let os = derive_os(name, id);
    out.insert("os".into(), json!(os));
    out.insert(
        "os_family".into(),
        json!(prettify_family(&family_id(id, get(&kv, "ID_LIKE")))),
    );
    if let Some(codename) = get(&kv, "VERSION_CODENAME") {
        out.insert("oscodename".into(), json!(codename));
    }
    out.insert("osfullname".into(), json!(name.trim()));
    lsb_grains(host, &kv, out);
    if let Some(release) = get(&kv, "VERSION_ID") {
        out.insert("osrelease".into(), json!(release));
        release_data(&os, name.trim(), release, out);
    }
}

fn lsb_grains(host: &dyn Host, kv: &[(String, String)], out: &mut Map) {
    if let Some(text) = host.read("/etc/lsb-release") {
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if let Some(rest) = key.trim().strip_prefix("DISTRIB_") {
                let value = value.trim().trim_matches('"').trim_end();
                out.insert(format!("lsb_distrib_{}", rest.to_lowercase()), json!(value));
            }
        }
        return;
    }
    for (grain, key) in [
        ("lsb_distrib_id", "NAME"),
        ("lsb_distrib_release", "VERSION_ID"),
        ("lsb_distrib_codename", "VERSION_CODENAME"),
    ] {
        if let Some(v) = get(kv, key) {
            out.insert(grain.into(), json!(v));
        }
    }
}

/// `_osrelease_data`: numeric parts of the release, its major part and `osfinger`.
pub fn release_data(os: &str, fullname: &str, release: &str, out: &mut Map) {
    let info: Vec<Value> = release
        .split('.')
        .map(|p| {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                json!(p.parse::<u64>().unwrap_or(0))
            } else {
                json!(p)
            }
        })
        .collect();
    if let Some(major) = info.first().and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    }) {
        out.insert("osmajorrelease".into(), json!(major));
    }
    let os_name = if [
        "Debian",
        "FreeBSD",
        "OpenBSD",
        "NetBSD",
        "Mac",
        "Raspbian",
        "AlmaLinux",
    ]
    .contains(&os)
    {
        os
    } else {
        fullname
    };
    let version = if ["Ubuntu", "Pop", "NixOS"].contains(&os) {
        release.to_string()
    } else {
        crate::pystr(&info[0])
    };
    out.insert("osfinger".into(), json!(format!("{os_name}-{version}")));
    out.insert("osrelease_info".into(), Value::Array(info));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotes_and_escapes() {
        let kv = parse_os_release("NAME=\"Debian GNU/Linux\"\nVERSION_ID='12'\nX=\"a\\$b\"\n# c\n");
        assert_eq!(get(&kv, "NAME"), Some("Debian GNU/Linux"));
        assert_eq!(get(&kv, "VERSION_ID"), Some("12"));
        assert_eq!(get(&kv, "X"), Some("a$b"));
        assert_eq!(get(&kv, "ID"), Some("linux"));
    }

    #[test]
    fn os_names_like_salt() {
        assert_eq!(derive_os("Debian GNU/Linux", "debian"), "Debian");
        assert_eq!(derive_os("Ubuntu", "ubuntu"), "Ubuntu");
        assert_eq!(derive_os("Rocky Linux", "rocky"), "Rocky");
        assert_eq!(derive_os("Red Hat Enterprise Linux", "rhel"), "RedHat");
        assert_eq!(derive_os("Fedora Linux", "fedora"), "Fedora");
        assert_eq!(family_id("ubuntu", Some("debian")), "debian");
        assert_eq!(
            prettify_family(&family_id("rocky", Some("rhel centos fedora"))),
            "RedHat"
        );
        assert_eq!(prettify_family("arch"), "Arch");
    }

    #[test]
    fn release_info_and_finger() {
        let mut m = Map::new();
        release_data("Ubuntu", "Ubuntu", "22.04", &mut m);
        assert_eq!(m["osrelease_info"], json!([22, 4]));
        assert_eq!(m["osmajorrelease"], json!(22));
        assert_eq!(m["osfinger"], json!("Ubuntu-22.04"));
        let mut m = Map::new();
        release_data("Rocky", "Rocky Linux", "9.3", &mut m);
        assert_eq!(m["osfinger"], json!("Rocky Linux-9"));
        let mut m = Map::new();
        release_data("Debian", "Debian GNU/Linux", "12", &mut m);
        assert_eq!(m["osfinger"], json!("Debian-12"));
    }
}
