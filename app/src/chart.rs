//! The stock chart: candles with moving averages (5, 20, 60) and volume
//! bars below, a crosshair that reads out a candle's OHLCV, described with
//! `charming` (ECharts' option model in Rust) and drawn by ECharts in the
//! browser. charming runs on the server only: it builds the option's frame
//! (grids, axes, colours, tooltip, zoom), which reaches the page with the
//! stock; the browser adds only the data ([`chart_data`]), so neither
//! charming nor its option model is in the wasm. Both halves are pure
//! functions tested natively; only the small bridge to the `echarts` global
//! (loaded on demand from `/vendor/echarts.min.js`, see `vendor/echarts.js`)
//! is browser code.
//!
//! Until the reader reaches for the chart (a pointer over it or a touch),
//! the same picture is a static SVG ([`preview_svg`]): the library's parse
//! and first render are the longest tasks a phone runs on the stock page
//! (docs/PERFORMANCE.md, Lighthouse), and a picture needs none of them.

use crate::format::{format_kst_datetime, format_kst_time, group_thousands};
use crate::realtime::{Candle, CandleInterval};
use serde_json::{Value, json};

/// Where the chart library is served from (built by `scripts/setup`).
pub const ECHARTS_URL: &str = "/vendor/echarts.min.js";

/// Korean convention, as in the stylesheet's `--up` and `--down`.
const UP: &str = "#c92a2d";
const DOWN: &str = "#2563d9";
/// Candles shown before the user zooms out.
const VISIBLE: usize = 80;
/// Slots the pane is divided into at the least: a short history fills them
/// from the left at the width a long one has, instead of a few candles
/// stretched over the whole pane.
const MIN_SLOTS: usize = 48;
/// The moving averages drawn over the candles, with their colours.
const AVERAGES: [(usize, &str); 3] = [(5, "#e8a33c"), (20, "#2ba36b"), (60, "#8b5cf6")];

/// The words the chart shows, in the page's language.
#[derive(Clone, Copy, Debug)]
pub struct ChartWords {
    pub open: &'static str,
    pub high: &'static str,
    pub low: &'static str,
    pub close: &'static str,
    pub volume: &'static str,
}

impl ChartWords {
    pub fn of(lang: crate::i18n::Lang) -> ChartWords {
        let texts = lang.texts();
        ChartWords {
            open: texts.chart_open,
            high: texts.chart_high,
            low: texts.chart_low,
            close: texts.chart_close,
            volume: texts.chart_volume,
        }
    }
}

/// The moving average of `closes` over `n` candles at each candle, `None`
/// until `n` candles are there; whole won, rounded down (display only).
pub fn moving_average(closes: &[i64], n: usize) -> Vec<Option<i64>> {
    let mut sum: i128 = 0;
    (0..closes.len())
        .map(|i| {
            sum += i128::from(closes[i]);
            if i >= n {
                sum -= i128::from(closes[i - n]);
            }
            (n > 0 && i + 1 >= n).then(|| (sum / n as i128) as i64)
        })
        .collect()
}

/// Folds a live candle into the history: it replaces the candle with the
/// same start, or follows the last one; an older one is ignored (the
/// history already has it, as stored).
pub fn merge_live(candles: &mut Vec<Candle>, live: &Candle) {
    match candles.last_mut() {
        Some(last) if last.start_ms == live.start_ms => *last = live.clone(),
        Some(last) if last.start_ms > live.start_ms => {}
        _ => candles.push(live.clone()),
    }
}

fn label(interval: CandleInterval, start_ms: i64) -> String {
    match interval {
        CandleInterval::Day => format_kst_datetime(start_ms)[..10].to_owned(),
        CandleInterval::Hour => format_kst_datetime(start_ms)[5..].to_owned(),
        CandleInterval::Minute | CandleInterval::FiveMinutes => {
            format_kst_time(start_ms)[..5].to_owned()
        }
    }
}

/// The option's frame as JSON text: everything but the data. ECharts merges
/// [`chart_data`] into it by series and axis index. It never changes, so it
/// is built once per process, not on every stock page.
#[cfg(not(target_arch = "wasm32"))]
pub fn chart_frame() -> &'static str {
    static FRAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FRAME.get_or_init(build_frame)
}

