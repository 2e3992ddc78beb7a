//! The nodes' reconnect window, sized for the fleet.
//!
//! A restarted salt-master has a new AES key, so every minion that comes
//! back authenticates again, and the master answers a bounded number of
//! authentications per second (`bench/auth_capacity.py` measures it). Salt
//! spreads the return by giving each minion's publish socket a random
//! reconnect interval between `recon_default` and `recon_default +
//! recon_max` (1-11 s by default, sized for thousands of minions). A
//! smaller fleet can come back sooner without queueing the master: the
//! window here is the time the master needs to authenticate every node at
//! `master_auth_per_second`, at least 1 s and at most Salt's 10 s.

use serde::{Deserialize, Serialize};

/// `fleet.reconnect` in the inventory.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reconnect {
    /// Authentications per second the master answers (measure it with
    /// bench/auth_capacity.py; the default is a third of what a 2-core
    /// test master answered).
    #[serde(default = "default_auth_rate")]
    pub master_auth_per_second: u32,
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect {
            master_auth_per_second: default_auth_rate(),
        }
    }
}

fn default_auth_rate() -> u32 {
    100
}

/// The first reconnect attempt's floor (Salt's `recon_default`), ms.
pub const RECON_DEFAULT_MS: u32 = 500;
const MIN_WINDOW_MS: u64 = 1_000;
/// Salt's own window (`recon_max` 10000): never wider than that.
const MAX_WINDOW_MS: u64 = 10_000;

/// The minion options of a fleet of `nodes` nodes: `recon_default`,
/// `recon_max`, `recon_randomize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectOptions {
    pub recon_default: u32,
    pub recon_max: u32,
}

impl Reconnect {
    /// The window for `nodes` nodes: each node's first reconnect interval
    /// is drawn from `[recon_default, recon_default + recon_max]`.
    pub fn options_for(&self, nodes: usize) -> ReconnectOptions {
        let rate = u64::from(self.master_auth_per_second.max(1));
        let needed = (nodes as u64).saturating_mul(1_000).div_ceil(rate);
        let window = needed.clamp(MIN_WINDOW_MS, MAX_WINDOW_MS);
        ReconnectOptions {
            recon_default: RECON_DEFAULT_MS,
            recon_max: u32::try_from(window).unwrap_or(u32::MAX) - RECON_DEFAULT_MS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(rate: u32, nodes: usize) -> (u32, u32) {
        let o = Reconnect {
            master_auth_per_second: rate,
        }
        .options_for(nodes);
        (o.recon_default, o.recon_default + o.recon_max)
    }

    #[test]
    fn a_small_fleet_gets_the_one_second_floor() {
        assert_eq!(window(100, 6), (500, 1_000));
        assert_eq!(window(100, 100), (500, 1_000));
    }

    #[test]
    fn the_window_is_the_masters_time_to_authenticate_every_node() {
        assert_eq!(window(100, 250), (500, 2_500));
        assert_eq!(window(300, 1_000), (500, 3_334));
    }

    #[test]
    fn a_large_fleet_keeps_salts_window() {
        assert_eq!(window(100, 5_000), (500, 10_000));
        assert_eq!(window(0, 10), (500, 10_000));
    }
}
