//! `halite-ctl publish`, `rollback-tree` and `master-config`: the tree into
//! the master's roots, the master told (fileserver update and file-list
//! cache cleared, pillar refreshed on the nodes), and one node asked to
//! prove it sees the new generation before anything rolls out.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use halite_api::{Map, Value};
use serde_json::json;

use super::ApiArgs;
use crate::master::Master;
use crate::tree::generate::MARKER_DIR;
use crate::tree::publish::{Published, Roots};

#[derive(Args, Debug)]
pub struct PublishArgs {
    #[arg(short, long)]
    pub inventory: PathBuf,
    #[arg(short, long = "source", required = true)]
    pub sources: Vec<PathBuf>,
    /// The published roots (`master-config` points the master here).
    #[arg(short, long)]
    pub root: PathBuf,
    /// Trees kept for rollback-tree.
    #[arg(long, default_value_t = 5)]
    pub keep: usize,
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Only swap the files: do not refresh or ask the master.
    #[arg(long)]
    pub no_master: bool,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Args, Debug)]
pub struct RollbackArgs {
    #[arg(short, long)]
    pub root: PathBuf,
    /// The inventory, to refresh its nodes' pillar.
    #[arg(short, long)]
    pub inventory: Option<PathBuf>,
    #[arg(long, default_value_t = 5)]
    pub keep: usize,
    #[arg(long)]
    pub no_master: bool,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Args, Debug)]
pub struct MasterConfigArgs {
    #[arg(short, long)]
    pub root: PathBuf,
    /// The user halite-ctl logs in as.
    #[arg(long, default_value = "halite-ctl")]
    pub user: String,
    #[arg(long, default_value = "pam")]
    pub eauth: String,
    #[arg(long, default_value_t = 8000)]
    pub api_port: u16,
    #[arg(long, default_value = "127.0.0.1")]
    pub api_host: String,
}

pub fn run(a: &PublishArgs) -> anyhow::Result<i32> {
    let inv = crate::inventory::load(&a.inventory)?;
    let roots = Roots::new(&a.root);
    let near = a.root.join("trees").join("staging");
    let Some((tree, _staged)) = super::render::checked_tree(&inv, &a.sources, a.jobs, &near)?
    else {
        return Ok(3);
    };
    match roots.publish(&tree, a.keep)? {
        Published::AlreadyCurrent(g) => println!("generation {g} is already current"),
        Published::Swapped { from, to } => println!(
            "published generation {to} (was {})",
            from.as_deref().unwrap_or("none")
        ),
    }
    if a.no_master {
        return Ok(0);
    }
    let master = a.api.connect()?;
    let nodes: Vec<String> = inv.nodes().map(|(_, n)| n.name.clone()).collect();
    refresh_and_verify(&master, &nodes, &tree.generation)?;
    Ok(0)
}

pub fn rollback(a: &RollbackArgs) -> anyhow::Result<i32> {
    let roots = Roots::new(&a.root);
    let Published::Swapped { from, to } = roots.rollback(a.keep)? else {
        return Ok(0);
    };
    println!(
        "generation {to} is current again (was {})",
        from.as_deref().unwrap_or("none")
    );
    if a.no_master {
        return Ok(0);
    }
    let master = a.api.connect()?;
    let nodes = match &a.inventory {
        Some(p) => crate::inventory::load(p)?
            .nodes()
            .map(|(_, n)| n.name.clone())
            .collect(),
        None => Vec::new(),
    };
    refresh_and_verify(&master, &nodes, &to)?;
    Ok(0)
}

/// Tell the master and the nodes; then one node must show the generation
/// in its file list and in a freshly compiled pillar.
fn refresh_and_verify(
    master: &dyn Master,
    nodes: &[String],
    generation: &str,
) -> anyhow::Result<()> {
    master.runner("fileserver.update", &Map::new())?;
    master.runner("fileserver.clear_file_list_cache", &Map::new())?;
    if nodes.is_empty() {
        return Ok(());
    }
    let job = master.start_job(nodes, "saltutil.refresh_pillar", &[], &Map::new(), None)?;
    super::progress(&format!(
        "fileserver updated; pillar refresh on {} of {} node(s) (job {})",
        job.minions.len(),
        nodes.len(),
        job.jid
    ));
    let marker = format!("{MARKER_DIR}/{generation}.json");
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last = String::new();
    while Instant::now() < deadline {
        for node in nodes.iter().take(3) {
            match sees(master, node, &marker, generation) {
                Ok(()) => {
                    super::progress(&format!("{node} sees generation {generation}"));
                    return Ok(());
                }
                Err(why) => last = format!("{node}: {why}"),
            }
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    bail!("no node confirmed generation {generation} within 90 s ({last})")
}

fn sees(master: &dyn Master, node: &str, marker: &str, generation: &str) -> Result<(), String> {
    let files = call(master, node, "cp.list_master", &Map::new())?;
    let listed = files
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f.as_str() == Some(marker)));
    if !listed {
        return Err(format!("its file list has no {marker} yet"));
    }
    // Salt 3008 masks pillar values in returns unless asked not to
    let mut unmask = Map::new();
    unmask.insert("unmask".into(), true.into());
    let pillar = call(master, node, "pillar.items", &unmask)?;
    match pillar["halite_tree"]["generation"].as_str() {
        Some(g) if g == generation => Ok(()),
        other => Err(format!(
            "its pillar says generation {}",
            other.unwrap_or("none")
        )),
    }
}

/// One function on one node, its return (30 s at most).
fn call(master: &dyn Master, node: &str, fun: &str, kwargs: &Map) -> Result<Value, String> {
    let targets = [node.to_string()];
    let jid = master
        .start_job(&targets, fun, &[], kwargs, None)
        .map_err(|e| e.to_string())?
        .jid;
    if jid.is_empty() {
        return Err("the master does not know it".into());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let got = master.job_returns(&jid).map_err(|e| e.to_string())?;
        if let Some(answer) = got.get(node) {
            return Ok(answer.ret.clone());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err(format!("no answer to {fun}"))
}

pub fn master_config(a: &MasterConfigArgs) -> anyhow::Result<i32> {
    let root = std::path::absolute(&a.root).with_context(|| a.root.display().to_string())?;
    let roots = Roots::new(root);
    let conf = json!({
        "file_roots": {"base": [roots.file_root()]},
        "pillar_roots": {"base": [roots.pillar_root()]},
        "rest_cherrypy": {"port": a.api_port, "host": a.api_host, "disable_ssl": a.api_host == "127.0.0.1"},
        "netapi_enable_clients": ["local_async", "runner"],
        "external_auth": {a.eauth.clone(): {a.user.clone(): [".*", "@runner", "@jobs"]}},
    });
    print!(
        "# Master config for halite-ctl (docs/controller.md). salt-api needs\n\
         # netapi_enable_clients since Salt 3006; outside 127.0.0.1 give\n\
         # rest_cherrypy ssl_crt/ssl_key instead of disable_ssl.\n{}",
        halite_render::yaml::dump(&conf)
    );
    Ok(0)
}
