//! Publishing into the master's roots: each tree is written whole into
//! `ROOT/trees/<generation>` (fsynced, fresh mtimes so the master never
//! reuses a cached hash), then `ROOT/current` (a symlink the master's
//! `file_roots`/`pillar_roots` go through) is swapped by `rename(2)`, so a
//! reader resolves either the old tree or the new one, never half of one.
//! `ROOT/history.json` lists what was current, newest last; the newest
//! `keep` trees stay on disk for `rollback-tree`.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::Tree;

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// `current` now points at this generation.
    Swapped { from: Option<String>, to: String },
    /// It already was current: nothing changed.
    AlreadyCurrent(String),
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: another halite-ctl holds the publish lock")]
    Locked(PathBuf),
    #[error("no earlier tree to roll back to (history: {0})")]
    NoPrevious(String),
    #[error("tree {0} is no longer on disk (keep more trees with --keep)")]
    Pruned(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One entry of `history.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub generation: String,
    /// Seconds since the epoch.
    pub published: u64,
}

/// The published roots of one master.
pub struct Roots {
    pub root: PathBuf,
}

impl Roots {
    pub fn new(root: impl Into<PathBuf>) -> Roots {
        Roots { root: root.into() }
    }
    /// What the master's `file_roots` lists.
    pub fn file_root(&self) -> PathBuf {
        self.root.join("current/salt")
    }
    /// What the master's `pillar_roots` lists.
    pub fn pillar_root(&self) -> PathBuf {
        self.root.join("current/pillar")
    }
    fn trees(&self) -> PathBuf {
        self.root.join("trees")
    }
    fn history_path(&self) -> PathBuf {
        self.root.join("history.json")
    }

    /// The generation `current` points at.
    pub fn current(&self) -> Option<String> {
        let target = fs::read_link(self.root.join("current")).ok()?;
        target.file_name().map(|n| n.to_string_lossy().to_string())
    }

    /// What was current, newest last. An unreadable history is an error:
    /// taken for empty, the next publish would prune every kept tree.
    pub fn history(&self) -> Result<Vec<HistoryEntry>, PublishError> {
        let path = self.history_path();
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| PublishError::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(PublishError::Io { path, source }),
        }
    }

    /// Write `tree` and make it current; keep the newest `keep` trees.
    pub fn publish(&self, tree: &Tree, keep: usize) -> Result<Published, PublishError> {
        let _lock = self.lock()?;
        let from = self.current();
        if from.as_deref() == Some(tree.generation.as_str()) {
            return Ok(Published::AlreadyCurrent(tree.generation.clone()));
        }
        let dest = self.trees().join(&tree.generation);
        if dest.exists() {
            touch_all(&dest)?;
        } else {
            write_tree(tree, &self.trees(), &dest)?;
        }
        self.swap(&tree.generation)?;
        self.record(&tree.generation, keep)?;
        Ok(Published::Swapped {
            from,
            to: tree.generation.clone(),
        })
    }

    /// Make the tree that was current before this one current again.
    pub fn rollback(&self, keep: usize) -> Result<Published, PublishError> {
        let _lock = self.lock()?;
        let from = self.current();
        let history = self.history()?;
        let previous = history
            .iter()
            .rev()
            .map(|h| &h.generation)
            .find(|g| Some(g.as_str()) != from.as_deref())
            .cloned()
            .ok_or_else(|| {
                let gens: Vec<&str> = history.iter().map(|h| h.generation.as_str()).collect();
                PublishError::NoPrevious(gens.join(", "))
            })?;
        let dir = self.trees().join(&previous);
        if !dir.is_dir() {
            return Err(PublishError::Pruned(previous));
        }
        touch_all(&dir)?;
        self.swap(&previous)?;
        self.record_rollback(from.as_deref(), &previous, keep)?;
        Ok(Published::Swapped { from, to: previous })
    }

    fn lock(&self) -> Result<File, PublishError> {
        fs::create_dir_all(self.trees()).map_err(io(&self.root))?;
        let path = self.root.join(".lock");
        let f = File::create(&path).map_err(io(&path))?;
        halite_net::fslock::lock_exclusive(&f, true).map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                PublishError::Locked(path.clone())
            } else {
                PublishError::Io {
                    path: path.clone(),
                    source: e,
                }
            }
        })?;
        Ok(f)
    }

    /// Point `current` at `generation` in one rename.
    fn swap(&self, generation: &str) -> Result<(), PublishError> {
        let tmp = self.root.join(format!(".current-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(Path::new("trees").join(generation), &tmp).map_err(io(&tmp))?;
        let current = self.root.join("current");
        fs::rename(&tmp, &current).map_err(io(&current))?;
        sync_dir(&self.root)
    }

    fn record(&self, generation: &str, keep: usize) -> Result<(), PublishError> {
        let mut history = self.history()?;
        history.push(HistoryEntry {
            generation: generation.to_string(),
            published: now(),
        });
        self.save_history(history, keep)
    }

    /// After a rollback the tree rolled away from is no longer the newest.
    fn record_rollback(
        &self,
        from: Option<&str>,
        to: &str,
        keep: usize,
    ) -> Result<(), PublishError> {
        let mut history: Vec<HistoryEntry> = self
            .history()?
            .into_iter()
            .filter(|h| Some(h.generation.as_str()) != from && h.generation != to)
            .collect();
        history.push(HistoryEntry {
            generation: to.to_string(),
            published: now(),
        });
        self.save_history(history, keep)
    }

    fn save_history(
        &self,
        mut history: Vec<HistoryEntry>,
        keep: usize,
    ) -> Result<(), PublishError> {
        let keep = keep.max(2);
        if history.len() > keep {
            history.drain(..history.len() - keep);
        }
        let path = self.history_path();
        let data = serde_json::to_vec_pretty(&history).unwrap_or_default();
        halite_api::atomic::write_atomic(&path, &data, 0o644).map_err(io(&path))?;
        self.prune(&history)
    }

    /// Remove published trees no longer in the history (names that are
    /// not generations, such as another publisher's staging directory,
    /// are left alone).
    fn prune(&self, history: &[HistoryEntry]) -> Result<(), PublishError> {
        let trees = self.trees();
        for entry in fs::read_dir(&trees).map_err(io(&trees))?.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if is_generation(&name) && !history.iter().any(|h| h.generation == name) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        Ok(())
    }
}

/// A generation's name: 16 hex digits.
fn is_generation(name: &str) -> bool {
    name.len() == 16 && name.chars().all(|c| c.is_ascii_hexdigit())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Write every file under a staging directory, fsync, rename into place.
fn write_tree(tree: &Tree, trees: &Path, dest: &Path) -> Result<(), PublishError> {
    let staging = trees.join(format!(
        ".staging-{}-{}",
        tree.generation,
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&staging);
    for (rel, data) in &tree.files {
        let path = staging.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut f = File::create(&path).map_err(io(&path))?;
        f.write_all(data).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))?;
    }
    sync_dirs(&staging)?;
    fs::rename(&staging, dest).map_err(io(dest))?;
    sync_dir(trees)
}

fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

fn sync_dirs(dir: &Path) -> Result<(), PublishError> {
    for entry in fs::read_dir(dir).map_err(io(dir))?.flatten() {
        if entry.path().is_dir() {
            sync_dirs(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// Fresh mtimes for a tree made current again (the master keys cached
/// hashes on mtimes).
fn touch_all(dir: &Path) -> Result<(), PublishError> {
    for entry in fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            touch_all(&path)?;
        } else {
            File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(SystemTime::now()))
                .map_err(io(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(gen: &str, body: &str) -> Tree {
        let mut t = Tree::default();
        t.files
            .insert("salt/top.sls".into(), body.as_bytes().to_vec());
        t.files
            .insert("pillar/top.sls".into(), b"base: {}\n".to_vec());
        t.generation = gen.into();
        t
    }

    #[test]
    fn publish_swaps_current_and_rollback_returns() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots::new(dir.path());
        assert_eq!(
            roots.publish(&tree("0000000000000001", "one"), 3).unwrap(),
            Published::Swapped {
                from: None,
                to: "0000000000000001".into()
            }
        );
        assert_eq!(
            fs::read_to_string(roots.file_root().join("top.sls")).unwrap(),
            "one"
        );
        assert_eq!(
            roots.publish(&tree("0000000000000001", "one"), 3).unwrap(),
            Published::AlreadyCurrent("0000000000000001".into())
        );
        roots.publish(&tree("0000000000000002", "two"), 3).unwrap();
        assert_eq!(
            fs::read_to_string(roots.file_root().join("top.sls")).unwrap(),
            "two"
        );
        assert_eq!(
            roots.rollback(3).unwrap(),
            Published::Swapped {
                from: Some("0000000000000002".into()),
                to: "0000000000000001".into()
            }
        );
        assert_eq!(
            fs::read_to_string(roots.file_root().join("top.sls")).unwrap(),
            "one"
        );
        assert_eq!(roots.current().as_deref(), Some("0000000000000001"));
    }

    #[test]
    fn old_trees_are_pruned_to_keep() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots::new(dir.path());
        for g in [
            "0000000000000001",
            "0000000000000002",
            "0000000000000003",
            "0000000000000004",
        ] {
            roots.publish(&tree(g, g), 2).unwrap();
        }
        // another publisher's staging directory is not a generation: kept
        fs::create_dir_all(dir.path().join("trees/.halite-ctl-staging-x")).unwrap();
        roots.publish(&tree("0000000000000005", "5"), 2).unwrap();
        let mut left: Vec<String> = fs::read_dir(dir.path().join("trees"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".halite-ctl-staging-x",
                "0000000000000004",
                "0000000000000005"
            ]
        );
        let gens: Vec<String> = roots
            .history()
            .unwrap()
            .into_iter()
            .map(|h| h.generation)
            .collect();
        assert_eq!(gens, ["0000000000000004", "0000000000000005"]);
    }

    #[test]
    fn a_second_publisher_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots::new(dir.path());
        let _held = roots.lock().unwrap();
        let e = roots
            .publish(&tree("0000000000000001", "x"), 2)
            .unwrap_err();
        assert!(matches!(e, PublishError::Locked(_)), "{e}");
    }
}
