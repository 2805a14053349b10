import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { EscapeRequestError } from '../../request';
import { IIssue, ISubmitRequest, IValidation } from '../api';
import { cellRequest, submitCell } from '../cellPlugin';
import {
  isMissingInputsRefusal,
  MissingInputsWarning,
  missingPath
} from '../components/MissingInputs';
import { SubmitForm } from '../components/SubmitForm';
import { SubmitModel } from '../model';
import { events, fakeApi, until, validation } from './fakeApi';

const missingFile: IIssue = {
  path: 'inputs.files[1]',
  message: "input file 'data/events.root' does not exist next to reana.yaml",
  severity: 'warning',
  line: 6,
  column: 7,
  code: 'missing_input'
};
const missingDir: IIssue = {
  path: 'inputs.directories[0]',
  message: 'input directory "it\'s/calib" does not exist next to reana.yaml',
  severity: 'warning',
  line: 8,
  column: 7,
  code: 'missing_input'
};
const withMissing: IValidation = {
  ...validation,
  issues: [...validation.issues, missingFile, missingDir]
};
const refusal = new EscapeRequestError(
  400,
  'reana_missing_inputs',
  "analysis/reana.yaml: inputs.files[1] input file 'data/events.root' does not exist next to reana.yaml. REANA would run without it; submit anyway (allow_missing_inputs) if the workflow does not need it.",
  'reana'
);
const started = [
  {
    stage: 'started' as const,
    workflow_id: 'w-1',
    workflow_name: 'fit.1',
    status: 'queued'
  }
];

describe('missing inputs', () => {
  it('reads the missing path and its kind from the server sentence', () => {
    expect(missingPath(missingFile)).toEqual({
      path: 'data/events.root',
      kind: 'file'
    });
    expect(missingPath(missingDir)).toEqual({
      path: "it's/calib",
      kind: 'directory'
    });
    const other = { ...missingFile, message: 'something else' };
    expect(missingPath(other)).toEqual({ path: 'something else', kind: null });
    expect(isMissingInputsRefusal(refusal)).toBe(true);
    expect(
      isMissingInputsRefusal(new EscapeRequestError(400, 'bad_request', 'x'))
    ).toBe(false);
  });

  it('lists the missing paths, or the refusal as written when they could not be read', () => {
    const { unmount } = render(
      <MissingInputsWarning issues={[missingFile, missingDir]} />
    );
    const group = screen.getByRole('group', { name: 'Missing inputs' });
    expect(group.textContent).toContain('These 2 declared inputs do not exist');
    expect(group.querySelectorAll('li code')[0].textContent).toBe(
      'data/events.root'
    );
    expect(group.textContent).toContain('directory · line 8');
    unmount();
    render(<MissingInputsWarning issues={[]} message="Server words." />);
    expect(screen.getByRole('group').textContent).toContain('Server words.');
  });

  it('the dialog warns and offers "Submit anyway", which sends allow_missing_inputs with a new key', async () => {
    const submitted: ISubmitRequest[] = [];
    const api = fakeApi({
      validate: async () => withMissing,
      submit: (request: ISubmitRequest) => {
        submitted.push(request);
        return events(started);
      }
    });
    const model = new SubmitModel('analysis/reana.yaml', api);
    const firstKey = model.key;
    const onStarted = jest.fn();
    render(<SubmitForm model={model} onStarted={onStarted} />);
    const warning = await screen.findByRole('group', {
      name: 'Missing inputs'
    });
    expect(warning.textContent).toContain('data/events.root');
    expect(warning.textContent).toContain("it's/calib");
    // Shown once, in the warning, not again among the other warnings.
    expect(
      screen.getByRole('list', { name: 'Warnings' }).textContent
    ).not.toContain('events.root');
    expect(screen.queryByRole('button', { name: 'Submit' })).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Submit anyway' }));
    });
    await until(() => onStarted.mock.calls.length > 0);
    expect(submitted).toHaveLength(1);
    expect(submitted[0].allow_missing_inputs).toBe(true);
    expect(submitted[0].idempotency_key).not.toBe(firstKey);
  });

  it('a plain submission refused for missing inputs shows them, then submits anyway', async () => {
    const submitted: ISubmitRequest[] = [];
    let checks = 0;
    const api = fakeApi({
      // Clean at first; the input vanished before the submission.
      validate: async () => (checks++ < 2 ? validation : withMissing),
      submit: (request: ISubmitRequest) => {
        submitted.push(request);
        if (!request.allow_missing_inputs) {
          return (async function* () {
            throw refusal;
          })();
        }
        return events(started);
      }
    });
    const model = new SubmitModel('analysis/reana.yaml', api);
    await model.validate();
    expect(await model.submit()).toBeNull();
    expect(submitted[0].allow_missing_inputs).toBeUndefined();
    await until(() => !model.validating && checks === 3);
    expect(model.phase).toBe('failed');
    const refusedKey = model.key;
    const result = await model.submit({ allowMissingInputs: true });
    expect(result?.workflow_id).toBe('w-1');
    expect(submitted[1].allow_missing_inputs).toBe(true);
    expect(submitted[1].idempotency_key).not.toBe(refusedKey);
  });

  it('a cell is submitted anyway with allow_missing_inputs; by default it is not sent', async () => {
    expect(cellRequest('version: 1', 'nb/a.ipynb', 'k')).not.toHaveProperty(
      'allow_missing_inputs'
    );
    const submitted: ISubmitRequest[] = [];
    const api = fakeApi({
      submit: (request: ISubmitRequest) => {
        submitted.push(request);
        return events(started);
      }
    });
    const data = await submitCell('%%reana\nversion: 0.9.0\n', 'nb/a.ipynb', {
      api,
      key: 'k2',
      allowMissingInputs: true
    });
    expect(data.id).toBe('w-1');
    expect(submitted[0]).toEqual({
      cell: '%%reana\nversion: 0.9.0\n',
      base: 'nb',
      idempotency_key: 'k2',
      allow_missing_inputs: true
    });
  });
});
