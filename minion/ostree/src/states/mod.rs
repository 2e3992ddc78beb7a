//! State modules: `rpm_ostree.deployed`, `rpm_ostree.packages`,
//! `rpm_ostree.kargs`, `rpm_ostree.default` and `bootc.image`.
//!
//! Every state reads status first, refuses while a transaction runs (and,
//! for deploy/rebase/upgrade, while another update driver is registered),
//! stages with `--lock-finalization`, reboots only when the state says
//! `reboot: true`, and decides its result by re-reading status.

// Both paths of the helpers end in a StateReturn (the `Err` one is the early,
// failed return that `?` hands straight back to Salt), so it is not boxed.
#![allow(clippy::result_large_err)]

use halite_api::{StateCall, StateReturn, StateSpec};

use crate::model::rpm_ostree::{Deployment, Status};
use crate::tool::{strings, Tools};

pub mod bootc_image;
pub mod default;
pub mod deployed;
pub mod kargs;
pub mod packages;

pub const STATES: &[StateSpec] = &[
    StateSpec {
        name: "rpm_ostree.deployed",
        run: deployed::deployed,
        mod_watch: None,
    },
    StateSpec {
        name: "rpm_ostree.packages",
        run: packages::packages,
        mod_watch: None,
    },
    StateSpec {
        name: "rpm_ostree.kargs",
        run: kargs::kargs,
        mod_watch: None,
    },
    StateSpec {
        name: "rpm_ostree.default",
        run: default::default,
        mod_watch: None,
    },
    StateSpec {
        name: "bootc.image",
        run: bootc_image::image,
        mod_watch: None,
    },
];

/// Status, or the failed return that says why it could not be read.
pub(crate) fn read_status(call: &StateCall<'_>, tools: &Tools<'_>) -> Result<Status, StateReturn> {
    tools
        .rpm_ostree_status()
        .map_err(|e| StateReturn::fail(&call.name, e.to_string()))
}

/// Refuse to start anything while rpm-ostree runs a transaction.
pub(crate) fn refuse_busy(call: &StateCall<'_>, st: &Status) -> Result<(), StateReturn> {
    match st.transaction_title() {
        Some(title) => Err(StateReturn::fail(
            &call.name,
            format!(
                "An rpm-ostree transaction is in progress ({title}); not starting another. \
                 Try again when it has finished (`rpm-ostree cancel` stops it)."
            ),
        )),
        None => Ok(()),
    }
}

/// Refuse deploy/rebase/upgrade while another update driver is registered,
/// unless `bypass_driver: true`; returns the `--bypass-driver` flag to add.
pub(crate) fn driver_flags(call: &StateCall<'_>, st: &Status) -> Result<Vec<String>, StateReturn> {
    let bypass = call.get_bool("bypass_driver", false);
    match (&st.update_driver, bypass) {
        (None, _) => Ok(Vec::new()),
        (Some(_), true) => Ok(strings(&["--bypass-driver"])),
        (Some(d), false) => Err(StateReturn::fail(
            &call.name,
            format!(
                "Updates on this host are driven by {} ({}); set bypass_driver: true to deploy anyway, \
                 or disable that driver",
                d.driver_name,
                d.driver_sd_unit.as_deref().unwrap_or("no unit")
            ),
        )),
    }
}

/// How a pending deployment is rebooted into: `finalize-deployment` for a
/// locked staged deployment, else a plain reboot.
pub(crate) fn reboot_command(pending: &Deployment) -> Vec<String> {
    if pending.staged && pending.finalization_locked {
        vec![
            "rpm-ostree".into(),
            "finalize-deployment".into(),
            pending.finalize_checksum().to_string(),
        ]
    } else {
        strings(&["systemctl", "reboot"])
    }
}

/// With `reboot: true`, rebooting is a change like any other: refuse while a
/// transaction runs or another driver owns updates (it may hold the lock).
pub(crate) fn guard_reboot(call: &StateCall<'_>, st: &Status) -> Result<(), StateReturn> {
    if call.get_bool("reboot", false) {
        refuse_busy(call, st)?;
        driver_flags(call, st)?;
    }
    Ok(())
}

/// With `reboot: true` and a pending deployment: reboot into it (or say it
/// would, in test mode). Without it, say a reboot is pending.
pub(crate) fn finish_pending(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    pending: &Deployment,
    mut ret: StateReturn,
) -> StateReturn {
    if !call.get_bool("reboot", false) {
        ret.comment.push_str("; reboot pending");
        return ret;
    }
    let argv = reboot_command(pending);
    let shown = argv.join(" ");
    if call.test {
        ret.result = None;
        ret.comment.push_str(&format!("; would reboot ({shown})"));
        ret.changes.insert("reboot".into(), shown.into());
        return ret;
    }
    let done = if argv[0] == "rpm-ostree" {
        tools.rpm_ostree_mutate(&argv[1..]).map(|_| ())
    } else {
        tools.reboot()
    };
    match done {
        Ok(()) => {
            ret.comment.push_str(&format!("; rebooting ({shown})"));
            ret.changes.insert("reboot".into(), shown.into());
            ret
        }
        Err(e) => {
            ret.result = Some(false);
            ret.comment.push_str(&format!("; reboot failed: {e}"));
            ret
        }
    }
}

/// `old -> new` as a Salt changes entry.
pub(crate) fn old_new(
    old: impl Into<halite_api::Value>,
    new: impl Into<halite_api::Value>,
) -> halite_api::Value {
    let mut m = halite_api::Map::new();
    m.insert("old".into(), old.into());
    m.insert("new".into(), new.into());
    halite_api::Value::Object(m)
}
