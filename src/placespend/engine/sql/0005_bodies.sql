-- The bodies register: the many ids of one body resolved to one canonical id, every merge audited and reversible.
-- body_merges is the audit log (never deleted from); body_aliases is derived from its live merges.
CREATE TABLE body_merges (
    merge_id INTEGER PRIMARY KEY,
    merged VARCHAR NOT NULL,          -- the id merged away
    into_body VARCHAR NOT NULL,       -- the id it counts as from now on
    kind VARCHAR NOT NULL,            -- 'hand' (a person decided) or 'rule' (a named matching rule)
    rule VARCHAR,                     -- the rule, for kind 'rule'
    reason VARCHAR NOT NULL,
    merged_by VARCHAR NOT NULL,
    merged_at TIMESTAMP NOT NULL,
    undone_by VARCHAR,
    undone_at TIMESTAMP,
    undo_reason VARCHAR
);

-- alias -> canonical for every id merged away by a live merge, chains resolved (a -> b -> c gives a -> c).
CREATE TABLE body_aliases (
    alias VARCHAR PRIMARY KEY,
    canonical VARCHAR NOT NULL,
    merge_id INTEGER NOT NULL
);
