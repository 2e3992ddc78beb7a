//! Logging in Salt's formats through `tracing`: console lines
//! `[LEVEL   ] message` on stderr (never stdout, which carries the output) and,
//! when a log file is configured, `date time,ms [target][LEVEL   ][pid] message`.

use std::fmt;
use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Map a Salt log level name to a tracing filter (`quiet` turns logging off).
pub fn level_filter(name: &str) -> LevelFilter {
    match name.to_ascii_lowercase().as_str() {
        "all" | "garbage" | "trace" => LevelFilter::TRACE,
        "debug" | "profile" => LevelFilter::DEBUG,
        "info" => LevelFilter::INFO,
        "warning" | "warn" => LevelFilter::WARN,
        "error" | "critical" => LevelFilter::ERROR,
        "quiet" => LevelFilter::OFF,
        _ => LevelFilter::WARN,
    }
}

/// Salt's level names.
fn salt_level(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => "INFO",
        Level::WARN => "WARNING",
        Level::ERROR => "ERROR",
    }
}

/// Where and how much to log.
#[derive(Debug, Clone, Default)]
pub struct LogSettings {
    /// Console (stderr) level name.
    pub console_level: String,
    pub log_file: Option<String>,
    /// Log file level name (defaults to the console level).
    pub file_level: Option<String>,
}

impl LogSettings {
    /// From `log_level`, `log_file` and `log_level_logfile` in minion opts.
    pub fn from_opts(opts: &halite_api::Map) -> Self {
        let s = |k: &str| {
            opts.get(k)
                .and_then(halite_api::Value::as_str)
                .map(str::to_string)
        };
        LogSettings {
            console_level: s("log_level").unwrap_or_else(|| "warning".into()),
            log_file: s("log_file").filter(|f| !f.is_empty()),
            file_level: s("log_level_logfile"),
        }
    }
}

struct ConsoleFormat;

impl<S, N> FormatEvent<S, N> for ConsoleFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(w, "[{:<8}] ", salt_level(event.metadata().level()))?;
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

struct FileFormat;

impl<S, N> FormatEvent<S, N> for FileFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        write!(
            w,
            "{} [{:<17}:{:<4}][{:<8}][{}] ",
            timestamp(),
            meta.target(),
            meta.line().unwrap_or(0),
            salt_level(meta.level()),
            std::process::id()
        )?;
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

/// `YYYY-MM-DD HH:MM:SS,mmm` (UTC).
fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let (y, m, d) = halite_api::calendar::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{:03}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// Install the global subscriber. A log file that cannot be opened is reported
/// on stderr and skipped (Salt carries on too).
pub fn init(settings: &LogSettings) {
    let console = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .event_format(ConsoleFormat)
        .with_filter(level_filter(&settings.console_level));
    let file_layer = settings.log_file.as_deref().and_then(|path| {
        let file = open_log_file(Path::new(path))?;
        let level = settings
            .file_level
            .as_deref()
            .unwrap_or(&settings.console_level);
        Some(
            tracing_subscriber::fmt::layer()
                .with_writer(Mutex::new(file))
                .with_ansi(false)
                .event_format(FileFormat)
                .with_filter(level_filter(level)),
        )
    });
    let subscriber = tracing_subscriber::registry()
        .with(console)
        .with(file_layer);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

fn open_log_file(path: &Path) -> Option<std::fs::File> {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    match OpenOptions::new().create(true).append(true).open(path) {
        Ok(f) => Some(f),
        Err(e) => {
            eprintln!("[WARNING ] Failed to open log file {}: {e}", path.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_level_names_map_to_filters() {
        assert_eq!(level_filter("garbage"), LevelFilter::TRACE);
        assert_eq!(level_filter("profile"), LevelFilter::DEBUG);
        assert_eq!(level_filter("critical"), LevelFilter::ERROR);
        assert_eq!(level_filter("quiet"), LevelFilter::OFF);
        assert_eq!(level_filter("WARNING"), LevelFilter::WARN);
    }
}
