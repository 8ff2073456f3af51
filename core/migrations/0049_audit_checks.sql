-- 0049: 安全审计 at scale (issue 16; 第二十条). Opening 安全审计 verifies only the audit chain's rows sealed after
-- a checkpoint (the last seq found intact, with its hash) and re-checks that row; the scheduler walks the whole
-- chain once a day and its result and time are kept here, so the page can show them. See core/audit.py
-- (check_recent, check_full) for what the checkpoint does and does not protect.
-- kind 'checkpoint': the last verified seq and row_hash (ok, checked, message describe the pass that set it);
-- kind 'full': the last full walk from the archive anchor (ok, the first broken seq when not).

CREATE TABLE audit_checks (
    kind        TEXT NOT NULL,
    seq         BIGINT,
    row_hash    TEXT,
    checked_at  TIMESTAMP NOT NULL,
    ok          BOOLEAN NOT NULL,
    checked     BIGINT NOT NULL,
    message     TEXT NOT NULL,
    broken_seq  BIGINT
);
