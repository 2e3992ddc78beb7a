//! Helpers shared by the execution and state modules.

pub mod accounts;
pub mod atomic;
pub mod diff;
pub mod perms;
pub mod pyerr;
pub mod replace;
pub mod shell;
pub mod systemd;
pub mod yaml;
