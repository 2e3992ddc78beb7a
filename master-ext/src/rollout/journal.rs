//! The rollout journal: what is being rolled out, every node's state and
//! the job it was given, written atomically after every change, so a
//! controller killed at any point resumes without redoing finished nodes.
//! Only one controller runs a journal at a time (an exclusive lock).

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::inventory::{Inventory, RolloutPolicy};

/// What a rollout applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Kind {
    Highstate,
    Sls { name: String },
    OsUpgrade { target: String, sls: String },
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Highstate => write!(f, "highstate"),
            Kind::Sls { name } => write!(f, "sls {name}"),
            Kind::OsUpgrade { target, .. } => write!(f, "os-upgrade to {target}"),
        }
    }
}

/// Where a node stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeState {
    Pending,
    /// Given a job (or rebooting); the journal holds the jid.
    Running,
    /// OS upgrade: the new image is staged, no reboot yet.
    Staged,
    Done,
    Failed,
    /// OS upgrade: returned to its previous image after its batch failed.
    RolledBack,
}

impl NodeState {
    pub fn finished(self) -> bool {
        matches!(
            self,
            NodeState::Done | NodeState::Failed | NodeState::RolledBack
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeEntry {
    pub name: String,
    pub state: NodeState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jid: Option<String>,
    /// Why it failed, or what it reported.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RackEntry {
    pub name: String,
    pub nodes: Vec<NodeEntry>,
}

/// The rollout as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Running,
    /// Stopped on the failure budget (or a failed canary); `--resume` goes on.
    Paused,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub id: String,
    #[serde(flatten)]
    pub kind: Kind,
    pub status: Status,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    pub policy: RolloutPolicy,
    /// OS upgrade: every node staged, the reboots may begin.
    #[serde(default)]
    pub staged_all: bool,
    pub racks: Vec<RackEntry>,
}

impl Journal {
    /// A fresh journal over the inventory's racks, in order.
    pub fn new(id: String, kind: Kind, inv: &Inventory) -> Journal {
        Journal {
            id,
            kind,
            status: Status::Running,
            reason: String::new(),
            policy: inv.fleet.rollout.clone(),
            staged_all: false,
            racks: inv
                .racks
                .iter()
                .map(|r| RackEntry {
                    name: r.name.clone(),
                    nodes: r
                        .nodes
                        .iter()
                        .map(|n| NodeEntry {
                            name: n.name.clone(),
                            state: NodeState::Pending,
                            jid: None,
                            detail: String::new(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn node_mut(&mut self, name: &str) -> Option<&mut NodeEntry> {
        self.racks
            .iter_mut()
            .flat_map(|r| r.nodes.iter_mut())
            .find(|n| n.name == name)
    }

    pub fn node(&self, name: &str) -> Option<&NodeEntry> {
        self.racks
            .iter()
            .flat_map(|r| r.nodes.iter())
            .find(|n| n.name == name)
    }

    /// Failed nodes so far. Nodes rolled back with a failed batch do not
    /// count: the batch's failure is already counted on the failed node.
    pub fn failures(&self) -> usize {
        self.racks
            .iter()
            .flat_map(|r| &r.nodes)
            .filter(|n| n.state == NodeState::Failed)
            .count()
    }

    /// The next batch: within the first rack not finished, the canary alone
    /// while none of the rack is done, then up to `max_unavailable` nodes;
    /// `ready` says which states may start (pending, or staged for reboots).
    pub fn next_batch(&self, ready: NodeState) -> Option<(String, Vec<String>)> {
        let rack = self
            .racks
            .iter()
            .find(|r| r.nodes.iter().any(|n| !n.state.finished()))?;
        let waiting: Vec<String> = rack
            .nodes
            .iter()
            .filter(|n| n.state == ready)
            .map(|n| n.name.clone())
            .collect();
        if waiting.is_empty() {
            return None;
        }
        let any_done = rack.nodes.iter().any(|n| n.state == NodeState::Done);
        let size = if self.policy.canary && !any_done {
            1
        } else {
            self.policy.max_unavailable.max(1)
        };
        Some((rack.name.clone(), waiting.into_iter().take(size).collect()))
    }

    /// Is this batch the rack's canary?
    pub fn is_canary(&self, rack: &str) -> bool {
        self.policy.canary
            && self
                .racks
                .iter()
                .find(|r| r.name == rack)
                .is_some_and(|r| !r.nodes.iter().any(|n| n.state == NodeState::Done))
    }
}

/// The journal's directory: `rollout.json` and its lock.
pub struct Store {
    pub dir: PathBuf,
    _lock: File,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: another halite-ctl is running a rollout here")]
    Locked(PathBuf),
    #[error("{path}: not a rollout journal: {message}")]
    Corrupt { path: PathBuf, message: String },
}

impl Store {
    /// Take the directory's lock (fails at once when another controller has it).
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join("rollout.lock");
        let f = File::create(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        halite_net::fslock::lock_exclusive(&f, true).map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                StoreError::Locked(path.clone())
            } else {
                StoreError::Io {
                    path: path.clone(),
                    source: e,
                }
            }
        })?;
        Ok(Store {
            dir: dir.to_path_buf(),
            _lock: f,
        })
    }

    pub fn path(dir: &Path) -> PathBuf {
        dir.join("rollout.json")
    }

    /// The journal in `dir`, if any (read without the lock: `status`).
    pub fn read(dir: &Path) -> Result<Option<Journal>, StoreError> {
        let path = Self::path(dir);
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        serde_json::from_slice(&data)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                path,
                message: e.to_string(),
            })
    }

    pub fn save(&self, j: &Journal) -> Result<(), StoreError> {
        let path = Self::path(&self.dir);
        let data = serde_json::to_vec_pretty(j).unwrap_or_default();
        halite_api::atomic::write_atomic(&path, &data, 0o644)
            .map_err(|source| StoreError::Io { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::parse;

    fn journal() -> Journal {
        let inv = parse(
            r#"
fleet: {name: t, roles: {w: [w]}, rollout: {max_unavailable: 2}}
racks:
  - name: r1
    subnet: 10.1.0.0/24
    tor: 10.1.0.1
    nodes:
      - {name: a, ip: 10.1.0.11, roles: [w]}
      - {name: b, ip: 10.1.0.12, roles: [w]}
      - {name: c, ip: 10.1.0.13, roles: [w]}
      - {name: d, ip: 10.1.0.14, roles: [w]}
  - name: r2
    subnet: 10.2.0.0/24
    tor: 10.2.0.1
    nodes:
      - {name: e, ip: 10.2.0.11, roles: [w]}
"#,
        )
        .unwrap();
        Journal::new("x".into(), Kind::Highstate, &inv)
    }

    #[test]
    fn canary_then_max_unavailable_then_next_rack() {
        let mut j = journal();
        let batch = |j: &Journal| j.next_batch(NodeState::Pending).unwrap();
        assert_eq!(batch(&j), ("r1".into(), vec!["a".into()]));
        j.node_mut("a").unwrap().state = NodeState::Done;
        assert_eq!(batch(&j), ("r1".into(), vec!["b".into(), "c".into()]));
        j.node_mut("b").unwrap().state = NodeState::Done;
        j.node_mut("c").unwrap().state = NodeState::Failed;
        assert_eq!(batch(&j), ("r1".into(), vec!["d".into()]));
        j.node_mut("d").unwrap().state = NodeState::Done;
        assert_eq!(batch(&j), ("r2".into(), vec!["e".into()]));
        j.node_mut("e").unwrap().state = NodeState::Done;
        assert_eq!(j.next_batch(NodeState::Pending), None);
        assert_eq!(j.failures(), 1);
    }

    #[test]
    fn journal_round_trips_and_the_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut j = journal();
        j.node_mut("a").unwrap().jid = Some("2026".into());
        store.save(&j).unwrap();
        assert_eq!(Store::read(dir.path()).unwrap(), Some(j));
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::Locked(_))
        ));
    }
}
