//! The pending-rollback record: what to undo if a change is not confirmed.
//!
//! One file per change in `<cachedir>/net/pending/<id>.pending`. The applier
//! creates it, takes an exclusive `flock` on it before writing, and holds the
//! lock until the change is confirmed (file removed) or rolled back. Whoever
//! else wants to roll it back (the watchdog, a restarted minion) must take the
//! lock first, so nobody reads a half-written record and no change is rolled
//! back twice. A lock dies with its process, which is what makes a killed
//! applier's record claimable.

use crate::fslock::lock_exclusive;
use crate::model::Route;
use crate::op::Op;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What a rollback needs, written before the first change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// The state that made the change (`halite_net.address_moved orb0`).
    pub change: String,
    pub pid: u32,
    pub created_unix: f64,
    /// When the watchdog rolls back if the change is still unconfirmed.
    pub deadline_unix: f64,
    /// Undo ops, in the order they run.
    pub undo: Vec<Op>,
    /// Routes of the touched interfaces that must exist after a rollback.
    pub routes: Vec<Route>,
}

/// A record file this process holds the lock on.
pub struct Held {
    pub path: PathBuf,
    file: File,
}

impl Held {
    /// Create `dir/<id>.pending`, lock it, write `record`, fsync.
    pub fn create(dir: &Path, record: &Record) -> io::Result<Held> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.pending", record.id));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        lock_exclusive(&file, false)?;
        file.write_all(&serde_json::to_vec_pretty(record).map_err(io::Error::other)?)?;
        file.sync_all()?;
        Ok(Held { path, file })
    }

    /// Take over an existing record: `None` when someone else holds it or it
    /// was removed in the meantime.
    pub fn claim(path: &Path, wait: bool) -> io::Result<Option<(Held, Record)>> {
        let mut file = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match lock_exclusive(&file, !wait) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) => return Err(e),
        }
        if file.metadata()?.nlink() == 0 {
            return Ok(None); // confirmed and removed while we waited
        }
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        let record: Record = serde_json::from_str(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        Ok(Some((
            Held {
                path: path.to_path_buf(),
                file,
            },
            record,
        )))
    }

    /// The change is settled: remove the record, then release the lock.
    pub fn finish(self) -> io::Result<()> {
        std::fs::remove_file(&self.path)?;
        drop(self.file);
        Ok(())
    }
}

/// The `.pending` records in `dir`.
pub fn pending_in(dir: &Path) -> Vec<PathBuf> {
    files_with(dir, "pending")
}

/// The files in `dir` with extension `ext`, sorted (none when `dir` is missing).
pub fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Record {
        Record {
            id: id.into(),
            change: "test".into(),
            pid: std::process::id(),
            created_unix: 0.0,
            deadline_unix: 1.0,
            undo: vec![Op::DeleteLink {
                name: "orb0".into(),
            }],
            routes: vec![],
        }
    }

    #[test]
    fn a_held_record_cannot_be_claimed_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let held = Held::create(dir.path(), &record("a")).unwrap();
        assert_eq!(pending_in(dir.path()), std::slice::from_ref(&held.path));
        // flock is per open file: a second open in this process conflicts too
        assert!(Held::claim(&held.path, false).unwrap().is_none());
        let path = held.path.clone();
        drop(held); // the applier died: its lock is gone
        let (claimed, rec) = Held::claim(&path, false).unwrap().unwrap();
        assert_eq!(rec, record("a"));
        claimed.finish().unwrap();
        assert!(pending_in(dir.path()).is_empty());
        assert!(Held::claim(&path, false).unwrap().is_none());
    }
}
