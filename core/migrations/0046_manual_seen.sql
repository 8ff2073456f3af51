-- 0046: 使用帮助 (issue 17, manual; 第十条(二)(三)). An account that has opened the manual once: until then
-- the workbench's home page points a new officer to its 新手入门 page. Accounts that exist when this runs
-- are not new: they are counted as having seen it.

CREATE TABLE manual_seen (
    user_id  INTEGER PRIMARY KEY,              -- users.id
    seen_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

INSERT INTO manual_seen (user_id) SELECT id FROM users;
