-- 0024: 政府网站工作年度报表 (issue 15, report; 第二十五条; 国办函〔2018〕12号). What the data hold is computed
-- (core/site_report.py); the rest of the national form the office enters once a year, field by field.

-- the office's entries for a year's report: one row per field of the form (core/site_report.py ENTERED)
CREATE TABLE site_report_entries (
    year        INTEGER NOT NULL,
    field       TEXT NOT NULL,                  -- the key of an entered field (core/site_report.py ENTERED)
    value       TEXT NOT NULL,                  -- as validated: a whole number, 是/否, a date, a text
    updated_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by  INTEGER,                        -- users.id
    PRIMARY KEY (year, field)
);

-- the portal article each year's report went to (submitted again: the same article, approved again)
CREATE TABLE site_report_articles (
    year        INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL
);

-- 信息发布 by kind: which column kinds count as 概况类 and which as 政务动态 (data the office edits;
-- 信息公开目录 is every item with a catalogue entry)
CREATE TABLE site_report_kinds (
    kind      TEXT PRIMARY KEY,                 -- column_kinds.code
    category  TEXT NOT NULL CHECK (category IN ('概况类', '政务动态'))
);
INSERT INTO site_report_kinds VALUES
    ('general', '概况类'), ('news', '政务动态'), ('notice', '政务动态'), ('speech', '政务动态'), ('meeting', '政务动态');
