-- Reference and open data: HM Treasury regional spending, statistics of areas, area lookups.
CREATE TABLE imports (
    import_id INTEGER PRIMARY KEY,
    content_hash VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    reader VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    row_count INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

-- Regional spending R[region, function] in GBP (units converted on import), one row per published cell.
CREATE TABLE regional_spend (
    import_id INTEGER NOT NULL,
    vintage VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    region VARCHAR NOT NULL,
    region_code VARCHAR,
    cofog VARCHAR NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    identifiable BOOLEAN,
    capital_current VARCHAR,
    sector VARCHAR,
    department VARCHAR,
    hmt_function VARCHAR
);

CREATE TABLE place_statistics (
    import_id INTEGER NOT NULL,
    area VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    value DECIMAL(24, 6) NOT NULL
);

CREATE TABLE area_lookups (
    import_id INTEGER NOT NULL,
    relation VARCHAR NOT NULL,
    child VARCHAR NOT NULL,
    child_name VARCHAR,
    parent VARCHAR NOT NULL,
    parent_name VARCHAR,
    vintage VARCHAR
);
