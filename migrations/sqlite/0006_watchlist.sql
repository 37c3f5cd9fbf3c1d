-- Each account's watchlist (관심종목): the market page's stars.
CREATE TABLE watchlist (
    account_id INTEGER NOT NULL,
    symbol_id  INTEGER NOT NULL,
    added_ms   INTEGER NOT NULL,
    PRIMARY KEY (account_id, symbol_id)
);
