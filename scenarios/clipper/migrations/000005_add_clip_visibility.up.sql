-- Clips can be public, unlisted or private.
ALTER TABLE clips
    ADD COLUMN visibility text NOT NULL DEFAULT 'public'
    CONSTRAINT clips_visibility_check CHECK (visibility IN ('public', 'unlisted', 'private'));

CREATE INDEX idx_clips_visibility ON clips (visibility);

-- Used by the API to decide whether a viewer may see a clip.
CREATE OR REPLACE FUNCTION clip_visible_to(p_clip_id bigint, p_viewer_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM clips c
        WHERE c.id = p_clip_id
          AND (c.visibility <> 'private' OR c.user_id = p_viewer_id)
    )
$$;
