//! `run`: start-up (pid file, signals, auth, grains, pillar, start events,
//! startup_states), the serve loop with the scheduler, graceful shutdown.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use halite_api::{Map, Registry, SystemRunner, Value};
use halite_config::MinionConfig;
use halite_target::MatchContext;
use halite_transport::{MasterLink, RemoteFileClient};

use crate::dns::{self, Resolution};
use crate::link::Link;
use crate::live::LiveLink;
use crate::masters::Masters;
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
    halite_pkg::register(&mut reg);
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

/// Run the minion until SIGTERM/SIGINT or a fatal link error. With
/// `master_type: failover` a master that stops answering (checked every
/// `master_alive_interval`) is left for the next one, and the minion is
/// rebuilt on the new connection (start events, pillar); the health gate
/// and startup states run once per process.
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
    let masters = Masters::from_opts(&opts);
    let connected = Arc::new(AtomicBool::new(false));
    crate::ostree_gate::watch_master(&opts, Arc::clone(&connected));
    let mut grains = crate::grains::assemble(&opts, &config.config_dir)?;
    if !masters.failover && masters.entries.len() > 1 {
        return multi_master(&masters, &opts, grains, &id, &stop, &connected);
    }
    let mut first = true;
    let mut start_at = 0;
    loop {
        let Some((index, master)) = connect(&masters, &opts, start_at, &stop)? else {
            return Ok(()); // stopped while connecting
        };
        connected.store(true, Ordering::SeqCst);
        let session = Session::start(&masters, &opts, index, master, grains.clone(), &id)?;
        if first {
            crate::sd_notify::notify(&format!(
                "READY=1\nSTATUS=minion '{id}' connected to the master"
            ));
            crate::ostree_gate::run(&session.minion);
            session.minion.run_startup_states();
            first = false;
        }
        match session.serve(&masters, &stop)? {
            End::Stopped => {
                session.shut_down(&id);
                return Ok(());
            }
            End::Failover(next) => {
                // keep what the minion learned (set or refreshed grains)
                grains = (*session.minion.grains()).clone();
                start_at = next;
            }
        }
    }
}

/// `master_type: str` with a list: connected to every master at once, each
/// in a session of its own (jobs from a master return to it); the first
/// session to connect runs the health gate and startup states.
fn multi_master(
    masters: &Masters,
    opts: &Map,
    grains: Value,
    id: &str,
    stop: &Arc<AtomicBool>,
    connected: &Arc<AtomicBool>,
) -> Result<(), DaemonError> {
    MasterLink::prepare_keys(&masters.opts_for(opts, 0))
        .map_err(|e| fatal(format!("minion keys: {e}")))?;
    let first = Arc::new(std::sync::Once::new());
    let mut serving = Vec::new();
    for index in 0..masters.entries.len() {
        let (masters, opts, grains, id) = (
            masters.clone(),
            opts.clone(),
            grains.clone(),
            id.to_string(),
        );
        let (stop, connected, first) =
            (Arc::clone(stop), Arc::clone(connected), Arc::clone(&first));
        serving.push(std::thread::spawn(move || -> Result<(), DaemonError> {
            let entry = &masters.entries[index];
            // one first contact at a time: masters sharing a key directory
            // accept a new minion key one after the other
            std::thread::sleep(Duration::from_secs(2) * index as u32);
            tracing::info!("multi-master: connecting to master {entry}");
            let Some(target) = resolved(&masters, masters.opts_for(&opts, index), &stop)? else {
                return Ok(());
            };
            let master = MasterLink::connect(&target)
                .map_err(|e| fatal(format!("cannot connect to the master {entry}: {e}")))?;
            connected.store(true, Ordering::SeqCst);
            let session = Session::start(&masters, &opts, index, Arc::new(master), grains, &id)?;
            first.call_once(|| {
                crate::sd_notify::notify(&format!(
                    "READY=1\nSTATUS=minion '{id}' connected to master {entry}"
                ));
                crate::ostree_gate::run(&session.minion);
                session.minion.run_startup_states();
            });
            session.serve(&masters, &stop)?;
            session.shut_down(&id);
            Ok(())
        }));
    }
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(200));
        if serving.iter().all(|h| h.is_finished()) {
            break;
        }
    }
    // sessions still connecting to an absent master are left to the exit
    for handle in serving.into_iter().filter(|h| h.is_finished()) {
        if let Ok(Err(e)) = handle.join() {
            tracing::error!("{e}");
        }
    }
    Ok(())
}

/// Why a session ended.
enum End {
    Stopped,
    /// Reconnect, trying masters from this index.
    Failover(usize),
}

