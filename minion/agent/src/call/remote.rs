//! salt-call with `file_client: remote` (the default): authenticate to the
//! master, get the master-compiled pillar (`_pillar` with our grains), fetch
//! SLS files, top files, templates and `salt://` sources through the master's
//! fileserver, and send the result back as a `_return` with `jid: "req"`
//! (Salt's `ZeroMQCaller.return_pub`) unless `no_return_event` is set.
//!
//! Failures mirror salt-call: a key that is pending or a master that does not
//! answer ends the run after one authentication attempt (`auth_tries` tries of
//! `auth_timeout` each) with "Minion failed to authenticate with the master,
//! has the minion key been accepted?" and exit status 2; a rejected key exits
//! with `EX_NOPERM` (77).

use std::sync::Arc;

use halite_api::module::value_to_bool;
use halite_api::{Ctx, FileClient, Map, Registry, Value};
use halite_transport::{LinkSettings, MasterLink, PillarRequest, RemoteFileClient, TransportError};

use super::EX_GENERIC;

/// Salt's `EX_NOPERM`: the master rejected the minion key.
pub const EX_NOPERM: i32 = 77;
/// `sys.exit(2)` in `AsyncAuth._authenticate` when a caller cannot sign in.
pub const EX_AUTH_FAILED: i32 = 2;

/// What salt-call prints (on stdout) when sign-in has to be retried.
pub const AUTH_FAILED_TEXT: &str =
    "Minion failed to authenticate with the master, has the minion key been accepted?";

/// Salt's critical log text for a rejected key.
const REJECTED_TEXT: &str = "The Salt Master has rejected this minion's public key!\n\
To repair this issue, delete the public key for this minion on the Salt Master and restart this minion.\n\
Or restart the Salt Master in open mode to clean out the keys. The Salt Minion will now exit.";

/// Why a remote salt-call could not start, with salt-call's output and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartFailure {
    /// Text for stderr (already formatted, newline-terminated when non-empty).
    pub stderr: String,
    /// Text for stdout, if any.
    pub stdout: Option<String>,
    /// Exit status.
    pub status: i32,
}

pub use halite_api::value::is_local;

/// Authenticate to the master once (a caller does not wait for acceptance).
pub fn connect(opts: &Map) -> Result<Arc<MasterLink>, StartFailure> {
    let mut settings = LinkSettings::from_opts(opts).map_err(connect_failure)?;
    settings.auth_retries = 1;
    MasterLink::connect_with(settings)
        .map(Arc::new)
        .map_err(connect_failure)
}

/// Map a connection error to salt-call's message and exit status.
pub fn connect_failure(err: TransportError) -> StartFailure {
    match err {
        TransportError::AuthGaveUp { .. } | TransportError::Timeout { .. } => {
            tracing::error!("{err}");
            StartFailure {
                stderr: String::new(),
                stdout: Some(AUTH_FAILED_TEXT.to_string()),
                status: EX_AUTH_FAILED,
            }
        }
        TransportError::Rejected { .. } => StartFailure {
            stderr: format!("[CRITICAL] {REJECTED_TEXT}\n"),
            stdout: None,
            status: EX_NOPERM,
        },
        other => StartFailure {
            stderr: format!("Attempt to authenticate with the salt master failed: {other}\n"),
            stdout: None,
            status: EX_GENERIC,
        },
    }
}

fn text_opt(opts: &Map, key: &str) -> Option<String> {
    opts.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The `_pillar` request salt-call sends (`RemotePillar`): our grains, the
/// configured `saltenv`/`pillarenv`, no override.
pub fn pillar_request(opts: &Map, grains: &Value) -> PillarRequest {
    PillarRequest {
        grains: grains.clone(),
        saltenv: text_opt(opts, "saltenv"),
        pillarenv: text_opt(opts, "pillarenv"),
        pillar_override: Map::new(),
        extra_minion_data: Map::new(),
    }
}

/// The master-compiled pillar; a failure ends the run like Salt's
/// `SystemExit(str(SaltClientError))`.
pub fn fetch_pillar(link: &MasterLink, opts: &Map, grains: &Value) -> Result<Value, StartFailure> {
    match link.request_pillar(&pillar_request(opts, grains)) {
        Ok(pillar @ Value::Object(_)) => Ok(pillar),
        Ok(other) => Err(StartFailure {
            stderr: format!("The master returned a pillar that is not a map: {other}\n"),
            stdout: None,
            status: EX_GENERIC,
        }),
        Err(e) => Err(StartFailure {
            stderr: format!("Failed to get the pillar from the master: {e}\n"),
            stdout: None,
            status: EX_GENERIC,
        }),
    }
}

/// The run's context in remote mode: the master's fileserver for files and
/// the master-compiled pillar.
pub fn build_context(
    link: &Arc<MasterLink>,
    opts: Map,
    grains: Value,
    registry: Registry,
) -> Result<Ctx, StartFailure> {
    let pillar = fetch_pillar(link, &opts, &grains)?;
    let files: Arc<dyn FileClient> = Arc::new(RemoteFileClient::new(Arc::clone(link)));
    let mut ctx = super::context::assemble(opts, grains, registry, files);
    ctx.pillar = Arc::new(pillar);
    ctx.master = Some(Arc::clone(link) as Arc<dyn halite_api::MasterChannel>);
    Ok(ctx)
}

/// What one call produced, for the `_return` load.
pub struct CallResult<'a> {
    pub fun: &'a str,
    /// The raw command-line arguments (Salt's `opts["arg"]`).
    pub fun_args: &'a [String],
    pub ret: &'a Value,
    pub retcode: i32,
    /// The function's `__outputter__`, if any.
    pub out: Option<&'a str>,
    /// `--metadata`, already parsed.
    pub metadata: Option<Value>,
}

