//! The 호가창 as Korean traders read it: prices down the centre column,
//! ask quantities on the left (above) and bid quantities on the right
//! (below), each price with its change from the day's reference, depth bars
//! growing outwards from the prices, the last traded price outlined, a
//! level's quantity flashing when it changes, and each side's 총잔량 under
//! the book. Tapping a level hands its price to the page (`on_pick`), which
//! puts it in the ticket. The book follows its websocket topic: a snapshot,
//! then sequenced deltas (`crate::book`).

use crate::book::{Applied, BookState, ShownLevel, shown_levels, total_qty};
use crate::format::{Direction, format_change_bp, group_thousands};
use crate::prefs::{t, use_prefs};
use crate::realtime::{Realtime, Ticker, Topic, TopicEvent, use_topic};
use leptos::prelude::*;

/// Levels shown per side.
const DEPTH: usize = 10;

/// Which side of the book a level is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookSide {
    Ask,
    Bid,
}

#[component]
pub fn OrderBook(
    code: String,
    ticker: Signal<Ticker>,
    /// A tapped level: its price and side.
    on_pick: Callback<(i64, BookSide)>,
) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let topic = Topic::Book { symbol: code };
    let latest = use_topic::<TopicEvent>(topic.clone());
    let book = RwSignal::new(BookState::default());
    Effect::new(move |_| {
        let Some(event) = latest.get() else { return };
        let applied = book.try_update(|book| book.apply(&event));
        if applied == Some(Applied::Gap) {
            realtime.resync(&topic);
        }
    });
    let reference = Memo::new(move |_| ticker.with(|t| t.reference));
    // `None` until the first snapshot, so that one flashes nothing.
    let side = move |which: BookSide| {
        Memo::new(move |previous: Option<&Option<Vec<ShownLevel>>>| {
            let levels = book.with(|b| {
                b.seq.map(|_| match which {
                    // Highest ask on top, down to the best one by the centre.
                    BookSide::Ask => b.asks(DEPTH).into_iter().rev().collect::<Vec<_>>(),
                    BookSide::Bid => b.bids(DEPTH),
                })
            })?;
            let previous = previous.and_then(Option::as_deref);
            Some(shown_levels(&levels, reference.get(), previous))
        })
    };
    let asks = side(BookSide::Ask);
    let bids = side(BookSide::Bid);
    let total = move |levels: Memo<Option<Vec<ShownLevel>>>| {
        move || group_thousands(levels.with(|l| l.as_deref().map_or(0, total_qty)))
    };
    let largest = Memo::new(move |_| {
        let most = |levels: &Option<Vec<ShownLevel>>| {
            levels.iter().flatten().map(|l| l.qty).max().unwrap_or(0)
        };
        asks.with(most).max(bids.with(most)).max(1)
    });
    let prefs = use_prefs();
    // Read out after a level's quantity but not shown: what follows the
    // number in the catalogue's "{n}주" / "{n} shares".
    let shares_unit = move || {
        let unit = prefs.texts().unit_shares;
        unit.split_once("{n}").map_or(unit, |(_, after)| after)
    };
    let row = move |level: ShownLevel, which: BookSide| {
        let ask = which == BookSide::Ask;
        let is_last = move || ticker.with(|t| t.last == level.price);
        // A depth bar drawn as SVG (an inline style would break the page's
        // Content-Security-Policy, style-src 'self'), growing away from
        // the price column: leftwards for asks, rightwards for bids.
        let width = move || level.qty * 100 / largest.get();
        let bar = move || {
            view! {
                <svg class="book__bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                    <rect x=move || if ask { 100 - width() } else { 0 } width=width height="1"/>
                </svg>
            }
        };
        let qty_class = if level.changed {
            "book__qty num book__qty--flash"
        } else {
            "book__qty num"
        };
        let qty = move || {
            view! {
                <span class=qty_class>
                    {bar()}
                    <span class="book__qty-value">{group_thousands(level.qty)}</span>
                    <span class="visually-hidden">{shares_unit}</span>
                </span>
            }
        };
        let direction = Direction::of_change(level.change_bp);
        view! {
            <li class=move || {
                let side = if ask { "book__level book__level--ask" } else { "book__level book__level--bid" };
                if is_last() { format!("{side} book__level--last") } else { side.to_owned() }
            }>
                <button type="button" class="book__button" data-testid=if ask { "book-ask" } else { "book-bid" }
                    data-price=level.price data-qty=level.qty
                    aria-current=move || is_last().then_some("true")
                    title=t(|x| x.book_pick_price)
                    on:click=move |_| on_pick.run((level.price, which))>
                    <span class="visually-hidden">{if ask { t(|x| x.book_ask) } else { t(|x| x.book_bid) }}</span>
                    {if ask { qty().into_any() } else { view! { <span class="book__blank"></span> }.into_any() }}
                    <span class=format!("book__price {}", direction.class())>
                        <span class="book__price-value num">{group_thousands(level.price)}</span>
                        <span class="book__change num">{format_change_bp(level.change_bp)}</span>
                    </span>
                    {if ask { view! { <span class="book__blank"></span> }.into_any() } else { qty().into_any() }}
                </button>
            </li>
        }
    };
    let levels = move |levels: Memo<Option<Vec<ShownLevel>>>, which: BookSide| {
        view! {
            <For
                each=move || levels.get().unwrap_or_default()
                key=|level| (level.price, level.qty, level.change_bp)
                children=move |level| row(level, which)
            />
        }
    };
    view! {
        <div class="book" data-testid="book" data-seq=move || book.with(|b| b.seq.map(|s| s.to_string()).unwrap_or_default())>
            <div class="book__head" aria-hidden="true">
                <span>{t(|x| x.book_ask_qty)}</span>
                <span>{t(|x| x.book_price)}</span>
                <span>{t(|x| x.book_bid_qty)}</span>
            </div>
            <ol class="book__side book__side--asks" aria-label=t(|x| x.book_asks)>
                {levels(asks, BookSide::Ask)}
            </ol>
            <ol class="book__side book__side--bids" aria-label=t(|x| x.book_bids)>
                {levels(bids, BookSide::Bid)}
            </ol>
            <p class="book__totals" data-testid="book-totals">
                <span class="book__total">
                    <span class="visually-hidden">{t(|x| x.book_total_asks)} </span>
                    <span class="num" data-testid="book-total-asks">{total(asks)}</span>
                </span>
                <span class="book__total-label" aria-hidden="true">{t(|x| x.book_total)}</span>
                <span class="book__total">
                    <span class="visually-hidden">{t(|x| x.book_total_bids)} </span>
                    <span class="num" data-testid="book-total-bids">{total(bids)}</span>
                </span>
            </p>
            <Show when=move || book.with(|b| b.seq.is_none())>
                <p class="card--empty">{t(|x| x.book_loading)}</p>
            </Show>
        </div>
    }
    .into_any()
}
