-- DuckDB: the tables the decision SQL reads, over the Parquet files.
-- "forensics sql" fills in {dataset} and {index}; in another engine,
-- register the same tables (see the README, "SQL at scale").
SET TimeZone = 'UTC';
-- No output depends on the order rows were inserted in (the outputs are
-- sets of rows), and keeping it costs memory: in one session at
-- memory_limit 1 GB the incident's persons ran out of memory with it kept
-- and were written without.
SET preserve_insertion_order = false;
-- The decision reads the requests several times: DuckDB reads the
-- columns it needs from the files once into a temporary table (which
-- spills to disk past memory_limit).
CREATE OR REPLACE TEMPORARY TABLE requests AS
  SELECT time_us, actor, user_agent, path, path_key, listing, listing_folder, listing_filtered,
         delivery, status, aborted, measured, prior_copy, completion_logged, uncertain,
         delivered_bytes, range_source, range_start, range_end, range_suffix,
         listing_server, listing_pattern, listing_pattern_dot, listing_sort, listing_order, listing_offset, listing_limit,
         actor_category, actor_label, country, city, asn, as_org, ua_class, ua_name, log_source, input, line
  FROM read_parquet('{dataset}/requests/*/*/*.parquet');
CREATE OR REPLACE TEMPORARY TABLE index_recordings AS SELECT * FROM read_parquet('{index}/recordings.parquet');
-- The keys a request may name a recording by through path info, one row
-- each (Spark: explode(path_info_keys); Trino: CROSS JOIN UNNEST), kept
-- only where they are a recording's: most are folders, and all of them
-- would not fit a small memory_limit.
CREATE OR REPLACE TEMPORARY TABLE path_info_candidates AS
  SELECT * FROM (
    SELECT input, line, path_info_min, path_info_max, UNNEST(path_info_keys) AS path_info_key
    FROM read_parquet('{dataset}/requests/*/*/*.parquet') WHERE path_info_keys IS NOT NULL) AS c
  WHERE path_info_key IN (SELECT path_key FROM index_recordings);
CREATE OR REPLACE TEMPORARY TABLE index_subjects AS SELECT * FROM read_parquet('{index}/subjects.parquet');
CREATE OR REPLACE TEMPORARY TABLE index_folders AS SELECT * FROM read_parquet('{index}/folders.parquet');
-- As analyze's flags: --gap (minutes), --exposed-from and --exposed-to (Unix
-- microseconds, UTC), --actor-key, --trusted-category. NULL: chosen as
-- analyze does.
CREATE OR REPLACE TEMPORARY VIEW params AS
  SELECT CAST({gap_minutes} AS BIGINT) AS gap_minutes,
         CAST({exposed_from_us} AS BIGINT) AS exposed_from_us,
         CAST({exposed_to_us} AS BIGINT) AS exposed_to_us,
         {actor_key} AS actor_key;
CREATE OR REPLACE TEMPORARY VIEW trusted_categories AS
  SELECT category FROM (VALUES {trusted_categories}) AS t(category);