/// The `_return` load of `return_pub`: `cmd`, `id`, then the call's `ret`
/// dict with `jid` replaced by `"req"` (the master allocates a jid).
pub fn return_load(id: &str, result: &CallResult<'_>) -> Value {
    let mut load = Map::new();
    load.insert("cmd".into(), "_return".into());
    load.insert("id".into(), id.into());
    load.insert("jid".into(), "req".into());
    load.insert("return".into(), result.ret.clone());
    load.insert("retcode".into(), result.retcode.into());
    if let Some(out) = result.out {
        load.insert("out".into(), out.into());
    }
    load.insert("fun".into(), result.fun.into());
    let args: Vec<Value> = result.fun_args.iter().cloned().map(Value::from).collect();
    load.insert("fun_args".into(), Value::Array(args));
    if let Some(meta) = &result.metadata {
        load.insert("metadata".into(), meta.clone());
    }
    Value::Object(load)
}

/// Send the result to the master unless `no_return_event`; failures are
/// logged only (Salt ignores them).
pub fn send_return(link: &MasterLink, opts: &Map, result: &CallResult<'_>) {
    if opts.get("no_return_event").is_some_and(value_to_bool) {
        return;
    }
    if let Err(e) = link.send_return(return_load(link.id(), result)) {
        tracing::debug!("could not send the result to the master: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn local_modes() {
        assert!(is_local(&map(json!({"local": true}))));
        assert!(is_local(&map(json!({"file_client": "local"}))));
        assert!(is_local(&map(json!({"master_type": "disable"}))));
        assert!(!is_local(&map(json!({"file_client": "remote"}))));
        assert!(!is_local(&Map::new()));
    }

    #[test]
    fn return_load_follows_return_pub_order() {
        let ret = json!({"a": 1});
        let args = vec!["app".to_string(), "test=True".to_string()];
        let result = CallResult {
            fun: "state.apply",
            fun_args: &args,
            ret: &ret,
            retcode: 0,
            out: Some("highstate"),
            metadata: None,
        };
        let load = return_load("m1", &result);
        let keys: Vec<&String> = load.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["cmd", "id", "jid", "return", "retcode", "out", "fun", "fun_args"]
        );
        assert_eq!(load["jid"], json!("req"));
        assert_eq!(load["fun_args"], json!(["app", "test=True"]));
        assert_eq!(load["return"], ret);
    }

    #[test]
    fn return_load_without_outputter_has_metadata() {
        let ret = json!(true);
        let result = CallResult {
            fun: "test.ping",
            fun_args: &[],
            ret: &ret,
            retcode: 0,
            out: None,
            metadata: Some(json!({"k": "v"})),
        };
        let load = return_load("m1", &result);
        assert!(load.get("out").is_none());
        assert_eq!(load["metadata"], json!({"k": "v"}));
    }

    #[test]
    fn pillar_request_carries_grains_and_envs() {
        let opts = map(json!({"saltenv": "dev", "pillarenv": null}));
        let req = pillar_request(&opts, &json!({"rack": "r1"}));
        assert_eq!(req.grains, json!({"rack": "r1"}));
        assert_eq!(req.saltenv.as_deref(), Some("dev"));
        assert_eq!(req.pillarenv, None);
    }

    #[test]
    fn unreachable_master_is_salt_calls_auth_failure() {
        let f = connect_failure(TransportError::AuthGaveUp {
            id: "m1".into(),
            attempts: 1,
            last: "no reply".into(),
        });
        assert_eq!(f.status, EX_AUTH_FAILED);
        assert_eq!(f.stdout.as_deref(), Some(AUTH_FAILED_TEXT));
        let f = connect_failure(TransportError::Rejected { id: "m1".into() });
        assert_eq!(f.status, EX_NOPERM);
        assert!(f.stderr.contains("rejected this minion's public key"));
    }

    #[test]
    fn missing_id_is_a_config_failure() {
        let Err(f) = connect(&Map::new()) else {
            panic!("connected without an id")
        };
        assert_eq!(f.status, EX_GENERIC);
        assert!(f.stderr.contains("'id'"), "{}", f.stderr);
    }
}
