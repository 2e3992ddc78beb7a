//! `halite-ctl`: see the library (`halite_ctl`) and docs/controller.md.

fn main() {
    std::process::exit(halite_ctl::cli::main());
}
