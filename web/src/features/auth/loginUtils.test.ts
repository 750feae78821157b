import { describe, expect, it } from 'vitest';
import { formatCountdown, safeNext } from './loginUtils';

describe('safeNext', () => {
  it('follows only same-site paths after login', () => {
    expect(safeNext('/admin/users?q=wang')).toBe('/admin/users?q=wang');
    expect(safeNext(null)).toBe('/workbench');
    expect(safeNext('https://evil.example/')).toBe('/workbench');
    expect(safeNext('//evil.example/')).toBe('/workbench');
    expect(safeNext('/\\evil.example/')).toBe('/workbench');
    expect(safeNext('/login?next=/x')).toBe('/workbench');
  });
});

describe('formatCountdown', () => {
  it('shows minutes and seconds of a lock-out', () => {
    expect(formatCountdown(900)).toBe('15:00');
    expect(formatCountdown(61.2)).toBe('01:02');
    expect(formatCountdown(-3)).toBe('00:00');
  });
});
