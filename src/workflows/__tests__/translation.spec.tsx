import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { act, render, screen } from '@testing-library/react';
import * as React from 'react';

import { progressText } from '../components/format';
import { SubmitForm } from '../components/SubmitForm';
import { WorkflowsPanel } from '../components/WorkflowsPanel';
import { SubmitModel, WorkflowListModel } from '../model';
import { fakeApi, workflow } from './fakeApi';

/** A bundle that marks every string it translates, so an untranslated one stands out. */
function markingBundle(): TranslationBundle {
  const base = nullTranslator.load('jupyterlab_escape');
  return {
    ...base,
    __: (msgid: string, ...args: any[]) => `«${base.__(msgid, ...args)}»`,
    _n: (msgid: string, plural: string, n: number, ...args: any[]) =>
      `«${base._n(msgid, plural, n, ...args)}»`
  } as TranslationBundle;
}

describe('workflows strings go through the translator', () => {
  it('the panel takes the translator from its model', async () => {
    const api = fakeApi({
      list: async () => ({
        items: [workflow('running', { id: 'a', full_name: 'fit.2' })],
        total: 1,
        has_next: false
      })
    });
    const model = new WorkflowListModel({
      api,
      intervalMs: 60_000,
      trans: markingBundle()
    });
    render(
      <WorkflowsPanel model={model} onOpen={jest.fn()} onSubmit={jest.fn()} />
    );
    await act(() => model.start());
    expect(screen.getByRole('heading').textContent).toBe('«REANA workflows»');
    expect(
      await screen.findByRole('list', { name: '«Workflows»' })
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: '«Refresh»' })).toBeTruthy();
    model.dispose();
  });

  it('the submit form takes it as a prop', () => {
    const model = new SubmitModel('analysis/reana.yaml', fakeApi({}));
    render(
      <SubmitForm model={model} onStarted={jest.fn()} trans={markingBundle()} />
    );
    expect(
      screen.getByRole('form', { name: '«Submit a REANA workflow»' })
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: '«Check again»' })).toBeTruthy();
    model.dispose();
  });

  it('untranslated wording is unchanged', () => {
    expect(progressText(3, 1, 'fit')).toBe('1/3 jobs · fit');
    expect(progressText(0, 0, null)).toBe('no jobs yet');
  });
});
