import { nullTranslator } from '@jupyterlab/translation';
import { fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { IStatusReport } from '../api';
import { ServicesView } from '../components/ServicesView';

const trans = nullTranslator.load('jupyterlab_escape');

const report: IStatusReport = {
  checked_at: '2026-11-22T10:00:00+00:00',
  services: [
    {
      id: 'rucio',
      name: 'Rucio Data Lake',
      configured: true,
      url: 'http://127.0.0.1:18080',
      reachable: true,
      version: '41.5.1',
      rtt_ms: 3.4,
      detail: 'Rucio 41.5.1',
      reason: null
    },
    {
      id: 'reana',
      name: 'REANA workflows',
      configured: false,
      url: '',
      reachable: false,
      version: null,
      rtt_ms: null,
      detail: null,
      reason: 'To use it, set c.EscapeReana.url or REANA_SERVER_URL.'
    },
    {
      id: 'zenodo',
      name: 'OSSR software catalogue (Zenodo)',
      configured: true,
      url: 'https://zenodo.org',
      reachable: false,
      version: null,
      rtt_ms: null,
      detail: null,
      reason:
        'OSSR software catalogue (Zenodo) at zenodo.org did not answer within 5 s.'
    }
  ]
};

describe('ServicesView', () => {
  it('shows each service with its state, facts and reason', () => {
    render(
      <ServicesView
        report={report}
        loading={false}
        error={null}
        trans={trans}
        onRefresh={() => {}}
      />
    );
    const rucio = screen.getByRole('listitem', { name: 'Rucio Data Lake' });
    expect(within(rucio).getByText('Reachable')).toBeTruthy();
    expect(within(rucio).getByText('41.5.1')).toBeTruthy();
    expect(within(rucio).getByText('3 ms')).toBeTruthy();
    const reana = screen.getByRole('listitem', { name: 'REANA workflows' });
    expect(within(reana).getByText('Not configured')).toBeTruthy();
    expect(within(reana).getByText(/REANA_SERVER_URL/)).toBeTruthy();
    const zenodo = screen.getByRole('listitem', { name: /Zenodo/ });
    expect(within(zenodo).getByText('Unreachable')).toBeTruthy();
    expect(within(zenodo).getByText(/did not answer within 5 s/)).toBeTruthy();
  });

  it('says times as every view does, and a missing version once (review s3 §14, §20)', () => {
    const quiet: IStatusReport = {
      checked_at: report.checked_at,
      services: [
        {
          ...report.services[0],
          id: 'reana',
          name: 'REANA workflows',
          version: null,
          detail: null,
          identity: {
            signs_in: true,
            account: 'jdoe',
            expires_at: '2026-11-22T11:30:00Z',
            detail: null,
            reason: null
          }
        }
      ]
    };
    render(
      <ServicesView
        report={quiet}
        loading={false}
        error={null}
        trans={trans}
        onRefresh={() => {}}
      />
    );
    expect(
      screen.getByText('Last checked at 2026-11-22 10:00 UTC')
    ).toBeTruthy();
    const reana = screen.getByRole('listitem', { name: 'REANA workflows' });
    expect(
      within(reana).getByText('expires 2026-11-22 11:30 UTC')
    ).toBeTruthy();
    expect(within(reana).getByText('not reported')).toBeTruthy();
    expect(reana.textContent).not.toMatch(/—|version not reported/);
  });

  it('refreshes on click and disables the button while checking', () => {
    const onRefresh = jest.fn();
    const { rerender } = render(
      <ServicesView
        report={null}
        loading={false}
        error={null}
        trans={trans}
        onRefresh={onRefresh}
      />
    );
    fireEvent.click(screen.getByRole('button', { name: /Refresh/ }));
    expect(onRefresh).toHaveBeenCalledTimes(1);
    rerender(
      <ServicesView
        report={null}
        loading={true}
        error={null}
        trans={trans}
        onRefresh={onRefresh}
      />
    );
    expect(
      (screen.getByRole('button', { name: /Refresh/ }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
    expect(screen.getByText('Checking…')).toBeTruthy();
  });

  it('shows a failure as an alert with a retry', () => {
    const onRefresh = jest.fn();
    render(
      <ServicesView
        report={null}
        loading={false}
        error="The Jupyter server could not be reached."
        trans={trans}
        onRefresh={onRefresh}
      />
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(
      'The Jupyter server could not be reached.'
    );
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(onRefresh).toHaveBeenCalledTimes(1);
  });

  it('says in red when a reachable service refuses the configured identity, in its words', () => {
    const signIn: IStatusReport = {
      checked_at: report.checked_at,
      services: [
        {
          ...report.services[0],
          identity: {
            signs_in: false,
            account: null,
            expires_at: null,
            detail: null,
            reason:
              'Rucio refused the userpass credentials: CannotAuthenticate: Cannot authenticate to account root with given credentials',
            code: 'rucio_unauthorized'
          }
        },
        {
          ...report.services[0],
          id: 'reana',
          name: 'REANA workflows',
          identity: {
            signs_in: true,
            account: 'jane.doe@escape.example',
            expires_at: null,
            detail: 'token active',
            reason: null
          }
        }
      ]
    };
    const onAction = jest.fn();
    render(
      <ServicesView
        report={signIn}
        loading={false}
        error={null}
        trans={trans}
        onRefresh={() => {}}
        onAction={onAction}
        canRun={command => command !== 'escape:workflows-open'}
      />
    );
    const rucio = screen.getByRole('listitem', { name: 'Rucio Data Lake' });
    expect(within(rucio).getByText('Reachable')).toBeTruthy();
    const no = within(rucio).getByText('Signs in: no');
    expect(no.closest('.jp-escape-Badge-error')).toBeTruthy();
    const words = within(rucio).getByText(
      /Cannot authenticate to account root/
    );
    expect(words.textContent).toMatch(/^Signing in failed: Rucio refused/);
    expect(words.classList.contains('jp-mod-error')).toBe(true);
    fireEvent.click(
      within(rucio).getByRole('button', { name: 'Rucio credentials…' })
    );
    expect(onAction).toHaveBeenCalledWith('escape:datalake-credentials');

    const reana = screen.getByRole('listitem', { name: 'REANA workflows' });
    expect(within(reana).getByText('Signs in: yes')).toBeTruthy();
    expect(within(reana).getByText('jane.doe@escape.example')).toBeTruthy();
    expect(
      within(reana).getByText(/does not expire · token active/)
    ).toBeTruthy();
    // A command this JupyterLab lacks gets no button.
    expect(within(reana).queryByRole('button', { name: /REANA/ })).toBeNull();
  });
});
