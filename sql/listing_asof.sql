-- The decision SQL, part 2 (DuckDB): per recording, the first timed
-- listing of its folder at or after the file became available, by anyone
-- and by an actor not trusted, among the listings
-- that showed the whole folder. ASOF JOIN finds it in one merge per folder;
-- listing_band.sql is the same for engines without ASOF JOIN.
CREATE OR REPLACE TEMPORARY VIEW recording_listing_whole AS
  SELECT r.rec, a.time_us AS first_any_us, u.time_us AS first_untrusted_us
  FROM index_recordings AS r
  ASOF LEFT JOIN listing_events AS a
    ON a.folder = r.folder AND a.time_us >= COALESCE(r.available_us, -9223372036854775807)
  ASOF LEFT JOIN (SELECT * FROM listing_events WHERE trusted = 0) AS u
    ON u.folder = r.folder AND u.time_us >= COALESCE(r.available_us, -9223372036854775807);
