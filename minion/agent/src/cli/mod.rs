//! Command-line entry: `halite call ...`, `halite minion ...`, or the same
//! programs reached through links named `salt-call` / `salt-minion`.

pub mod call_args;
pub mod minion_args;
pub mod optparse;

use std::path::Path;

/// Which front end to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Program {
    Call(Vec<String>),
    Minion(Vec<String>),
    /// `halite --help`: usage on stdout, exit 0.
    Help,
    /// `halite --version`: the version line, exit 0.
    Version,
    /// `halite audit PATH...`: what a state tree uses that Halite lacks.
    Audit(Vec<String>),
    /// `halite net-watchdog RECORD`: started by a network change, rolls it
    /// back at its deadline unless it was confirmed (not for people).
    NetWatchdog(String),
    /// Unknown or missing subcommand: print usage, exit 64.
    Usage(String),
}

/// Decide from argv[0] (link name) or the first argument (subcommand).
pub fn dispatch(argv: &[String]) -> Program {
    let name = argv
        .first()
        .map(|a| {
            Path::new(a)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
        })
        .unwrap_or("");
    let rest: Vec<String> = argv.iter().skip(1).cloned().collect();
    match name {
        "salt-call" => return Program::Call(rest),
        "salt-minion" => return Program::Minion(rest),
        _ => {}
    }
    match rest.first().map(String::as_str) {
        Some("call") => Program::Call(rest[1..].to_vec()),
        Some("minion") => Program::Minion(rest[1..].to_vec()),
        Some("audit") => Program::Audit(rest[1..].to_vec()),
        Some("net-watchdog") if rest.len() == 2 => Program::NetWatchdog(rest[1].clone()),
        Some("-h" | "--help" | "help") => Program::Help,
        Some("--version") => Program::Version,
        // salt-call's versions report (Salt and dependency versions).
        Some("-V" | "--versions-report") => Program::Call(vec!["--versions-report".into()]),
        Some(other) => Program::Usage(format!("unknown command '{other}'")),
        None => Program::Usage("a command is required".into()),
    }
}

/// The top-level usage text.
pub const USAGE: &str = "Usage: halite call [salt-call options] <function> [arguments]\n       halite minion [salt-minion options]\n       halite audit [--json] PATH...\n       halite --version | --versions-report | --help\n(also runs as salt-call / salt-minion when invoked through links of those names)";

/// What `halite --help` adds to the usage.
const COMMANDS: &str = "Commands:\n  call     run one Salt function: masterless (--local) or through the master, as salt-call\n  minion   run the minion daemon against a salt-master, as salt-minion\n  audit    list the Salt states and functions a state tree uses that Halite lacks\n\n`halite call --help` and `halite minion --help` list their options.";

/// Run the chosen program; returns the exit status.
pub fn run(argv: &[String]) -> i32 {
    match dispatch(argv) {
        Program::Call(args) => crate::call::main(&args),
        Program::Minion(args) => minion_args::main(&args),
        Program::Audit(args) => crate::audit::main(&args),
        Program::NetWatchdog(record) => halite_net::watchdog_main(Path::new(&record)),
        Program::Help => {
            println!("{USAGE}\n\n{COMMANDS}");
            0
        }
        Program::Version => {
            println!(
                "halite {} (salt-call / salt-minion 3008.4 compatible)",
                env!("CARGO_PKG_VERSION")
            );
            0
        }
        Program::Usage(msg) => {
            eprintln!("{USAGE}\n\nhalite: error: {msg}");
            64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn argv0_and_subcommands() {
        assert_eq!(
            dispatch(&v(&["/usr/bin/salt-call", "-l", "debug"])),
            Program::Call(v(&["-l", "debug"]))
        );
        assert_eq!(
            dispatch(&v(&["salt-minion", "-d"])),
            Program::Minion(v(&["-d"]))
        );
        assert_eq!(
            dispatch(&v(&["halite", "call", "test.ping"])),
            Program::Call(v(&["test.ping"]))
        );
        assert_eq!(
            dispatch(&v(&["./halite", "minion"])),
            Program::Minion(vec![])
        );
        assert!(matches!(
            dispatch(&v(&["halite", "bogus"])),
            Program::Usage(_)
        ));
        assert!(matches!(dispatch(&v(&["halite"])), Program::Usage(_)));
        assert_eq!(dispatch(&v(&["halite", "--help"])), Program::Help);
        assert_eq!(dispatch(&v(&["halite", "--version"])), Program::Version);
        assert_eq!(
            dispatch(&v(&["halite", "-V"])),
            Program::Call(v(&["--versions-report"]))
        );
        assert_eq!(run(&v(&["halite", "--help"])), 0);
        assert_eq!(run(&v(&["halite", "--version"])), 0);
    }
}
