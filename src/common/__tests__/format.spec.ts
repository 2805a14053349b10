import { formatClock, formatTime, parseTime } from '../format';

describe('formatTime: one time format in every view (review s3 §14)', () => {
  it('shows the date and the minute in UTC, the zone named', () => {
    expect(formatTime('2026-11-26T06:53:54Z')).toBe('2026-11-26 06:53 UTC');
    expect(formatTime('2026-11-26T07:53:54+01:00')).toBe(
      '2026-11-26 06:53 UTC'
    );
    expect(formatTime(Date.parse('2026-11-26T01:13:00Z'))).toBe(
      '2026-11-26 01:13 UTC'
    );
  });

  it('reads a time without an offset (REANA) as UTC, not local time', () => {
    expect(formatTime('2026-11-22T23:14:08')).toBe('2026-11-22 23:14 UTC');
    expect(formatTime('2026-11-22 23:14:08.123')).toBe('2026-11-22 23:14 UTC');
    expect(parseTime('2026-11-22T23:14:08').toISOString()).toBe(
      '2026-11-22T23:14:08.000Z'
    );
  });

  it('says unknown as a dash and keeps an unreadable value', () => {
    expect(formatTime(null)).toBe('—');
    expect(formatTime(undefined)).toBe('—');
    expect(formatTime('')).toBe('—');
    expect(formatTime('soon')).toBe('soon');
  });

  it('gives the time of day alone with its zone', () => {
    expect(formatClock('2026-11-26T08:05:59Z')).toBe('08:05 UTC');
    expect(formatClock(null)).toBe('—');
  });
});
