-- The decision SQL, part 3: the recordings', persons', exposure rows'
-- and listing rows' levels and the rest of their columns, as the engine
-- writes them to recordings.parquet, persons.parquet, exposures.parquet
-- and listings.parquet, under the same column names. Ranks: none 0, undeterminable 1, metadata 2, partial 3, full 4.
-- Per recording, the first listing that showed it, whole or entry by
-- entry; any_unsure: only listings that may or may not have shown it
-- did (listing_unknown).
CREATE OR REPLACE TEMPORARY VIEW recording_listing AS
  SELECT w.rec,
    CASE WHEN v.first_any_us IS NULL OR w.first_any_us < v.first_any_us THEN w.first_any_us ELSE v.first_any_us END AS first_any_us,
    CASE WHEN v.first_untrusted_us IS NULL OR w.first_untrusted_us < v.first_untrusted_us THEN w.first_untrusted_us
         ELSE v.first_untrusted_us END AS first_untrusted_us,
    CASE WHEN v.last_any_us IS NULL OR f.last_us > v.last_any_us THEN f.last_us ELSE v.last_any_us END AS last_any_us,
    CASE WHEN w.first_any_us IS NULL AND v.first_any_us IS NOT NULL AND v.sure = 0 THEN 1 ELSE 0 END AS any_unsure
  FROM recording_listing_whole AS w
  JOIN index_recordings AS r ON r.rec = w.rec
  LEFT JOIN recording_listing_views AS v ON v.rec = w.rec
  LEFT JOIN (SELECT folder, MAX(time_us) AS last_us FROM listing_events GROUP BY folder) AS f
    ON f.folder = r.folder AND f.last_us >= COALESCE(r.available_us, -9223372036854775807);
-- Per recording, the categories of the actors with a row (trusted too)
-- or a listing.
CREATE OR REPLACE TEMPORARY VIEW recording_categories AS
  SELECT p.rec, a.category FROM pairs AS p JOIN actor_categories AS a ON a.actor = p.actor WHERE p.level <> 'none'
  UNION
  SELECT rec, category FROM recording_lister_categories;
CREATE OR REPLACE TEMPORARY VIEW recording_pairs AS
  SELECT pr.rec, MAX(CASE pr.level WHEN 'full' THEN 4 WHEN 'partial' THEN 3 WHEN 'metadata' THEN 2 ELSE 0 END) AS rank,
         MAX(pr.coverage) AS max_coverage, COUNT(*) AS actors, MIN(pr.first_us) AS first_us,
         MAX(u_wire_bytes) AS u_wire_bytes, MAX(u_range_unknown) AS u_range_unknown, MAX(u_aborted) AS u_aborted,
         MAX(u_bytes_not_logged) AS u_bytes_not_logged, MAX(u_size_unknown) AS u_size_unknown,
         MAX(u_multipart) AS u_multipart, MAX(u_completion_unknown) AS u_completion_unknown
  FROM pairs AS pr JOIN actor_categories AS a ON a.actor = pr.actor
  WHERE a.trusted = 0 AND pr.level <> 'none' GROUP BY pr.rec;
-- A recording's requests: every pair's, trusted actors' and those of
-- level none too, as the engine counts them.
CREATE OR REPLACE TEMPORARY VIEW recording_base AS
  SELECT r.rec, r.path, r.available_us, COALESCE(p.rank, 0) AS direct_rank, COALESCE(q.requests, 0) AS requests,
    CASE WHEN p.first_us IS NULL OR l.first_untrusted_us < p.first_us THEN l.first_untrusted_us ELSE p.first_us END AS first_us,
    GREATEST(COALESCE(p.rank, 0), CASE WHEN l.first_untrusted_us IS NOT NULL THEN 2 ELSE 0 END) AS rank,
    COALESCE(p.max_coverage, 0.0) AS max_coverage, COALESCE(p.actors, 0) AS actors,
    COALESCE(p.u_wire_bytes, 0) AS u_wire_bytes, COALESCE(p.u_range_unknown, 0) AS u_range_unknown,
    COALESCE(p.u_aborted, 0) AS u_aborted, COALESCE(p.u_bytes_not_logged, 0) AS u_bytes_not_logged,
    COALESCE(p.u_size_unknown, 0) AS u_size_unknown, COALESCE(p.u_multipart, 0) AS u_multipart,
    COALESCE(p.u_completion_unknown, 0) AS u_completion_unknown,
    CASE WHEN l.first_untrusted_us IS NOT NULL AND l.any_unsure = 1 AND COALESCE(p.rank, 0) < 2 THEN 1 ELSE 0 END AS u_listing_unknown
  FROM index_recordings AS r
  LEFT JOIN recording_pairs AS p ON p.rec = r.rec
  LEFT JOIN (SELECT rec, SUM(requests) AS requests FROM pairs GROUP BY rec) AS q ON q.rec = r.rec
  LEFT JOIN recording_listing AS l ON l.rec = r.rec;
