//! The home page's boards: the listings that rose most, fell most, and
//! traded most by value (거래대금) and by shares (거래량) today. Ranked
//! from the tickers the page was rendered with, the same way on the server
//! and in the browser (hydration needs both to agree), and kept in that
//! order while the page is open: rows that jumped under a finger or a
//! pointer would open the wrong stock. The rows' numbers stay live.

use crate::realtime::Ticker;
use std::cmp::Reverse;

/// Rows per board.
pub const BOARD_ROWS: usize = 5;

/// One of the home page's rankings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Board {
    Gainers,
    Losers,
    Turnover,
    Volume,
}

impl Board {
    /// The boards in the order the page shows them.
    pub const ALL: [Board; 4] = [
        Board::Gainers,
        Board::Losers,
        Board::Turnover,
        Board::Volume,
    ];

    /// The listing's score on this board, biggest first; `None` keeps it
    /// off the board (a flat stock is no gainer, an untraded one tops no
    /// turnover list).
    fn score(self, ticker: &Ticker) -> Option<i64> {
        let score = match self {
            Board::Gainers => ticker.change_bp,
            Board::Losers => -ticker.change_bp,
            Board::Turnover => ticker.turnover,
            Board::Volume => ticker.volume,
        };
        (score > 0).then_some(score)
    }

    /// A name for tests and element ids.
    pub const fn key(self) -> &'static str {
        match self {
            Board::Gainers => "gainers",
            Board::Losers => "losers",
            Board::Turnover => "turnover",
            Board::Volume => "volume",
        }
    }
}

/// The indices of the `n` best of `tickers` on `board`, best first; ties
/// go to the smaller code, so every renderer of the same tickers agrees.
pub fn rank<'a>(
    tickers: impl IntoIterator<Item = &'a Ticker>,
    board: Board,
    n: usize,
) -> Vec<usize> {
    let mut scored: Vec<(Reverse<i64>, &str, usize)> = (tickers.into_iter().enumerate())
        .filter_map(|(i, t)| Some((Reverse(board.score(t)?), t.symbol.as_str(), i)))
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(n).map(|(_, _, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticker(symbol: &str, change_bp: i64, volume: i64, turnover: i64) -> Ticker {
        Ticker {
            symbol: symbol.into(),
            last: 10_000,
            reference: 10_000,
            change: change_bp,
            change_bp,
            high: None,
            low: None,
            volume,
            turnover,
            best_bid: None,
            best_ask: None,
            lower_limit: 7_000,
            upper_limit: 13_000,
            halted: false,
        }
    }

    fn market() -> Vec<Ticker> {
        vec![
            ticker("100010", 120, 50, 5_000_000),
            ticker("100020", -300, 900, 1_000_000),
            ticker("100030", 0, 0, 0),
            ticker("100040", 2_900, 10, 9_000_000),
            ticker("100050", -15, 900, 2_000_000),
            ticker("100060", 120, 1, 100),
        ]
    }

    #[test]
    fn gainers_are_the_biggest_rises_first() {
        assert_eq!(rank(&market(), Board::Gainers, 5), [3, 0, 5]);
    }

    #[test]
    fn losers_are_the_biggest_falls_first() {
        assert_eq!(rank(&market(), Board::Losers, 5), [1, 4]);
    }

    #[test]
    fn turnover_and_volume_rank_what_traded() {
        assert_eq!(rank(&market(), Board::Turnover, 5), [3, 0, 4, 1, 5]);
        // 100020 and 100050 both traded 900 shares: the smaller code first.
        assert_eq!(rank(&market(), Board::Volume, 5), [1, 4, 0, 3, 5]);
    }

    #[test]
    fn a_board_holds_at_most_n_and_nothing_untraded_or_flat() {
        assert_eq!(rank(&market(), Board::Turnover, 2), [3, 0]);
        assert!(rank(&market(), Board::Volume, 0).is_empty());
        let quiet = [ticker("100030", 0, 0, 0)];
        for board in Board::ALL {
            assert!(rank(&quiet, board, 5).is_empty(), "{board:?}");
        }
    }

    #[test]
    fn ties_go_to_the_smaller_code_whatever_the_order_given() {
        let mut tickers = market();
        tickers.reverse();
        let codes = |indices: Vec<usize>| -> Vec<String> {
            indices
                .into_iter()
                .map(|i| tickers[i].symbol.clone())
                .collect()
        };
        assert_eq!(
            codes(rank(&tickers, Board::Gainers, 5)),
            ["100040", "100010", "100060"]
        );
    }
}
