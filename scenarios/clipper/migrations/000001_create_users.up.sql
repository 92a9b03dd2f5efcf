-- Accounts. Emails are stored lower-case so the unique constraint is
-- case-insensitive in practice.
CREATE TABLE users (
    id           bigserial PRIMARY KEY,
    email        text NOT NULL UNIQUE,
    display_name text,
    created_at   timestamptz DEFAULT now()
);

CREATE FUNCTION users_normalize_email() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.email := lower(btrim(NEW.email));
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_normalize_email
    BEFORE INSERT OR UPDATE OF email ON users
    FOR EACH ROW EXECUTE FUNCTION users_normalize_email();
