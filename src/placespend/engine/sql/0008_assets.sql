-- Partners' land and buildings (Total Capital and Assets, seed 001 §5.19-5.22). Each import of an owner's
-- register is a version: the file is stored unchanged under its hash, and a newer version of the same owner
-- supersedes the older one, which stays for history (as a ledger return supersedes its predecessor).
CREATE TABLE asset_registers (
    register_id INTEGER PRIMARY KEY,
    owner VARCHAR NOT NULL,            -- a body id, normalised as the ledger's spender ids are
    place VARCHAR,                     -- the place it was imported for (its points checked against it), if given
    content_hash VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    stored_name VARCHAR NOT NULL,
    sheet VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR,
    asset_count INTEGER NOT NULL,
    warning_count INTEGER NOT NULL,
    superseded_by INTEGER
);

CREATE TABLE assets (
    register_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    asset_code VARCHAR NOT NULL,
    uprn VARCHAR,
    name VARCHAR,
    street_number VARCHAR,
    street_name VARCHAR,
    post_town VARCHAR,
    postcode VARCHAR,
    crs VARCHAR,                       -- the coordinates as the file gave them ...
    geo_x VARCHAR,
    geo_y VARCHAR,
    lon DOUBLE,                        -- ... and as WGS84 degrees, with how they were obtained
    lat DOUBLE,
    located VARCHAR,
    tenure_type VARCHAR,
    tenure_detail VARCHAR,
    other_detail VARCHAR,
    holding_type VARCHAR,
    building_size DECIMAL(14, 2),      -- m2
    land_area DECIMAL(14, 4),          -- hectares
    running_cost DECIMAL(18, 2),       -- GBP a year
    utilisation DECIMAL(9, 6),         -- 0 to 1
    services VARCHAR[],
    lease_end DATE,
    extra JSON,
    PRIMARY KEY (register_id, asset_code)
);
