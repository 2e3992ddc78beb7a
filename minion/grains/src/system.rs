//! The live host: files under `/`, and libc for uname, interfaces, users and
//! name resolution. Commands go through `halite_api::CommandRunner`.
#![allow(unsafe_code)] // FFI calls into libc; each block documents its invariants.

use std::ffi::{CStr, CString};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use halite_api::{CmdSpec, CommandRunner, SystemRunner};

use crate::host::{Host, Interface, ProcessInfo, RootedHost, Uname};

/// The machine this process runs on.
#[derive(Debug, Clone)]
pub struct SystemHost {
    files: RootedHost,
}

impl Default for SystemHost {
    fn default() -> Self {
        SystemHost {
            files: RootedHost::new(Path::new("/")),
        }
    }
}

fn field(chars: &[libc::c_char]) -> String {
    // SAFETY: utsname fields are NUL-terminated arrays filled by uname(2).
    unsafe { CStr::from_ptr(chars.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// `uname(2)`.
pub fn uname() -> Uname {
    // SAFETY: utsname is plain data; uname writes into the zeroed struct.
    let mut buf: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut buf) } != 0 {
        return Uname::default();
    }
    Uname {
        sysname: field(&buf.sysname),
        nodename: field(&buf.nodename),
        release: field(&buf.release),
        version: field(&buf.version),
        machine: field(&buf.machine),
    }
}

fn entry_for<'a>(list: &'a mut Vec<Interface>, name: &str) -> &'a mut Interface {
    if let Some(pos) = list.iter().position(|i| i.name == name) {
        return &mut list[pos];
    }
    list.push(Interface {
        name: name.to_string(),
        ..Default::default()
    });
    list.last_mut().expect("just pushed")
}

/// Interfaces and addresses from `getifaddrs(3)`, in kernel order.
pub fn interfaces() -> Vec<Interface> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs allocates a list we free below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Vec::new();
    }
    let mut list = Vec::new();
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: cur walks the list returned by getifaddrs until NULL.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: ifa_name is a NUL-terminated interface name.
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        let entry = entry_for(&mut list, &name);
        if ifa.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: ifa_addr points to a sockaddr whose family tells its real type.
        match i32::from(unsafe { (*ifa.ifa_addr).sa_family }) {
            libc::AF_INET => {
                let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
                entry
                    .inet
                    .push(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)).to_string());
            }
            libc::AF_INET6 => {
                let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
                entry
                    .inet6
                    .push(Ipv6Addr::from(sin6.sin6_addr.s6_addr).to_string());
            }
            libc::AF_PACKET => {
                let sll = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_ll) };
                let len = usize::from(sll.sll_halen).min(8);
                let mac: Vec<String> = sll.sll_addr[..len]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                entry.hwaddr = Some(if mac.is_empty() {
                    "00:00:00:00:00:00".into()
                } else {
                    mac.join(":")
                });
            }
            _ => {}
        }
    }
    // SAFETY: head came from getifaddrs.
    unsafe { libc::freeifaddrs(head) };
    list
}

fn user_name(uid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 16384];
    // SAFETY: passwd is plain data; getpwuid_r fills it using buf.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() {
        return uid.to_string();
    }
    // SAFETY: pw_name points into buf, NUL-terminated.
    unsafe { CStr::from_ptr(pwd.pw_name) }
        .to_string_lossy()
        .into_owned()
}

fn group_name(gid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 16384];
    // SAFETY: group is plain data; getgrgid_r fills it using buf.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() {
        return gid.to_string();
    }
    // SAFETY: gr_name points into buf, NUL-terminated.
    unsafe { CStr::from_ptr(grp.gr_name) }
        .to_string_lossy()
        .into_owned()
}

/// `getaddrinfo(name, family, AI_CANONNAME)`: canonical name and addresses.
fn getaddrinfo(name: &str, family: i32) -> (Option<String>, Vec<String>) {
    let Ok(cname) = CString::new(name) else {
        return (None, Vec::new());
    };
    // SAFETY: hints is plain data; the result list is freed with freeaddrinfo.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = libc::SOCK_STREAM;
    hints.ai_flags = libc::AI_CANONNAME;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    if unsafe { libc::getaddrinfo(cname.as_ptr(), std::ptr::null(), &hints, &mut res) } != 0 {
        return (None, Vec::new());
    }
    let (mut canon, mut addrs) = (None, Vec::new());
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: cur walks the list from getaddrinfo until NULL.
        let ai = unsafe { &*cur };
        cur = ai.ai_next;
        if canon.is_none() && !ai.ai_canonname.is_null() {
            // SAFETY: ai_canonname is NUL-terminated when set.
            let text = unsafe { CStr::from_ptr(ai.ai_canonname) }
                .to_string_lossy()
                .into_owned();
            canon = (!text.is_empty()).then_some(text);
        }
        if ai.ai_addr.is_null() {
            continue;
        }
        let text = match ai.ai_family {
            // SAFETY: the family says which sockaddr type ai_addr points to.
            libc::AF_INET => Ipv4Addr::from(u32::from_be(
                unsafe { &*(ai.ai_addr as *const libc::sockaddr_in) }
                    .sin_addr
                    .s_addr,
            ))
            .to_string(),
            libc::AF_INET6 => Ipv6Addr::from(
                unsafe { &*(ai.ai_addr as *const libc::sockaddr_in6) }
                    .sin6_addr
                    .s6_addr,
            )
            .to_string(),
            _ => continue,
        };
        if !addrs.contains(&text) {
            addrs.push(text);
        }
    }
    // SAFETY: res came from getaddrinfo.
    unsafe { libc::freeaddrinfo(res) };
    (canon, addrs)
}

impl Host for SystemHost {
    fn read(&self, path: &str) -> Option<String> {
        self.files.read(path)
    }

    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        self.files.list_dir(path)
    }

    fn exists(&self, path: &str) -> bool {
        Path::new(path).exists()
    }

    fn uname(&self) -> Uname {
        uname()
    }

    fn interfaces(&self) -> Vec<Interface> {
        interfaces()
    }

    fn process(&self) -> ProcessInfo {
        // SAFETY: these libc calls take no arguments and cannot fail.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        ProcessInfo {
            pid: std::process::id(),
            uid,
            gid,
            username: user_name(uid),
            groupname: group_name(gid),
            cwd: std::env::current_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        }
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn canonical_name(&self, name: &str) -> Option<String> {
        getaddrinfo(name, libc::AF_UNSPEC).0
    }

    fn resolve(&self, name: &str, family: u8) -> Vec<String> {
        getaddrinfo(
            name,
            if family == 6 {
                libc::AF_INET6
            } else {
                libc::AF_INET
            },
        )
        .1
    }

    fn run(&self, argv: &[&str]) -> Option<String> {
        let out = SystemRunner
            .run(&CmdSpec::argv(argv.iter().copied()))
            .ok()?;
        (out.retcode == 0).then(|| out.stdout_text())
    }
}
