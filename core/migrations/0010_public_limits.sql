-- 0010: what keeps floods off the public message desk (第十九、二十三条). Both tables are
-- bookkeeping: short-lived rows, purged as they age, holding no address and no answer in clear.

-- a CAPTCHA waiting for its answer: the token and the answer only as keyed hashes, single use
CREATE TABLE captcha_challenges (
    token_hash   TEXT PRIMARY KEY,           -- HMAC of the token the page holds
    answer_hash  TEXT NOT NULL,              -- HMAC of token and answer (digits)
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

-- one row per counted request of a client for an action, for the sliding windows of core/ratelimit.py
CREATE TABLE rate_hits (
    client_key  TEXT NOT NULL,               -- HMAC of the client's address (never the address itself)
    action      TEXT NOT NULL,               -- 'message.submit', 'message.lookup'
    hit_at      TIMESTAMP NOT NULL
);
