-- Live meetings: participants, redeemed join tokens and the event log that webhooks deliver
-- from. Same conventions as 001: BIGINT milliseconds, INTEGER booleans.

CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id TEXT,
    guest_id TEXT,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    audio_muted INTEGER NOT NULL,
    video_muted INTEGER NOT NULL,
    mute_acknowledged INTEGER NOT NULL,
    joined_at BIGINT NOT NULL,
    admitted_at BIGINT,
    left_at BIGINT,
    leave_reason TEXT,
    jti TEXT NOT NULL,
    client_address TEXT NOT NULL,
    node TEXT NOT NULL
);

CREATE INDEX participants_by_meeting ON participants (meeting_id, joined_at, id);

CREATE INDEX participants_by_state ON participants (meeting_id, state, joined_at, id);

CREATE TABLE redeemed_join_tokens (
    jti TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX redeemed_join_tokens_by_expiry ON redeemed_join_tokens (expires_at);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    meeting_id TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    type TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (meeting_id, sequence)
);

CREATE INDEX events_by_workspace ON events (workspace_id, occurred_at, id);
