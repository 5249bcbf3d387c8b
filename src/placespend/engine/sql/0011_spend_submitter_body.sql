-- A body's monthly spend files were stored with the submitter '<body>#<first>..<last>', so its months listed as
-- separate partners and its own account could not see them. The submitter is now the body; the dates stay in
-- the slices' key, where they make a re-issued month supersede only that month.
UPDATE submissions
SET submitter = regexp_extract(submitter, '^(.+)#\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$', 1)
WHERE regexp_matches(submitter, '^(.+)#\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$');
