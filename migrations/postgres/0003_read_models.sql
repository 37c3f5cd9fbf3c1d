-- Read models of the exchange, written in the same transaction as the
-- journal (server/src/exchange/projection.rs): every query a user makes
-- reads these, always scoped by account_id.
CREATE TABLE accounts (
    account_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT    NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE orders (
    order_id        BIGINT PRIMARY KEY,
    account_id      BIGINT NOT NULL,
    client_order_id BIGINT NOT NULL,
    symbol_id       BIGINT NOT NULL,
    side            TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    tif             TEXT    NOT NULL,
    price           BIGINT,
    qty             BIGINT NOT NULL,
    filled_qty      BIGINT NOT NULL,
    remaining_qty   BIGINT NOT NULL,
    filled_value    BIGINT NOT NULL,
    status          TEXT    NOT NULL,
    cancel_reason   TEXT,
    created_ms      BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX orders_by_account ON orders (account_id, order_id);
CREATE INDEX orders_by_account_status ON orders (account_id, status, order_id);

CREATE TABLE fills (
    account_id BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    n          BIGINT NOT NULL,
    order_id   BIGINT NOT NULL,
    symbol_id  BIGINT NOT NULL,
    side       TEXT    NOT NULL,
    price      BIGINT NOT NULL,
    qty        BIGINT NOT NULL,
    commission BIGINT NOT NULL,
    tax        BIGINT NOT NULL,
    maker      BOOLEAN NOT NULL,
    ts_ms      BIGINT NOT NULL,
    PRIMARY KEY (account_id, seq, n)
);

CREATE TABLE balances (
    account_id BIGINT PRIMARY KEY,
    available  BIGINT NOT NULL,
    held       BIGINT NOT NULL,
    deposited  BIGINT NOT NULL
);

CREATE TABLE positions (
    account_id BIGINT NOT NULL,
    symbol_id  BIGINT NOT NULL,
    available  BIGINT NOT NULL,
    held       BIGINT NOT NULL,
    cost       BIGINT NOT NULL,
    PRIMARY KEY (account_id, symbol_id)
);

-- tower-sessions records: the id, the JSON record, when it expires.
CREATE TABLE sessions (
    id        TEXT    PRIMARY KEY,
    record    TEXT    NOT NULL,
    expiry_ms BIGINT NOT NULL
);
