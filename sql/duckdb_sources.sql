-- DuckDB: the tables the decision SQL reads, over the Parquet files.
-- "forensics sql" fills in {dataset} and {index}; in another engine,
-- register the same tables (see the README, "SQL at scale").
SET TimeZone = 'UTC';
CREATE OR REPLACE TEMPORARY VIEW requests AS
  SELECT * FROM read_parquet('{dataset}/requests/*/*/*.parquet', hive_partitioning = true, union_by_name = true);
CREATE OR REPLACE TEMPORARY VIEW index_recordings AS SELECT * FROM read_parquet('{index}/recordings.parquet');
CREATE OR REPLACE TEMPORARY VIEW index_subjects AS SELECT * FROM read_parquet('{index}/subjects.parquet');
-- As analyze's flags: --gap (minutes), --exposed-from and --exposed-to (Unix
-- microseconds, UTC), --trusted-category. NULL: chosen as analyze does.
CREATE OR REPLACE TEMPORARY VIEW params AS
  SELECT CAST({gap_minutes} AS BIGINT) AS gap_minutes,
         CAST({exposed_from_us} AS BIGINT) AS exposed_from_us,
         CAST({exposed_to_us} AS BIGINT) AS exposed_to_us;
CREATE OR REPLACE TEMPORARY VIEW trusted_categories AS
  SELECT category FROM (VALUES {trusted_categories}) AS t(category);
