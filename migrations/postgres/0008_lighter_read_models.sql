-- The index on (account_id, status, order_id) was never used: the orders
-- query's optional status filter cannot pick it, yet every order's status
-- change rewrote it. Open orders, the one status lists need fast, get a
-- partial index that holds only them, and the query names the status as
-- text so the planner can use it (docs/PERFORMANCE.md, session 18).
DROP INDEX orders_by_account_status;
CREATE INDEX open_orders_by_account ON orders (account_id, order_id) WHERE status = 'open';
