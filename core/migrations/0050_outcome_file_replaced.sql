-- 0050: a correction of 落实情况 may replace its 落实材料 file (core/proposals.py `correct_outcome`;
-- 第八条(一)(二)、第十条(一)). The replaced file is not deleted: it stays the proposal's, marked with the file that
-- replaced it, so the record's history can still show and hand it out (and it is not shown as one of the
-- proposal's own attachments). NULL: not a replaced 落实材料 (the proposal's files, the current 落实材料).

ALTER TABLE proposal_attachments ADD COLUMN replaced_by INTEGER;   -- proposal_attachments.id of the new 落实材料
