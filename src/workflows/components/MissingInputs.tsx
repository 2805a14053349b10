/**
 * Declared inputs that do not exist: a warning, not an error. reana-client skips them silently;
 * the server names them and refuses the submission (`reana_missing_inputs`) until the user
 * chooses "Submit anyway" (`allow_missing_inputs: true`).
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { EscapeRequestError } from '../../request';
import { IIssue } from '../api';

/** The code of a submission refused because declared inputs do not exist. */
export const MISSING_INPUTS = 'reana_missing_inputs';

/** The validation issues that are missing inputs. */
export function missingInputIssues(
  issues: IIssue[] | null | undefined
): IIssue[] {
  return (issues ?? []).filter(i => i.code === 'missing_input');
}

/** Whether a failed submission was refused only because inputs are missing. */
export function isMissingInputsRefusal(reason: unknown): boolean {
  return reason instanceof EscapeRequestError && reason.code === MISSING_INPUTS;
}

const NAMED = /^input (file|directory) (['"])(.*)\2 does not exist/;

/** The missing path and its kind, read from the server's sentence (else the sentence). */
export function missingPath(issue: IIssue): {
  path: string;
  kind: 'file' | 'directory' | null;
} {
  const match = NAMED.exec(issue.message);
  return match
    ? { path: match[3], kind: match[1] as 'file' | 'directory' }
    : { path: issue.message, kind: null };
}

/** The warning: which inputs are missing, and what submitting anyway means. */
export function MissingInputsWarning(props: {
  issues: IIssue[];
  /** The server's refusal, shown as written when the issues could not be read. */
  message?: string | null;
  trans?: TranslationBundle;
}): JSX.Element {
  const trans = props.trans ?? nullTranslator.load('jupyterlab_escape');
  const n = props.issues.length;
  return (
    <div
      className="jp-escape-Workflows-MissingInputs"
      role="group"
      aria-label={trans.__('Missing inputs')}
    >
      <p className="jp-escape-Workflows-MissingInputs-title">
        {n
          ? trans._n(
              'This declared input does not exist:',
              'These %1 declared inputs do not exist:',
              n
            )
          : trans.__('Declared inputs do not exist.')}
      </p>
      {n > 0 && (
        <ul>
          {props.issues.map((issue, i) => {
            const { path, kind } = missingPath(issue);
            return (
              <li key={i}>
                <code>{path}</code>
                <span className="jp-escape-Workflows-MissingInputs-where">
                  {kind === 'directory'
                    ? trans.__('directory')
                    : kind === 'file'
                      ? trans.__('file')
                      : ''}
                  {issue.line ? ` · ${trans.__('line %1', issue.line)}` : ''}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {!n && props.message && <p>{props.message}</p>}
      <p>
        {trans._n(
          'REANA would run the workflow without it. Submit anyway only if the workflow does not need it; otherwise add it and check again.',
          'REANA would run the workflow without them. Submit anyway only if the workflow does not need them; otherwise add them and check again.',
          n === 1 ? 1 : 2
        )}
      </p>
    </div>
  );
}

/** Ask whether to submit a cell although inputs are missing; true for "Submit anyway". */
export async function confirmMissingInputs(
  trans: TranslationBundle,
  issues: IIssue[],
  message: string | null
): Promise<boolean> {
  const answer = await showDialog({
    title: trans.__('Inputs missing'),
    body: (
      <MissingInputsWarning issues={issues} message={message} trans={trans} />
    ),
    buttons: [
      Dialog.cancelButton(),
      Dialog.warnButton({ label: trans.__('Submit anyway') })
    ]
  });
  return answer.button.accept;
}
