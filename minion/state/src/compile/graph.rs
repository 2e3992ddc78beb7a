//! The requisite dependency graph (Salt's `DependencyGraph`): nodes are chunk
//! tags (plus `<tag>_|-__prereq_test__` nodes for prereq test runs), edges go
//! from a requisite target to its dependent, keyed by requisite type.

use std::collections::HashMap;
use std::sync::Arc;

use halite_api::{Map, Value};
use indexmap::{IndexMap, IndexSet};

use super::chunks::gen_tag;
use crate::py::{fnmatch, is_glob, py_repr, py_str};

/// Requisite kinds, in Salt's precedence order (the discriminant is the weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReqType {
    Onfail,
    OnfailAny,
    OnfailAll,
    Require,
    RequireAny,
    Onchanges,
    OnchangesAny,
    Watch,
    WatchAny,
    Prereq,
    Prerequired,
    Listen,
}

impl ReqType {
    pub const ALL: [ReqType; 12] = [
        ReqType::Onfail,
        ReqType::OnfailAny,
        ReqType::OnfailAll,
        ReqType::Require,
        ReqType::RequireAny,
        ReqType::Onchanges,
        ReqType::OnchangesAny,
        ReqType::Watch,
        ReqType::WatchAny,
        ReqType::Prereq,
        ReqType::Prerequired,
        ReqType::Listen,
    ];

    /// The order in which a chunk's requisite lists are turned into edges.
    pub const ADD_ORDER: [ReqType; 10] = [
        ReqType::Require,
        ReqType::RequireAny,
        ReqType::Watch,
        ReqType::WatchAny,
        ReqType::Prereq,
        ReqType::Onfail,
        ReqType::OnfailAny,
        ReqType::OnfailAll,
        ReqType::Onchanges,
        ReqType::OnchangesAny,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReqType::Onfail => "onfail",
            ReqType::OnfailAny => "onfail_any",
            ReqType::OnfailAll => "onfail_all",
            ReqType::Require => "require",
            ReqType::RequireAny => "require_any",
            ReqType::Onchanges => "onchanges",
            ReqType::OnchangesAny => "onchanges_any",
            ReqType::Watch => "watch",
            ReqType::WatchAny => "watch_any",
            ReqType::Prereq => "prereq",
            ReqType::Prerequired => "prerequired",
            ReqType::Listen => "listen",
        }
    }

    pub fn weight(self) -> i32 {
        self as i32
    }
}

#[derive(Debug, Clone)]
struct Node {
    chunk: usize,
    child_min: Option<f64>,
}

type Edges = HashMap<String, IndexMap<String, Vec<ReqType>>>;

/// A chunk tag, shared by the graph's indexes instead of copied into each.
type Tag = Arc<str>;

/// The graph plus the chunks it orders (chunks are mutated as Salt mutates them).
#[derive(Debug, Default)]
pub struct DepGraph {
    pub chunks: Vec<Map>,
    /// `gen_tag` of each chunk, computed once when it is added (the tag's
    /// fields never change afterwards).
    tags: Vec<Tag>,
    nodes: IndexMap<Tag, Node>,
    out: Edges,
    inn: Edges,
    /// How requisites find their targets; built on the first requisite, so
    /// runs without requisites never pay for it.
    index: Option<ReqIndex>,
}

/// Requisite target lookups, in chunk order.
#[derive(Debug, Default)]
struct ReqIndex {
    /// `(state or "id", name or id)` → tags. A plain list: a chunk adds its
    /// tag once per distinct key (the last entry is checked), and a repeated
    /// tag would only add the same edges again.
    lookup: IndexMap<(String, String), Vec<Tag>>,
    sls_to_nodes: IndexMap<String, IndexSet<Tag>>,
}

impl ReqIndex {
    fn add(&mut self, low: &Map, tag: &Tag) {
        let s = |k: &str| low.get(k).map(py_str).unwrap_or_default();
        let (state, name, id) = (s("state"), s("name"), s("__id__"));
        for key in [
            (state.clone(), name.clone()),
            (state, id.clone()),
            ("id".into(), id),
            ("id".into(), name),
        ] {
            let tags = self.lookup.entry(key).or_default();
            if !tags.last().is_some_and(|t| Arc::ptr_eq(t, tag)) {
                tags.push(Arc::clone(tag));
            }
        }
        if let Some(sls) = low
            .get("__sls__")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            self.sls_to_nodes
                .entry(sls.to_string())
                .or_default()
                .insert(Arc::clone(tag));
        }
        if let Some(Value::Array(from)) = low.get("__sls_included_from__") {
            for sls in from {
                self.sls_to_nodes
                    .entry(py_str(sls))
                    .or_default()
                    .insert(Arc::clone(tag));
            }
        }
    }
}

