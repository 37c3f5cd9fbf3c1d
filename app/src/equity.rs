//! The portfolio's equity curve as an SVG line: what the account was worth
//! at each day's close (the server's walk through its fills,
//! `trading::EquityView`), today's point live, against the line of what was
//! put in. Drawn by hand rather than with the stock page's chart library:
//! one polyline needs none of its weight, and an inline SVG is allowed by
//! the page's content security policy where an inline style is not. The
//! arithmetic is in whole drawing units (a tenth of a CSS pixel at the
//! drawing's own size), so no float formatting code reaches the page.

/// The drawing's size in its own units (the SVG scales to its box).
pub const WIDTH: i64 = 6_000;
pub const HEIGHT: i64 = 1_600;
/// Room above and below the line, so its extremes are not cut.
const PAD: i64 = 80;

/// The line's points and where the deposit line sits, in drawing units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Curve {
    /// `"x,y x,y …"` for a `<polyline>`.
    pub points: String,
    /// The height of the amount put in.
    pub baseline_y: i64,
    /// The lowest and highest amounts the drawing spans.
    pub low: i64,
    pub high: i64,
}

/// Fits `values` (oldest first) and `baseline` into the drawing: the
/// lowest of them at the bottom, the highest at the top (all equal: across
/// the middle); one value is drawn as a flat line across.
pub fn curve(values: &[i64], baseline: i64) -> Curve {
    let low = values.iter().copied().chain([baseline]).min().unwrap_or(0);
    let high = values.iter().copied().chain([baseline]).max().unwrap_or(0);
    let span = i128::from(high) - i128::from(low);
    let y = |value: i64| match span {
        0 => HEIGHT / 2,
        _ => {
            let from_top = (i128::from(high) - i128::from(value)) * i128::from(HEIGHT - 2 * PAD);
            PAD + (from_top / span) as i64
        }
    };
    let x = |i: usize| match values.len() {
        0 | 1 => i as i64 * WIDTH,
        n => i as i64 * WIDTH / (n as i64 - 1),
    };
    let mut points: Vec<String> = (values.iter().enumerate())
        .map(|(i, value)| format!("{},{}", x(i), y(*value)))
        .collect();
    if let [only] = values {
        points.push(format!("{},{}", WIDTH, y(*only)));
    }
    Curve {
        points: points.join(" "),
        baseline_y: y(baseline),
        low,
        high,
    }
}

/// The plot's markup for `inner_html`: the scale's highest and lowest
/// amounts (`amount` formats them) beside the SVG, whose accessible name
/// is `label`. A string rather than a typed view: today's point moves with
/// every live price, and building this string is a few hundred bytes of
/// wasm where the typed view of the same elements was several kilobytes
/// of the portfolio page's first load.
pub fn plot_markup(
    values: &[i64],
    deposited: i64,
    label: &str,
    amount: impl Fn(i64) -> String,
) -> String {
    let drawn = curve(values, deposited);
    let last = values.last().copied().unwrap_or(deposited);
    let direction = crate::format::Direction::of_change(last.saturating_sub(deposited)).class();
    let y = drawn.baseline_y;
    format!(
        concat!(
            r#"<p class="equity__scale" aria-hidden="true"><span class="num">{high}</span>"#,
            r#"<span class="num">{low}</span></p>"#,
            r#"<svg class="equity__chart {direction}" role="img" aria-label="{label}" "#,
            r#"viewBox="0 0 {width} {height}" preserveAspectRatio="none">"#,
            r#"<line class="equity__deposit" x1="0" x2="{width}" y1="{y}" y2="{y}"/>"#,
            r#"<polyline class="equity__line" points="{points}" vector-effect="non-scaling-stroke"/>"#,
            "</svg>"
        ),
        high = escape(&amount(drawn.high)),
        low = escape(&amount(drawn.low)),
        label = escape(label),
        width = WIDTH,
        height = HEIGHT,
        points = drawn.points,
        direction = direction,
        y = y,
    )
}

/// Text made safe inside an element or a double-quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_value_sits_at_the_bottom_and_the_highest_at_the_top() {
        let drawn = curve(&[100, 150, 120], 110);
        assert_eq!(drawn.points, "0,1520 3000,80 6000,944");
        assert_eq!((drawn.low, drawn.high), (100, 150));
        assert_eq!(drawn.baseline_y, 1232);
    }

    #[test]
    fn the_deposit_widens_the_span_when_the_line_never_reaches_it() {
        let drawn = curve(&[200, 210], 100);
        assert_eq!((drawn.low, drawn.high), (100, 210));
        assert_eq!(drawn.baseline_y, HEIGHT - PAD);
    }

    #[test]
    fn one_day_is_a_flat_line_across() {
        let drawn = curve(&[100], 100);
        assert_eq!(drawn.points, "0,800 6000,800");
        assert_eq!(drawn.baseline_y, 800);
    }

    #[test]
    fn the_plot_names_its_amounts_and_escapes_what_it_is_given() {
        let markup = plot_markup(&[100, 150, 120], 110, "a <b> & \"c\"", |n| format!("{n}원"));
        assert!(markup.starts_with(r#"<p class="equity__scale" aria-hidden="true"><span class="num">150원</span><span class="num">100원</span></p>"#));
        assert!(
            markup.contains(r#"class="equity__chart up""#),
            "120 is above the 110 put in"
        );
        assert!(markup.contains(r#"aria-label="a &lt;b&gt; &amp; &quot;c&quot;""#));
        assert!(markup.contains(r#"y1="1232" y2="1232""#));
        assert!(markup.contains(r#"points="0,1520 3000,80 6000,944""#));
        assert!(markup.ends_with("</svg>"));
        let down = plot_markup(&[90], 100, "", |n| n.to_string());
        assert!(down.contains("equity__chart down"));
    }

    #[test]
    fn amounts_near_the_limits_do_not_overflow() {
        let drawn = curve(&[i64::MIN, i64::MAX], 0);
        assert_eq!(drawn.points, format!("0,{} 6000,{PAD}", HEIGHT - PAD));
    }
}
