import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, closeIcon, searchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IMetadataFilter, SearchType } from '../api';
import { IDatalakeState } from '../model';

const OPERATORS: IMetadataFilter['op'][] = ['=', '!=', '>', '<', '>=', '<='];

export interface ISearchFormProps {
  state: IDatalakeState;
  scopes: string[];
  running: boolean;
  trans: TranslationBundle;
  onChange: (partial: Partial<IDatalakeState>) => void;
  onSearch: () => void;
  onStop: () => void;
}

/** Query box (scope or scope:pattern), type, row limit and metadata filter rows. */
export function SearchForm(props: ISearchFormProps): JSX.Element {
  const { state, trans, onChange } = props;
  const [showFilters, setShowFilters] = React.useState(
    state.filters.length > 0
  );

  const setFilter = (index: number, patch: Partial<IMetadataFilter>) =>
    onChange({
      filters: state.filters.map((f, i) =>
        i === index ? { ...f, ...patch } : f
      )
    });

  return (
    <form
      className="jp-escape-Datalake-search"
      role="search"
      onSubmit={event => {
        event.preventDefault();
        props.onSearch();
      }}
    >
      <div className="jp-escape-Datalake-queryRow">
        <input
          className="jp-mod-styled jp-escape-Datalake-query"
          type="search"
          list="jp-escape-datalake-scopes"
          placeholder={trans.__('scope or scope:name*')}
          aria-label={trans.__('Data Lake query')}
          value={state.query}
          spellCheck={false}
          onChange={event => onChange({ query: event.target.value })}
          onKeyDown={event => {
            // The scope suggestions popup may swallow Enter: search explicitly.
            if (event.key === 'Enter') {
              event.preventDefault();
              props.onSearch();
            }
          }}
        />
        <datalist id="jp-escape-datalake-scopes">
          {props.scopes.map(scope => (
            <option key={scope} value={scope} />
          ))}
        </datalist>
        {props.running ? (
          <button
            type="button"
            className="jp-mod-styled jp-mod-warn"
            onClick={props.onStop}
          >
            {trans.__('Stop')}
          </button>
        ) : (
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept"
            disabled={!state.query.trim()}
            title={trans.__('Search (Enter)')}
          >
            <searchIcon.react tag="span" className="jp-escape-inline-icon" />
            {trans.__('Search')}
          </button>
        )}
      </div>
      <div className="jp-escape-Datalake-options">
        <label>
          {trans.__('Type')}
          <select
            className="jp-mod-styled"
            value={state.type}
            onChange={event =>
              onChange({ type: event.target.value as SearchType })
            }
          >
            <option value="all">{trans.__('all')}</option>
            <option value="container">{trans.__('containers')}</option>
            <option value="dataset">{trans.__('datasets')}</option>
            <option value="file">{trans.__('files')}</option>
          </select>
        </label>
        <label>
          {trans.__('Limit')}
          <input
            className="jp-mod-styled jp-escape-Datalake-limit"
            type="number"
            min={1}
            step={100}
            value={state.limit}
            onChange={event =>
              onChange({ limit: Math.max(1, Number(event.target.value) || 1) })
            }
          />
        </label>
        <button
          type="button"
          className="jp-mod-styled jp-escape-linkButton"
          aria-expanded={showFilters}
          onClick={() => setShowFilters(!showFilters)}
        >
          {state.filters.length
            ? trans.__('Metadata filters (%1)', state.filters.length)
            : trans.__('Metadata filters')}
        </button>
      </div>
      {showFilters && (
        <div
          className="jp-escape-Datalake-filters"
          aria-label={trans.__('Metadata filters')}
        >
          {state.filters.map((filter, index) => (
            <div className="jp-escape-Datalake-filter" key={index}>
              <input
                className="jp-mod-styled"
                placeholder={trans.__('key')}
                aria-label={trans.__('Filter key')}
                value={filter.key}
                onChange={event =>
                  setFilter(index, { key: event.target.value })
                }
              />
              <select
                className="jp-mod-styled"
                aria-label={trans.__('Operator')}
                value={filter.op}
                onChange={event =>
                  setFilter(index, {
                    op: event.target.value as IMetadataFilter['op']
                  })
                }
              >
                {OPERATORS.map(op => (
                  <option key={op} value={op}>
                    {op}
                  </option>
                ))}
              </select>
              <input
                className="jp-mod-styled"
                placeholder={trans.__('value')}
                aria-label={trans.__('Filter value')}
                value={filter.value}
                onChange={event =>
                  setFilter(index, { value: event.target.value })
                }
              />
              <button
                type="button"
                className="jp-escape-iconButton"
                title={trans.__('Remove this filter')}
                onClick={() =>
                  onChange({
                    filters: state.filters.filter((_, i) => i !== index)
                  })
                }
              >
                <closeIcon.react tag="span" />
              </button>
            </div>
          ))}
          <button
            type="button"
            className="jp-mod-styled jp-escape-linkButton"
            onClick={() =>
              onChange({
                filters: [...state.filters, { key: '', op: '=', value: '' }]
              })
            }
          >
            <addIcon.react tag="span" className="jp-escape-inline-icon" />
            {trans.__('Add a filter (all must match)')}
          </button>
        </div>
      )}
    </form>
  );
}
