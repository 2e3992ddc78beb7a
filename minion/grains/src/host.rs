//! The host seam: everything grain collection reads from the machine.
//!
//! Files and directories are read through [`Host::read`]/[`Host::list_dir`] with
//! absolute paths as on the target (`/proc/cpuinfo`); [`RootedHost`] maps them
//! under a root directory (`/` in production, a temp dir in tests). What is not a
//! file (uname, addresses, the process, name resolution, commands) comes from
//! methods with fixed answers in [`RootedHost`] and live answers in
//! [`crate::system::SystemHost`].

use std::path::{Path, PathBuf};

/// `uname(2)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uname {
    pub sysname: String,
    pub nodename: String,
    pub release: String,
    pub version: String,
    pub machine: String,
}

/// One network interface, in kernel (ifindex) order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    pub hwaddr: Option<String>,
    pub inet: Vec<String>,
    pub inet6: Vec<String>,
}

/// The minion process and its user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessInfo {
    pub pid: u32,
    pub uid: u32,
    pub gid: u32,
    pub username: String,
    pub groupname: String,
    pub cwd: String,
}

/// What grain collection may ask of the machine.
pub trait Host {
    /// A file's text, by its absolute path on the target.
    fn read(&self, path: &str) -> Option<String>;
    /// Entry names of a directory (unsorted), by absolute path.
    fn list_dir(&self, path: &str) -> Option<Vec<String>>;
    /// Does the path exist?
    fn exists(&self, path: &str) -> bool;
    fn uname(&self) -> Uname;
    fn interfaces(&self) -> Vec<Interface>;
    fn process(&self) -> ProcessInfo;
    /// An environment variable of the minion process.
    fn env(&self, name: &str) -> Option<String>;
    /// The canonical name of `name` (`getaddrinfo(AI_CANONNAME)`), if it resolves.
    fn canonical_name(&self, name: &str) -> Option<String>;
    /// Addresses `name` resolves to for one family (4 or 6).
    fn resolve(&self, name: &str, family: u8) -> Vec<String>;
    /// Run a command and return its stdout when it exits 0.
    fn run(&self, argv: &[&str]) -> Option<String>;
}

/// A host whose files live under `root`; the rest is fixed data (tests, fixtures).
#[derive(Debug, Clone, Default)]
pub struct RootedHost {
    pub root: PathBuf,
    pub uname: Uname,
    pub interfaces: Vec<Interface>,
    pub process: ProcessInfo,
    pub env: Vec<(String, String)>,
    /// `(name, canonical name)` pairs.
    pub canonical: Vec<(String, String)>,
    /// `(name, family, address)` triples.
    pub addresses: Vec<(String, u8, String)>,
    /// `(argv joined by spaces, stdout)` pairs.
    pub commands: Vec<(String, String)>,
}

impl RootedHost {
    pub fn new(root: &Path) -> Self {
        RootedHost {
            root: root.to_path_buf(),
            ..Default::default()
        }
    }

    fn map(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }
}

impl Host for RootedHost {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read(self.map(path))
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        let entries = std::fs::read_dir(self.map(path)).ok()?;
        Some(
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
        )
    }

    fn exists(&self, path: &str) -> bool {
        self.map(path).exists()
    }

    fn uname(&self) -> Uname {
        self.uname.clone()
    }

    fn interfaces(&self) -> Vec<Interface> {
        self.interfaces.clone()
    }

    fn process(&self) -> ProcessInfo {
        self.process.clone()
    }

    fn env(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn canonical_name(&self, name: &str) -> Option<String> {
        self.canonical
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn resolve(&self, name: &str, family: u8) -> Vec<String> {
        self.addresses
            .iter()
            .filter(|(n, f, _)| n == name && *f == family)
            .map(|(_, _, a)| a.clone())
            .collect()
    }

    fn run(&self, argv: &[&str]) -> Option<String> {
        let key = argv.join(" ");
        self.commands
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }
}
