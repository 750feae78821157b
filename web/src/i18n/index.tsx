import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { configureApi } from '@/api/client';
import {
  type Locale,
  LOCALE_STORAGE_KEY,
  type MessageKey,
  type Params,
  initialLocale,
  translate,
  translateDynamic,
} from './translate';

export * from './translate';

export interface I18n {
  locale: Locale;
  /** Changes the UI language and remembers it in this browser. */
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, params?: Params) => string;
  /** Translates a run-time key such as `kind.${kind}`, or returns `fallback`. */
  td: (key: string, fallback: string, params?: Params) => string;
}

const I18nContext = createContext<I18n | null>(null);

function readSaved(): string | null {
  try {
    return localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    return null;
  }
}

function applyLocale(locale: Locale): void {
  document.documentElement.lang = locale;
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  configureApi({
    getLocale: () => locale,
    fallbackMessage: (status) =>
      status === 0 ? translate(locale, 'common.networkError') : translate(locale, 'common.serverError', { status }),
  });
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    const start = initialLocale(readSaved(), navigator.languages ?? [navigator.language]);
    applyLocale(start);
    return start;
  });

  const setLocale = useCallback((next: Locale) => {
    applyLocale(next);
    try {
      localStorage.setItem(LOCALE_STORAGE_KEY, next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    setLocaleState(next);
  }, []);

  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, params) => translate(locale, key, params),
      td: (key, fallback, params) => translateDynamic(locale, key, fallback, params),
    }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n must be used inside <I18nProvider>');
  return ctx;
}
