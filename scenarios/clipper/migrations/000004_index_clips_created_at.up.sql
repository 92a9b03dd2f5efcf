-- The "recent clips" feed sorts by created_at.
CREATE INDEX idx_clips_created_at ON clips (created_at);
