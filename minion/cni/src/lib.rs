//! halite-cni: the per-pod half of the node network, as a CNI 1.x plugin
//! that kubelet's runtime (CRI-O, containerd) calls.
//!
//! * [`spec`]: the protocol (environment, configuration, result and error
//!   documents with the spec's codes).
//! * [`ipam`]: host-local style allocation files under a lock.
//! * [`attach`]: ADD/DEL/CHECK/GC over halite-net's veth plan and netlink
//!   seam (the same code the `halite_net.veth` state runs; no Salt code).

pub mod attach;
pub mod ipam;
pub mod spec;
