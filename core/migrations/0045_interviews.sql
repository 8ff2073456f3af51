-- 0045: 在线访谈 (issue 17, interviews; 第二条 "政企互动的桥梁", 第十九、二十三条). The office or the owning
-- division's head announces an interview ahead (subject, guests and their posts, time, introduction); the
-- public sends questions beforehand through the message desk's protected path; every question is moderated
-- before it is shown; after the interview the transcript (question → answer pairs, host remarks) is entered
-- and published. States: draft → collecting → held → published.
CREATE SEQUENCE seq_interviews START 1;
CREATE TABLE interviews (
    id              INTEGER PRIMARY KEY DEFAULT nextval('seq_interviews'),
    column_id       INTEGER NOT NULL,                 -- the 在线访谈 column it appears in (kind 'interaction')
    division_id     INTEGER NOT NULL,                 -- the division that owns it (its head manages it)
    subject         TEXT NOT NULL,
    guests          TEXT NOT NULL,                    -- one guest a line: name and post
    starts_at       TIMESTAMP NOT NULL,               -- when the interview takes place
    intro           TEXT NOT NULL,                    -- the introduction, plain text
    state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'collecting', 'held', 'published')),
    announced_at    TIMESTAMP,                        -- on the portal, questions taken
    held_at         TIMESTAMP,                        -- questions closed: the interview took place
    published_at    TIMESTAMP,                        -- the transcript published
    created_by      INTEGER,
    created_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE seq_interview_events START 1;
CREATE TABLE interview_events (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_interview_events'),
    interview_id     INTEGER NOT NULL,
    actor_id         INTEGER,
    action           TEXT NOT NULL,
    from_state       TEXT,
    to_state         TEXT NOT NULL,
    comment          TEXT,
    created_at       TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX interview_events_item ON interview_events (interview_id);

-- the public's questions: nothing is shown before the office approved it (第二十三条)
CREATE SEQUENCE seq_interview_questions START 1;
CREATE TABLE interview_questions (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_interview_questions'),
    interview_id     INTEGER NOT NULL,
    name             TEXT NOT NULL,                   -- personal data: never shown on the portal
    body             TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    reason           TEXT,                            -- why it was rejected
    client           TEXT,                            -- keyed hash of the address (core.ratelimit)
    received_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    moderated_by     INTEGER,
    moderated_at     TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX interview_questions_item ON interview_questions (interview_id);

-- the transcript, in order: a question (a selected public one, or the host's) with its answer, or a remark
CREATE SEQUENCE seq_interview_entries START 1;
CREATE TABLE interview_entries (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_interview_entries'),
    interview_id     INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('qa', 'remark')),
    question_id      INTEGER,                         -- the approved public question answered, if any
    question         TEXT,                            -- the question as asked (qa only)
    speaker          TEXT NOT NULL,                   -- who answers, or 主持人
    body             TEXT NOT NULL,
    created_by       INTEGER,
    created_at       TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX interview_entries_item ON interview_entries (interview_id);
