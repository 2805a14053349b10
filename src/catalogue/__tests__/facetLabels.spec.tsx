import { nullTranslator } from '@jupyterlab/translation';
import { render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { FacetFilters } from '../components/FacetFilters';

const trans = nullTranslator.load('jupyterlab_escape');

/** #21: every facet group, the active filters and each chip have an accessible name. */
describe('facet groups', () => {
  it('names every group and chip, also a facet Zenodo gave no label', () => {
    render(
      <FacetFilters
        facets={[
          {
            name: 'resource_type',
            label: 'Resource type',
            buckets: [
              { key: 'software', label: 'Software', count: 12, selected: true }
            ]
          },
          {
            name: 'file_type',
            label: '',
            buckets: [{ key: 'zip', label: '', count: 3, selected: false }]
          }
        ]}
        filters={{ resource_type: ['software'] }}
        trans={trans}
        onToggle={() => undefined}
        onClear={() => undefined}
      />
    );
    const groups = screen.getAllByRole('group');
    for (const group of groups) {
      expect(group.getAttribute('aria-label')).toBeTruthy();
    }
    const active = screen.getByRole('group', { name: 'Active filters' });
    expect(
      within(active).getByRole('button', { name: 'software ×' })
    ).toBeTruthy();
    const fileType = screen.getByRole('group', { name: 'file type' });
    expect(
      within(fileType).getByRole('button', { name: 'zip (3 records)' })
    ).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Resource type' })).toBeTruthy();
    expect(
      screen.getByRole('group', { name: 'file type filters' })
    ).toBeTruthy();
  });
});
