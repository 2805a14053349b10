/**
 * How a job of the common jobs model looks in a sidebar: a collapsible section of job cards,
 * each with its state badge, progress bar, counts, speed and time left, errors and the buttons
 * its state allows. The slices say what is theirs (title, words, destination, buttons, files).
 * Its CSS classes (jp-escape-Job-*) live in style/base.css: the same card in every slice.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  closeIcon
} from '@jupyterlab/ui-components';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { ErrorBanner } from './ErrorBanner';
import { formatBytes, formatDuration } from './format';
import { IJob, isJobActive, JobState } from './jobs';
import { MiddleEllipsis } from './MiddleEllipsis';
import { BadgeKind, StatusBadge } from './StatusBadge';
import { useSignal } from './useSignal';

/** Badge (and bar) colour of a job state. */
export function jobStateKind(state: JobState): BadgeKind {
  if (isJobActive(state)) {
    return 'busy';
  }
  if (state === 'done') {
    return 'ok';
  }
  return state === 'failed' ? 'error' : 'idle';
}

/** The word of a job state; `running` is the slice's own ("Fetching", "Uploading"). */
export function jobStateLabel(
  state: JobState,
  running: string,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return running;
    case 'done':
      return trans.__('Done');
    case 'failed':
      return trans.__('Failed');
    case 'cancelled':
      return trans.__('Cancelled');
    case 'interrupted':
      return trans.__('Interrupted');
  }
}

/** A failed cancel, retry or remove reports the server's message instead of throwing. */
export function reportingErrors(
  onError: (message: string) => void
): (call: () => Promise<void>) => () => void {
  return call => () =>
    void call().catch(reason =>
      onError(String((reason as Error).message ?? reason))
    );
}

/** A job that moves files (a fetch, an upload). */
export type IFilesJob = IJob & { files_total: number; files_failed: number };

export interface IJobCardProps {
  job: IFilesJob;
  trans: TranslationBundle;
  /** The card's accessible name ("Fetch of …"). */
  label: string;
  title: string;
  /** The title's tooltip; the title itself by default. */
  titleTooltip?: string;
  stateLabel: string;
  /**
   * Files that count as done, those already there included (the bar when bytes are unknown,
   * the "n of m files" fact).
   */
  filesDone: number;
  /** Of the files done, those that were already there (nothing moved for them). */
  filesAlready: number;
  busy: boolean;
  expanded: boolean;
  onToggle: () => void;
  /** Extra class of the files toggle. */
  toggleClassName?: string;
  /** The remove button's tooltip, or null when the job cannot be removed now. */
  removeTitle: string | null;
  onRemove: () => void;
  /** Where the job puts things (a folder, an RSE). */
  destination: React.ReactNode;
  showMessage: boolean;
  /** Shown at the end of the errors (e.g. "and 3 more"). */
  errorsFooter?: React.ReactNode;
  /** The buttons of the job's state. */
  actions: React.ReactNode;
  /** The files, shown when expanded. */
  children?: React.ReactNode;
}

