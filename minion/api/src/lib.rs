//! halite-api: the small, stable seam between the engine, the modules and the agent.
//!
//! * [`Value`]/[`Map`]: Salt data (ordered maps, as Python's dicts keep insertion order).
//! * [`runner`]: the one place in Halite that runs external commands.
//! * [`files`]: the fileserver seam (`salt://` lookups, local roots or the master).
//! * [`master`]: the request channel to the master (mine, master events).
//! * [`ctx`]: everything a module function may touch: opts, grains, pillar, seams.
//! * [`net`]: the network seam (lookups, TCP checks, HTTP) for `dns_check`/`http_query`.
//! * [`module`]: execution/state function signatures, returns and the registry.
//! * [`py`]: Python's `repr()`/`str()` of values, as Salt prints them.

pub mod atomic;
pub mod calendar;
pub mod ctx;
pub mod files;
pub mod master;
pub mod module;
pub mod net;
pub mod py;
pub mod runner;
pub mod salt_names;
pub mod value;

pub use ctx::{Ctx, RunContext, SaltCaller, TemplateRenderer, VerbatimTemplates};
pub use files::{FileClient, FileError, NoFiles};
pub use master::{MasterChannel, MasterError};
pub use module::{
    ExecCall, ExecError, ExecFn, ExecOutput, ExecSpec, Registry, StateCall, StateFn, StateReturn,
    StateSpec,
};
pub use net::{HttpError, HttpRequest, HttpResponse, Network, NoNetwork};
pub use runner::{CmdOutput, CmdSpec, CommandRunner, RunError, SystemRunner};
pub use value::{Map, Value};
