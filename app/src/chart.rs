//! The stock chart: candles with volume bars below, described with
//! `charming` (ECharts' option model in Rust) and drawn by ECharts in the
//! browser. charming runs on the server only: it builds the option's frame
//! (grids, axes, colours, tooltip, zoom), which reaches the page with the
//! stock; the browser adds only the data ([`chart_data`]), so neither
//! charming nor its option model is in the wasm. Both halves are pure
//! functions tested natively; only the small bridge to the `echarts` global
//! (loaded on demand from `/vendor/echarts.min.js`, see `vendor/echarts.js`)
//! is browser code.

use crate::format::{format_kst_datetime, format_kst_time};
use crate::realtime::{Candle, CandleInterval};
use serde_json::{Value, json};

/// Where the chart library is served from (built by `scripts/setup`).
pub const ECHARTS_URL: &str = "/vendor/echarts.min.js";

/// Korean convention, as in the stylesheet's `--up` and `--down`.
const UP: &str = "#c92a2d";
const DOWN: &str = "#2563d9";
/// Candles shown before the user zooms out.
const VISIBLE: usize = 80;

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
    use charming::series::{Bar, Candlestick};

    let chart = Chart::new()
        .animation(false)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(64).right(12).top(12).height("60%"))
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
    let mut option = serde_json::to_value(&chart).unwrap_or_default();
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
pub fn chart_data(candles: &[Candle], interval: CandleInterval, zoom: bool) -> Value {
    let labels: Vec<String> = candles
        .iter()
        .map(|c| label(interval, c.start_ms))
        .collect();
    let prices: Vec<[i64; 4]> = (candles.iter())
        .map(|c| [c.open, c.close, c.low, c.high])
        .collect();
    let volumes: Vec<Value> = (candles.iter())
        .map(|c| {
            let colour = if c.close >= c.open { UP } else { DOWN };
            json!({ "value": c.volume, "itemStyle": { "color": colour } })
        })
        .collect();
    let mut data = json!({
        "xAxis": [{ "data": labels }, { "data": labels }],
        "series": [{ "data": prices }, { "data": volumes }],
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
        let data = chart_data(&candles, CandleInterval::Minute, true);
        assert_eq!(data["dataZoom"][0]["start"], 50.0);
        assert!(
            chart_data(&candles, CandleInterval::Minute, false)
                .get("dataZoom")
                .is_none()
        );
    }
}
