//! Werkzeug's HTTP dates: the `" d"` tag's text and `Expires` values.

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Werkzeug's `http_date`: `Thu, 29 Feb 2024 13:45:07 GMT` (four-digit year, as Python pads it).
/// Out-of-range timestamps are clamped to the years Python's `datetime` supports (1–9999).
pub fn http_date(unix: i64) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(unix.clamp(-62_135_596_800, 253_402_300_799))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[dt.weekday().number_days_from_monday() as usize],
        dt.day(),
        MONTHS[dt.month() as usize - 1],
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Parses an HTTP / RFC 2822 date (`[Www, ]DD Mon YYYY HH:MM[:SS] (GMT|UT|UTC|Z|±HHMM)`) to Unix seconds.
/// Returns `None` where Werkzeug's `parse_date` returns `None`.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = match s.split_once(',') {
        Some((wd, rest)) if WEEKDAYS.iter().any(|w| wd.trim().eq_ignore_ascii_case(w)) => rest,
        Some(_) => return None,
        None => s,
    };
    let mut parts = s.split_ascii_whitespace();
    let day: u8 = parts.next()?.parse().ok()?;
    let mon = parts.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(mon))? as u8 + 1;
    let year_text = parts.next()?;
    let mut year: i32 = year_text.parse().ok()?;
    if year < 100 {
        // Python's email.utils: any year below 100 is two-digit (so Flask reads its own "0001" as 2001).
        year += if year > 68 { 1900 } else { 2000 };
    }
    let mut hms = parts.next()?.split(':');
    let hour: u8 = hms.next()?.parse().ok()?;
    let minute: u8 = hms.next()?.parse().ok()?;
    let second: u8 = hms.next().map_or(Some(0), |x| x.parse().ok())?;
    let offset_secs: i64 = match parts.next() {
        None => 0,
        Some(z) if ["GMT", "UT", "UTC", "Z"].iter().any(|g| z.eq_ignore_ascii_case(g)) => 0,
        Some(z) if (z.starts_with('+') || z.starts_with('-')) && z.len() == 5 => {
            let n: i64 = z[1..].parse().ok()?;
            let secs = (n / 100) * 3600 + (n % 100) * 60;
            if z.starts_with('-') { -secs } else { secs }
        }
        Some(_) => return None,
    };
    if parts.next().is_some() || !(1..=9999).contains(&year) {
        return None;
    }
    let date = time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let t = time::Time::from_hms(hour, minute, second.min(59)).ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_utc().unix_timestamp() - offset_secs)
}
