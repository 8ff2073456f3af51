-- 0041: 技术支持与培训 (issue 17; 第十条(二)(三)). The technical-support unit's training sessions with their
-- attendees and materials (core/training.py), and the officers' and heads' support requests — a question or a
-- fault, its conversation, its clock in working time (core/support.py). Files of both sit in service_files,
-- checked as article attachments are (core/attachments.py).

CREATE SEQUENCE seq_training_sessions START 1;
CREATE TABLE training_sessions (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_training_sessions'),
    held_on        DATE NOT NULL,
    topic          TEXT NOT NULL,
    trainer        TEXT NOT NULL,
    notes          TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'cancelled')),
    cancel_reason  TEXT,
    recorded_by    INTEGER NOT NULL,             -- users.id
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX training_sessions_held ON training_sessions (held_on);

-- who attended: officers and heads of divisions (第十条(三) 对各局处室进行培训)
CREATE TABLE training_attendees (
    session_id  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- materials of a session and attachments of a support request
CREATE SEQUENCE seq_service_files START 1;
CREATE TABLE service_files (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_service_files'),
    owner        TEXT NOT NULL CHECK (owner IN ('training', 'support')),
    owner_id     INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    removed      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX service_files_owner ON service_files (owner, owner_id);

CREATE SEQUENCE seq_support_requests START 1;
CREATE TABLE support_requests (
    id                INTEGER PRIMARY KEY DEFAULT nextval('seq_support_requests'),
    kind              TEXT NOT NULL CHECK (kind IN ('咨询', '故障')),
    subject           TEXT NOT NULL,
    description       TEXT NOT NULL,
    page              TEXT NOT NULL DEFAULT '',   -- the workbench page it concerns (a key of pages/_shared.PAGES)
    requester_id      INTEGER NOT NULL,           -- users.id
    division_id       INTEGER,                    -- the requester's division when raised
    state             TEXT NOT NULL DEFAULT 'new'
                      CHECK (state IN ('new', 'handling', 'answered', 'closed', 'reopened')),
    handler_id        INTEGER,                    -- users.id of the technical-support person who took it
    raised_at         TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    first_answer_at   TIMESTAMP,                  -- the clock: time to first answer
    closed_at         TIMESTAMP,                  -- the clock: time to close (the last closing)
    reopened          INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1,
    updated_at        TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX support_requests_state ON support_requests (state);
CREATE INDEX support_requests_requester ON support_requests (requester_id);

-- the conversation: the question, answers, the requester's replies (what each side wrote)
CREATE SEQUENCE seq_support_messages START 1;
CREATE TABLE support_messages (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_support_messages'),
    request_id  INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    side        TEXT NOT NULL CHECK (side IN ('requester', 'support')),
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX support_messages_request ON support_messages (request_id);

CREATE SEQUENCE seq_support_events START 1;
CREATE TABLE support_events (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_support_events'),
    request_id  INTEGER NOT NULL,
    actor_id    INTEGER,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    comment     TEXT,
    created_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX support_events_request ON support_events (request_id);