#[cfg(not(target_arch = "wasm32"))]
fn build_frame() -> String {
    use charming::Chart;
    use charming::component::{Axis, DataZoom, DataZoomType, Grid};
    use charming::element::{AxisLabel, AxisType, Tooltip, Trigger};
    use charming::series::{Bar, Candlestick, Line};

    let mut chart = Chart::new()
        .animation(false)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(64).right(12).top(28).height("56%"))
        .grid(Grid::new().left(64).right(12).top("76%").height("16%"))
        .x_axis(Axis::new().type_(AxisType::Category).grid_index(0))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .grid_index(1)
                .axis_label(AxisLabel::new().show(false)),
        )
        .y_axis(Axis::new().scale(true).grid_index(0).split_number(4))
        .y_axis(
            Axis::new()
                .grid_index(1)
                .split_number(2)
                .axis_label(AxisLabel::new().show(false)),
        )
        .data_zoom(
            DataZoom::new()
                .type_(DataZoomType::Inside)
                .x_axis_index(vec![0, 1]),
        )
        .series(Candlestick::new().name("price"))
        .series(Bar::new().name("volume").x_axis_index(1).y_axis_index(1));
    for (n, _) in AVERAGES {
        chart = chart.series(Line::new().name(format!("MA{n}")).show_symbol(false));
    }
    let mut option = serde_json::to_value(&chart).unwrap_or_default();
    // A crosshair over both panes; the candle's figures in the tooltip.
    option["tooltip"]["axisPointer"] = json!({ "type": "cross" });
    option["axisPointer"] = json!({ "link": [{ "xAxisIndex": "all" }] });
    option["legend"] = json!({
        "data": AVERAGES.iter().map(|(n, _)| format!("MA{n}")).collect::<Vec<_>>(),
        "top": 0, "left": 64, "itemWidth": 14, "itemHeight": 2, "textStyle": { "fontSize": 11 },
    });
    // Candles and volume bars no wider than this, however few there are.
    for index in [0, 1] {
        option["series"][index]["barMaxWidth"] = json!(12);
    }
    for (i, (_, colour)) in AVERAGES.iter().enumerate() {
        let series = &mut option["series"][2 + i];
        series["lineStyle"] = json!({ "width": 1, "color": colour });
        series["itemStyle"] = json!({ "color": colour });
        series["z"] = json!(3);
    }
    // charming's candlestick has no item style; the Korean colours (and
    // the hollow-free look) are set on the JSON it produced.
    // The tooltip drawn on the canvas: ECharts' HTML tooltip carries inline
    // style attributes, which the page's Content-Security-Policy refuses.
    option["tooltip"]["renderMode"] = json!("richText");
    if let Some(series) = option.pointer_mut("/series/0") {
        series["itemStyle"] = json!({
            "color": UP, "color0": DOWN, "borderColor": UP, "borderColor0": DOWN,
        });
    }
    option.to_string()
}

/// The data of `candles` (oldest first) for the frame: axis labels, prices
/// in ECharts' candlestick order (open, close, low, high) and volume bars
/// coloured by direction. `zoom` places the window on the newest candles;
/// live updates leave it out so that the reader's own zoom stays.
/// A history shorter than [`MIN_SLOTS`] is followed by empty slots.
pub fn chart_data(
    candles: &[Candle],
    interval: CandleInterval,
    zoom: bool,
    words: ChartWords,
) -> Value {
    let empty = MIN_SLOTS.saturating_sub(candles.len());
    let pad = |mut values: Vec<Value>| {
        values.extend(std::iter::repeat_n(json!("-"), empty));
        values
    };
    let mut labels: Vec<String> = candles
        .iter()
        .map(|c| label(interval, c.start_ms))
        .collect();
    labels.extend(std::iter::repeat_n(String::new(), empty));
    let prices = pad((candles.iter())
        .map(|c| json!([c.open, c.close, c.low, c.high]))
        .collect());
    let volumes = pad((candles.iter())
        .map(|c| {
            let colour = if c.close >= c.open { UP } else { DOWN };
            json!({ "value": c.volume, "itemStyle": { "color": colour } })
        })
        .collect());
    let closes: Vec<i64> = candles.iter().map(|c| c.close).collect();
    let mut series = vec![
        json!({
            "data": prices,
            // The tooltip's names for open, close, low and high.
            "dimensions": [null, words.open, words.close, words.low, words.high],
        }),
        json!({ "data": volumes, "name": words.volume }),
    ];
    for (n, _) in AVERAGES {
        let averages = (moving_average(&closes, n).into_iter())
            .map(|a| a.map_or_else(|| json!("-"), |a| json!(a)))
            .collect();
        series.push(json!({ "data": pad(averages) }));
    }
    let mut data = json!({
        "xAxis": [{ "data": labels }, { "data": labels }],
        "series": series,
    });
    if zoom {
        let start = if candles.len() > VISIBLE {
            100.0 - VISIBLE as f64 * 100.0 / candles.len() as f64
        } else {
            0.0
        };
        data["dataZoom"] = json!([{ "start": start, "end": 100 }]);
    }
    data
}

