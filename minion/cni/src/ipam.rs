//! IP addresses from the node's pod range, stored as the reference
//! `host-local` plugin stores them (so the runtime's tools and an operator
//! read them the same way): `<dataDir>/<network>/<ip>` holds
//! `<container id>\r\n<ifname>`, `last_reserved_ip.0` the last one handed
//! out, and every change happens under an exclusive `flock` on
//! `<dataDir>/<network>/lock`, so concurrent ADDs never get the same address.

use crate::spec::{code, CniError, IpamConf};
use halite_net::fslock::lock_exclusive;
use halite_net::model::Cidr;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// The addresses a node may hand out.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    first: u32,
    last: u32,
    gateway: u32,
}

impl Range {
    /// The range's addresses without its network and broadcast addresses,
    /// narrowed by rangeStart/rangeEnd; the gateway is never handed out.
    pub fn from_conf(conf: &IpamConf, gateway: Ipv4Addr) -> Result<Range, CniError> {
        let cidr: Cidr = conf
            .range
            .parse()
            .map_err(|e| CniError::new(code::INVALID_CONFIG, format!("ipam.range: {e}")))?;
        let net = u32::from(cidr.network().ip);
        let size = 1u64 << (32 - u32::from(cidr.prefix));
        let (mut first, mut last) = if size <= 2 {
            (net, net + size as u32 - 1)
        } else {
            (net + 1, net + size as u32 - 2)
        };
        for (key, bound, is_start) in [
            ("rangeStart", conf.range_start, true),
            ("rangeEnd", conf.range_end, false),
        ] {
            if let Some(ip) = bound {
                if !cidr.contains(ip) {
                    return Err(CniError::new(
                        code::INVALID_CONFIG,
                        format!("ipam.{key}: {ip} is not inside {}", conf.range),
                    ));
                }
                if is_start {
                    first = first.max(u32::from(ip));
                } else {
                    last = last.min(u32::from(ip));
                }
            }
        }
        if first > last {
            return Err(CniError::new(
                code::INVALID_CONFIG,
                "ipam: the range is empty",
            ));
        }
        Ok(Range {
            first,
            last,
            gateway: u32::from(gateway),
        })
    }

    fn next_after(&self, ip: u32) -> u32 {
        if ip >= self.last || ip < self.first {
            self.first
        } else {
            ip + 1
        }
    }
}

/// One network's allocations, locked while this value lives.
pub struct Store {
    dir: PathBuf,
    _lock: File,
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> CniError {
    CniError::new(code::IO, format!("{what} {}: {e}", path.display()))
}

impl Store {
    /// Open (creating) `<data_dir>/<network>` and take its lock.
    pub fn open(data_dir: &Path, network: &str) -> Result<Store, CniError> {
        if network.is_empty() || network.contains('/') || network.starts_with('.') {
            return Err(CniError::new(
                code::INVALID_CONFIG,
                format!("name: '{network}' cannot name a directory"),
            ));
        }
        let dir = data_dir.join(network);
        std::fs::create_dir_all(&dir).map_err(|e| io_err("create", &dir, e))?;
        let lock_path = dir.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_err("open", &lock_path, e))?;
        lock_exclusive(&lock, false).map_err(|e| io_err("lock", &lock_path, e))?;
        Ok(Store { dir, _lock: lock })
    }

    fn owner(&self, ip: Ipv4Addr) -> Option<(String, String)> {
        let text = std::fs::read_to_string(self.dir.join(ip.to_string())).ok()?;
        let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
        let id = lines.next()?.to_string();
        Some((id, lines.next().unwrap_or("").to_string()))
    }

