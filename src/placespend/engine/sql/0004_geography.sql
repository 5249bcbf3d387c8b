-- Boundaries for maps (GeoJSON geometry per area) and ward/LSOA figures from Mapping the Money.
CREATE TABLE boundaries (
    import_id INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    name VARCHAR,
    level VARCHAR NOT NULL,
    vintage VARCHAR,
    geometry VARCHAR NOT NULL
);

-- A body's (or place's) spending apportioned to small areas by declared drivers; sums back to the total.
CREATE TABLE area_figures (
    run_id INTEGER NOT NULL,
    place VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    vintage VARCHAR,
    area VARCHAR NOT NULL,
    area_name VARCHAR,
    cofog VARCHAR NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    drivers VARCHAR NOT NULL,
    spender VARCHAR
);
