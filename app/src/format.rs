//! Display formatting for Korean traders: won with thousands separators and
//! 만/억 units (their words are in each language's catalogue), KST clock
//! times, and the red-up / blue-down price direction. Everything works on
//! integers (won, milliseconds), so formatting never touches a float on its
//! way from the ledger to the screen.

use crate::i18n::{Lang, fill};
use time::{OffsetDateTime, UtcOffset};

/// Korea Standard Time has been UTC+9 without daylight saving since 1988.
const KST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+9 is a valid offset"),
};

/// `1234567` → `"1,234,567"`; negatives keep their sign.
pub fn group_thousands(value: i64) -> String {
    let digits = group_digits(value.unsigned_abs());
    if value < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

/// The digits of `abs` grouped in thousands: the sign is the caller's.
fn group_digits(abs: u64) -> String {
    let digits = abs.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The sign goes before the language's amount (`"-₩500"`, `"-500원"`).
fn signed_won(amount: i64, number: &str, lang: Lang) -> String {
    let won = fill(lang.texts().money_won, &[("n", number)]);
    if amount < 0 { format!("-{won}") } else { won }
}

/// A whole amount: `"1,234,567원"` in Korean, `"₩1,234,567"` in English.
pub fn format_won(amount: i64, lang: Lang) -> String {
    signed_won(amount, &group_digits(amount.unsigned_abs()), lang)
}

/// A large amount, short: Korean screens count in myriads (`"1억 2,345만원"`,
/// the remainder below 만 dropped); English ones in thousands with one
/// decimal (`"₩123.4M"`, truncated, never rounded up). Display text only,
/// never a ledger value. The two are different ways of counting, not two
/// spellings of one, so the language picks the way here rather than a
/// catalogue text.
pub fn format_won_compact(amount: i64, lang: Lang) -> String {
    const MAN: u64 = 10_000;
    let abs = amount.unsigned_abs();
    if abs < MAN {
        return format_won(amount, lang);
    }
    let number = match lang {
        Lang::Ko => myriads(abs, lang),
        Lang::En => short_scale(abs),
    };
    signed_won(amount, &number, lang)
}

/// `123_450_000` → `"1억 2,345만"` in the language's myriad units.
fn myriads(abs: u64, lang: Lang) -> String {
    const MAN: u64 = 10_000;
    const EOK: u64 = 100_000_000;
    const JO: u64 = 1_000_000_000_000;
    let texts = lang.texts();
    let units = [
        (abs / JO, texts.money_jo),
        (abs % JO / EOK, texts.money_eok),
        (abs % EOK / MAN, texts.money_man),
    ];
    let parts: Vec<String> = (units.iter())
        .filter(|(n, _)| *n > 0)
        .map(|&(n, unit)| fill(unit, &[("n", &group_digits(n))]))
        .collect();
    parts.join(" ")
}

/// `137_220_000` → `"137.2M"`: the largest unit of a thousand's power that
/// the amount reaches, one decimal, truncated (an integer's tenths, so no
/// float), a trailing `.0` dropped.
fn short_scale(abs: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (1_000_000_000_000_000, "Q"),
        (1_000_000_000_000, "T"),
        (1_000_000_000, "B"),
        (1_000_000, "M"),
        (1_000, "K"),
    ];
    let Some(&(unit, suffix)) = UNITS.iter().find(|(unit, _)| abs >= *unit) else {
        return group_digits(abs);
    };
    let tenths = abs / (unit / 10);
    let (whole, tenth) = (tenths / 10, tenths % 10);
    if tenth == 0 {
        format!("{}{suffix}", group_digits(whole))
    } else {
        format!("{}.{tenth}{suffix}", group_digits(whole))
    }
}

fn to_kst(unix_ms: i64) -> Option<OffsetDateTime> {
    let nanos = i128::from(unix_ms) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .map(|t| t.to_offset(KST))
}

/// The time now by this machine's clock: the server's while a page is
/// rendered, the browser's in the page. Shown until the server's clock
/// topic first ticks, so the header never shows a blank time beside a live
/// badge.
pub fn local_now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as i64)
    }
}

/// `"14:03:27"` in KST.
pub fn format_kst_time(unix_ms: i64) -> String {
    match to_kst(unix_ms) {
        Some(t) => format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        None => "--:--:--".to_owned(),
    }
}

