-- OHLCV candles per symbol and width ('1m', '5m', '1h', '1d'; see
-- server/src/exchange/candles.rs), written in the commit that holds their
-- trades. A candle's row is rewritten while it is the current one.
CREATE TABLE candles (
    symbol_id BIGINT NOT NULL,
    width     TEXT   NOT NULL,
    start_ms  BIGINT NOT NULL,
    open      BIGINT NOT NULL,
    high      BIGINT NOT NULL,
    low       BIGINT NOT NULL,
    close     BIGINT NOT NULL,
    volume    BIGINT NOT NULL,
    turnover  BIGINT NOT NULL,
    PRIMARY KEY (symbol_id, width, start_ms)
);
