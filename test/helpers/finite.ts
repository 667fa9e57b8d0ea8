/** Every number in `v` is finite and nothing is null (JSON.stringify turns NaN and Infinity into null). */
export function expectAllFinite(v: unknown, path = '$'): void {
  if (v === null) throw new Error(`${path} is null (NaN or Infinity before JSON.stringify?)`);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${path} is ${v}`);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => expectAllFinite(x, `${path}[${i}]`));
  } else if (typeof v === 'object' && v !== undefined) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) expectAllFinite(x, `${path}.${k}`);
  }
}
