-- Clips, favorites and comments.
CREATE TYPE clip_status AS ENUM ('processing', 'ready', 'failed', 'removed');

CREATE TABLE clips (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    title       text NOT NULL,
    duration_ms integer,
    views       bigint DEFAULT 0,
    status      clip_status NOT NULL DEFAULT 'processing',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_clips_user_id ON clips (user_id);

CREATE TABLE favorites (
    user_id    bigint NOT NULL REFERENCES users (id),
    clip_id    bigint NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, clip_id)
);

CREATE TABLE comments (
    id         bigserial PRIMARY KEY,
    clip_id    bigint NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id),
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_comments_clip_id ON comments (clip_id);

-- What the home page lists: ready clips with their favorite counts.
CREATE VIEW clip_feed AS
SELECT c.id,
       c.user_id,
       c.title,
       c.duration_ms,
       c.views,
       c.created_at,
       (SELECT count(*) FROM favorites f WHERE f.clip_id = c.id) AS favorite_count
FROM clips c
WHERE c.status = 'ready';
