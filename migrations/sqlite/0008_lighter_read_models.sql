-- Fewer pages written per commit (docs/PERFORMANCE.md, session 18): every
-- index is one more B-tree whose leaf each order or fill dirties, and the
-- commit writes every dirty page to the log.
--
-- The index on (account_id, status, order_id) was never used: the orders
-- query's optional status filter cannot pick it. Open orders, the one
-- status lists need fast, get a partial index that holds only them (a few
-- per account), and the query names the status as text so it can use it.
DROP INDEX orders_by_account_status;
CREATE INDEX open_orders_by_account ON orders (account_id, order_id) WHERE status = 'open';

-- Fills and positions are found only by their primary key: stored in its
-- order (WITHOUT ROWID) they are one B-tree each instead of a table plus
-- an index.
CREATE TABLE fills_by_key (
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
) WITHOUT ROWID;
INSERT INTO fills_by_key (account_id, seq, n, order_id, symbol_id, side, price, qty, commission, tax, maker, ts_ms)
    SELECT account_id, seq, n, order_id, symbol_id, side, price, qty, commission, tax, maker, ts_ms FROM fills;
DROP TABLE fills;
ALTER TABLE fills_by_key RENAME TO fills;

CREATE TABLE positions_by_key (
    account_id INTEGER NOT NULL,
    symbol_id  INTEGER NOT NULL,
    available  INTEGER NOT NULL,
    held       INTEGER NOT NULL,
    cost       INTEGER NOT NULL,
    PRIMARY KEY (account_id, symbol_id)
) WITHOUT ROWID;
INSERT INTO positions_by_key (account_id, symbol_id, available, held, cost)
    SELECT account_id, symbol_id, available, held, cost FROM positions;
DROP TABLE positions;
ALTER TABLE positions_by_key RENAME TO positions;
