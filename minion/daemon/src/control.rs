//! How `saltutil.*` functions (plain `fn` pointers that only get a `Ctx`) reach
//! the running daemon: each [`Minion`] registers itself under its cache
//! directory, and a function looks it up with `ctx.cachedir()`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use crate::minion::Minion;

static MINIONS: Mutex<Vec<(PathBuf, Weak<Minion>)>> = Mutex::new(Vec::new());

/// Register `minion` (replacing a dead or older one with the same cachedir).
pub fn register(minion: &Arc<Minion>) {
    let dir = minion
        .procs
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut all = MINIONS.lock().unwrap_or_else(|e| e.into_inner());
    all.retain(|(d, w)| *d != dir && w.strong_count() > 0);
    all.push((dir, Arc::downgrade(minion)));
}

/// The live minion using `cachedir`, if any (none under `salt-call`).
pub fn lookup(cachedir: &Path) -> Option<Arc<Minion>> {
    let all = MINIONS.lock().unwrap_or_else(|e| e.into_inner());
    all.iter()
        .find(|(d, _)| d == cachedir)
        .and_then(|(_, w)| w.upgrade())
}
