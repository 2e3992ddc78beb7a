//! `halite-cni`: read `CNI_*` and the configuration on stdin, print the
//! result (or the error document) on stdout, exit 0 (or 1).

use std::io::{Read, Write};

fn main() {
    let env = std::env::vars().collect();
    let mut stdin = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut stdin);
    let (out, status) = halite_cni::attach::run(&env, &stdin);
    if let Some(doc) = out {
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{doc}");
    }
    std::process::exit(status);
}