pub fn prereq_tag(tag: &str) -> String {
    format!("{tag}_|-__prereq_test__")
}

fn add_to(edges: &mut Edges, a: &str, b: &str, key: ReqType) {
    let keys = edges
        .entry(a.to_string())
        .or_default()
        .entry(b.to_string())
        .or_default();
    if !keys.contains(&key) {
        keys.push(key);
    }
}

impl DepGraph {
    /// Register a chunk as a node; returns its index in `chunks`.
    pub fn add_chunk(&mut self, low: Map) -> usize {
        let tag: Tag = gen_tag(&low).into();
        let idx = self.chunks.len();
        if let Some(index) = self.index.as_mut() {
            index.add(&low, &tag);
        }
        self.chunks.push(low);
        self.tags.push(Arc::clone(&tag));
        self.nodes.insert(
            tag,
            Node {
                chunk: idx,
                child_min: None,
            },
        );
        idx
    }

    fn add_edge(&mut self, src: &str, tgt: &str, key: ReqType) {
        add_to(&mut self.out, src, tgt, key);
        add_to(&mut self.inn, tgt, src, key);
    }

    fn chunk_of(&self, tag: &str) -> usize {
        self.nodes[tag].chunk
    }

    fn add_prereq(&mut self, node_tag: &str, req_tag: &str) {
        let a = self.chunk_of(node_tag);
        self.chunks[a].insert("__prerequiring__".into(), true.into());
        let t = self.chunk_of(req_tag);
        self.chunks[t].insert("__prereq__".into(), true.into());
        let check = prereq_tag(req_tag);
        if !self.nodes.contains_key(check.as_str()) {
            self.nodes.insert(
                check.as_str().into(),
                Node {
                    chunk: t,
                    child_min: None,
                },
            );
            for (dep, kind) in self.in_edges(req_tag) {
                if kind != ReqType::Prereq {
                    self.add_edge(&dep, &check, kind);
                }
            }
        }
        self.add_edge(&check, node_tag, ReqType::Prereq);
        self.add_edge(node_tag, req_tag, ReqType::Require);
        let node_check = prereq_tag(node_tag);
        if self.nodes.contains_key(node_check.as_str()) {
            self.add_edge(&check, &node_check, ReqType::Prereq);
        }
    }

    fn add_reqs(&mut self, node_tag: &str, has_prereq: bool, kind: ReqType, req_tags: &[Tag]) {
        for req in req_tags {
            if kind == ReqType::Prereq {
                self.add_prereq(node_tag, req);
            } else {
                if has_prereq {
                    self.add_edge(req, &prereq_tag(node_tag), kind);
                }
                self.add_edge(req, node_tag, kind);
            }
        }
    }

    /// `(source, kind)` of every edge into `tag`, in insertion order.
    pub fn in_edges(&self, tag: &str) -> Vec<(String, ReqType)> {
        let mut out = Vec::new();
        if let Some(m) = self.inn.get(tag) {
            for (src, kinds) in m {
                out.extend(kinds.iter().map(|k| (src.clone(), *k)));
            }
        }
        out
    }

    /// The requisite index, built from every chunk so far on first use (in
    /// chunk order, as if each chunk had been indexed when it was added).
    fn req_index(&mut self) -> &ReqIndex {
        if self.index.is_none() {
            let mut index = ReqIndex::default();
            for (low, tag) in self.chunks.iter().zip(&self.tags) {
                let shared = self.nodes.get_key_value(&**tag).map_or(tag, |(t, _)| t);
                index.add(low, shared);
            }
            self.index = Some(index);
        }
        self.index.as_ref().expect("built above")
    }

