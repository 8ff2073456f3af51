-- 0004: security and operations (第二十至二十四条): the audit log's hash chain and its archive
-- anchors, login throttling, password history, second factor, server-side sessions, backup
-- runs and security incidents. Never edit this file once landed: add a later migration.

-- The tamper-evident chain over audit_log (第二十条). audit_log rows are inserted by each
-- write's own transaction and never changed; a single sealer (core/audit.py `seal`, under a
-- process lock) gives every committed row its position and hash here, in commit order, so
-- concurrent transactions cannot fork the chain. row_hash = SHA-256(prev_hash || canonical row).
CREATE TABLE audit_chain (
    seq        BIGINT PRIMARY KEY,
    audit_id   INTEGER NOT NULL UNIQUE,
    prev_hash  TEXT NOT NULL,
    row_hash   TEXT NOT NULL,
    sealed_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- Rows older than the retention period (网络安全法第二十一条: at least six months) may be moved
-- to a Parquet file; the anchor keeps the last archived position and hash, and the remaining
-- chain continues from it.
CREATE TABLE audit_anchor (
    seq          BIGINT PRIMARY KEY,
    row_hash     TEXT NOT NULL,
    first_seq    BIGINT NOT NULL,
    prev_hash    TEXT NOT NULL,
    rows         INTEGER NOT NULL,
    oldest_at    TIMESTAMP,
    newest_at    TIMESTAMP,
    file         TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    archived_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    archived_by  TEXT
);

-- Failed logins in a row, by the user name as typed (also names that do not exist, so a
-- lockout says nothing about whether an account exists).
CREATE TABLE login_failures (
    username         TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL DEFAULT 0,
    locked_until     TIMESTAMP,
    last_failure_at  TIMESTAMP
);

-- Earlier password hashes, for "not one of the last 5" (第二十二条). Never shown.
CREATE TABLE password_history (
    user_id        INTEGER NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- The second factor (TOTP, RFC 6238). The secret is shown once, at enrolment.
CREATE TABLE user_totp (
    user_id     INTEGER PRIMARY KEY,
    secret      TEXT NOT NULL,
    enabled_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    last_step   BIGINT NOT NULL DEFAULT 0
);

-- Server-side sessions: a password change, a disabled account or an idle timeout ends them,
-- and the re-authentication cookie only works while its session lives.
CREATE TABLE auth_sessions (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    cookie_ref  TEXT,
    client      TEXT,
    started_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    last_seen   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    ended_at    TIMESTAMP,
    end_reason  TEXT
);

-- Each backup attempt (第二十条), scheduled, from the workbench or the command line.
CREATE SEQUENCE seq_backup_runs START 1;
CREATE TABLE backup_runs (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_backup_runs'),
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    trigger      TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'cli')),
    ok           BOOLEAN NOT NULL,
    path         TEXT,
    bytes        BIGINT,
    tables       INTEGER,
    rows         BIGINT,
    error        TEXT,
    actor        TEXT
);

-- 安全事件 (第二十三条): graded by severity, with handling steps and closure.
CREATE SEQUENCE seq_incidents START 1;
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_incidents'),
    title          TEXT NOT NULL CHECK (length(trim(title)) > 0),
    severity       TEXT NOT NULL CHECK (severity IN ('一般', '较大', '重大', '特别重大')),
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('suggested', 'open', 'closed', 'dismissed')),
    source         TEXT NOT NULL DEFAULT 'manual',
    dedup_key      TEXT,
    discovered_at  TIMESTAMP NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    divisions      INTEGER[] NOT NULL DEFAULT [],
    closure        TEXT,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    closed_by      TEXT,
    closed_at      TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE seq_incident_steps START 1;
CREATE TABLE incident_steps (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_incident_steps'),
    incident_id  INTEGER NOT NULL,
    done_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor        TEXT NOT NULL,
    text         TEXT NOT NULL CHECK (length(trim(text)) > 0)
);
