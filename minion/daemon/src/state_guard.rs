//! Which `state.*` functions start with Salt's `_check_queue` (the "a state
//! run is already running" refusal). The check itself is halite-state's
//! `check_queue` (Salt's `state.running` over `saltutil.is_running`); the
//! daemon calls it before such a function because the functions do not call
//! it themselves yet (in Salt it is the first step of each of them).

/// `state.*` functions that call `_check_queue` in Salt 3008.
const GUARDED: &[&str] = &[
    "low",
    "high",
    "template",
    "template_str",
    "highstate",
    "apply",
    "sls",
    "top",
    "show_highstate",
    "show_lowstate",
    "show_state_usage",
    "show_states",
    "sls_id",
    "show_low_sls",
    "show_sls",
    "show_top",
    "single",
    "graph_highstate",
];

/// Whether `fun` is subject to the guard.
pub fn is_guarded(fun: &str) -> bool {
    fun.strip_prefix("state.")
        .is_some_and(|f| GUARDED.contains(&f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guarded_functions() {
        assert!(is_guarded("state.apply") && is_guarded("state.sls") && is_guarded("state.single"));
        assert!(!is_guarded("state.running") && !is_guarded("test.ping") && !is_guarded("apply"));
    }
}
