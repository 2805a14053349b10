import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes } from '../../common/format';
import { useModel } from '../components/useModel';
import { Codemeta, CodemetaProblem, IPublishApi } from './api';
import {
  FormField,
  getAuthors,
  getList,
  getMaintainer,
  getText,
  IMaintainerRow,
  IPersonRow,
  LICENCES,
  licenceName,
  otherProblems,
  problemsOf,
  setAuthors,
  setList,
  setMaintainer,
  setText,
  splitList
} from './codemetaForm';
import { PublishModel } from './model';
import { TokenForm } from './TokenForm';
import { communityLabel } from './UploadsView';

/** Errors before warnings, each group in the server's order. */
export function errorsFirst(problems: CodemetaProblem[]): CodemetaProblem[] {
  return [
    ...problems.filter(p => p.level === 'error'),
    ...problems.filter(p => p.level !== 'error')
  ];
}

function Problems(props: { problems: CodemetaProblem[] }): JSX.Element | null {
  if (props.problems.length === 0) {
    return null;
  }
  return (
    <ul className="jp-escape-Publish-problems">
      {errorsFirst(props.problems).map((p, i) => (
        <li
          key={i}
          className={`jp-escape-Publish-problem jp-mod-${p.level}`}
          data-field={p.field}
        >
          {p.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * Problems about properties the form has no field for: the errors (they block the upload)
 * listed, the OSSR's suggestions folded under "N suggestions (optional)"; both say where to
 * act, since this form cannot (review s3 §3).
 */
function OtherProblems(props: {
  problems: CodemetaProblem[];
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  const errors = props.problems.filter(p => p.level === 'error');
  const warnings = props.problems.filter(p => p.level !== 'error');
  if (props.problems.length === 0) {
    return null;
  }
  return (
    <div className="jp-escape-Publish-other">
      {errors.length > 0 && (
        <>
          <p className="jp-escape-Publish-otherNote">
            {trans.__('Not in this form: edit codemeta.json in the folder.')}
          </p>
          <Problems problems={errors} />
        </>
      )}
      {warnings.length > 0 && (
        <details className="jp-escape-Publish-suggestions">
          <summary>
            {trans._n(
              '%1 suggestion (optional), not in this form: edit codemeta.json',
              '%1 suggestions (optional), not in this form: edit codemeta.json',
              warnings.length
            )}
          </summary>
          <Problems problems={warnings} />
        </details>
      )}
    </div>
  );
}

function Field(props: {
  label: string;
  name: string;
  problems: CodemetaProblem[];
  hint?: string;
  children: React.ReactNode;
}): JSX.Element {
  const level = props.problems.some(p => p.level === 'error')
    ? 'error'
    : props.problems.length
      ? 'warning'
      : 'ok';
  return (
    <div
      className={`jp-escape-Publish-field jp-mod-${level}`}
      data-field={props.name}
    >
      <label>
        <span className="jp-escape-Publish-label">{props.label}</span>
        {props.children}
      </label>
      {props.hint && (
        <span className="jp-escape-Publish-hint">{props.hint}</span>
      )}
      <Problems problems={props.problems} />
    </div>
  );
}

/** A text input that keeps its own text while typing and hands lists over on change. */
const OTHER_LICENCE = '\u0000other';

/**
 * The licence by its name (#21): the known open licences listed by name, stored as the SPDX URL
 * codemeta uses; any other licence typed as its SPDX URL and shown as written.
 */
function LicenceSelect(props: {
  value: string;
  onChange: (value: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { value, trans } = props;
  const known = LICENCES.includes(value);
  const [typing, setTyping] = React.useState(!known && value.trim() !== '');
  const other = typing || (!known && value.trim() !== '');
  return (
    <span className="jp-escape-Publish-licence">
      <select
        className="jp-mod-styled"
        aria-label={trans.__('Licence')}
        value={other ? OTHER_LICENCE : value}
        onChange={e => {
          if (e.target.value === OTHER_LICENCE) {
            setTyping(true);
            return;
          }
          setTyping(false);
          props.onChange(e.target.value);
        }}
      >
        <option value="">{trans.__('Choose a licence…')}</option>
        {LICENCES.map(url => (
          <option key={url} value={url}>
            {licenceName(url)}
          </option>
        ))}
        <option value={OTHER_LICENCE}>
          {other && value.trim()
            ? (licenceName(value) ?? trans.__('Another licence: %1', value))
            : trans.__('Another licence (its SPDX URL)…')}
        </option>
      </select>
      {other && (
        <input
          className="jp-mod-styled"
          aria-label={trans.__('Licence SPDX URL')}
          placeholder="https://spdx.org/licenses/…"
          value={value}
          onChange={e => props.onChange(e.target.value)}
        />
      )}
    </span>
  );
}

function ListInput(props: {
  value: string[];
  separator: string;
  onChange: (items: string[]) => void;
  multiline?: boolean;
  placeholder?: string;
}): JSX.Element {
  const joined = props.value.join(props.separator);
  const [text, setTextState] = React.useState(joined);
  const sent = React.useRef(joined);
  React.useEffect(() => {
    if (joined !== sent.current) {
      sent.current = joined; // changed from outside the input (a reload)
      setTextState(joined);
    }
  }, [joined]);
  const change = (value: string) => {
    setTextState(value);
    const items = splitList(
      value,
      props.separator === '\n' ? /\n/ : /,/
    ).filter(Boolean);
    sent.current = items.join(props.separator);
    props.onChange(items);
  };
  return props.multiline ? (
    <textarea
      className="jp-mod-styled"
      rows={3}
      value={text}
      placeholder={props.placeholder}
      onChange={e => change(e.target.value)}
    />
  ) : (
    <input
      className="jp-mod-styled"
      value={text}
      placeholder={props.placeholder}
      onChange={e => change(e.target.value)}
    />
  );
}

function Authors(props: {
  codemeta: Codemeta;
  problems: CodemetaProblem[];
  trans: TranslationBundle;
  onChange: (codemeta: Codemeta) => void;
}): JSX.Element {
  const { trans } = props;
  const rows = getAuthors(props.codemeta);
  const update = (next: IPersonRow[]) =>
    props.onChange(setAuthors(props.codemeta, next));
  const set = (index: number, key: keyof IPersonRow, value: string) =>
    update(rows.map((r, i) => (i === index ? { ...r, [key]: value } : r)));
  return (
    <fieldset className="jp-escape-Publish-authors" data-field="author">
      <legend>{trans.__('Creators')}</legend>
      {rows.map((row, index) => (
        <div
          className="jp-escape-Publish-person"
          key={index}
          data-index={index}
        >
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Given name of creator %1', index + 1)}
            placeholder={trans.__('Given name')}
            value={row.givenName}
            onChange={e => set(index, 'givenName', e.target.value)}
          />
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Family name of creator %1', index + 1)}
            placeholder={trans.__('Family name')}
            value={row.familyName}
            onChange={e => set(index, 'familyName', e.target.value)}
          />
          <input
            className="jp-mod-styled"
            aria-label={trans.__('ORCID of creator %1', index + 1)}
            placeholder={trans.__('ORCID iD (0000-0000-0000-0000)')}
            value={row.orcid}
            onChange={e => set(index, 'orcid', e.target.value)}
          />
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Affiliation of creator %1', index + 1)}
            placeholder={trans.__('Affiliation')}
            value={row.affiliation}
            onChange={e => set(index, 'affiliation', e.target.value)}
          />
          <button
            className="jp-mod-styled"
            title={trans.__('Remove creator %1', index + 1)}
            onClick={() => update(rows.filter((_, i) => i !== index))}
          >
            {trans.__('Remove')}
          </button>
          <Problems problems={problemsOf(props.problems, 'author', index)} />
        </div>
      ))}
      <button
        className="jp-mod-styled"
        onClick={() =>
          update([
            ...rows,
            { givenName: '', familyName: '', orcid: '', affiliation: '' }
          ])
        }
      >
        {trans.__('Add creator')}
      </button>
      <Problems problems={problemsOf(props.problems, 'author')} />
    </fieldset>
  );
}

/**
 * The maintainer the OSSR requires: the first creator unless the user edits it (typing in a
 * field stops following; the box brings the first creator back).
 */
function Maintainer(props: {
  codemeta: Codemeta;
  follows: boolean;
  problems: CodemetaProblem[];
  trans: TranslationBundle;
  onChange: (codemeta: Codemeta, options: ICodemetaChange) => void;
}): JSX.Element {
  const { trans, follows } = props;
  const row = getMaintainer(props.codemeta);
  const set = (key: keyof IMaintainerRow, value: string) =>
    props.onChange(setMaintainer(props.codemeta, { ...row, [key]: value }), {
      maintainer: 'edited'
    });
  const input = (key: keyof IMaintainerRow, label: string, hint: string) => (
    <input
      className="jp-mod-styled"
      aria-label={label}
      placeholder={hint}
      value={row[key]}
      onChange={e => set(key, e.target.value)}
    />
  );
  return (
    <fieldset
      className="jp-escape-Publish-authors jp-escape-Publish-maintainer"
      data-field="maintainer"
      data-follows={follows}
    >
      <legend>{trans.__('Maintainer')}</legend>
      <label className="jp-escape-Publish-follow">
        <input
          type="checkbox"
          checked={follows}
          onChange={e =>
            props.onChange(props.codemeta, {
              maintainer: e.target.checked ? 'follow' : 'edited'
            })
          }
        />{' '}
        {trans.__('Same as the first creator')}
      </label>
      <div className="jp-escape-Publish-person">
        {input(
          'givenName',
          trans.__('Given name of the maintainer'),
          trans.__('Given name')
        )}
        {input(
          'familyName',
          trans.__('Family name of the maintainer'),
          trans.__('Family name')
        )}
        {input(
          'orcid',
          trans.__('ORCID of the maintainer'),
          trans.__('ORCID iD (0000-0000-0000-0000)')
        )}
        {input(
          'affiliation',
          trans.__('Affiliation of the maintainer'),
          trans.__('Affiliation')
        )}
        {input(
          'email',
          trans.__('Email of the maintainer'),
          trans.__('Email (optional)')
        )}
      </div>
      <span className="jp-escape-Publish-hint">
        {trans.__(
          'The OSSR asks for the person who looks after this record; Zenodo lists them as contact person.'
        )}
      </span>
      <Problems problems={problemsOf(props.problems, 'maintainer')} />
    </fieldset>
  );
}

/** What a form change says about the maintainer (see PublishModel.setCodemeta). */
export interface ICodemetaChange {
  maintainer?: 'edited' | 'follow';
}

/** The codemeta form: every field with its problems next to it. */
export function CodemetaForm(props: {
  codemeta: Codemeta;
  problems: CodemetaProblem[];
  trans: TranslationBundle;
  onChange: (codemeta: Codemeta, options?: ICodemetaChange) => void;
  /** The maintainer follows the first creator. */
  maintainerFollows?: boolean;
}): JSX.Element {
  const { codemeta, problems, trans, onChange } = props;
  const of = (f: FormField) => problemsOf(problems, f);
  const text = (key: string, value: string) =>
    onChange(setText(codemeta, key, value));
  const version =
    getText(codemeta, 'softwareVersion') || getText(codemeta, 'version');
  return (
    <div className="jp-escape-Publish-form">
      <OtherProblems problems={otherProblems(problems)} trans={trans} />
      <Field label={trans.__('Title')} name="name" problems={of('name')}>
        <input
          className="jp-mod-styled"
          value={getText(codemeta, 'name')}
          onChange={e => text('name', e.target.value)}
        />
      </Field>
      <Authors
        codemeta={codemeta}
        problems={problems}
        trans={trans}
        onChange={onChange}
      />
      <Maintainer
        codemeta={codemeta}
        follows={!!props.maintainerFollows}
        problems={problems}
        trans={trans}
        onChange={onChange}
      />
      <Field
        label={trans.__('Description')}
        name="description"
        problems={of('description')}
      >
        <textarea
          className="jp-mod-styled"
          rows={4}
          value={getText(codemeta, 'description')}
          onChange={e => text('description', e.target.value)}
        />
      </Field>
      <Field
        label={trans.__('Licence')}
        name="license"
        problems={of('license')}
        hint={trans.__(
          'Stored in codemeta.json as its SPDX URL, e.g. https://spdx.org/licenses/MIT'
        )}
      >
        <LicenceSelect
          value={getText(codemeta, 'license')}
          onChange={value => text('license', value)}
          trans={trans}
        />
      </Field>
      <Field
        label={trans.__('Keywords')}
        name="keywords"
        problems={of('keywords')}
        hint={trans.__('Separated by commas')}
      >
        <ListInput
          value={getList(codemeta, 'keywords')}
          separator=", "
          onChange={items => onChange(setList(codemeta, 'keywords', items))}
        />
      </Field>
      <Field
        label={trans.__('Version')}
        name="softwareVersion"
        problems={of('softwareVersion')}
      >
        <input
          className="jp-mod-styled"
          value={version}
          onChange={e => text('softwareVersion', e.target.value)}
        />
      </Field>
      <Field
        label={trans.__('Repository')}
        name="codeRepository"
        problems={of('codeRepository')}
      >
        <input
          className="jp-mod-styled"
          value={getText(codemeta, 'codeRepository')}
          placeholder="https://gitlab.com/…"
          onChange={e => text('codeRepository', e.target.value)}
        />
      </Field>
      <fieldset className="jp-escape-Publish-related">
        <legend>{trans.__('Related identifiers')}</legend>
        <Field
          label={trans.__('README (URL)')}
          name="readme"
          problems={of('readme')}
        >
          <input
            className="jp-mod-styled"
            value={getText(codemeta, 'readme')}
            onChange={e => text('readme', e.target.value)}
          />
        </Field>
        <Field
          label={trans.__('References (URLs, one per line)')}
          name="citation"
          problems={of('citation')}
        >
          <ListInput
            multiline
            value={getList(codemeta, 'citation')}
            separator={'\n'}
            onChange={items => onChange(setList(codemeta, 'citation', items))}
          />
        </Field>
      </fieldset>
      <Field
        label={trans.__('Funding')}
        name="funding"
        problems={of('funding')}
        hint={trans.__(
          'Grant ids, separated by commas (e.g. 10.13039/501100000780::824064)'
        )}
      >
        <ListInput
          value={getList(codemeta, 'funding')}
          separator=", "
          onChange={items => onChange(setList(codemeta, 'funding', items))}
        />
      </Field>
    </div>
  );
}

/** The last part of a workspace path: "photon-tools" of "analysis/photon-tools". */
function folderName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() || path;
}

function Files(props: {
  model: PublishModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  const prep = props.model.preparation;
  if (!prep) {
    return null;
  }
  return (
    <section className="jp-escape-Publish-files" aria-label={trans.__('Files')}>
      <h3>{trans.__('What will be uploaded')}</h3>
      <p>
        {prep.mode === 'zip'
          ? trans.__(
              'A zip of %1: %2 files, %3 before compression.',
              folderName(prep.path),
              prep.files_count,
              formatBytes(prep.total_bytes)
            )
          : trans.__(
              '%1 files, %2.',
              prep.files_count,
              formatBytes(prep.total_bytes)
            )}
      </p>
      <ul className="jp-escape-Publish-fileList">
        {prep.files.map(f => (
          <li key={f.name}>
            {f.name}{' '}
            <span className="jp-escape-Publish-muted">
              {formatBytes(f.size)}
              {f.name === 'codemeta.json' &&
                (prep.mode === 'zip'
                  ? trans.__(
                      ' · your folder’s, unchanged in the zip (the form’s goes beside it)'
                    )
                  : trans.__(' · replaced by the form’s'))}
            </span>
          </li>
        ))}
        {prep.files_count > prep.files.length && (
          <li className="jp-escape-Publish-muted">
            {trans.__('… and %1 more', prep.files_count - prep.files.length)}
          </li>
        )}
      </ul>
      <p className="jp-escape-Publish-beside">
        {prep.mode === 'zip'
          ? trans.__('Beside the zip: codemeta.json (from this form).')
          : trans.__('Plus codemeta.json (from this form).')}
      </p>
      {prep.skipped_count > 0 && (
        <details className="jp-escape-Publish-skipped">
          <summary>{trans.__('Not uploaded: %1', prep.skipped_count)}</summary>
          <ul>
            {prep.skipped.map(s => (
              <li key={s.name}>
                {s.name}{' '}
                <span className="jp-escape-Publish-muted">— {s.reason}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function DraftSection(props: {
  model: PublishModel;
  trans: TranslationBundle;
  onOpenRecord: (recordId: string) => void;
}): JSX.Element | null {
  const { model, trans } = props;
  const job = model.job;
  const draft = model.draft;
  if (!job && !draft) {
    return null;
  }
  return (
    <section className="jp-escape-Publish-draft" aria-label={trans.__('Draft')}>
      {job && !draft && (
        <div className="jp-escape-Publish-job" data-state={job.state}>
          <strong>{trans.__('Draft job: %1', job.state)}</strong>{' '}
          {job.state === 'running' &&
            trans.__(
              '%1 of %2 files uploaded',
              job.items_done,
              job.items_total
            )}
          {job.message && <p>{job.message}</p>}
        </div>
      )}
      {draft && draft.status !== 'published' && (
        <div className="jp-escape-Publish-draftInfo">
          <p>
            {draft.status === 'editing'
              ? trans.__(
                  'Record %1 is open for editing on %2. Nothing changes publicly until you publish again.',
                  draft.id,
                  draft.sandbox ? trans.__('the Zenodo sandbox') : 'Zenodo'
                )
              : trans.__(
                  'Draft %1 is on %2 with %3 files. It stays private until you publish it.',
                  draft.id,
                  draft.sandbox ? trans.__('the Zenodo sandbox') : 'Zenodo',
                  draft.files.length
                )}
          </p>
          {model.dirty && (
            <p className="jp-escape-Publish-hint">
              {trans.__(
                'The form differs from the draft: save the metadata before publishing.'
              )}
            </p>
          )}
          <div className="jp-escape-Publish-buttons">
            <button
              className="jp-mod-styled"
              disabled={
                !model.dirty ||
                model.errors.length > 0 ||
                model.checking ||
                model.busy !== null
              }
              onClick={() => void model.saveMetadata()}
            >
              {trans.__('Save metadata to the draft')}
            </button>
            <button
              className="jp-mod-styled jp-mod-accept"
              disabled={!model.canPublish}
              onClick={() => void model.publish()}
            >
              {trans.__('Publish…')}
            </button>
            <button
              className="jp-mod-styled jp-mod-warn"
              disabled={model.busy !== null}
              onClick={() => void model.discard()}
            >
              {draft.status === 'editing'
                ? trans.__('Discard changes')
                : trans.__('Discard draft')}
            </button>
            {draft.html && (
              <a href={draft.html} target="_blank" rel="noopener noreferrer">
                {trans.__('Open on Zenodo')}
              </a>
            )}
          </div>
        </div>
      )}
      {draft && draft.status === 'published' && (
        <div className="jp-escape-Publish-done" role="status">
          <p>
            {trans.__('Published. DOI:')}{' '}
            <code className="jp-escape-Publish-doi">{draft.doi}</code>
          </p>
          <p>{draft.community.slug ? communityLabel(draft, trans) : ''}</p>
          <div className="jp-escape-Publish-buttons">
            {draft.record_id && (
              <button
                className="jp-mod-styled jp-mod-accept"
                onClick={() => props.onOpenRecord(draft.record_id!)}
              >
                {trans.__('Show in the Software Catalogue')}
              </button>
            )}
            {draft.html && (
              <a href={draft.html} target="_blank" rel="noopener noreferrer">
                {trans.__('Open on Zenodo')}
              </a>
            )}
          </div>
        </div>
      )}
      {model.discarded && !draft && (
        <p>{trans.__('The draft was discarded.')}</p>
      )}
    </section>
  );
}

/** The publish panel: token, codemeta form with problems, files, draft, publish. */
export function PublishPanel(props: {
  model: PublishModel;
  api: IPublishApi;
  trans: TranslationBundle;
  onOpenRecord: (recordId: string) => void;
}): JSX.Element {
  const { model, trans } = props;
  useModel(model);
  const prep = model.preparation;
  const errors = model.errors.length;
  const warnings = model.problems.length - errors;
  return (
    <div className="jp-escape-Publish">
      <h2>{trans.__('Publish to the OSSR')}</h2>
      <p className="jp-escape-Publish-muted">
        {model.editOf
          ? trans.__(
              'Edit the metadata of record %1 with %2',
              model.editOf,
              model.path
            )
          : model.recordId
            ? trans.__(
                'New version of record %1 from %2',
                model.recordId,
                model.path
              )
            : model.path}
        {model.identity?.stored && model.identity.sandbox && (
          <span className="jp-escape-Publish-sandbox">
            {trans.__('sandbox')}
          </span>
        )}
      </p>
      <TokenForm
        api={props.api}
        identity={model.identity}
        trans={trans}
        onChanged={identity => model.setIdentity(identity)}
      />
      {model.error && <ErrorBanner message={model.error} />}
      {model.loading && <p>{trans.__('Reading the folder…')}</p>}
      {prep && (
        <>
          <section aria-label={trans.__('Metadata')}>
            <h3>{trans.__('Metadata (codemeta.json)')}</h3>
            <p className="jp-escape-Publish-muted">
              {prep.source === 'file'
                ? trans.__(
                    'Read from codemeta.json. Changes here are uploaded, not written to your folder.'
                  )
                : trans.__(
                    'There is no codemeta.json: this one was generated from what the folder holds. Complete it; it is uploaded as codemeta.json (your folder is not changed).'
                  )}
            </p>
            <p
              className="jp-escape-Publish-summary"
              role="status"
              data-errors={errors}
            >
              {model.checking
                ? trans.__('Checking…')
                : errors
                  ? warnings
                    ? trans.__(
                        '%1 to fix before uploading; %2 (optional)',
                        trans._n('%1 error', '%1 errors', errors),
                        trans._n('%1 suggestion', '%1 suggestions', warnings)
                      )
                    : trans._n(
                        '%1 error to fix before uploading',
                        '%1 errors to fix before uploading',
                        errors
                      )
                  : warnings
                    ? trans._n(
                        'Ready to upload (%1 optional suggestion)',
                        'Ready to upload (%1 optional suggestions)',
                        warnings
                      )
                    : trans.__('Ready to upload')}
            </p>
            <CodemetaForm
              codemeta={model.codemeta}
              problems={model.problems}
              trans={trans}
              maintainerFollows={model.maintainerFollows}
              onChange={(c, options) => model.setCodemeta(c, options)}
            />
          </section>
          {!model.editOf && <Files model={model} trans={trans} />}
          <div className="jp-escape-Publish-buttons">
            {model.editOf ? (
              <button
                className="jp-mod-styled jp-mod-accept"
                disabled={
                  !!model.draft ||
                  errors > 0 ||
                  model.checking ||
                  model.busy !== null
                }
                onClick={() => void model.openForEditing()}
              >
                {trans.__('Open for editing')}
              </button>
            ) : model.draft ? null : (
              <button
                className="jp-mod-styled jp-mod-accept"
                disabled={!model.canCreateDraft}
                onClick={() => void model.createDraft()}
              >
                {trans.__('Create draft')}
              </button>
            )}
            {!model.identity?.stored && (
              <span className="jp-escape-Publish-hint">
                {trans.__('Save a Zenodo token first.')}
              </span>
            )}
          </div>
          <DraftSection
            model={model}
            trans={trans}
            onOpenRecord={props.onOpenRecord}
          />
        </>
      )}
    </div>
  );
}
