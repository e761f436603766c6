/** Number formats for messages and the terminal report (deterministic: no locale). */

export function bytes(b: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let x = b;
  let i = 0;
  while (Math.abs(x) >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${i === 0 ? Math.round(x) : x < 10 ? x.toFixed(1) : Math.round(x)} ${units[i] ?? 'B'}`;
}

/** 12345 → "12,345"; fractions with up to `digits` decimals. */
export function num(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return String(x);
  // Whole numbers (most of them: nodes, pods, counts), grouped without the patterns below.
  if (digits === 0 && Number.isInteger(x) && Math.abs(x) < 1e15) return groupThousands(x);
  const neg = x < 0;
  const fixed = Math.abs(x).toFixed(digits);
  const [int = '0', frac] = fixed.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const f = frac !== undefined ? `.${frac}`.replace(/\.?0+$/, '') : '';
  return `${neg ? '-' : ''}${grouped}${f}`;
}

/** A whole number with its thousands grouped by commas (as num's pattern groups them). */
function groupThousands(x: number): string {
  const digits = String(Math.abs(x));
  let out = digits.length <= 3 ? digits : '';
  if (out === '') {
    const head = digits.length % 3;
    out = digits.slice(0, head);
    for (let i = head; i < digits.length; i += 3) out += (out === '' ? '' : ',') + digits.slice(i, i + 3);
  }
  return x < 0 ? `-${out}` : out;
}

/** A rate with enough digits to be readable: 0.0333 → "0.033", 250 → "250". */
export function rate(x: number): string {
  if (x === 0) return '0';
  if (x >= 100) return num(x);
  if (x >= 1) return num(x, 1);
  return num(x, 3);
}

export function seconds(s: number): string {
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${rate(s)} s`;
}

export function ranges(rs: readonly (readonly [number, number])[], max: number): string {
  return rs.map(([a, b]) => (b >= max ? `${num(a)}+` : a === b ? num(a) : `${num(a)}–${num(b)}`)).join(', ');
}
