-- 0009: issued bulletins (通报, 第二十五条). The office issues a bulletin for a month or a quarter;
-- what was issued is kept as it was sent (the .docx bytes), with who issued it and a one-line summary,
-- so a later change in the data or in the code never rewrites a bulletin already circulated.
-- No FOREIGN KEY clauses (see 0001).
CREATE SEQUENCE seq_bulletins START 1;
CREATE TABLE bulletins (
    id            INTEGER PRIMARY KEY DEFAULT nextval('seq_bulletins'),
    period        TEXT NOT NULL,                 -- '2026-10' or '2026Q3'
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    year          INTEGER NOT NULL,
    number        INTEGER NOT NULL,              -- 第 N 期 of the year, in issue order
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    issued_by     INTEGER NOT NULL,
    issued_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    filename      TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    docx          BLOB NOT NULL,
    UNIQUE (year, number)
);
CREATE INDEX bulletins_period ON bulletins (period);
