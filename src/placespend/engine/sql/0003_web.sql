-- Accounts, sessions, the audit log, and the submission workflow of the web app.
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY,
    username VARCHAR NOT NULL UNIQUE,
    password_hash VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    organisation VARCHAR,
    display_name VARCHAR,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    label VARCHAR,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    session_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    csrf_token VARCHAR NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    happened_at TIMESTAMP NOT NULL,
    username VARCHAR,
    action VARCHAR NOT NULL,
    target VARCHAR,
    detail VARCHAR
);

-- Every upload, including those rejected by validation, so the analyst sees each partner's status.
CREATE TABLE upload_attempts (
    attempt_id INTEGER PRIMARY KEY,
    submitter VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    outcome VARCHAR NOT NULL,
    submission_id INTEGER,
    report JSON
);

CREATE TABLE line_queries (
    query_id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL,
    source_row INTEGER,
    message VARCHAR NOT NULL,
    raised_by VARCHAR NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);
