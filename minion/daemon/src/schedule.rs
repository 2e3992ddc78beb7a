//! The minion scheduler (`schedule` option): interval jobs (`seconds`,
//! `minutes`, `hours`, `days`) with `splay`, `run_on_start`, `maxrunning`,
//! `enabled`, `return_job` (true / false / `nocache`), `args`, `kwargs`.
//! `cron`, `when`, `once` and `range` entries need a calendar and are logged
//! and skipped.

use std::time::{Duration, Instant};

use halite_api::{Map, Value};

/// Where a scheduled job's return goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnJob {
    /// jid `req`: the master allocates a jid and stores the return.
    Store,
    /// jid `nocache`: returned but not stored.
    NoCache,
    /// Not returned at all.
    Off,
}

/// One schedule entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub function: String,
    pub args: Vec<Value>,
    pub kwargs: Map,
    pub interval: Duration,
    pub splay: Option<(u64, u64)>,
    pub maxrunning: usize,
    pub return_job: ReturnJob,
    next_fire: Instant,
}

impl Entry {
    /// The publication-style `arg` list (args, then a `__kwarg__` map).
    pub fn arg_list(&self) -> Value {
        let mut arg = self.args.clone();
        if !self.kwargs.is_empty() {
            let mut kw = self.kwargs.clone();
            kw.insert("__kwarg__".into(), Value::Bool(true));
            arg.push(Value::Object(kw));
        }
        Value::Array(arg)
    }

    /// `fun_args` as Salt's scheduler reports them (args, then the kwargs map).
    pub fn fun_args(&self) -> Value {
        let mut out = self.args.clone();
        if !self.kwargs.is_empty() {
            out.push(Value::Object(self.kwargs.clone()));
        }
        Value::Array(out)
    }
}

/// The minion's schedule.
#[derive(Debug, Default)]
pub struct Scheduler {
    pub entries: Vec<Entry>,
}

fn seconds_of(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn interval_of(job: &Map) -> Option<Duration> {
    let units = [
        ("seconds", 1.0),
        ("minutes", 60.0),
        ("hours", 3600.0),
        ("days", 86400.0),
    ];
    let total: f64 = units
        .iter()
        .filter_map(|(k, mult)| job.get(*k).and_then(seconds_of).map(|n| n * mult))
        .sum();
    (total > 0.0).then(|| Duration::from_secs_f64(total))
}

fn splay_of(job: &Map) -> Option<(u64, u64)> {
    match job.get("splay")? {
        Value::Object(m) => {
            let start = m.get("start").and_then(seconds_of).unwrap_or(0.0) as u64;
            let end = m.get("end").and_then(seconds_of).unwrap_or(0.0) as u64;
            Some((start, end.max(start)))
        }
        v => seconds_of(v).map(|s| (0, s as u64)),
    }
}

fn return_job_of(job: &Map) -> ReturnJob {
    match job.get("return_job") {
        Some(Value::String(s)) if s == "nocache" => ReturnJob::NoCache,
        Some(v) if !halite_api::value::is_truthy(v) => ReturnJob::Off,
        _ => ReturnJob::Store,
    }
}

/// The name of Salt's mine schedule entry.
pub const MINE_JOB: &str = "__mine_interval";

/// Salt's `__mine_interval` entry, as the Python minion adds it.
fn mine_job(opts: &Map) -> Value {
    let minutes = opts
        .get("mine_interval")
        .cloned()
        .unwrap_or(Value::from(60));
    let return_job = opts
        .get("mine_return_job")
        .cloned()
        .unwrap_or(Value::Bool(false));
    serde_json::json!({
        "function": "mine.update",
        "minutes": minutes,
        "jid_include": true,
        "maxrunning": 2,
        "run_on_start": true,
        "return_job": return_job,
    })
}

/// A random number in `[low, high]` (std's randomly keyed hasher as the source).
pub fn random_between(low: u64, high: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    if high <= low {
        return low;
    }
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(low ^ high);
    low + h.finish() % (high - low + 1)
}

impl Scheduler {
    /// Read the `schedule` option; bad entries are logged and skipped.
    /// With `mine_enabled` (the default) the schedule also holds Salt's
    /// `__mine_interval`: `mine.update` at start and every `mine_interval`
    /// minutes, returned only with `mine_return_job`.
    pub fn from_opts(opts: &Map, now: Instant) -> Scheduler {
        let empty = Map::new();
        let schedule = opts
            .get("schedule")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if schedule
            .get("enabled")
            .is_some_and(|v| !halite_api::value::is_truthy(v))
        {
            return Scheduler::default();
        }
        let mut entries: Vec<Entry> = schedule
            .iter()
            .filter_map(|(name, job)| Self::entry(name, job, now))
            .collect();
        if opts
            .get("mine_enabled")
            .is_none_or(halite_api::value::is_truthy)
        {
            entries.extend(Self::entry(MINE_JOB, &mine_job(opts), now));
        }
        Scheduler { entries }
    }

    fn entry(name: &str, job: &Value, now: Instant) -> Option<Entry> {
        let job = job.as_object()?;
        if job
            .get("enabled")
            .is_some_and(|v| !halite_api::value::is_truthy(v))
        {
            return None;
        }
        let Some(function) = job
            .get("function")
            .or(job.get("fun"))
            .and_then(Value::as_str)
        else {
            tracing::error!("schedule entry '{name}': no 'function'; ignored");
            return None;
        };
        let Some(interval) = interval_of(job) else {
            tracing::error!("schedule entry '{name}': only seconds/minutes/hours/days intervals are supported; ignored");
            return None;
        };
        let run_on_start = job
            .get("run_on_start")
            .is_none_or(halite_api::value::is_truthy);
        let args = match job.get("args").or(job.get("arg")) {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        };
        let mut entry = Entry {
            name: name.to_string(),
            function: function.to_string(),
            args,
            kwargs: job
                .get("kwargs")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            interval,
            splay: splay_of(job),
            maxrunning: job
                .get("maxrunning")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1) as usize,
            return_job: return_job_of(job),
            next_fire: now,
        };
        if !run_on_start {
            entry.next_fire = now + entry.delay();
        }
        Some(entry)
    }

    /// The entries due at `now`; each one's next fire time moves on.
    pub fn due(&mut self, now: Instant) -> Vec<Entry> {
        let mut fired = Vec::new();
        for entry in &mut self.entries {
            if entry.next_fire <= now {
                fired.push(entry.clone());
                entry.next_fire = now + entry.delay();
            }
        }
        fired
    }
}

