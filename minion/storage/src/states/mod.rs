//! State modules: `docker_storage.configured` (the whole c-s-s job) and
//! Salt's `lvm.pv_present/pv_absent/vg_present/vg_absent/lv_present/lv_absent`.

use halite_api::StateSpec;

pub mod configured;
pub mod lvm;

pub const STATES: &[StateSpec] = &[
    StateSpec {
        name: "docker_storage.configured",
        run: configured::configured,
        mod_watch: None,
    },
    StateSpec {
        name: "lvm.pv_present",
        run: lvm::pv_present,
        mod_watch: None,
    },
    StateSpec {
        name: "lvm.pv_absent",
        run: lvm::pv_absent,
        mod_watch: None,
    },
    StateSpec {
        name: "lvm.vg_present",
        run: lvm::vg_present,
        mod_watch: None,
    },
    StateSpec {
        name: "lvm.vg_absent",
        run: lvm::vg_absent,
        mod_watch: None,
    },
    StateSpec {
        name: "lvm.lv_present",
        run: lvm::lv_present,
        mod_watch: None,
    },
    StateSpec {
        name: "lvm.lv_absent",
        run: lvm::lv_absent,
        mod_watch: None,
    },
];
