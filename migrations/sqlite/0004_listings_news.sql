-- The listed companies (server/src/market/listings.rs): a code keeps its
-- symbol id for ever, so the operator's file may be reordered or grow.
CREATE TABLE listings (
    symbol_id          INTEGER PRIMARY KEY,
    code               TEXT   NOT NULL UNIQUE,
    name_ko            TEXT   NOT NULL,
    name_en            TEXT   NOT NULL,
    sector             TEXT   NOT NULL,
    shares_outstanding INTEGER NOT NULL,
    first_price        INTEGER NOT NULL
);

-- The news feed (server/src/sim/news.rs): every event that moved a
-- company's or a sector's hidden value, as it was announced.
CREATE TABLE news (
    news_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms       INTEGER NOT NULL,
    symbol_id   INTEGER,
    sector      TEXT,
    good        BOOLEAN NOT NULL,
    size_bp     INTEGER NOT NULL,
    headline_ko TEXT   NOT NULL,
    headline_en TEXT   NOT NULL
);
CREATE INDEX news_by_symbol ON news (symbol_id, news_id);
CREATE INDEX news_by_sector ON news (sector, news_id);
