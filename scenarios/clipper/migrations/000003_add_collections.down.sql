DROP TABLE IF EXISTS collection_clips;
DROP TABLE IF EXISTS collections;