-- A recording that existed while no log watched, and was not proven
-- fetched in full, is in a gap: undeterminable when nothing else is known.
CREATE OR REPLACE TEMPORARY VIEW recording_levels AS
  SELECT rec, path, in_gap, max_coverage, actors, requests, first_us,
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

-- The final views: recordings.parquet, persons.parquet and
-- exposures.parquet under the engine's column names, times as UTC
-- timestamps from Unix microseconds (DuckDB make_timestamp; Spark SQL
-- timestamp_micros; Trino from_unixtime_nanos(us * 1000)), lists sorted
-- (DuckDB and Trino array_sort(array_agg(DISTINCT x)); Spark SQL
-- array_sort(collect_set(x))) and never NULL (ARRAY[]; Spark SQL array()).
CREATE OR REPLACE TEMPORARY VIEW recordings_sql AS
  SELECT r.path, r.call_id, r.region, r.caller_phone, r.started_at, r.available_at, r.folder,
         COALESCE(r.size_bytes, -1) AS size_bytes, r.subjects, l.level, l.max_coverage, l.actors, l.requests,
         make_timestamp(l.first_us) AS first_seen, l.in_gap = 1 AS in_gap, l.uncertain
  FROM recording_levels AS l JOIN index_recordings AS r ON r.rec = l.rec;

-- Persons: the person's identity as its first subject row (in index
-- order) gives it, a child if a call made it one; the level of its most
-- exposed recording and its recordings by level; the roles, regions and
-- callers' phones of all its calls; its first exposure; the distinct
-- actors not trusted whose requests exposed it; the categories of the
-- actors with a row or a listing of its recordings; the most listing
-- actors of one of its recordings.
CREATE OR REPLACE TEMPORARY VIEW person_recordings AS
  SELECT DISTINCT person_id, rec FROM index_subjects;
CREATE OR REPLACE TEMPORARY VIEW person_identity AS
  SELECT person_id,
         MAX(CASE WHEN rn = 1 THEN subject_id_given END) AS subject_id_given,
         MAX(CASE WHEN rn = 1 THEN subject_kind END) AS subject_kind,
         MAX(CASE WHEN child THEN 1 ELSE 0 END) = 1 AS child,
         COALESCE(array_sort(array_agg(DISTINCT role) FILTER (WHERE role <> '')), ARRAY[]) AS roles
  FROM (SELECT person_id, subject_id_given, subject_kind, child, role,
               ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY rec, subject) AS rn
        FROM index_subjects) AS t
  GROUP BY person_id;
CREATE OR REPLACE TEMPORARY VIEW person_levels AS
  SELECT p.person_id,
         CASE MAX(l.rank) WHEN 4 THEN 'full' WHEN 3 THEN 'partial' WHEN 2 THEN 'metadata' WHEN 1 THEN 'undeterminable' ELSE 'none' END AS level,
         COUNT(*) AS calls,
         SUM(CASE WHEN l.rank >= 2 THEN 1 ELSE 0 END) AS calls_exposed,
         SUM(CASE WHEN l.rank = 4 THEN 1 ELSE 0 END) AS calls_full,
         SUM(CASE WHEN l.rank = 3 THEN 1 ELSE 0 END) AS calls_partial,
         SUM(CASE WHEN l.rank = 2 THEN 1 ELSE 0 END) AS calls_metadata,
         SUM(CASE WHEN l.rank = 1 THEN 1 ELSE 0 END) AS calls_undeterminable,
         MAX(l.rank) = 1 AS verdict_rests_on_gap,
         MIN(CASE WHEN l.rank >= 2 THEN l.first_us END) AS first_us,
         COALESCE(MAX(la.listing_actors), 0) AS listing_actors
  FROM person_recordings AS p JOIN recording_levels AS l ON l.rec = p.rec
  LEFT JOIN recording_listing_actors AS la ON la.rec = p.rec
  GROUP BY p.person_id;
