//! Execution modules (`salt-call <mod>.<fun>`).

use halite_api::{ExecCall, ExecError, ExecOutput, Registry, Value};

pub mod cmd;
pub mod config;
pub mod cp;
pub mod file;
pub mod grains;
pub mod lookup;
pub mod network;
pub mod pillar;
pub mod secret;
pub mod service;
pub mod status;
pub mod sys;
pub mod test;

/// Add every execution function.
pub fn register(reg: &mut Registry) {
    for specs in [
        test::SPECS,
        cmd::SPECS,
        grains::SPECS,
        pillar::SPECS,
        config::SPECS,
        sys::SPECS,
        status::SPECS,
        network::SPECS,
        service::SPECS,
        cp::SPECS,
        file::SPECS,
    ] {
        reg.add_exec(specs);
    }
}

/// Shorthand result type of an execution function.
pub type ExecResult = Result<ExecOutput, ExecError>;

/// A successful return of `v`.
pub fn ok(v: impl Into<Value>) -> ExecResult {
    Ok(ExecOutput::from(v.into()))
}

/// A required positional/keyword string argument.
pub fn required_str(call: &ExecCall<'_>, idx: usize, key: &str) -> Result<String, ExecError> {
    call.arg_str(idx, key)
        .ok_or_else(|| ExecError::Invocation(format!("Missing required argument: '{key}'")))
}
