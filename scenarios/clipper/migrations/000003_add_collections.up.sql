-- User-curated, ordered lists of clips.
CREATE TABLE collections (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE collection_clips (
    collection_id bigint NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    clip_id       bigint NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    PRIMARY KEY (collection_id, clip_id)
);
