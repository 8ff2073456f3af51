-- 0040: 建议与提案 (issue 17; 第八条(二)、第九条(一)、第十条(一)、第二十六条(三)). A division proposes a column to
-- add, change, merge or retire, or a change to the site's design; the technical-support unit submits its design
-- plans; staff make suggestions about the site's building and running. The office reviews each (core/proposals.py).

CREATE SEQUENCE seq_proposals START 1;
CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_proposals'),
    kind            TEXT NOT NULL CHECK (kind IN ('column_add', 'column_adjust', 'column_merge', 'column_retire',
                                                  'design', 'suggestion')),
    subject         TEXT NOT NULL,
    reasons         TEXT NOT NULL CHECK (length(trim(reasons)) > 0),      -- required (第九条(一): 意见和建议)
    column_name     TEXT,                           -- the column's proposed name (a new column, a rename, a merge)
    target_columns  INTEGER[] NOT NULL DEFAULT [],  -- columns.id the proposal is about
    proposer_id     INTEGER NOT NULL,               -- users.id
    division_id     INTEGER,                        -- the proposer's division when submitted (divisions.id)
    state           TEXT NOT NULL DEFAULT 'submitted'
                    CHECK (state IN ('submitted', 'more_info', 'adopted', 'partly_adopted', 'declined', 'withdrawn')),
    office_reply    TEXT,                           -- the office's last word the proposer sees (要求补充 or decision)
    decided_by      INTEGER,
    decided_at      TIMESTAMP,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    -- a decision always carries its reason (the proposer sees it)
    CHECK (state NOT IN ('adopted', 'partly_adopted', 'declined') OR length(trim(coalesce(office_reply, ''))) > 0)
);
CREATE INDEX proposals_division ON proposals (division_id);

-- every step: who, when, from which state to which, the reason or note (第二十条 audit beside it)
CREATE SEQUENCE seq_proposal_events START 1;
CREATE TABLE proposal_events (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_proposal_events'),
    proposal_id  INTEGER NOT NULL,
    actor_id     INTEGER,
    action       TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    comment      TEXT,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX proposal_events_proposal ON proposal_events (proposal_id);

-- a proposal's files (design plans, 第十条(一)), checked like an article's (core/attachments.py, 第二十条)
CREATE SEQUENCE seq_proposal_attachments START 1;
CREATE TABLE proposal_attachments (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_proposal_attachments'),
    proposal_id  INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    removed      BOOLEAN NOT NULL DEFAULT FALSE
);

-- each change to the column tree (第八条(二) 栏目增减), and the proposal it carried out, if any
CREATE SEQUENCE seq_column_changes START 1;
CREATE TABLE column_changes (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_column_changes'),
    column_id    INTEGER NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('create', 'update')),
    detail       TEXT NOT NULL,
    proposal_id  INTEGER,                           -- proposals.id: 按提案办理
    actor_id     INTEGER,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX column_changes_proposal ON column_changes (proposal_id);
