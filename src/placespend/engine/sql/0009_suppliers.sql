-- Shared suppliers (collaborative procurement): payments read from partners' transaction spend files, the
-- users' link and split overrides (append-only: the table is their audit), and the latest run of the name
-- model with the pairs it scored. Rules (identifiers, name rules) and overrides are applied afresh whenever
-- suppliers are read, so a link or split counts at once, without running the model again.
CREATE TABLE supplier_sources (
    source_key VARCHAR PRIMARY KEY,     -- '<body>#<first date>..<last date>': a re-issued month replaces the first
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,      -- SHA-256 of the file as read
    profile VARCHAR NOT NULL,           -- the spend layout profile that read it
    payments INTEGER NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    loaded_by VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE supplier_payments (
    source_key VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,        -- the row as a spreadsheet numbers the file
    partner VARCHAR NOT NULL,           -- the paying body (ledger spender id)
    partner_name VARCHAR,
    partner_type VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    payee VARCHAR NOT NULL,             -- the name as published
    payee_key VARCHAR,                  -- the folded name; NULL for a redacted or blank payee (never matched)
    legal_name VARCHAR,                 -- folded name before 'T/A'
    trading_name VARCHAR,               -- folded name after 'T/A'
    account VARCHAR,                    -- the partner's own supplier id
    vat_number VARCHAR,
    company_number VARCHAR,
    charity_number VARCHAR,
    category VARCHAR,                   -- what was bought: ProClass label, expense type ...
    category_scheme VARCHAR,
    public_type VARCHAR,                -- body type when the payee is a public body
    own BOOLEAN NOT NULL,               -- a payment to the partner itself
    capital_revenue VARCHAR NOT NULL
);

CREATE TABLE supplier_overrides (
    override_id INTEGER PRIMARY KEY,
    action VARCHAR NOT NULL,            -- 'link' or 'split'
    left_key VARCHAR NOT NULL,
    right_key VARCHAR NOT NULL,
    left_name VARCHAR NOT NULL,         -- as the user typed them
    right_name VARCHAR NOT NULL,
    reason VARCHAR,
    made_by VARCHAR NOT NULL,
    made_at TIMESTAMP NOT NULL
);

CREATE TABLE supplier_runs (
    run_id INTEGER PRIMARY KEY,
    resolved_by VARCHAR NOT NULL,
    resolved_at TIMESTAMP NOT NULL,
    threshold DOUBLE NOT NULL,
    summary JSON NOT NULL,
    model JSON                          -- the Splink model (m and u of every comparison level)
);

-- The pairs the name model of the latest run scored above its floor, with the comparison levels that decided.
CREATE TABLE supplier_evidence (
    left_key VARCHAR NOT NULL,
    right_key VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    match_probability DOUBLE,
    match_weight DOUBLE,
    detail JSON
);
