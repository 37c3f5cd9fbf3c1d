-- Each account's watchlist (관심종목): the market page's stars.
CREATE TABLE watchlist (
    account_id BIGINT NOT NULL,
    symbol_id  BIGINT NOT NULL,
    added_ms   BIGINT NOT NULL,
    PRIMARY KEY (account_id, symbol_id)
);
