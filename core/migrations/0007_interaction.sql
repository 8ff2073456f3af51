-- 0007: the interaction desk (第十九、二十三条). A public message is moderated by the webmaster
-- before anything goes online, routed to a division with a due date in working days, answered by
-- the division, approved by its head, and published (if the citizen allowed it) or closed privately.
CREATE SEQUENCE seq_messages START 1;
CREATE TABLE messages (
    id                    INTEGER PRIMARY KEY DEFAULT nextval('seq_messages'),
    code                  TEXT NOT NULL UNIQUE,          -- the citizen's tracking code (unguessable)
    kind                  TEXT NOT NULL CHECK (kind IN ('consult', 'suggest', 'complain')),
    concerns_division_id  INTEGER,                       -- the division the citizen named (optional)
    division_id           INTEGER,                       -- the division it is routed to
    subject               TEXT NOT NULL,
    body                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    phone                 TEXT,
    email                 TEXT,
    publish_allowed       BOOLEAN NOT NULL DEFAULT FALSE,
    state                 TEXT NOT NULL DEFAULT 'new'
                          CHECK (state IN ('new', 'routed', 'drafted', 'approved', 'published', 'closed',
                                           'rejected', 'merged')),
    answer                TEXT,                          -- plain text, written by the division or the office
    answered_by           INTEGER,
    approved_by           INTEGER,
    reject_reason         TEXT,
    merged_into           INTEGER,
    public_subject        TEXT,                          -- what the portal shows (no personal data)
    public_body           TEXT,
    received_at           TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    routed_at             TIMESTAMP,
    due_on                DATE,
    answered_at           TIMESTAMP,                     -- the head approved the division's answer
    replied_at            TIMESTAMP,                     -- the citizen can see the answer
    published_at          TIMESTAMP,
    closed_at             TIMESTAMP,
    client                TEXT,                          -- a keyed hash of the sender's address
    version               INTEGER NOT NULL DEFAULT 1,
    updated_at            TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX messages_state ON messages (state);
CREATE INDEX messages_division ON messages (division_id);

CREATE SEQUENCE seq_message_events START 1;
CREATE TABLE message_events (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_message_events'),
    message_id  INTEGER NOT NULL,
    actor_id    INTEGER,                                 -- NULL: the citizen
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    comment     TEXT,
    created_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX message_events_message ON message_events (message_id);

-- deadlines in working days per message type (第十九条): data the office edits
CREATE TABLE message_deadlines (
    kind  TEXT PRIMARY KEY CHECK (kind IN ('default', 'consult', 'suggest', 'complain')),
    days  INTEGER NOT NULL CHECK (days BETWEEN 1 AND 60)
);
INSERT INTO message_deadlines VALUES ('default', 10), ('consult', 5), ('suggest', 15), ('complain', 10);
