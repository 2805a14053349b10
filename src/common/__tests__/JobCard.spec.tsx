import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { IFilesJob, JobCard, JobSection } from '../JobCard';

const trans = nullTranslator.load('jupyterlab_escape');

function job(overrides: Partial<IFilesJob> = {}): IFilesJob {
  return {
    id: 'j1',
    kind: 'datalake.fetch',
    state: 'running',
    message: null,
    errors: [],
    errors_count: 0,
    bytes_done: 50,
    bytes_total: 200,
    throughput: null,
    eta_seconds: null,
    files_total: 4,
    files_failed: 0,
    ...overrides
  } as unknown as IFilesJob;
}

function card(
  j: IFilesJob,
  extra: Partial<React.ComponentProps<typeof JobCard>> = {}
) {
  return (
    <ul>
      <JobCard
        job={j}
        trans={trans}
        label="Fetch of x"
        title="x"
        stateLabel="Fetching"
        filesDone={2}
        filesAlready={1}
        busy={false}
        expanded={false}
        onToggle={jest.fn()}
        removeTitle={null}
        onRemove={jest.fn()}
        destination={<div>to here</div>}
        showMessage={true}
        actions={<button>Cancel</button>}
        {...extra}
      >
        <p>the files</p>
      </JobCard>
    </ul>
  );
}

describe('JobCard', () => {
  it('shows state, byte progress, facts and the slice parts', () => {
    render(card(job({ files_failed: 1 })));
    const item = screen.getByRole('listitem', { name: 'Fetch of x' });
    expect(item.getAttribute('data-state')).toBe('running');
    expect(
      screen
        .getByRole('progressbar', { name: 'Progress of x' })
        .getAttribute('aria-valuenow')
    ).toBe('25');
    expect(item.textContent).toContain(
      '2 of 4 files (1 already there) · 50 B / 200 B · 1 failed'
    );
    expect(screen.getByText('to here')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(screen.queryByText('the files')).toBeNull();
  });

  it('offers remove when the slice allows it, and the files when expanded', () => {
    const onRemove = jest.fn();
    render(
      card(job({ state: 'done' }), {
        removeTitle: 'Remove from the list',
        onRemove,
        expanded: true
      })
    );
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    expect(onRemove).toHaveBeenCalled();
    expect(screen.getByText('the files')).toBeTruthy();
  });

  it('counts no bytes as moved when every file was already there (review s3 §10)', () => {
    render(
      card(job({ state: 'done', bytes_done: 135_000, bytes_total: 135_000 }), {
        filesDone: 4,
        filesAlready: 4
      })
    );
    const item = screen.getByRole('listitem', { name: 'Fetch of x' });
    expect(item.textContent).toContain(
      'All 4 files already there · 135 kB, nothing transferred'
    );
    expect(item.textContent).not.toContain('135 kB / 135 kB');
  });

  it('says "1 of 1 file", and the state at the head of the facts, not beside the title', () => {
    render(
      card(job({ files_total: 1, bytes_done: 0 }), {
        filesDone: 0,
        filesAlready: 0
      })
    );
    const item = screen.getByRole('listitem', { name: 'Fetch of x' });
    expect(item.querySelector('.jp-escape-Job-facts')!.textContent).toMatch(
      /^0 of 1 file · /
    );
    expect(
      item.querySelector('.jp-escape-Job-head')!.textContent
    ).not.toContain('Fetching');
    expect(item.querySelector('.jp-escape-Job-status')!.textContent).toMatch(
      /^Fetching0 of 1 file/
    );
  });

  it('keeps each fact on one line: the line breaks only between facts', () => {
    render(card(job({ files_failed: 1 })));
    const facts = Array.from(
      document.querySelectorAll('.jp-escape-Job-facts .jp-escape-Job-fact')
    ).map(fact => fact.textContent);
    expect(facts).toEqual([
      '2 of 4 files (1 already there)',
      '50 B / 200 B',
      '1 failed'
    ]);
  });

  it('cuts a long title in the middle, so two jobs of one dataset stay apart', () => {
    const name = 'escape_opendata:crab_nebula_sample.000123.dl1.h5';
    render(card(job(), { title: name, titleTooltip: 'two DIDs' }));
    const title = document.querySelector('.jp-escape-Job-title')!;
    expect(
      title.querySelector('.jp-escape-MiddleEllipsis-tail')!.textContent
    ).toBe(name.slice(-16));
    expect(title.textContent).toBe(name);
    expect(
      title.querySelector('.jp-escape-MiddleEllipsis')!.getAttribute('title')
    ).toBe('two DIDs');
  });
});

describe('JobSection', () => {
  it('is hidden without jobs and follows the model', () => {
    const changed = new Signal<unknown, void>({});
    const model = {
      changed,
      jobs: [] as { id: string }[],
      activeCount: 0,
      error: null,
      refresh: async () => undefined
    };
    const { container } = render(
      <JobSection
        model={model}
        trans={trans}
        label="Fetches"
        renderJob={j => <li>{j.id}</li>}
      />
    );
    expect(container.textContent).toBe('');
    model.jobs = [{ id: 'a' }, { id: 'b' }];
    act(() => changed.emit());
    expect(
      screen.getByRole('region', { name: 'Fetches' }).textContent
    ).toContain('2 jobs');
    expect(screen.getByText('b')).toBeTruthy();
  });
});
