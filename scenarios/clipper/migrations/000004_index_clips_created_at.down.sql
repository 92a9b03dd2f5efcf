DROP INDEX IF EXISTS idx_clips_created_at;
