//! The generated Salt tree: built from the inventory ([`generate`]),
//! checked by rendering every node's highstate with Halite's own engine
//! ([`check`]), written and swapped into the master's roots ([`publish`]).

pub mod check;
pub mod generate;
pub mod publish;

pub use generate::{generate, Tree};
