//! A price that flashes when it ticks: red on an uptick, blue on a
//! downtick, as quote screens do. The class alternates between two names
//! whose animations are alike (`flash-up` / `flash-up2`), because changing
//! an element's animation is what restarts it: two ticks in a row each
//! flash. The stylesheet turns the animation off for readers who ask for
//! reduced motion.

use crate::realtime::Ticker;
use leptos::prelude::*;

/// The flash class of a cell showing `ticker`'s last price: empty until the
/// price first moves after the page has hydrated, then that of the latest
/// move (it stays; the animation plays once).
pub fn price_flash(ticker: Signal<Ticker>) -> Signal<&'static str> {
    let flash = RwSignal::new("");
    Effect::new(move |previous: Option<i64>| {
        let last = ticker.with(|t| t.last);
        if let Some(previous) = previous
            && previous != last
        {
            flash.update(|class| {
                *class = match (last > previous, *class) {
                    (true, "flash-up") => "flash-up2",
                    (true, _) => "flash-up",
                    (false, "flash-down") => "flash-down2",
                    (false, _) => "flash-down",
                }
            });
        }
        last
    });
    flash.into()
}
