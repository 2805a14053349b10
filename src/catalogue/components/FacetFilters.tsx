import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IFacet } from '../api';

export interface IFacetFiltersProps {
  facets: IFacet[];
  filters: Record<string, string[]>;
  trans: TranslationBundle;
  onToggle: (name: string, key: string) => void;
  onClear: () => void;
}

const ORDER = ['resource_type', 'subject', 'access_status', 'file_type'];

/** The facets Zenodo returned, as toggle chips with counts; selected ones stay visible. */
export function FacetFilters(props: IFacetFiltersProps): JSX.Element | null {
  const { facets, filters, trans } = props;
  const active = Object.entries(filters).flatMap(([name, keys]) =>
    keys.map(key => ({ name, key }))
  );
  const shown = [...facets]
    .filter(f => f.buckets.length > 0)
    .sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
  if (!shown.length && !active.length) {
    return null;
  }
  return (
    <div className="jp-escape-Catalogue-filters">
      {active.length > 0 && (
        <div className="jp-escape-Catalogue-active">
          {active.map(({ name, key }) => (
            <button
              key={`${name}:${key}`}
              className="jp-escape-Catalogue-chip jp-mod-selected"
              aria-pressed={true}
              title={trans.__('Remove this filter')}
              onClick={() => props.onToggle(name, key)}
            >
              {key} ×
            </button>
          ))}
          <button className="jp-escape-Catalogue-link" onClick={props.onClear}>
            {trans.__('Clear filters')}
          </button>
        </div>
      )}
      {shown.map(facet => (
        <details
          key={facet.name}
          className="jp-escape-Catalogue-facet"
          open={facet.name === 'resource_type'}
        >
          <summary>{facet.label}</summary>
          <div
            className="jp-escape-Catalogue-chips"
            role="group"
            aria-label={facet.label}
          >
            {facet.buckets.map(bucket => {
              const selected = (filters[facet.name] ?? []).includes(bucket.key);
              return (
                <button
                  key={bucket.key}
                  className={
                    selected
                      ? 'jp-escape-Catalogue-chip jp-mod-selected'
                      : 'jp-escape-Catalogue-chip'
                  }
                  aria-pressed={selected}
                  onClick={() => props.onToggle(facet.name, bucket.key)}
                >
                  {bucket.label}
                  <span className="jp-escape-Catalogue-count">
                    {bucket.count}
                  </span>
                </button>
              );
            })}
          </div>
        </details>
      ))}
    </div>
  );
}