/// The chart's first view as SVG markup for a box of `width` × `height`
/// CSS pixels: the layout of [`chart_frame`] (price pane with its scale and
/// the averages' legend, volume pane below) showing what the library shows
/// before any zoom, the newest [`VISIBLE`] candles in at least
/// [`MIN_SLOTS`] slots. Coordinates are in tenths of a pixel, whole
/// numbers, so no float formatting reaches the page; the colours come from
/// the stylesheet (`.chart__preview`), dark mode included. Candles of one
/// direction are one path, so a live candle redraws a handful of elements.
pub fn preview_svg(
    candles: &[Candle],
    interval: CandleInterval,
    width: i64,
    height: i64,
) -> String {
    use std::fmt::Write;
    let (w, h) = (width.max(1) * 10, height.max(1) * 10);
    let first = candles.len().saturating_sub(VISIBLE);
    let shown = &candles[first..];
    let slots = shown.len().max(MIN_SLOTS) as i64;
    let (left, right) = (640, (w - 120).max(641));
    let (price_top, price_bottom) = (280, 280 + h * 56 / 100);
    let (volume_top, volume_bottom) = (h * 76 / 100, h * 92 / 100);
    let centre = |i: usize| left + (2 * i as i64 + 1) * (right - left) / (2 * slots);
    let body = ((right - left) * 6 / (10 * slots)).clamp(10, 120);

    let closes: Vec<i64> = candles.iter().map(|c| c.close).collect();
    let averages: Vec<Vec<Option<i64>>> = (AVERAGES.iter())
        .map(|(n, _)| moving_average(&closes, *n).split_off(first))
        .collect();
    let prices = (shown.iter().flat_map(|c| [c.low, c.high]))
        .chain(averages.iter().flatten().flatten().copied());
    let (low, high) = (prices.clone().min(), prices.max());
    let mut svg = format!(
        r#"<svg viewBox="0 0 {w} {h}" width="100%" height="100%" aria-hidden="true" font-size="110">"#
    );
    for (i, (n, colour)) in AVERAGES.iter().enumerate() {
        let x = left + i as i64 * 620;
        let _ = write!(
            svg,
            r#"<path d="M{x} 120h140" stroke="{colour}" stroke-width="20"/><text x="{}" y="160" class="chart__label">MA{n}</text>"#,
            x + 180
        );
    }
    let (Some(low), Some(high)) = (low, high) else {
        return svg + "</svg>";
    };
    let (bottom, top, step) = nice_scale(low, high, 4);
    let y = |price: i64| {
        let above = i128::from(price) - i128::from(bottom);
        let span = i128::from(top) - i128::from(bottom);
        price_bottom - (above * i128::from(price_bottom - price_top) / span) as i64
    };
    let mut tick = bottom;
    while tick <= top {
        let at = y(tick);
        let _ = write!(
            svg,
            r#"<path d="M{left} {at}H{right}" class="chart__grid" stroke-width="10"/><text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>"#,
            left - 80,
            at + 40,
            group_thousands(tick)
        );
        tick = match tick.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    let every = (slots as usize / 5).max(1);
    for (i, candle) in shown.iter().enumerate().step_by(every) {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" class="chart__label">{}</text>"#,
            centre(i),
            price_bottom + 180,
            label(interval, candle.start_ms)
        );
    }
    let most = shown.iter().map(|c| c.volume).max().unwrap_or(0).max(1);
    let (mut rising, mut falling) = (Shapes::default(), Shapes::default());
    for (i, candle) in shown.iter().enumerate() {
        let shapes = if candle.close >= candle.open {
            &mut rising
        } else {
            &mut falling
        };
        let (x, half) = (centre(i), body / 2);
        let (open, close) = (y(candle.open), y(candle.close));
        let _ = write!(shapes.wicks, "M{x} {}V{}", y(candle.high), y(candle.low));
        let _ = write!(
            shapes.bodies,
            "M{} {}h{body}v{}h-{body}z",
            x - half,
            open.min(close),
            (open - close).abs().max(10)
        );
        let tall = i128::from(candle.volume.max(0)) * i128::from(volume_bottom - volume_top)
            / i128::from(most);
        let _ = write!(
            shapes.volumes,
            "M{} {volume_bottom}h{body}v-{}h-{body}z",
            x - half,
            (tall as i64).max(10)
        );
    }
    for (shapes, class) in [(rising, "up"), (falling, "down")] {
        let _ = write!(
            svg,
            r#"<g class="chart__{class}"><path d="{}" class="chart__wick" stroke-width="10"/><path d="{}"/><path d="{}"/></g>"#,
            shapes.wicks, shapes.bodies, shapes.volumes
        );
    }
    for (values, (_, colour)) in averages.iter().zip(AVERAGES) {
        let points: Vec<String> = (values.iter().enumerate())
            .filter_map(|(i, value)| value.map(|v| format!("{},{}", centre(i), y(v))))
            .collect();
        if points.len() > 1 {
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="10"/>"#,
                points.join(" ")
            );
        }
    }
    svg + "</svg>"
}

