-- Images of the exchange's state (the engine's books and balances, the
-- read-model projection, the market data) as of one journal entry, whose
-- read-model rows were written when the image was stored. A start restores
-- the newest readable one and replays only the journal after it
-- (docs/EXCHANGE.md). The newest two are kept; `format` says how `body`
-- (JSON) is laid out, so a later version can skip an image it cannot read.
CREATE TABLE exchange_snapshots (
    seq    BIGINT PRIMARY KEY,
    format INTEGER NOT NULL,
    body   BYTEA NOT NULL
);
