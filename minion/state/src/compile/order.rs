//! Execution order: Salt's priority topological sort over the requisite graph
//! (`order_chunks`, `_get_chunk_order`, `lexicographical_topological_sort`).

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use halite_api::{Map, Value};

use super::graph::{DepGraph, ReqType};

fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn to_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        Value::from(f as i64)
    } else {
        Value::from(f)
    }
}

/// Non-numeric order keywords: `last`, `first`, anything else → cap.
fn keyword_order(v: Option<&Value>, cap: f64) -> f64 {
    match v.and_then(Value::as_str) {
        Some("last") => cap + 1_000_000.0,
        Some("first") => 0.0,
        _ => cap,
    }
}

/// Normalise a chunk's `order` in place (first sight of a node) and return it.
fn normalise(chunk: &mut Map, cap: f64) -> f64 {
    let mut order = match chunk.get("order").and_then(num_of) {
        Some(n) => n,
        None => {
            let o = keyword_order(chunk.get("order"), cap);
            chunk.insert("order".into(), to_value(o));
            o
        }
    };
    if let Some(no) = chunk
        .shift_remove("name_order")
        .as_ref()
        .and_then(num_of)
        .filter(|n| *n != 0.0)
    {
        order += no / 10000.0;
        chunk.insert("order".into(), Value::from(order));
    }
    if order < 0.0 {
        order += cap + 1_000_000.0;
        chunk.insert("order".into(), to_value(order));
    }
    order
}

fn chunk_order(g: &mut DepGraph, cap: f64, tag: &str) -> (f64, f64) {
    let idx = g.node_chunk(tag).expect("node exists");
    let mut order = normalise(&mut g.chunks[idx], cap);
    let child_min = match g.child_min(tag) {
        Some(v) => v,
        None => {
            let mut child_min = f64::INFINITY;
            let mut req_order = i32::MIN;
            for (child, kind) in g.out_edges(tag) {
                let w = kind.weight();
                if req_order <= w {
                    req_order = w;
                    let cidx = g.node_chunk(&child).expect("child exists");
                    let child_order = match g.chunks[cidx].get("order") {
                        None => f64::INFINITY,
                        Some(v) => match num_of(v) {
                            Some(n) => n,
                            None => {
                                let o = keyword_order(Some(v), cap);
                                g.chunks[cidx].insert("order".into(), to_value(o));
                                o
                            }
                        },
                    };
                    child_min = child_min.min(child_order);
                }
            }
            g.set_child_min(tag, child_min);
            child_min
        }
    };
    if order > child_min {
        order = child_min;
    }
    let own = g.chunks[idx].get("order").and_then(num_of).unwrap_or(order);
    (order, own)
}

#[derive(Debug)]
struct Item {
    key: (f64, f64),
    label: String,
    node: String,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key
            .0
            .total_cmp(&o.key.0)
            .then(self.key.1.total_cmp(&o.key.1))
            .then_with(|| self.label.cmp(&o.label))
            .then_with(|| self.node.cmp(&o.node))
    }
}

fn item(g: &mut DepGraph, cap: f64, node: &str) -> Reverse<Item> {
    let key = chunk_order(g, cap, node);
    let c = &g.chunks[g.node_chunk(node).expect("node")];
    let s = |k: &str| c.get(k).map(crate::py::py_str).unwrap_or_default();
    let label = format!("{}{}{}", s("state"), s("name"), s("fun"));
    Reverse(Item {
        key,
        label,
        node: node.to_string(),
    })
}

