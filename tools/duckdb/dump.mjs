// dump.mjs prints the rows of a Parquet file as JSON lines, using DuckDB as
// a reader independent of the Go code that wrote the file. The Go tests call
// it through internal/testutil.DumpParquet.
//
// Usage:
//
//	node dump.mjs FILE.parquet          all rows, in file order
//	node dump.mjs FILE.parquet 'SQL'    the rows of a query
//
// In the query, the view "data" holds the file's rows, and {file} stands for
// the file's path as a SQL string literal, e.g.
//
//	node dump.mjs out.parquet 'SELECT count(*) AS n FROM data'
//	node dump.mjs out.parquet 'SELECT DISTINCT compression FROM parquet_metadata({file})'
//
// Values are printed in DuckDB's lossless JSON form (timestamps and dates as
// strings, structs as objects, lists as arrays), except that integers that fit
// a JavaScript number exactly are printed as numbers. Errors go to stderr
// with exit status 1.
import { DuckDBInstance } from '@duckdb/node-api';
import { jsonLines } from './rows.mjs';

function usage() {
  process.stderr.write('usage: node dump.mjs FILE.parquet [SQL]\n');
  process.exit(1);
}

const [file, query] = process.argv.slice(2);
if (!file || process.argv.length > 4) usage();

const literal = "'" + file.replaceAll("'", "''") + "'";

// One thread keeps "file order" trivially true for the plain dump.
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await instance.connect();
try {
  await conn.run(`CREATE VIEW data AS SELECT * FROM read_parquet(${literal})`);
  const sql = query ? query.replaceAll('{file}', literal) : 'SELECT * FROM data';
  const reader = await conn.runAndReadAll(sql);
  process.stdout.write(jsonLines(reader));
} catch (err) {
  process.stderr.write(`dump.mjs: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  conn.closeSync();
  instance.closeSync();
}
