//! `run`: start-up (pid file, signals, auth, grains, pillar, start events,
//! startup_states), the serve loop with the scheduler, graceful shutdown.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use halite_api::{Map, Registry, SystemRunner, Value};
use halite_config::MinionConfig;
use halite_target::MatchContext;
use halite_transport::{MasterLink, RemoteFileClient};

use crate::link::Link;
use crate::live::LiveLink;
use crate::minion::{Minion, Services, TargetQuery};
use crate::pidfile::PidFile;
use crate::schedule::Scheduler;
use crate::DaemonError;

/// How long a stopping daemon waits for running jobs.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

fn fatal(msg: impl Into<String>) -> DaemonError {
    DaemonError::Fatal(msg.into())
}

/// halite-target behind the daemon's matcher seam.
fn target_matcher(q: &TargetQuery<'_>) -> Result<bool, String> {
    let ctx = MatchContext {
        id: q.id,
        grains: q.grains,
        pillar: q.pillar,
        nodegroups: q.nodegroups,
    };
    halite_target::matches(&ctx, q.tgt, q.tgt_type, q.delimiter).map_err(|e| e.to_string())
}

/// Every function a job can call.
pub fn build_registry() -> Registry {
    let mut reg = Registry::new();
    halite_modules::register(&mut reg);
    halite_ostree::register(&mut reg);
    halite_storage::register(&mut reg);
    halite_net::register(&mut reg);
    halite_state::register(&mut reg);
    crate::saltutil::register(&mut reg);
    reg
}

fn text_opt(opts: &Map, key: &str) -> Option<String> {
    opts.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn stop_flag() -> Result<Arc<AtomicBool>, DaemonError> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| fatal(format!("cannot install signal handler: {e}")))?;
    }
    Ok(stop)
}

/// Roll back network changes a previous run applied but never confirmed
/// (it was killed mid-change): before anything else, the node must be back
/// on the network it had.
pub fn recover_network(opts: &Map) {
    let cachedir = text_opt(opts, "cachedir").unwrap_or_else(|| "/var/cache/salt/minion".into());
    for line in halite_net::recover_at_start(Path::new(&cachedir)) {
        tracing::warn!("{line}");
    }
}

/// Run the minion until SIGTERM/SIGINT or a fatal link error.
pub fn run(config: MinionConfig) -> Result<(), DaemonError> {
    let opts = config.opts.clone();
    let id = text_opt(&opts, "id")
        .ok_or_else(|| fatal("minion config: key 'id': no minion id configured"))?;
    let _pidfile = match text_opt(&opts, "pidfile") {
        Some(p) => Some(
            PidFile::create(Path::new(&p))
                .map_err(|e| fatal(format!("cannot write pid file {p}: {e}")))?,
        ),
        None => None,
    };
    let stop = stop_flag()?;
    recover_network(&opts);
    tracing::info!("halite minion '{id}' connecting to the master");
    let connected = Arc::new(AtomicBool::new(false));
    crate::ostree_gate::watch_master(&opts, Arc::clone(&connected));
    let master = Arc::new(
        MasterLink::connect(&opts)
            .map_err(|e| fatal(format!("cannot connect to the master: {e}")))?,
    );
    tracing::info!("authenticated with the master");
    connected.store(true, std::sync::atomic::Ordering::SeqCst);
    let link: Arc<dyn Link> = Arc::new(LiveLink::new(Arc::clone(&master), &opts));
    let grains = crate::grains::assemble(&opts, &config.config_dir)?;
    let services = Services {
        runner: Arc::new(SystemRunner),
        files: Arc::new(RemoteFileClient::new(Arc::clone(&master))),
        templates: Arc::new(halite_render::Renderer),
        registry: Arc::new(build_registry()),
        matcher: target_matcher,
    };
    let minion = Minion::new(opts.clone(), grains, Arc::clone(&link), services);
    minion.procs.reset().map_err(|e| {
        fatal(format!(
            "cannot prepare {}: {e}",
            minion.procs.path().display()
        ))
    })?;
    if let Err(e) = minion.refresh_pillar() {
        tracing::error!("cannot compile pillar on the master: {e}");
    }
    minion.fire_start_events();
    crate::sd_notify::notify(&format!(
        "READY=1\nSTATUS=minion '{id}' connected to the master"
    ));
    crate::ostree_gate::run(&minion);
    minion.run_startup_states();
    let mut scheduler = Scheduler::from_opts(&opts, Instant::now());
    let served = minion.serve(&stop, || {
        if link.take_reconnected() {
            minion.fire_start_events();
        }
        for entry in scheduler.due(Instant::now()) {
            minion.run_scheduled(entry);
        }
    });
    tracing::info!("halite minion '{id}' stopping");
    crate::sd_notify::notify("STOPPING=1");
    if !minion.pool.wait_idle(SHUTDOWN_GRACE) {
        tracing::warn!("stopping with jobs still running");
    }
    served.map_err(|e| fatal(e.to_string()))
}
