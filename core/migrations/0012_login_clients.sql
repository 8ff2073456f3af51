-- 0012: sign-in lockout per (account, client address) (第二十条). Wrong passwords typed from one
-- address lock only that address out of the account, so an outsider cannot lock the webmaster out;
-- login_failures keeps the account-wide count, whose slower, growing back-off never stops an address
-- the account signed in from (core/login.py). Bookkeeping: every failure and lock is in the audit log.
CREATE TABLE login_clients (
    username         TEXT NOT NULL,          -- as typed, also names that do not exist (like login_failures)
    client_key       TEXT NOT NULL,          -- HMAC of the address (core.ratelimit.client_key), never the address
    failures         INTEGER NOT NULL DEFAULT 0,
    locked_until     TIMESTAMP,
    last_failure_at  TIMESTAMP,
    last_success_at  TIMESTAMP,              -- set: the account's own address, not stopped by the back-off
    PRIMARY KEY (username, client_key)
);
