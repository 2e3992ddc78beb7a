//! Typed views of the tools' status documents.
//!
//! * [`rpm_ostree`]: `rpm-ostree status --json`.
//! * [`bootc`]: `bootc status --json` (the `BootcHost` document).
//!
//! Both keep every key they do not model in an `extra` map, so a newer tool
//! that adds keys never breaks parsing, and both decide "which deployment is
//! which" the same way Zincati and rpm-ostree's own client do.

pub mod bootc;
pub mod rpm_ostree;

/// A status document the tool printed could not be understood.
#[derive(Debug, thiserror::Error)]
#[error("cannot parse `{tool} status` output: {source}")]
pub struct ParseError {
    pub tool: &'static str,
    #[source]
    pub source: serde_json::Error,
}
