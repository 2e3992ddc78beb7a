//! halite-state: Salt's state system.
//!
//! Pipeline: SLS names → render (halite-render) → high data (include/extend/exclude)
//! → low chunks (names, requisites, ordering) → runtime (requisites, test mode,
//! mod_watch, failhard, retry ...) → per-chunk results keyed by Salt's tags.
//! Also: top files, local pillar compilation, and the `state.*` execution functions.

pub mod compile;
pub mod engine;
pub mod exec_state;
pub mod files;
pub mod high;
pub mod pillar;
pub mod py;
pub mod runtime;
pub mod sls_loader;
pub mod top;

#[cfg(test)]
pub(crate) mod testutil;

pub use exec_state::register;
pub use files::LocalFileClient;
