import { nullTranslator } from '@jupyterlab/translation';

import { EscapeRequestError } from '../../request';
import { settleRefusal } from '../cellPlugin';
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

  describe('a refusal for want of the Data Lake consent', () => {
    const consent = () =>
      new EscapeRequestError(
        400,
        'reana_lake_consent',
        'big (escape_opendata:big) is too large to stream: ... Agree to that (lake_consent) to submit.'
      );

    it('asks with no toast on screen, and a declined consent is a note, not an error', async () => {
      const fake = notifier();
      const retry = jest.fn();
      const notes = new SubmissionNotes({ trans, notifier: fake, retry });
      const tracked = notes.track('k4', 'the cell of a.ipynb');
      const seenWhileAsking: number[] = [];
      const outcome = await settleRefusal(consent(), tracked, {
        lakeConsent: false,
        askLakeConsent: async message => {
          seenWhileAsking.push(fake.calls.length);
          expect(message).toContain('too large to stream');
          return false;
        },
        trans
      });
      expect(outcome).toBe('declined');
      expect(seenWhileAsking).toEqual([0]); // nothing beside the dialog
      expect(fake.calls).toHaveLength(1);
      const note = fake.calls[0].args;
      expect(note.type).toBe('info');
      expect(note.message).toContain('Not submitted');
      expect(note.message).toContain('Nothing was sent to REANA');
      expect(note.actions).toEqual([]);
      expect(fake.calls.some(c => c.args.type === 'error')).toBe(false);
      // a code cell says it in its output: no toast repeats it
      const quiet = await settleRefusal(
        consent(),
        notes.track('k4b', 'the cell of a.ipynb'),
        {
          lakeConsent: false,
          askLakeConsent: async () => false,
          trans,
          cellShowsIt: true
        }
      );
      expect(quiet).toBe('declined');
      expect(fake.calls).toHaveLength(1);
      notes.dispose();
    });

    it('says nothing when the user agrees (the new submission has its own toast)', async () => {
      const fake = notifier();
      const notes = new SubmissionNotes({ trans, notifier: fake });
      const outcome = await settleRefusal(
        consent(),
        notes.track('k5', 'the cell of a.ipynb'),
        { lakeConsent: false, askLakeConsent: async () => true, trans }
      );
      expect(outcome).toBe('consented');
      expect(fake.calls).toHaveLength(0);
      notes.dispose();
    });

    it('is an error when the submission carried the consent already, or for other refusals', async () => {
      for (const [reason, lakeConsent] of [
        [consent(), true],
        [new EscapeRequestError(400, 'reana_bad_cell', 'Bad line.'), false]
      ] as const) {
        const fake = notifier();
        const ask = jest.fn(async () => true);
        const notes = new SubmissionNotes({ trans, notifier: fake });
        const outcome = await settleRefusal(
          reason,
          notes.track('k6', 'the cell of a.ipynb'),
          { lakeConsent, askLakeConsent: ask, trans }
        );
        expect(outcome).toBe('failed');
        expect(ask).not.toHaveBeenCalled();
        expect(fake.calls[fake.calls.length - 1].args.type).toBe('error');
        notes.dispose();
      }
    });
  });
});
