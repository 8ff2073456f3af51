-- 0011: a bulletin issued again for a period already issued is a correction (更正, 第二十五条):
-- it records which issue it corrects and why; the document says so at its top. Issuing a period
-- again without saying it is a correction is refused by core.bulletin.issue.
-- No FOREIGN KEY clauses (see 0001).
ALTER TABLE bulletins ADD COLUMN corrects INTEGER;           -- bulletins.id of the issue corrected
ALTER TABLE bulletins ADD COLUMN correction_reason TEXT;
