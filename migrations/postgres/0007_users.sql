-- People who sign in (issue 6). E-mail and nickname are unique without
-- regard to case: the `_key` columns hold the lowercased forms. A deleted
-- user keeps their row, anonymised, so trades stay in others' history.
CREATE TABLE users (
    user_id          BIGSERIAL PRIMARY KEY,
    email            TEXT,
    email_key        TEXT    UNIQUE,
    verified_ms      BIGINT,
    nickname         TEXT    NOT NULL,
    nickname_key     TEXT    NOT NULL UNIQUE,
    password_hash    TEXT,
    account_id       BIGINT NOT NULL UNIQUE,
    current_session  TEXT,
    created_ms       BIGINT NOT NULL,
    deleted_ms       BIGINT
);

-- Single-use links mailed to a user (e-mail verification, password reset).
-- Only a SHA-256 of the token is stored, so a copy of the database cannot
-- be used to take over an account.
CREATE TABLE user_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    purpose    TEXT    NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT
);
CREATE INDEX user_tokens_by_user ON user_tokens (user_id, purpose);

-- Sign-in with Google, Kakao or Naver: one row per provider identity. An
-- identity is attached to a user only at sign-up through that provider or
-- by a signed-in user linking it, never by matching e-mail addresses.
CREATE TABLE user_identities (
    provider   TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    user_id    BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
