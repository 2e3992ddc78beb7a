//! Requisite evaluation for one chunk (Salt's `_check_requisites` and
//! `_call_unmet_requisites`).

use std::collections::HashSet;

use halite_api::{Map, Value};

use super::Runner;
use crate::compile::graph::prereq_tag;
use crate::compile::ReqType;
use crate::high::truthy;

/// The combined requisite verdict for a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Unmet,
    Fail,
    SkipReq,
    SkipWatch,
    Pre,
    Met,
    Onfail,
    Onchanges,
    Change,
}

fn base_kind(k: ReqType) -> ReqType {
    match k {
        ReqType::OnfailAny | ReqType::OnfailAll => ReqType::Onfail,
        ReqType::RequireAny => ReqType::Require,
        ReqType::OnchangesAny => ReqType::Onchanges,
        ReqType::WatchAny => ReqType::Watch,
        other => other,
    }
}

fn is_any(k: ReqType) -> bool {
    matches!(
        k,
        ReqType::OnfailAny | ReqType::RequireAny | ReqType::OnchangesAny | ReqType::WatchAny
    )
}

/// The stats one requisite target contributes.
fn target_stats(base: ReqType, ret: &Map, stats: &mut HashSet<&'static str>) {
    if ret.get("skip_req").is_some_and(truthy) {
        stats.insert("skip_req");
    }
    let result = ret.get("result");
    let changed = ret.get("changes").is_some_and(truthy);
    if base == ReqType::Onfail {
        if result == Some(&Value::Bool(true)) {
            stats.insert("onfail");
            return;
        }
    } else if base == ReqType::Onchanges {
        if result == Some(&Value::Bool(false)) || !changed {
            stats.insert("onchanges");
        } else {
            stats.insert("onchangesmet");
        }
        return;
    } else if result == Some(&Value::Bool(false)) {
        stats.insert("fail");
        return;
    }
    if base == ReqType::Watch && changed {
        stats.insert("change");
        return;
    }
    if base == ReqType::Prereq {
        stats.insert(if result.is_none_or(Value::is_null) {
            "premet"
        } else {
            "pre"
        });
    } else if ret.get("__state_ran__").is_none_or(truthy) {
        stats.insert("met");
    }
}

fn adjust_any(kind: ReqType, stats: &mut HashSet<&'static str>) {
    if is_any(kind) || kind == ReqType::Onfail {
        if stats.contains("met") || stats.contains("change") {
            stats.remove("fail");
        }
        if stats.contains("onchangesmet") {
            stats.remove("onchanges");
            stats.remove("fail");
        }
        if stats.contains("onfail") && stats.contains("met") {
            stats.remove("onfail");
        }
    }
    if kind == ReqType::OnfailAll && stats.contains("onfail") && stats.contains("met") {
        stats.remove("met");
    }
}

fn decide(s: &HashSet<&'static str>) -> Status {
    let has = |k: &str| s.contains(k);
    if has("unmet") {
        Status::Unmet
    } else if has("fail") {
        Status::Fail
    } else if has("skip_req") && (has("onchangesmet") || has("premet")) {
        Status::SkipReq
    } else if has("skip_req") && has("change") {
        Status::SkipWatch
    } else if has("pre") {
        if has("premet") {
            Status::Met
        } else {
            Status::Pre
        }
    } else if has("onfail") && !has("onchangesmet") {
        Status::Onfail
    } else if has("onchanges") && !has("onchangesmet") {
        Status::Onchanges
    } else if has("change") {
        Status::Change
    } else {
        Status::Met
    }
}

impl Runner {
    /// `(kind, target chunk)` for every requisite edge into this chunk.
    pub(super) fn dependencies(&self, idx: usize) -> Vec<(ReqType, usize)> {
        let mut tag = self.tag(idx);
        if self.is_prereq(idx) {
            tag = prereq_tag(&tag);
        }
        self.graph
            .in_edges(&tag)
            .into_iter()
            .filter_map(|(src, kind)| self.graph.node_chunk(&src).map(|c| (kind, c)))
            .collect()
    }