-- A person's regions and callers' phones: the distinct values, each with
-- how many the person has of its kind. Most persons have one of each, and
-- their list is made of that one value (MIN, which spills); array_agg
-- takes only the values of the rest. array_agg over every value of all
-- 4 M persons ran out of memory at 1 GB in DuckDB, which holds list
-- aggregates in memory.
CREATE OR REPLACE TEMPORARY VIEW person_place_values AS
  SELECT person_id, what, value, COUNT(*) OVER (PARTITION BY person_id, what) AS n
  FROM (SELECT DISTINCT p.person_id, 'region' AS what, r.region AS value
        FROM person_recordings AS p JOIN index_recordings AS r ON r.rec = p.rec WHERE r.region <> ''
        UNION
        SELECT DISTINCT p.person_id, 'phone' AS what, r.caller_phone AS value
        FROM person_recordings AS p JOIN index_recordings AS r ON r.rec = p.rec WHERE r.caller_phone <> '') AS t;
CREATE OR REPLACE TEMPORARY VIEW person_places AS
  SELECT person_id,
         MAX(CASE WHEN what = 'region' THEN vals END) AS regions,
         MAX(CASE WHEN what = 'phone' THEN vals END) AS phones
  FROM (SELECT person_id, what,
               CASE WHEN MIN(n) = 1 THEN ARRAY[MIN(value)] ELSE array_sort(array_agg(value) FILTER (WHERE n > 1)) END AS vals
        FROM person_place_values GROUP BY person_id, what) AS t
  GROUP BY person_id;
CREATE OR REPLACE TEMPORARY VIEW person_actors AS
  SELECT p.person_id, COUNT(DISTINCT pr.actor) AS actors
  FROM person_recordings AS p JOIN pairs AS pr ON pr.rec = p.rec
  JOIN actor_categories AS ac ON ac.actor = pr.actor
  WHERE pr.level <> 'none' AND ac.trusted = 0
  GROUP BY p.person_id;
CREATE OR REPLACE TEMPORARY VIEW person_categories AS
  SELECT p.person_id, array_sort(array_agg(DISTINCT c.category)) AS categories
  FROM person_recordings AS p JOIN recording_categories AS c ON c.rec = p.rec
  GROUP BY p.person_id;
CREATE OR REPLACE TEMPORARY VIEW persons_sql AS
  SELECT s.person_id AS subject_id, s.subject_id_given, s.subject_kind, s.child, v.level, s.roles,
         v.calls, v.calls_exposed, v.calls_full, v.calls_partial, v.calls_metadata, v.calls_undeterminable,
         COALESCE(g.regions, ARRAY[]) AS regions, COALESCE(g.phones, ARRAY[]) AS phones,
         make_timestamp(v.first_us) AS first_exposure, COALESCE(a.actors, 0) AS actors,
         COALESCE(c.categories, ARRAY[]) AS actor_categories, v.verdict_rests_on_gap, v.listing_actors
  FROM person_identity AS s
  JOIN person_levels AS v ON v.person_id = s.person_id
  LEFT JOIN person_places AS g ON g.person_id = s.person_id
  LEFT JOIN person_actors AS a ON a.person_id = s.person_id
  LEFT JOIN person_categories AS c ON c.person_id = s.person_id;

