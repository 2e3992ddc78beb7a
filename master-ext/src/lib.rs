//! halite-ctl: the master-side controller. An inventory (racks, nodes,
//! roles, OS image) becomes a generated Salt tree, checked by rendering
//! every node's highstate with Halite's own renderer and compiler, swapped
//! into the master's roots atomically, and rolled out rack by rack through
//! salt-api with a journal that survives the controller's crash.

pub mod cli;
pub mod inventory;
pub mod master;
pub mod rollout;
pub mod tree;
