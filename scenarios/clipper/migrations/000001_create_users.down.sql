DROP TRIGGER IF EXISTS users_normalize_email ON users;
DROP FUNCTION IF EXISTS users_normalize_email();
DROP TABLE IF EXISTS users;
