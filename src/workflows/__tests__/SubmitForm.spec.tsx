import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { EscapeRequestError } from '../../request';
import { IValidation } from '../api';
import { SubmitForm } from '../components/SubmitForm';
import { SubmitModel } from '../model';
import { events, fakeApi, until, validation } from './fakeApi';

describe('SubmitForm', () => {
  it('shows the summary, submits once with the edited parameters and reports progress', async () => {
    const api = fakeApi({
      validate: async () => validation,
      submit: () =>
        events([
          { stage: 'validated', files_total: 3, bytes_total: 2048 },
          { stage: 'created', workflow_id: 'w-1', workflow_name: 'fit.1' },
          {
            stage: 'uploading',
            files_done: 3,
            files_total: 3,
            bytes_done: 2048,
            bytes_total: 2048
          },
          {
            stage: 'started',
            workflow_id: 'w-1',
            workflow_name: 'fit.1',
            status: 'queued'
          }
        ])
    });
    const model = new SubmitModel('analysis/reana.yaml', api);
    const started = jest.fn();
    render(<SubmitForm model={model} onStarted={started} />);
    const summary = await screen.findByRole('region', {
      name: 'Specification summary'
    });
    expect(summary.textContent).toContain('serial');
    expect(summary.textContent).toContain('fit → plot');
    expect(summary.textContent).toContain('3 files, 2.05 kB');
    expect(summary.textContent).toContain('results/fit.json, plots');
    expect(
      screen.getByRole('list', { name: 'Warnings' }).textContent
    ).toContain("Line 9 · unknown key 'colour'");
    const name = screen.getByDisplayValue('analysis') as HTMLInputElement;
    fireEvent.change(name, { target: { value: 'fit' } });
    const events_ = screen.getByLabelText(
      'Parameter events'
    ) as HTMLInputElement;
    expect(events_.value).toBe('100');
    fireEvent.change(events_, { target: { value: '250' } });

    const button = screen.getByRole('button', { name: 'Submit' });
    await act(async () => {
      fireEvent.click(button);
      fireEvent.click(button); // a double click
    });
    await until(() => started.mock.calls.length > 0);
    expect(started).toHaveBeenCalledWith('w-1');
    expect(api.submit).toHaveBeenCalledTimes(1);
    const request = (api.submit as jest.Mock).mock.calls[0][0];
    expect(request).toEqual({
      path: 'analysis/reana.yaml',
      name: 'fit',
      parameters: { events: '250' }, // model is unchanged: REANA uses the spec's value
      idempotency_key: model.key
    });
    expect(screen.getByRole('status').textContent).toContain(
      'Started fit.1 (queued)'
    );
    expect(screen.getByRole('button', { name: 'Submitted' })).toHaveProperty(
      'disabled',
      true
    );
  });

  it('lists problems with their lines and refuses to submit an invalid spec', async () => {
    const invalid: IValidation = {
      ...validation,
      valid: false,
      issues: [
        {
          path: 'inputs.files[0]',
          message: "input file 'fit.py' does not exist next to reana.yaml",
          severity: 'error',
          line: 4,
          column: 7
        }
      ]
    };
    const api = fakeApi({ validate: async () => invalid });
    const model = new SubmitModel('analysis/reana.yaml', api);
    render(<SubmitForm model={model} onStarted={jest.fn()} />);
    const problems = await screen.findByRole('list', { name: 'Problems' });
    expect(problems.textContent).toBe(
      "Line 4:7 · inputs.files[0]: input file 'fit.py' does not exist next to reana.yaml"
    );
    expect(screen.getByRole('button', { name: 'Submit' })).toHaveProperty(
      'disabled',
      true
    );
    await act(() => model.submit());
    expect(api.submit).not.toHaveBeenCalled();
  });

  it('refuses names REANA refuses, and shows server errors as written', async () => {
    const api = fakeApi({
      validate: async () => validation,
      submit: () => {
        throw new EscapeRequestError(
          403,
          'reana_forbidden',
          'REANA refused the access token configured on the server (Token not valid).'
        );
      }
    });
    const model = new SubmitModel('analysis/reana.yaml', api);
    render(<SubmitForm model={model} onStarted={jest.fn()} />);
    const name = (await screen.findByDisplayValue(
      'analysis'
    )) as HTMLInputElement;
    fireEvent.change(name, { target: { value: 'fit.v2' } });
    expect(
      screen.getByText('Use letters, digits, "-" and "_" (no dots).')
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Submit' })).toHaveProperty(
      'disabled',
      true
    );
    fireEvent.change(name, { target: { value: 'fit-v2' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Submit' }));
    });
    expect((await screen.findByRole('alert')).textContent).toContain(
      'REANA refused the access token configured on the server (Token not valid).'
    );
    expect(model.phase).toBe('failed');
  });
});
