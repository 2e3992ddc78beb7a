//! CPU, memory, DMI and disk grains from `/proc` and `/sys`.

use halite_api::Map;
use serde_json::json;

use crate::host::Host;

/// `num_cpus`, `cpu_model`, `cpu_flags` from `/proc/cpuinfo` text.
pub fn cpu_grains(cpuinfo: &str, out: &mut Map) {
    let mut num_cpus = 0u64;
    let (mut model, mut flags) = (None, None);
    for line in cpuinfo.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "processor" => num_cpus += 1,
            "model name" | "cpu model" | "Processor" if model.is_none() => {
                model = Some(value.to_string())
            }
            "flags" | "Features" if flags.is_none() => {
                flags = Some(
                    value
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                );
            }
            _ => {}
        }
    }
    out.insert("num_cpus".into(), json!(num_cpus));
    out.insert(
        "cpu_model".into(),
        json!(model.unwrap_or_else(|| "Unknown".into())),
    );
    out.insert("cpu_flags".into(), json!(flags.unwrap_or_default()));
}

/// `mem_total` and `swap_total` in MiB from `/proc/meminfo` text.
pub fn memory_grains(meminfo: &str, out: &mut Map) {
    let kib = |name: &str| -> u64 {
        meminfo
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    out.insert("mem_total".into(), json!(kib("MemTotal") / 1024));
    out.insert("swap_total".into(), json!(kib("SwapTotal") / 1024));
}

const DMI_FILES: &[(&str, &str)] = &[
    ("biosversion", "bios_version"),
    ("productname", "product_name"),
    ("manufacturer", "sys_vendor"),
    ("biosreleasedate", "bios_date"),
    ("uuid", "product_uuid"),
    ("serialnumber", "product_serial"),
];

/// DMI grains from `/sys/class/dmi/id`, when the files exist and are readable.
pub fn dmi_grains(host: &dyn Host, out: &mut Map) {
    for (grain, file) in DMI_FILES {
        let Some(text) = host.read(&format!("/sys/class/dmi/id/{file}")) else {
            continue;
        };
        let value = text.trim();
        let value = if *grain == "uuid" {
            value.to_lowercase()
        } else {
            value.to_string()
        };
        out.insert((*grain).into(), json!(value));
    }
}

/// `disks` (rotational) and `ssds` from `/sys/block`, skipping virtual devices.
pub fn disk_grains(host: &dyn Host, out: &mut Map) {
    let virtual_devs = host
        .list_dir("/sys/devices/virtual/block")
        .unwrap_or_default();
    let mut devices = host.list_dir("/sys/block").unwrap_or_default();
    devices.sort();
    let (mut disks, mut ssds) = (Vec::new(), Vec::new());
    for dev in devices.into_iter().filter(|d| !virtual_devs.contains(d)) {
        match host
            .read(&format!("/sys/block/{dev}/queue/rotational"))
            .as_deref()
            .map(str::trim)
        {
            Some("0") => ssds.push(dev),
            Some("1") => disks.push(dev),
            _ => {}
        }
    }
    out.insert("disks".into(), json!(disks));
    out.insert("ssds".into(), json!(ssds));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpuinfo_counts_processors_and_reads_model_and_flags() {
        let text = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme\n";
        let mut m = Map::new();
        cpu_grains(text, &mut m);
        assert_eq!(m["num_cpus"], json!(2));
        assert_eq!(m["cpu_model"], json!("AMD EPYC"));
        assert_eq!(m["cpu_flags"], json!(["fpu", "vme"]));
    }

    #[test]
    fn meminfo_in_mebibytes() {
        let mut m = Map::new();
        memory_grains(
            "MemTotal:       24684000 kB\nMemFree: 1 kB\nSwapTotal:     2097148 kB\n",
            &mut m,
        );
        assert_eq!(m["mem_total"], json!(24105));
        assert_eq!(m["swap_total"], json!(2047));
    }
}
