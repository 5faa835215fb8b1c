// rows.mjs: the JSON-lines form run.mjs and dump.mjs print a result in.

// jsonLines returns a materialized result's rows as JSON lines (with a
// final newline, or "" for none), in DuckDB's lossless JSON form except
// that integers that fit a JavaScript number exactly are numbers.
export function jsonLines(reader) {
  const js = reader.getRowObjectsJS();
  const json = reader.getRowObjectsJson();
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
  return out.length ? out.join('\n') + '\n' : '';
}
