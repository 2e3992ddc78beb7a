//! Local wall-clock times and durations as Salt reports them.

use std::time::Instant;

/// Local time of day as `HH:MM:SS.ffffff` (Python's `time.isoformat()`).
pub fn local_time_of_day() -> String {
    let now = chrono::Local::now();
    let s = now.format("%H:%M:%S%.6f").to_string();
    if s.ends_with(".000000") {
        s.trim_end_matches(".000000").to_string()
    } else {
        s
    }
}

/// Milliseconds since `start`, with microsecond precision.
pub fn millis_since(start: Instant) -> f64 {
    let us = start.elapsed().as_micros() as f64;
    us / 1000.0
}

/// Start time and near-zero duration for chunks that did not run.
pub fn fake_duration() -> (String, f64) {
    let start = Instant::now();
    let t = local_time_of_day();
    (t, millis_since(start))
}
