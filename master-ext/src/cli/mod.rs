//! The `halite-ctl` command line: clap definitions and dispatch. Each
//! command's body is in its own file; exit codes: 0 done, 1 error,
//! 2 rollout paused, 3 the tree did not pass its check.

mod publish;
mod render;
mod rollout;
mod status;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::master::saltapi::{ApiConfig, SaltApi};

#[derive(Parser, Debug)]
#[command(
    name = "halite-ctl",
    version,
    about = "Halite's master-side controller: inventory -> generated Salt tree -> rack-by-rack rollouts through salt-api"
)]
pub struct Cli {
    /// Log level on stderr (error, warn, info, debug, trace).
    #[arg(short, long, global = true, default_value = "warn")]
    pub log_level: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the inventory alone (no tree is generated).
    Check {
        #[arg(short, long)]
        inventory: PathBuf,
    },
    /// Generate the tree into OUT and check every node's highstate renders; OUT is written only when all pass.
    Render(render::RenderArgs),
    /// Render, check, swap into the master's roots atomically, refresh the master and verify a node sees it.
    Publish(publish::PublishArgs),
    /// Make the previously published tree current again.
    RollbackTree(publish::RollbackArgs),
    /// Print the master config that serves the published roots and lets halite-ctl in through salt-api.
    MasterConfig(publish::MasterConfigArgs),
    /// Roll a change out rack by rack: highstate, one SLS, or an OS upgrade.
    Rollout(rollout::RolloutArgs),
    /// Where the rollout stands, per rack.
    Status(status::StatusArgs),
}

/// How to reach salt-api.
#[derive(Args, Debug, Clone)]
pub struct ApiArgs {
    /// salt-api (rest_cherrypy) base URL.
    #[arg(
        long,
        env = "HALITE_CTL_API_URL",
        default_value = "http://127.0.0.1:8000"
    )]
    pub api_url: String,
    #[arg(long, env = "HALITE_CTL_API_USER", default_value = "halite-ctl")]
    pub api_user: String,
    /// Prefer the environment variable: arguments show in `ps`.
    #[arg(
        long,
        env = "HALITE_CTL_API_PASSWORD",
        hide_env_values = true,
        default_value = ""
    )]
    pub api_password: String,
    /// The master's eauth backend for that user.
    #[arg(long, env = "HALITE_CTL_EAUTH", default_value = "pam")]
    pub eauth: String,
}

impl ApiArgs {
    pub fn connect(&self) -> anyhow::Result<SaltApi> {
        let cfg = ApiConfig {
            url: self.api_url.trim_end_matches('/').to_string(),
            user: self.api_user.clone(),
            password: self.api_password.clone(),
            eauth: self.eauth.clone(),
        };
        Ok(SaltApi::connect(cfg)?)
    }
}

/// Run the command line; the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    init_logging(&cli.log_level);
    let result = match cli.command {
        Command::Check { inventory } => crate::inventory::load(&inventory)
            .map(|inv| {
                println!(
                    "{}: {} racks, {} nodes, no problems",
                    inventory.display(),
                    inv.racks.len(),
                    inv.nodes().count()
                );
                0
            })
            .map_err(anyhow::Error::from),
        Command::Render(a) => render::run(&a),
        Command::Publish(a) => publish::run(&a),
        Command::RollbackTree(a) => publish::rollback(&a),
        Command::MasterConfig(a) => publish::master_config(&a),
        Command::Rollout(a) => rollout::run(&a),
        Command::Status(a) => status::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("halite-ctl: {e:#}");
            1
        }
    }
}

fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(format!("halite_ctl={level},warn"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A progress line on stderr, with the time.
pub fn progress(line: &str) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    eprintln!("[{h:02}:{m:02}:{s:02}] {line}");
}
