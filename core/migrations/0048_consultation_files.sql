-- 0048: 征集调查的附件 (issue 17): the draft policy being consulted on, as files the office attaches to a
-- consultation (checked like an article's attachments, 第二十条) and that are published with it on the portal;
-- removable while the consultation is a draft.
CREATE SEQUENCE seq_consultation_files START 1;
CREATE TABLE consultation_files (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_consultation_files'),
    consultation_id  INTEGER NOT NULL,
    filename         TEXT NOT NULL,                   -- core.content.safe_filename
    mime             TEXT NOT NULL,
    size             INTEGER NOT NULL,
    sha256           TEXT NOT NULL,
    data             BLOB NOT NULL,
    uploaded_by      INTEGER NOT NULL,
    created_at       TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    removed          BOOLEAN NOT NULL DEFAULT FALSE   -- taken off before publication (the row stays, audited)
);
CREATE INDEX consultation_files_item ON consultation_files (consultation_id);

