/**
 * The Data Lake inputs of a submission: for each DID, the mode the server chose and why, and
 * the consent dialog for the inputs the workflow reads from the lake with the user's identity.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatBytes } from '../../common/format';
import { StatusBadge } from '../../common/StatusBadge';
import { EscapeRequestError } from '../../request';

/** The code of a submission that needs the user's consent to set their Rucio identity. */
export const LAKE_CONSENT = 'reana_lake_consent';

/** What a cell output keeps of each input: no file list, never a secret. */
export interface ILakeInputSummary {
  param: string;
  did: string;
  mode: string;
  why: string;
  path?: string | null;
  bytes?: number;
  files?: number;
  bytes_complete?: boolean;
}

export function lakeSummary(inputs: unknown): ILakeInputSummary[] {
  if (!Array.isArray(inputs)) {
    return [];
  }
  return inputs
    .filter(i => i && typeof i === 'object')
    .slice(0, 20)
    .map((i: any) => ({
      param: String(i.param ?? '').slice(0, 64),
      did: String(i.did ?? '').slice(0, 300),
      mode: i.mode === 'lake' ? 'lake' : 'stream',
      why: String(i.why ?? '').slice(0, 500),
      path: typeof i.path === 'string' ? i.path.slice(0, 300) : null,
      bytes: typeof i.bytes === 'number' ? i.bytes : undefined,
      files: typeof i.files === 'number' ? i.files : undefined,
      bytes_complete: i.bytes_complete !== false
    }));
}

export function isLakeConsentRefusal(reason: unknown): boolean {
  return reason instanceof EscapeRequestError && reason.code === LAKE_CONSENT;
}

/** Each input with its mode and the server's reason. */
export function LakeInputsView(props: {
  inputs: ILakeInputSummary[];
  trans?: TranslationBundle;
}): JSX.Element | null {
  const trans = props.trans ?? nullTranslator.load('jupyterlab_escape');
  if (!props.inputs.length) {
    return null;
  }
  return (
    <div
      className="jp-escape-Workflows-Lake"
      role="group"
      aria-label={trans.__('Data Lake inputs')}
    >
      <p className="jp-escape-Workflows-Lake-title">
        {trans.__('Data Lake inputs')}
      </p>
      <ul>
        {props.inputs.map(input => (
          <li key={input.param} className="jp-escape-Workflows-Lake-input">
            <div className="jp-escape-Workflows-Lake-line">
              <code>{input.param}</code>
              <span className="jp-escape-mono" title={input.did}>
                {input.did}
              </span>
              <StatusBadge
                kind={input.mode === 'lake' ? 'idle' : 'ok'}
                label={
                  input.mode === 'lake'
                    ? trans.__('read by the workflow from the lake')
                    : trans.__('streamed into the inputs')
                }
              />
              {input.bytes !== undefined && (
                <span className="jp-escape-muted">
                  {input.bytes_complete
                    ? formatBytes(input.bytes)
                    : trans.__('over %1', formatBytes(input.bytes))}
                </span>
              )}
            </div>
            <p className="jp-escape-muted jp-escape-Workflows-Lake-why">
              {input.why}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The secrets the server names, in groups a reader can judge: what each one hands over. */
export interface ISecretGroup {
  label: string;
  names: string[];
}

/**
 * The server's sentence cut into what it says: the reason (which DIDs, which host) and the
 * secret names; null when it is not the sentence we know (then it is shown as written).
 */
export function consentParts(
  message: string
): { lead: string; secrets: string[] } | null {
  const match =
    /^([\s\S]*?),?\s*set as REANA secrets \(([^;)]*)(?:;[^)]*)?\)\.?\s*(?:Agree to that \(lake_consent\) to submit\.)?\s*$/.exec(
      message
    );
  if (!match) {
    return null;
  }
  const secrets = match[2]
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
  return secrets.length ? { lead: match[1].trim(), secrets } : null;
}

/** Where the lake is, who you are, and what proves it (the password or token). */
export function secretGroups(
  names: string[],
  trans: TranslationBundle
): ISecretGroup[] {
  const where: string[] = [];
  const who: string[] = [];
  const proof: string[] = [];
  for (const name of names) {
    if (
      /PASSWORD|TOKEN|CFG_CLIENT_USERNAME/.test(name) ||
      !/^[A-Z0-9_]+$/.test(name)
    ) {
      proof.push(name);
    } else if (/HOST$/.test(name)) {
      where.push(name);
    } else {
      who.push(name);
    }
  }
  return [
    { label: trans.__('Your sign-in (password or token)'), names: proof },
    { label: trans.__('Your Rucio account'), names: who },
    { label: trans.__('Where the Data Lake is'), names: where }
  ].filter(group => group.names.length);
}

export function LakeConsentBody(props: {
  message: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { message, trans } = props;
  const parts = consentParts(message);
  return (
    <div className="jp-escape-Workflows-LakeConsent">
      {parts ? (
        <>
          <p>{parts.lead.replace(/[.:]?$/, '.')}</p>
          <p>
            {trans.__(
              'Agreeing sets these REANA secrets (any you already have with these names are replaced):'
            )}
          </p>
          <ul
            className="jp-escape-Workflows-LakeConsent-secrets"
            aria-label={trans.__('Secrets set in REANA')}
          >
            {secretGroups(parts.secrets, trans).map(group => (
              <li key={group.label}>
                <span className="jp-escape-Workflows-LakeConsent-group">
                  {group.label}
                </span>
                <ul>
                  {group.names.map(name => (
                    <li key={name}>
                      <code>{name}</code>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>
          {/* The server's sentence, less its last words for API callers. */}
          {message.replace(
            /\s*Agree to that \(lake_consent\) to submit\.\s*$/,
            ''
          )}
        </p>
      )}
      <p className="jp-escape-muted">
        {trans.__(
          'REANA keeps secrets per user: every workflow you run there can use them. You can delete them in the REANA Secrets view.'
        )}
      </p>
    </div>
  );
}

/**
 * Ask before the user's Rucio identity is set as REANA secrets: the server's reason and the
 * secrets it would set, grouped. The focused (default) button is Cancel: Enter never hands the
 * identity over. True when the user agrees.
 */
export async function confirmLakeConsent(
  trans: TranslationBundle,
  message: string
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Let the workflow read the Data Lake as you?'),
    body: <LakeConsentBody message={message} trans={trans} />,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Set secrets and submit') })
    ],
    defaultButton: 0
  });
  return result.button.accept;
}
