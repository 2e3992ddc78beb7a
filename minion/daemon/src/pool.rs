//! A bounded pool of job threads: at most `max` jobs run at once, the rest
//! wait in FIFO order. Threads are started on demand and end when the queue
//! is empty, so an idle daemon has no worker threads.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};

type Task = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
struct PoolState {
    active: usize,
    queue: VecDeque<Task>,
}

/// The job pool.
#[derive(Clone)]
pub struct Pool {
    max: usize,
    state: Arc<(Mutex<PoolState>, Condvar)>,
}

/// The bound used when `process_count_max` is -1 (unbounded in Salt).
pub const DEFAULT_MAX_JOBS: usize = 32;

impl Pool {
    /// A pool running at most `max` tasks at once (`max` ≥ 1).
    pub fn new(max: usize) -> Self {
        Pool {
            max: max.max(1),
            state: Arc::new((Mutex::new(PoolState::default()), Condvar::new())),
        }
    }

    /// The bound from Salt's `process_count_max` (-1 or 0 → [`DEFAULT_MAX_JOBS`]).
    pub fn bound_from_option(process_count_max: i64) -> usize {
        if process_count_max > 0 {
            process_count_max as usize
        } else {
            DEFAULT_MAX_JOBS
        }
    }

    /// Queue a task; it starts at once if fewer than `max` are running.
    pub fn submit(&self, task: impl FnOnce() + Send + 'static) {
        let (lock, _) = &*self.state;
        let mut st = lock.lock().unwrap_or_else(|e| e.into_inner());
        if st.active >= self.max {
            st.queue.push_back(Box::new(task));
            return;
        }
        st.active += 1;
        drop(st);
        let pool = self.clone();
        std::thread::spawn(move || pool.work(Box::new(task)));
    }

    fn work(&self, first: Task) {
        let mut next = Some(first);
        while let Some(task) = next {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(task)).is_err() {
                tracing::error!("a job thread panicked");
            }
            let (lock, cvar) = &*self.state;
            let mut st = lock.lock().unwrap_or_else(|e| e.into_inner());
            next = st.queue.pop_front();
            if next.is_none() {
                st.active -= 1;
                cvar.notify_all();
            }
        }
    }

    /// Tasks running plus queued.
    pub fn load(&self) -> (usize, usize) {
        let st = self.state.0.lock().unwrap_or_else(|e| e.into_inner());
        (st.active, st.queue.len())
    }

    /// Wait until nothing runs or `limit` passes; true when idle.
    pub fn wait_idle(&self, limit: std::time::Duration) -> bool {
        let (lock, cvar) = &*self.state;
        let st = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (st, _) = cvar
            .wait_timeout_while(st, limit, |s| s.active > 0 || !s.queue.is_empty())
            .unwrap_or_else(|e| e.into_inner());
        st.active == 0 && st.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn never_more_than_max_at_once_and_all_run() {
        let pool = Pool::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..8 {
            let (running, peak, done) = (running.clone(), peak.clone(), done.clone());
            pool.submit(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                running.fetch_sub(1, Ordering::SeqCst);
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        assert!(pool.wait_idle(Duration::from_secs(10)));
        assert_eq!(done.load(Ordering::SeqCst), 8);
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_panicking_task_does_not_stall_the_queue() {
        let pool = Pool::new(1);
        let done = Arc::new(AtomicUsize::new(0));
        pool.submit(|| panic!("job failure"));
        let d = done.clone();
        pool.submit(move || {
            d.fetch_add(1, Ordering::SeqCst);
        });
        assert!(pool.wait_idle(Duration::from_secs(5)));
        assert_eq!(done.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn bound_from_salt_option() {
        assert_eq!(Pool::bound_from_option(-1), DEFAULT_MAX_JOBS);
        assert_eq!(Pool::bound_from_option(4), 4);
    }
}
