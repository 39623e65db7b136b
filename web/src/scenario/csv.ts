/**
 * A run's metrics as CSV, in exactly the form `panopticon export RUN --format csv` writes:
 * long form (run_id, tick, metric, key, value), rows ordered by tick, metric and key, numbers
 * as DuckDB prints a DOUBLE. The same scenario and seed give the same file in the browser and
 * from the CLI, byte for byte but for the run id.
 */

/** One output metric of a run, in the order of the values of each tick's row. */
export interface MetricColumn {
  readonly name: string;
  readonly key: string;
}

/**
 * A double as DuckDB's CSV writer prints it: the shortest digits that read back to the same
 * double, in positional form for decimal exponents −4 … 15 (with `.0` on whole numbers) and
 * in scientific form with a signed two-digit exponent otherwise; `nan`, `inf`, `-inf`.
 */
export function duckdbDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exp < 0) text = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) text = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  else text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return negative ? `-${text}` : text;
}

/** A CSV field as DuckDB quotes it: empty strings and text with separators or quotes in quotes. */
function field(text: string): string {
  return text === '' || /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Compare as DuckDB orders VARCHARs by default: by their UTF-8 bytes. */
function byBytes(a: string, b: string): number {
  if (a === b) return 0;
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) if (ea[i] !== eb[i]) return ea[i] - eb[i];
  return ea.length - eb.length;
}

/**
 * The CSV text of `ticks` rows of values (row-major: tick t's values start at t × metrics),
 * the first row being tick `firstTick`.
 */
export function metricsCsv(
  runId: string,
  metrics: readonly MetricColumn[],
  values: Float64Array,
  ticks: number,
  firstTick = 0,
): string {
  const m = metrics.length;
  const order = metrics
    .map((_, k) => k)
    .sort((a, b) => byBytes(metrics[a].name, metrics[b].name) || byBytes(metrics[a].key, metrics[b].key));
  const id = field(runId);
  const names = metrics.map((s) => `${field(s.name)},${field(s.key)}`);
  const lines = ['run_id,tick,metric,key,value'];
  for (let t = 0; t < ticks; t++) {
    const prefix = `${id},${firstTick + t},`;
    for (const k of order) lines.push(`${prefix}${names[k]},${duckdbDouble(values[t * m + k])}`);
  }
  return lines.join('\n') + '\n';
}