/// Topologically sort the nodes; `Err` when there is a cycle.
fn topo_sort(g: &mut DepGraph, cap: f64) -> Result<Vec<String>, ()> {
    let tags = g.node_tags();
    let mut in_degree: HashMap<String, usize> = tags
        .iter()
        .map(|t| (t.clone(), g.in_edges(t).len()))
        .collect();
    let mut heap = BinaryHeap::new();
    for t in &tags {
        if in_degree[t] == 0 {
            let it = item(g, cap, t);
            heap.push(it);
        }
    }
    let mut out = Vec::new();
    while let Some(Reverse(Item { node, .. })) = heap.pop() {
        for (target, _) in g.out_edges(&node) {
            let d = in_degree.get_mut(&target).expect("target");
            *d -= 1;
            if *d == 0 {
                let it = item(g, cap, &target);
                heap.push(it);
            }
        }
        out.push(node);
    }
    if out.len() != tags.len() {
        return Err(());
    }
    Ok(out)
}

fn find_cycle(g: &DepGraph) -> Vec<(String, String, ReqType)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Color {
        White,
        Gray,
        Black,
    }
    fn visit(
        g: &DepGraph,
        node: &str,
        color: &mut HashMap<String, Color>,
        parent: &mut HashMap<String, (String, ReqType)>,
    ) -> Option<Vec<(String, String, ReqType)>> {
        color.insert(node.to_string(), Color::Gray);
        for (target, kind) in g.out_edges(node) {
            match color[&target] {
                Color::Gray => {
                    let mut cycle = vec![(node.to_string(), target.clone(), kind)];
                    let mut cur = node.to_string();
                    while cur != target {
                        let (prev, k) = parent[&cur].clone();
                        cycle.push((prev.clone(), cur.clone(), k));
                        cur = prev;
                    }
                    cycle.reverse();
                    return Some(cycle);
                }
                Color::White => {
                    parent.insert(target.clone(), (node.to_string(), kind));
                    if let Some(c) = visit(g, &target, color, parent) {
                        return Some(c);
                    }
                }
                Color::Black => {}
            }
        }
        color.insert(node.to_string(), Color::Black);
        None
    }
    let tags = g.node_tags();
    let mut color: HashMap<String, Color> =
        tags.iter().map(|t| (t.clone(), Color::White)).collect();
    let mut parent = HashMap::new();
    for t in &tags {
        if color[t] == Color::White {
            if let Some(c) = visit(g, t, &mut color, &mut parent) {
                return c;
            }
        }
    }
    Vec::new()
}

fn cycle_message(g: &DepGraph) -> String {
    let parts: Vec<String> = find_cycle(g)
        .into_iter()
        .map(|(src, tgt, kind)| {
            let (s, t) = (
                g.node_chunk(&src).expect("src"),
                g.node_chunk(&tgt).expect("tgt"),
            );
            let kind = if kind == ReqType::Require && !g.chunks[t].contains_key("require") {
                ReqType::Prereq
            } else {
                kind
            };
            format!(
                "({}, '{}', {})",
                g.chunk_str(t),
                kind.name(),
                g.chunk_str(s)
            )
        })
        .collect();
    format!("Recursive requisites were found: {}", parts.join(", "))
}

/// Add every chunk's requisites and sort; returns chunk indices in execution
/// order (a prereq target appears twice: its test run, then its real run).
pub fn order_chunks(g: &mut DepGraph) -> Result<Vec<usize>, Vec<String>> {
    let mut cap = 1.0_f64;
    let mut errors = Vec::new();
    for idx in 0..g.chunks.len() {
        match g.add_requisites(idx) {
            Err(e) => errors.push(e),
            Ok(()) => {
                if let Some(o) = g.chunks[idx].get("order").and_then(int_order) {
                    if o > cap - 1.0 && o > 0.0 {
                        cap = o + 100.0;
                    }
                }
            }
        }
    }
    match topo_sort(g, cap) {
        Ok(nodes) => {
            if !errors.is_empty() {
                return Err(errors);
            }
            Ok(nodes
                .iter()
                .map(|n| g.node_chunk(n).expect("node"))
                .collect())
        }
        Err(()) => {
            errors.push(cycle_message(g));
            Err(errors)
        }
    }
}

fn int_order(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}
