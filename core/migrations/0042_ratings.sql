-- 0042: the public rates an answer it looked up by tracking code (第二十六条(二) 获得机关和社会较好评价).
-- One rating per message and answer round: a 不满意 the webmaster reopens is marked reopened, and the
-- next answer may be rated again (round = 1 + the message's reopened ratings).
CREATE SEQUENCE seq_message_ratings START 1;
CREATE TABLE message_ratings (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_message_ratings'),
    message_id   INTEGER NOT NULL,
    round        INTEGER NOT NULL DEFAULT 1,
    division_id  INTEGER,                                -- the division that answered (NULL: the office itself)
    grade        TEXT NOT NULL CHECK (grade IN ('satisfied', 'basic', 'unsatisfied')),
    reason       TEXT,
    client       TEXT,                                   -- a keyed hash of the rater's address
    rated_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    reopened_at  TIMESTAMP,                              -- the webmaster sent the message back to be answered again
    reopened_by  INTEGER,
    UNIQUE (message_id, round)
);
CREATE INDEX message_ratings_division ON message_ratings (division_id);

-- the satisfaction rate becomes a measure of the year-end evaluation with a weight the office sets.
-- The table is made again without the CHECK on its codes (DuckDB cannot drop a constraint): the codes
-- are core.evaluation.MEASURES and set_weights refuses any other, so a later measure is one INSERT.
CREATE TABLE evaluation_weights_0042 (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    weight    DOUBLE NOT NULL CHECK (weight >= 0 AND weight <= 100),
    position  INTEGER NOT NULL DEFAULT 0,
    help      TEXT NOT NULL DEFAULT ''
);
INSERT INTO evaluation_weights_0042 SELECT code, name, weight, position, help FROM evaluation_weights;
DROP TABLE evaluation_weights;
ALTER TABLE evaluation_weights_0042 RENAME TO evaluation_weights;
INSERT INTO evaluation_weights (code, name, weight, position, help) VALUES
    ('satisfaction', '公众满意率', 10, 7, '公众对留言答复评价为满意或基本满意的比例(第二十六条(二))');
