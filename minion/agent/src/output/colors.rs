//! Salt's terminal colours (`salt.utils.color.get_colors`), or empty strings when
//! colour is off.

/// The ANSI sequences the outputters use.
#[derive(Debug, Clone, PartialEq)]
pub struct Colors {
    pub red: &'static str,
    pub light_red: &'static str,
    pub green: &'static str,
    pub yellow: &'static str,
    pub light_yellow: &'static str,
    pub cyan: &'static str,
    pub endc: &'static str,
}

impl Colors {
    /// Salt's default theme when `use_color`, else every colour empty.
    pub fn new(use_color: bool) -> Self {
        if use_color {
            Colors {
                red: "\x1b[0;31m",
                light_red: "\x1b[0;1;31m",
                green: "\x1b[0;32m",
                yellow: "\x1b[0;33m",
                light_yellow: "\x1b[0;1;33m",
                cyan: "\x1b[0;36m",
                endc: "\x1b[0;0m",
            }
        } else {
            Colors {
                red: "",
                light_red: "",
                green: "",
                yellow: "",
                light_yellow: "",
                cyan: "",
                endc: "",
            }
        }
    }
}

/// Salt's `strip_esc_sequence`: ESC becomes `?` so data cannot drive the terminal.
pub fn strip_esc(s: &str) -> String {
    s.replace('\x1b', "?")
}
