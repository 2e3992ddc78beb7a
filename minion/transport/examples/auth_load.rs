//! How many minion authentications (`_auth`) a salt-master answers per
//! second: the figure that sizes a fleet's reconnect window (a restarted
//! master rotates its AES key, so every returning minion authenticates
//! again). Used by bench/auth_capacity.py; the master must auto-accept.
//!
//! ```text
//! auth_load --master 127.0.0.1 --port 4506 --publish-port 4505 \
//!           --dir /tmp/auth-load --minions 16 --seconds 10
//! ```
//!
//! Every minion id gets its own key pair under `--dir` (made, and accepted
//! by the master, before the clock starts); then one thread per minion
//! authenticates in a loop. Prints one JSON line: `auths`, `seconds`,
//! `per_second`, `errors`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use halite_api::{Map, Value};
use halite_transport::{LinkSettings, MasterLink};

struct Args {
    master: String,
    port: u16,
    publish_port: u16,
    dir: PathBuf,
    minions: usize,
    seconds: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        master: "127.0.0.1".into(),
        port: 4506,
        publish_port: 4505,
        dir: std::env::temp_dir().join("halite-auth-load"),
        minions: 8,
        seconds: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag}: not a number: {value}");
        match flag.as_str() {
            "--master" => args.master = value,
            "--port" => args.port = value.parse().map_err(bad)?,
            "--publish-port" => args.publish_port = value.parse().map_err(bad)?,
            "--dir" => args.dir = value.into(),
            "--minions" => args.minions = value.parse().map_err(bad)?,
            "--seconds" => args.seconds = value.parse().map_err(bad)?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(args)
}

fn settings_for(args: &Args, n: usize) -> Result<LinkSettings, String> {
    let root = args.dir.join(format!("auth-load-{n}"));
    let mut opts = Map::new();
    let mut set = |k: &str, v: Value| {
        opts.insert(k.to_string(), v);
    };
    set("id", format!("auth-load-{n}").into());
    set("master", args.master.clone().into());
    set("master_port", i64::from(args.port).into());
    set("publish_port", i64::from(args.publish_port).into());
    set("pki_dir", root.join("pki").display().to_string().into());
    set("cachedir", root.join("cache").display().to_string().into());
    set("acceptance_wait_time", 1i64.into());
    LinkSettings::from_opts(&opts).map_err(|e| e.to_string())
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    let all: Vec<LinkSettings> = (0..args.minions)
        .map(|n| settings_for(&args, n))
        .collect::<Result<_, _>>()?;
    for s in &all {
        MasterLink::connect_with(s.clone()).map_err(|e| format!("{}: {e}", s.id))?;
    }
    let auths = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = all
        .into_iter()
        .map(|s| {
            let (auths, errors, stop) = (auths.clone(), errors.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let counter = match MasterLink::connect_with(s.clone()) {
                        Ok(_) => &auths,
                        Err(_) => &errors,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(args.seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let seconds = started.elapsed().as_secs_f64();
    let n = auths.load(Ordering::Relaxed);
    println!(
        "{{\"auths\": {n}, \"seconds\": {seconds:.2}, \"per_second\": {:.1}, \"errors\": {}}}",
        n as f64 / seconds,
        errors.load(Ordering::Relaxed)
    );
    Ok(())
}
