-- Trading accounts belong to users. A user owns a main account
-- (opened on their first order) and later one account per round; the
-- bots' accounts have no owner. Guests are users too, of kind 'guest'
-- (no e-mail, nickname or password), made for one browser session; a
-- sign-up that keeps the guest's account turns the guest's row into the
-- member's, so accounts and watchlist stay with it. Watchlists belong to
-- the user rather than to one account.

CREATE TABLE users_by_kind (
    user_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL DEFAULT 'member' CHECK (kind IN ('member', 'guest')),
    -- A guest's: the hash of the session it was made for.
    guest_key        TEXT    UNIQUE,
    email            TEXT,
    email_key        TEXT    UNIQUE,
    verified_ms      INTEGER,
    nickname         TEXT,
    nickname_key     TEXT    UNIQUE,
    password_hash    TEXT,
    current_session  TEXT,
    created_ms       INTEGER NOT NULL,
    deleted_ms       INTEGER,
    CHECK (kind = 'guest' OR (nickname IS NOT NULL AND nickname_key IS NOT NULL))
);
INSERT INTO users_by_kind (user_id, kind, email, email_key, verified_ms, nickname, nickname_key,
                           password_hash, current_session, created_ms, deleted_ms)
    SELECT user_id, 'member', email, email_key, verified_ms, nickname, nickname_key,
           password_hash, current_session, created_ms, deleted_ms
    FROM users;

ALTER TABLE accounts ADD COLUMN user_id INTEGER;
ALTER TABLE accounts ADD COLUMN round_id INTEGER;
UPDATE accounts SET user_id = (SELECT users.user_id FROM users WHERE users.account_id = accounts.account_id);

-- Every guest account nobody claimed gets a guest user of its own; its
-- browser's session, which names the account, finds the guest through it.
INSERT INTO users_by_kind (kind, guest_key, created_ms)
    SELECT 'guest', 'account:' || account_id, created_ms FROM accounts
    WHERE kind = 'guest' AND user_id IS NULL;
UPDATE accounts
SET user_id = (SELECT u.user_id FROM users_by_kind u WHERE u.guest_key = 'account:' || accounts.account_id)
WHERE kind = 'guest' AND user_id IS NULL;

UPDATE accounts SET kind = 'main' WHERE kind IN ('guest', 'user') AND user_id IS NOT NULL;
-- An account a sign-up opened but never gave a user (it failed after).
UPDATE accounts SET kind = 'orphan' WHERE kind = 'user';

DROP TABLE users;
ALTER TABLE users_by_kind RENAME TO users;

CREATE UNIQUE INDEX main_account_of_user ON accounts (user_id) WHERE kind = 'main';
CREATE UNIQUE INDEX round_account_of_user ON accounts (user_id, round_id) WHERE kind = 'round';
CREATE INDEX accounts_by_kind ON accounts (kind, account_id);
CREATE INDEX accounts_by_user ON accounts (user_id, kind);

CREATE TABLE watchlist_by_user (
    user_id   INTEGER NOT NULL,
    symbol_id INTEGER NOT NULL,
    added_ms  INTEGER NOT NULL,
    PRIMARY KEY (user_id, symbol_id)
) WITHOUT ROWID;
INSERT INTO watchlist_by_user (user_id, symbol_id, added_ms)
    SELECT a.user_id, w.symbol_id, MIN(w.added_ms)
    FROM watchlist w JOIN accounts a ON a.account_id = w.account_id
    WHERE a.user_id IS NOT NULL
    GROUP BY a.user_id, w.symbol_id;
DROP TABLE watchlist;
ALTER TABLE watchlist_by_user RENAME TO watchlist;
