//! halite-target: Salt's targeting, decided on the minion.
//!
//! One [`matches`] entry point for every `tgt_type` a master publishes and every
//! matcher a top file uses (glob, pcre, list, grain, grain_pcre, pillar,
//! pillar_pcre, pillar_exact, ipcidr, compound, nodegroup).

use halite_api::{Map, Value};

/// What a minion knows about itself for matching.
#[derive(Debug, Clone, Copy)]
pub struct MatchContext<'a> {
    pub id: &'a str,
    pub grains: &'a Value,
    pub pillar: &'a Value,
    /// Configured nodegroups (`nodegroups` option), used by `N@` in compounds.
    pub nodegroups: Option<&'a Map>,
}

/// An invalid target expression (the minion logs it and does not match).
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("invalid {tgt_type} target '{target}': {reason}")]
pub struct TargetError {
    pub tgt_type: String,
    pub target: String,
    pub reason: String,
}

/// Does this minion match `tgt` (a string, or a list for `list`) of type `tgt_type`?
/// `delimiter` is the `:` used by grain/pillar matchers.
pub fn matches(ctx: &MatchContext<'_>, tgt: &Value, tgt_type: &str, delimiter: &str) -> Result<bool, TargetError> {
    let _ = (ctx, delimiter);
    Err(TargetError { tgt_type: tgt_type.into(), target: tgt.to_string(), reason: "not implemented yet".into() })
}
