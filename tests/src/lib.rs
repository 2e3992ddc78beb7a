//! Shared helpers for Halite's end-to-end tests.