-- Evidence, as the engine keeps it: the first 8 (exposure.Options.MaxEvidence)
-- lines in (input name, line) order, "input:line", and how many more.
-- A pair's: its requests (how many more: its requests past the first 8).
-- The list is made of the first 8 lines' columns, not by an ordered
-- aggregate: DuckDB holds an ordered aggregate's values in memory, group
-- by group, and at 256 MB that ran out of memory on the ci preset. A
-- recording's listing row: the first listing that showed it (ties: the
-- first line), and the other such listings; the whole folder's are
-- counted by a running count over the folder's listings and recordings
-- from the latest (a listing sorts before a recording of its time), not
-- by a join of each recording with each later listing.
CREATE OR REPLACE TEMPORARY VIEW pair_evidence AS
  SELECT rec, actor,
    CASE n
      WHEN 1 THEN ARRAY[e1]
      WHEN 2 THEN ARRAY[e1, e2]
      WHEN 3 THEN ARRAY[e1, e2, e3]
      WHEN 4 THEN ARRAY[e1, e2, e3, e4]
      WHEN 5 THEN ARRAY[e1, e2, e3, e4, e5]
      WHEN 6 THEN ARRAY[e1, e2, e3, e4, e5, e6]
      WHEN 7 THEN ARRAY[e1, e2, e3, e4, e5, e6, e7]
      WHEN 8 THEN ARRAY[e1, e2, e3, e4, e5, e6, e7, e8]
    END AS evidence
  FROM (SELECT rec, actor, COUNT(*) AS n,
         MAX(CASE WHEN rn = 1 THEN ev END) AS e1, MAX(CASE WHEN rn = 2 THEN ev END) AS e2, MAX(CASE WHEN rn = 3 THEN ev END) AS e3, MAX(CASE WHEN rn = 4 THEN ev END) AS e4,
         MAX(CASE WHEN rn = 5 THEN ev END) AS e5, MAX(CASE WHEN rn = 6 THEN ev END) AS e6, MAX(CASE WHEN rn = 7 THEN ev END) AS e7, MAX(CASE WHEN rn = 8 THEN ev END) AS e8
        FROM (SELECT rec, actor, CONCAT(input, ':', CAST(line AS VARCHAR)) AS ev,
                     ROW_NUMBER() OVER (PARTITION BY rec, actor ORDER BY input, line) AS rn
              FROM hits) AS t
        WHERE rn <= 8
        GROUP BY rec, actor) AS f;
CREATE OR REPLACE TEMPORARY VIEW recording_whole_listings AS
  SELECT rec, n
  FROM (SELECT rec, kind,
               SUM(kind) OVER (PARTITION BY folder ORDER BY t DESC, kind DESC ROWS UNBOUNDED PRECEDING) AS n
        FROM (SELECT folder, rec, COALESCE(available_us, -9223372036854775807) AS t, 0 AS kind FROM index_recordings
              UNION ALL
              SELECT folder, CAST(NULL AS BIGINT) AS rec, time_us AS t, 1 AS kind FROM listing_events) AS u) AS w
  WHERE kind = 0;
CREATE OR REPLACE TEMPORARY VIEW recording_listing_evidence AS
  SELECT l.rec, CONCAT(e.input, ':', CAST(e.line AS VARCHAR)) AS evidence,
         COALESCE(w.n, 0) + COALESCE(v.n, 0) AS requests,
         COALESCE(w.n, 0) + COALESCE(v.n, 0) - 1 AS evidence_more
  FROM recording_listing AS l
  LEFT JOIN recording_whole_listings AS w ON w.rec = l.rec
  LEFT JOIN (SELECT rec, COUNT(*) AS n FROM listing_shown WHERE shown > 0 AND time_us IS NOT NULL GROUP BY rec) AS v ON v.rec = l.rec
  LEFT JOIN (SELECT rec, input, line, ROW_NUMBER() OVER (PARTITION BY rec ORDER BY input, line) AS rn
             FROM (SELECT l.rec, a.input, a.line
                   FROM recording_listing AS l JOIN index_recordings AS r ON r.rec = l.rec
                   JOIN listing_all AS a ON a.folder = r.folder AND a.per_entry = 0 AND a.time_us = l.first_any_us
                   UNION ALL
                   SELECT l.rec, s.input, s.line
                   FROM recording_listing AS l
                   JOIN listing_shown AS s ON s.rec = l.rec AND s.shown > 0 AND s.time_us = l.first_any_us) AS c) AS e
    ON e.rec = l.rec AND e.rn = 1
  WHERE l.first_any_us IS NOT NULL;

-- Exposure rows. One row per subject and recording: undeterminable; per
-- actor whose requests were above none (trusted actors too, as
-- evidence); via a listing (any actor's timed listing after the file
-- existed: the first and last such, by how many actors of which
-- categories). requests: none on an undeterminable row, the pair's on an
-- actor's, the listings after the file existed that showed it on a
-- listing row.
-- Per recording, the sorted categories of the actors that saw it in a
-- listing.
CREATE OR REPLACE TEMPORARY VIEW recording_lister_category_lists AS
  SELECT rec, array_sort(array_agg(category)) AS categories FROM recording_lister_categories GROUP BY rec;
