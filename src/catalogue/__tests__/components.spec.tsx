import { nullTranslator } from '@jupyterlab/translation';
import { fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { FacetFilters } from '../components/FacetFilters';
import { IRecordActions, RecordView } from '../components/RecordView';
import { ResultList } from '../components/ResultList';
import { SearchControls } from '../components/SearchControls';
import { citationMarkdown } from '../cells';
import { detail, fetchJob, summary } from './fixtures';

const trans = nullTranslator.load('jupyterlab_escape');

function actions(): IRecordActions {
  return {
    copyCitation: jest.fn(),
    insertCitation: jest.fn(),
    insertInstall: jest.fn(),
    fetchFiles: jest.fn(),
    cancelFetch: jest.fn(),
    retryFetch: jest.fn(),
    removeFetch: jest.fn(),
    openPage: jest.fn(),
    openFolder: jest.fn(),
    showImages: jest.fn()
  };
}

const listProps = {
  results: [],
  total: null,
  loading: false,
  error: null,
  slowDown: null,
  canLoadMore: false,
  trans,
  onOpen: jest.fn(),
  onKeyword: jest.fn(),
  onLoadMore: jest.fn(),
  onRetry: jest.fn()
};

describe('SearchControls', () => {
  it('reports typing, Enter, sort and scope', () => {
    const props = {
      query: '',
      sort: 'bestmatch' as const,
      scope: 'community' as const,
      community: 'escape2020',
      trans,
      onQuery: jest.fn(),
      onSubmit: jest.fn(),
      onSort: jest.fn(),
      onScope: jest.fn()
    };
    render(<SearchControls {...props} />);
    const box = screen.getByRole('searchbox', {
      name: 'Search the software catalogue'
    });
    fireEvent.change(box, { target: { value: 'cta' } });
    expect(props.onQuery).toHaveBeenCalledWith('cta');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(props.onSubmit).toHaveBeenCalled();
    fireEvent.change(screen.getByRole('combobox', { name: 'Sort results' }), {
      target: { value: 'mostdownloaded' }
    });
    expect(props.onSort).toHaveBeenCalledWith('mostdownloaded');
    expect(
      screen
        .getByRole('radio', { name: 'OSSR (escape2020)' })
        .getAttribute('aria-checked')
    ).toBe('true');
    fireEvent.click(screen.getByRole('radio', { name: 'All of Zenodo' }));
    expect(props.onScope).toHaveBeenCalledWith('all');
  });
});

describe('ResultList', () => {
  it('shows each result with version, creators, keywords, licence and DOI', () => {
    const onOpen = jest.fn();
    const onKeyword = jest.fn();
    render(
      <ResultList
        {...listProps}
        results={[summary('7')]}
        total={1}
        onOpen={onOpen}
        onKeyword={onKeyword}
      />
    );
    const card = screen.getByRole('listitem', { name: 'tool 7: a pipeline' });
    expect(within(card).getByText('v1.0.0')).toBeTruthy();
    expect(within(card).getByText('Moreau, Anna')).toBeTruthy();
    expect(within(card).getByText('MIT License (MIT)')).toBeTruthy();
    expect(
      within(card)
        .getByRole('link', { name: /10.5281\/zenodo.7/ })
        .getAttribute('href')
    ).toBe('https://doi.org/10.5281/zenodo.7');
    fireEvent.click(within(card).getByRole('button', { name: 'CTA' }));
    expect(onKeyword).toHaveBeenCalledWith('CTA');
    fireEvent.click(
      within(card).getByRole('button', { name: 'tool 7: a pipeline' })
    );
    expect(onOpen).toHaveBeenCalledWith('7');
    expect(screen.getByText('1 record')).toBeTruthy();
  });

  it('has clear empty, error and slowing-down states', () => {
    const { rerender } = render(<ResultList {...listProps} total={0} />);
    expect(screen.getByText('No records match.')).toBeTruthy();
    rerender(
      <ResultList
        {...listProps}
        total={0}
        error="Zenodo is having trouble (HTTP 503)."
      />
    );
    expect(screen.getByRole('alert').textContent).toContain(
      'Zenodo is having trouble'
    );
    expect(screen.queryByText('No records match.')).toBeNull();
    rerender(<ResultList {...listProps} total={0} slowDown={7} />);
    expect(screen.getByRole('status').textContent).toBe(
      'Zenodo asks us to slow down: retrying in 7 s…'
    );
    expect(screen.queryByText('No records match.')).toBeNull();
  });

  it('offers more results while there are some', () => {
    const onLoadMore = jest.fn();
    render(
      <ResultList
        {...listProps}
        results={[summary('1')]}
        total={30}
        canLoadMore={true}
        onLoadMore={onLoadMore}
      />
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Show more (1 of 30)' })
    );
    expect(onLoadMore).toHaveBeenCalled();
  });
});

describe('FacetFilters', () => {
  it('toggles facet buckets and clears active filters', () => {
    const onToggle = jest.fn();
    const onClear = jest.fn();
    render(
      <FacetFilters
        facets={[
          {
            name: 'subject',
            label: 'Keywords',
            buckets: [{ key: 'CTA', label: 'CTA', count: 4, selected: true }]
          },
          {
            name: 'resource_type',
            label: 'Resource types',
            buckets: [
              { key: 'software', label: 'Software', count: 9, selected: false }
            ]
          }
        ]}
        filters={{ subject: ['CTA'] }}
        trans={trans}
        onToggle={onToggle}
        onClear={onClear}
      />
    );
    const types = screen.getByRole('group', { name: 'Resource types' });
    fireEvent.click(within(types).getByRole('button', { name: /Software/ }));
    expect(onToggle).toHaveBeenCalledWith('resource_type', 'software');
    fireEvent.click(screen.getByRole('button', { name: 'CTA ×' }));
    expect(onToggle).toHaveBeenCalledWith('subject', 'CTA');
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(onClear).toHaveBeenCalled();
  });
});

describe('RecordView', () => {
  const base = {
    loading: false,
    error: null,
    job: null,
    jobError: null,
    citationStyle: 'apa',
    trans,
    onBack: jest.fn(),
    onRetry: jest.fn()
  };

  it('shows the record and sends its actions out', () => {
    const acts = actions();
    const sanitize = jest.fn((html: string) => html);
    render(
      <RecordView
        {...base}
        record={detail()}
        actions={acts}
        sanitize={sanitize}
      />
    );
    expect(sanitize).toHaveBeenCalledWith('<p>Inert <strong>text</strong></p>');
    expect(screen.getByText('text').tagName).toBe('STRONG');
    expect(screen.getByText('latest')).toBeTruthy();
    expect(screen.getByText('tool-1.0.0.zip')).toBeTruthy();
    // review s3 §2: the suite's SI sizes, as the Data Lake gives them
    expect(screen.getByText('2.05 kB')).toBeTruthy();
    // review s3 §6: the licence as the publish form names it, not Zenodo's "mit"
    expect(
      document.querySelector('.jp-escape-Catalogue-meta')!.textContent
    ).toContain('MIT License (MIT)');
    // review s3 §22: the five actions in one style (no two primaries among flat buttons)
    const box = document.querySelector('.jp-escape-Catalogue-actions')!;
    const classes = Array.from(box.querySelectorAll('button')).map(
      b => b.className
    );
    expect(classes).toHaveLength(5);
    expect(new Set(classes)).toEqual(new Set(['jp-mod-styled']));
    expect(
      screen.getByRole('link', { name: 'https://github.com/a/tool' })
    ).toBeTruthy();
    expect(screen.getByRole('link', { name: 'iD' }).getAttribute('href')).toBe(
      'https://orcid.org/0000-0002-1825-0097'
    );
    expect(screen.getByText('numpy>=1.23')).toBeTruthy();
    fireEvent.change(screen.getByRole('combobox', { name: 'Citation style' }), {
      target: { value: 'bibtex' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Copy citation' }));
    expect(acts.copyCitation).toHaveBeenCalledWith('bibtex');
    fireEvent.click(screen.getByRole('button', { name: 'Insert citation' }));
    expect(acts.insertCitation).toHaveBeenCalledWith('bibtex');
    fireEvent.click(
      screen.getByRole('button', { name: 'Insert install cell' })
    );
    expect(acts.insertInstall).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Fetch files' }));
    expect(acts.fetchFiles).toHaveBeenCalledWith(true);
    fireEvent.click(
      screen.getByRole('button', { name: /Show 1 remote image/ })
    );
    expect(acts.showImages).toHaveBeenCalled();
  });

  it('says which fetched files took another name or were left out', () => {
    const message =
      '2 file(s) verified in ossr/t-1. Existing files were kept: data.csv was ' +
      'saved as ossr/t-1/data (1).csv. Not written: .bashrc (hidden).';
    render(
      <RecordView
        {...base}
        record={detail()}
        job={fetchJob({
          dest: 'ossr/t-1',
          state: 'done',
          message,
          bytes_done: 4096,
          renamed: [{ name: 'data.csv', path: 'ossr/t-1/data (1).csv' }],
          renamed_count: 1,
          skipped: [{ name: '.bashrc', reason: 'hidden' }],
          skipped_count: 1
        })}
        actions={actions()}
        sanitize={h => h}
      />
    );
    expect(screen.getByText(message)).toBeTruthy();
  });

  it('shows fetch progress and a restricted record', () => {
    const acts = actions();
    const job = fetchJob({ bytes_done: 1024 });
    const { rerender } = render(
      <RecordView
        {...base}
        record={detail()}
        job={job}
        actions={acts}
        sanitize={h => h}
      />
    );
    expect(screen.getByText('1.02 kB of 4.10 kB (25%)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(acts.cancelFetch).toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Clear' })).toBeNull();
    expect(
      (screen.getByRole('button', { name: 'Fetch files' }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
    rerender(
      <RecordView
        {...base}
        record={detail({ files_restricted: true })}
        actions={actions()}
        sanitize={h => h}
      />
    );
    expect(
      screen.getByText('The files of this record are restricted.')
    ).toBeTruthy();
  });
});

describe('RecordView fetch status', () => {
  const base = {
    loading: false,
    error: null,
    jobError: null,
    citationStyle: 'apa',
    trans,
    onBack: jest.fn(),
    onRetry: jest.fn(),
    sanitize: (h: string) => h
  };

  it('offers to resume an interrupted fetch, keeping verified files', () => {
    const acts = actions();
    const message =
      'The server stopped during this fetch: retry to resume it (verified files are kept).';
    render(
      <RecordView
        {...base}
        record={detail()}
        actions={acts}
        job={fetchJob({
          state: 'interrupted',
          message,
          items_done: 1,
          items_total: 2
        })}
      />
    );
    expect(screen.getByText(message)).toBeTruthy();
    fireEvent.click(
      screen.getByRole('button', { name: 'Resume (1 of 2 files kept)' })
    );
    expect(acts.retryFetch).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(acts.removeFetch).toHaveBeenCalled();
    expect(
      (screen.getByRole('button', { name: 'Fetch files' }) as HTMLButtonElement)
        .disabled
    ).toBe(false);
  });

  it('says why a fetch failed and offers a retry', () => {
    const acts = actions();
    const message =
      'events.h5 arrived corrupted (md5 0f, Zenodo lists 9a); nothing was kept. Fetch again.';
    render(
      <RecordView
        {...base}
        record={detail()}
        actions={acts}
        job={fetchJob({ state: 'failed', message, items_failed: 1 })}
      />
    );
    expect(screen.getByText(message)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(acts.retryFetch).toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('says when the archives are being extracted', () => {
    render(
      <RecordView
        {...base}
        record={detail()}
        actions={actions()}
        job={fetchJob({ phase: 'extracting', bytes_done: 4096 })}
      />
    );
    expect(screen.getByText('Extracting the archives…')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy();
  });

  it('links the folder of a finished fetch', () => {
    const acts = actions();
    render(
      <RecordView
        {...base}
        record={detail()}
        actions={acts}
        job={fetchJob({
          state: 'done',
          message:
            '1 file(s) verified in ossr/tool-1.0.0. 3 file(s) extracted.',
          extracted_count: 3
        })}
      />
    );
    expect(screen.getByText(/\(3 files extracted\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'ossr/tool-1.0.0' }));
    expect(acts.openFolder).toHaveBeenCalledWith('ossr/tool-1.0.0');
  });
});

describe('citationMarkdown', () => {
  it('quotes the formatted citation and adds BibTeX', () => {
    const text = citationMarkdown(
      detail(),
      'Moreau, A. (2024). tool.',
      '@software{x}'
    );
    expect(text).toContain('> Moreau, A. \\(2024\\). tool.');
    expect(text).toContain('```bibtex\n@software{x}\n```');
    expect(
      text.startsWith(
        '**Software used:** [tool 42: a pipeline](https://zenodo.org/records/42)'
      )
    ).toBe(true);
  });
});
