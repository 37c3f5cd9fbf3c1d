-- Trading accounts belong to users. A user owns a main account
-- (opened on their first order) and later one account per round; the
-- bots' accounts have no owner. Guests are users too, of kind 'guest'
-- (no e-mail, nickname or password), made for one browser session; a
-- sign-up that keeps the guest's account turns the guest's row into the
-- member's, so accounts and watchlist stay with it. Watchlists belong to
-- the user rather than to one account.

ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'member' CHECK (kind IN ('member', 'guest'));
-- A guest's: the hash of the session it was made for.
ALTER TABLE users ADD COLUMN guest_key TEXT UNIQUE;
ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;
ALTER TABLE users ALTER COLUMN nickname_key DROP NOT NULL;
ALTER TABLE users ADD CONSTRAINT members_have_nicknames
    CHECK (kind = 'guest' OR (nickname IS NOT NULL AND nickname_key IS NOT NULL));

-- Members' main accounts move to `accounts.user_id` below; guests have
-- none in this column, which goes at the end.
ALTER TABLE users ALTER COLUMN account_id DROP NOT NULL;

ALTER TABLE accounts ADD COLUMN user_id BIGINT;
ALTER TABLE accounts ADD COLUMN round_id BIGINT;
UPDATE accounts SET user_id = users.user_id FROM users WHERE users.account_id = accounts.account_id;

-- Every guest account nobody claimed gets a guest user of its own; its
-- browser's session, which names the account, finds the guest through it.
INSERT INTO users (kind, guest_key, created_ms)
    SELECT 'guest', 'account:' || account_id, created_ms FROM accounts
    WHERE kind = 'guest' AND user_id IS NULL;
UPDATE accounts SET user_id = u.user_id
FROM users u
WHERE u.guest_key = 'account:' || accounts.account_id AND accounts.kind = 'guest' AND accounts.user_id IS NULL;

UPDATE accounts SET kind = 'main' WHERE kind IN ('guest', 'user') AND user_id IS NOT NULL;
-- An account a sign-up opened but never gave a user (it failed after).
UPDATE accounts SET kind = 'orphan' WHERE kind = 'user';

ALTER TABLE users DROP COLUMN account_id;

CREATE UNIQUE INDEX main_account_of_user ON accounts (user_id) WHERE kind = 'main';
CREATE UNIQUE INDEX round_account_of_user ON accounts (user_id, round_id) WHERE kind = 'round';
CREATE INDEX accounts_by_kind ON accounts (kind, account_id);
CREATE INDEX accounts_by_user ON accounts (user_id, kind);

CREATE TABLE watchlist_by_user (
    user_id   BIGINT NOT NULL,
    symbol_id BIGINT NOT NULL,
    added_ms  BIGINT NOT NULL,
    PRIMARY KEY (user_id, symbol_id)
);
INSERT INTO watchlist_by_user (user_id, symbol_id, added_ms)
    SELECT a.user_id, w.symbol_id, MIN(w.added_ms)
    FROM watchlist w JOIN accounts a ON a.account_id = w.account_id
    WHERE a.user_id IS NOT NULL
    GROUP BY a.user_id, w.symbol_id;
DROP TABLE watchlist;
ALTER TABLE watchlist_by_user RENAME TO watchlist;
