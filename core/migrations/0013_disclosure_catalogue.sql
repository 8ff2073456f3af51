-- 0013: 政府信息公开目录 (第一、十二条; 政府信息公开条例 第十九至二十三条). A document published under the
-- disclosure rules carries its catalogue data beside the article; the topic classification and the column
-- kinds whose documents carry catalogue data are rows the office edits (low-code).

-- the column kinds whose articles carry catalogue data (政策文件, 政策解读, 政府信息公开, 数据发布 to start)
CREATE TABLE catalogue_kinds (
    kind  TEXT PRIMARY KEY
);
INSERT INTO catalogue_kinds VALUES ('policy'), ('interpretation'), ('openinfo'), ('data');

-- 主题分类: the classification the catalogue is browsed by
CREATE SEQUENCE seq_disclosure_topics START 1;
CREATE TABLE disclosure_topics (
    id        INTEGER PRIMARY KEY DEFAULT nextval('seq_disclosure_topics'),
    name      TEXT NOT NULL UNIQUE,
    position  INTEGER NOT NULL DEFAULT 0,
    retired   BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO disclosure_topics (name, position) VALUES
    ('综合政务', 1), ('国民经济管理、国有资产监管', 2), ('财政、金融、审计', 3), ('工业、交通', 4),
    ('信息产业、通信', 5), ('科技、教育', 6), ('国土资源、能源', 7), ('安全生产监管', 8),
    ('劳动、人事、监察', 9), ('商贸、海关、旅游', 10), ('其他', 11);

-- one row per article that carries catalogue data (article_id = articles.id)
CREATE TABLE catalogue_entries (
    article_id           INTEGER PRIMARY KEY,
    index_number         TEXT UNIQUE,           -- 索引号: assigned by the system (NULL until assigned)
    issuer               TEXT NOT NULL DEFAULT '',  -- 发文机关
    doc_number           TEXT NOT NULL DEFAULT '',  -- 文号 ('' when the document has none)
    doc_kind             TEXT NOT NULL DEFAULT '其他文件'
                         CHECK (doc_kind IN ('规章', '行政规范性文件', '其他文件')),  -- annual report part 二
    written_on           DATE,                  -- 成文日期 (发布日期 is articles.published_at)
    topic_id             INTEGER,               -- disclosure_topics.id
    disclosure           TEXT NOT NULL DEFAULT '主动公开'
                         CHECK (disclosure IN ('主动公开', '依申请公开', '不予公开')),
    withheld_ground      TEXT,                  -- the legal ground when 不予公开 (from the list in core)
    validity             TEXT NOT NULL DEFAULT '有效' CHECK (validity IN ('有效', '已修改', '已废止')),
    validity_changed_on  DATE,                  -- when it was modified or repealed
    replaced_by          INTEGER,               -- articles.id of the document that modifies or repeals it
    interprets           INTEGER,               -- for a 解读: articles.id of the 政策文件 it explains
    updated_at           TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX catalogue_entries_topic ON catalogue_entries (topic_id);
CREATE INDEX catalogue_entries_interprets ON catalogue_entries (interprets);

-- the sequence behind each year's 索引号 (the pattern is a setting the office edits)
CREATE TABLE catalogue_index_counters (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL DEFAULT 0
);
