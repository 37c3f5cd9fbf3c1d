//! Random command streams: a few accounts and two symbols, prices on and
//! off the grid, some out of the band, quantities including zero, negative
//! and too large. The ledger invariants hold after every command, the
//! same commands always give the same events, and an engine restored from
//! its image (as a snapshot stores it) carries on exactly like the original.

use super::*;
use proptest::prelude::*;

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn command() -> impl Strategy<Value = Command> {
    // Accounts 5 and 6 start unopened: an `OpenAccount` or a deposit opens them.
    let account = (1u64..7).prop_map(AccountId);
    let symbol = (1u32..3).prop_map(SymbolId);
    let price = prop_oneof![8 => (0i64..40).prop_map(|t| 9_800 + t * 10), 1 => 6_000i64..14_000];
    let qty = prop_oneof![10 => 1i64..300, 1 => -2i64..1, 1 => Just(MAX_ORDER_QTY + 1)];
    let order_type =
        prop_oneof![5 => price.clone().prop_map(OrderType::Limit), 1 => Just(OrderType::Market)];
    let tif = prop_oneof![6 => Just(TimeInForce::Gtc), 1 => Just(TimeInForce::Ioc), 1 => Just(TimeInForce::Fok)];
    let order_id = (1u64..2_000).prop_map(OrderId);
    prop_oneof![
        12 => (account.clone(), 0u64..500, symbol.clone(), side(), order_type, tif, qty.clone()).prop_map(
            |(account, client, symbol, side, order_type, tif, qty)| Command::Place(PlaceOrder {
                account,
                client_id: ClientOrderId(client),
                symbol,
                side,
                order_type,
                tif,
                qty,
            })
        ),
        3 => (account.clone(), order_id.clone(), price, qty).prop_map(|(account, order, price, qty)| Command::Amend {
            account,
            order,
            price,
            qty
        }),
        3 => (account.clone(), order_id).prop_map(|(account, order)| Command::Cancel { account, order }),
        1 => account.clone().prop_map(|account| Command::CancelAll { account }),
        1 => (account.clone(), -2_000_000i64..5_000_000).prop_map(|(account, amount)| Command::Deposit { account, amount }),
        1 => (account.clone(), -1_000i64..5_000_000).prop_map(|(account, cash)| Command::OpenAccount { account, cash, shares_each: 0, grants: Vec::new() }),
        1 => (account, symbol.clone(), 1i64..100, 0i64..1_000_000)
            .prop_map(|(account, symbol, qty, cost)| Command::GrantShares { account, symbol, qty, cost }),
        1 => symbol.clone().prop_map(|symbol| Command::Halt { symbol }),
        2 => symbol.clone().prop_map(|symbol| Command::Resume { symbol }),
        1 => symbol.prop_map(|symbol| Command::OpenDay { symbol }),
        1 => (-10i64..20_000, 0i64..5_000).prop_map(|(commission_ppm, sell_tax_ppm)| Command::SetFees {
            fees: FeeSchedule { commission_ppm, sell_tax_ppm },
        }),
    ]
}

/// A market with two listings and four funded accounts holding shares.
fn seeded_engine() -> (Engine, Vec<Event>) {
    let mut engine = Engine::new(FeeSchedule::default());
    let mut events = Vec::new();
    for symbol in [SymbolId(1), SymbolId(2)] {
        engine.execute(
            Command::List {
                symbol,
                reference_price: 10_000,
            },
            &mut events,
        );
    }
    for account in (1..5).map(AccountId) {
        engine.execute(
            Command::Deposit {
                account,
                amount: 10_000_000,
            },
            &mut events,
        );
        for symbol in [SymbolId(1), SymbolId(2)] {
            engine.execute(
                Command::GrantShares {
                    account,
                    symbol,
                    qty: 500,
                    cost: 5_000_000,
                },
                &mut events,
            );
        }
    }
    (engine, events)
}

/// Commands per stream: `GAEMI_ENGINE_STREAM_LEN` (default 400; with
/// proptest's 256 cases that is 100k+ commands per run).
fn stream_len() -> usize {
    std::env::var("GAEMI_ENGINE_STREAM_LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #[test]
    fn the_ledger_invariants_hold_after_every_command(commands in proptest::collection::vec(command(), stream_len())) {
        let (mut engine, mut events) = seeded_engine();
        for command in commands {
            events.clear();
            let executed = engine.execute(command.clone(), &mut events);
            if let Reply::Rejected { .. } = executed.reply {
                let changed = events.iter().any(|e| !matches!(e, Event::OrderRejected { .. }));
                prop_assert!(!changed, "a rejected {command:?} changed state: {events:?}");
            }
            if let Err(broken) = engine.check_invariants() {
                return Err(TestCaseError::fail(format!("after {command:?}: {broken}")));
            }
        }
    }

    #[test]
    fn the_same_commands_give_the_same_events(commands in proptest::collection::vec(command(), 200)) {
        let run = || {
            let (mut engine, mut all) = seeded_engine();
            for command in &commands {
                engine.execute(command.clone(), &mut all);
            }
            all
        };
        prop_assert_eq!(run(), run());
    }

    #[test]
    fn an_engine_restored_from_its_image_carries_on_exactly_like_the_original(
        commands in proptest::collection::vec(command(), 300),
        cut in 0usize..300,
    ) {
        let (mut original, _) = seeded_engine();
        let mut events = Vec::new();
        for command in &commands[..cut] {
            original.execute(command.clone(), &mut events);
        }
        // Through JSON, as a snapshot is stored.
        let json = serde_json::to_vec(&original.image()).unwrap();
        let mut restored = Engine::from_image(serde_json::from_slice(&json).unwrap()).unwrap();
        prop_assert_eq!(restored.image(), original.image());
        prop_assert_eq!(restored.digest(), original.digest());
        let (mut expected, mut got) = (Vec::new(), Vec::new());
        for command in &commands[cut..] {
            let a = original.execute(command.clone(), &mut expected);
            let b = restored.execute(command.clone(), &mut got);
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(expected, got);
        prop_assert_eq!(restored.digest(), original.digest());
        prop_assert_eq!(restored.image(), original.image());
    }
}

#[test]
fn an_image_that_does_not_add_up_is_refused() {
    let (engine, _) = seeded_engine();
    let mut image = serde_json::to_value(engine.image()).unwrap();
    image["accounts"][0]["cash_available"] = serde_json::json!(1);
    let damaged: EngineImage = serde_json::from_value(image).unwrap();
    let refused = Engine::from_image(damaged).err().unwrap_or_default();
    assert!(refused.contains("deposits"), "{refused}");
}
