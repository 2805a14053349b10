/** Human-readable sizes in SI units, as storage systems report them. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '—';
  }
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** 1234567 -> "1,234,567" whatever the locale of the test machine. */
export function formatCount(n: number): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 75 -> "1 min 15 s", 4000 -> "1 h 7 min": remaining times, to the useful precision. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return '—';
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    const rest = s % 60;
    return rest ? `${Math.floor(s / 60)} min ${rest} s` : `${s / 60} min`;
  }
  const minutes = Math.round((s % 3600) / 60);
  return minutes
    ? `${Math.floor(s / 3600)} h ${minutes} min`
    : `${Math.floor(s / 3600)} h`;
}

/**
 * A time from a server as a Date: an ISO time without an offset (REANA's "2026-11-22T23:14:08")
 * is UTC, as the services mean it, not the browser's local time.
 */
export function parseTime(value: string | number | Date): Date {
  if (typeof value !== 'string') {
    return new Date(value);
  }
  const naive = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(
    value.trim()
  );
  return new Date(naive ? `${value.trim().replace(' ', 'T')}Z` : value);
}

const pad = (n: number) => String(n).padStart(2, '0');

type TimeValue = string | number | Date | null | undefined;

/** ``render`` of a readable time; "—" when unknown, an unreadable value as it came. */
function shownTime(value: TimeValue, render: (when: Date) => string): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  const when = parseTime(value);
  return isNaN(when.getTime()) ? String(value) : render(when);
}

/**
 * The one way times are shown (review s3 §14): "2026-11-26 06:53 UTC", in UTC like the
 * services (Rucio, REANA, Zenodo) and the server's own messages ("expired at 14:02 UTC"), so a
 * time in one view can be compared with any other. "—" when unknown; an unreadable value as is.
 */
export function formatTime(value: TimeValue): string {
  return shownTime(
    value,
    when =>
      `${when.getUTCFullYear()}-${pad(when.getUTCMonth() + 1)}-${pad(when.getUTCDate())} ` +
      formatClock(when)
  );
}

/** The time of day alone, "08:05 UTC", for what is within the day (a token's expiry). */
export function formatClock(value: TimeValue): string {
  return shownTime(
    value,
    when => `${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())} UTC`
  );
}
