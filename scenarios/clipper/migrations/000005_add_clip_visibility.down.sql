-- Remove clip visibility.
DROP INDEX IF EXISTS idx_clips_visibility;
ALTER TABLE clips DROP CONSTRAINT IF EXISTS clips_visibility_check;
ALTER TABLE clips DROP COLUMN IF EXISTS visibility;
