-- 0014: 依申请公开 (政府信息公开条例 第二十七至四十五条; 第十二条 of the regulation). The office registers each
-- application, its statutory clock runs in working days (core/workdays.py), one extension, pauses for a
-- correction (补正) or a third-party consultation, a closing with one outcome from the national annual report's
-- list, and any 行政复议 / 行政诉讼 about it. Applicants' personal data stay here: the portal and the statistics
-- see counts only.
CREATE SEQUENCE seq_disclosure_applications START 1;
CREATE TABLE disclosure_applications (
    id                 INTEGER PRIMARY KEY DEFAULT nextval('seq_disclosure_applications'),
    number             TEXT NOT NULL UNIQUE,      -- 受理编号 shown to staff and in the reply letter
    applicant_type     TEXT NOT NULL CHECK (applicant_type IN
                       ('自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他')),
    applicant_name     TEXT NOT NULL DEFAULT '',  -- personal data: never on the portal or in statistics
    applicant_contact  TEXT NOT NULL DEFAULT '',
    channel            TEXT NOT NULL,             -- 网上申请 / 信函 / 当面 / … (the list lives in core)
    subject            TEXT NOT NULL,             -- what is asked
    received_on        DATE NOT NULL,
    clock_start_on     DATE NOT NULL,             -- received_on, or the day a corrected application arrived
    due_on             DATE NOT NULL,             -- worked out by core from the clock, the extension and pauses
    division_id        INTEGER,                   -- the division that holds it
    handler_id         INTEGER,                   -- users.id of the person who holds it
    state              TEXT NOT NULL DEFAULT 'registered'
                       CHECK (state IN ('registered', 'correction', 'consulting', 'closed')),
    extended_days      INTEGER NOT NULL DEFAULT 0 CHECK (extended_days BETWEEN 0 AND 20),
    extension_reason   TEXT,
    extension_by       INTEGER,                   -- users.id who approved the extension
    extended_on        DATE,
    outcome            TEXT,                      -- the outcome group: 予以公开 / 部分公开 / 不予公开 / 无法提供 / 不予处理 / 其他处理
    outcome_ground     TEXT,                      -- the ground within the group (NULL for 予以公开 / 部分公开)
    closed_on          DATE,
    reply_note         TEXT,                      -- what the reply letter says beyond the template
    imported           BOOLEAN NOT NULL DEFAULT FALSE,  -- came from a ledger (python -m core disclosure import)
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at         TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX disclosure_applications_state ON disclosure_applications (state);
CREATE INDEX disclosure_applications_received ON disclosure_applications (received_on);

-- the clock stops: a correction asked of the applicant, or a third party consulted
CREATE SEQUENCE seq_disclosure_pauses START 1;
CREATE TABLE disclosure_pauses (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_disclosure_pauses'),
    application_id  INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('correction', 'consultation')),
    started_on      DATE NOT NULL,
    ended_on        DATE,                          -- NULL while paused
    note            TEXT
);
CREATE INDEX disclosure_pauses_application ON disclosure_pauses (application_id);

CREATE SEQUENCE seq_disclosure_events START 1;
CREATE TABLE disclosure_events (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_disclosure_events'),
    application_id  INTEGER NOT NULL,
    actor_id        INTEGER,
    action          TEXT NOT NULL,
    from_state      TEXT,
    to_state        TEXT NOT NULL,
    comment         TEXT,
    created_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX disclosure_events_application ON disclosure_events (application_id);

-- 行政复议 and 行政诉讼 about an application (annual report part 四)
CREATE SEQUENCE seq_disclosure_appeals START 1;
CREATE TABLE disclosure_appeals (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_disclosure_appeals'),
    application_id  INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('行政复议', '行政诉讼')),
    after_review    BOOLEAN NOT NULL DEFAULT FALSE,  -- a 行政诉讼 brought after a 行政复议 (复议后起诉)
    filed_on        DATE NOT NULL,
    result          TEXT NOT NULL DEFAULT '尚未审结' CHECK (result IN ('维持', '纠正', '其他', '尚未审结')),
    decided_on      DATE,
    note            TEXT,
    recorded_by     INTEGER,
    created_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX disclosure_appeals_application ON disclosure_appeals (application_id);

-- the reply letter (告知书) per outcome group: a template the office edits, placeholders in {braces}
CREATE TABLE disclosure_letter_templates (
    outcome     TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by  INTEGER
);

-- the annual report's parts the office writes, per year (一、五、六), and what part 二 cannot compute
CREATE TABLE disclosure_reports (
    year        INTEGER PRIMARY KEY,
    overview    TEXT NOT NULL DEFAULT '',   -- 一、总体情况
    problems    TEXT NOT NULL DEFAULT '',   -- 五、存在的主要问题及改进情况
    other       TEXT NOT NULL DEFAULT '',   -- 六、其他需要报告的事项
    figures     JSON,                       -- part 二 rows not held in the catalogue (行政许可, 处罚, 强制, 收费)
    article_id  INTEGER,                    -- the portal article it was submitted as (approval chain)
    updated_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by  INTEGER
);
