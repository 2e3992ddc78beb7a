//! The halite binary.
fn main() {}