/// One direction's candles as path data.
#[derive(Default)]
struct Shapes {
    wicks: String,
    bodies: String,
    volumes: String,
}

/// A price scale over `low..=high` in about `ticks` steps of 1, 2 or 5
/// times a power of ten (as the library picks them): the scale's bottom,
/// top and step, the bottom and top on a step. A flat range (one price all
/// day) is widened by 1 % each way, so the line sits inside the pane.
fn nice_scale(low: i64, high: i64, ticks: i64) -> (i64, i64, i64) {
    let (low, high) = if low == high {
        let widen = (low / 100).saturating_abs().max(1);
        (low.saturating_sub(widen), high.saturating_add(widen))
    } else {
        (low, high)
    };
    let wanted = ((high.saturating_sub(low)) / ticks.max(1)).max(1);
    let mut power: i64 = 1;
    while power <= wanted / 10 {
        power *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= wanted)
        .unwrap_or(10 * power);
    let bottom = low.div_euclid(step) * step;
    let mut top = high.div_euclid(step) * step;
    if top < high {
        top = top.saturating_add(step);
    }
    (bottom, top, step)
}

#[cfg(feature = "hydrate")]
pub mod browser {
    //! The bridge to the `echarts` global.

    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// One ECharts instance bound to a DOM element.
        pub type Echarts;

        #[wasm_bindgen(js_namespace = echarts, js_name = init)]
        fn init(element: &web_sys::Element) -> Echarts;

        #[wasm_bindgen(js_namespace = echarts, js_name = getInstanceByDom)]
        fn instance_of(element: &web_sys::Element) -> Option<Echarts>;

        #[wasm_bindgen(method, js_name = setOption)]
        fn set_option(this: &Echarts, option: JsValue, not_merge: bool);

        #[wasm_bindgen(method)]
        pub fn resize(this: &Echarts);

