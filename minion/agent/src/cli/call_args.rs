//! `salt-call`'s command line (Salt 3008.4 `SaltCallOptionParser`).

use std::path::PathBuf;

use super::optparse::{self, Kind, OptSpec, Parsed};

/// Salt's log level names (`-l` / `--log-file-level` choices, in optparse's order).
pub const LOG_LEVELS: &[&str] = &[
    "all", "debug", "error", "critical", "garbage", "info", "profile", "quiet", "trace", "warning",
];

const fn flag(short: Option<char>, long: &'static [&'static str], dest: &'static str) -> OptSpec {
    OptSpec {
        short,
        long,
        dest,
        kind: Kind::Flag,
    }
}

const fn string(short: Option<char>, long: &'static [&'static str], dest: &'static str) -> OptSpec {
    OptSpec {
        short,
        long,
        dest,
        kind: Kind::Str,
    }
}

/// Every option salt-call accepts (unused ones are accepted and ignored).
pub const SPECS: &[OptSpec] = &[
    flag(None, &["version"], "version"),
    flag(Some('V'), &["versions-report"], "versions_report"),
    flag(Some('h'), &["help"], "help"),
    string(None, &["saltfile"], "saltfile"),
    string(Some('c'), &["config-dir"], "config_dir"),
    string(None, &["proxyid"], "proxyid"),
    string(None, &["module-executors"], "module_executors"),
    string(None, &["executor-opts"], "executor_opts"),
    string(None, &["cachedir"], "cachedir"),
    flag(None, &["args-stdin"], "args_stdin"),
    flag(None, &["hard-crash"], "hard_crash"),
    string(None, &["no-parse"], "no_parse"),
    flag(Some('g'), &["grains"], "grains_run"),
    OptSpec {
        short: Some('m'),
        long: &["module-dirs"],
        dest: "module_dirs",
        kind: Kind::Append,
    },
    flag(Some('d'), &["doc", "documentation"], "doc"),
    string(None, &["master"], "master"),
    string(None, &["return"], "return"),
    flag(None, &["local"], "local"),
    string(None, &["file-root"], "file_root"),
    string(None, &["pillar-root"], "pillar_root"),
    string(None, &["states-dir"], "states_dir"),
    flag(None, &["retcode-passthrough"], "retcode_passthrough"),
    flag(None, &["metadata"], "print_metadata"),
    string(None, &["set-metadata"], "metadata"),
    string(None, &["id"], "id"),
    flag(None, &["skip-grains"], "skip_grains"),
    flag(None, &["refresh-grains-cache"], "refresh_grains_cache"),
    flag(None, &["no-return-event"], "no_return_event"),
    OptSpec {
        short: Some('t'),
        long: &["timeout"],
        dest: "auth_timeout",
        kind: Kind::Int,
    },
    flag(None, &["output-diff"], "state_output_diff"),
    string(None, &["priv"], "priv"),
    flag(Some('r'), &["resources"], "resources_dispatch"),
    string(None, &["tgt"], "resources_tgt"),
    string(None, &["tgt-type"], "resources_tgt_type"),
    string(None, &["out", "output"], "output"),
    OptSpec {
        short: None,
        long: &["out-indent", "output-indent"],
        dest: "output_indent",
        kind: Kind::Int,
    },
    string(None, &["out-file", "output-file"], "output_file"),
    flag(
        None,
        &["out-file-append", "output-file-append"],
        "output_file_append",
    ),
    flag(None, &["no-color", "no-colour"], "no_color"),
    flag(None, &["force-color", "force-colour"], "force_color"),
    string(None, &["state-output", "state_output"], "state_output"),
    string(None, &["state-verbose", "state_verbose"], "state_verbose"),
    string(None, &["profiling-path"], "profiling_path"),
    flag(None, &["enable-profiling"], "profiling_enabled"),
    OptSpec {
        short: Some('l'),
        long: &["log-level"],
        dest: "log_level",
        kind: Kind::Choice(LOG_LEVELS),
    },
    string(None, &["log-file"], "log_file"),
    OptSpec {
        short: None,
        long: &["log-file-level"],
        dest: "log_level_logfile",
        kind: Kind::Choice(LOG_LEVELS),
    },
];

/// The usage line optparse prints.
pub const USAGE: &str = "Usage: salt-call [options] <function> [arguments]";

/// What `salt-call` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum CallCommand {
    Run(Box<CallArgs>),
    /// `--help`: print the help text, exit 0.
    Help,
    /// `--version` / `--versions-report`.
    Version,
}