    pub(super) fn check_requisites(&self, idx: usize) -> (Status, Vec<(ReqType, usize)>) {
        let deps = self.dependencies(idx);
        let mut kinds: Vec<ReqType> = Vec::new();
        for (k, _) in &deps {
            if !kinds.contains(k) {
                kinds.push(*k);
            }
        }
        let mut fun_stats: HashSet<&'static str> = HashSet::new();
        for kind in kinds {
            let base = base_kind(kind);
            let mut stats = HashSet::new();
            for (_, c) in deps.iter().filter(|(k, _)| *k == kind) {
                let tag = self.graph.tag(*c);
                let found = if base == ReqType::Prereq {
                    self.pre.get(tag)
                } else {
                    self.running.get(tag)
                };
                match found {
                    None => {
                        stats.insert("unmet");
                    }
                    Some(ret) => target_stats(base, ret, &mut stats),
                }
            }
            adjust_any(kind, &mut stats);
            fun_stats.extend(stats);
        }
        (decide(&fun_stats), deps)
    }

    /// Run the not-yet-run requisite targets, then this chunk.
    pub(super) fn call_unmet(&mut self, idx: usize, tag: &str, depth: u32) {
        for (_, dep) in self.dependencies(idx) {
            let ctag = self.tag(dep);
            if !self.running.contains_key(&ctag) {
                self.call_chunk(dep, 0);
                if self.failhard_hit {
                    return;
                }
                if self.check_failhard(dep) {
                    self.failhard_hit = true;
                    return;
                }
            }
        }
        if self.is_prereq(idx) {
            self.prereq_after_unmet(idx, tag);
        } else if depth + 1 >= 20 {
            let mut ret = Map::new();
            ret.insert("changes".into(), Value::Object(Map::new()));
            ret.insert("result".into(), false.into());
            ret.insert("comment".into(), "Recursive requisite found".into());
            ret.insert("__run_num__".into(), self.run_num.into());
            let low = &self.graph.chunks[idx];
            for key in ["__sls__", "__id__", "name"] {
                ret.insert(key.into(), low.get(key).cloned().unwrap_or(Value::Null));
            }
            self.running.insert(tag.to_string(), ret);
        } else {
            self.call_chunk(idx, depth + 1);
        }
        if self.check_failhard(idx) {
            self.failhard_hit = true;
        }
    }

    fn prereq_after_unmet(&mut self, idx: usize, tag: &str) {
        let (status, _) = self.check_requisites(idx);
        if status == Status::Pre {
            let (start_time, duration) = super::time::fake_duration();
            let mut ret = Map::new();
            ret.insert("changes".into(), Value::Object(Map::new()));
            ret.insert("result".into(), true.into());
            ret.insert("duration".into(), duration.into());
            ret.insert("start_time".into(), start_time.into());
            ret.insert("comment".into(), "No changes detected".into());
            ret.insert("__run_num__".into(), self.next_run_num().into());
            ret.insert("__state_ran__".into(), false.into());
            let low = &self.graph.chunks[idx];
            for key in ["__sls__", "__id__", "name"] {
                ret.insert(key.into(), low.get(key).cloned().unwrap_or(Value::Null));
            }
            self.pre.insert(tag.to_string(), ret);
            return;
        }
        let low = self.graph.chunks[idx].clone();
        let mut ret = self.call(low, Some(idx), 1);
        if !ret.get("changes").is_some_and(truthy) && status == Status::Change {
            let mut m = Map::new();
            m.insert("watch".into(), "watch".into());
            ret.insert("changes".into(), Value::Object(m));
            ret.insert("result".into(), Value::Null);
        }
        self.pre.insert(tag.to_string(), ret);
    }
}