CREATE OR REPLACE TEMPORARY VIEW exposure_rows AS
  SELECT r.rec, '' AS actor, 'undeterminable' AS level, FALSE AS via_listing,
         CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage, CAST(0 AS BIGINT) AS requests, CAST(NULL AS BIGINT) AS first_us, CAST(NULL AS BIGINT) AS last_us,
         FALSE AS prior_copy, TRUE AS in_gap, '' AS uncertain, '' AS actor_ip, '' AS actor_ua, '' AS actor_label, '' AS actor_category,
         '' AS country, '' AS city, CAST(0 AS BIGINT) AS asn, '' AS as_org, '' AS ua_class, '' AS ua_name, CAST(0 AS BIGINT) AS listing_actors,
         CAST(ARRAY[] AS VARCHAR[]) AS evidence, CAST(0 AS BIGINT) AS evidence_more,
         CAST(ARRAY[] AS VARCHAR[]) AS listing_categories
  FROM recording_levels AS r
  WHERE r.level = 'undeterminable'
  UNION ALL
  SELECT p.rec, p.actor, p.level, FALSE AS via_listing, p.bytes_delivered, p.coverage, p.requests, p.first_us, p.last_us,
         p.prior_copy = 1 AS prior_copy, r.in_gap = 1 AS in_gap, p.uncertain, p.actor_ip, p.actor_ua, a.label AS actor_label,
         a.category AS actor_category, t.country, t.city, t.asn, t.as_org, t.ua_class, t.ua_name, CAST(0 AS BIGINT) AS listing_actors,
         v.evidence, GREATEST(p.requests - 8, 0) AS evidence_more, CAST(ARRAY[] AS VARCHAR[]) AS listing_categories
  FROM pairs AS p JOIN recording_levels AS r ON r.rec = p.rec JOIN actor_categories AS a ON a.actor = p.actor
  JOIN actor_attributes AS t ON t.actor = p.actor
  JOIN pair_evidence AS v ON v.rec = p.rec AND v.actor = p.actor
  WHERE p.level <> 'none'
  UNION ALL
  SELECT l.rec, '' AS actor, 'metadata' AS level, TRUE AS via_listing, CAST(0 AS BIGINT) AS bytes_delivered, 0.0 AS coverage,
         v.requests, l.first_any_us AS first_us, l.last_any_us AS last_us, FALSE AS prior_copy, r.in_gap = 1 AS in_gap,
         CASE WHEN l.any_unsure = 1 THEN 'listing_unknown' ELSE '' END AS uncertain,
         '' AS actor_ip, '' AS actor_ua, '' AS actor_label, '' AS actor_category,
         '' AS country, '' AS city, CAST(0 AS BIGINT) AS asn, '' AS as_org, '' AS ua_class, '' AS ua_name,
         COALESCE(la.listing_actors, 0) AS listing_actors, ARRAY[v.evidence] AS evidence, v.evidence_more,
         COALESCE(c.categories, ARRAY[]) AS listing_categories
  FROM recording_listing AS l JOIN recording_levels AS r ON r.rec = l.rec
  LEFT JOIN recording_listing_actors AS la ON la.rec = l.rec
  LEFT JOIN recording_lister_category_lists AS c ON c.rec = l.rec
  JOIN recording_listing_evidence AS v ON v.rec = l.rec
  WHERE l.first_any_us IS NOT NULL;
CREATE OR REPLACE TEMPORARY VIEW exposures_sql AS
  SELECT s.subject_id, s.subject_id_given, s.subject_kind, s.child, s.role, r.call_id, r.path, r.region, r.caller_phone,
         r.started_at, e.level, e.bytes_delivered, e.coverage, e.requests,
         make_timestamp(e.first_us) AS first_seen, make_timestamp(e.last_us) AS last_seen,
         e.via_listing, e.prior_copy, e.in_gap, e.uncertain, e.actor_ip, e.actor_ua, e.actor_label, e.actor_category,
         e.country, e.city, e.asn, e.as_org, e.ua_class, e.ua_name,
         e.evidence, e.evidence_more, e.listing_actors, e.listing_categories
  FROM exposure_rows AS e
  JOIN index_recordings AS r ON r.rec = e.rec
  JOIN index_subjects AS s ON s.rec = e.rec;

