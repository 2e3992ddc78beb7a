//! The halite binary: `halite call`, `halite minion`, or salt-call / salt-minion
//! by link name.

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    std::process::exit(halite::cli::run(&argv));
}
