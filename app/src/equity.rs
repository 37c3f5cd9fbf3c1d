//! The portfolio's equity curve as an SVG line: what the account was worth
//! at each day's close (the server's walk through its fills,
//! `trading::EquityView`), today's point live, against the line of what was
//! put in. Drawn by hand rather than with the stock page's chart library:
//! one polyline needs none of its weight, and an inline SVG is allowed by
//! the page's content security policy where an inline style is not.

/// The drawing's size in its own units (the SVG scales to its box).
pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 160.0;
/// Room above and below the line, so its extremes are not cut.
const PAD: f64 = 8.0;

/// The line's points and where the deposit line sits, in drawing units.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// `"x,y x,y …"` for a `<polyline>`.
    pub points: String,
    /// The height of the amount put in.
    pub baseline_y: f64,
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
    let span = (high - low) as f64;
    let y = |value: i64| match high - low {
        0 => HEIGHT / 2.0,
        _ => PAD + (high - value) as f64 / span * (HEIGHT - 2.0 * PAD),
    };
    let x = |i: usize| match values.len() {
        0 | 1 => i as f64 * WIDTH,
        n => i as f64 * WIDTH / (n - 1) as f64,
    };
    let mut points: Vec<String> = (values.iter().enumerate())
        .map(|(i, value)| format!("{:.1},{:.1}", x(i), y(*value)))
        .collect();
    if let [only] = values {
        points.push(format!("{:.1},{:.1}", WIDTH, y(*only)));
    }
    Curve {
        points: points.join(" "),
        baseline_y: y(baseline),
        low,
        high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_value_sits_at_the_bottom_and_the_highest_at_the_top() {
        let drawn = curve(&[100, 150, 120], 110);
        assert_eq!(drawn.points, "0.0,152.0 300.0,8.0 600.0,94.4");
        assert_eq!((drawn.low, drawn.high), (100, 150));
        assert!((drawn.baseline_y - 123.2).abs() < 1e-9);
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
        assert_eq!(drawn.points, "0.0,80.0 600.0,80.0");
        assert_eq!(drawn.baseline_y, 80.0);
    }
}
