//! Minion id resolution (Salt's `get_id` and `generate_minion_id`).
//!
//! Order: the `id` option; else the cached `minion_id` file at
//! `<root_dir>/etc/salt/minion_id` (when `minion_id_caching`, ignoring
//! `localhost`); else the first usable name among the FQDN, the node name,
//! the host name, `/etc/hostname`, `/etc/nodename`, `/etc/hosts` loopback or
//! single-word lines, then non-loopback addresses; else `localhost`. Localhost
//! style names are skipped. A generated id is written to the cache file.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::rootdir::{abspath, salt_join};

/// Where id candidates come from (the real host in production, fixtures in tests).
pub trait IdSources {
    /// `socket.gethostname()` (also `platform.node()` on Linux).
    fn hostname(&self) -> String;
    /// `socket.getfqdn(name)`.
    fn fqdn(&self, name: &str) -> String;
    /// Contents of a host file such as `/etc/hostname`.
    fn read(&self, path: &str) -> Option<String>;
    /// Addresses of this host (`salt.utils.network.ip_addrs()`).
    fn ip_addrs(&self) -> Vec<String>;
}

/// The real host.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemIdSources;

impl IdSources for SystemIdSources {
    fn hostname(&self) -> String {
        halite_grains::network::hostname()
    }

    fn fqdn(&self, name: &str) -> String {
        halite_grains::network::getfqdn(name)
    }

    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    fn ip_addrs(&self) -> Vec<String> {
        halite_grains::network::system_interfaces()
            .iter()
            .flat_map(|i| i.inet.iter().cloned())
            .collect()
    }
}

/// The cache file Salt reads: `<root_dir>/etc/salt/minion_id`.
pub fn cache_path(root_dir: &str) -> PathBuf {
    PathBuf::from(salt_join(&abspath(root_dir), "etc/salt/minion_id"))
}

/// Read the cached id (first line, BOM and blanks stripped); `localhost` is ignored.
pub fn read_cached(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().next().unwrap_or("").trim();
    let name = line.strip_prefix('\u{feff}').unwrap_or(line);
    (!name.is_empty() && name != "localhost").then(|| name.to_string())
}

/// Write the id like Salt's `_cache_id` (creating the directory).
pub fn write_cache(path: &Path, id: &str) {
    if let Some(dir) = path.parent() {
        if let Err(e) = std::fs::create_dir_all(dir) {
            tracing::error!("Failed to create dirs to minion_id file: {e}");
        }
    }
    if let Err(e) = std::fs::write(path, id) {
        tracing::error!("Could not cache minion ID: {e}");
    }
}

fn is_localhost_name(name: &str) -> bool {
    let patterns = [
        r"localhost.*",
        r"ip6-.*",
        r"127[.]\d",
        r"0\.0\.0\.0",
        r"::1.*",
        r"ipv6-.*",
        r"fe00::.*",
        r"fe02::.*",
        r"1.0.0.*.ip6.arpa",
    ];
    patterns
        .iter()
        .any(|p| Regex::new(&format!(r"\A(?:{p})")).is_ok_and(|re| re.is_match(name)))
}

/// Candidates in Salt's order, distinct and without localhost-style names.
pub fn candidates(src: &dyn IdSources) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    let push = |name: &str, hosts: &mut Vec<String>| {
        if !name.is_empty() && !hosts.iter().any(|h| h == name) && !is_localhost_name(name) {
            hosts.push(name.to_string());
        }
    };
    let hostname = src.hostname();
    push(&src.fqdn(&hostname), &mut hosts);
    push(&hostname, &mut hosts);
    for file in ["/etc/hostname", "/etc/nodename", "/etc/hosts"] {
        let Some(text) = src.read(file) else { continue };
        for line in text.lines() {
            let content = line.trim().split('#').next().unwrap_or("").trim();
            let words: Vec<&str> = content.split_whitespace().collect();
            let Some(first) = words.first() else { continue };
            let loopback = first.get(..4).is_some_and(|p| p == "127.") || first.starts_with("::1");
            if loopback || words.len() == 1 {
                for w in &words {
                    push(w, &mut hosts);
                }
            }
        }
    }
    for addr in src.ip_addrs() {
        if addr.parse::<IpAddr>().is_ok_and(|ip| !ip.is_loopback()) {
            push(&addr, &mut hosts);
        }
    }
    hosts
}

/// `generate_minion_id()`: the first candidate, or `localhost`.
pub fn generate(src: &dyn IdSources) -> String {
    candidates(src)
        .into_iter()
        .next()
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        hostname: &'static str,
        fqdn: &'static str,
        files: Vec<(&'static str, &'static str)>,
        ips: Vec<&'static str>,
    }

    impl IdSources for Fake {
        fn hostname(&self) -> String {
            self.hostname.into()
        }
        fn fqdn(&self, _name: &str) -> String {
            self.fqdn.into()
        }
        fn read(&self, path: &str) -> Option<String> {
            self.files
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| t.to_string())
        }
        fn ip_addrs(&self) -> Vec<String> {
            self.ips.iter().map(|s| s.to_string()).collect()
        }
    }

    #[test]
    fn fqdn_wins() {
        let f = Fake {
            hostname: "web1",
            fqdn: "web1.example.com",
            files: vec![],
            ips: vec![],
        };
        assert_eq!(generate(&f), "web1.example.com");
    }

    #[test]
    fn localhost_names_are_skipped_then_files_then_ips() {
        let f = Fake {
            hostname: "localhost",
            fqdn: "localhost.localdomain",
            files: vec![("/etc/hosts", "127.0.0.1 localhost\n10.0.0.5 other\n# c\n")],
            ips: vec!["127.0.0.1", "10.0.0.5"],
        };
        assert_eq!(candidates(&f), ["10.0.0.5"]);
        let f = Fake {
            hostname: "localhost",
            fqdn: "localhost",
            files: vec![("/etc/hostname", "node7\n")],
            ips: vec![],
        };
        assert_eq!(generate(&f), "node7");
    }

    #[test]
    fn nothing_usable_gives_localhost() {
        let f = Fake {
            hostname: "localhost",
            fqdn: "localhost",
            files: vec![],
            ips: vec![],
        };
        assert_eq!(generate(&f), "localhost");
    }

    #[test]
    fn cache_file_roundtrip_ignores_localhost() {
        let dir = tempfile::tempdir().unwrap();
        let path = cache_path(dir.path().to_str().unwrap());
        assert!(path.ends_with("etc/salt/minion_id"));
        write_cache(&path, "cached-id");
        assert_eq!(read_cached(&path).as_deref(), Some("cached-id"));
        std::fs::write(&path, "\u{feff}bom-id\nignored\n").unwrap();
        assert_eq!(read_cached(&path).as_deref(), Some("bom-id"));
        std::fs::write(&path, "localhost\n").unwrap();
        assert_eq!(read_cached(&path), None);
    }
}
