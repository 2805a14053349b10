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

/** A time from the server as every view shows it ("2026-11-22 23:14 UTC"; "—" when unknown). */
export { formatTime } from '../../common/format';

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
