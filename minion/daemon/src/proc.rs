//! Proc files: `cachedir/proc/<jid>`, a msgpack map of `pid` plus the job's
//! publication load, present exactly while the job is queued or running.
//! `saltutil.find_job`/`running` read them; this is what keeps the `salt` CLI
//! waiting for long jobs (protocol spec §9.4).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use halite_api::{Map, Value};

use crate::msgpack;

/// The proc directory of one minion.
#[derive(Debug, Clone)]
pub struct ProcDir {
    dir: PathBuf,
}

impl ProcDir {
    /// `cachedir/proc`.
    pub fn new(cachedir: &Path) -> Self {
        ProcDir {
            dir: cachedir.join("proc"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn file(&self, jid: &str) -> Option<PathBuf> {
        let safe = !jid.is_empty()
            && jid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        safe.then(|| self.dir.join(jid))
    }

    /// Create the directory and remove files left by a previous run.
    pub fn reset(&self) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        for entry in fs::read_dir(&self.dir)?.flatten() {
            let _ = fs::remove_file(entry.path());
        }
        Ok(())
    }

    /// Write the proc file of `jid` (atomically: temp file then rename).
    pub fn write(&self, jid: &str, pid: u32, load: &Map) -> std::io::Result<()> {
        let Some(path) = self.file(jid) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("unsafe jid '{jid}'"),
            ));
        };
        let mut data = Map::new();
        data.insert("pid".into(), Value::from(pid));
        data.extend(load.iter().map(|(k, v)| (k.clone(), v.clone())));
        fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!(".{jid}.tmp"));
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&msgpack::encode(&Value::Object(data)))?;
        f.sync_all()?;
        fs::rename(&tmp, &path)
    }

    /// Remove the proc file of `jid` (missing is fine).
    pub fn remove(&self, jid: &str) {
        if let Some(path) = self.file(jid) {
            let _ = fs::remove_file(path);
        }
    }

    /// The job data of `jid`, if its proc file exists and is valid.
    pub fn read(&self, jid: &str) -> Option<Map> {
        let bytes = fs::read(self.file(jid)?).ok()?;
        match msgpack::decode(&bytes)? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Every valid proc file's data, sorted by jid.
    pub fn all(&self) -> Vec<Map> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut jids: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|name| !name.starts_with('.'))
            .collect();
        jids.sort();
        jids.iter().filter_map(|jid| self.read(jid)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(jid: &str) -> Map {
        json!({"fun": "test.sleep", "arg": [5], "tgt": "*", "jid": jid, "ret": "", "tgt_type": "glob", "user": "root"})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn write_read_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let procs = ProcDir::new(tmp.path());
        procs
            .write("20240101000000000001", 77, &load("20240101000000000001"))
            .unwrap();
        let data = procs.read("20240101000000000001").unwrap();
        assert_eq!(data.keys().next().map(String::as_str), Some("pid"));
        assert_eq!(data["pid"], json!(77));
        assert_eq!(data["fun"], json!("test.sleep"));
        assert_eq!(procs.all().len(), 1);
        procs.remove("20240101000000000001");
        assert!(procs.read("20240101000000000001").is_none());
        assert!(procs.all().is_empty());
    }

    #[test]
    fn reset_clears_stale_files_and_garbage_is_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let procs = ProcDir::new(tmp.path());
        procs.write("1", 1, &load("1")).unwrap();
        fs::write(procs.path().join("2"), b"\xc1garbage").unwrap();
        assert_eq!(procs.all().len(), 1, "garbage proc file is ignored");
        procs.reset().unwrap();
        assert!(procs.all().is_empty());
        assert_eq!(fs::read_dir(procs.path()).unwrap().count(), 0);
    }

    #[test]
    fn path_like_jids_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let procs = ProcDir::new(tmp.path());
        assert!(procs.write("../x", 1, &load("x")).is_err());
        assert!(procs.read("../../etc/passwd").is_none());
    }
}
