//! The runtime: executes ordered chunks as Salt's `State.call_chunks` does —
//! requisite evaluation, prereq test runs, watch → mod_watch, failhard,
//! `__run_num__` accounting, then `listen` handlers.

mod call;
mod globals;
mod listen;
mod requisites;
mod time;

use std::collections::HashMap;

use halite_api::{Ctx, Map, Value};
use indexmap::IndexMap;

use crate::compile::{Compiled, DepGraph};
use crate::high::truthy;
pub use requisites::Status;

/// Results keyed by chunk tag, in insertion order.
pub type Running = IndexMap<String, Map>;

/// One state run.
pub struct Runner {
    ctx: Ctx,
    graph: DepGraph,
    running: Running,
    pre: HashMap<String, Map>,
    run_num: i64,
    failhard_hit: bool,
}

impl Runner {
    /// A runner over compiled chunks; `ctx.test` decides test mode.
    pub fn new(ctx: Ctx, compiled: Compiled) -> (Self, Vec<usize>) {
        let runner = Runner {
            ctx,
            graph: compiled.graph,
            running: Running::new(),
            pre: HashMap::new(),
            run_num: 0,
            failhard_hit: false,
        };
        (runner, compiled.order)
    }

    /// Execute everything (chunks, then listeners) and return the result map.
    pub fn run(ctx: Ctx, compiled: Compiled) -> Map {
        let (mut runner, order) = Runner::new(ctx, compiled);
        runner.call_chunks(&order);
        runner.call_listen(&order);
        runner
            .running
            .into_iter()
            .map(|(k, v)| (k, Value::Object(v)))
            .collect()
    }

    fn tag(&self, idx: usize) -> String {
        self.graph.tag(idx).to_string()
    }

    fn is_prereq(&self, idx: usize) -> bool {
        self.graph.chunks[idx].get("__prereq__").is_some_and(truthy)
    }

    fn next_run_num(&mut self) -> i64 {
        let n = self.run_num;
        self.run_num += 1;
        n
    }

    fn call_chunks(&mut self, order: &[usize]) {
        for &idx in order {
            if self.failhard_hit {
                return;
            }
            if !self.running.contains_key(self.graph.tag(idx)) {
                self.call_chunk(idx, 0);
                if self.check_failhard(idx) {
                    return;
                }
                // Salt's SaltSystemExit (a template's dns_check) ends the run.
                if halite_api::ctx::system_exit_requested(&self.ctx.context) {
                    return;
                }
            }
        }
    }

    /// Should this chunk's result stop the run (Salt's `check_failhard`)?
    fn check_failhard(&self, idx: usize) -> bool {
        if self.ctx.test {
            return false;
        }
        let low = &self.graph.chunks[idx];
        let on = match low.get("failhard") {
            Some(v) => truthy(v),
            None => self.ctx.opt("failhard").is_some_and(truthy),
        };
        let Some(ret) = self.running.get(self.graph.tag(idx)) else {
            return false;
        };
        on && ret.get("result") == Some(&Value::Bool(false))
    }

