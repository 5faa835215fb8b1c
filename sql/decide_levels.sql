-- The decision SQL, part 3: the recordings', persons' and exposure rows'
-- levels, as the engine writes them to recordings.parquet,
-- persons.parquet and exposures.parquet. Ranks: none 0, undeterminable 1,
-- metadata 2, partial 3, full 4.
CREATE OR REPLACE TEMPORARY VIEW recording_base AS
  SELECT r.rec, r.path, r.available_us,
    GREATEST(COALESCE(p.rank, 0), CASE WHEN l.first_untrusted_us IS NOT NULL THEN 2 ELSE 0 END) AS rank
  FROM index_recordings AS r
  LEFT JOIN (SELECT pr.rec, MAX(CASE pr.level WHEN 'full' THEN 4 WHEN 'partial' THEN 3 WHEN 'metadata' THEN 2 ELSE 0 END) AS rank
             FROM pairs AS pr JOIN actor_categories AS a ON a.actor = pr.actor
             WHERE a.trusted = 0 GROUP BY pr.rec) AS p ON p.rec = r.rec
  LEFT JOIN recording_listing AS l ON l.rec = r.rec;
-- A recording that existed while no log watched, and was not proven
-- fetched in full, is in a gap: undeterminable when nothing else is known.
CREATE OR REPLACE TEMPORARY VIEW recording_levels AS
  SELECT rec, path, in_gap,
    CASE CASE WHEN in_gap = 1 AND rank = 0 THEN 1 ELSE rank END
      WHEN 4 THEN 'full' WHEN 3 THEN 'partial' WHEN 2 THEN 'metadata' WHEN 1 THEN 'undeterminable' ELSE 'none'
    END AS level,
    CASE WHEN in_gap = 1 AND rank = 0 THEN 1 ELSE rank END AS rank
  FROM (SELECT b.rec, b.path, b.rank,
               CASE WHEN b.rank < 4 AND (u.we IS NULL OR u.end_us > COALESCE(b.available_us, -9223372036854775807))
                    THEN 1 ELSE 0 END AS in_gap
        FROM recording_base AS b CROSS JOIN last_uncovered AS u) AS t;

CREATE OR REPLACE TEMPORARY VIEW recordings_sql AS
  SELECT path, level FROM recording_levels;

CREATE OR REPLACE TEMPORARY VIEW persons_sql AS
  SELECT s.person_id AS subject_id,
    CASE MAX(r.rank) WHEN 4 THEN 'full' WHEN 3 THEN 'partial' WHEN 2 THEN 'metadata' WHEN 1 THEN 'undeterminable' ELSE 'none' END AS level
  FROM index_subjects AS s JOIN recording_levels AS r ON r.rec = s.rec
  GROUP BY s.person_id;

-- One row per subject and recording: undeterminable; per actor whose
-- requests were above none (trusted actors too, as evidence); via a
-- listing (any actor's timed listing after the file existed).
CREATE OR REPLACE TEMPORARY VIEW exposures_sql AS
  SELECT s.subject_id, r.path, '' AS actor_ip, FALSE AS via_listing, 'undeterminable' AS level
  FROM recording_levels AS r JOIN index_subjects AS s ON s.rec = r.rec
  WHERE r.level = 'undeterminable'
  UNION ALL
  SELECT s.subject_id, r.path, p.actor AS actor_ip, FALSE AS via_listing, p.level
  FROM pairs AS p JOIN index_recordings AS r ON r.rec = p.rec JOIN index_subjects AS s ON s.rec = p.rec
  WHERE p.level <> 'none'
  UNION ALL
  SELECT s.subject_id, r.path, '' AS actor_ip, TRUE AS via_listing, 'metadata' AS level
  FROM recording_listing AS l JOIN index_recordings AS r ON r.rec = l.rec JOIN index_subjects AS s ON s.rec = l.rec
  WHERE l.first_any_us IS NOT NULL;
