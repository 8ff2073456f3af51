-- 0008: measures (第十七、二十五至二十七条): how often each kind of column must be updated, the
-- reminders sent for stale columns and their count, the year-end evaluation's weights, awards and
-- criticisms. Every number here is data the office edits in the workbench (low-code).
-- No FOREIGN KEY clauses (see 0001).

-- expected update interval per column kind, in calendar days. Defaults from the national
-- government-website check (全国政府网站抽查): news/dynamic columns 2 weeks, notice, policy and
-- open-information columns 6 months. NULL: not monitored (interaction columns hold messages, not
-- articles; their timeliness is measured per message, 第十九条).
CREATE TABLE freshness_intervals (
    kind        TEXT PRIMARY KEY,
    days        INTEGER CHECK (days IS NULL OR days BETWEEN 1 AND 3660),
    updated_by  INTEGER,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
INSERT INTO freshness_intervals (kind, days) VALUES
    ('news', 14), ('notice', 182), ('policy', 182), ('interpretation', 182), ('speech', 182),
    ('meeting', 182), ('service', 182), ('interaction', NULL), ('openinfo', 182), ('data', 182),
    ('special', 182), ('general', 182);

-- a column's own interval, or exempt (e.g. a finished campaign kept for the record)
CREATE TABLE column_freshness (
    column_id      INTEGER PRIMARY KEY,
    interval_days  INTEGER CHECK (interval_days IS NULL OR interval_days BETWEEN 1 AND 3660),
    exempt         BOOLEAN NOT NULL DEFAULT FALSE,
    note           TEXT NOT NULL DEFAULT '',
    updated_by     INTEGER,
    updated_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- one row per reminder sent for a stale column (第二十七条(五) "经多次提醒"); the count of a
-- column is its rows sent after its last publication, so an update resets it and history stays
CREATE SEQUENCE seq_freshness_reminders START 1;
CREATE TABLE freshness_reminders (
    id                 INTEGER PRIMARY KEY DEFAULT nextval('seq_freshness_reminders'),
    column_id          INTEGER NOT NULL,
    division_id        INTEGER NOT NULL,
    sent_on            DATE NOT NULL,
    last_published_on  DATE,                 -- the column's last publication when reminded (NULL: blank)
    days_since         INTEGER,
    recipients         INTEGER NOT NULL DEFAULT 0,
    created_at         TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (column_id, sent_on)
);

-- the year-end evaluation's scoring rules (第二十五条): weights the office edits
CREATE TABLE evaluation_weights (
    code      TEXT PRIMARY KEY CHECK (code IN ('quantity', 'timeliness', 'accuracy', 'standard',
                                               'interaction', 'freshness')),
    name      TEXT NOT NULL,
    weight    DOUBLE NOT NULL CHECK (weight >= 0 AND weight <= 100),
    position  INTEGER NOT NULL DEFAULT 0,
    help      TEXT NOT NULL DEFAULT ''
);
INSERT INTO evaluation_weights (code, name, weight, position, help) VALUES
    ('quantity', '信息数量', 20, 1, '本年度牵头发布的信息条数,与发布最多的处室相比'),
    ('timeliness', '发布及时性', 25, 2, '工作结束后按时发布的比例(第十七条)'),
    ('accuracy', '准确性', 20, 3, '退回、撤下、发布后修改越少越好(第二十七条(三))'),
    ('standard', '规范性', 10, 4, '发布前筛查提示越少越好(第十五、十六条)'),
    ('interaction', '互动办理', 10, 5, '转办留言按期办结的比例(第十九条)'),
    ('freshness', '栏目更新', 15, 6, '年末未超期更新的责任栏目比例(第二十七条(五))');

-- awards (第二十六条): ground 1..4 is (一)..(四); a division, a person, or both
CREATE SEQUENCE seq_awards START 1;
CREATE TABLE awards (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_awards'),
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    ground       INTEGER NOT NULL CHECK (ground BETWEEN 1 AND 4),
    division_id  INTEGER,
    user_id      INTEGER,
    evidence     TEXT NOT NULL CHECK (length(trim(evidence)) > 0),
    created_by   INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    CHECK (division_id IS NOT NULL OR user_id IS NOT NULL)
);

-- criticisms (第二十七条): ground 1..5 is (一)..(五); whoever is criticised gets no award that year
CREATE SEQUENCE seq_criticisms START 1;
CREATE TABLE criticisms (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_criticisms'),
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    ground       INTEGER NOT NULL CHECK (ground BETWEEN 1 AND 5),
    division_id  INTEGER,
    user_id      INTEGER,
    column_id    INTEGER,                    -- the stale column, for ground (五)
    evidence     TEXT NOT NULL CHECK (length(trim(evidence)) > 0),
    created_by   INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    CHECK (division_id IS NOT NULL OR user_id IS NOT NULL)
);
CREATE INDEX criticisms_year ON criticisms (year);
