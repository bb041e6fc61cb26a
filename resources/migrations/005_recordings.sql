-- Cloud recordings: the recordings of a meeting, their published files, the processing jobs
-- that turn a capture into those files, and the timeline of who did what while recording.
-- Same conventions as 001: BIGINT milliseconds, INTEGER booleans. Paths are relative to the
-- recordings directory, so the directory can move (or be shared storage) without a rewrite.

CREATE TABLE recordings (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    state TEXT NOT NULL,
    started_by TEXT,
    started_at BIGINT NOT NULL,
    stopped_at BIGINT,
    completed_at BIGINT,
    duration_ms BIGINT,
    progress INTEGER NOT NULL,
    error_code TEXT,
    error_message TEXT,
    capture_dir TEXT NOT NULL,
    node TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX recordings_by_meeting ON recordings (meeting_id, started_at, id);

CREATE INDEX recordings_by_start ON recordings (started_at, id);

-- At most one recording of a meeting captures at a time.
CREATE UNIQUE INDEX recordings_one_active ON recordings (meeting_id) WHERE state = 'recording';

CREATE TABLE recording_files (
    id TEXT PRIMARY KEY,
    recording_id TEXT NOT NULL REFERENCES recordings (id),
    type TEXT NOT NULL,
    format TEXT NOT NULL,
    content_type TEXT NOT NULL,
    path TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX recording_files_by_recording ON recording_files (recording_id, type);

CREATE TABLE recording_jobs (
    recording_id TEXT PRIMARY KEY REFERENCES recordings (id),
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    claimed_by TEXT,
    capture TEXT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX recording_jobs_due ON recording_jobs (state, next_attempt_at);

CREATE TABLE recording_timeline (
    recording_id TEXT NOT NULL REFERENCES recordings (id),
    seq INTEGER NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (recording_id, seq)
);
