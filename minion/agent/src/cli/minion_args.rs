//! `salt-minion`'s command line: options, configuration, `-d`, the pid file and
//! logging; the daemon loop itself is halite-daemon's `run`.

use std::path::PathBuf;

use halite_api::Map;

use super::call_args::LOG_LEVELS;
use super::optparse::{self, Kind, OptSpec};

/// salt-minion's options.
pub const SPECS: &[OptSpec] = &[
    OptSpec {
        short: Some('h'),
        long: &["help"],
        dest: "help",
        kind: Kind::Flag,
    },
    OptSpec {
        short: None,
        long: &["version"],
        dest: "version",
        kind: Kind::Flag,
    },
    OptSpec {
        short: Some('c'),
        long: &["config-dir"],
        dest: "config_dir",
        kind: Kind::Str,
    },
    OptSpec {
        short: Some('d'),
        long: &["daemon"],
        dest: "daemon",
        kind: Kind::Flag,
    },
    OptSpec {
        short: None,
        long: &["pid-file"],
        dest: "pidfile",
        kind: Kind::Str,
    },
    OptSpec {
        short: Some('u'),
        long: &["user"],
        dest: "user",
        kind: Kind::Str,
    },
    OptSpec {
        short: Some('l'),
        long: &["log-level"],
        dest: "log_level",
        kind: Kind::Choice(LOG_LEVELS),
    },
    OptSpec {
        short: None,
        long: &["log-file"],
        dest: "log_file",
        kind: Kind::Str,
    },
    OptSpec {
        short: None,
        long: &["log-file-level"],
        dest: "log_level_logfile",
        kind: Kind::Choice(LOG_LEVELS),
    },
];

/// Parsed salt-minion options.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MinionArgs {
    /// `--version`: print the version and exit.
    pub version: bool,
    /// `-h/--help`: print the usage and exit.
    pub help: bool,
    pub config_dir: PathBuf,
    pub daemonize: bool,
    pub pidfile: Option<PathBuf>,
    pub log_level: Option<String>,
    pub log_file: Option<String>,
    pub log_level_logfile: Option<String>,
}

const HELP: &str = "Usage: salt-minion [options]

The Salt Minion (Halite): receives commands from a remote Salt master.

Options:
  --version             show program's version number and exit
  -h, --help            show this help message and exit
  -c CONFIG_DIR, --config-dir=CONFIG_DIR
                        Pass in an alternative configuration directory.
                        Default: '/etc/salt'.
  -u USER, --user=USER  Specify user to run salt-minion (accepted; Halite runs
                        as the invoking user).
  -d, --daemon          Run the salt-minion as a daemon.
  --pid-file=PIDFILE    Specify the location of the pidfile.
  -l LOG_LEVEL, --log-level=LOG_LEVEL
                        Console logging log level.
  --log-file=LOG_FILE   Log file path.
  --log-file-level=LOG_LEVEL_LOGFILE
                        Logfile logging log level.";

/// Parse salt-minion's arguments.
pub fn parse(argv: &[String]) -> Result<MinionArgs, String> {
    let p = optparse::parse(SPECS, argv).map_err(|e| e.to_string())?;
    if let Some(extra) = p.positional.first() {
        return Err(format!("unexpected argument: {extra}"));
    }
    Ok(MinionArgs {
        version: p.flag("version"),
        help: p.flag("help"),
        config_dir: PathBuf::from(p.str("config_dir").unwrap_or("/etc/salt")),
        daemonize: p.flag("daemon"),
        pidfile: p.str("pidfile").map(PathBuf::from),
        log_level: p.str("log_level").map(str::to_string),
        log_file: p.str("log_file").map(str::to_string),
        log_level_logfile: p.str("log_level_logfile").map(str::to_string),
    })
}

/// Run `halite minion`; returns the exit status.
pub fn main(argv: &[String]) -> i32 {
    let args = match parse(argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Usage: salt-minion [options]\n\nsalt-minion: error: {e}");
            return 64;
        }
    };
    if args.help {
        println!("{HELP}");
        return 0;
    }
    if args.version {
        println!("salt-minion 3008.4 (halite {})", env!("CARGO_PKG_VERSION"));
        return 0;
    }
    let mut config = match halite_config::load(&args.config_dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    apply_overrides(&mut config.opts, &args);
    // Salt's `__cli` names the program: `halite minion` is salt-minion
    config.opts.insert("__cli".into(), "salt-minion".into());
    if args.daemonize {
        if let Err(e) = crate::daemonize::daemonize() {
            eprintln!("Failed to daemonize: {e}");
            return 1;
        }
    }
    crate::logging::init(&crate::logging::LogSettings::from_opts(&config.opts));
    config.log_sources();
    // halite-daemon writes (and removes) the `pidfile`; `--pid-file` only overrides it.
    match halite_daemon::run(config) {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("{e}");
            1
        }
    }
}

/// Command-line options over the configuration.
fn apply_overrides(opts: &mut Map, args: &MinionArgs) {
    if let Some(p) = &args.pidfile {
        opts.insert("pidfile".into(), p.display().to_string().into());
    }
    if let Some(l) = &args.log_level {
        opts.insert("log_level".into(), l.clone().into());
    }
    if let Some(f) = &args.log_file {
        opts.insert("log_file".into(), f.clone().into());
    }
    if let Some(l) = &args.log_level_logfile {
        opts.insert("log_level_logfile".into(), l.clone().into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minion_options() {
        let a = parse(&["-c", "/e", "-d", "--pid-file=/run/m.pid"].map(String::from)).unwrap();
        assert_eq!(a.config_dir, PathBuf::from("/e"));
        assert!(a.daemonize);
        assert_eq!(a.pidfile, Some(PathBuf::from("/run/m.pid")));
        assert!(parse(&["extra".to_string()]).is_err());
        assert!(parse(&["--version".to_string()]).unwrap().version);
        assert!(parse(&["-h".to_string()]).unwrap().help);
    }
}
