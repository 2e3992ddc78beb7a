//! halite-state: Salt's state system.
//!
//! Pipeline: SLS names → render (halite-render) → high data (include/extend/exclude)
//! → low chunks (names, requisites, ordering) → runtime (requisites, test mode,
//! mod_watch, failhard, retry ...) → per-chunk results keyed by Salt's tags.
//! Also: top files, local pillar compilation, and the `state.*` execution functions.

use halite_api::Registry;

/// Register the `state.*` execution functions (apply, sls, highstate, show_* ...).
pub fn register(reg: &mut Registry) {
    let _ = reg;
}
