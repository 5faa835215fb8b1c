-- The decision SQL, part 1: actors, requests of recordings and what each
-- delivered, directory listings, coverage. Reads the tables requests and
-- path_info_candidates (forensics parse --dataset), index_recordings,
-- index_subjects and index_folders (forensics index export), params and
-- trusted_categories. Written in the subset of SQL that DuckDB, Spark SQL
-- and Trino share, but for the one regexp_matches (see the README's
-- dialect table); times are Unix microseconds, so no session time zone
-- enters.

-- Actors as the engine keys them (analyze --actor-key): by the client
-- (actor_ip), or with ip+ua by the client and the user agent
-- (actor_ua); actor is the key.
CREATE OR REPLACE TEMPORARY VIEW keyed_requests AS
  SELECT q.time_us, q.user_agent, q.path, q.path_key, q.listing, q.listing_folder, q.listing_filtered,
         q.listing_server, q.listing_pattern, q.listing_pattern_dot, q.listing_sort, q.listing_order,
         q.listing_offset, q.listing_limit, q.delivery, q.status, q.aborted, q.measured, q.prior_copy,
         q.completion_logged, q.uncertain, q.delivered_bytes, q.range_source, q.range_start, q.range_end,
         q.range_suffix, q.actor_category, q.actor_label, q.country, q.city, q.asn, q.as_org, q.ua_class, q.ua_name,
         q.log_source, q.input, q.line,
         q.actor AS actor_ip,
         CASE WHEN p.actor_key = 'ip+ua' THEN q.user_agent ELSE '' END AS actor_ua,
         CASE WHEN p.actor_key = 'ip+ua' THEN CONCAT(q.actor, CHR(10), q.user_agent) ELSE q.actor END AS actor
  FROM requests AS q CROSS JOIN params AS p;

-- An actor's label and category: the known-actor rule matching the actor
-- with the user agent it sent most (ties: the first by name), as the
-- engine attributes actors; 'unknown' (no label) when no rule matches.
CREATE OR REPLACE TEMPORARY VIEW actor_ua AS
  SELECT actor, user_agent, COUNT(*) AS n, MAX(actor_category) AS category, MAX(actor_label) AS label,
         MAX(country) AS country, MAX(city) AS city, MAX(asn) AS asn, MAX(as_org) AS as_org,
         MAX(ua_class) AS ua_class, MAX(ua_name) AS ua_name
  FROM keyed_requests WHERE path <> '' GROUP BY actor, user_agent;
CREATE OR REPLACE TEMPORARY VIEW actor_categories AS
  SELECT a.actor, COALESCE(c.category, 'unknown') AS category, COALESCE(c.label, '') AS label,
         CASE WHEN COALESCE(c.category, 'unknown') IN (SELECT category FROM trusted_categories) THEN 1 ELSE 0 END AS trusted
  FROM (SELECT DISTINCT actor FROM actor_ua) AS a
  LEFT JOIN (
    SELECT actor, category, label FROM (
      SELECT actor, category, label, ROW_NUMBER() OVER (PARTITION BY actor ORDER BY n DESC, user_agent) AS rn
      FROM actor_ua WHERE category IS NOT NULL) AS m
    WHERE rn = 1) AS c ON c.actor = a.actor;
-- An actor's place (the GeoIP columns: one address, one place) and its
-- user agent's class and name: the one it sent most (ties: the first by
-- name), as the engine reads actors; empty (0) without them.
CREATE OR REPLACE TEMPORARY VIEW actor_attributes AS
  SELECT actor, COALESCE(country, '') AS country, COALESCE(city, '') AS city, COALESCE(asn, 0) AS asn,
         COALESCE(as_org, '') AS as_org, COALESCE(ua_class, '') AS ua_class, COALESCE(ua_name, '') AS ua_name
  FROM (SELECT actor, country, city, asn, as_org, ua_class, ua_name,
               ROW_NUMBER() OVER (PARTITION BY actor ORDER BY n DESC, user_agent) AS rn
        FROM actor_ua) AS t
  WHERE rn = 1;

