//! The engine's tests: one test per rule, each in the file of the command
//! family it is about, and random command streams (`streams`) with the
//! ledger invariants checked after every command. [`Harness`] runs every
//! command through `check_invariants`.

mod amend;
mod cancel;
mod fees;
mod funds;
mod listing;
mod place;
mod streams;

use super::*;
use crate::exchange::ClientOrderId;
use crate::exchange::command::{OrderType, PlaceOrder, TimeInForce};
use crate::exchange::event::CancelReason;
use crate::exchange::ledger::Position;

const SYM: SymbolId = SymbolId(1);
const ALICE: AccountId = AccountId(1);
const BOB: AccountId = AccountId(2);
const CASH: Won = 100_000_000;

struct Harness {
    engine: Engine,
    events: Vec<Event>,
    next_client_id: u64,
}

impl Harness {
    /// One listing at 10,000 won (band 7,000–13,000); Alice and Bob each with
    /// 100,000,000 won and 1,000 shares bought at 10,000.
    fn new() -> Harness {
        let mut h = Harness {
            engine: Engine::new(FeeSchedule::default()),
            events: Vec::new(),
            next_client_id: 0,
        };
        h.ok(Command::List {
            symbol: SYM,
            reference_price: 10_000,
        });
        for account in [ALICE, BOB] {
            h.ok(Command::Deposit {
                account,
                amount: CASH,
            });
            h.ok(Command::GrantShares {
                account,
                symbol: SYM,
                qty: 1_000,
                cost: 10_000_000,
            });
        }
        h
    }

    fn run(&mut self, command: Command) -> Reply {
        self.events.clear();
        let reply = self.engine.execute(command.clone(), &mut self.events).reply;
        if let Err(broken) = self.engine.check_invariants() {
            panic!("after {command:?}: {broken}");
        }
        reply
    }

    fn ok(&mut self, command: Command) {
        assert_eq!(self.run(command.clone()), Reply::Done, "{command:?}");
    }

    fn place(
        &mut self,
        account: AccountId,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        qty: Qty,
    ) -> Reply {
        self.next_client_id += 1;
        let client_id = ClientOrderId(self.next_client_id);
        self.run(Command::Place(PlaceOrder {
            account,
            client_id,
            symbol: SYM,
            side,
            order_type,
            tif,
            qty,
        }))
    }

    fn limit(&mut self, account: AccountId, side: Side, price: Price, qty: Qty) -> OrderId {
        match self.place(
            account,
            side,
            OrderType::Limit(price),
            TimeInForce::Gtc,
            qty,
        ) {
            Reply::Accepted { order } => order,
            other => panic!("expected acceptance, got {other:?}"),
        }
    }

    fn rejected(
        &mut self,
        account: AccountId,
        side: Side,
        order_type: OrderType,
        qty: Qty,
    ) -> Reject {
        match self.place(account, side, order_type, TimeInForce::Gtc, qty) {
            Reply::Rejected { reason } => reason,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    fn cash(&self, account: AccountId) -> (Won, Won) {
        let a = self.engine.account(account).unwrap();
        (a.cash_available, a.cash_held)
    }

    fn position(&self, account: AccountId) -> Position {
        self.engine.account(account).unwrap().position(SYM)
    }

    fn trades(&self) -> Vec<(Price, Qty)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Trade { price, qty, .. } => Some((*price, *qty)),
                _ => None,
            })
            .collect()
    }

    fn cancelled(&self) -> Option<CancelReason> {
        self.events.iter().find_map(|e| match e {
            Event::OrderCancelled { reason, .. } => Some(*reason),
            _ => None,
        })
    }
}
