DROP INDEX IF EXISTS idx_favorites_clip;
