import { TranslationBundle } from '@jupyterlab/translation';
import { searchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Scope, SortOption } from '../api';

export interface ISearchControlsProps {
  query: string;
  sort: SortOption;
  scope: Scope;
  community: string;
  trans: TranslationBundle;
  onQuery: (query: string) => void;
  onSubmit: () => void;
  onSort: (sort: SortOption) => void;
  onScope: (scope: Scope) => void;
}

/** Search box (debounced by the model; Enter searches at once), scope switch and sort. */
export function SearchControls(props: ISearchControlsProps): JSX.Element {
  const { trans } = props;
  const sorts: [SortOption, string][] = [
    ['bestmatch', trans.__('Best match')],
    ['newest', trans.__('Newest')],
    ['mostviewed', trans.__('Most viewed')],
    ['mostdownloaded', trans.__('Most downloaded')]
  ];
  return (
    <div className="jp-escape-Catalogue-controls">
      <div className="jp-escape-Catalogue-searchBox">
        <searchIcon.react tag="span" className="jp-escape-inline-icon" />
        <input
          type="search"
          className="jp-escape-Catalogue-searchInput"
          aria-label={trans.__('Search the software catalogue')}
          placeholder={trans.__('Search software, e.g. gamma-ray pipeline')}
          value={props.query}
          onChange={event => props.onQuery(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              props.onSubmit();
            }
          }}
        />
      </div>
      <div className="jp-escape-Catalogue-row">
        <div
          className="jp-escape-Catalogue-scope"
          role="radiogroup"
          aria-label={trans.__('Where to search')}
        >
          {(['community', 'all'] as Scope[]).map(scope => (
            <button
              key={scope}
              role="radio"
              aria-checked={props.scope === scope}
              className={
                props.scope === scope
                  ? 'jp-escape-Catalogue-scopeButton jp-mod-active'
                  : 'jp-escape-Catalogue-scopeButton'
              }
              onClick={() => props.onScope(scope)}
            >
              {scope === 'community'
                ? trans.__('OSSR (%1)', props.community || 'escape2020')
                : trans.__('All of Zenodo')}
            </button>
          ))}
        </div>
        <label className="jp-escape-Catalogue-sort">
          <span className="jp-escape-Catalogue-muted">{trans.__('Sort')}</span>
          <select
            className="jp-mod-styled"
            value={props.sort}
            aria-label={trans.__('Sort results')}
            onChange={event => props.onSort(event.target.value as SortOption)}
          >
            {sorts.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}
