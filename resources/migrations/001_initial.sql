-- Quorum's first schema. Portable SQL for SQLite and PostgreSQL: times are BIGINT
-- milliseconds since the Unix epoch (UTC), booleans are INTEGER 0/1, binary values are
-- base64 TEXT. Statements are separated by a line holding only ';'-terminated text.

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    default_region TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id TEXT REFERENCES users (id),
    client_id TEXT,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    first_party INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);

CREATE INDEX access_tokens_by_user ON access_tokens (user_id, created_at, id);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    host_id TEXT NOT NULL REFERENCES users (id),
    topic TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    timezone TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    passcode_sealed TEXT,
    waiting_room INTEGER NOT NULL,
    auto_recording TEXT NOT NULL,
    mute_upon_entry INTEGER NOT NULL,
    allow_join_before_host INTEGER NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT,
    ended_at BIGINT,
    media_node TEXT
);

CREATE INDEX meetings_by_workspace ON meetings (workspace_id, start_time, id);

CREATE INDEX meetings_by_host ON meetings (workspace_id, host_id, start_time, id);

CREATE TABLE meeting_cohosts (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE meeting_bans (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    subject TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, subject)
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    algorithm TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    publish_until BIGINT
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    workspace_id TEXT,
    occurred_at BIGINT NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT,
    subject_user_id TEXT,
    meeting_id TEXT,
    target_id TEXT,
    client_address TEXT,
    detail TEXT NOT NULL
);

CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, occurred_at, id);

CREATE TABLE idempotency_keys (
    credential_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (credential_id, idempotency_key)
);

CREATE TABLE server_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