    /// Every allocation: (ip, container id, ifname).
    pub fn allocations(&self) -> Vec<(Ipv4Addr, String, String)> {
        let mut out: Vec<_> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<Ipv4Addr>().ok())
            .filter_map(|ip| self.owner(ip).map(|(id, ifn)| (ip, id, ifn)))
            .collect();
        out.sort();
        out
    }

    /// The address already held by this attachment.
    pub fn find(&self, id: &str, ifname: &str) -> Option<Ipv4Addr> {
        self.allocations()
            .into_iter()
            .find(|(_, i, n)| i == id && n == ifname)
            .map(|(ip, _, _)| ip)
    }

    /// An address for this attachment: the one it holds (ADD retried), or
    /// the next free one after the last handed out.
    pub fn allocate(&self, range: &Range, id: &str, ifname: &str) -> Result<Ipv4Addr, CniError> {
        if let Some(ip) = self.find(id, ifname) {
            return Ok(ip);
        }
        let last_path = self.dir.join("last_reserved_ip.0");
        let last = std::fs::read_to_string(&last_path)
            .ok()
            .and_then(|s| s.trim().parse::<Ipv4Addr>().ok())
            .map(u32::from)
            .unwrap_or(range.last);
        let mut candidate = range.next_after(last);
        for _ in 0..=(range.last - range.first) {
            let ip = Ipv4Addr::from(candidate);
            if candidate != range.gateway && self.reserve(ip, id, ifname)? {
                std::fs::write(&last_path, ip.to_string())
                    .map_err(|e| io_err("write", &last_path, e))?;
                return Ok(ip);
            }
            candidate = range.next_after(candidate);
        }
        Err(CniError::new(
            code::RANGE_FULL,
            format!("no free address in {}", Ipv4Addr::from(range.first)),
        )
        .details(format!(
            "{} to {} are all allocated",
            Ipv4Addr::from(range.first),
            Ipv4Addr::from(range.last)
        )))
    }

    fn reserve(&self, ip: Ipv4Addr, id: &str, ifname: &str) -> Result<bool, CniError> {
        let path = self.dir.join(ip.to_string());
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(format!("{id}\r\n{ifname}").as_bytes())
                    .and_then(|_| f.sync_all())
                    .map_err(|e| io_err("write", &path, e))?;
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(io_err("create", &path, e)),
        }
    }

    /// Release what this attachment holds; nothing held is no error.
    pub fn release(&self, id: &str, ifname: &str) -> Result<Vec<Ipv4Addr>, CniError> {
        let mut released = Vec::new();
        for (ip, i, n) in self.allocations() {
            if i == id && n == ifname {
                let path = self.dir.join(ip.to_string());
                std::fs::remove_file(&path).map_err(|e| io_err("remove", &path, e))?;
                released.push(ip);
            }
        }
        Ok(released)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(range: &str) -> IpamConf {
        IpamConf {
            range: range.into(),
            range_start: None,
            range_end: None,
            data_dir: String::new(),
        }
    }

    #[test]
    fn allocation_skips_the_gateway_is_idempotent_and_releases() {
        let dir = tempfile::tempdir().unwrap();
        let range = Range::from_conf(&conf("10.10.0.0/30"), "10.10.0.1".parse().unwrap()).unwrap();
        let store = Store::open(dir.path(), "pods").unwrap();
        let a = store.allocate(&range, "c1", "eth0").unwrap();
        assert_eq!(a.to_string(), "10.10.0.2");
        assert_eq!(
            store.allocate(&range, "c1", "eth0").unwrap(),
            a,
            "ADD retried"
        );
        let full = store.allocate(&range, "c2", "eth0").unwrap_err();
        assert_eq!(full.code, code::RANGE_FULL);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("pods/10.10.0.2")).unwrap(),
            "c1\r\neth0"
        );
        assert_eq!(store.release("c1", "eth0").unwrap(), [a]);
        assert!(store.release("c1", "eth0").unwrap().is_empty());
    }

    #[test]
    fn concurrent_allocations_never_share_an_address() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let range = Range::from_conf(&conf("10.10.2.0/24"), "10.10.0.1".parse().unwrap()).unwrap();
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (path, range) = (path.clone(), range.clone());
                std::thread::spawn(move || {
                    // a new open file description per call, as separate processes have
                    let store = Store::open(&path, "pods").unwrap();
                    store.allocate(&range, &format!("c{i}"), "eth0").unwrap()
                })
            })
            .collect();
        let mut ips: Vec<Ipv4Addr> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        ips.sort();
        ips.dedup();
        assert_eq!(ips.len(), 16);
    }

    #[test]
    fn bad_ranges_name_the_key() {
        let mut c = conf("10.10.2.0/24");
        c.range_start = Some("10.10.3.5".parse().unwrap());
        let e = Range::from_conf(&c, "10.10.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(
            e.msg,
            "ipam.rangeStart: 10.10.3.5 is not inside 10.10.2.0/24"
        );
        assert!(Range::from_conf(&conf("pods"), "10.10.0.1".parse().unwrap()).is_err());
    }
}
