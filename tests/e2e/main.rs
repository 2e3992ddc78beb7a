//! End-to-end tests: real salt-master (pinned PyPI Salt) on 127.0.0.1, real minions.
//! One test binary with a module per area, to keep link time down.

mod call_remote;
mod event_diff;
mod exec_diff;
mod harness;
mod hostile;
mod master_states;
mod masters;
mod mine_diff;
mod minion;
mod minion_start;
mod ostree;
mod pkg_diff;
mod state_diff;
mod storage_diff;
