//! The access log, in aiohttp's default format
//! `%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"`.

use std::rc::Rc;
use std::time::SystemTime;

/// Where access-log lines go (aiohttp's `access_log` logger).
///
/// A line reads like aiohttp's:
/// `127.0.0.1 [01/Dec/2026:10:47:40 +0000] "GET /bob HTTP/1.1" 200 163 "-" "curl/7.88.1"`,
/// where the size (`%b`) counts the response's head and body as sent.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// let lines = Rc::new(RefCell::new(Vec::new()));
/// let l = lines.clone();
/// let log = tulip::web::AccessLog::new(move |line: &str| l.borrow_mut().push(line.to_string()));
/// # let _ = log;
/// ```
#[derive(Clone)]
pub struct AccessLog {
    sink: Rc<dyn Fn(&str)>,
}

impl std::fmt::Debug for AccessLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessLog")
    }
}

impl AccessLog {
    /// Lines go to `sink`.
    pub fn new(sink: impl Fn(&str) + 'static) -> Self {
        AccessLog { sink: Rc::new(sink) }
    }

    /// Lines go to stderr, prefixed as Python's `logging.basicConfig`
    /// prints aiohttp's (`INFO:aiohttp.access:`).
    ///
    /// ```
    /// let _log = tulip::web::AccessLog::stderr();
    /// ```
    pub fn stderr() -> Self {
        AccessLog::new(|line| eprintln!("INFO:aiohttp.access:{line}"))
    }

    pub(crate) fn emit(&self, line: &str) {
        (self.sink)(line)
    }
}

/// One request's line.
pub(crate) struct Entry<'a> {
    pub(crate) remote: &'a str,
    pub(crate) request_line: &'a str,
    pub(crate) status: u16,
    pub(crate) size: u64,
    pub(crate) referer: &'a str,
    pub(crate) user_agent: &'a str,
}

pub(crate) fn format(e: &Entry<'_>, now: SystemTime) -> String {
    format!(
        "{} [{}] \"{}\" {} {} \"{}\" \"{}\"",
        e.remote,
        clf_time(now),
        e.request_line,
        e.status,
        e.size,
        e.referer,
        e.user_agent
    )
}

/// `01/Dec/2026:10:47:40 +0000` (the Common Log Format's time, in UTC).
fn clf_time(t: SystemTime) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}/{}/{year}:{:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_in_common_log_format() {
        // 2026-12-01T10:47:40Z and a leap day.
        assert_eq!(clf_time(SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_122_060)), "01/Dec/2026:10:47:40 +0000");
        assert_eq!(clf_time(SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400)), "29/Feb/2000:00:00:00 +0000");
    }

    #[test]
    fn a_line_reads_like_aiohttps() {
        let e = Entry {
            remote: "127.0.0.1",
            request_line: "GET /bob HTTP/1.1",
            status: 200,
            size: 163,
            referer: "-",
            user_agent: "curl/7.88.1",
        };
        let line = format(&e, SystemTime::UNIX_EPOCH);
        assert_eq!(line, "127.0.0.1 [01/Jan/1970:00:00:00 +0000] \"GET /bob HTTP/1.1\" 200 163 \"-\" \"curl/7.88.1\"");
    }
}
