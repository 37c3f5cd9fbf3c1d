//! 주문 (Orders): the caller's open orders with amend and cancel, their
//! order history and fills, filtered by stock, side and status, newest or
//! oldest first, a page at a time. The lists are the caller's own, so they
//! load in the browser after hydration, and follow the account's private
//! stream: each committed change shows at once; nothing polls or
//! refetches.

use crate::account_book::{MyAccount, fold_fills, fold_orders, use_my_account};
use crate::api::AppError;
use crate::components::{PageTitle, Skeleton, load_then, when_loaded};
use crate::format::{format_kst_datetime, format_won, group_thousands};
use crate::i18n::{Key, Lang, fill};
use crate::market::{ListingName, listing_names};
use crate::prefs::{t, use_prefs};
use crate::realtime::go_live;
use crate::ticket::{check_price, check_qty};
use crate::trading::{
    AmendOrderInput, FillView, ListQuery, OrderKind, OrderSide, OrderStatus, OrderView, Page,
    SortOrder, amend_order, cancel_order, list_fills, list_orders,
};
use leptos::prelude::*;

fn side_label(side: OrderSide, lang: Lang) -> &'static str {
    match side {
        OrderSide::Buy => lang.texts().side_buy,
        OrderSide::Sell => lang.texts().side_sell,
    }
}

fn side_class(side: OrderSide) -> &'static str {
    match side {
        OrderSide::Buy => "up",
        OrderSide::Sell => "down",
    }
}

fn status_label(order: &OrderView, lang: Lang) -> &'static str {
    let texts = lang.texts();
    match order.status {
        OrderStatus::Open if order.filled_qty > 0 => texts.orders_status_partly_filled,
        OrderStatus::Open => texts.orders_status_open,
        OrderStatus::Filled => texts.orders_status_filled,
        OrderStatus::Cancelled => match order.cancel_reason.as_deref() {
            Some("requested") | None => texts.orders_status_cancelled,
            Some("outside_band") => texts.orders_status_cancelled_band,
            Some("fees_changed") => texts.orders_status_cancelled_fees,
            Some(_) => texts.orders_status_cancelled_unfilled,
        },
    }
}

/// The caller's open orders (of one stock, or all), with amend and cancel,
/// as their account's stream keeps them: a fill, an amendment or a
/// cancellation shows as soon as it is committed, from this tab or any
/// other. A row is kept while its order is unchanged, so an amend form
/// that is open stays open.
#[component]
pub fn OpenOrders(
    symbol: Option<String>,
    account: MyAccount,
    /// The listings' names: each order shows its stock by name.
    names: StoredValue<Vec<ListingName>>,
) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let orders = Memo::new(move |_| account.open_orders(symbol.as_deref()));
    let failed = move || {
        account.loaded.with(|loaded| match loaded {
            Some(Err(err)) => Some(err.message(lang()).to_owned()),
            _ => None,
        })
    };
    view! {
        {move || match (orders.with(|o| o.as_ref().map(Vec::is_empty)), failed()) {
            (_, Some(message)) => view! { <p class="notice notice--error" role="alert">{message}</p> }.into_any(),
            (None, None) => view! { <Skeleton lines=2/> }.into_any(),
            (Some(true), None) => view! {
                <p class="card--empty" data-testid="open-orders-empty">{t(|x| x.orders_open_empty)}</p>
            }.into_any(),
            (Some(false), None) => view! {
                <ul class="orders" data-testid="open-orders">
                    <For
                        each=move || orders.get().unwrap_or_default()
                        key=|order| (order.order_id, order.remaining_qty, order.price, order.filled_qty)
                        children=move |order| view! { <OpenOrderRow order names/> }
                    />
                </ul>
            }.into_any(),
        }}
    }
    .into_any()
}

