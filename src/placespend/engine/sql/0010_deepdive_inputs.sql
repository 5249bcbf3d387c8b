-- Deep-dive inputs kept in the workspace (journeys, unit costs, deflators, cohorts, savings registers, CBA cash
-- flows, theme rules): the same files `placespend deepdive ...` reads. Every upload, row edit or change of
-- parameters adds a version, stored whole with who made it and when, so any figure can be read again as it was.
CREATE TABLE deepdive_inputs (
    input_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,              -- savings, cba, journeys, segments, unit_costs, deflators, rules
    name VARCHAR NOT NULL,
    place VARCHAR,                      -- the place it is about; NULL when it is not place-specific
    organisation VARCHAR,               -- the partner body that keeps it (a partner's upload); NULL for staff
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE deepdive_input_versions (
    input_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,      -- SHA-256 of content
    content BLOB NOT NULL,              -- the file as uploaded, or as an edit rewrote it
    params JSON NOT NULL,               -- the options the CLI takes beside the file (horizon, discount rate ...)
    rows_read INTEGER NOT NULL,
    action VARCHAR NOT NULL,            -- upload, edit (rows) or parameters
    detail VARCHAR,                     -- what an edit changed
    made_by VARCHAR NOT NULL,
    made_at TIMESTAMP NOT NULL,
    PRIMARY KEY (input_id, version)
);
