//! User and group lookups from `/etc/passwd` and `/etc/group` (no NSS).
//!
//! The system files are parsed once and kept while their identity (device,
//! inode, size, mtime, ctime) is unchanged, so a run looking up owners for
//! thousands of files stats them instead of re-reading them, and an account
//! added mid-run (which rewrites the file) is still seen.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// One `/etc/passwd` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    pub shell: String,
}

/// One `/etc/group` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

fn read_lines(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').map(str::to_string).collect())
        .collect()
}

/// Every entry of a passwd-format file.
pub fn passwd_entries(path: &Path) -> Vec<PasswdEntry> {
    read_lines(path)
        .into_iter()
        .filter(|f| f.len() >= 7)
        .filter_map(|f| {
            Some(PasswdEntry {
                name: f[0].clone(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                gecos: f[4].clone(),
                home: f[5].clone(),
                shell: f[6].clone(),
            })
        })
        .collect()
}

/// Every entry of a group-format file.
pub fn group_entries(path: &Path) -> Vec<GroupEntry> {
    read_lines(path)
        .into_iter()
        .filter(|f| f.len() >= 4)
        .filter_map(|f| {
            Some(GroupEntry {
                name: f[0].clone(),
                gid: f[2].parse().ok()?,
                members: f[3]
                    .split(',')
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl FileIdentity {
    fn of(path: &Path) -> Option<Self> {
        let md = std::fs::metadata(path).ok()?;
        Some(FileIdentity {
            dev: md.dev(),
            ino: md.ino(),
            size: md.size(),
            mtime: (md.mtime(), md.mtime_nsec()),
            ctime: (md.ctime(), md.ctime_nsec()),
        })
    }
}

/// The parsed entries of one file, with the identity they were read at.
type Snapshot<T> = Option<(FileIdentity, Arc<Vec<T>>)>;

/// Entries of `path`, re-parsed only when its identity changed. A file that
/// cannot be stat'ed yields no entries (as an unreadable one always did).
fn cached<T>(slot: &Mutex<Snapshot<T>>, path: &Path, parse: fn(&Path) -> Vec<T>) -> Arc<Vec<T>> {
    let Some(identity) = FileIdentity::of(path) else {
        return Arc::new(Vec::new());
    };
    let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((seen, entries)) = guard.as_ref() {
        if *seen == identity {
            return Arc::clone(entries);
        }
    }
    let entries = Arc::new(parse(path));
    *guard = Some((identity, Arc::clone(&entries)));
    entries
}

static PASSWD: Mutex<Snapshot<PasswdEntry>> = Mutex::new(None);
static GROUP: Mutex<Snapshot<GroupEntry>> = Mutex::new(None);

/// The entries of `/etc/passwd` (cached while the file is unchanged).
pub fn system_users() -> Arc<Vec<PasswdEntry>> {
    cached(&PASSWD, Path::new("/etc/passwd"), passwd_entries)
}

/// The entries of `/etc/group` (cached while the file is unchanged).
pub fn system_groups() -> Arc<Vec<GroupEntry>> {
    cached(&GROUP, Path::new("/etc/group"), group_entries)
}

pub fn user_by_name(name: &str) -> Option<PasswdEntry> {
    system_users().iter().find(|e| e.name == name).cloned()
}

pub fn user_by_uid(uid: u32) -> Option<PasswdEntry> {
    system_users().iter().find(|e| e.uid == uid).cloned()
}

pub fn group_by_name(name: &str) -> Option<GroupEntry> {
    system_groups().iter().find(|e| e.name == name).cloned()
}

pub fn group_by_gid(gid: u32) -> Option<GroupEntry> {
    system_groups().iter().find(|e| e.gid == gid).cloned()
}

/// Name of a uid, or the number as text when unknown (as Salt's `stats`).
pub fn uid_to_name(uid: u32) -> String {
    let users = system_users();
    match users.iter().find(|e| e.uid == uid) {
        Some(e) => e.name.clone(),
        None => uid.to_string(),
    }
}

/// Name of a gid, or the number as text when unknown.
pub fn gid_to_name(gid: u32) -> String {
    let groups = system_groups();
    match groups.iter().find(|e| e.gid == gid) {
        Some(e) => e.name.clone(),
        None => gid.to_string(),
    }
}

/// Resolve a user given as name or numeric id.
pub fn resolve_uid(user: &str) -> Option<u32> {
    let users = system_users();
    let by_name = users.iter().find(|e| e.name == user).map(|e| e.uid);
    by_name.or_else(|| user.parse().ok())
}

/// Resolve a group given as name or numeric id.
pub fn resolve_gid(group: &str) -> Option<u32> {
    let groups = system_groups();
    let by_name = groups.iter().find(|e| e.name == group).map(|e| e.gid);
    by_name.or_else(|| group.parse().ok())
}

/// Names of every group `user` belongs to (primary first, then supplementary, sorted).
pub fn user_groups(entry: &PasswdEntry) -> Vec<String> {
    let mut out: Vec<String> = system_groups()
        .iter()
        .filter(|g| g.gid == entry.gid || g.members.contains(&entry.name))
        .map(|g| g.name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_nobody_resolve() {
        assert_eq!(resolve_uid("root"), Some(0));
        assert_eq!(uid_to_name(0), "root");
        assert!(resolve_uid("nobody").is_some());
        assert_eq!(resolve_uid("1234"), Some(1234));
        assert_eq!(resolve_uid("no-such-user-x"), None);
    }

    #[test]
    fn cache_follows_file_changes() {
        static SLOT: Mutex<Snapshot<GroupEntry>> = Mutex::new(None);
        let dir = std::env::temp_dir().join(format!("halite-acc-c-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("group");
        std::fs::write(&p, "wheel:x:10:alice\n").unwrap();
        let first = cached(&SLOT, &p, group_entries);
        assert_eq!(first.len(), 1);
        assert!(Arc::ptr_eq(&first, &cached(&SLOT, &p, group_entries)));
        // Replaced like useradd/groupadd do: a new file renamed over the old one.
        let tmp = dir.join("group.new");
        std::fs::write(&tmp, "wheel:x:10:alice\nstaff:x:50:\n").unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        assert_eq!(cached(&SLOT, &p, group_entries).len(), 2);
        std::fs::remove_file(&p).unwrap();
        assert!(cached(&SLOT, &p, group_entries).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parses_group_members() {
        let dir = std::env::temp_dir().join(format!("halite-acc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("group");
        std::fs::write(&p, "wheel:x:10:alice,bob\nempty:x:11:\n").unwrap();
        let g = group_entries(&p);
        assert_eq!(g[0].members, vec!["alice", "bob"]);
        assert!(g[1].members.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
