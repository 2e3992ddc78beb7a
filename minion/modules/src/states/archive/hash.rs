//! `source_hash` for `archive.extracted`: Salt's `file.get_source_sum` for
//! `<type>=<hex>` and bare hex values, and the digest of a cached file.

use std::path::Path;

/// A parsed `source_hash` (Salt's `source_sum` dict).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSum {
    pub hash_type: String,
    pub hsum: String,
}

/// Salt's `HASHES`, shortest first (the order of its messages).
const HASHES: &[(&str, usize)] = &[
    ("md5", 32),
    ("sha1", 40),
    ("sha224", 56),
    ("sha256", 64),
    ("sha384", 96),
    ("sha512", 128),
];

fn invalid(source_hash: &str) -> String {
    let lens: Vec<String> = HASHES.iter().map(|(t, n)| format!("{t} ({n})")).collect();
    format!("Source hash {source_hash} format is invalid. The supported formats are: 1) a hash, 2) an expression in the format <hash_type>=<hash>, or 3) either a path to a local file containing hashes, or a URI of a remote hash file. Supported protocols for remote hash files are: salt, file, http, https, ftp, swift, s3. The hash may also not be of a valid length, the following are supported hash types and lengths: {}.", lens.join(", "))
}

fn type_for_len(n: usize) -> Option<&'static str> {
    HASHES.iter().find(|(_, l)| *l == n).map(|(t, _)| *t)
}

/// Parse `source_hash`; hash files (a path or a URL) are not supported.
pub fn parse(source_hash: &str) -> Result<SourceSum, String> {
    if source_hash.starts_with('/') || source_hash.contains("://") {
        return Err(format!("Source hash {source_hash}: hash files are not supported by Halite yet; give the hash as <hash_type>=<hash>"));
    }
    let (hash_type, hsum) = match source_hash.split_once('=') {
        Some((t, h)) => (t.trim().to_string(), h.trim().to_string()),
        None => {
            if source_hash.is_empty() || !source_hash.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(invalid(source_hash));
            }
            let t = type_for_len(source_hash.len()).ok_or_else(|| invalid(source_hash))?;
            (t.to_string(), source_hash.to_string())
        }
    };
    let Some((_, want)) = HASHES.iter().find(|(t, _)| *t == hash_type) else {
        let names: Vec<&str> = ["sha512", "sha384", "sha256", "sha224", "sha1", "md5"].to_vec();
        return Err(format!("Invalid hash type '{hash_type}'. Supported hash types are: {}. Either remove the hash type and simply use '{hsum}' as the source_hash, or change the hash type to a supported type.", names.join(", ")));
    };
    let Some(actual_type) = type_for_len(hsum.len()) else {
        return Err(invalid(source_hash));
    };
    if hsum.len() != *want {
        return Err(format!("Invalid length ({}) for hash type '{hash_type}'. Either remove the hash type and simply use '{hsum}' as the source_hash, or change the hash type to '{actual_type}'", hsum.len()));
    }
    Ok(SourceSum {
        hash_type,
        hsum: hsum.to_lowercase(),
    })
}

/// The digest of the file at `path`, in `sum`'s hash type (read in chunks).
pub fn file_digest(path: &Path, sum: &SourceSum) -> Result<String, String> {
    crate::exec::file::hash::hash_file(&path.to_string_lossy(), &sum.hash_type)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::file::hash::hex_digest;

    #[test]
    fn forms() {
        let h = "ca2f634414f325f0ee51067fa3078951f2a6c0ff9bd98519f0192978dc8ee0dc";
        assert_eq!(parse(&format!("sha256={h}")).unwrap().hash_type, "sha256");
        assert_eq!(parse(h).unwrap().hash_type, "sha256");
        assert_eq!(
            parse(&"A".repeat(32)).unwrap(),
            SourceSum {
                hash_type: "md5".into(),
                hsum: "a".repeat(32)
            }
        );
        assert!(parse("xyz")
            .unwrap_err()
            .starts_with("Source hash xyz format is invalid."));
        assert!(parse(&format!("sha1={h}"))
            .unwrap_err()
            .starts_with("Invalid length (64) for hash type 'sha1'"));
        assert!(parse("crc=00")
            .unwrap_err()
            .starts_with("Invalid hash type 'crc'."));
    }

    #[test]
    fn digests() {
        assert_eq!(
            hex_digest("md5", b"").unwrap(),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            hex_digest("sha1", b"abc").unwrap(),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex_digest("crc", b""), None);
    }
}
