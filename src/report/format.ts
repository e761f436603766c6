/**
 * Number and duration formatting for reports. Locale-free (no Intl number
 * formatting), so output is identical on every machine.
 *
 * @example
 *   formatAvailability(0.99991234) // '99.9912 %'
 *   formatPercent(0.4213)          // '42.13 %'
 *   formatDuration(4_560_000)      // '1 h 16 min'
 */

/** `12345678` → `12,345,678`. */
export function formatInt(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A 0..1 ratio as a percentage with two decimals; small non-zero values keep
 * two significant digits instead of rounding to `0.00 %`.
 */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  const pct = ratio * 100;
  if (pct === 0) return '0 %';
  if (Math.abs(pct) >= 0.01) return `${pct.toFixed(2)} %`;
  return `${Number(pct.toPrecision(2))} %`;
}

/**
 * Availability (0..1) as a percentage with enough decimals that the number of
 * nines shows and the first significant digit of the unavailability after
 * them: 99.12 %, 99.90 %, 99.990 %, 99.9950 %. Never rounds up to 100 % unless it is 1.
 */
export function formatAvailability(a: number): string {
  if (!Number.isFinite(a)) return '–';
  const down = 1 - a;
  if (down <= 0) return '100 %';
  // Decimals of the percentage that are nines, rounded first so that float noise (1 − 0.9999) does not add one.
  const nines = Number((-Math.log10(down * 100)).toFixed(9));
  let decimals = Math.max(2, Math.ceil(nines) + 1);
  let text = (a * 100).toFixed(decimals);
  while (text.startsWith('100') && decimals < 12) text = (a * 100).toFixed(++decimals);
  return `${text} %`;
}

/** `1 h 16 min`, `45 min`, `30 s`, `2 d 3 h`: the two largest units; under a second in ms (`100 ms`), never `0 s` for one that is not zero. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && Math.round(Math.abs(ms)) < 1000) return `${Math.max(1, Math.round(Math.abs(ms)))} ms`;
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
