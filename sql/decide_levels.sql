-- The decision SQL, part 3: the recordings', persons' and exposure rows'
-- levels, as the engine writes them to recordings.parquet,
-- persons.parquet and exposures.parquet, under the same column names.
-- Ranks: none 0, undeterminable 1, metadata 2, partial 3, full 4.
-- Per recording, the first listing that showed it, whole or entry by
-- entry; any_unsure: only listings that may or may not have shown it
-- did (listing_unknown).
CREATE OR REPLACE TEMPORARY VIEW recording_listing AS
  SELECT w.rec,
    CASE WHEN v.first_any_us IS NULL OR w.first_any_us < v.first_any_us THEN w.first_any_us ELSE v.first_any_us END AS first_any_us,
    CASE WHEN v.first_untrusted_us IS NULL OR w.first_untrusted_us < v.first_untrusted_us THEN w.first_untrusted_us
         ELSE v.first_untrusted_us END AS first_untrusted_us,
    CASE WHEN w.first_any_us IS NULL AND v.first_any_us IS NOT NULL AND v.sure = 0 THEN 1 ELSE 0 END AS any_unsure
  FROM recording_listing_whole AS w LEFT JOIN recording_listing_views AS v ON v.rec = w.rec;
CREATE OR REPLACE TEMPORARY VIEW recording_pairs AS
  SELECT pr.rec, MAX(CASE pr.level WHEN 'full' THEN 4 WHEN 'partial' THEN 3 WHEN 'metadata' THEN 2 ELSE 0 END) AS rank,
         MAX(pr.coverage) AS max_coverage, COUNT(*) AS actors, MIN(pr.first_us) AS first_us,
         MAX(u_wire_bytes) AS u_wire_bytes, MAX(u_range_unknown) AS u_range_unknown, MAX(u_aborted) AS u_aborted,
         MAX(u_bytes_not_logged) AS u_bytes_not_logged, MAX(u_size_unknown) AS u_size_unknown,
         MAX(u_multipart) AS u_multipart, MAX(u_completion_unknown) AS u_completion_unknown
  FROM pairs AS pr JOIN actor_categories AS a ON a.actor = pr.actor
  WHERE a.trusted = 0 AND pr.level <> 'none' GROUP BY pr.rec;
CREATE OR REPLACE TEMPORARY VIEW recording_base AS
  SELECT r.rec, r.path, r.available_us, COALESCE(p.rank, 0) AS direct_rank,
    GREATEST(COALESCE(p.rank, 0), CASE WHEN l.first_untrusted_us IS NOT NULL THEN 2 ELSE 0 END) AS rank,
    COALESCE(p.max_coverage, 0.0) AS max_coverage, COALESCE(p.actors, 0) AS actors,
    COALESCE(p.u_wire_bytes, 0) AS u_wire_bytes, COALESCE(p.u_range_unknown, 0) AS u_range_unknown,
    COALESCE(p.u_aborted, 0) AS u_aborted, COALESCE(p.u_bytes_not_logged, 0) AS u_bytes_not_logged,
    COALESCE(p.u_size_unknown, 0) AS u_size_unknown, COALESCE(p.u_multipart, 0) AS u_multipart,
    COALESCE(p.u_completion_unknown, 0) AS u_completion_unknown,
    CASE WHEN l.first_untrusted_us IS NOT NULL AND l.any_unsure = 1 AND COALESCE(p.rank, 0) < 2 THEN 1 ELSE 0 END AS u_listing_unknown
  FROM index_recordings AS r
  LEFT JOIN recording_pairs AS p ON p.rec = r.rec
  LEFT JOIN recording_listing AS l ON l.rec = r.rec;
