//! User and group lookups from `/etc/passwd` and `/etc/group` (no NSS).

use std::path::Path;

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

pub fn user_by_name(name: &str) -> Option<PasswdEntry> {
    passwd_entries(Path::new("/etc/passwd"))
        .into_iter()
        .find(|e| e.name == name)
}

pub fn user_by_uid(uid: u32) -> Option<PasswdEntry> {
    passwd_entries(Path::new("/etc/passwd"))
        .into_iter()
        .find(|e| e.uid == uid)
}

pub fn group_by_name(name: &str) -> Option<GroupEntry> {
    group_entries(Path::new("/etc/group"))
        .into_iter()
        .find(|e| e.name == name)
}

pub fn group_by_gid(gid: u32) -> Option<GroupEntry> {
    group_entries(Path::new("/etc/group"))
        .into_iter()
        .find(|e| e.gid == gid)
}

/// Name of a uid, or the number as text when unknown (as Salt's `stats`).
pub fn uid_to_name(uid: u32) -> String {
    user_by_uid(uid)
        .map(|e| e.name)
        .unwrap_or_else(|| uid.to_string())
}

/// Name of a gid, or the number as text when unknown.
pub fn gid_to_name(gid: u32) -> String {
    group_by_gid(gid)
        .map(|e| e.name)
        .unwrap_or_else(|| gid.to_string())
}

/// Resolve a user given as name or numeric id.
pub fn resolve_uid(user: &str) -> Option<u32> {
    user_by_name(user)
        .map(|e| e.uid)
        .or_else(|| user.parse().ok())
}

/// Resolve a group given as name or numeric id.
pub fn resolve_gid(group: &str) -> Option<u32> {
    group_by_name(group)
        .map(|e| e.gid)
        .or_else(|| group.parse().ok())
}

/// Names of every group `user` belongs to (primary first, then supplementary, sorted).
pub fn user_groups(entry: &PasswdEntry) -> Vec<String> {
    let mut out: Vec<String> = group_entries(Path::new("/etc/group"))
        .into_iter()
        .filter(|g| g.gid == entry.gid || g.members.contains(&entry.name))
        .map(|g| g.name)
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
