-- The listed companies (server/src/market/listings.rs): a code keeps its
-- symbol id for ever, so the operator's file may be reordered or grow.
CREATE TABLE listings (
    symbol_id          BIGINT PRIMARY KEY,
    code               TEXT   NOT NULL UNIQUE,
    name_ko            TEXT   NOT NULL,
    name_en            TEXT   NOT NULL,
    sector             TEXT   NOT NULL,
    shares_outstanding BIGINT NOT NULL,
    first_price        BIGINT NOT NULL
);

-- The news feed (server/src/sim/news.rs): every event that moved a
-- company's or a sector's hidden value, as it was announced.
CREATE TABLE news (
    news_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms       BIGINT NOT NULL,
    symbol_id   BIGINT,
    sector      TEXT,
    good        BOOLEAN NOT NULL,
    size_bp     BIGINT NOT NULL,
    headline_ko TEXT   NOT NULL,
    headline_en TEXT   NOT NULL
);
CREATE INDEX news_by_symbol ON news (symbol_id, news_id);
CREATE INDEX news_by_sector ON news (sector, news_id);