/// Parsed salt-call options.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallArgs {
    pub config_dir: PathBuf,
    pub local: bool,
    pub output: Option<String>,
    pub output_indent: Option<i64>,
    pub output_file: Option<PathBuf>,
    pub no_color: bool,
    pub force_color: bool,
    pub state_output: Option<String>,
    pub state_verbose: Option<String>,
    pub state_output_diff: bool,
    pub retcode_passthrough: bool,
    pub log_level: Option<String>,
    pub log_file: Option<String>,
    pub log_level_logfile: Option<String>,
    pub file_root: Option<String>,
    pub pillar_root: Option<String>,
    pub cachedir: Option<String>,
    pub id: Option<String>,
    pub grains: bool,
    pub doc: bool,
    pub print_metadata: bool,
    pub metadata: Option<String>,
    pub skip_grains: bool,
    pub no_parse: Vec<String>,
    pub master: Option<String>,
    /// `--no-return-event`: do not send the result to the master.
    pub no_return_event: bool,
    /// The function, then its raw arguments.
    pub fun: Option<String>,
    pub args: Vec<String>,
}

/// A command-line error: optparse's `prog: error: msg` (exit 64 in Salt).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Parse salt-call's arguments (without the program name).
pub fn parse(argv: &[String]) -> Result<CallCommand, UsageError> {
    let p = optparse::parse(SPECS, argv).map_err(|e| UsageError(e.to_string()))?;
    if p.flag("help") {
        return Ok(CallCommand::Help);
    }
    if p.flag("version") || p.flag("versions_report") {
        return Ok(CallCommand::Version);
    }
    let args = from_parsed(&p);
    if args.fun.is_none() && !args.grains && !args.doc {
        return Err(UsageError("Requires function, --grains or --doc".into()));
    }
    Ok(CallCommand::Run(Box::new(args)))
}

fn from_parsed(p: &Parsed) -> CallArgs {
    let owned = |k: &str| p.str(k).map(str::to_string);
    let mut positional = p.positional.clone().into_iter();
    CallArgs {
        config_dir: PathBuf::from(p.str("config_dir").unwrap_or("/etc/salt")),
        local: p.flag("local"),
        output: owned("output"),
        output_indent: p.int("output_indent"),
        output_file: p.str("output_file").map(PathBuf::from),
        no_color: p.flag("no_color"),
        force_color: p.flag("force_color"),
        state_output: owned("state_output"),
        state_verbose: owned("state_verbose"),
        state_output_diff: p.flag("state_output_diff"),
        retcode_passthrough: p.flag("retcode_passthrough"),
        log_level: owned("log_level"),
        log_file: owned("log_file"),
        log_level_logfile: owned("log_level_logfile"),
        file_root: owned("file_root"),
        pillar_root: owned("pillar_root"),
        cachedir: owned("cachedir"),
        id: owned("id"),
        grains: p.flag("grains_run"),
        doc: p.flag("doc"),
        print_metadata: p.flag("print_metadata"),
        metadata: owned("metadata"),
        skip_grains: p.flag("skip_grains"),
        no_parse: p
            .str("no_parse")
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        master: owned("master"),
        no_return_event: p.flag("no_return_event"),
        fun: positional.next(),
        args: positional.collect(),
    }
}

/// The help text (`--help`, and before the error when no function is given).
pub fn help_text() -> String {
    let mut s = format!("{USAGE}\n\nsalt-call is used to execute module functions locally on a Salt Minion (halite)\n\nOptions:\n");
    for spec in SPECS {
        let mut names: Vec<String> = spec.short.map(|c| format!("-{c}")).into_iter().collect();
        for l in spec.long {
            names.push(match spec.kind {
                Kind::Flag => format!("--{l}"),
                _ => format!("--{l}={}", spec.dest.to_uppercase()),
            });
        }
        s.push_str(&format!("  {}\n", names.join(", ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &[&str]) -> CallArgs {
        match parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap() {
            CallCommand::Run(a) => *a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn conformance_command_line() {
        let a = run(&[
            "-c",
            "/r/etc",
            "--local",
            "--out=json",
            "--retcode-passthrough",
            "state.apply",
            "x",
            "test=True",
        ]);
        assert_eq!(a.config_dir, PathBuf::from("/r/etc"));
        assert!(a.local && a.retcode_passthrough);
        assert_eq!(a.output.as_deref(), Some("json"));
        assert_eq!(a.fun.as_deref(), Some("state.apply"));
        assert_eq!(a.args, vec!["x".to_string(), "test=True".to_string()]);
    }

    #[test]
    fn defaults_and_grains_flag() {
        let a = run(&["-g", "--out", "yaml", "-l", "debug", "--out-indent", "2"]);
        assert_eq!(a.config_dir, PathBuf::from("/etc/salt"));
        assert!(a.grains);
        assert_eq!(a.output_indent, Some(2));
        assert_eq!(a.log_level.as_deref(), Some("debug"));
    }

    #[test]
    fn missing_function_is_usage_error() {
        assert_eq!(
            parse(&["--local".to_string()]).unwrap_err().0,
            "Requires function, --grains or --doc"
        );
    }
}
