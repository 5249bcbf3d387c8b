-- Information-sharing agreements (ICO data sharing code), the linkage runs made under them, their
-- pseudonymised pairs (never raw identifiers), and the audit of every run, refusal and purge.
CREATE TABLE sharing_agreements (
    agreement_id VARCHAR PRIMARY KEY,
    purpose VARCHAR NOT NULL,
    legal_basis VARCHAR NOT NULL,       -- UK GDPR Art. 6(1) basis, e.g. '6(1)(e)'
    special_basis VARCHAR,              -- Art. 9(2) condition when special category data is shared
    parties VARCHAR[] NOT NULL,         -- body ids
    fields VARCHAR[] NOT NULL,          -- record columns the partners may share
    analysts VARCHAR[] NOT NULL,        -- usernames who may see linkage results
    retention_days INTEGER,
    retain_until DATE,
    review_date DATE NOT NULL,
    rounding INTEGER,
    threshold INTEGER NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_by VARCHAR,
    retired_at TIMESTAMP,
    retire_reason VARCHAR
);

CREATE TABLE linkage_runs (
    run_id VARCHAR PRIMARY KEY,
    agreement_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,              -- 'link' or 'overlap'
    run_by VARCHAR NOT NULL,
    run_at TIMESTAMP NOT NULL,
    left_owner VARCHAR NOT NULL,
    right_owner VARCHAR NOT NULL,
    left_fingerprint VARCHAR NOT NULL,  -- SHA-256 of the input file
    right_fingerprint VARCHAR NOT NULL,
    left_records INTEGER,
    right_records INTEGER,
    published JSON,                     -- the counts published, as they left disclosure control
    purged_at TIMESTAMP,
    purged_by VARCHAR
);

CREATE TABLE linkage_pairs (
    run_id VARCHAR NOT NULL,
    left_id VARCHAR NOT NULL,
    right_id VARCHAR NOT NULL,
    match_probability DOUBLE NOT NULL,
    left_owner VARCHAR NOT NULL,
    right_owner VARCHAR NOT NULL
);

CREATE TABLE sharing_audit (
    entry_id INTEGER PRIMARY KEY,
    happened_at TIMESTAMP NOT NULL,
    who VARCHAR NOT NULL,
    action VARCHAR NOT NULL,            -- agreement.add, agreement.retire, run, refused, purge
    agreement_id VARCHAR,
    run_id VARCHAR,
    detail JSON
);
