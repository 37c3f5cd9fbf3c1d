-- The exchange's command journal: every command the engine executed, in
-- sequence order. The engine is deterministic, so replaying this rebuilds
-- every book and balance exactly (docs/EXCHANGE.md).
CREATE TABLE exchange_journal (
    seq     BIGINT PRIMARY KEY,
    ts_ms   BIGINT NOT NULL,
    command TEXT   NOT NULL
);
