// run.mjs runs a SQL script with DuckDB and prints the rows of its last
// statement as JSON lines (as dump.mjs prints them). The Go tests of the
// decision SQL (sql/) and tools/bench/sql.sh call it.
//
// Usage:
//
//	node run.mjs SCRIPT.sql...          the scripts, in order, as one
//
// Statements run one by one; every statement but the last must not fail.
// Errors go to stderr with exit status 1. The environment variable
// DUCKDB_THREADS sets the threads (default: DuckDB's).
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node run.mjs SCRIPT.sql...\n');
  process.exit(1);
}
const sql = files.map((f) => readFileSync(f, 'utf8')).join('\n;\n');
const opts = {};
if (process.env.DUCKDB_THREADS) opts.threads = process.env.DUCKDB_THREADS;
const instance = await DuckDBInstance.create(':memory:', opts);
const conn = await instance.connect();
try {
  const stmts = await conn.extractStatements(sql);
  const n = stmts.count;
  let js = [];
  let json = [];
  for (let i = 0; i < n; i++) {
    const p = await stmts.prepare(i);
    const reader = await p.runAndReadAll();
    if (i === n - 1) {
      js = reader.getRowObjectsJS();
      json = reader.getRowObjectsJson();
    }
    // Free what the statement's execution holds (its hash tables and
    // buffers) now, not when JavaScript collects it: until then DuckDB
    // counts it against memory_limit, and later statements ran out of
    // memory.
    p.destroySync();
  }
  const out = [];
  for (let i = 0; i < json.length; i++) {
    const row = json[i];
    for (const [k, v] of Object.entries(js[i])) {
      if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
        row[k] = Number(v);
      }
    }
    out.push(JSON.stringify(row));
  }
  process.stdout.write(out.length ? out.join('\n') + '\n' : '');
} catch (err) {
  process.stderr.write(`run.mjs: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  conn.closeSync();
  instance.closeSync();
}
