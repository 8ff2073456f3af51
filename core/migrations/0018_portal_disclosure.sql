-- 0018: the 政府信息公开 section of the portal (第十二条; 政府信息公开条例 第二十条).
--
-- What the last build rendered of each catalogued document, beside what 0002 records, so that an
-- incremental build sees a change of its catalogue data (validity, topic, a 解读 linked) and
-- re-renders the pages that show it: the documents it links to (old and new), and the catalogue
-- pages of its topic and year (old and new). NULL columns: the article had no catalogue entry.
ALTER TABLE portal_built ADD COLUMN catalogue TEXT;          -- the entry's fields as shown, joined
ALTER TABLE portal_built ADD COLUMN topic_id INTEGER;
ALTER TABLE portal_built ADD COLUMN interprets INTEGER;
ALTER TABLE portal_built ADD COLUMN replaced_by INTEGER;

-- 法定主动公开内容: the categories of 政府信息公开条例 第二十条, and the columns the office publishes
-- each in (data the office edits; a category without a column does not apply and is not shown)
CREATE TABLE statutory_categories (
    item     INTEGER PRIMARY KEY,   -- (一) … (十五)
    wording  TEXT NOT NULL
);
INSERT INTO statutory_categories VALUES
    (1, '行政法规、规章和规范性文件'),
    (2, '机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名'),
    (3, '国民经济和社会发展规划、专项规划、区域规划及相关政策'),
    (4, '国民经济和社会发展统计信息'),
    (5, '办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果'),
    (6, '实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定'),
    (7, '财政预算、决算信息'),
    (8, '行政事业性收费项目及其依据、标准'),
    (9, '政府集中采购项目的目录、标准及实施情况'),
    (10, '重大建设项目的批准和实施情况'),
    (11, '扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况'),
    (12, '突发公共事件的应急预案、预警信息及应对情况'),
    (13, '环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况'),
    (14, '公务员招考的职位、名额、报考条件等事项以及录用结果'),
    (15, '法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息');

CREATE TABLE statutory_columns (
    item       INTEGER NOT NULL,    -- statutory_categories.item
    column_id  INTEGER NOT NULL,    -- columns.id
    PRIMARY KEY (item, column_id)
);