        #[wasm_bindgen(method)]
        pub fn dispose(this: &Echarts);
    }

    fn loaded() -> bool {
        js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("echarts")).unwrap_or(false)
    }

    /// Runs `then` once the library is loaded, adding its script to the
    /// page the first time a chart asks for it.
    pub fn with_echarts(then: impl FnOnce() + 'static) {
        if loaded() {
            return then();
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let script = match document.get_element_by_id("echarts-lib") {
            Some(script) => script,
            None => {
                let Ok(script) = document.create_element("script") else {
                    return;
                };
                script.set_id("echarts-lib");
                let _ = script.set_attribute("src", super::ECHARTS_URL);
                if let Some(head) = document.head() {
                    let _ = head.append_child(&script);
                }
                script
            }
        };
        let on_load = Closure::once_into_js(then);
        let _ = script.add_event_listener_with_callback("load", on_load.unchecked_ref());
    }

    /// The chart already drawn into `element`, if any.
    pub fn draw_existing(element: &web_sys::Element) -> Option<Echarts> {
        instance_of(element)
    }

    fn parse(json: &str) -> Option<JsValue> {
        js_sys::JSON::parse(json).ok()
    }

    /// Draws `data` into `element`: the first time with a new instance set
    /// to `frame`, later merged into what is drawn.
    pub fn draw(element: &web_sys::Element, frame: &str, data: &serde_json::Value) -> Option<()> {
        let chart = match instance_of(element) {
            Some(chart) => chart,
            None => {
                let chart = init(element);
                chart.set_option(parse(frame)?, true);
                chart
            }
        };
        chart.set_option(parse(&data.to_string())?, false);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(start_ms: i64, open: i64, close: i64) -> Candle {
        Candle {
            symbol: "100010".into(),
            interval: CandleInterval::Minute,
            start_ms,
            open,
            high: open.max(close) + 10,
            low: open.min(close) - 10,
            close,
            volume: 7,
            turnover: 7 * close,
        }
    }

    #[test]
    fn a_live_candle_replaces_its_own_start_or_follows_the_last() {
        let mut candles = vec![candle(0, 100, 110), candle(60_000, 110, 120)];
        merge_live(&mut candles, &candle(60_000, 110, 130));
        assert_eq!(candles.len(), 2);
        assert_eq!(candles[1].close, 130);
        merge_live(&mut candles, &candle(120_000, 130, 125));
        assert_eq!(candles.len(), 3);
        merge_live(&mut candles, &candle(0, 1, 1));
        assert_eq!(
            candles[0].close, 110,
            "an older candle never rewrites history"
        );
        let mut empty = Vec::new();
        merge_live(&mut empty, &candle(0, 5, 6));
        assert_eq!(empty.len(), 1);
    }

    #[test]
    fn the_frame_colours_korean_style_and_draws_its_tooltip_on_the_canvas() {
        let frame: Value = serde_json::from_str(chart_frame()).unwrap();
        assert_eq!(frame["series"][0]["type"], "candlestick");
        assert_eq!(frame["series"][0]["itemStyle"]["color"], UP);
        assert_eq!(frame["series"][0]["itemStyle"]["color0"], DOWN);
        assert_eq!(frame["series"][1]["type"], "bar");
        assert_eq!(frame["series"][1]["yAxisIndex"], 1.0);
        assert_eq!(frame["xAxis"].as_array().map(Vec::len), Some(2));
        assert_eq!(frame["tooltip"]["renderMode"], "richText");
        assert!(frame["series"][0].get("data").is_none());
    }

    #[test]
    fn the_data_orders_prices_as_echarts_wants_and_colours_volumes_by_direction() {
        let data = chart_data(
            &[candle(0, 100, 110), candle(60_000, 110, 90)],
            CandleInterval::Minute,
            true,
            ChartWords::of(crate::i18n::Lang::Ko),
        );
        assert_eq!(data["series"][0]["data"][1], json!([110, 90, 80, 120]));
        assert_eq!(data["series"][1]["data"][0]["value"], 7);
        assert_eq!(data["series"][1]["data"][0]["itemStyle"]["color"], UP);
        assert_eq!(data["series"][1]["data"][1]["itemStyle"]["color"], DOWN);
        assert_eq!(data["xAxis"][0]["data"][0], "09:00");
        assert_eq!(data["xAxis"][1]["data"][1], "09:01");
        assert_eq!(data["dataZoom"][0]["start"], 0.0);
    }

    #[test]
    fn the_zoom_opens_on_the_newest_candles_and_live_updates_keep_the_readers() {
        let candles: Vec<Candle> = (0..160).map(|i| candle(i * 60_000, 100, 100)).collect();
        let words = ChartWords::of(crate::i18n::Lang::Ko);
        let data = chart_data(&candles, CandleInterval::Minute, true, words);
        assert_eq!(data["dataZoom"][0]["start"], 50.0);
        assert!(
            chart_data(&candles, CandleInterval::Minute, false, words)
                .get("dataZoom")
                .is_none()
        );
    }

    #[test]
    fn a_short_history_keeps_the_candle_width_of_a_long_one_and_draws_averages() {
        let candles: Vec<Candle> = (0..6)
            .map(|i| candle(i * 60_000, 100, 100 + i * 10))
            .collect();
        let data = chart_data(
            &candles,
            CandleInterval::Minute,
            true,
            ChartWords::of(crate::i18n::Lang::En),
        );
        let slots = data["xAxis"][0]["data"].as_array().unwrap();
        assert_eq!(slots.len(), MIN_SLOTS, "six candles, then empty slots");
        assert_eq!(slots[6], "");
        assert_eq!(data["series"][0]["data"][6], "-");
        assert_eq!(data["series"][0]["dimensions"][1], "Open");
        assert_eq!(data["series"][1]["name"], "Volume");
        // MA5 from the fifth candle: (100 + 110 + 120 + 130 + 140) / 5.
        assert_eq!(data["series"][2]["data"][3], "-");
        assert_eq!(data["series"][2]["data"][4], 120);
        assert_eq!(data["series"][2]["data"][5], 130);
        assert_eq!(data["series"][3]["data"][5], "-", "MA20 needs 20 candles");
        let frame: Value = serde_json::from_str(chart_frame()).unwrap();
        assert_eq!(frame["series"].as_array().map(Vec::len), Some(5));
        assert_eq!(frame["series"][0]["barMaxWidth"], 12);
        assert_eq!(frame["tooltip"]["axisPointer"]["type"], "cross");
    }

    #[test]
    fn the_price_scale_steps_by_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_scale(71_900, 72_400, 4), (71_800, 72_400, 200));
        assert_eq!(
            nice_scale(100, 100, 4),
            (99, 101, 1),
            "flat still has height"
        );
        assert_eq!(nice_scale(613_000, 613_000, 4), (605_000, 620_000, 5_000));
        assert_eq!(nice_scale(0, 1_000, 4), (0, 1_000, 500));
        assert_eq!(nice_scale(-30, 70, 4), (-50, 100, 50));
        let (bottom, top, step) = nice_scale(i64::MAX - 10, i64::MAX, 4);
        assert_eq!(
            (bottom, top, step),
            (i64::MAX - 11, i64::MAX, 2),
            "no overflow at the top"
        );
    }

    #[test]
    fn the_static_view_draws_each_candle_in_its_direction_on_the_libraries_layout() {
        // 400 x 300 px: the price pane from 28 px to 196 px, volume from
        // 228 px to 276 px, 48 slots of 6.75 px between 64 px and 388 px.
        let candles = [candle(0, 100, 110), candle(60_000, 110, 90)];
        let svg = preview_svg(&candles, CandleInterval::Minute, 400, 300);
        assert!(svg.starts_with(r#"<svg viewBox="0 0 4000 3000""#));
        assert!(svg.ends_with("</svg>"));
        // Prices 80 to 120: steps of 10, five lines labelled on the left.
        for label in [">80<", ">90<", ">100<", ">110<", ">120<"] {
            assert!(svg.contains(label), "{label} in {svg}");
        }
        // The rising candle in the first slot (centre at 67.3 px), body 4
        // px wide from 110 (y 700) down to 100 (y 1120); its wick from 120
        // (280) to 90 (1540). The falling one, in the second slot (74.1
        // px), is in its own group.
        let up = &svg[svg.find(r#"<g class="chart__up">"#).unwrap()..];
        assert!(up.contains(r#"d="M673 280V1540""#), "{up}");
        assert!(up.contains("M653 700h40v420h-40z"), "{up}");
        let down = &svg[svg.find(r#"<g class="chart__down">"#).unwrap()..];
        assert!(down.contains("M741 280V1960"), "{down}");
        // Volumes share the tallest bar's height (7 of 7): 48 px.
        assert!(up.contains("M653 2760h40v-480h-40z"), "{up}");
        assert!(svg.contains(">09:00<"), "the time axis");
        assert!(svg.contains(">MA60<"), "the legend");
        assert!(!svg.contains("polyline"), "no average has its candles yet");
    }

    #[test]
    fn the_static_view_shows_the_newest_candles_as_the_library_first_does() {
        let candles: Vec<Candle> = (0..200)
            .map(|i| candle(i * 60_000, 1_000 + i, 1_001 + i))
            .collect();
        let svg = preview_svg(&candles, CandleInterval::Minute, 800, 360);
        let bodies = svg.matches("h-").count();
        assert_eq!(
            bodies,
            2 * VISIBLE,
            "a body and a volume bar per candle shown"
        );
        // The view starts at the 121st candle (11:00), as the zoom does.
        assert!(svg.contains(">11:00<") && !svg.contains(">09:00<"), "{svg}");
        assert_eq!(svg.matches("<polyline").count(), 3, "MA 5, 20 and 60");
        let empty = preview_svg(&[], CandleInterval::Day, 800, 360);
        assert!(empty.ends_with("</svg>") && !empty.contains("chart__up"));
    }

    #[test]
    fn moving_averages_start_once_there_are_enough_candles() {
        assert_eq!(
            moving_average(&[10, 20, 30, 40], 2),
            vec![None, Some(15), Some(25), Some(35)]
        );
        assert_eq!(moving_average(&[7], 5), vec![None]);
        assert_eq!(
            moving_average(&[i64::MAX, i64::MAX], 2),
            vec![None, Some(i64::MAX)]
        );
    }
}
