//! LVM's JSON reports (`{"report": [{"pv": [{…}]}]}`), typed. Sizes are
//! requested in bytes without suffix; an inactive pool reports empty
//! percentages, kept as `None`.

use serde_json::Value;

pub type Row = serde_json::Map<String, Value>;

pub const PV_FIELDS: &str = "pv_name,vg_name,pv_size,pv_free";
pub const VG_FIELDS: &str = "vg_name,vg_size,vg_free,vg_extent_size,pv_count,lv_count";
pub const LV_FIELDS: &str =
    "lv_name,vg_name,lv_attr,segtype,lv_size,lv_profile,chunk_size,data_percent,metadata_percent,lv_metadata_size,lv_path,vg_extent_size";

/// The rows of the first report section named `section`.
pub fn rows(json: &str, verb: &str) -> Result<Vec<Row>, String> {
    let section = &verb[..2];
    let doc: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let reports = doc
        .get("report")
        .and_then(Value::as_array)
        .ok_or("no \"report\" list")?;
    let mut out = Vec::new();
    for r in reports {
        if let Some(items) = r.get(section).and_then(Value::as_array) {
            out.extend(items.iter().filter_map(|i| i.as_object().cloned()));
        }
    }
    Ok(out)
}

pub fn field(row: &Row, key: &str) -> String {
    row.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string()
}

fn bytes(row: &Row, key: &str) -> u64 {
    field(row, key).parse().unwrap_or(0)
}

fn percent(row: &Row, key: &str) -> Option<f64> {
    field(row, key).parse().ok()
}

/// A physical volume.
#[derive(Debug, Clone, PartialEq)]
pub struct Pv {
    pub name: String,
    /// Empty for an orphan PV.
    pub vg: String,
    pub size: u64,
    pub free: u64,
}

impl Pv {
    pub fn from_row(r: &Row) -> Pv {
        Pv {
            name: field(r, "pv_name"),
            vg: field(r, "vg_name"),
            size: bytes(r, "pv_size"),
            free: bytes(r, "pv_free"),
        }
    }
}

/// A volume group.
#[derive(Debug, Clone, PartialEq)]
pub struct Vg {
    pub name: String,
    pub size: u64,
    pub free: u64,
    pub extent_size: u64,
    pub pv_count: u64,
    pub lv_count: u64,
}

impl Vg {
    pub fn from_row(r: &Row) -> Vg {
        Vg {
            name: field(r, "vg_name"),
            size: bytes(r, "vg_size"),
            free: bytes(r, "vg_free"),
            extent_size: bytes(r, "vg_extent_size"),
            pv_count: bytes(r, "pv_count"),
            lv_count: bytes(r, "lv_count"),
        }
    }
}

/// A logical volume.
#[derive(Debug, Clone, PartialEq)]
pub struct Lv {
    pub name: String,
    pub vg: String,
    pub attr: String,
    pub segtype: String,
    pub size: u64,
    pub profile: String,
    pub chunk_size: u64,
    pub data_percent: Option<f64>,
    pub metadata_percent: Option<f64>,
    pub metadata_size: u64,
    pub path: String,
    /// The VG's extent size (sizes are whole extents).
    pub extent_size: u64,
}

impl Lv {
    pub fn from_row(r: &Row) -> Lv {
        Lv {
            name: field(r, "lv_name"),
            vg: field(r, "vg_name"),
            attr: field(r, "lv_attr"),
            segtype: field(r, "segtype"),
            size: bytes(r, "lv_size"),
            profile: field(r, "lv_profile"),
            chunk_size: bytes(r, "chunk_size"),
            data_percent: percent(r, "data_percent"),
            metadata_percent: percent(r, "metadata_percent"),
            metadata_size: bytes(r, "lv_metadata_size"),
            path: field(r, "lv_path"),
            extent_size: bytes(r, "vg_extent_size"),
        }
    }

    /// A thin pool: `lv_attr` starts with `t` (c-s-s's test) and the
    /// segment type says so.
    pub fn is_thin_pool(&self) -> bool {
        self.attr.starts_with('t') || self.segtype == "thin-pool"
    }

    /// Active (`lv_attr` position 5 is `a`).
    pub fn is_active(&self) -> bool {
        self.attr.chars().nth(4) == Some('a')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lvs_json() {
        let json = r#"{"report":[{"lv":[{"lv_name":"docker-pool","vg_name":"docker-vg","lv_attr":"twi-XXt---","segtype":"thin-pool","lv_size":"419430400","lv_profile":"docker-vg--docker-pool-extend","chunk_size":"524288","data_percent":"","metadata_percent":"","lv_metadata_size":"8388608","lv_path":""}]}]}"#;
        let lv = Lv::from_row(&rows(json, "lvs").unwrap()[0]);
        assert!(lv.is_thin_pool());
        assert!(!lv.is_active());
        assert_eq!(lv.size, 419_430_400);
        assert_eq!(lv.data_percent, None);
        assert_eq!(lv.profile, "docker-vg--docker-pool-extend");
    }

    #[test]
    fn rejects_non_reports() {
        assert!(rows("garbage", "pvs").is_err());
        assert!(rows("{}", "pvs").is_err());
    }
}
