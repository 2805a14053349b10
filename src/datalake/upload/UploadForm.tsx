import { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatBytes, formatCount } from '../../common/format';
import { useSignal } from '../../common/useSignal';
import { IUploadPlan, IUploadRse } from './api';
import { UploadDialogModel } from './model';

/** How many files the dialog lists with their names; the summary counts them all. */
export const FILES_SHOWN = 200;

/** "1.2 GB of 10 GB used", "unlimited", "no quota": an RSE's room for this account. */
export function quotaText(rse: IUploadRse, trans: TranslationBundle): string {
  if (rse.unlimited) {
    return trans.__('unlimited quota, %1 used', formatBytes(rse.used));
  }
  if (rse.limit === null) {
    return trans.__('no quota');
  }
  return trans.__(
    '%1 free of %2',
    formatBytes(rse.remaining ?? Math.max(0, rse.limit - rse.used)),
    formatBytes(rse.limit)
  );
}

/** The option text of an RSE in the list. */
export function rseLabel(rse: IUploadRse, trans: TranslationBundle): string {
  return rse.writable
    ? `${rse.rse} — ${quotaText(rse, trans)}`
    : `${rse.rse} — ${rse.why_not ?? trans.__('not writable')}`;
}

/**
 * Every RSE offered, with this account's usage and quota there and whether it may write: the
 * choice made with the figures in sight, not only for the chosen RSE.
 */
