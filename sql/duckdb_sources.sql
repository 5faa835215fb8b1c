-- DuckDB: the tables the decision SQL reads, over the Parquet files.
-- "forensics sql" fills in {dataset} and {index}; in another engine,
-- register the same tables (see the README, "SQL at scale").
SET TimeZone = 'UTC';
-- The decision reads the requests several times: DuckDB reads the
-- columns it needs from the files once into a temporary table (which
-- spills to disk past memory_limit).
CREATE OR REPLACE TEMPORARY TABLE requests AS
  SELECT time_us, actor, user_agent, path, path_key, listing, listing_folder, listing_filtered,
         delivery, status, aborted, measured, prior_copy, completion_logged, uncertain,
         delivered_bytes, range_source, range_start, range_end, range_suffix,
         actor_category, log_source
  FROM read_parquet('{dataset}/requests/*/*/*.parquet');
CREATE OR REPLACE TEMPORARY TABLE index_recordings AS SELECT * FROM read_parquet('{index}/recordings.parquet');
CREATE OR REPLACE TEMPORARY TABLE index_subjects AS SELECT * FROM read_parquet('{index}/subjects.parquet');
-- As analyze's flags: --gap (minutes), --exposed-from and --exposed-to (Unix
-- microseconds, UTC), --trusted-category. NULL: chosen as analyze does.
CREATE OR REPLACE TEMPORARY VIEW params AS
  SELECT CAST({gap_minutes} AS BIGINT) AS gap_minutes,
         CAST({exposed_from_us} AS BIGINT) AS exposed_from_us,
         CAST({exposed_to_us} AS BIGINT) AS exposed_to_us;
CREATE OR REPLACE TEMPORARY VIEW trusted_categories AS
  SELECT category FROM (VALUES {trusted_categories}) AS t(category);
