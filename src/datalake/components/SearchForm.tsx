import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, closeIcon, searchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IMetadataFilter, SearchType } from '../api';
import { IDatalakeState } from '../model';

const OPERATORS: IMetadataFilter['op'][] = ['=', '!=', '>', '<', '>=', '<='];

export interface ISearchFormProps {
  state: IDatalakeState;
  scopes: string[];
  /** Metadata keys Rucio knows: suggested in the filter's key field. */
  metaKeys?: string[];
  running: boolean;
  trans: TranslationBundle;
  onChange: (partial: Partial<IDatalakeState>) => void;
  onSearch: () => void;
  onStop: () => void;
}

/** The most rows the server lists at once (routes.py MAX_LIMIT). */
export const MAX_LIMIT = 1_000_000;

/** Why a typed limit cannot be used, or null when it can (#21: -5 silently became 1). */
export function limitProblem(
  text: string,
  trans: TranslationBundle
): string | null {
  const value = text.trim();
  if (!/^\d+$/.test(value)) {
    return trans.__(
      'The limit is a whole number of rows, from 1 to %1.',
      MAX_LIMIT
    );
  }
  const limit = Number(value);
  if (limit < 1 || limit > MAX_LIMIT) {
    return trans.__('The limit is from 1 to %1 rows.', MAX_LIMIT);
  }
  return null;
}

/** Query box (scope or scope:pattern), type, row limit and metadata filter rows. */
export function SearchForm(props: ISearchFormProps): JSX.Element {
  const { state, trans, onChange } = props;
  const [showFilters, setShowFilters] = React.useState(
    state.filters.length > 0
  );
  // What the user typed, kept as typed: a bad value is explained, never silently replaced.
  const [limitText, setLimitText] = React.useState(String(state.limit));
  // A limit changed elsewhere (ten times more rows) shows here.
  const [shownLimit, setShownLimit] = React.useState(state.limit);
  if (shownLimit !== state.limit) {
    setShownLimit(state.limit);
    setLimitText(String(state.limit));
  }
  const badLimit = limitProblem(limitText, trans);
  const metaKeys = props.metaKeys ?? [];
  // A key Rucio does not know is explained before the search fails on it (KeyNotFound).
  const keyProblem = (key: string): string | null => {
    const typed = key.trim();
    if (!typed || !metaKeys.length || metaKeys.includes(typed)) {
      return null;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(typed)) {
      return trans.__(
        '“%1” is not a metadata key: letters, digits, “_”, “.” and “-”, starting with a letter.',
        typed
      );
    }
    // The closest keys, not the whole list: a sidebar is narrow.
    const stem = typed.toLowerCase().slice(0, 3);
    const close = metaKeys.filter(k => k.toLowerCase().startsWith(stem));
    const shown = (close.length ? close : metaKeys).slice(0, 4);
    const more = close.length ? close.length > 4 : metaKeys.length > 4;
    return trans.__(
      'Rucio knows no metadata key “%1” here; it may refuse the search. Did you mean %2?',
      typed,
      shown.join(', ') + (more ? ', …' : '')
    );
  };

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
        if (!badLimit) {
          props.onSearch();
        }
      }}
    >
      <div className="jp-escape-Datalake-queryRow">
        <input
          className="jp-mod-styled jp-escape-Datalake-query"
          type="search"
          list="jp-escape-datalake-scopes"
          placeholder={trans.__('scope:name*')}
          aria-label={trans.__('Data Lake query')}
          value={state.query}
          spellCheck={false}
          onChange={event => onChange({ query: event.target.value })}
          onKeyDown={event => {
            // The scope suggestions popup may swallow Enter: search explicitly.
            if (event.key === 'Enter') {
              event.preventDefault();
              if (!badLimit) {
                props.onSearch();
              }
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
            disabled={!state.query.trim() || badLimit !== null}
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
            max={MAX_LIMIT}
            step={100}
            value={limitText}
            aria-invalid={badLimit !== null}
            aria-describedby={
              badLimit ? 'jp-escape-datalake-limit-problem' : undefined
            }
            onChange={event => {
              const text = event.target.value;
              setLimitText(text);
              if (limitProblem(text, trans) === null) {
                onChange({ limit: Number(text) });
              }
            }}
          />
        </label>
        {badLimit && (
          <span
            id="jp-escape-datalake-limit-problem"
            className="jp-escape-Datalake-fieldProblem"
            role="alert"
          >
            {badLimit}
          </span>
        )}
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
                className="jp-mod-styled jp-escape-Datalake-filterKey"
                placeholder={trans.__('key')}
                aria-label={trans.__('Filter key')}
                list="jp-escape-datalake-metakeys"
                value={filter.key}
                aria-invalid={keyProblem(filter.key) !== null}
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
              {keyProblem(filter.key) && (
                <span className="jp-escape-Datalake-fieldProblem" role="note">
                  {keyProblem(filter.key)}
                </span>
              )}
            </div>
          ))}
          <datalist id="jp-escape-datalake-metakeys">
            {metaKeys.map(key => (
              <option key={key} value={key} />
            ))}
          </datalist>
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
