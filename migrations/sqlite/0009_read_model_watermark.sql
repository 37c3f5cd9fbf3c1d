-- The read models (orders, fills, balances, positions, candles) are written
-- after the journal, in batches of their own (docs/PERFORMANCE.md, session
-- 21): this row says through which journal sequence number they are
-- complete, and is written in the same transaction as they are. At start
-- the exchange replays the journal and writes the rows of every command
-- after it. Until now every commit wrote its rows with its journal entries,
-- so they are complete through the last entry.
CREATE TABLE read_model_watermark (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    through_seq INTEGER NOT NULL
);
INSERT INTO read_model_watermark (id, through_seq)
SELECT 1, COALESCE(MAX(seq), 0) FROM exchange_journal;
