//! `pkgrepo.managed` / `pkgrepo.absent`: apt hosts go to
//! [`super::pkgrepo_apt`] (aptpkg's source entries), yum/dnf and
//! rpm-ostree hosts to [`super::pkgrepo_yum`] (`.repo` files), as Salt's
//! one state drives whichever `pkg` module the host has.

use halite_api::{StateCall, StateReturn};

use crate::exec_repo::is_apt;

pub fn managed(call: &StateCall<'_>) -> StateReturn {
    match is_apt(call.ctx) {
        Err(e) => StateReturn::fail(&call.name, e),
        Ok(true) => super::pkgrepo_apt::managed(call),
        Ok(false) => super::pkgrepo_yum::managed(call),
    }
}

pub fn absent(call: &StateCall<'_>) -> StateReturn {
    match is_apt(call.ctx) {
        Err(e) => StateReturn::fail(&call.name, e),
        Ok(true) => super::pkgrepo_apt::absent(call),
        Ok(false) => super::pkgrepo_yum::absent(call),
    }
}