/// Connect to the first master that answers, from `start_at` on (failover:
/// round the list, forever; one master: its own retries).
fn connect(
    masters: &Masters,
    opts: &Map,
    start_at: usize,
    stop: &AtomicBool,
) -> Result<Option<(usize, Arc<MasterLink>)>, DaemonError> {
    let n = masters.entries.len();
    if !masters.failover {
        tracing::info!("connecting to the master {}", masters.entries[0]);
        let Some(target) = resolved(masters, masters.opts_for(opts, 0), stop)? else {
            return Ok(None);
        };
        let link = MasterLink::connect(&target)
            .map_err(|e| fatal(format!("cannot connect to the master: {e}")))?;
        return Ok(Some((0, Arc::new(link))));
    }
    let mut i = start_at % n;
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let entry = &masters.entries[i];
        tracing::info!("failover: connecting to master {entry} ({} of {n})", i + 1);
        let target = masters.opts_for(opts, i);
        if masters.dns.resolve_opts(&target, stop, &dns::system_lookup) != Resolution::Resolved {
            tracing::warn!("master {entry} does not resolve; trying the next one");
        } else {
            match MasterLink::connect(&target) {
                Ok(link) => return Ok(Some((i, Arc::new(link)))),
                Err(e @ halite_transport::TransportError::Rejected { .. }) => {
                    return Err(fatal(format!("master {entry}: {e}")))
                }
                Err(e) => {
                    tracing::warn!("master {entry} did not answer: {e}; trying the next one")
                }
            }
        }
        i = (i + 1) % n;
        if i == start_at % n {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

/// `target` once its master's name resolves, as Salt's `resolve_dns`:
/// retried every `retry_dns` seconds, or 127.0.0.1 with `retry_dns: 0`;
/// None when asked to stop meanwhile.
fn resolved(
    masters: &Masters,
    mut target: Map,
    stop: &AtomicBool,
) -> Result<Option<Map>, DaemonError> {
    match masters.dns.resolve_opts(&target, stop, &dns::system_lookup) {
        Resolution::Resolved => Ok(Some(target)),
        Resolution::FallBack => {
            target.insert("master".into(), "127.0.0.1".into());
            Ok(Some(target))
        }
        Resolution::GaveUp(why) => Err(fatal(why)),
        Resolution::Stopped => Ok(None),
    }
}

/// Failover's timers: is the master still there (`master_alive_interval`),
/// and, away from the first master with `master_failback`, is the first one
/// back (`master_failback_interval`)?
struct MasterChecks {
    alive: Option<(Duration, Instant)>,
    failback: Option<(Duration, Instant)>,
}

impl MasterChecks {
    fn new(masters: &Masters, index: usize) -> MasterChecks {
        let timer = |every: Option<Duration>| every.map(|d| (d, Instant::now()));
        MasterChecks {
            alive: timer(masters.alive_interval.filter(|_| masters.failover)),
            failback: timer(
                masters
                    .failback_interval
                    .filter(|_| masters.failback && index != 0),
            ),
        }
    }

    /// The master index to move to, when a check that is due says so.
    fn due(&mut self, masters: &Masters, opts: &Map, index: usize) -> Option<usize> {
        if take_due(&mut self.alive) && !crate::masters::answers(opts) {
            tracing::warn!(
                "master {} does not answer; failing over",
                masters.entries[index]
            );
            return Some(index + 1);
        }
        if take_due(&mut self.failback) && crate::masters::answers(&masters.opts_for(opts, 0)) {
            tracing::warn!("master {} answers again; failing back", masters.entries[0]);
            return Some(0);
        }
        None
    }
}

/// Is this timer due? (If so it starts again.)
fn take_due(timer: &mut Option<(Duration, Instant)>) -> bool {
    match timer {
        Some((every, last)) if last.elapsed() >= *every => {
            *last = Instant::now();
            true
        }
        _ => false,
    }
}

/// One connection's minion.
struct Session {
    minion: Arc<Minion>,
    link: Arc<dyn Link>,
    index: usize,
    opts: Map,
}

impl Session {
    fn start(
        masters: &Masters,
        base: &Map,
        index: usize,
        master: Arc<MasterLink>,
        grains: Value,
        id: &str,
    ) -> Result<Session, DaemonError> {
        tracing::info!(
            "halite minion '{id}' connected to master {}",
            masters.entries[index]
        );
        let opts = masters.opts_for(base, index);
        let link: Arc<dyn Link> = Arc::new(LiveLink::new(Arc::clone(&master), &opts));
        let services = Services {
            runner: Arc::new(SystemRunner),
            files: Arc::new(RemoteFileClient::new(Arc::clone(&master))),
            templates: Arc::new(halite_render::Renderer),
            registry: Arc::new(build_registry()),
            matcher: target_matcher,
        };
        let minion = Minion::new(base.clone(), grains, Arc::clone(&link), services);
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
        Ok(Session {
            minion,
            link,
            index,
            opts,
        })
    }

    /// Serve until stopped, or (failover) until the master stops answering
    /// or, with failback, the first master answers again.
    fn serve(&self, masters: &Masters, stop: &AtomicBool) -> Result<End, DaemonError> {
        let leave = AtomicBool::new(false);
        let mut next = None;
        let mut scheduler = Scheduler::from_opts(&self.opts, Instant::now());
        let mut checks = MasterChecks::new(masters, self.index);
        let served = self.minion.serve(&leave, || {
            if stop.load(Ordering::SeqCst) {
                leave.store(true, Ordering::SeqCst);
                return;
            }
            if self.link.take_reconnected() {
                self.minion.fire_start_events();
            }
            for entry in scheduler.due(Instant::now()) {
                self.minion.run_scheduled(entry);
            }
            if let Some(i) = checks.due(masters, &self.opts, self.index) {
                next = Some(i);
                leave.store(true, Ordering::SeqCst);
            }
        });
        served.map_err(|e| fatal(e.to_string()))?;
        Ok(match next {
            Some(i) if !stop.load(Ordering::SeqCst) => End::Failover(i),
            _ => End::Stopped,
        })
    }

    fn shut_down(&self, id: &str) {
        tracing::info!("halite minion '{id}' stopping");
        crate::sd_notify::notify("STOPPING=1");
        if !self.minion.pool.wait_idle(SHUTDOWN_GRACE) {
            tracing::warn!("stopping with jobs still running");
        }
    }
}
