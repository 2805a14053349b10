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
  // Every group is named, also when Zenodo gave a facet no label (#21).
  const facetLabel = (name: string): string =>
    facets.find(f => f.name === name)?.label?.trim() || name.replace(/_/g, ' ');
  return (
    <div className="jp-escape-Catalogue-filters">
      {active.length > 0 && (
        <div
          className="jp-escape-Catalogue-active"
          role="group"
          aria-label={trans.__('Active filters')}
        >
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
          aria-label={trans.__('%1 filters', facetLabel(facet.name))}
          open={facet.name === 'resource_type'}
        >
          <summary>{facetLabel(facet.name)}</summary>
          <div
            className="jp-escape-Catalogue-chips"
            role="group"
            aria-label={facetLabel(facet.name)}
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
                  aria-label={trans.__(
                    '%1 (%2 records)',
                    bucket.label || bucket.key,
                    bucket.count
                  )}
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