    fn call_chunk(&mut self, idx: usize, depth: u32) {
        let tag = self.tag(idx);
        let (status, reqs) = self.check_requisites(idx);
        let prereq = self.is_prereq(idx);
        match status {
            Status::Unmet => {
                self.call_unmet(idx, &tag, depth);
            }
            Status::Met => self.store_call(idx, &tag, prereq),
            Status::SkipReq => self.not_run(
                idx,
                &tag,
                true,
                "State was not run because requisites were skipped by another state",
            ),
            Status::SkipWatch if !prereq => {
                let low = self.graph.chunks[idx].clone();
                let mut ret = self.call(low, Some(idx), 1);
                let c = ret
                    .get("comment")
                    .map(crate::py::py_str)
                    .unwrap_or_default();
                ret.insert(
                    "comment".into(),
                    format!("{c} mod_watch was not run because requisites were skipped by another state").into(),
                );
                self.running.insert(tag, ret);
            }
            Status::Fail => self.fail(idx, &tag, &reqs),
            Status::Change if !prereq => {
                let low = self.graph.chunks[idx].clone();
                let mut ret = self.call(low.clone(), Some(idx), 1);
                let changed = ret.get("changes").is_some_and(truthy);
                if !changed && !ret.get("skip_watch").is_some_and(truthy) {
                    let mut low = low;
                    let fun = low.get("fun").cloned().unwrap_or(Value::Null);
                    low.insert("sfun".into(), fun);
                    low.insert("fun".into(), "mod_watch".into());
                    ret = self.call(low, None, 1);
                }
                self.running.insert(tag, ret);
            }
            Status::Pre => self.not_run(idx, &tag, true, "No changes detected"),
            Status::Onfail => self.not_run(
                idx,
                &tag,
                true,
                "State was not run because onfail req did not change",
            ),
            Status::Onchanges => self.not_run(
                idx,
                &tag,
                true,
                "State was not run because none of the onchanges reqs changed",
            ),
            _ => self.store_call(idx, &tag, prereq),
        }
    }

    fn store_call(&mut self, idx: usize, tag: &str, prereq: bool) {
        let low = self.graph.chunks[idx].clone();
        let ret = self.call(low, Some(idx), 1);
        if prereq {
            self.pre.insert(tag.to_string(), ret);
        } else {
            self.running.insert(tag.to_string(), ret);
        }
    }

    fn fail(&mut self, idx: usize, tag: &str, reqs: &[(crate::compile::ReqType, usize)]) {
        if let Some(mut pre) = self.pre.get(tag).cloned() {
            if pre.get("changes").is_some_and(truthy) {
                pre.insert("changes".into(), Value::Object(Map::new()));
            }
            pre.insert("__run_num__".into(), self.next_run_num().into());
            let low = &self.graph.chunks[idx];
            for key in ["__sls__", "__id__", "name"] {
                pre.insert(key.into(), low.get(key).cloned().unwrap_or(Value::Null));
            }
            self.running.insert(tag.to_string(), pre);
            return;
        }
        let mut failed: Vec<String> = Vec::new();
        for (_, r) in reqs {
            let rlow = &self.graph.chunks[*r];
            let rtag = self.graph.tag(*r);
            let Some(rret) = self.pre.get(rtag).or_else(|| self.running.get(rtag)) else {
                continue;
            };
            if rret.get("result") == Some(&Value::Bool(false)) {
                let s = |k: &str| {
                    rlow.get(k)
                        .map(crate::py::py_str)
                        .unwrap_or_else(|| "None".into())
                };
                let key = format!("{}.{}", s("__sls__"), s("__id__"));
                if !failed.contains(&key) {
                    failed.push(key);
                }
            }
        }
        let comment = format!("One or more requisite failed: {}", failed.join(", "));
        self.not_run(idx, tag, false, &comment);
    }

    /// Record a chunk that did not run (Salt's `_assign_not_run_result_dict`).
    fn not_run(&mut self, idx: usize, tag: &str, result: bool, comment: &str) {
        let (start_time, duration) = time::fake_duration();
        let mut ret = Map::new();
        ret.insert("changes".into(), Value::Object(Map::new()));
        ret.insert("result".into(), result.into());
        ret.insert("duration".into(), duration.into());
        ret.insert("start_time".into(), start_time.into());
        ret.insert("comment".into(), comment.into());
        ret.insert("__state_ran__".into(), false.into());
        ret.insert("__run_num__".into(), self.next_run_num().into());
        let low = &self.graph.chunks[idx];
        for key in ["__sls__", "__id__", "name"] {
            ret.insert(key.into(), low.get(key).cloned().unwrap_or(Value::Null));
        }
        if self.is_prereq(idx) {
            self.pre.insert(tag.to_string(), ret.clone());
        }
        self.running.insert(tag.to_string(), ret);
    }
}

#[cfg(test)]
mod tests;
