//! `halite-ctl rollout`: highstate, one SLS or an OS upgrade, rack by rack
//! through salt-api, journaled in STATE_DIR; `--dry-run` prints the plan,
//! `--resume` continues the journal's rollout.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::ApiArgs;
use crate::master::Master;
use crate::rollout::bus::Bus;
use crate::rollout::journal::{Kind, Store};
use crate::rollout::{plan, prepare, Outcome, Rollout};

#[derive(Args, Debug)]
pub struct RolloutArgs {
    #[command(subcommand)]
    pub what: What,
    #[arg(short, long, global = true)]
    pub inventory: Option<PathBuf>,
    /// Where the journal lives.
    #[arg(long, global = true, default_value = "/var/lib/halite-ctl")]
    pub state_dir: PathBuf,
    /// Print the batches and stop.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Continue the journal's rollout (after a pause or a crash).
    #[arg(long, global = true)]
    pub resume: bool,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum What {
    /// state.apply (the node's whole highstate).
    Highstate,
    /// state.sls NAME.
    Sls { name: String },
    /// Stage the inventory's OS image everywhere, then reboot batch by batch behind the health gate.
    OsUpgrade,
}

pub fn run(a: &RolloutArgs) -> anyhow::Result<i32> {
    let Some(inv_path) = &a.inventory else {
        anyhow::bail!("--inventory is required");
    };
    let inv = crate::inventory::load(inv_path)?;
    let kind = match &a.what {
        What::Highstate => Kind::Highstate,
        What::Sls { name } => Kind::Sls { name: name.clone() },
        What::OsUpgrade => {
            let mut targets = Vec::new();
            for rack in &inv.racks {
                match inv.os_image_of(rack).map(|o| o.target_label()) {
                    Some(t) if !t.is_empty() => targets.push(t),
                    _ => anyhow::bail!(
                        "{}: rack {} has no os_image target (fleet.os_image or the rack's)",
                        inv_path.display(),
                        rack.name
                    ),
                }
            }
            let target = targets[0].clone();
            if targets.iter().any(|t| *t != target) {
                anyhow::bail!(
                    "{}: the racks name different OS images ({}); roll out one target at a time",
                    inv_path.display(),
                    targets.join(", ")
                );
            }
            Kind::OsUpgrade {
                target,
                sls: inv.fleet.rollout.os_sls.clone(),
            }
        }
    };
    let store = Store::open(&a.state_dir)?;
    let journal = prepare(&store, &inv, kind, a.resume).map_err(anyhow::Error::msg)?;
    if a.dry_run {
        for line in plan::describe(&journal) {
            println!("{line}");
        }
        return Ok(0);
    }
    let master = a.api.connect()?;
    let bus = Bus::new(master.events()?);
    let mut rollout = Rollout {
        inv: &inv,
        master: &master as &dyn Master,
        bus,
        store: &store,
        journal,
        progress: &super::progress,
    };
    let outcome = rollout.run()?;
    super::status::print_table(&rollout.journal);
    Ok(match outcome {
        Outcome::Done => 0,
        Outcome::Paused(_) => 2,
    })
}