-- A recording that existed while no log watched, and was not proven
-- fetched in full, is in a gap: undeterminable when nothing else is known.
CREATE OR REPLACE TEMPORARY VIEW recording_levels AS
  SELECT rec, path, in_gap, max_coverage, actors,
    CASE CASE WHEN in_gap = 1 AND rank = 0 THEN 1 ELSE rank END
      WHEN 4 THEN 'full' WHEN 3 THEN 'partial' WHEN 2 THEN 'metadata' WHEN 1 THEN 'undeterminable' ELSE 'none'
    END AS level,
    CASE WHEN in_gap = 1 AND rank = 0 THEN 1 ELSE rank END AS rank,
    SUBSTRING(CONCAT(
      CASE WHEN u_wire_bytes = 1 THEN ',wire_bytes' ELSE '' END,
      CASE WHEN u_range_unknown = 1 THEN ',range_unknown' ELSE '' END,
      CASE WHEN u_aborted = 1 THEN ',aborted' ELSE '' END,
      CASE WHEN u_bytes_not_logged = 1 THEN ',bytes_not_logged' ELSE '' END,
      CASE WHEN u_size_unknown = 1 THEN ',size_unknown' ELSE '' END,
      CASE WHEN u_multipart = 1 THEN ',multipart' ELSE '' END,
      CASE WHEN u_completion_unknown = 1 THEN ',completion_unknown' ELSE '' END,
      CASE WHEN u_listing_unknown = 1 THEN ',listing_unknown' ELSE '' END), 2) AS uncertain
  FROM (SELECT b.*,
               CASE WHEN b.rank < 4 AND (u.we IS NULL OR u.end_us > COALESCE(b.available_us, -9223372036854775807))
                    THEN 1 ELSE 0 END AS in_gap
        FROM recording_base AS b CROSS JOIN last_uncovered AS u) AS t;

-- recordings.parquet's columns the SQL decides.
CREATE OR REPLACE TEMPORARY VIEW recordings_sql AS
  SELECT path, level, max_coverage, actors, in_gap = 1 AS in_gap, uncertain FROM recording_levels;

-- persons.parquet's columns the SQL decides: the level of the person's
-- most exposed recording, the person's recordings by level, and whether
-- the verdict rests on a gap (undeterminable).
CREATE OR REPLACE TEMPORARY VIEW persons_sql AS
  SELECT subject_id,
    CASE MAX(rank) WHEN 4 THEN 'full' WHEN 3 THEN 'partial' WHEN 2 THEN 'metadata' WHEN 1 THEN 'undeterminable' ELSE 'none' END AS level,
    COUNT(*) AS calls,
    SUM(CASE WHEN rank >= 2 THEN 1 ELSE 0 END) AS calls_exposed,
    SUM(CASE WHEN rank = 4 THEN 1 ELSE 0 END) AS calls_full,
    SUM(CASE WHEN rank = 3 THEN 1 ELSE 0 END) AS calls_partial,
    SUM(CASE WHEN rank = 2 THEN 1 ELSE 0 END) AS calls_metadata,
    SUM(CASE WHEN rank = 1 THEN 1 ELSE 0 END) AS calls_undeterminable,
    MAX(rank) = 1 AS verdict_rests_on_gap
  FROM (SELECT DISTINCT s.person_id AS subject_id, r.rec, r.rank
        FROM index_subjects AS s JOIN recording_levels AS r ON r.rec = s.rec) AS t
  GROUP BY subject_id;

-- exposures.parquet's columns the SQL decides. One row per subject and
-- recording: undeterminable; per actor whose requests were above none
-- (trusted actors too, as evidence); via a listing (any actor's timed
-- listing after the file existed).
CREATE OR REPLACE TEMPORARY VIEW exposures_sql AS
  SELECT s.subject_id, r.path, '' AS actor_ip, '' AS actor_ua, FALSE AS via_listing, 'undeterminable' AS level,
         CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage, FALSE AS prior_copy, TRUE AS in_gap, '' AS uncertain
  FROM recording_levels AS r JOIN index_subjects AS s ON s.rec = r.rec
  WHERE r.level = 'undeterminable'
  UNION ALL
  SELECT s.subject_id, r.path, p.actor_ip, p.actor_ua, FALSE AS via_listing, p.level,
         p.bytes_delivered, p.coverage, p.prior_copy = 1 AS prior_copy, r.in_gap = 1 AS in_gap, p.uncertain
  FROM pairs AS p JOIN recording_levels AS r ON r.rec = p.rec JOIN index_subjects AS s ON s.rec = p.rec
  WHERE p.level <> 'none'
  UNION ALL
  SELECT s.subject_id, r.path, '' AS actor_ip, '' AS actor_ua, TRUE AS via_listing, 'metadata' AS level,
         CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage, FALSE AS prior_copy, r.in_gap = 1 AS in_gap,
         CASE WHEN l.any_unsure = 1 THEN 'listing_unknown' ELSE '' END AS uncertain
  FROM recording_listing AS l JOIN recording_levels AS r ON r.rec = l.rec JOIN index_subjects AS s ON s.rec = l.rec
  WHERE l.first_any_us IS NOT NULL;
