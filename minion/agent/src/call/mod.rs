//! `halite call` / `salt-call`: run one execution function locally and print
//! `{"local": RETURN}` through an outputter, with salt-call's exit codes.

pub mod args;
pub mod context;
pub mod outcome;
pub mod remote;

use std::io::Write;
use std::sync::Arc;

use halite_api::{Ctx, Map, Value};
use halite_transport::MasterLink;

use crate::cli::call_args::{self, CallArgs, CallCommand};
use crate::logging::{self, LogSettings};
use crate::output::{self, Destination, OutputOptions};
use outcome::Outcome;

/// Salt's exit codes (`salt.defaults.exitcodes`).
pub const EX_GENERIC: i32 = 1;
pub const EX_USAGE: i32 = 64;
/// `sys.exit(-1)` as the shell sees it.
pub const EX_NOT_AVAILABLE: i32 = 255;

/// Functions whose module declares `__outputter__` (state.* → highstate, ...).
fn default_outputter(fun: &str) -> Option<&'static str> {
    let (module, name) = fun.split_once('.')?;
    match module {
        "state" => matches!(
            name,
            "sls"
                | "sls_id"
                | "pkg"
                | "top"
                | "single"
                | "highstate"
                | "template"
                | "template_str"
                | "apply"
                | "test"
                | "request"
                | "check_request"
        )
        .then_some("highstate"),
        "grains" => matches!(name, "items" | "item" | "setval").then_some("nested"),
        _ => None,
    }
}

/// Run salt-call with `argv` (program name excluded); returns the exit status.
pub fn main(argv: &[String]) -> i32 {
    let args = match call_args::parse(argv) {
        Ok(CallCommand::Run(a)) => *a,
        Ok(CallCommand::Help) => {
            print!("{}", call_args::help_text());
            return 0;
        }
        Ok(CallCommand::Version) => {
            println!("salt-call 3008.4 (halite {})", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        Err(e) => {
            if e.0.starts_with("Requires function") {
                print!("{}", call_args::help_text());
            }
            eprintln!("{}\n\nsalt-call: error: {e}", call_args::USAGE);
            return EX_USAGE;
        }
    };
    let config = match halite_config::load(&args.config_dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return EX_GENERIC;
        }
    };
    let mut opts = config.opts.clone();
    // Salt's `__cli` names the program: `halite call` is salt-call
    opts.insert("__cli".into(), "salt-call".into());
    context::apply_cli_overrides(&mut opts, &args);
    logging::init(&LogSettings::from_opts(&opts));
    config.log_sources();
    halite_daemon::recover_network(&opts);
    run(&args, opts)
}

/// Salt's `get_printout` colour rule: `--force-color` > `--no-color` > a
/// configured `color` option > stdout is a tty.
fn use_color(args: &CallArgs, opts: &Map) -> bool {
    let on = |k: &str| opts.get(k).is_some_and(halite_api::module::value_to_bool);
    if args.force_color || on("force_color") {
        return true;
    }
    if args.no_color || on("no_color") {
        return false;
    }
    match opts.get("color") {
        Some(v) => halite_api::module::value_to_bool(v),
        None => std::io::IsTerminal::is_terminal(&std::io::stdout()),
    }
}

fn run(args: &CallArgs, opts: Map) -> i32 {
    let color = use_color(args, &opts);
    let out_opts = OutputOptions::from_opts(&opts, color);
    let configured_out = opts
        .get("output")
        .and_then(Value::as_str)
        .map(str::to_string);
    let dest = Destination {
        file: args.output_file.clone(),
    };
    let grains = context::grains(&opts, args.skip_grains);
    let (ctx, master) = match open_context(opts, grains) {
        Ok(opened) => opened,
        Err(failure) => return report_failure(&failure),
    };
    if args.grains {
        let data = serde_json::json!({ "local": *ctx.grains });
        return show(
            &output::choose(Some("grains"), configured_out.as_deref()),
            &data,
            out_opts,
            &dest,
            0,
        );
    }
    if args.doc {
        print_docs(&ctx, args.fun.as_deref().unwrap_or(""));
        return 0;
    }
    let fun = args.fun.clone().unwrap_or_default();
    let outcome = outcome::call(&ctx, &fun, args);
    match outcome {
        Outcome::Returned { ret, retcode, jid } => {
            let fun_out = default_outputter(&fun);
            if let Some(link) = &master {
                let result = remote::CallResult {
                    fun: &fun,
                    fun_args: &args.args,
                    ret: &ret,
                    retcode,
                    out: fun_out,
                    metadata: args.metadata.as_deref().map(args::yamlify),
                };
                remote::send_return(link, &ctx.opts, &result);
            }
            let (data, out) = if args.print_metadata {
                let mut meta = Map::new();
                meta.insert("jid".into(), jid.into());
                meta.insert("return".into(), ret);
                meta.insert("retcode".into(), retcode.into());
                if let Some(o) = fun_out {
                    meta.insert("out".into(), o.into());
                }
                (
                    Value::Object(meta),
                    output::choose(Some("nested"), configured_out.as_deref()),
                )
            } else {
                (ret, output::choose(fun_out, configured_out.as_deref()))
            };
            let doc = serde_json::json!({ "local": data });
            let status = show(
                &out,
                &doc,
                OutputOptions {
                    retcode,
                    ..out_opts
                },
                &dest,
                retcode,
            );
            if status != 0 {
                return status;
            }
            match (args.retcode_passthrough, retcode) {
                (true, rc) => rc,
                (false, 0) => 0,
                (false, _) => EX_GENERIC,
            }
        }
        Outcome::Docs(docs) => {
            let data = serde_json::json!({ "local": docs });
            show(
                &output::choose(Some("nested"), configured_out.as_deref()),
                &data,
                out_opts,
                &dest,
                0,
            )
        }
        Outcome::Failed {
            stderr,
            stdout,
            status,
        } => {
            let _ = std::io::stderr().write_all(stderr.as_bytes());
            if let Some(text) = stdout {
                println!("{text}");
            }
            status
        }
    }
}

/// The run's context: masterless (`file_roots`, `pillar_roots`) or through
/// the master (fileserver, master-compiled pillar), with the link if any.
fn open_context(
    opts: Map,
    grains: Value,
) -> Result<(Ctx, Option<Arc<MasterLink>>), remote::StartFailure> {
    if remote::is_local(&opts) {
        return Ok((context::build(opts, grains, context::registry()), None));
    }
    let link = remote::connect(&opts)?;
    let ctx = remote::build_context(&link, opts, grains, context::registry())?;
    Ok((ctx, Some(link)))
}

fn report_failure(failure: &remote::StartFailure) -> i32 {
    let _ = std::io::stderr().write_all(failure.stderr.as_bytes());
    if let Some(text) = &failure.stdout {
        println!("{text}");
    }
    failure.status
}

/// Print through the outputter; an unwritable output file is exit 1.
fn show(out: &str, data: &Value, opts: OutputOptions, dest: &Destination, _retcode: i32) -> i32 {
    let text = output::format(out, data, &opts);
    match output::display(&text, dest) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Failed to write output: {e}");
            EX_GENERIC
        }
    }
}

/// `salt-call -d [prefix]`: `name:\ndoc\n` for every function starting with prefix.
fn print_docs(ctx: &Ctx, prefix: &str) {
    let mut stdout = std::io::stdout().lock();
    for name in ctx.registry.exec_names().filter(|n| n.starts_with(prefix)) {
        if let Some(spec) = ctx.registry.exec(name) {
            let _ = writeln!(stdout, "{name}:\n{}\n", spec.doc);
        }
    }
}
