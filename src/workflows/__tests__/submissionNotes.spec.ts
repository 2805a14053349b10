import { nullTranslator } from '@jupyterlab/translation';

import { EscapeRequestError } from '../../request';
import {
  runLabel,
  SubmissionNotes,
  submitJobFromEvent
} from '../submissionNotes';

const trans = nullTranslator.load('jupyterlab_escape');

function notifier() {
  const calls: { kind: string; args: any }[] = [];
  return {
    calls,
    emit: jest.fn((message: string, type: string, options: any) => {
      calls.push({ kind: 'emit', args: { message, type, ...options } });
      return 'n1';
    }),
    update: jest.fn((args: any) => {
      calls.push({ kind: 'update', args });
      return true;
    }),
    dismiss: jest.fn()
  };
}

describe('REANA submissions on the common job toast', () => {
  it('folds the stream stages into a workflows.submit job', () => {
    let job = submitJobFromEvent(
      'k1',
      'reana.yaml',
      { stage: 'validated' },
      null
    );
    expect(job).toMatchObject({
      id: 'k1',
      state: 'running',
      stage: 'validated'
    });
    job = submitJobFromEvent(
      'k1',
      'reana.yaml',
      { stage: 'uploading', files_done: 1, files_total: 3 },
      job
    );
    expect(job).toMatchObject({ items_done: 1, items_total: 3 });
    job = submitJobFromEvent(
      'k1',
      'reana.yaml',
      {
        stage: 'started',
        workflow_id: 'w-1',
        workflow_name: 'fit.2',
        run_number: '2',
        status: 'queued'
      },
      job
    );
    expect(job).toMatchObject({ state: 'done', workflow_id: 'w-1' });
    expect(runLabel(job)).toBe('fit.2');
  });

  it('shows progress once the server took it and ends in success with "Open the workflow"', () => {
    const fake = notifier();
    const open = jest.fn();
    const notes = new SubmissionNotes({ trans, notifier: fake, open });
    const tracked = notes.track('k2', 'reana.yaml');
    expect(fake.calls).toHaveLength(0);
    tracked.onEvent({ stage: 'validated' });
    expect(fake.calls[0].args).toMatchObject({
      type: 'in-progress',
      message: 'Submitting reana.yaml to REANA…'
    });
    tracked.onEvent({ stage: 'uploading', files_done: 2, files_total: 4 });
    expect(fake.calls[1].args.message).toBe(
      'Submitting reana.yaml to REANA: uploading inputs, 2 of 4 files'
    );
    expect(fake.calls[1].args.progress).toBe(0.5);
    tracked.onEvent({
      stage: 'started',
      workflow_id: 'w-9',
      workflow_name: 'fit.1',
      run_number: '1'
    });
    const end = fake.calls[fake.calls.length - 1].args;
    expect(end).toMatchObject({
      type: 'success',
      message: 'REANA workflow fit.1 started'
    });
    end.actions[0].callback();
    expect(open).toHaveBeenCalledWith('w-9');
    notes.dispose();
  });

  it("ends in an error with the server's message and a Retry", () => {
    const fake = notifier();
    const retry = jest.fn();
    const notes = new SubmissionNotes({ trans, notifier: fake, retry });
    const tracked = notes.track('k3', 'the cell of a.ipynb');
    tracked.fail(
      new EscapeRequestError(
        400,
        'reana_bad_cell',
        'Unknown option --bogus on the %%reana line.'
      )
    );
    const end = fake.calls[fake.calls.length - 1].args;
    expect(end.type).toBe('error');
    expect(end.message).toContain(
      'Unknown option --bogus on the %%reana line.'
    );
    expect(end.actions.map((a: any) => a.label)).toEqual(['Retry']);
    end.actions[0].callback();
    expect(retry).toHaveBeenCalled();
    notes.dispose();
  });
});
