/**
 * Catalogue fetches shown as every slice shows long work: the slice's jobs on the common
 * `JobsModel` (`/escape/catalogue/jobs`, polled while a fetch runs, even after its record view
 * closed) and one toast per fetch through `JobNotifications`, ending in success with "Show in
 * file browser" or in error with Retry (Resume when interrupted).
 */
import { TranslationBundle } from '@jupyterlab/translation';

import {
  IJobsApi,
  IJobWords,
  INotifier,
  JobNotifications,
  JobsModel
} from '../common/jobs';
import { catalogueAPI, ICatalogueAPI, IFetchJob } from './api';

/** The catalogue's job routes as the common model wants them. */
export function catalogueJobsApi(
  api: ICatalogueAPI = catalogueAPI
): IJobsApi<IFetchJob> {
  return {
    // The catalogue's list may hold other kinds (publishing): the fetches only.
    list: async () =>
      (await api.listJobs()).filter(job => job.kind === 'catalogue.fetch'),
    get: id => api.getJob(id),
    cancel: id => api.cancelJob(id),
    retry: id => api.retryJob(id),
    remove: id => api.removeJob(id)
  };
}

/** What a catalogue fetch says in its toast. */
export function catalogueFetchWords(
  trans: TranslationBundle,
  showFolder?: (path: string) => void
): IJobWords<IFetchJob> {
  return {
    progress: job =>
      job.phase === 'extracting'
        ? trans.__('Extracting the archives of %1…', job.title)
        : job.files_count
          ? trans.__(
              'Fetching the files of %1: %2 of %3',
              job.title,
              job.items_done,
              job.files_count
            )
          : trans.__('Fetching the files of %1…', job.title),
    done: job =>
      job.message ??
      trans.__('Fetched the files of %1 into %2', job.title, job.dest),
    failed: job =>
      job.message ??
      (job.state === 'interrupted'
        ? trans.__('The fetch of %1 was interrupted', job.title)
        : trans.__('The fetch of %1 failed', job.title)),
    doneActions: job =>
      showFolder
        ? [
            {
              label: trans.__('Show in file browser'),
              callback: () => showFolder(job.dest)
            }
          ]
        : []
  };
}

export interface ICatalogueFetchNotesOptions {
  trans: TranslationBundle;
  api?: ICatalogueAPI;
  showFolder?: (path: string) => void;
  notifier?: INotifier;
  interval?: number;
}

/** The catalogue's fetch jobs and their toasts; one per application (see `catalogueFetchNotes`). */
export class CatalogueFetchNotes {
  constructor(options: ICatalogueFetchNotesOptions) {
    this.model = new JobsModel<IFetchJob>({
      api: catalogueJobsApi(options.api),
      name: 'jupyterlab-escape:catalogue-fetch',
      // No list of fetches is shown: the model polls while a toast follows a fetch.
      isVisible: () => false,
      interval: options.interval ?? 1000
    });
    this.notes = new JobNotifications<IFetchJob>({
      model: this.model,
      words: catalogueFetchWords(options.trans, options.showFolder),
      trans: options.trans,
      notifier: options.notifier,
      // A fetch the user asked for gets its toast at once (as before).
      longMs: 0
    });
  }

  readonly model: JobsModel<IFetchJob>;
  readonly notes: JobNotifications<IFetchJob>;

  /** A fetch this browser just started or retried: a toast follows it to its end. */
  follow(job: IFetchJob): void {
    this.notes.watch(job.id, true);
    this.model.add(job);
  }

  dispose(): void {
    this.model.dispose();
  }
}

let shared: CatalogueFetchNotes | null = null;

/** The application's one `CatalogueFetchNotes` (every record view shares it). */
export function catalogueFetchNotes(
  options: ICatalogueFetchNotesOptions
): CatalogueFetchNotes {
  if (!shared || shared.model.isDisposed) {
    shared = new CatalogueFetchNotes(options);
  }
  return shared;
}
