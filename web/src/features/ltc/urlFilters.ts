import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/** A value of `values`, or null: URL parameters are user input. */
export const oneOf = <T extends string>(values: readonly T[], v: string | null): T | null =>
  v && (values as readonly string[]).includes(v) ? (v as T) : null;

/** List filters kept in the URL (so a filtered list can be linked): read with `get`, write with `set`. */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (changes: Record<string, string | null | undefined>) =>
      setParams(
        (p) => {
          for (const [k, v] of Object.entries(changes)) {
            if (v) p.set(k, v);
            else p.delete(k);
          }
          return p;
        },
        { replace: true },
      ),
    [setParams],
  );
  const get = useCallback((key: string) => params.get(key), [params]);
  const clear = useCallback((keep: string[] = []) => {
    setParams(
      (p) => {
        const next = new URLSearchParams();
        for (const k of keep) {
          const v = p.get(k);
          if (v) next.set(k, v);
        }
        return next;
      },
      { replace: true },
    );
  }, [setParams]);
  return { params, get, set, clear };
}
