/**
 * The Provenance view of a notebook: inputs → workflows → outputs → software, each entry a link
 * into the panel that shows it, and the RO-Crate export with "Publish to the OSSR…".
 *
 * Everything shown comes from the notebook's metadata: text in React elements (never HTML), and
 * the links only pass recorded names to our own commands, which check them again.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { formatBytes, formatTime } from '../../common/format';
import { useSignal } from '../../common/useSignal';
import { ProvenanceModel } from '../model';
import {
  IProvenanceDidProduced,
  IProvenanceDidUsed,
  IProvenanceSoftware,
  IProvenanceWorkflow
} from '../records';

export interface IProvenanceActions {
  openDid: (did: string, instance: string) => void;
  openWorkflow: (id: string) => void;
  openRecord: (recordId: string) => void;
  openFile: (path: string) => void;
  publish: (folder: string) => void;
}

function Checksums(props: {
  entry: { adler32: string | null; md5: string | null; bytes: number | null };
}): JSX.Element | null {
  const { adler32, md5, bytes } = props.entry;
  // the suite's one size formatter (SI units, as Rucio and the Data Lake panel show them)
  const size =
    bytes === null || bytes === undefined ? null : formatBytes(bytes);
  if (!adler32 && !md5 && !size) {
    return null;
  }
  return (
    <dl className="jp-escape-Provenance-facts">
      {size && (
        <>
          <dt>size</dt>
          <dd>{size}</dd>
        </>
      )}
      {adler32 && (
        <>
          <dt>adler32</dt>
          <dd>
            <code>{adler32}</code>
          </dd>
        </>
      )}
      {md5 && (
        <>
          <dt>md5</dt>
          <dd>
            <code>{md5}</code>
          </dd>
        </>
      )}
    </dl>
  );
}

/** A DID the user gave (or an upload made), with the files recorded as part of it. */
export interface IDidGroup<T> {
  entry: T;
  members: T[];
}

function didKey(entry: { instance: string; scope: string; name: string }) {
  return `${entry.instance}|${entry.scope}:${entry.name}`;
}

/**
 * The inputs as the user gave them: a dataset's (or container's) streamed or fetched files go
 * under it (a file whose recorded path lies inside the dataset's path, on the same instance; the
 * deepest one when they nest), so "Inputs (1)" counts the one DID given, not its 20 files.
 */
export function groupUsed(
  entries: IProvenanceDidUsed[]
): IDidGroup<IProvenanceDidUsed>[] {
  const parents = entries.filter(
    e => e.type !== 'file' && typeof e.path === 'string' && e.path !== ''
  );
  const parentOf = new Map<IProvenanceDidUsed, IProvenanceDidUsed>();
  for (const entry of entries) {
    if (entry.type !== 'file' || !entry.path) {
      continue;
    }
    let best: IProvenanceDidUsed | null = null;
    for (const parent of parents) {
      if (
        parent.instance === entry.instance &&
        entry.path.startsWith(`${parent.path}/`) &&
        (!best || parent.path!.length > best.path!.length)
      ) {
        best = parent;
      }
    }
    if (best) {
      parentOf.set(entry, best);
    }
  }
  return group(entries, parentOf);
}

/** The outputs: each uploaded file under the dataset it was attached to, when that is listed. */
export function groupProduced(
  entries: IProvenanceDidProduced[]
): IDidGroup<IProvenanceDidProduced>[] {
  const datasets = new Map(
    entries
      .filter(e => e.type !== 'file')
      .map(e => [`${e.instance}|${e.scope}:${e.name}`, e])
  );
  const parentOf = new Map<IProvenanceDidProduced, IProvenanceDidProduced>();
  for (const entry of entries) {
    const parent = entry.dataset
      ? datasets.get(`${entry.instance}|${entry.dataset}`)
      : undefined;
    if (entry.type === 'file' && parent && parent !== entry) {
      parentOf.set(entry, parent);
    }
  }
  return group(entries, parentOf);
}

