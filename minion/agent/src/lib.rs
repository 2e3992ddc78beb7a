//! The `halite` binary's library: command-line front ends (`halite call`,
//! `halite minion`, argv[0] dispatch), Salt's outputters and logging setup.

pub mod audit;
pub mod call;
pub mod cli;
pub mod daemonize;
pub mod logging;
pub mod output;
