-- Customer insight for areas (DESIGN.md §7, seed 000 §5.3): user-supplied classifications of small areas
-- (ONS OAC or a commercial one, imported as area, segment) and the segments a clustering run assigned.
CREATE TABLE area_classifications (
    import_id INTEGER NOT NULL,
    classification VARCHAR NOT NULL,   -- e.g. oac2011_supergroup, or the file's own name
    area VARCHAR NOT NULL,             -- an ONS GSS code: output area, LSOA, MSOA or ward
    segment VARCHAR NOT NULL,
    segment_name VARCHAR,
    vintage VARCHAR
);

-- One row per area of a segmentation run; a newer run for the same place and level supersedes the older one
-- for profiles, and older runs stay for audit.
CREATE TABLE area_segments (
    run_id INTEGER NOT NULL,
    place VARCHAR NOT NULL,            -- a place code, or 'england' for the whole country
    level VARCHAR NOT NULL,            -- lsoa
    method VARCHAR NOT NULL,           -- kmeans, ward or classification:<name>
    k INTEGER,
    seed INTEGER,
    indicators VARCHAR NOT NULL,       -- the features clustered, with their vintages
    area VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,
    segment_name VARCHAR,
    created_at TIMESTAMP NOT NULL
);
