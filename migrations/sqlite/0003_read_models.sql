-- Read models of the exchange, written in the same transaction as the
-- journal (server/src/exchange/projection.rs): every query a user makes
-- reads these, always scoped by account_id.
CREATE TABLE accounts (
    account_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE TABLE orders (
    order_id        INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL,
    client_order_id INTEGER NOT NULL,
    symbol_id       INTEGER NOT NULL,
    side            TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    tif             TEXT    NOT NULL,
    price           INTEGER,
    qty             INTEGER NOT NULL,
    filled_qty      INTEGER NOT NULL,
    remaining_qty   INTEGER NOT NULL,
    filled_value    INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    cancel_reason   TEXT,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX orders_by_account ON orders (account_id, order_id);
CREATE INDEX orders_by_account_status ON orders (account_id, status, order_id);

CREATE TABLE fills (
    account_id INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    order_id   INTEGER NOT NULL,
    symbol_id  INTEGER NOT NULL,
    side       TEXT    NOT NULL,
    price      INTEGER NOT NULL,
    qty        INTEGER NOT NULL,
    commission INTEGER NOT NULL,
    tax        INTEGER NOT NULL,
    maker      INTEGER NOT NULL,
    ts_ms      INTEGER NOT NULL,
    PRIMARY KEY (account_id, seq, n)
);

CREATE TABLE balances (
    account_id INTEGER PRIMARY KEY,
    available  INTEGER NOT NULL,
    held       INTEGER NOT NULL,
    deposited  INTEGER NOT NULL
);

CREATE TABLE positions (
    account_id INTEGER NOT NULL,
    symbol_id  INTEGER NOT NULL,
    available  INTEGER NOT NULL,
    held       INTEGER NOT NULL,
    cost       INTEGER NOT NULL,
    PRIMARY KEY (account_id, symbol_id)
);

-- tower-sessions records: the id, the JSON record, when it expires.
CREATE TABLE sessions (
    id        TEXT    PRIMARY KEY,
    record    TEXT    NOT NULL,
    expiry_ms INTEGER NOT NULL
);