#[component]
fn OpenOrderRow(order: OrderView, names: StoredValue<Vec<ListingName>>) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let editing = RwSignal::new(false);
    let price_text = RwSignal::new(order.price.map(group_thousands).unwrap_or_default());
    let qty_text = RwSignal::new(order.remaining_qty.to_string());
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let order_id = order.order_id;
    let account_id = order.account_id;
    // The list follows the account's stream: a cancelled order leaves it
    // when the cancellation is committed.
    let cancel = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            if let Err(err) = cancel_order(order_id, Some(account_id)).await {
                message.try_set(Some(err.message(prefs.lang.get_untracked()).to_owned()));
            }
            busy.try_set(false);
        });
    };
    let side = order.side;
    let price = order
        .price
        .map(group_thousands)
        .unwrap_or_else(|| "-".into());
    let remaining = group_thousands(order.remaining_qty);
    let symbol = order.symbol.clone();
    let name = move || names.with_value(|names| ListingName::find(names, &symbol, lang()));
    let summary = {
        let (name, price) = (
            name.clone(),
            order.price.map(group_thousands).unwrap_or_default(),
        );
        move || format!("{} · {price}", name())
    };
    view! {
        <li class="orders__row" data-testid="open-order" data-order-id=order_id data-price=order.price.unwrap_or(0) data-qty=order.remaining_qty>
            <div class="orders__main">
                <span class=format!("orders__side {}", side_class(side))>{move || side_label(side, lang())}</span>
                <a class="orders__name" href=format!("/market/{}", order.symbol)>{name}</a>
                <span class="num">{move || fill(lang().texts().orders_open_price, &[("price", &price)])}</span>
                <span class="num">
                    {move || fill(lang().texts().orders_open_remaining, &[("qty", &remaining)])}
                    {(order.filled_qty > 0).then(|| format!(" ({} / {})", group_thousands(order.filled_qty), group_thousands(order.qty)))}
                </span>
                <time class="num orders__time">{format_kst_datetime(order.created_ms)}</time>
            </div>
            <div class="orders__actions">
                <button type="button" class="chip" data-testid="order-amend-open"
                    aria-expanded=move || if editing.get() { "true" } else { "false" }
                    aria-label={let summary = summary.clone(); move || format!("{}: {}", summary(), lang().texts().orders_amend)}
                    on:click=move |_| editing.update(|e| *e = !*e)>
                    {t(|x| x.orders_amend)}
                </button>
                <button type="button" class="chip" data-testid="order-cancel" disabled=move || busy.get()
                    aria-label={let summary = summary.clone(); move || format!("{}: {}", summary(), lang().texts().orders_cancel)}
                    on:click=cancel>
                    {t(|x| x.orders_cancel)}
                </button>
            </div>
            <Show when=move || editing.get()>
                {when_loaded(on_demand(OnDemand::Amend(AmendState { order_id, account_id, price_text, qty_text, editing, busy, message })))}
            </Show>
            <p class="field__error" role="alert" data-testid="order-message">{move || message.get()}</p>
        </li>
    }
    .into_any()
}

/// What the amend form of an open order's row shares with the row.
#[derive(Clone, Copy)]
struct AmendState {
    order_id: u64,
    account_id: u64,
    price_text: RwSignal<String>,
    qty_text: RwSignal<String>,
    editing: RwSignal<bool>,
    busy: RwSignal<bool>,
    message: RwSignal<Option<String>>,
}