-- Requests of a recording, each resolved against the file's size as
-- exposure's RequestDelivery.resolve does: the span [s, e) of bytes
-- delivered when its place is known, else extra bytes at an unknown
-- place.
-- Requests that name a recording through path info ("x.wav/extra.mp3",
-- "x.wav/"), as the engine finds them (exposure.MatchPathInfo): no
-- recording's key and no listing of a folder of the index; the shortest
-- candidate key that is a recording's; a size the status and count fit.
CREATE OR REPLACE TEMPORARY VIEW path_info_requests AS
  SELECT c.input, c.line, c.rec
  FROM (SELECT p.input, p.line, r.rec, r.size_bytes, p.path_info_min, p.path_info_max,
               ROW_NUMBER() OVER (PARTITION BY p.input, p.line ORDER BY LENGTH(r.path_key)) AS rn
        FROM path_info_candidates AS p JOIN index_recordings AS r ON r.path_key = p.path_info_key) AS c
  JOIN keyed_requests AS q ON q.input = c.input AND q.line = c.line
  WHERE c.rn = 1 AND c.size_bytes > 0 AND c.size_bytes >= c.path_info_min
    AND (c.path_info_max IS NULL OR c.size_bytes <= c.path_info_max)
    AND NOT EXISTS (SELECT 1 FROM index_recordings AS d WHERE d.path_key = q.path_key)
    AND NOT (q.listing AND EXISTS (SELECT 1 FROM index_folders AS f WHERE f.folder = q.listing_folder));
-- Every request of a recording: by its key, or through path info.
CREATE OR REPLACE TEMPORARY VIEW recording_requests AS
  SELECT q.*, r.rec, r.size_bytes FROM keyed_requests AS q JOIN index_recordings AS r ON r.path_key = q.path_key
  UNION ALL
  SELECT q.*, r.rec, r.size_bytes FROM keyed_requests AS q
    JOIN path_info_requests AS p ON p.input = q.input AND p.line = q.line
    JOIN index_recordings AS r ON r.rec = p.rec;

CREATE OR REPLACE TEMPORARY VIEW hits AS
  SELECT q.rec, q.actor, q.actor_ip, q.actor_ua, q.input, q.line, q.time_us, q.delivery, q.status, q.aborted, q.measured, q.prior_copy, q.completion_logged,
         CONCAT(',', q.uncertain, ',') AS unc0,
         q.range_source, q.range_start, q.range_end, q.range_suffix,
         CASE WHEN q.size_bytes > 0 THEN q.size_bytes END AS size,
         COALESCE(q.delivered_bytes,
                  CASE WHEN q.status = 200 AND q.size_bytes > 0 THEN q.size_bytes ELSE 1 END) AS body,
         CASE WHEN q.delivery = 'content' AND q.delivered_bytes IS NULL AND NOT (q.status = 200 AND COALESCE(q.size_bytes, 0) > 0)
              THEN 1 ELSE 0 END AS guessed
  FROM recording_requests AS q;

-- A 206's range resolved against the size (byteRange.resolve): rs, re
-- with re NULL for an open end of a file of unknown size; ok = 0 when the
-- range cannot be placed.
CREATE OR REPLACE TEMPORARY VIEW hits_ranged AS
  SELECT h.*,
    CASE
      WHEN h.status = 200 THEN 0
      WHEN h.range_source = 'content_range' THEN h.range_start
      WHEN h.range_source = 'range' AND h.range_suffix IS NOT NULL THEN GREATEST(h.size - h.range_suffix, 0)
      WHEN h.range_source = 'range' THEN h.range_start
    END AS rs,
    CASE
      WHEN h.status = 200 THEN CASE WHEN h.size IS NOT NULL AND h.body > h.size THEN h.size ELSE h.body END
      WHEN h.range_source = 'content_range' THEN h.range_end
      WHEN h.range_source = 'range' AND h.range_suffix IS NOT NULL THEN h.size
      WHEN h.range_source = 'range' AND h.range_end IS NULL THEN h.size
      WHEN h.range_source = 'range' THEN CASE WHEN h.size IS NOT NULL AND h.range_end > h.size THEN h.size ELSE h.range_end END
    END AS re,
    CASE
      WHEN h.status = 200 OR h.range_source = 'content_range' THEN 1
      WHEN h.range_source = 'range' AND h.range_suffix IS NOT NULL THEN CASE WHEN h.size IS NULL THEN 0 ELSE 1 END
      WHEN h.range_source = 'range' THEN CASE WHEN h.size IS NOT NULL AND h.range_start >= h.size THEN 0 ELSE 1 END
      ELSE 0
    END AS placed
  FROM hits AS h WHERE h.delivery = 'content';

