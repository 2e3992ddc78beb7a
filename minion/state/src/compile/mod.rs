//! The compiler: merged high data → validated, requisite-linked, ordered low chunks.

pub mod chunks;
pub mod graph;
pub mod order;
pub mod req_in;
pub mod verify;

use halite_api::{Map, Registry, Value};

pub use chunks::gen_tag;
pub use graph::{DepGraph, ReqType};

/// Compiled, ordered chunks ready for the runtime.
#[derive(Debug)]
pub struct Compiled {
    pub graph: DepGraph,
    /// Chunk indices in execution order.
    pub order: Vec<usize>,
}

/// Does state module `module` have a `mod_watch`?
pub fn has_mod_watch(registry: &Registry, module: &str) -> bool {
    let prefix = format!("{module}.");
    registry.state(&format!("{module}.mod_watch")).is_some()
        || registry
            .state_names()
            .filter(|n| n.starts_with(&prefix))
            .any(|n| registry.state(n).is_some_and(|s| s.mod_watch.is_some()))
}

/// Steps before chunk compilation: extend, validation, requisite_in, exclude.
pub fn prepare_high(high: &mut Map) -> Result<(), Vec<String>> {
    let mut errors = crate::high::reconcile_extend(high, false);
    errors.extend(verify::verify_high(high));
    if !errors.is_empty() {
        return Err(errors);
    }
    errors.extend(req_in::requisite_in(high));
    crate::high::apply_exclude(high);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Watch on a module without `mod_watch` acts as require (Salt's `_reconcile_watch_req`).
fn reconcile_watch(chunk: &mut Map, registry: &Registry) {
    let module = chunk
        .get("state")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if has_mod_watch(registry, &module) {
        return;
    }
    for (from, to) in [("watch", "require"), ("watch_any", "require_any")] {
        if let Some(moved) = chunk.shift_remove(from) {
            let items = match moved {
                Value::Array(a) => a,
                other => vec![other],
            };
            match chunk.entry(to).or_insert_with(|| Value::Array(vec![])) {
                Value::Array(a) => a.extend(items),
                slot => *slot = Value::Array(items),
            }
        }
    }
}

/// Compile prepared high data (consumed) into ordered chunks.
pub fn compile_low(high: Map, registry: &Registry) -> Result<Compiled, Vec<String>> {
    let mut graph = DepGraph::default();
    for mut chunk in chunks::compile_high_data(high) {
        reconcile_watch(&mut chunk, registry);
        graph.add_chunk(chunk);
    }
    let order = order::order_chunks(&mut graph)?;
    Ok(Compiled { graph, order })
}

/// The whole compiler: high data → ordered chunks, or Salt's error list.
pub fn compile(mut high: Map, registry: &Registry) -> Result<Compiled, Vec<String>> {
    prepare_high(&mut high)?;
    compile_low(high, registry)
}

#[cfg(test)]
mod tests;