/** One job: state, progress, errors and the buttons its state allows. */
export function JobCard(props: IJobCardProps): JSX.Element {
  const { job, trans, title } = props;
  const active = isJobActive(job.state);
  const kind = jobStateKind(job.state);
  const fraction = job.bytes_total
    ? Math.min(1, job.bytes_done / job.bytes_total)
    : job.files_total
      ? props.filesDone / job.files_total
      : 0;
  // "5 of 8 files (3 already there)": the already-there files are part of the done ones, so
  // the counts add up; "All 8 files already there" when nothing had to move (#21).
  const already = Math.min(props.filesAlready, props.filesDone);
  const filesFact =
    already > 0 && already === job.files_total
      ? trans.__('All %1 files already there', job.files_total)
      : already > 0
        ? trans.__(
            '%1 of %2 files (%3 already there)',
            props.filesDone,
            job.files_total,
            already
          )
        : trans._n(
            '%2 of %1 file',
            '%2 of %1 files',
            job.files_total,
            props.filesDone
          );
  // Nothing moved when every file was already there: no byte count that reads as a transfer.
  const allAlready = already > 0 && already === job.files_total;
  const facts = [
    filesFact,
    allAlready
      ? job.bytes_total
        ? trans.__('%1, nothing transferred', formatBytes(job.bytes_total))
        : trans.__('nothing transferred')
      : job.bytes_total
        ? `${formatBytes(job.bytes_done)} / ${formatBytes(job.bytes_total)}`
        : null,
    active && job.throughput
      ? trans.__('%1/s', formatBytes(job.throughput))
      : null,
    active && job.eta_seconds !== null
      ? trans.__('%1 left', formatDuration(job.eta_seconds))
      : null,
    job.files_failed ? trans.__('%1 failed', job.files_failed) : null
  ].filter(Boolean);
  const Caret = props.expanded ? caretDownIcon : caretRightIcon;
  return (
    <li
      className="jp-escape-Job"
      aria-label={props.label}
      data-state={job.state}
    >
      <div className="jp-escape-Job-head">
        <button
          className={
            props.toggleClassName
              ? `jp-escape-iconButton ${props.toggleClassName}`
              : 'jp-escape-iconButton'
          }
          aria-expanded={props.expanded}
          aria-label={trans.__('Files')}
          title={
            props.expanded
              ? trans.__('Hide the files')
              : trans.__('Show the files')
          }
          onClick={props.onToggle}
        >
          <Caret.react tag="span" />
        </button>
        <span className="jp-escape-Job-title">
          {/* Cut in the middle: two jobs of one dataset keep their distinct ends (#s3 §10). */}
          <MiddleEllipsis text={title} tooltip={props.titleTooltip ?? title} />
        </span>
        {props.removeTitle !== null && (
          <button
            className="jp-escape-iconButton"
            title={props.removeTitle}
            aria-label={trans.__('Remove')}
            disabled={props.busy}
            onClick={props.onRemove}
          >
            <closeIcon.react tag="span" />
          </button>
        )}
      </div>
      <div
        className="jp-escape-Job-bar"
        role="progressbar"
        aria-label={trans.__('Progress of %1', title)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div
          className={`jp-escape-Job-barFill jp-mod-${kind}`}
          style={{ width: `${fraction * 100}%` }}
        />
      </div>
      {/* The state leads the facts: the title keeps the head's width (review s3 §10). */}
      <div className="jp-escape-Job-status">
        <StatusBadge kind={kind} label={props.stateLabel} />
        <div className="jp-escape-Job-facts">
          {/* Each fact stays on one line ("135 kB / 135 kB"); lines break between facts. */}
          {facts.map((fact, index) => (
            <React.Fragment key={index}>
              {index > 0 && ' · '}
              <span className="jp-escape-Job-fact">{fact}</span>
            </React.Fragment>
          ))}
        </div>
      </div>
      {props.destination}
      {job.message && props.showMessage && (
        <div className="jp-escape-Job-message">{job.message}</div>
      )}
      {job.errors.length > 0 && (
        <details className="jp-escape-Job-errors">
          <summary>
            {trans._n('%1 error', '%1 errors', job.errors_count)}
          </summary>
          <ul>
            {job.errors.map((error, index) => (
              <li key={index}>
                <span className="jp-escape-mono">{error.item}</span>
                {': '}
                <span>{error.message}</span>
              </li>
            ))}
          </ul>
          {props.errorsFooter}
        </details>
      )}
      <div className="jp-escape-Job-actions">{props.actions}</div>
      {props.expanded && props.children}
    </li>
  );
}

/** What a section needs of its jobs model. */
export interface IJobSectionModel<J> {
  readonly changed: ISignal<unknown, void>;
  readonly jobs: readonly J[];
  readonly activeCount: number;
  readonly error: string | null;
  refresh(): Promise<void>;
}

/** A collapsible sidebar section of job cards ("Fetches", "Uploads"); hidden until a job. */
export function JobSection<J extends { id: string }>(props: {
  model: IJobSectionModel<J>;
  trans: TranslationBundle;
  /** The section's heading and accessible name. */
  label: string;
  /** One job's card (rendered here, so it follows the model's changes). */
  renderJob: (job: J) => JSX.Element;
}): JSX.Element | null {
  const { model, trans } = props;
  useSignal(model.changed);
  const [open, setOpen] = React.useState(true);
  if (model.jobs.length === 0 && !model.error) {
    return null;
  }
  const active = model.activeCount;
  const Caret = open ? caretDownIcon : caretRightIcon;
  return (
    <section className="jp-escape-Job-section" aria-label={props.label}>
      <button
        className="jp-escape-Job-sectionHead"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <Caret.react tag="span" className="jp-escape-inline-icon" />
        <span>{props.label}</span>
        <span className="jp-escape-muted">
          {active
            ? trans._n('%1 active', '%1 active', active)
            : trans._n('%1 job', '%1 jobs', model.jobs.length)}
        </span>
      </button>
      {open && (
        <>
          {model.error && (
            <ErrorBanner
              message={model.error}
              retryLabel={trans.__('Retry')}
              onRetry={() => void model.refresh()}
            />
          )}
          <ul className="jp-escape-Job-list">
            {model.jobs.map(job => (
              <React.Fragment key={job.id}>
                {props.renderJob(job)}
              </React.Fragment>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** A job's files, once its detail is loaded. */
export function JobFileList(props: {
  loaded: boolean;
  trans: TranslationBundle;
  /** The list's accessible name ("Files of …"). */
  label: string;
  /** Extra class of the list. */
  className?: string;
  children: React.ReactNode;
}): JSX.Element {
  if (!props.loaded) {
    return (
      <p className="jp-escape-muted">{props.trans.__('Loading files…')}</p>
    );
  }
  return (
    <ul
      className={
        props.className
          ? `jp-escape-Job-files ${props.className}`
          : 'jp-escape-Job-files'
      }
      aria-label={props.label}
    >
      {props.children}
    </ul>
  );
}

/** One file of a job: name, size, state, what the slice adds (checksums) and its error. */
export function JobFileRow(props: {
  tooltip: string;
  name: string;
  /** Extra class of the name. */
  nameClassName?: string;
  bytes: number;
  badge: { label: string; kind: BadgeKind };
  error?: string | null;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <li title={props.tooltip}>
      <span
        className={
          props.nameClassName
            ? `jp-escape-Job-fileName ${props.nameClassName}`
            : 'jp-escape-Job-fileName'
        }
      >
        {props.name}
      </span>
      <span className="jp-escape-muted">{formatBytes(props.bytes)}</span>
      <StatusBadge kind={props.badge.kind} label={props.badge.label} />
      {props.children}
      {props.error && (
        <span className="jp-escape-Job-fileError">{props.error}</span>
      )}
    </li>
  );
}

/** The Cancel and Retry (Resume when interrupted) buttons every job card offers. */
export function JobCancelButton(props: {
  trans: TranslationBundle;
  busy: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      className="jp-mod-styled jp-mod-warn"
      disabled={props.busy}
      onClick={props.onClick}
    >
      {props.trans.__('Cancel')}
    </button>
  );
}

export function JobRetryButton(props: {
  trans: TranslationBundle;
  busy: boolean;
  resume: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      className="jp-mod-styled"
      disabled={props.busy}
      onClick={props.onClick}
    >
      {props.resume ? props.trans.__('Resume') : props.trans.__('Retry')}
    </button>
  );
}
