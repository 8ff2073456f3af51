-- 0003: the lexicons of pre-publication screening (第十六、二十七条), edited by the webmaster
-- in the workbench (low-code). core/lexicon.py validates every edit and folds entries
-- (Traditional → Simplified, full-width → half-width) before comparing them; the UNIQUE
-- constraints below are the database's half of "no duplicate entries".
-- Never edit this file once landed: add a later migration instead.

-- sensitive words: a hit is a warning or blocks submission, as the entry says (第十六条)
CREATE SEQUENCE seq_sensitive_words START 1;
CREATE TABLE sensitive_words (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_sensitive_words'),
    word        TEXT NOT NULL UNIQUE CHECK (length(trim(word)) > 0),
    severity    TEXT NOT NULL DEFAULT 'warn' CHECK (severity IN ('warn', 'block')),
    note        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by  INTEGER,
    updated_at  TIMESTAMP
);

-- serious errors (第二十七条 "较多错误"): a wrong form and what it should be
CREATE SEQUENCE seq_serious_errors START 1;
CREATE TABLE serious_errors (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_serious_errors'),
    wrong       TEXT NOT NULL UNIQUE CHECK (length(trim(wrong)) > 0),
    "right"     TEXT NOT NULL CHECK (length(trim("right")) > 0),
    severity    TEXT NOT NULL DEFAULT 'block' CHECK (severity IN ('warn', 'block')),
    note        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by  INTEGER,
    updated_at  TIMESTAMP,
    CHECK (wrong <> "right")
);

-- one row: bumped by every lexicon edit in the same transaction, so a cached automaton is
-- rebuilt on the next load and an edit takes effect at once; the token tells databases apart
CREATE TABLE lexicon_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL,
    token    UUID NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO lexicon_state (id, version) VALUES (1, 1);

INSERT INTO serious_errors (wrong, "right", severity, note) VALUES
    ('陕西省工业与信息化厅', '陕西省工业和信息化厅', 'block', '本厅名称错误(第六条)'),
    ('陕西省工业及信息化厅', '陕西省工业和信息化厅', 'block', '本厅名称错误(第六条)'),
    ('陕西省工业和信息厅', '陕西省工业和信息化厅', 'block', '本厅名称漏字'),
    ('陕西省工业信息化厅', '陕西省工业和信息化厅', 'block', '本厅名称漏字'),
    ('陕西省工信委', '陕西省工业和信息化厅', 'block', '旧称或不规范简称'),
    ('陕西工信委', '陕西省工业和信息化厅', 'block', '旧称或不规范简称'),
    ('陕西省工业和信息化委员会', '陕西省工业和信息化厅', 'block', '旧称'),
    ('工业与信息化部', '工业和信息化部', 'block', '部委名称错误'),
    ('工业及信息化部', '工业和信息化部', 'block', '部委名称错误'),
    ('陕西省人名政府', '陕西省人民政府', 'block', '错别字'),
    ('陕西省人民正府', '陕西省人民政府', 'block', '错别字'),
    ('陕西省发展与改革委员会', '陕西省发展和改革委员会', 'block', '机构名称错误'),
    ('国物院', '国务院', 'block', '错别字'),
    ('党组付书记', '党组副书记', 'block', '职务错别字'),
    ('党组成员、付厅长', '党组成员、副厅长', 'block', '职务错别字'),
    ('厅长助力', '厅长助理', 'block', '职务错别字'),
    ('总工程帅', '总工程师', 'block', '职务错别字'),
    ('中国特设社会主义', '中国特色社会主义', 'block', '错别字'),
    ('十四五计划', '“十四五”规划', 'warn', '规范表述'),
    ('www.sxit.gov.com', 'www.sxit.gov.cn', 'block', '网站地址错误(第六条)'),
    ('国家工商行政管理总局', '国家市场监督管理总局', 'warn', '机构已改革,现行名称;记述历史时可确认后放行'),
    ('国家质量监督检验检疫总局', '国家市场监督管理总局', 'warn', '机构已改革,现行名称;记述历史时可确认后放行'),
    ('国家安全生产监督管理总局', '应急管理部', 'warn', '机构已改革,现行名称;记述历史时可确认后放行'),
    ('国家卫生和计划生育委员会', '国家卫生健康委员会', 'warn', '机构已改革,现行名称;记述历史时可确认后放行');

INSERT INTO sensitive_words (word, severity, note) VALUES
    ('此件不公开', 'block', '公文公开属性为不公开(第十六条)'),
    ('此件不予公开', 'block', '公文公开属性为不公开(第十六条)'),
    ('内部讨论稿', 'block', '内部稿件不得上网(第十六条)'),
    ('讨论稿', 'warn', '未定稿,请确认已正式印发'),
    ('送审稿', 'warn', '未定稿,请确认是否为公开征求意见'),
    ('未定稿', 'warn', '未定稿,请确认已正式印发'),
    ('此件依申请公开', 'warn', '依申请公开的文件不主动公开,请确认'),
    ('××', 'warn', '疑似未填写的占位符'),
    ('待补充', 'warn', '疑似未完成的稿件'),
    ('此处插入', 'warn', '疑似未完成的稿件'),
    ('测试信息', 'warn', '疑似测试内容'),
    ('测试稿件', 'warn', '疑似测试内容');