function group<T>(entries: T[], parentOf: Map<T, T>): IDidGroup<T>[] {
  const groups = new Map<T, IDidGroup<T>>();
  for (const entry of entries) {
    if (!parentOf.has(entry)) {
      groups.set(entry, { entry, members: [] });
    }
  }
  for (const [member, parent] of parentOf) {
    groups.get(parent)?.members.push(member);
  }
  return [...groups.values()];
}

function Did(props: {
  entry: IProvenanceDidUsed | IProvenanceDidProduced;
  actions: IProvenanceActions;
  trans: TranslationBundle;
  extra?: React.ReactNode;
  members?: (IProvenanceDidUsed | IProvenanceDidProduced)[];
}): JSX.Element {
  const { entry, actions, trans } = props;
  const members = props.members ?? [];
  const did = `${entry.scope}:${entry.name}`;
  return (
    <li className="jp-escape-Provenance-item">
      <button
        className="jp-escape-Provenance-link"
        title={trans.__('Show %1 in the Data Lake panel', did)}
        onClick={() => actions.openDid(did, entry.instance)}
      >
        {did}
      </button>
      <span className="jp-escape-Provenance-kind">{entry.type}</span>
      <Checksums entry={entry} />
      {props.extra}
      {members.length > 0 && (
        // Collapsed: the DID given is the fact; its files (with checksums) on demand.
        <details className="jp-escape-Provenance-members">
          <summary>
            {trans._n('%1 file in it', '%1 files in it', members.length)}
          </summary>
          <ul className="jp-escape-Provenance-list">
            {members.map(member => (
              <Did
                key={didKey(member)}
                entry={member}
                actions={actions}
                trans={trans}
              />
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

function Workflow(props: {
  run: IProvenanceWorkflow;
  actions: IProvenanceActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, actions, trans } = props;
  const parameters = Object.entries(run.parameters ?? {});
  return (
    <li className="jp-escape-Provenance-item">
      <button
        className="jp-escape-Provenance-link"
        title={trans.__(
          'Open run %1.%2 in the workflows view',
          run.name,
          run.run_number
        )}
        onClick={() => actions.openWorkflow(run.id)}
      >
        {`${run.name}.${run.run_number}`}
      </button>
      <span
        className={`jp-escape-Provenance-status jp-escape-Provenance-status-${run.status}`}
      >
        {run.status}
      </span>
      <dl className="jp-escape-Provenance-facts">
        {run.engine && (
          <>
            <dt>{trans.__('engine')}</dt>
            <dd>{run.engine}</dd>
          </>
        )}
        {run.started && (
          <>
            <dt>{trans.__('started')}</dt>
            <dd>{formatTime(run.started)}</dd>
          </>
        )}
        {run.finished && (
          <>
            <dt>{trans.__('ended')}</dt>
            <dd>{formatTime(run.finished)}</dd>
          </>
        )}
        {run.spec_sha256 && (
          <>
            <dt>{trans.__('spec sha256')}</dt>
            <dd>
              <code title={run.spec_sha256}>
                {run.spec_sha256.slice(0, 16)}…
              </code>
            </dd>
          </>
        )}
        {run.spec_path && (
          <>
            <dt>{trans.__('spec')}</dt>
            <dd>{run.spec_path}</dd>
          </>
        )}
        {parameters.length > 0 && (
          <>
            <dt>{trans.__('parameters')}</dt>
            <dd>
              {parameters
                .map(
                  ([k, v]) =>
                    `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`
                )
                .join(', ')}
            </dd>
          </>
        )}
        {(run.inputs ?? []).length > 0 && (
          <>
            <dt>{trans.__('inputs')}</dt>
            <dd>{(run.inputs ?? []).join(', ')}</dd>
          </>
        )}
      </dl>
    </li>
  );
}

function Software(props: {
  entry: IProvenanceSoftware;
  actions: IProvenanceActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { entry, actions, trans } = props;
  const title = entry.title || trans.__('OSSR record %1', entry.record_id);
  return (
    <li className="jp-escape-Provenance-item">
      <button
        className="jp-escape-Provenance-link"
        title={trans.__(
          'Open record %1 in the Software Catalogue',
          entry.record_id
        )}
        onClick={() => actions.openRecord(entry.record_id)}
      >
        {title}
      </button>
      <span className="jp-escape-Provenance-kind">
        {entry.action === 'cited' ? trans.__('cited') : trans.__('installed')}
      </span>
      <dl className="jp-escape-Provenance-facts">
        {entry.version && (
          <>
            <dt>{trans.__('version')}</dt>
            <dd>{entry.version}</dd>
          </>
        )}
        {entry.doi && (
          <>
            <dt>DOI</dt>
            <dd>{entry.doi}</dd>
          </>
        )}
      </dl>
    </li>
  );
}

function Column(props: {
  title: string;
  empty: string;
  count: number;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className="jp-escape-Provenance-column" aria-label={props.title}>
      <h3 className="jp-escape-Provenance-columnTitle">
        {props.title}
        <span className="jp-escape-Provenance-count">{props.count}</span>
      </h3>
      {props.count === 0 ? (
        <p className="jp-escape-muted">{props.empty}</p>
      ) : (
        <ul className="jp-escape-Provenance-list">{props.children}</ul>
      )}
    </section>
  );
}

function Arrow(): JSX.Element {
  return (
    <div className="jp-escape-Provenance-arrow" aria-hidden="true">
      →
    </div>
  );
}

export function ProvenanceView(props: {
  model: ProvenanceModel;
  actions: IProvenanceActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, actions, trans } = props;
  useSignal(model.stateChanged);
  const [license, setLicense] = React.useState('');
  const { dids_used, workflows, dids_produced, software } = model.lists;
  const inputs = groupUsed(dids_used);
  const outputs = groupProduced(dids_produced);
  const exported = model.exported;
  const licenseOk = license === '' || /^[A-Za-z0-9.+-]{1,64}$/.test(license);
  const empty =
    dids_used.length +
      workflows.length +
      dids_produced.length +
      software.length ===
    0;

  return (
    <div className="jp-escape-Provenance">
      <header className="jp-escape-Provenance-header">
        <div>
          <h2 className="jp-escape-Provenance-title">
            {trans.__('Provenance of %1', model.notebook.path())}
          </h2>
          <p className="jp-escape-Provenance-subtitle">
            {trans.__(
              'What this notebook used from the Data Lake, the REANA runs it launched, what they put back into the lake and the OSSR software it cites.'
            )}
          </p>
        </div>
        {model.unfinished.length > 0 && (
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={model.refreshing || !model.trusted}
            onClick={() => void model.refreshRuns()}
          >
            {model.refreshing
              ? trans.__('Asking REANA…')
              : trans.__(
                  'Update %1 running workflow(s)',
                  model.unfinished.length
                )}
          </button>
        )}
      </header>

      <div className="jp-escape-Provenance-notice" role="note">
        {trans.__(
          'Read from the notebook’s metadata. Whoever edited this notebook could have written it: it is a claim, shown here as text, not a proof. The export checks it again on the server and takes workflow specifications from REANA.'
        )}
        {!model.trusted &&
          ' ' +
            trans.__(
              'This notebook is not trusted: nothing new is recorded in it until you trust it.'
            )}
      </div>
      {model.refreshNote && <ErrorBanner message={model.refreshNote} />}

      <div className="jp-escape-Provenance-chain">
        <Column
          title={trans.__('Inputs (Data Lake)')}
          empty={trans.__('No DID used yet.')}
          count={inputs.length}
        >
          {inputs.map(({ entry, members }) => (
            <Did
              key={didKey(entry)}
              entry={entry}
              members={members}
              actions={actions}
              trans={trans}
            />
          ))}
        </Column>
        <Arrow />
        <Column
          title={trans.__('Workflows (REANA)')}
          empty={trans.__('No workflow launched yet.')}
          count={workflows.length}
        >
          {workflows.map(run => (
            <Workflow key={run.id} run={run} actions={actions} trans={trans} />
          ))}
        </Column>
        <Arrow />
        <Column
          title={trans.__('Outputs (Data Lake)')}
          empty={trans.__('Nothing uploaded yet.')}
          count={outputs.length}
        >
          {outputs.map(({ entry, members }) => (
            <Did
              key={didKey(entry)}
              entry={entry}
              members={members}
              actions={actions}
              trans={trans}
              extra={
                entry.dataset &&
                entry.dataset !== `${entry.scope}:${entry.name}` ? (
                  <span className="jp-escape-muted">
                    {trans.__('in %1', entry.dataset)}
                  </span>
                ) : null
              }
            />
          ))}
        </Column>
        <Arrow />
        <Column
          title={trans.__('Software (OSSR)')}
          empty={trans.__('No OSSR software cited or installed yet.')}
          count={software.length}
        >
          {software.map(entry => (
            <Software
              key={`${entry.record_id}|${entry.action}`}
              entry={entry}
              actions={actions}
              trans={trans}
            />
          ))}
        </Column>
      </div>

      <section
        className="jp-escape-Provenance-export"
        aria-label={trans.__('Export')}
      >
        <h3>{trans.__('Workflow Run RO-Crate')}</h3>
        <p className="jp-escape-muted">
          {trans.__(
            'Writes a folder and a zip beside the notebook: ro-crate-metadata.json (RO-Crate 1.1, Workflow Run Crate 0.5), the notebook, the workflow specifications, and codemeta.json for publishing. Data Lake files are referenced by DID and checksum, not copied.'
          )}
        </p>
        <div className="jp-escape-Provenance-exportForm">
          <label>
            {trans.__('Licence (SPDX id, optional)')}
            <input
              className="jp-mod-styled"
              value={license}
              placeholder="CC-BY-4.0"
              aria-invalid={!licenseOk}
              onChange={e => setLicense(e.target.value.trim())}
            />
          </label>
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={model.exporting || empty || !licenseOk}
            onClick={() => void model.exportCrate(license || null)}
          >
            {model.exporting
              ? trans.__('Exporting…')
              : trans.__('Export RO-Crate')}
          </button>
        </div>
        {!licenseOk && (
          <p className="jp-escape-Provenance-invalid">
            {trans.__(
              'A licence is an SPDX identifier such as MIT or CC-BY-4.0.'
            )}
          </p>
        )}
        {model.error && <ErrorBanner message={model.error} />}
        {exported && (
          <div className="jp-escape-Provenance-result" role="status">
            <p>
              {trans.__(
                'Crate written to %1 and %2.',
                exported.folder,
                exported.zip
              )}
            </p>
            <dl className="jp-escape-Provenance-facts">
              <dt>{trans.__('conforms to')}</dt>
              <dd>
                {exported.profiles.length
                  ? exported.profiles.join(', ')
                  : trans.__('RO-Crate 1.1')}
              </dd>
            </dl>
            {[...exported.refused, ...exported.warnings].length > 0 && (
              <ul className="jp-escape-Provenance-warnings">
                {[...exported.refused, ...exported.warnings].map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            )}
            <div className="jp-escape-Provenance-buttons">
              <button
                className="jp-mod-styled"
                onClick={() => actions.openFile(exported.metadata)}
              >
                {trans.__('Open ro-crate-metadata.json')}
              </button>
              <button
                className="jp-mod-styled jp-mod-accept"
                onClick={() => actions.publish(exported.folder)}
              >
                {trans.__('Publish to the OSSR…')}
              </button>
            </div>
          </div>
        )}
      </section>
    </div>
  );
}
