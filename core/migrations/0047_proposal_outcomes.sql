-- 0047: 落实情况 of an adopted proposal (issue 17; 第八条(一)(二)、第十条(一)、第二十六条(三)). After 采纳 or 部分采纳
-- the office (or, for a design plan, the technical-support unit that carries it out, 第十条(一)) records what was
-- done: the text, the day it was done, optionally a file (the launched redesign). A column proposal gets its record
-- when 栏目管理 has made the last change it asks for (core/proposals.py). One record per proposal: the decision
-- (采纳 / 部分采纳) stays the proposal's state, the record says it was carried out.

CREATE TABLE proposal_outcomes (
    proposal_id    INTEGER PRIMARY KEY,                  -- proposals.id
    done_on        DATE NOT NULL,                        -- the day it was carried out (not after the record)
    note           TEXT NOT NULL CHECK (length(trim(note)) > 0),   -- 办理情况: what was done
    attachment_id  INTEGER,                              -- proposal_attachments.id, the record's own file
    recorded_by    INTEGER,                              -- users.id (NULL: recorded by this migration)
    recorded_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- column proposals carried out in 栏目管理 before this migration: each change made from the proposal is recorded
-- (column_changes.proposal_id), so such a proposal counts as carried out on the day of its last change. The step is
-- written into the proposal's history too, by nobody (the migration), saying so.
INSERT INTO proposal_outcomes (proposal_id, done_on, note, recorded_by)
SELECT p.id, max(g.created_at)::DATE,
       '已在栏目管理中按提案办理(栏目变更 ' || count(*) || ' 项;系统升级时按已有的栏目变更登记)', NULL
FROM proposals p JOIN column_changes g ON g.proposal_id = p.id
WHERE p.state IN ('adopted', 'partly_adopted')
GROUP BY p.id;

INSERT INTO proposal_events (proposal_id, actor_id, action, from_state, to_state, comment)
SELECT p.id, NULL, 'implement', p.state, p.state, o.note
FROM proposal_outcomes o JOIN proposals p ON p.id = o.proposal_id;
