//! One step of a storage plan, shown the way c-s-s would run it.

use std::fmt;

/// A host change (or wait) the plan makes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `lvm VERB ARGS` (shown as `VERB ARGS`, LVM's symlink names).
    Lvm { verb: String, args: Vec<String> },
    /// Any other command; `optional` ones may be missing (udevadm).
    Run { argv: Vec<String>, optional: bool },
    /// Wait for a block device node (c-s-s `wait_for_dev`).
    WaitDevice { path: String, timeout: u64 },
    /// Replace a file atomically.
    Write {
        path: String,
        content: String,
        mode: u32,
    },
    /// Remove a file (`rm -f`).
    Remove { path: String },
    /// `mkdir -p`.
    Mkdir { path: String },
    /// Add or replace the fstab line for `mount_point`.
    Fstab {
        fstab: String,
        line: String,
        mount_point: String,
    },
    /// Refuse to go on unless the XFS filesystem at `mount_point` has ftype=1.
    CheckFtype { mount_point: String },
}

impl Step {
    pub fn lvm(verb: &str, args: &[&str]) -> Step {
        Step::Lvm {
            verb: verb.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn run(argv: &[&str]) -> Step {
        Step::Run {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            optional: false,
        }
    }

    /// Steps that change LVM metadata (counted by idempotency tests).
    pub fn is_lvm_write(&self) -> bool {
        matches!(self, Step::Lvm { .. })
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Lvm { verb, args } => write!(f, "{}", crate::lvm::shown(verb, args)),
            Step::Run { argv, .. } => write!(f, "{}", argv.join(" ")),
            Step::WaitDevice { path, timeout } => write!(f, "wait for {path} (up to {timeout} s)"),
            Step::Write { path, .. } => write!(f, "write {path}"),
            Step::Remove { path } => write!(f, "rm -f {path}"),
            Step::Mkdir { path } => write!(f, "mkdir -p {path}"),
            Step::Fstab { fstab, line, .. } => write!(f, "{fstab}: {line}"),
            Step::CheckFtype { mount_point } => write!(f, "check ftype=1 on {mount_point}"),
        }
    }
}
