//! Node networking in network namespaces this test makes: the orb0 move,
//! routed pod veths, commit-confirmed rollbacks, and cbr0 on a userspace
//! Open vSwitch, all by the real `halite` binary inside the node namespace.
//! Needs root (CI runs as root); skips with a message otherwise.

mod cni;
mod master;
mod orb0;
mod ovs;
mod topo;