impl Entry {
    /// The interval plus a fresh splay.
    fn delay(&self) -> Duration {
        let splay = self
            .splay
            .map(|(lo, hi)| random_between(lo, hi))
            .unwrap_or(0);
        self.interval + Duration::from_secs(splay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(schedule: Value) -> Map {
        json!({"schedule": schedule, "mine_enabled": false})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn the_mine_is_updated_at_start_and_every_mine_interval() {
        let t0 = Instant::now();
        let conf = json!({"mine_interval": 5}).as_object().unwrap().clone();
        let mut s = Scheduler::from_opts(&conf, t0);
        let due = s.due(t0);
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].name.as_str(), due[0].function.as_str()),
            (MINE_JOB, "mine.update")
        );
        assert_eq!(due[0].return_job, ReturnJob::Off);
        assert_eq!(due[0].maxrunning, 2);
        assert!(s.due(t0 + Duration::from_secs(299)).is_empty());
        assert_eq!(s.due(t0 + Duration::from_secs(300)).len(), 1);
        let off = json!({"mine_enabled": false}).as_object().unwrap().clone();
        assert!(Scheduler::from_opts(&off, t0).entries.is_empty());
    }

    #[test]
    fn interval_entries_run_on_start_then_every_interval() {
        let t0 = Instant::now();
        let mut s = Scheduler::from_opts(
            &opts(json!({"ping": {"function": "test.ping", "seconds": 10}})),
            t0,
        );
        assert_eq!(s.due(t0).len(), 1);
        assert!(s.due(t0 + Duration::from_secs(9)).is_empty());
        assert_eq!(s.due(t0 + Duration::from_secs(10)).len(), 1);
    }

    #[test]
    fn run_on_start_false_waits_and_splay_bounds_hold() {
        let t0 = Instant::now();
        let sched = json!({"hs": {"function": "state.highstate", "minutes": 1, "splay": 5, "run_on_start": false}});
        let mut s = Scheduler::from_opts(&opts(sched), t0);
        assert!(s.due(t0).is_empty());
        assert!(s.due(t0 + Duration::from_secs(59)).is_empty());
        assert_eq!(s.due(t0 + Duration::from_secs(65)).len(), 1);
        for _ in 0..50 {
            let r = random_between(3, 7);
            assert!((3..=7).contains(&r));
        }
    }

    #[test]
    fn entries_parse_args_kwargs_and_return_modes() {
        let t0 = Instant::now();
        let sched = json!({
            "a": {"function": "cmd.run", "seconds": 5, "args": ["echo hi"], "kwargs": {"shell": "/bin/sh"}, "return_job": false},
            "b": {"function": "test.ping", "hours": 1, "return_job": "nocache", "maxrunning": 2},
            "c": {"function": "test.ping", "cron": "* * * * *"},
            "d": {"seconds": 5},
            "e": {"function": "test.ping", "seconds": 5, "enabled": false},
        });
        let s = Scheduler::from_opts(&opts(sched), t0);
        let names: Vec<&str> = s.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(s.entries[0].return_job, ReturnJob::Off);
        assert_eq!(
            s.entries[0].arg_list(),
            json!(["echo hi", {"shell": "/bin/sh", "__kwarg__": true}])
        );
        assert_eq!(
            s.entries[0].fun_args(),
            json!(["echo hi", {"shell": "/bin/sh"}])
        );
        assert_eq!(s.entries[1].return_job, ReturnJob::NoCache);
        assert_eq!(s.entries[1].maxrunning, 2);
        assert_eq!(s.entries[1].interval, Duration::from_secs(3600));
    }

    #[test]
    fn globally_disabled_schedule_is_empty() {
        let s = Scheduler::from_opts(
            &opts(json!({"enabled": false, "a": {"function": "test.ping", "seconds": 1}})),
            Instant::now(),
        );
        assert!(s.entries.is_empty());
    }
}
