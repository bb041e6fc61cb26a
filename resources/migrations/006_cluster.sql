-- The nodes sharing this database: each one's address for signalling (sfu_url), and its
-- heartbeat, by which the others notice that it died (DESIGN.md *WebSocket signalling*:
-- node_lost). A single SQLite node keeps its own row too. Same conventions as 001.

CREATE TABLE cluster_nodes (
    name TEXT PRIMARY KEY,
    advertise_url TEXT NOT NULL,
    public_url TEXT NOT NULL,
    region TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    stopped_at BIGINT,
    lost_at BIGINT
);

CREATE INDEX cluster_nodes_by_heartbeat ON cluster_nodes (heartbeat_at);
