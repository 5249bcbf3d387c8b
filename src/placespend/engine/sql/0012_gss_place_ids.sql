-- A place whose id is a GSS code was stored by the places import in lower case ('e09000023'), while every
-- command upper-cases a GSS code: `count --place E09000023` then counted the district alone and never found the
-- place's member areas. Place ids shaped like GSS codes are now stored upper case, as the count reads them.
INSERT OR IGNORE INTO places
SELECT upper(place), name, region FROM places
WHERE regexp_matches(upper(place), '^[EWSNK][0-9]{8}$') AND place <> upper(place);

INSERT OR IGNORE INTO place_areas
SELECT upper(place), area FROM place_areas
WHERE regexp_matches(upper(place), '^[EWSNK][0-9]{8}$') AND place <> upper(place);

DELETE FROM place_areas WHERE regexp_matches(upper(place), '^[EWSNK][0-9]{8}$') AND place <> upper(place);

DELETE FROM places WHERE regexp_matches(upper(place), '^[EWSNK][0-9]{8}$') AND place <> upper(place);
