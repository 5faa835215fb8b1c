-- DuckDB, after the decision SQL: the (recording, actor) pairs computed
-- once into a temporary table (which spills to disk past memory_limit).
-- DuckDB computes a view at every use, and the final views use the pairs
-- several times (persons_sql three times, in one query: at 256 MB it ran
-- out of memory). Spark SQL: CACHE TABLE pairs; Trino: a table made with
-- CREATE TABLE … AS SELECT * FROM pairs, read by a view named pairs.
CREATE OR REPLACE TEMPORARY TABLE pairs_table AS SELECT * FROM pairs;
CREATE OR REPLACE TEMPORARY VIEW pairs AS SELECT * FROM pairs_table;