/// `"2026-11-21 14:03"` in KST.
pub fn format_kst_datetime(unix_ms: i64) -> String {
    match to_kst(unix_ms) {
        Some(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        None => "-------:--".to_owned(),
    }
}

/// `"12.07"` (month and day) in KST: a day on a chart's axis.
pub fn format_kst_date(unix_ms: i64) -> String {
    match to_kst(unix_ms) {
        Some(t) => format!("{:02}.{:02}", u8::from(t.month()), t.day()),
        None => "--.--".to_owned(),
    }
}

/// A change in basis points as a signed percentage: `123` → `"+1.23%"`.
/// Integer arithmetic, so `-5` is `"-0.05%"` and never `"-0.0499…%"`.
pub fn format_change_bp(bp: i64) -> String {
    let sign = match bp.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    let abs = bp.unsigned_abs();
    format!("{sign}{}.{:02}%", abs / 100, abs % 100)
}

/// Which way a price moved. Korean convention: red for up, blue for down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Flat,
}

impl Direction {
    pub fn of_change(change: i64) -> Direction {
        match change.signum() {
            1 => Direction::Up,
            -1 => Direction::Down,
            _ => Direction::Flat,
        }
    }

    /// The CSS class that colours a price (`.up` red, `.down` blue).
    pub const fn class(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Flat => "flat",
        }
    }

    /// The arrow Korean quote screens put before a change (▲ / ▼).
    pub const fn arrow(self) -> &'static str {
        match self {
            Direction::Up => "▲",
            Direction::Down => "▼",
            Direction::Flat => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_with_commas() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(100_000_000), "100,000,000");
        assert_eq!(group_thousands(-1_234_567), "-1,234,567");
        assert_eq!(group_thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn won_reads_naturally_in_each_language() {
        assert_eq!(format_won(1_234_567, Lang::Ko), "1,234,567원");
        assert_eq!(format_won(1_234_567, Lang::En), "₩1,234,567");
        assert_eq!(format_won(-500, Lang::En), "-₩500");
        assert_eq!(format_won(-500, Lang::Ko), "-500원");
        assert_eq!(
            format_won(i64::MIN, Lang::En),
            "-₩9,223,372,036,854,775,808"
        );
    }

    #[test]
    fn large_amounts_use_man_and_eok() {
        assert_eq!(format_won_compact(100_000_000, Lang::Ko), "1억원");
        assert_eq!(format_won_compact(123_450_000, Lang::Ko), "1억 2,345만원");
        assert_eq!(format_won_compact(10_000_000, Lang::Ko), "1,000만원");
        assert_eq!(format_won_compact(9_999, Lang::Ko), "9,999원");
        assert_eq!(format_won_compact(-25_000, Lang::Ko), "-2만원");
        assert_eq!(
            format_won_compact(1_200_000_000_000, Lang::Ko),
            "1조 2,000억원"
        );
    }

    #[test]
    fn english_counts_large_amounts_in_thousands_millions_and_billions() {
        let en = |amount| format_won_compact(amount, Lang::En);
        assert_eq!(en(137_220_000), "₩137.2M");
        assert_eq!(en(123_450_000), "₩123.4M", "truncated, not rounded up");
        assert_eq!(en(100_000_000), "₩100M");
        assert_eq!(en(9_999), "₩9,999");
        assert_eq!(en(25_000), "₩25K");
        assert_eq!(en(-2_512_300), "-₩2.5M");
        assert_eq!(en(1_200_000_000_000), "₩1.2T");
        assert_eq!(en(7_050_000_000), "₩7B");
        assert_eq!(en(i64::MIN), "-₩9,223.3Q");
    }

    #[test]
    fn times_are_shown_in_kst() {
        // 2026-11-21T05:03:27Z is 14:03:27 in Seoul.
        let ms = 1_795_237_407_000;
        assert_eq!(format_kst_time(ms), "14:03:27");
        assert_eq!(format_kst_datetime(ms), "2026-11-21 14:03");
        // 15:30 UTC is already the next day in Seoul.
        assert_eq!(format_kst_datetime(1_795_275_000_000), "2026-11-22 00:30");
        assert_eq!(format_kst_date(1_795_275_000_000), "11.22");
    }

    #[test]
    fn changes_show_as_signed_percentages_with_two_decimals() {
        assert_eq!(format_change_bp(123), "+1.23%");
        assert_eq!(format_change_bp(-5), "-0.05%");
        assert_eq!(format_change_bp(0), "0.00%");
        assert_eq!(format_change_bp(3_000), "+30.00%");
    }

    #[test]
    fn direction_follows_the_sign_of_the_change() {
        assert_eq!(Direction::of_change(5).class(), "up");
        assert_eq!(Direction::of_change(-5).class(), "down");
        assert_eq!(Direction::of_change(0).class(), "flat");
    }
}
