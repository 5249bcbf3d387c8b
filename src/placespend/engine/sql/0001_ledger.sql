-- The ledger: submissions (files stored unchanged), their place-period slices, and flow lines.
CREATE TABLE submissions (
    submission_id INTEGER PRIMARY KEY,
    content_hash VARCHAR NOT NULL UNIQUE,
    file_name VARCHAR NOT NULL,
    stored_name VARCHAR NOT NULL,
    submitter VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    line_count INTEGER NOT NULL,
    total_amount DECIMAL(18, 2) NOT NULL,
    warning_count INTEGER NOT NULL
);

-- A newer return from the same submitter for the same place and period supersedes just that slice.
CREATE TABLE submission_slices (
    submission_id INTEGER NOT NULL,
    submitter VARCHAR NOT NULL,
    place VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    superseded_by INTEGER,
    PRIMARY KEY (submission_id, place, period)
);

CREATE TABLE flows (
    submission_id INTEGER NOT NULL,
    source_sheet VARCHAR,
    source_row INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    place VARCHAR NOT NULL,
    spender VARCHAR NOT NULL,
    spender_type VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    place_share DECIMAL(9, 8) NOT NULL,
    counted_amount DECIMAL(18, 2) NOT NULL,
    cofog VARCHAR NOT NULL,
    cofog_division VARCHAR NOT NULL,
    cofog_source VARCHAR NOT NULL,
    recipient VARCHAR,
    recipient_type VARCHAR,
    funder VARCHAR,
    funder_type VARCHAR,
    spender_name VARCHAR,
    recipient_name VARCHAR,
    funder_name VARCHAR,
    service_scheme VARCHAR,
    service_code VARCHAR,
    capital_revenue VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    recurrence VARCHAR NOT NULL,
    apportionment VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    ring_fenced BOOLEAN,
    statutory BOOLEAN,
    funding_stream VARCHAR,
    theme VARCHAR,
    line_id VARCHAR,
    notes VARCHAR,
    extra JSON
);

CREATE TABLE bodies (
    body VARCHAR PRIMARY KEY,
    name VARCHAR,
    body_type VARCHAR
);

CREATE TABLE places (
    place VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    region VARCHAR
);

CREATE TABLE place_areas (
    place VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    PRIMARY KEY (place, area)
);

-- Figures published elsewhere (e.g. seed 000 Tables 1-3), kept with their source, never as ledger lines.
CREATE TABLE published_figures (
    table_name VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    value DECIMAL(18, 4),
    unit VARCHAR,
    source VARCHAR NOT NULL
);