    fn add_dependency(&mut self, idx: usize, kind: ReqType, key: &str, val: &str) -> bool {
        let has_prereq = self.chunks[idx]
            .get("__prereq__")
            .is_some_and(crate::high::truthy);
        let tag = Arc::clone(&self.tags[idx]);
        let index = self.req_index();
        let targets: Vec<Tag> = if key == "sls" {
            if is_glob(val) {
                let t: Vec<Tag> = index
                    .sls_to_nodes
                    .iter()
                    .filter(|(s, _)| fnmatch(s, val))
                    .flat_map(|(_, t)| t.iter().cloned())
                    .collect();
                self.add_reqs(&tag, has_prereq, kind, &t);
                return true;
            }
            index
                .sls_to_nodes
                .get(val)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        } else if is_glob(val) {
            index
                .lookup
                .iter()
                .filter(|((st, n), _)| st == key && fnmatch(n, val))
                .flat_map(|(_, t)| t.iter().cloned())
                .collect()
        } else {
            index
                .lookup
                .get(&(key.to_string(), val.to_string()))
                .map(|s| s.to_vec())
                .unwrap_or_default()
        };
        if targets.is_empty() {
            return false;
        }
        self.add_reqs(&tag, has_prereq, kind, &targets);
        true
    }

    /// Turn one chunk's requisite lists into edges; `Err` is Salt's message.
    pub fn add_requisites(&mut self, idx: usize) -> Result<(), String> {
        for kind in ReqType::ADD_ORDER {
            let Some(Value::Array(reqs)) = self.chunks[idx].get(kind.name()).cloned() else {
                continue;
            };
            for req in reqs {
                let (key, val) = match &req {
                    Value::String(s) => ("id".to_string(), Value::String(s.clone())),
                    Value::Object(m) if !m.is_empty() => {
                        let (k, v) = m.iter().next().expect("non-empty");
                        (k.split('.').next().unwrap_or(k).to_string(), v.clone())
                    }
                    _ => continue,
                };
                let low = &self.chunks[idx];
                let val = match val {
                    Value::Null => continue,
                    Value::String(s) => s,
                    _ => {
                        return Err(format!(
                            "Requisite [{}: {key}] in state [{}] in SLS [{}] must have a string as the value",
                            kind.name(),
                            low.get("name").map(py_str).unwrap_or_default(),
                            low.get("__sls__").map(py_str).unwrap_or_else(|| "None".into())
                        ))
                    }
                };
                if !self.add_dependency(idx, kind, &key, &val) {
                    let low = &self.chunks[idx];
                    return Err(format!(
                        "Referenced state does not exist for requisite [{}: ({key}: {val})] in state [{}] in SLS [{}]",
                        kind.name(),
                        low.get("name").map(py_str).unwrap_or_default(),
                        low.get("__sls__").map(py_str).unwrap_or_else(|| "None".into())
                    ));
                }
            }
        }
        Ok(())
    }

    /// The tag of chunk `idx` (Salt's `state_|-id_|-name_|-fun`).
    pub fn tag(&self, idx: usize) -> &str {
        &self.tags[idx]
    }

    /// The chunk index behind a node tag.
    pub fn node_chunk(&self, tag: &str) -> Option<usize> {
        self.nodes.get(tag).map(|n| n.chunk)
    }

    pub(crate) fn out_edges(&self, tag: &str) -> Vec<(String, ReqType)> {
        let mut out = Vec::new();
        if let Some(m) = self.out.get(tag) {
            for (t, kinds) in m {
                out.extend(kinds.iter().map(|k| (t.clone(), *k)));
            }
        }
        out
    }

    pub(crate) fn node_tags(&self) -> Vec<String> {
        self.nodes.keys().map(|t| t.to_string()).collect()
    }

    pub(crate) fn child_min(&self, tag: &str) -> Option<f64> {
        self.nodes[tag].child_min
    }

    pub(crate) fn set_child_min(&mut self, tag: &str, v: f64) {
        if let Some(n) = self.nodes.get_mut(tag) {
            n.child_min = Some(v);
        }
    }

    /// `{'SLS': ..., 'ID': ..., 'NAME': ...}` as Salt prints a chunk in cycle errors.
    pub fn chunk_str(&self, idx: usize) -> String {
        let c = &self.chunks[idx];
        let mut m = Map::new();
        m.insert(
            "SLS".into(),
            c.get("__sls__").cloned().unwrap_or(Value::Null),
        );
        m.insert("ID".into(), c.get("__id__").cloned().unwrap_or(Value::Null));
        if c.get("__id__") != c.get("name") {
            m.insert("NAME".into(), c.get("name").cloned().unwrap_or(Value::Null));
        }
        py_repr(&Value::Object(m))
    }
}