export function RseQuotas(props: {
  rses: IUploadRse[];
  chosen: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { rses, chosen, trans } = props;
  return (
    <table
      className="jp-escape-Upload-quotas"
      aria-label={trans.__('Quota on the RSEs offered')}
    >
      <thead>
        <tr>
          <th scope="col">{trans.__('RSE')}</th>
          <th scope="col">{trans.__('Used')}</th>
          <th scope="col">{trans.__('Quota')}</th>
          <th scope="col">{trans.__('Writes')}</th>
        </tr>
      </thead>
      <tbody>
        {rses.map(r => (
          <tr
            key={r.rse}
            className={r.rse === chosen ? 'jp-mod-selected' : undefined}
            aria-current={r.rse === chosen ? 'true' : undefined}
          >
            <th scope="row">{r.rse}</th>
            <td>{formatBytes(r.used)}</td>
            <td>{quotaText(r, trans)}</td>
            {/* The only reason an RSE cannot be chosen: in the normal text colour and size. */}
            <td className={r.writable ? undefined : 'jp-escape-Upload-whyNot'}>
              {r.writable
                ? trans.__('yes')
                : (r.why_not ?? trans.__('not writable'))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "No expiry", "30 days": a lifetime in seconds. */
export function lifetimeText(
  seconds: number | null,
  trans: TranslationBundle
): string {
  if (!seconds) {
    return trans.__('no expiry');
  }
  const days = seconds / 86400;
  return days >= 1
    ? trans._n('%1 day', '%1 days', Math.round(days * 10) / 10)
    : trans._n('%1 hour', '%1 hours', Math.round(seconds / 3600));
}

/** What the plan will create, in one sentence per thing. */
export function planSentences(
  plan: IUploadPlan,
  trans: TranslationBundle
): string[] {
  const files = trans._n('%1 file', '%1 files', plan.files_total);
  const out = [
    trans.__(
      '%1 (%2) into %3 on %4',
      files,
      formatBytes(plan.bytes_total),
      plan.scope,
      plan.rse
    )
  ];
  const existing = plan.files.filter(f => f.exists).length;
  if (existing) {
    out.push(
      trans._n(
        '%1 file is registered already: skipped if its checksum matches',
        '%1 files are registered already: skipped if their checksums match',
        existing
      )
    );
  }
  if (plan.dataset) {
    const did = `${plan.dataset.scope}:${plan.dataset.name}`;
    out.push(
      plan.dataset.new
        ? trans.__('New dataset %1 holding them', did)
        : trans.__('Attached to the existing dataset %1', did)
    );
  }
  if (plan.container) {
    out.push(
      trans.__(
        'Dataset attached to the container %1:%2',
        plan.container.scope,
        plan.container.name
      )
    );
  }
  out.push(
    trans.__(
      'Rule: %1 on %2, %3',
      trans._n('%1 copy', '%1 copies', plan.copies),
      plan.rse_expression,
      lifetimeText(plan.lifetime, trans)
    )
  );
  // Each key with the value the user gave: "datatype = results" (the value was left out).
  const meta = Object.entries(plan.meta ?? {});
  if (meta.length) {
    out.push(
      trans.__(
        'Metadata: %1',
        meta.map(([key, value]) => `${key} = ${String(value)}`).join(', ')
      )
    );
  }
  return out;
}

function Field(props: {
  label: string;
  htmlFor: string;
  children: React.ReactNode;
  hint?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-escape-Upload-field">
      <label htmlFor={props.htmlFor}>{props.label}</label>
      <div className="jp-escape-Upload-control">
        {props.children}
        {props.hint && (
          <div className="jp-escape-Upload-hint jp-escape-muted">
            {props.hint}
          </div>
        )}
      </div>
    </div>
  );
}

function Summary(props: {
  model: UploadDialogModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const plan = model.plan;
  const local = model.localProblems;
  return (
    <section
      className="jp-escape-Upload-summary"
      aria-label={trans.__('What will be created')}
      aria-busy={model.checking}
    >
      <h3>
        {trans.__('What will be created')}
        {model.checking && (
          <span className="jp-escape-muted"> · {trans.__('checking…')}</span>
        )}
      </h3>
      {model.checkError && (
        <p className="jp-escape-Upload-problem" role="alert">
          {model.checkError}
        </p>
      )}
      {plan && (
        <ul className="jp-escape-Upload-plan">
          {planSentences(plan, trans).map(text => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      )}
      {plan && plan.skipped.length > 0 && (
        <details className="jp-escape-Upload-skipped">
          <summary>
            {trans._n(
              '%1 path left out',
              '%1 paths left out',
              plan.skipped.length
            )}
          </summary>
          <ul>
            {plan.skipped.map(s => (
              <li key={s.path}>
                <span className="jp-escape-mono">{s.path}</span>: {s.why}
              </li>
            ))}
          </ul>
        </details>
      )}
      {(plan?.problems.length || local.length) > 0 && (
        <ul
          className="jp-escape-Upload-problems"
          aria-label={trans.__('Problems')}
        >
          {local.map(p => (
            <li key={`local:${p.message}`} className="jp-escape-Upload-problem">
              {p.message}
            </li>
          ))}
          {plan?.problems.map(p => (
            <li
              key={`${p.code}:${p.path ?? ''}:${p.message}`}
              className="jp-escape-Upload-problem"
            >
              {p.message}
            </li>
          ))}
        </ul>
      )}
      {plan && plan.warnings.length > 0 && (
        <ul
          className="jp-escape-Upload-warnings"
          aria-label={trans.__('Warnings')}
        >
          {plan.warnings.map(w => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {plan?.verification && (
        <p className="jp-escape-muted">
          {trans.__('Verification: %1.', plan.verification)}
        </p>
      )}
      {model.startError && (
        <p className="jp-escape-Upload-problem" role="alert">
          {model.startError}
        </p>
      )}
      {!model.canStart && (
        // JupyterLab's Dialog disables its accept button while this is inside it.
        <span className="jp-mod-error jp-escape-Upload-blocked" hidden />
      )}
    </section>
  );
}

function Files(props: {
  model: UploadDialogModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  const plan = model.plan;
  if (!plan || plan.files.length === 0) {
    return null;
  }
  const shown = plan.files.slice(0, FILES_SHOWN);
  return (
    <details className="jp-escape-Upload-files" open={plan.files.length <= 8}>
      <summary>
        {trans.__(
          'DID names (%1 files, %2)',
          formatCount(plan.files_total),
          formatBytes(plan.bytes_total)
        )}
      </summary>
      {/* The names scroll in a box of their own: nothing sits over the last one. */}
      <div className="jp-escape-Upload-filesBox">
        <table>
          <thead>
            <tr>
              <th>{trans.__('File')}</th>
              <th>{trans.__('DID name in %1', plan.scope)}</th>
              <th>{trans.__('Size')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(file => (
              <tr key={file.path}>
                <td className="jp-escape-mono" title={file.path}>
                  {file.path}
                </td>
                <td>
                  <input
                    className="jp-mod-styled jp-escape-mono"
                    aria-label={trans.__('DID name of %1', file.path)}
                    value={model.nameOf(file.path)}
                    onChange={e => model.setName(file.path, e.target.value)}
                  />
                  {file.note && (
                    <div className="jp-escape-muted">{file.note}</div>
                  )}
                </td>
                <td className="jp-escape-muted">{formatBytes(file.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {plan.files.length > shown.length && (
        <p className="jp-escape-muted">
          {trans.__(
            'The first %1 files are listed; the others keep their default names.',
            shown.length
          )}
        </p>
      )}
    </details>
  );
}

/**
 * The body of "Upload to the Data Lake…": every choice of the upload, and a live summary of what the
 * server would create (its plan, its problems and warnings as written). Props in, the model
 * changes through its setters.
 */
export function UploadForm(props: {
  model: UploadDialogModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignal(model.changed);
  const node = React.useRef<HTMLDivElement>(null);
  const canStart = model.canStart;
  React.useEffect(() => {
    // The Dialog looks for `.jp-mod-error` on `input` events; our answers come later.
    node.current?.dispatchEvent(new Event('input', { bubbles: true }));
  }, [canStart]);

  const options = model.options;
  if (model.optionsError) {
    return (
      <div className="jp-escape-Upload" ref={node}>
        <p className="jp-escape-Upload-problem" role="alert">
          {model.optionsError}
        </p>
        <span className="jp-mod-error" hidden />
      </div>
    );
  }
  if (!options) {
    return (
      <div className="jp-escape-Upload" ref={node}>
        <p className="jp-escape-muted">{trans.__('Asking Rucio…')}</p>
        <span className="jp-mod-error" hidden />
      </div>
    );
  }
  const metaKeys = options.meta_keys ?? [];
  const conventions = options.meta_conventions ?? [];
  const what =
    model.paths.length === 1
      ? model.paths[0]
      : trans.__('%1 items', model.paths.length);
  return (
    <div className="jp-escape-Upload" ref={node}>
      <p className="jp-escape-Upload-intro">
        {trans.__('Upload %1 as Rucio account %2.', what, options.account)}
      </p>
      <Field label={trans.__('Scope')} htmlFor="jp-escape-upload-scope">
        <select
          id="jp-escape-upload-scope"
          className="jp-mod-styled"
          value={model.scope}
          onChange={e => model.setScope(e.target.value)}
        >
          <optgroup label={trans.__('Scopes of %1', options.account)}>
            {options.scopes.map(s => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </optgroup>
          {(options.other_scopes ?? []).length > 0 && (
            <optgroup
              label={trans.__('Other scopes (their owner or an admin)')}
            >
              {options.other_scopes!.map(s => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </Field>
      <Field label={trans.__('Destination RSE')} htmlFor="jp-escape-upload-rse">
        <select
          id="jp-escape-upload-rse"
          className="jp-mod-styled"
          value={model.rse}
          onChange={e => model.setRse(e.target.value)}
        >
          {options.rses.map(r => (
            <option
              key={r.rse}
              value={r.rse}
              disabled={!r.writable}
              title={r.why_not ?? undefined}
            >
              {rseLabel(r, trans)}
            </option>
          ))}
        </select>
      </Field>
      <RseQuotas rses={options.rses} chosen={model.rse} trans={trans} />
      <fieldset className="jp-escape-Upload-dataset">
        <legend>{trans.__('Dataset')}</legend>
        <div
          role="radiogroup"
          aria-label={trans.__('Dataset')}
          className="jp-escape-Upload-radios"
        >
          <label>
            <input
              type="radio"
              name="jp-escape-upload-dataset"
              checked={model.datasetMode === 'new'}
              onChange={() => model.setDatasetMode('new')}
            />
            {trans.__('New dataset')}
          </label>
          <label>
            <input
              type="radio"
              name="jp-escape-upload-dataset"
              checked={model.datasetMode === 'existing'}
              onChange={() => model.setDatasetMode('existing')}
            />
            {trans.__('Existing dataset')}
          </label>
          {model.datasetOptional && (
            <label>
              <input
                type="radio"
                name="jp-escape-upload-dataset"
                checked={model.datasetMode === 'none'}
                onChange={() => model.setDatasetMode('none')}
              />
              {trans.__('No dataset')}
            </label>
          )}
        </div>
        {model.datasetMode !== 'none' && (
          <Field
            label={trans.__('Dataset name')}
            htmlFor="jp-escape-upload-dataset-name"
          >
            <input
              id="jp-escape-upload-dataset-name"
              className="jp-mod-styled jp-escape-mono"
              value={model.dataset}
              placeholder={trans.__('name in %1', model.scope)}
              onChange={e => model.setDataset(e.target.value)}
            />
          </Field>
        )}
        {model.datasetMode !== 'none' && (
          <Field
            label={trans.__('Container (optional)')}
            htmlFor="jp-escape-upload-container"
          >
            <input
              id="jp-escape-upload-container"
              className="jp-mod-styled jp-escape-mono"
              value={model.container}
              onChange={e => model.setContainer(e.target.value)}
            />
          </Field>
        )}
      </fieldset>
      <div className="jp-escape-Upload-row">
        <Field
          label={trans.__('Lifetime (days)')}
          htmlFor="jp-escape-upload-lifetime"
          hint={trans.__('empty: no expiry')}
        >
          <input
            id="jp-escape-upload-lifetime"
            className="jp-mod-styled"
            inputMode="decimal"
            value={model.lifetimeDays}
            onChange={e => model.setLifetimeDays(e.target.value)}
          />
        </Field>
        <Field label={trans.__('Copies')} htmlFor="jp-escape-upload-copies">
          <input
            id="jp-escape-upload-copies"
            className="jp-mod-styled"
            type="number"
            min={1}
            max={10}
            value={model.copies}
            onChange={e => model.setCopies(Number(e.target.value))}
          />
        </Field>
      </div>
      <fieldset className="jp-escape-Upload-meta">
        <legend>{trans.__('Metadata')}</legend>
        <datalist id="jp-escape-upload-meta-keys">
          {metaKeys.map(k => (
            <option key={k} value={k} />
          ))}
        </datalist>
        {model.meta.map((row, index) => (
          <div className="jp-escape-Upload-metaRow" key={index}>
            <input
              className="jp-mod-styled"
              list="jp-escape-upload-meta-keys"
              aria-label={trans.__('Metadata key %1', index + 1)}
              placeholder={trans.__('key')}
              value={row.key}
              onChange={e =>
                model.setMeta(index, { ...row, key: e.target.value })
              }
            />
            <input
              className="jp-mod-styled"
              aria-label={trans.__('Metadata value %1', index + 1)}
              placeholder={trans.__('value')}
              value={row.value}
              onChange={e =>
                model.setMeta(index, { ...row, value: e.target.value })
              }
            />
            <button
              className="jp-escape-iconButton"
              aria-label={trans.__('Remove metadata %1', index + 1)}
              title={trans.__('Remove')}
              onClick={() => model.removeMeta(index)}
            >
              <closeIcon.react tag="span" />
            </button>
          </div>
        ))}
        <button
          className="jp-escape-linkButton"
          onClick={() => model.addMeta()}
        >
          {trans.__('Add metadata')}
        </button>
        {conventions.length > 0 && (
          <div className="jp-escape-muted">
            {trans.__(
              'Keys with conventions on this server: %1',
              conventions.join(', ')
            )}
          </div>
        )}
      </fieldset>
      <Files model={model} trans={trans} />
      <Summary model={model} trans={trans} />
    </div>
  );
}
