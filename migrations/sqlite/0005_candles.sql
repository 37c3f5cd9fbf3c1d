-- OHLCV candles per symbol and width ('1m', '5m', '1h', '1d'; see
-- server/src/exchange/candles.rs), written in the commit that holds their
-- trades. A candle's row is rewritten while it is the current one.
CREATE TABLE candles (
    symbol_id INTEGER NOT NULL,
    width     TEXT   NOT NULL,
    start_ms  INTEGER NOT NULL,
    open      INTEGER NOT NULL,
    high      INTEGER NOT NULL,
    low       INTEGER NOT NULL,
    close     INTEGER NOT NULL,
    volume    INTEGER NOT NULL,
    turnover  INTEGER NOT NULL,
    PRIMARY KEY (symbol_id, width, start_ms)
);
