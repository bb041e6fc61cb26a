-- Accounts and apps: browser sessions, one-time set-password links, the app marketplace, and
-- OAuth 2's authorization codes and refresh tokens. OAuth access tokens live in access_tokens
-- (kind 'oauth'), beside personal tokens. Same conventions as 001; secrets are SHA-256 hashes.

CREATE TABLE browser_sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    csrf_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX browser_sessions_by_user ON browser_sessions (user_id, created_at, id);

CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    client_type TEXT NOT NULL,
    client_secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    listed INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);

CREATE INDEX apps_by_workspace ON apps (workspace_id, created_at, id);

CREATE INDEX apps_listed ON apps (listed, created_at, id);

CREATE TABLE app_installations (
    app_id TEXT NOT NULL REFERENCES apps (id),
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    granted_scopes TEXT NOT NULL,
    installed_by TEXT NOT NULL,
    installed_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, workspace_id)
);

CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    family_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_hash TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    rotated_at BIGINT,
    revoked_at BIGINT
);

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);

ALTER TABLE access_tokens ADD COLUMN family_id TEXT;

CREATE INDEX access_tokens_by_family ON access_tokens (family_id);