-- clip (at most body bytes, within the file), the whole file when only it
-- fits the count, and notLast (an aborted transfer never has the last
-- byte). A request whose bytes cannot be placed counts them as extra.
CREATE OR REPLACE TEMPORARY VIEW deliveries AS
  SELECT rec, actor, time_us, size, status, aborted, body, range_source, completion_logged,
    CASE WHEN placed = 1 THEN 1 WHEN range_source <> 'multipart' AND size IS NOT NULL AND body >= size THEN 1 ELSE 0 END AS known,
    CASE WHEN placed = 1 THEN rs ELSE 0 END AS s,
    CASE WHEN placed = 1 AND status = 200 THEN re
         WHEN placed = 1 THEN LEAST(CASE WHEN re IS NULL OR re - rs > body THEN rs + body ELSE re END, COALESCE(size, rs + body))
         ELSE size END AS e0
  FROM hits_ranged;
CREATE OR REPLACE TEMPORARY VIEW spans AS
  SELECT rec, actor, size, s,
         CASE WHEN aborted AND size IS NOT NULL AND e0 >= size THEN size - 1 ELSE e0 END AS e,
         CASE WHEN size IS NULL AND status = 200 AND NOT aborted THEN 1 ELSE 0 END AS whole
  FROM deliveries WHERE known = 1;
-- What each delivery adds to its pair beyond its span: extra bytes at an
-- unknown place, and the flags resolve sets (range_unknown,
-- completion_unknown when the count reaches the file's end in a format
-- that logs no completion).
CREATE OR REPLACE TEMPORARY VIEW delivery_flags AS
  SELECT rec, actor,
    CASE WHEN known = 0 THEN body ELSE 0 END AS extra,
    CASE WHEN known = 0 AND range_source <> 'multipart' THEN 1 ELSE 0 END AS range_unknown,
    CASE WHEN NOT completion_logged
              AND (size IS NULL
                   OR known = 1 AND (CASE WHEN aborted AND e0 >= size THEN size - 1 ELSE e0 END) >= size
                   OR known = 0 AND body >= size) THEN 1 ELSE 0 END AS completion_unknown
  FROM deliveries;

