-- "Who favorited this clip" looks favorites up by clip_id.
CREATE INDEX CONCURRENTLY idx_favorites_clip ON favorites (clip_id);

COMMENT ON INDEX idx_favorites_clip IS 'favorites by clip, for the clip page';
