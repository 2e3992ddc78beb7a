//! halite-modules: built-in execution and state modules.

use halite_api::Registry;

/// Register every built-in execution and state function.
pub fn register(reg: &mut Registry) {
    let _ = reg;
}