-- The union of each pair's spans within the file: gaps and islands with
-- window functions (no list aggregation, so it spills).
CREATE OR REPLACE TEMPORARY VIEW span_starts AS
  SELECT rec, actor, s, e,
    CASE WHEN s > MAX(e) OVER (PARTITION BY rec, actor ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
           OR ROW_NUMBER() OVER (PARTITION BY rec, actor ORDER BY s, e) = 1 THEN 1 ELSE 0 END AS island_start
  FROM (SELECT rec, actor, s, CASE WHEN size IS NOT NULL AND e > size THEN size ELSE e END AS e FROM spans) AS c
  WHERE e > s;
CREATE OR REPLACE TEMPORARY VIEW islands AS
  SELECT rec, actor, MIN(s) AS s, MAX(e) AS e
  FROM (SELECT rec, actor, s, e,
               SUM(island_start) OVER (PARTITION BY rec, actor ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
        FROM span_starts) AS t
  GROUP BY rec, actor, island;

-- Each (recording, actor) pair as the engine writes it in
-- exposures.parquet: level, bytes_delivered (the union of the spans plus
-- the extra bytes, at most the file), coverage (of the file, by the
-- spans), requests (every request of the recording, any status or
-- method, as the dataset's rows), prior_copy, and the uncertainty flags
-- in the engine's order.
CREATE OR REPLACE TEMPORARY VIEW pair_facts AS
  SELECT p.rec, p.actor, p.actor_ip, p.actor_ua, p.size, p.kind, p.requests, p.prior_copy, p.first_us, p.last_us,
    COALESCE(c.covered, 0) AS covered, COALESCE(f.extra, 0) AS extra, COALESCE(w.whole, 0) AS whole,
    p.wire_bytes AS u_wire_bytes, GREATEST(p.guessed, COALESCE(f.range_unknown, 0)) AS u_range_unknown,
    p.aborted AS u_aborted, p.bytes_not_logged AS u_bytes_not_logged, p.size_unknown AS u_size_unknown,
    p.multipart AS u_multipart, GREATEST(p.completion_unknown, COALESCE(f.completion_unknown, 0)) AS u_completion_unknown
  FROM (SELECT rec, actor, MAX(actor_ip) AS actor_ip, MAX(actor_ua) AS actor_ua, MAX(size) AS size,
               COUNT(*) AS requests,
               MAX(CASE delivery WHEN 'content' THEN 2 WHEN 'metadata' THEN 1 ELSE 0 END) AS kind,
               MAX(CASE WHEN prior_copy THEN 1 ELSE 0 END) AS prior_copy,
               MAX(guessed) AS guessed,
               MAX(CASE WHEN unc0 LIKE '%,wire_bytes,%' THEN 1 ELSE 0 END) AS wire_bytes,
               MAX(CASE WHEN unc0 LIKE '%,aborted,%' THEN 1 ELSE 0 END) AS aborted,
               MAX(CASE WHEN unc0 LIKE '%,bytes_not_logged,%' THEN 1 ELSE 0 END) AS bytes_not_logged,
               MAX(CASE WHEN measured AND size IS NULL THEN 1 ELSE 0 END) AS size_unknown,
               MAX(CASE WHEN unc0 LIKE '%,multipart,%' THEN 1 ELSE 0 END) AS multipart,
               MAX(CASE WHEN unc0 LIKE '%,completion_unknown,%' THEN 1 ELSE 0 END) AS completion_unknown,
               MIN(time_us) AS first_us, MAX(time_us) AS last_us
        FROM hits GROUP BY rec, actor) AS p
  LEFT JOIN (SELECT rec, actor, SUM(e - s) AS covered FROM islands GROUP BY rec, actor) AS c
    ON c.rec = p.rec AND c.actor = p.actor
  LEFT JOIN (SELECT rec, actor, MAX(whole) AS whole FROM spans GROUP BY rec, actor) AS w
    ON w.rec = p.rec AND w.actor = p.actor
  LEFT JOIN (SELECT rec, actor, SUM(extra) AS extra, MAX(range_unknown) AS range_unknown,
                    MAX(completion_unknown) AS completion_unknown
             FROM delivery_flags GROUP BY rec, actor) AS f
    ON f.rec = p.rec AND f.actor = p.actor;
CREATE OR REPLACE TEMPORARY VIEW pairs AS
  SELECT rec, actor, actor_ip, actor_ua, requests, prior_copy, first_us, last_us,
    u_wire_bytes, u_range_unknown, u_aborted, u_bytes_not_logged, u_size_unknown, u_multipart, u_completion_unknown,
    SUBSTRING(CONCAT(
      CASE WHEN u_wire_bytes = 1 THEN ',wire_bytes' ELSE '' END,
      CASE WHEN u_range_unknown = 1 THEN ',range_unknown' ELSE '' END,
      CASE WHEN u_aborted = 1 THEN ',aborted' ELSE '' END,
      CASE WHEN u_bytes_not_logged = 1 THEN ',bytes_not_logged' ELSE '' END,
      CASE WHEN u_size_unknown = 1 THEN ',size_unknown' ELSE '' END,
      CASE WHEN u_multipart = 1 THEN ',multipart' ELSE '' END,
      CASE WHEN u_completion_unknown = 1 THEN ',completion_unknown' ELSE '' END), 2) AS uncertain,
    CASE
      WHEN kind = 2 AND size IS NOT NULL AND covered >= size THEN 'full'
      WHEN kind = 2 AND size IS NOT NULL THEN 'partial'
      WHEN kind = 2 AND whole = 1 THEN 'full'
      WHEN kind = 2 THEN 'partial'
      WHEN kind = 1 THEN 'metadata'
      ELSE 'none'
    END AS level,
    CASE
      WHEN kind = 2 AND size IS NOT NULL AND covered + extra > size THEN size
      WHEN kind = 2 THEN covered + extra
      ELSE 0
    END AS bytes_delivered,
    CASE
      WHEN kind = 2 AND size IS NOT NULL AND covered >= size THEN 1.0
      WHEN kind = 2 AND size IS NOT NULL THEN CAST(covered AS DOUBLE) / size
      WHEN kind = 2 AND whole = 1 THEN 1.0
      ELSE 0.0
    END AS coverage
  FROM pair_facts;

-- Directory listings of a folder of the index, not of a recording's own
-- path, timed or not (only timed ones expose a recording; listings.parquet
-- counts them all). A listing is read entry by entry (per_entry) where the engine does
-- (exposure.ListingView): its query filters or pages on its server
-- (listing_filtered), or Caddy listed a folder of more than 10,000
-- recordings (it reads the first 10,000 entries the file system gives).
CREATE OR REPLACE TEMPORARY VIEW folder_recordings AS
  SELECT folder, COUNT(*) AS recordings FROM index_recordings GROUP BY folder;
CREATE OR REPLACE TEMPORARY VIEW listing_all AS
  SELECT q.input, q.line, q.listing_folder AS folder, q.actor, q.actor_ip, q.actor_ua, q.time_us, a.trusted,
         q.listing_server, q.listing_pattern, q.listing_pattern_dot,
         q.listing_sort, q.listing_order, q.listing_offset, q.listing_limit,
         CASE WHEN q.listing_filtered OR q.listing_server = 'caddy' AND COALESCE(f.recordings, 0) > 10000 THEN 1 ELSE 0 END AS per_entry
  FROM keyed_requests AS q JOIN actor_categories AS a ON a.actor = q.actor
  JOIN index_folders AS d ON d.folder = q.listing_folder
  LEFT JOIN folder_recordings AS f ON f.folder = q.listing_folder
  WHERE q.listing
    AND NOT EXISTS (SELECT 1 FROM index_recordings AS r WHERE r.path_key = q.path_key);
-- Timed listings that showed every file of the folder there at their time.
CREATE OR REPLACE TEMPORARY VIEW listing_events AS
  SELECT folder, actor, time_us, trusted FROM listing_all WHERE per_entry = 0 AND time_us IS NOT NULL;

-- The others, entry by entry: the folder's recordings available at the
-- listing's time (all of them for an untimed one) and its subfolders, with their places in each of
-- Caddy's sort orders (RANK - 1: the entries strictly before; ties may
-- come in any order).
CREATE OR REPLACE TEMPORARY VIEW listing_views AS
  SELECT * FROM listing_all WHERE per_entry = 1;
CREATE OR REPLACE TEMPORARY VIEW listing_entries AS
  SELECT v.input, v.line, r.rec, 0 AS dir, r.name, r.name_lower AS sort_name, r.size_bytes
  FROM listing_views AS v
  JOIN index_recordings AS r
    ON r.folder = v.folder AND (v.time_us IS NULL OR COALESCE(r.available_us, -9223372036854775807) <= v.time_us)
  UNION ALL
  SELECT v.input, v.line, CAST(NULL AS BIGINT) AS rec, 1 AS dir, f.name, CONCAT(f.name_lower, '/') AS sort_name,
         CAST(NULL AS BIGINT) AS size_bytes
  FROM listing_views AS v JOIN index_folders AS f ON f.parent = v.folder;
CREATE OR REPLACE TEMPORARY VIEW listing_positions AS
  SELECT input, line, rec, name,
    COUNT(*) OVER (PARTITION BY input, line) AS entries,
    MAX(CASE WHEN dir = 0 AND size_bytes IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY input, line) AS sizes_unknown,
    RANK() OVER (PARTITION BY input, line ORDER BY sort_name) - 1 AS name_asc,
    RANK() OVER (PARTITION BY input, line ORDER BY sort_name DESC) - 1 AS name_desc,
    RANK() OVER (PARTITION BY input, line ORDER BY dir DESC, sort_name) - 1 AS dirfirst_asc,
    RANK() OVER (PARTITION BY input, line ORDER BY dir, sort_name DESC) - 1 AS dirfirst_desc,
    RANK() OVER (PARTITION BY input, line ORDER BY dir DESC, CASE WHEN dir = 1 THEN sort_name ELSE '' END,
                                                   COALESCE(size_bytes, 0)) - 1 AS size_asc,
    RANK() OVER (PARTITION BY input, line ORDER BY dir, CASE WHEN dir = 1 THEN sort_name ELSE '' END DESC,
                                                   COALESCE(size_bytes, 0) DESC) - 1 AS size_desc
  FROM listing_entries;
-- Whether each such listing showed each recording (ListingView.Visible
-- with the index's entries, which may not be all the folder's): 0
-- hidden, 1 shown, 2 maybe shown. Apache: the P= pattern. Caddy: past
-- 10,000 entries anything; a page is placed among the entries known, so
-- an entry is surely hidden only past the page's end in every sort and
-- order the query leaves open (a cookie may choose them; "time" is
-- unknown: the index has no file times). An unknown server: what either
-- reading hides is maybe shown.
CREATE OR REPLACE TEMPORARY VIEW listing_shown AS
  SELECT input, line, folder, actor, time_us, trusted, rec,
    CASE
      WHEN listing_server = 'plain' THEN 1
      WHEN listing_server = 'apache' THEN CASE WHEN pattern_hides = 1 THEN 0 ELSE 1 END
      WHEN listing_server = 'caddy' THEN
        CASE WHEN entries > 10000 THEN 2
             WHEN paged = 0 THEN 1
             WHEN listing_limit > 0 AND first_place >= listing_offset + listing_limit THEN 0
             ELSE 2 END
      ELSE CASE WHEN pattern_hides = 1 OR paged = 1 THEN 2 ELSE 1 END
    END AS shown
  FROM (SELECT v.input, v.line, v.folder, v.actor, v.time_us, v.trusted, v.listing_server, v.listing_offset, v.listing_limit, p.rec, p.entries,
          CASE WHEN v.listing_offset > 0 OR v.listing_limit > 0 THEN 1 ELSE 0 END AS paged,
          -- The pattern reads the name's bytes in hexadecimal, as Apache matches bytes.
          -- DuckDB's regexp_matches and hex; Spark: hex(p.name) RLIKE v.listing_pattern;
          -- Trino: regexp_like(to_hex(to_utf8(p.name)), v.listing_pattern)
          CASE WHEN v.listing_pattern IS NOT NULL
                    AND NOT (regexp_matches(hex(p.name), v.listing_pattern) AND (v.listing_pattern_dot OR SUBSTRING(p.name, 1, 1) <> '.'))
               THEN 1 ELSE 0 END AS pattern_hides,
          CASE
            WHEN v.listing_sort = 'name' THEN
              CASE WHEN v.listing_order = 'desc' THEN p.name_desc WHEN v.listing_order = '' THEN LEAST(p.name_asc, p.name_desc) ELSE p.name_asc END
            WHEN v.listing_sort = 'namedirfirst' THEN
              CASE WHEN v.listing_order = 'desc' THEN p.dirfirst_desc WHEN v.listing_order = '' THEN LEAST(p.dirfirst_asc, p.dirfirst_desc) ELSE p.dirfirst_asc END
            WHEN v.listing_sort = 'size' AND p.sizes_unknown = 0 THEN
              CASE WHEN v.listing_order = 'desc' THEN p.size_desc WHEN v.listing_order = '' THEN LEAST(p.size_asc, p.size_desc) ELSE p.size_asc END
            ELSE 0
          END AS first_place
        FROM listing_views AS v JOIN listing_positions AS p ON p.input = v.input AND p.line = v.line
        WHERE p.rec IS NOT NULL) AS t;
-- Per recording: the first such listing that did not hide it, by
-- anyone and by an actor not trusted, and whether one surely showed it.
CREATE OR REPLACE TEMPORARY VIEW recording_listing_views AS
  SELECT rec, MIN(CASE WHEN shown > 0 THEN time_us END) AS first_any_us,
         MAX(CASE WHEN shown > 0 THEN time_us END) AS last_any_us,
         MIN(CASE WHEN shown > 0 AND trusted = 0 THEN time_us END) AS first_untrusted_us,
         MAX(CASE WHEN shown = 1 THEN 1 ELSE 0 END) AS sure
  FROM listing_shown WHERE time_us IS NOT NULL GROUP BY rec;

-- Who saw each recording in a listing: the actors whose timed listing
-- showed it at or after the file existed, counted and categorised per
-- recording without a row per (recording, actor): whole-folder listings
-- alone make hundreds of millions of those at incident scale. A listing
-- of the whole folder showed the recordings available by then, so an
-- actor saw those available by its last such listing of the folder.
CREATE OR REPLACE TEMPORARY VIEW folder_listers AS
  SELECT folder, actor, MAX(time_us) AS last_us FROM listing_events GROUP BY folder, actor;
-- Per recording (every one), the actors whose last whole listing of its
-- folder came at or after the file existed: a running count over the
-- folder's recordings and listers from the latest (a lister sorts before
-- a recording of its time).
CREATE OR REPLACE TEMPORARY VIEW recording_whole_listers AS
  SELECT rec, n
  FROM (SELECT rec, kind,
               SUM(kind) OVER (PARTITION BY folder ORDER BY t DESC, kind DESC ROWS UNBOUNDED PRECEDING) AS n
        FROM (SELECT folder, rec, COALESCE(available_us, -9223372036854775807) AS t, 0 AS kind FROM index_recordings
              UNION ALL
              SELECT folder, CAST(NULL AS BIGINT) AS rec, last_us AS t, 1 AS kind FROM folder_listers) AS u) AS w
  WHERE kind = 0;
-- The (recording, actor) pairs of listings read entry by entry that
-- showed the recording; few, as such listings are.
CREATE OR REPLACE TEMPORARY VIEW recording_view_listers AS
  SELECT DISTINCT rec, actor FROM listing_shown WHERE shown > 0 AND time_us IS NOT NULL;
-- Per recording, how many distinct actors saw it in a listing: the
-- whole-folder listers, and the entry-by-entry ones that are not also
-- among them.
CREATE OR REPLACE TEMPORARY VIEW recording_listing_actors AS
  SELECT w.rec, w.n + COALESCE(x.n, 0) AS listing_actors
  FROM recording_whole_listers AS w
  LEFT JOIN (SELECT v.rec, COUNT(*) AS n
             FROM recording_view_listers AS v JOIN index_recordings AS r ON r.rec = v.rec
             WHERE NOT EXISTS (SELECT 1 FROM folder_listers AS f
                               WHERE f.folder = r.folder AND f.actor = v.actor
                                 AND f.last_us >= COALESCE(r.available_us, -9223372036854775807))
             GROUP BY v.rec) AS x ON x.rec = w.rec
  WHERE w.n + COALESCE(x.n, 0) > 0;
-- Per recording, the categories of the actors that saw it in a listing:
-- a category's whole-folder listers saw the recordings available by the
-- last listing of any of them.
CREATE OR REPLACE TEMPORARY VIEW recording_lister_categories AS
  SELECT r.rec, c.category
  FROM index_recordings AS r
  JOIN (SELECT f.folder, a.category, MAX(f.last_us) AS last_us
        FROM folder_listers AS f JOIN actor_categories AS a ON a.actor = f.actor
        GROUP BY f.folder, a.category) AS c
    ON c.folder = r.folder AND c.last_us >= COALESCE(r.available_us, -9223372036854775807)
  UNION
  SELECT v.rec, a.category FROM recording_view_listers AS v JOIN actor_categories AS a ON a.actor = v.actor;

-- Coverage: the minutes each log source logged anything; silences longer
-- than the gap threshold are gaps.
CREATE OR REPLACE TEMPORARY VIEW minutes AS
  SELECT DISTINCT log_source, CAST(FLOOR(time_us / 60000000.0) AS BIGINT) AS m
  FROM keyed_requests WHERE time_us IS NOT NULL;
CREATE OR REPLACE TEMPORARY VIEW silences AS
  SELECT log_source, m, m - LAG(m) OVER (PARTITION BY log_source ORDER BY m) AS d FROM minutes;
-- Three times the 99th percentile of the silences between logged minutes
-- (the value at 0-based rank floor((n-1)*99/100)), clamped to [1 h, 7 d].
CREATE OR REPLACE TEMPORARY VIEW gap AS
  SELECT COALESCE((SELECT gap_minutes FROM params),
                  (SELECT LEAST(GREATEST(3 * d, 60), 10080) FROM (
                     SELECT d, ROW_NUMBER() OVER (ORDER BY d) AS rn, COUNT(*) OVER () AS n
                     FROM silences WHERE d IS NOT NULL) AS t
                   WHERE rn = CAST(FLOOR((n - 1) * 99 / 100.0) AS BIGINT) + 1),
                  60) AS minutes;
CREATE OR REPLACE TEMPORARY VIEW source_spans AS
  SELECT log_source, MIN(m) * 60000000 AS s, (MAX(m) + 1) * 60000000 AS e
  FROM (SELECT log_source, m,
               SUM(CASE WHEN d IS NULL OR d > (SELECT minutes FROM gap) THEN 1 ELSE 0 END)
                 OVER (PARTITION BY log_source ORDER BY m ROWS UNBOUNDED PRECEDING) AS span
        FROM silences) AS t
  GROUP BY log_source, span;
-- The exposure window: from the first recording's availability to the end
-- of the last logged minute, unless given.
CREATE OR REPLACE TEMPORARY VIEW exposure_window AS
  SELECT COALESCE((SELECT exposed_from_us FROM params),
                  (SELECT MIN(available_us) FROM index_recordings WHERE started_at IS NOT NULL)) AS ws,
         COALESCE((SELECT exposed_to_us FROM params), (SELECT MAX(e) FROM source_spans)) AS we;
-- All sources' spans, the earliest stretched back to the window's start
-- and a covered stretch to its end when the silence there is no gap; then
-- their union (islands). The uncovered time ends last at the start of
-- the island reaching the window's end, or at the end itself.
CREATE OR REPLACE TEMPORARY VIEW window_spans AS
  SELECT CASE WHEN rn = 1 AND s > w.ws AND s - w.ws <= g.minutes * 60000000 THEN w.ws ELSE s END AS s, e
  FROM (SELECT s, e, ROW_NUMBER() OVER (ORDER BY s, e) AS rn FROM source_spans) AS t
  CROSS JOIN exposure_window AS w CROSS JOIN gap AS g
  UNION ALL
  SELECT l.last_e, w.we
  FROM (SELECT MAX(e) AS last_e FROM source_spans) AS l CROSS JOIN exposure_window AS w CROSS JOIN gap AS g
  WHERE w.we > l.last_e AND w.we - l.last_e <= g.minutes * 60000000;
CREATE OR REPLACE TEMPORARY VIEW covered_islands AS
  SELECT MIN(s) AS s, MAX(e) AS e
  FROM (SELECT s, e, SUM(st) OVER (ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
        FROM (SELECT s, e,
                     CASE WHEN s > MAX(e) OVER (ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                            OR ROW_NUMBER() OVER (ORDER BY s, e) = 1 THEN 1 ELSE 0 END AS st
              FROM window_spans) AS a) AS b
  GROUP BY island;
CREATE OR REPLACE TEMPORARY VIEW last_uncovered AS
  SELECT w.ws, w.we,
    CASE
      WHEN w.we IS NULL OR w.ws IS NULL OR w.ws >= w.we THEN NULL
      WHEN i.s IS NULL THEN w.we
      WHEN i.s > w.ws THEN i.s
      ELSE NULL
    END AS end_us
  FROM exposure_window AS w
  LEFT JOIN covered_islands AS i ON i.s < w.we AND i.e >= w.we;
