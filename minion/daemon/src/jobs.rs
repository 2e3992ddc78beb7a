//! Running jobs: the table of jids in flight, cancellation, and the command
//! runner that tags every process a job starts so it can be signalled.
//!
//! Jobs run on threads, not processes. `saltutil.kill_job`/`term_job`/
//! `signal_job` therefore (1) send the signal to every process the job started
//! (found by the `HALITE_JID=<jid>` variable in `/proc/<pid>/environ`, which
//! children and grandchildren inherit) and (2) for TERM/KILL mark the job
//! cancelled: its proc file goes at once and its return is never sent, as when
//! Salt kills a job process. Work done in-process (e.g. `test.sleep`) finishes
//! in the background and is discarded.

use std::collections::HashMap;
use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use halite_api::{CmdOutput, CmdSpec, CommandRunner, RunError};

/// Environment variable carrying the jid into every command a job runs.
pub const JID_ENV: &str = "HALITE_JID";

/// One job in flight.
#[derive(Debug, Default)]
pub struct JobState {
    cancelled: AtomicBool,
}

impl JobState {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// The jids queued or running in this daemon.
#[derive(Debug, Default)]
pub struct JobTable {
    jobs: Mutex<HashMap<String, Arc<JobState>>>,
}

impl JobTable {
    /// Register `jid`; `None` if it is already in flight.
    pub fn start(&self, jid: &str) -> Option<Arc<JobState>> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        if jobs.contains_key(jid) {
            return None;
        }
        let state = Arc::new(JobState::default());
        jobs.insert(jid.to_string(), Arc::clone(&state));
        Some(state)
    }

    pub fn finish(&self, jid: &str) {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(jid);
    }

    /// Mark `jid` cancelled; false when it is not in flight.
    pub fn cancel(&self, jid: &str) -> bool {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        match jobs.get(jid) {
            Some(state) => {
                state.cancelled.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Wraps the real runner and tags each command with the job's jid.
pub struct JobRunner {
    pub inner: Arc<dyn CommandRunner>,
    pub jid: String,
}

impl CommandRunner for JobRunner {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        let mut tagged = spec.clone();
        tagged.env.insert(JID_ENV.into(), self.jid.clone());
        self.inner.run(&tagged)
    }

    /// Not tagged: a detached process (the network watchdog) must outlive
    /// the job, also when the job is killed.
    fn spawn_detached(&self, argv: &[String]) -> Result<(), RunError> {
        self.inner.spawn_detached(argv)
    }
}

/// Pids of the processes started by job `jid` (scan of `/proc/*/environ`).
pub fn job_pids(jid: &str) -> Vec<i32> {
    let needle = format!("{JID_ENV}={jid}");
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
        .filter(|pid| *pid != std::process::id() as i32)
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|b| *b == 0).any(|var| var == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

/// Send `signal` to `pid`; false if it failed (gone, not permitted).
#[allow(unsafe_code)]
pub fn send_signal(pid: i32, signal: i32) -> bool {
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(pid, signal) == 0 }
}

/// Whether process `pid` exists (Salt's `os_is_running`: signal 0 succeeds
/// or is refused for lack of permission).
#[allow(unsafe_code)]
pub fn process_exists(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill(2) with signal 0 only checks the target; no memory is involved.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use halite_api::SystemRunner;
    use std::time::{Duration, Instant};

    #[test]
    fn table_rejects_duplicates_and_cancels() {
        let table = JobTable::default();
        let state = table.start("1").unwrap();
        assert!(table.start("1").is_none());
        assert!(table.cancel("1"));
        assert!(state.is_cancelled());
        table.finish("1");
        assert!(!table.cancel("1"));
        assert!(table.is_empty());
    }

    #[test]
    fn own_process_exists_and_nonsense_pids_do_not() {
        assert!(process_exists(std::process::id() as i32));
        assert!(!process_exists(0));
        assert!(!process_exists(-5));
        assert!(!process_exists(i32::MAX));
    }

    #[test]
    fn tagged_commands_can_be_found_and_killed() {
        let jid = format!("test{}", std::process::id());
        let runner = JobRunner {
            inner: Arc::new(SystemRunner),
            jid: jid.clone(),
        };
        let start = Instant::now();
        let worker =
            std::thread::spawn(move || runner.run(&CmdSpec::shell("/bin/sh", "sleep 30")).unwrap());
        let mut pids = Vec::new();
        while pids.is_empty() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
            pids = job_pids(&jid);
        }
        assert!(!pids.is_empty(), "the job's command was not found in /proc");
        for pid in pids {
            assert!(send_signal(pid, libc::SIGKILL));
        }
        let out = worker.join().unwrap();
        assert_eq!(out.retcode, -libc::SIGKILL);
        assert!(start.elapsed() < Duration::from_secs(20));
    }
}
