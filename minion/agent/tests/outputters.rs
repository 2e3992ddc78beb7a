//! Every outputter against text captured from Salt 3008.4 (see fixtures/README.md).

use std::path::{Path, PathBuf};

use halite::output::{format, OutputOptions};
use halite_api::{Map, Value};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The `key=value` option overrides of a case line, as minion opts.
fn parse_opts(items: &[&str]) -> Map {
    let mut opts = Map::new();
    for item in items {
        let (k, v) = item.split_once('=').expect("key=value");
        let value = match v {
            "True" => Value::Bool(true),
            "False" => Value::Bool(false),
            other => other
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(other)),
        };
        opts.insert(k.to_string(), value);
    }
    opts
}

#[test]
fn outputters_match_salt_byte_for_byte() {
    let dir = fixtures();
    let cases = std::fs::read_to_string(dir.join("cases.txt")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (data_file, out, expected_file) = (parts[0], parts[1], parts[2]);
        let opts = parse_opts(&parts[3..]);
        let color = opts.get("color") == Some(&Value::Bool(true));
        let options = OutputOptions::from_opts(&opts, color);
        let data: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(data_file)).unwrap()).unwrap();
        let expected = std::fs::read_to_string(dir.join("expected").join(expected_file)).unwrap();
        let got = format!("{}\n", format(out, &data, &options));
        count += 1;
        if got != expected {
            failures.push(format!("{line}\n--- expected\n{expected}--- got\n{got}"));
        }
    }
    assert!(count >= 20, "only {count} cases found");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
