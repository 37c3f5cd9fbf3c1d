-- Every start of a Gaemi server on this database: shown on the status page
-- and read by operators after a crash-restart.
CREATE TABLE server_starts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version       TEXT   NOT NULL,
    started_at_ms BIGINT NOT NULL
);
