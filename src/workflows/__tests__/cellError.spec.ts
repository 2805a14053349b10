import { nullTranslator } from '@jupyterlab/translation';

import { EscapeRequestError } from '../../request';
import { cellErrorOutput, refusedLine } from '../cellError';
import { SubmissionNotes } from '../submissionNotes';

const trans = nullTranslator.load('jupyterlab_escape');

const CELL = '%%reana --bogus\nversion: 0.9.0\nworkflow:\n  type: nonsense\n';

describe('a refused cell submission (#21)', () => {
  it('points a refusal of the %%reana line at line 1 of the cell', () => {
    const reason = new EscapeRequestError(
      400,
      'reana_bad_cell',
      "%%reana: unknown option '--bogus'; use -n NAME."
    );
    expect(refusedLine(reason, CELL)).toBe(1);
    const output = cellErrorOutput(reason, CELL, trans);
    expect(output.output_type).toBe('error');
    expect(output.evalue).toBe(
      "%%reana: unknown option '--bogus'; use -n NAME. (cell line 1)"
    );
    expect(output.traceback).toEqual([
      "%%reana: unknown option '--bogus'; use -n NAME. (cell line 1)",
      '',
      '--> 1 | %%reana --bogus',
      '    2 | version: 0.9.0'
    ]);
  });

  it('takes the line a spec problem names, counted from the top of the cell', () => {
    const reason = new EscapeRequestError(
      400,
      'reana_invalid_spec',
      'nb/<cell> cannot be submitted: workflow.type must be one of serial (line 4).'
    );
    expect(refusedLine(reason, CELL)).toBe(4);
    const output = cellErrorOutput(reason, CELL, trans);
    expect(output.evalue).toBe(reason.message); // it names its line already
    expect(output.traceback.slice(2)).toEqual([
      '    3 | workflow:',
      '--> 4 |   type: nonsense',
      '    5 | '
    ]);
  });

  it('says the words alone when no line is named', () => {
    const reason = new EscapeRequestError(502, 'reana_upstream', 'REANA: busy');
    expect(refusedLine(reason, CELL)).toBeNull();
    expect(cellErrorOutput(reason, CELL, trans)).toMatchObject({
      evalue: 'REANA: busy',
      traceback: ['REANA: busy']
    });
  });

  it('a refusal before the server took the cell is one error toast, never a spinner', () => {
    const calls: { kind: string; type?: string; message: string }[] = [];
    const notifier = {
      emit: jest.fn((message: string, type: any) => {
        calls.push({ kind: 'emit', type, message });
        return `n${calls.length}`;
      }),
      update: jest.fn((args: any) => {
        calls.push({ kind: 'update', type: args.type, message: args.message });
        return true;
      }),
      dismiss: jest.fn()
    };
    const notes = new SubmissionNotes({ trans, notifier, retry: () => {} });
    const tracked = notes.track('kbad1', 'the cell of a.ipynb');
    tracked.fail(
      new EscapeRequestError(400, 'reana_bad_cell', "unknown option '--bogus'")
    );
    expect(calls).toEqual([
      {
        kind: 'emit',
        type: 'error',
        message:
          "Submitting the cell of a.ipynb to REANA failed: unknown option '--bogus'"
      }
    ]);
    notes.dispose();
  });
});

describe('a submission whose stages come at once (#21)', () => {
  it('sends its final toast again: an update before the toast exists is lost', () => {
    jest.useFakeTimers();
    try {
      const updates: { type?: string; message?: string }[] = [];
      const notifier = {
        emit: jest.fn(() => 'n1'),
        update: jest.fn((args: any) => {
          updates.push({ type: args.type, message: args.message });
          return true;
        }),
        dismiss: jest.fn()
      };
      const notes = new SubmissionNotes({ trans, notifier });
      const tracked = notes.track('kfast1', 'reana.yaml');
      tracked.onEvent({ stage: 'validated' });
      tracked.onEvent({
        stage: 'started',
        workflow_id: 'w-1',
        workflow_name: 'fit.1',
        run_number: '1'
      });
      expect(updates.map(u => u.type)).toEqual(['success']);
      jest.advanceTimersByTime(5000);
      expect(updates).toEqual([
        { type: 'success', message: 'REANA workflow fit.1 started' },
        { type: 'success', message: 'REANA workflow fit.1 started' },
        { type: 'success', message: 'REANA workflow fit.1 started' }
      ]);
      notes.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});
