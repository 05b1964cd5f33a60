-- Why a family was attached though screening had not found it eligible
-- (`turnaround attach --force --reason`), kept beside who attached it;
-- NULL for an attachment the screening allowed.
ALTER TABLE claims_family ADD COLUMN attachment_discretion text;