-- listings.parquet: per folder of the index and actor, its listings (timed
-- or not): the first and last time, how many, and the most of the
-- folder's recordings one of them showed. A folder some of whose listings
-- are read entry by entry is resolved listing by listing: an entry-by-entry
-- listing showed the recordings its view did not hide, another those
-- available at its time (all for an untimed one). Otherwise the actor saw
-- the recordings available by its last timed listing (all when none is
-- timed). Recordings of unknown availability count as available.
CREATE OR REPLACE TEMPORARY VIEW listing_actor_facts AS
  SELECT l.folder, l.actor, MAX(l.actor_ip) AS actor_ip, MAX(l.actor_ua) AS actor_ua,
         MIN(l.time_us) AS first_us, MAX(l.time_us) AS last_us, COUNT(*) AS listings,
         CASE
           WHEN MAX(CASE WHEN l.per_entry = 0 THEN 1 ELSE 0 END) = 0 THEN NULL
           WHEN MAX(CASE WHEN l.per_entry = 0 THEN l.time_us END) IS NULL
             OR MAX(m.views) = 1 AND MAX(CASE WHEN l.per_entry = 0 AND l.time_us IS NULL THEN 1 ELSE 0 END) = 1
             THEN 9223372036854775807
           ELSE MAX(CASE WHEN l.per_entry = 0 THEN l.time_us END)
         END AS whole_cut_us,
         MAX(COALESCE(v.shown, 0)) AS views_shown
  FROM listing_all AS l
  JOIN (SELECT folder, MAX(per_entry) AS views FROM listing_all GROUP BY folder) AS m ON m.folder = l.folder
  LEFT JOIN (SELECT input, line, COUNT(*) AS shown FROM listing_shown WHERE shown > 0 GROUP BY input, line) AS v
    ON v.input = l.input AND v.line = l.line AND l.per_entry = 1
  GROUP BY l.folder, l.actor;
CREATE OR REPLACE TEMPORARY VIEW listing_evidence AS
  SELECT folder, actor,
    CASE n
      WHEN 1 THEN ARRAY[e1]
      WHEN 2 THEN ARRAY[e1, e2]
      WHEN 3 THEN ARRAY[e1, e2, e3]
      WHEN 4 THEN ARRAY[e1, e2, e3, e4]
      WHEN 5 THEN ARRAY[e1, e2, e3, e4, e5]
      WHEN 6 THEN ARRAY[e1, e2, e3, e4, e5, e6]
      WHEN 7 THEN ARRAY[e1, e2, e3, e4, e5, e6, e7]
      WHEN 8 THEN ARRAY[e1, e2, e3, e4, e5, e6, e7, e8]
    END AS evidence
  FROM (SELECT folder, actor, COUNT(*) AS n,
         MAX(CASE WHEN rn = 1 THEN ev END) AS e1, MAX(CASE WHEN rn = 2 THEN ev END) AS e2, MAX(CASE WHEN rn = 3 THEN ev END) AS e3, MAX(CASE WHEN rn = 4 THEN ev END) AS e4,
         MAX(CASE WHEN rn = 5 THEN ev END) AS e5, MAX(CASE WHEN rn = 6 THEN ev END) AS e6, MAX(CASE WHEN rn = 7 THEN ev END) AS e7, MAX(CASE WHEN rn = 8 THEN ev END) AS e8
        FROM (SELECT folder, actor, CONCAT(input, ':', CAST(line AS VARCHAR)) AS ev,
                     ROW_NUMBER() OVER (PARTITION BY folder, actor ORDER BY input, line) AS rn
              FROM listing_all) AS t
        WHERE rn <= 8
        GROUP BY folder, actor) AS f;
CREATE OR REPLACE TEMPORARY VIEW listings_sql AS
  SELECT f.folder, f.actor_ip, f.actor_ua, a.label AS actor_label, a.category AS actor_category,
         make_timestamp(f.first_us) AS first, make_timestamp(f.last_us) AS last, f.listings,
         GREATEST(COALESCE(w.shown, 0), f.views_shown) AS shown, v.evidence,
         GREATEST(f.listings - 8, 0) AS evidence_more
  FROM listing_actor_facts AS f
  JOIN actor_categories AS a ON a.actor = f.actor
  JOIN listing_evidence AS v ON v.folder = f.folder AND v.actor = f.actor
  LEFT JOIN (SELECT f.folder, f.actor, COUNT(*) AS shown
             FROM listing_actor_facts AS f
             JOIN index_recordings AS r ON r.folder = f.folder AND COALESCE(r.available_us, -9223372036854775807) <= f.whole_cut_us
             GROUP BY f.folder, f.actor) AS w ON w.folder = f.folder AND w.actor = f.actor;