/// An open order's amend form.
#[component]
fn AmendForm(state: AmendState) -> impl IntoView {
    let AmendState {
        order_id,
        account_id,
        price_text,
        qty_text,
        editing,
        busy,
        message,
    } = state;
    let prefs = use_prefs();
    let amend = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = prefs.lang.get_untracked();
        // The day's band is not known here; the engine checks it.
        let checked = check_price(&price_text.get_untracked(), None)
            .and_then(|price| Ok((price, check_qty(&qty_text.get_untracked())?)));
        let (price, qty) = match checked {
            Ok(order) => order,
            Err(err) => return message.set(Some(err.message(lang).to_owned())),
        };
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(async move {
            match amend_order(
                AmendOrderInput {
                    order_id,
                    price,
                    qty,
                },
                Some(account_id),
            )
            .await
            {
                Ok(_) => {
                    editing.try_set(false);
                }
                Err(err) => {
                    message.try_set(Some(err.message(prefs.lang.get_untracked()).to_owned()));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="orders__amend" data-testid="order-amend" novalidate on:submit=amend>
            <label class="field">
                <span>{t(|x| x.orders_amend_price)}</span>
                <input inputmode="numeric" data-testid="amend-price" prop:value=move || price_text.get()
                    on:input=move |ev| price_text.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{t(|x| x.orders_amend_qty)}</span>
                <input inputmode="numeric" data-testid="amend-qty" prop:value=move || qty_text.get()
                    on:input=move |ev| qty_text.set(event_target_value(&ev))/>
            </label>
            <button type="submit" class="chip" data-testid="amend-submit" disabled=move || busy.get()>
                {t(|x| x.orders_amend_submit)}
            </button>
        </form>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Open,
    History,
    Fills,
}

/// The route, on the server: the listings' names are read here and handed
/// to the page's island.
#[component]
pub fn OrdersRoute() -> impl IntoView {
    load_then(listing_names(), |names| view! { <OrdersPage names/> })
}

/// The orders page, a lazy island: its code is a wasm chunk that only this
/// page downloads. The orders are the caller's, so they load in the browser.
#[island(lazy)]
fn OrdersPage(names: Vec<ListingName>) -> impl IntoView {
    go_live();
    let tab = RwSignal::new(Tab::Open);
    let account = use_my_account();
    let listings = StoredValue::new(names);
    let tab_button = move |value: Tab, label: Key, id: &'static str| {
        view! {
            <button type="button" role="tab" class="tabs__tab" data-testid=id
                aria-selected=move || if tab.get() == value { "true" } else { "false" }
                on:click=move |_| tab.set(value)>
                {t(label)}
            </button>
        }
    };
    view! {
        <PageTitle text=t(|x| x.orders_title)/>
        <section class="orders-page">
            <h1>{t(|x| x.orders_title)}</h1>
            <div class="tabs" role="tablist">
                {tab_button(Tab::Open, |x| x.orders_tab_open, "tab-open")}
                {tab_button(Tab::History, |x| x.orders_tab_history, "tab-history")}
                {tab_button(Tab::Fills, |x| x.orders_tab_fills, "tab-fills")}
            </div>
            {move || match tab.get() {
                Tab::Open => view! {
                    <div class="card"><OpenOrders symbol=None account names=listings/></div>
                }.into_any(),
                Tab::History => when_loaded(on_demand(OnDemand::History { fills: false, listings, account })).into_any(),
                Tab::Fills => when_loaded(on_demand(OnDemand::History { fills: true, listings, account })).into_any(),
            }}
        </section>
    }
}

/// The parts of the orders' views that appear only after a click: the
/// history tabs (the page opens on the open orders) and an open order's
/// amend form. Their code is a wasm chunk loaded on that click, not part of
/// the page's first load.
enum OnDemand {
    History {
        fills: bool,
        listings: StoredValue<Vec<ListingName>>,
        account: MyAccount,
    },
    Amend(AmendState),
}

/// One split point for all of them rather than one each: every split point
/// more cuts the code that the pages share into more and smaller chunks
/// (see `pages::simple`).
#[lazy]
fn on_demand(part: OnDemand) -> AnyView {
    match part {
        OnDemand::History {
            fills,
            listings,
            account,
        } => view! { <History fills listings account/> }.into_any(),
        OnDemand::Amend(state) => view! { <AmendForm state/> }.into_any(),
    }
}

/// Orders (or fills) with filters and "more" paging; what the account's
/// stream says changed is folded into the pages loaded.
#[component]
fn History(
    fills: bool,
    listings: StoredValue<Vec<ListingName>>,
    account: MyAccount,
) -> impl IntoView {
    let prefs = use_prefs();
    let lang = move || prefs.lang.get();
    let symbol = RwSignal::new(String::new());
    let side = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let sort = RwSignal::new(SortOrder::Newest);
    let orders = RwSignal::new(Vec::<OrderView>::new());
    let fill_rows = RwSignal::new(Vec::<FillView>::new());
    let cursor = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let loading = RwSignal::new(false);
    let query = move |cursor: Option<String>| ListQuery {
        symbol: Some(symbol.get_untracked()).filter(|s| !s.is_empty()),
        side: match side.get_untracked().as_str() {
            "buy" => Some(OrderSide::Buy),
            "sell" => Some(OrderSide::Sell),
            _ => None,
        },
        status: match status.get_untracked().as_str() {
            "open" => Some(OrderStatus::Open),
            "filled" => Some(OrderStatus::Filled),
            "cancelled" => Some(OrderStatus::Cancelled),
            _ => None,
        },
        sort: sort.get_untracked(),
        cursor,
        limit: Some(20),
    };
    // An update that arrives while a page loads may be older or newer than
    // the page: the page is loaded again after it, rather than guessed at.
    let missed = StoredValue::new(false);
    let reload = RwSignal::new(0u64);
    let load = move |more: bool| {
        let next = if more { cursor.get_untracked() } else { None };
        let query = query(next);
        let account_id = account.id.get_untracked();
        loading.set(true);
        missed.set_value(false);
        leptos::task::spawn_local(async move {
            let result: Result<Option<String>, AppError> = if fills {
                list_fills(query, account_id)
                    .await
                    .map(|Page { items, next_cursor }| {
                        fill_rows.try_update(|rows| {
                            if !more {
                                rows.clear();
                            }
                            rows.extend(items);
                        });
                        next_cursor
                    })
            } else {
                list_orders(query, account_id)
                    .await
                    .map(|Page { items, next_cursor }| {
                        orders.try_update(|rows| {
                            if !more {
                                rows.clear();
                            }
                            rows.extend(items);
                        });
                        next_cursor
                    })
            };
            match result {
                Ok(next) => {
                    cursor.try_set(next);
                    error.try_set(None);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            loading.try_set(false);
            if missed.try_get_value() == Some(true) {
                reload.try_update(|n| *n += 1);
            }
        });
    };
    // Again after each snapshot of the account's stream (the first, or one
    // after a missed update): what happened before it is only in the lists.
    Effect::new(move |_| {
        symbol.track();
        side.track();
        status.track();
        sort.track();
        account.stream.snapshots.track();
        reload.track();
        load(false);
    });
    Effect::new(move |_| {
        let Some(update) = account.stream.update.get() else {
            return;
        };
        if loading.get_untracked() {
            missed.set_value(true);
            return;
        }
        let (filter, complete) = (query(None), cursor.with_untracked(Option::is_none));
        if fills {
            fill_rows.update(|rows| fold_fills(rows, &update.fills, &filter, complete));
        } else {
            orders.update(|rows| fold_orders(rows, &update.orders, &filter, complete));
        }
    });
    let caption: Key = if fills {
        |x| x.orders_fills_caption
    } else {
        |x| x.orders_history_caption
    };
    let name_of =
        move |code: &str| listings.with_value(|names| ListingName::find(names, code, lang()));
    let select = move |label: Key,
                       id: &'static str,
                       value: RwSignal<String>,
                       options: Vec<(String, String)>| {
        view! {
            <label class="field">
                <span>{t(label)}</span>
                <select data-testid=id prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                    {options.into_iter().map(|(v, text)| view! { <option value=v>{text}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <div class="filters">
            <label class="field">
                <span>{t(|x| x.orders_filter_stock)}</span>
                <select data-testid="filter-symbol" prop:value=move || symbol.get() on:change=move |ev| symbol.set(event_target_value(&ev))>
                    <option value="">{t(|x| x.orders_filter_all)}</option>
                    {move || listings.get_value().into_iter().map(|name| {
                        let text = format!("{} {}", name.code, name.name(lang()));
                        view! { <option value=name.code>{text}</option> }
                    }).collect_view()}
                </select>
            </label>
            {move || {
                let texts = lang().texts();
                select(|x| x.orders_filter_side, "filter-side", side, vec![
                    (String::new(), texts.orders_filter_all.into()),
                    ("buy".into(), texts.side_buy.into()),
                    ("sell".into(), texts.side_sell.into()),
                ])
            }}
            <Show when=move || !fills>
                {move || {
                    let texts = lang().texts();
                    select(|x| x.orders_filter_status, "filter-status", status, vec![
                        (String::new(), texts.orders_filter_all.into()),
                        ("open".into(), texts.orders_status_open.into()),
                        ("filled".into(), texts.orders_status_filled.into()),
                        ("cancelled".into(), texts.orders_status_cancelled.into()),
                    ])
                }}
            </Show>
            <label class="field">
                <span>{t(|x| x.orders_filter_sort)}</span>
                <select data-testid="filter-sort"
                    prop:value=move || if sort.get() == SortOrder::Newest { "newest" } else { "oldest" }
                    on:change=move |ev| sort.set(if event_target_value(&ev) == "oldest" { SortOrder::Oldest } else { SortOrder::Newest })>
                    <option value="newest">{t(|x| x.orders_sort_newest)}</option>
                    <option value="oldest">{t(|x| x.orders_sort_oldest)}</option>
                </select>
            </label>
        </div>
        {move || error.get().map(|err| view! { <p class="notice notice--error" role="alert">{err.message(lang()).to_owned()}</p> })}
        // Wider than a phone: the table scrolls sideways in its wrapper,
        // which says so and can be scrolled from the keyboard.
        <p class="scroll-hint" aria-hidden="true">{t(|x| x.table_scroll_hint)}</p>
        <div class="table-wrap card" tabindex="0" role="region"
            aria-label=t(caption)>
            {move || if fills {
                view! {
                    <table class="history" data-testid="fills-table">
                        <caption class="visually-hidden">{t(|x| x.orders_fills_caption)}</caption>
                        <thead><tr>
                            <th scope="col">{t(|x| x.orders_col_time)}</th>
                            <th scope="col">{t(|x| x.orders_filter_stock)}</th>
                            <th scope="col">{t(|x| x.orders_col_side)}</th>
                            <th scope="col" class="num">{t(|x| x.orders_col_price)}</th>
                            <th scope="col" class="num">{t(|x| x.orders_col_qty)}</th>
                            <th scope="col" class="num">{t(|x| x.orders_col_fees)}</th>
                        </tr></thead>
                        <tbody>
                            {move || fill_rows.get().into_iter().map(|fill| view! {
                                <tr data-testid="fill-row">
                                    <td class="num">{format_kst_datetime(fill.ts_ms)}</td>
                                    <td>{name_of(&fill.symbol)}</td>
                                    <td class=side_class(fill.side)>{side_label(fill.side, lang())}</td>
                                    <td class="num">{group_thousands(fill.price)}</td>
                                    <td class="num">{group_thousands(fill.qty)}</td>
                                    <td class="num">{format_won(fill.commission + fill.tax, lang())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            } else {
                view! {
                    <table class="history" data-testid="orders-table">
                        <caption class="visually-hidden">{t(|x| x.orders_history_caption)}</caption>
                        <thead><tr>
                            <th scope="col">{t(|x| x.orders_col_time)}</th>
                            <th scope="col">{t(|x| x.orders_filter_stock)}</th>
                            <th scope="col">{t(|x| x.orders_col_side)}</th>
                            <th scope="col" class="num">{t(|x| x.orders_col_price)}</th>
                            <th scope="col" class="num">{t(|x| x.orders_col_filled)}</th>
                            <th scope="col">{t(|x| x.orders_col_status)}</th>
                        </tr></thead>
                        <tbody>
                            {move || orders.get().into_iter().map(|order| {
                                let price = match order.kind {
                                    OrderKind::Market => lang().texts().kind_market.to_owned(),
                                    OrderKind::Limit => order.price.map(group_thousands).unwrap_or_default(),
                                };
                                view! {
                                    <tr data-testid="order-row" data-status=order.status.as_str()>
                                        <td class="num">{format_kst_datetime(order.created_ms)}</td>
                                        <td>{name_of(&order.symbol)}</td>
                                        <td class=side_class(order.side)>{side_label(order.side, lang())}</td>
                                        <td class="num">{price}</td>
                                        <td class="num">{format!("{} / {}", group_thousands(order.filled_qty), group_thousands(order.qty))}</td>
                                        <td>{status_label(&order, lang())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
        <Show when=move || !loading.get() && (if fills { fill_rows.with(Vec::is_empty) } else { orders.with(Vec::is_empty) })>
            <p class="card--empty">{t(|x| x.orders_history_empty)}</p>
        </Show>
        <Show when=move || cursor.with(Option::is_some)>
            <button type="button" class="chip" data-testid="history-more" disabled=move || loading.get() on:click=move |_| load(true)>
                {t(|x| x.orders_history_more)}
            </button>
        </Show>
    }
    .into_any()
}
