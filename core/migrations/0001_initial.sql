-- 0001: divisions, accounts, columns, articles and their revisions, the approval
-- workflow, publication requests (第十八条), settings, outbox and a first audit log.
-- Never edit this file once landed: add 0002_….sql instead.
--
-- No FOREIGN KEY clauses: DuckDB executes an UPDATE of an indexed or list column as
-- delete + insert, which a referencing foreign key refuses ("still referenced"), so an
-- article could never change state. References are checked in core/ before each write.

CREATE SEQUENCE seq_divisions START 1;
CREATE TABLE divisions (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_divisions'),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL DEFAULT 'division'
                CHECK (kind IN ('division', 'office', 'tech', 'leadership')),
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE SEQUENCE seq_users START 1;
CREATE TABLE users (
    id                    INTEGER PRIMARY KEY DEFAULT nextval('seq_users'),
    username              TEXT NOT NULL UNIQUE,
    display_name          TEXT NOT NULL,
    email                 TEXT,
    division_id           INTEGER,
    password_hash         TEXT NOT NULL,
    must_change_password  BOOLEAN NOT NULL DEFAULT TRUE,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    created_at            TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    password_changed_at   TIMESTAMP
);

-- one row per role a user holds (第三、八至十一条)
CREATE TABLE user_roles (
    user_id  INTEGER NOT NULL,
    role     TEXT NOT NULL
             CHECK (role IN ('officer', 'head', 'leader', 'group', 'webmaster', 'tech', 'analyst')),
    PRIMARY KEY (user_id, role)
);

-- the divisions a 分管领导 is in charge of
CREATE TABLE leader_charge (
    user_id      INTEGER NOT NULL,
    division_id  INTEGER NOT NULL,
    PRIMARY KEY (user_id, division_id)
);

CREATE TABLE column_kinds (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE SEQUENCE seq_columns START 1;
CREATE TABLE columns (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_columns'),
    parent_id    INTEGER,
    slug         TEXT NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL REFERENCES column_kinds (code),
    division_id  INTEGER NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    retired      BOOLEAN NOT NULL DEFAULT FALSE,
    is_key       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    CHECK (slug <> '' AND regexp_full_match(slug, '[a-z0-9][a-z0-9-]*'))
);
CREATE UNIQUE INDEX columns_slug ON columns (slug);

-- the approval chain per importance level (第十四条): data the office edits
CREATE TABLE approval_chain (
    importance  TEXT NOT NULL CHECK (importance IN ('一般', '重要', '重大', '特殊')),
    step        INTEGER NOT NULL CHECK (step >= 1),
    role        TEXT NOT NULL CHECK (role IN ('head', 'leader', 'group')),
    PRIMARY KEY (importance, step)
);

CREATE SEQUENCE seq_articles START 1;
CREATE TABLE articles (
    id                INTEGER PRIMARY KEY DEFAULT nextval('seq_articles'),
    column_id         INTEGER NOT NULL,
    lead_division_id  INTEGER NOT NULL,
    title             TEXT NOT NULL,
    body_html         TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT '',
    work_ended_on     DATE,
    importance        TEXT NOT NULL DEFAULT '一般'
                      CHECK (importance IN ('一般', '重要', '重大', '特殊')),
    state             TEXT NOT NULL DEFAULT 'draft'
                      CHECK (state IN ('draft', 'pending', 'returned', 'approved', 'scheduled',
                                       'published', 'withdrawn', 'taken_down')),
    version           INTEGER NOT NULL DEFAULT 1,
    revision          INTEGER NOT NULL DEFAULT 1,
    -- the roles still to approve the current revision, as a snapshot of the chain taken at
    -- submission (an office change to the chain applies to the next submission)
    chain             TEXT[] NOT NULL DEFAULT [],
    step              INTEGER NOT NULL DEFAULT 0,
    author_id         INTEGER NOT NULL,
    created_at        TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at        TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    submitted_at      TIMESTAMP,
    approved_at       TIMESTAMP,
    scheduled_at      TIMESTAMP,
    published_at      TIMESTAMP,
    published_by      INTEGER,
    -- the revision the public sees (NULL until first published) and whether it is shown now:
    -- a correction under review keeps the old revision online; take-down hides it
    live_revision     INTEGER,
    public            BOOLEAN NOT NULL DEFAULT FALSE,
    state_reason      TEXT,
    request_id        INTEGER
);
CREATE INDEX articles_state ON articles (state);
CREATE INDEX articles_column ON articles (column_id);

CREATE TABLE article_codivisions (
    article_id   INTEGER NOT NULL,
    division_id  INTEGER NOT NULL,
    PRIMARY KEY (article_id, division_id)
);

CREATE TABLE revisions (
    article_id     INTEGER NOT NULL,
    number         INTEGER NOT NULL,
    column_id      INTEGER NOT NULL,
    title          TEXT NOT NULL,
    body_html      TEXT NOT NULL,
    source         TEXT NOT NULL,
    work_ended_on  DATE,
    importance     TEXT NOT NULL,
    author_id      INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    PRIMARY KEY (article_id, number)
);

CREATE SEQUENCE seq_attachments START 1;
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY DEFAULT nextval('seq_attachments'),
    article_id   INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    removed      BOOLEAN NOT NULL DEFAULT FALSE
);

-- every transition: who, when, what, the comment (第十四条; 第二十条 audit)
CREATE SEQUENCE seq_events START 1;
CREATE TABLE workflow_events (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_events'),
    article_id  INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    role        TEXT,
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    step        INTEGER,
    comment     TEXT,
    checklist   TEXT[],
    created_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX workflow_events_article ON workflow_events (article_id);

-- the revision each reviewer last opened, for "what changed since you last saw it"
CREATE TABLE review_seen (
    user_id     INTEGER NOT NULL,
    article_id  INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
);

-- 委托发布 (第十八条): the six fields are required
CREATE SEQUENCE seq_requests START 1;
CREATE TABLE publication_requests (
    id            INTEGER PRIMARY KEY DEFAULT nextval('seq_requests'),
    division_id   INTEGER NOT NULL,
    requested_on  DATE NOT NULL,
    content       TEXT NOT NULL CHECK (length(trim(content)) > 0),
    source        TEXT NOT NULL CHECK (length(trim(source)) > 0),
    form          TEXT NOT NULL CHECK (length(trim(form)) > 0),
    requirements  TEXT NOT NULL CHECK (length(trim(requirements)) > 0),
    requester_id  INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'declined')),
    article_id    INTEGER,
    handled_by    INTEGER,
    handled_at    TIMESTAMP,
    reply         TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- office-editable settings; names, defaults and help are declared in core/settings.py
CREATE TABLE settings (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by  INTEGER
);

-- e-mail and in-app notices; the mailer sends rows whose sent_at is NULL
CREATE SEQUENCE seq_outbox START 1;
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_outbox'),
    user_id     INTEGER,
    recipient   TEXT,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    dedup_key   TEXT UNIQUE,
    created_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    sent_at     TIMESTAMP,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);

CREATE SEQUENCE seq_audit START 1;
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY DEFAULT nextval('seq_audit'),
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor     TEXT,
    role      TEXT,
    action    TEXT NOT NULL,
    object    TEXT,
    summary   TEXT,
    client    TEXT
);

-- what the portal last rendered, for incremental builds
CREATE TABLE site_state (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
