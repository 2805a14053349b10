import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { IRecordSummary } from '../api';
import { licenceLabel } from '../publish/codemetaForm';
import { DoiBadge } from './DoiBadge';
import { creatorsLine } from './format';

export interface IResultListProps {
  results: IRecordSummary[];
  total: number | null;
  loading: boolean;
  error: string | null;
  slowDown: number | null;
  canLoadMore: boolean;
  trans: TranslationBundle;
  onOpen: (id: string) => void;
  onKeyword: (keyword: string) => void;
  onLoadMore: () => void;
  onRetry: () => void;
}

function ResultCard(props: {
  record: IRecordSummary;
  trans: TranslationBundle;
  onOpen: (id: string) => void;
  onKeyword: (keyword: string) => void;
}): JSX.Element {
  const { record, trans } = props;
  return (
    <li className="jp-escape-Catalogue-result" aria-label={record.title}>
      <button
        className="jp-escape-Catalogue-title"
        onClick={() => props.onOpen(record.id)}
        title={trans.__('Open the record')}
      >
        {record.title}
      </button>
      <div className="jp-escape-Catalogue-meta">
        {record.version && (
          <span className="jp-escape-Catalogue-version">v{record.version}</span>
        )}
        <span>{record.publication_date}</span>
        <span className="jp-escape-Catalogue-type">
          {record.resource_type.title || record.resource_type.id}
        </span>
        {record.licence && (
          <span className="jp-escape-Catalogue-licence">
            {licenceLabel(record.licence.id, record.licence.title)}
          </span>
        )}
        {record.access_status !== 'open' && (
          <span className="jp-escape-Catalogue-restricted">
            {record.access_status}
          </span>
        )}
      </div>
      <div className="jp-escape-Catalogue-creators">
        {creatorsLine(record.creators.map(c => c.name))}
      </div>
      {record.keywords.length > 0 && (
        <div className="jp-escape-Catalogue-chips">
          {record.keywords.slice(0, 6).map(keyword => (
            <button
              key={keyword}
              className="jp-escape-Catalogue-chip jp-mod-small"
              title={trans.__('Filter by this keyword')}
              onClick={() => props.onKeyword(keyword)}
            >
              {keyword}
            </button>
          ))}
        </div>
      )}
      <DoiBadge doi={record.doi} />
    </li>
  );
}

/** Results with their loading, empty, error and "slowing down" states. */
export function ResultList(props: IResultListProps): JSX.Element {
  const { results, total, loading, error, slowDown, trans } = props;
  return (
    <div className="jp-escape-Catalogue-results">
      <div className="jp-escape-Catalogue-status" aria-live="polite">
        {slowDown !== null ? (
          <span className="jp-escape-Catalogue-slow" role="status">
            {trans.__(
              'Zenodo asks us to slow down: retrying in %1 s…',
              slowDown
            )}
          </span>
        ) : loading ? (
          <span>{trans.__('Searching…')}</span>
        ) : total !== null && !error ? (
          <span>{trans._n('%1 record', '%1 records', total)}</span>
        ) : null}
      </div>
      {error && (
        <ErrorBanner
          message={error}
          onRetry={props.onRetry}
          retryLabel={trans.__('Retry')}
        />
      )}
      {!error && !loading && slowDown === null && total === 0 && (
        <div className="jp-escape-Catalogue-empty">
          <p>{trans.__('No records match.')}</p>
          <p className="jp-escape-Catalogue-muted">
            {trans.__(
              'Try fewer words, remove a filter, or search all of Zenodo.'
            )}
          </p>
        </div>
      )}
      <ul className="jp-escape-Catalogue-list" aria-busy={loading}>
        {results.map(record => (
          <ResultCard
            key={record.id}
            record={record}
            trans={trans}
            onOpen={props.onOpen}
            onKeyword={props.onKeyword}
          />
        ))}
      </ul>
      {props.canLoadMore && (
        <button
          className="jp-mod-styled jp-escape-Catalogue-more"
          onClick={props.onLoadMore}
        >
          {trans.__('Show more (%1 of %2)', results.length, total ?? 0)}
        </button>
      )}
    </div>
  );
}
