import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { BadgeKind } from '../../common/StatusBadge';

/** The extension's strings untranslated, for callers given no translator (tests, plain hosts). */
export function untranslated(): TranslationBundle {
  return nullTranslator.load('jupyterlab_escape');
}

/** Badge colour of a REANA run status (the label always says the status too). */
export function badgeKind(status: string | null | undefined): BadgeKind {
  switch (status) {
    case 'finished':
      return 'ok';
    case 'failed':
      return 'error';
    case 'queued':
    case 'pending':
    case 'running':
      return 'busy';
    default:
      return 'idle';
  }
}

/** A UTC time from the server, shown in the user's local time ("—" when unknown). */
export function formatTime(value: string | null | undefined): string {
  if (!value) {
    return '—';
  }
  const date = new Date(value);
  if (isNaN(date.getTime())) {
    return value;
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** "1/3 jobs, step fit" */
export function progressText(
  total: number,
  finished: number,
  step: string | null | undefined,
  trans: TranslationBundle = untranslated()
): string {
  const jobs = total
    ? trans.__('%1/%2 jobs', finished, total)
    : trans.__('no jobs yet');
  return step ? trans.__('%1 · %2', jobs, step) : jobs;
}
