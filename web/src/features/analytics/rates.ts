/** Missing FX rates reported by the panels, merged for one warning above the dashboard. */

export interface MissingRateLike {
  from_currency: string;
  to_currency: string;
  period: string;
  rate_type: string;
}

/** Every (pair, month, rate type) once, ordered by pair then month. */
export function mergeMissingRates(...lists: (readonly MissingRateLike[] | null | undefined)[]): MissingRateLike[] {
  const seen = new Map<string, MissingRateLike>();
  for (const list of lists) {
    for (const r of list ?? []) {
      const key = `${r.from_currency}/${r.to_currency}/${r.period}/${r.rate_type}`;
      if (!seen.has(key)) seen.set(key, { from_currency: r.from_currency, to_currency: r.to_currency, period: r.period, rate_type: r.rate_type });
    }
  }
  return [...seen.values()].sort(
    (a, b) =>
      a.from_currency.localeCompare(b.from_currency) ||
      a.to_currency.localeCompare(b.to_currency) ||
      a.period.localeCompare(b.period) ||
      a.rate_type.localeCompare(b.rate_type),
  );
}
