//! Python's `str()` of an `OSError`, for messages Salt builds from one.

/// `[Errno N] <strerror>: '<path>'` as Python prints an `OSError` raised by
/// `open(path)`; without an OS error number, the error's own text.
pub fn os_error(e: &std::io::Error, path: &str) -> String {
    match e.raw_os_error() {
        Some(n) => format!(
            "[Errno {n}] {}: {}",
            strerror(n),
            halite_api::py::str_repr(path)
        ),
        None => e.to_string(),
    }
}

/// The C library's message for an errno (`os.strerror`): std's text
/// without its ` (os error N)` suffix.
pub fn strerror(n: i32) -> String {
    let text = std::io::Error::from_raw_os_error(n).to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_like_python() {
        let e = std::io::Error::from_raw_os_error(13);
        assert_eq!(
            super::os_error(&e, "/x/y"),
            "[Errno 13] Permission denied: '/x/y'"
        );
    }
}
