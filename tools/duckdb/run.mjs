// run.mjs runs a SQL script with DuckDB and prints the rows of its last
// statement as JSON lines (as dump.mjs prints them). The Go tests of the
// decision SQL (sql/) and tools/bench/sql.sh call it.
//
// Usage:
//
//	node run.mjs SCRIPT.sql...          the scripts, in order, as one
//
// Statements run one by one; every statement but the last must not fail.
// Errors go to stderr with exit status 1. Environment:
//
//	DUCKDB_THREADS    the threads (default: DuckDB's)
//	DUCKDB_DATABASE   a database file (default: in memory)
//	DUCKDB_SETTINGS   settings applied whenever the database is opened, as
//	                  NAME=VALUE pairs separated by ';'
//	                  (memory_limit=1GB;temp_directory=/tmp/spill)
//	DUCKDB_FRESH=1    with DUCKDB_DATABASE: reopen the database before
//	                  each statement (in one long session a statement
//	                  ran out of memory that passes alone in a fresh
//	                  one); what the script keeps must then be persistent
//	                  (no TEMPORARY tables or views).
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { jsonLines } from './rows.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node run.mjs SCRIPT.sql...\n');
  process.exit(1);
}
const sql = files.map((f) => readFileSync(f, 'utf8')).join('\n;\n');
const opts = {};
if (process.env.DUCKDB_THREADS) opts.threads = process.env.DUCKDB_THREADS;
const database = process.env.DUCKDB_DATABASE || ':memory:';
const fresh = process.env.DUCKDB_FRESH === '1' && database !== ':memory:';
const settings = (process.env.DUCKDB_SETTINGS || '')
  .split(';')
  .filter((s) => s.trim() !== '')
  .map((s) => {
    const eq = s.indexOf('=');
    if (eq < 0) throw new Error(`DUCKDB_SETTINGS: ${s}: not NAME=VALUE`);
    return `SET ${s.slice(0, eq).trim()} = '${s.slice(eq + 1).trim().replaceAll("'", "''")}'`;
  });

// open opens the database and applies the settings.
async function open() {
  const instance = await DuckDBInstance.create(database, opts);
  const conn = await instance.connect();
  for (const s of settings) await conn.run(s);
  return { instance, conn };
}

let db = await open();
try {
  const stmts = await db.conn.extractStatements(sql);
  const n = stmts.count;
  let out = '';
  for (let i = 0; i < n; i++) {
    let p;
    if (fresh && i > 0) {
      db.conn.closeSync();
      db.instance.closeSync();
      db = await open();
      p = await (await db.conn.extractStatements(sql)).prepare(i);
    } else {
      p = await stmts.prepare(i);
    }
    let reader;
    try {
      reader = await p.runAndReadAll();
    } catch (err) {
      err.message = `statement ${i + 1} of ${n}: ${err.message}`;
      throw err;
    }
    if (i === n - 1) out = jsonLines(reader);
    // Free what the statement's execution holds (its hash tables and
    // buffers) now, not when JavaScript collects it: until then DuckDB
    // counts it against memory_limit, and later statements ran out of
    // memory.
    p.destroySync();
  }
  process.stdout.write(out);
} catch (err) {
  process.stderr.write(`run.mjs: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  db.conn.closeSync();
  db.instance.closeSync();
}
