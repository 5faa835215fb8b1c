-- The decision SQL, part 2 (Spark SQL, Trino, any engine): as
-- listing_asof.sql, by a band join and MIN. The join pairs every
-- recording with every later listing of its folder: fine for folders
-- listed a few times, costly for a folder a crawler lists all day.
CREATE OR REPLACE TEMPORARY VIEW recording_listing_whole AS
  SELECT r.rec, MIN(l.time_us) AS first_any_us,
         MIN(CASE WHEN l.trusted = 0 THEN l.time_us END) AS first_untrusted_us
  FROM index_recordings AS r
  LEFT JOIN listing_events AS l
    ON l.folder = r.folder AND l.time_us >= COALESCE(r.available_us, -9223372036854775807)
  GROUP BY r.rec;
