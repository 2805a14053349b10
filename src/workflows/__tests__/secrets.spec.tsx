import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { EscapeRequestError } from '../../request';
import { IAddSecret, IReanaSecret } from '../api';
import { SecretsView } from '../components/SecretsView';
import { SecretsApi, SecretsModel } from '../components/secretsModel';
import { until } from './fakeApi';

/** An in-memory REANA secrets store that answers as the server does. */
function fakeSecrets(initial: IReanaSecret[] = []) {
  const store = new Map<string, IAddSecret>(
    initial.map(s => [s.name, { ...s, value: 'x' }])
  );
  const sent: IAddSecret[] = [];
  const api: SecretsApi = {
    secrets: jest.fn(async () =>
      [...store.values()]
        .map(({ name, type }) => ({ name, type: type ?? 'env' }))
        .sort((a, b) => a.name.localeCompare(b.name))
    ),
    addSecret: jest.fn(async (body: IAddSecret) => {
      sent.push(body);
      if (store.has(body.name)) {
        throw new EscapeRequestError(
          409,
          'reana_conflict',
          `Operation cannot be completed because a secret with name ${body.name} already exists.`,
          'reana',
          409
        );
      }
      store.set(body.name, body);
      return { name: body.name, type: body.type ?? 'env' };
    }),
    deleteSecret: jest.fn(async (name: string) => {
      if (!store.delete(name)) {
        throw new EscapeRequestError(
          404,
          'not_found',
          `REANA has no secret named '${name}'.`
        );
      }
      return { deleted: [name] };
    })
  };
  return { api, sent, store };
}

const rows = () =>
  screen
    .getAllByRole('row')
    .slice(1)
    .map(r => r.textContent);

describe('REANA secrets', () => {
  it('lists names and types, adds an env secret with a masked value that is then forgotten', async () => {
    const { api, sent } = fakeSecrets([{ name: 'VONAME', type: 'env' }]);
    const model = new SecretsModel(api);
    render(<SecretsView model={model} />);
    await screen.findByText('VONAME');
    expect(rows()).toEqual(['VONAMEenvironment variablehiddenDelete…']);

    fireEvent.change(screen.getByLabelText('Secret name'), {
      target: { value: 'RUCIO_PASSWORD' }
    });
    const value = screen.getByLabelText('Secret value') as HTMLInputElement;
    expect(value.type).toBe('password');
    fireEvent.change(value, { target: { value: 's3cr3t' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add secret' }));
    });
    await screen.findByText('RUCIO_PASSWORD added.');
    expect(sent).toEqual([
      { name: 'RUCIO_PASSWORD', type: 'env', value: 's3cr3t' }
    ]);
    expect(rows()).toContain('RUCIO_PASSWORDenvironment variablehiddenDelete…');
    // The value is never on the page after saving.
    expect(document.body.innerHTML).not.toContain('s3cr3t');
    expect(
      (screen.getByLabelText('Secret value') as HTMLInputElement).value
    ).toBe('');
  });

  it('shows the server refusal as written (an existing name is a 409) and keeps the form', async () => {
    const { api } = fakeSecrets([{ name: 'VONAME', type: 'env' }]);
    const model = new SecretsModel(api);
    render(<SecretsView model={model} />);
    await screen.findByText('VONAME');
    fireEvent.change(screen.getByLabelText('Secret name'), {
      target: { value: 'VONAME' }
    });
    fireEvent.change(screen.getByLabelText('Secret value'), {
      target: { value: 'escape' }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add secret' }));
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'Operation cannot be completed because a secret with name VONAME already exists.'
    );
    expect(
      (screen.getByLabelText('Secret name') as HTMLInputElement).value
    ).toBe('VONAME');
  });

  it('refuses a bad name before asking, for the type chosen', async () => {
    const { api } = fakeSecrets();
    render(<SecretsView model={new SecretsModel(api)} />);
    await screen.findByText('No secrets yet.');
    fireEvent.change(screen.getByLabelText('Secret name'), {
      target: { value: 'usercert.pem' }
    });
    fireEvent.change(screen.getByLabelText('Secret value'), {
      target: { value: 'v' }
    });
    expect(screen.getByText(/variable name: letters/)).toBeTruthy();
    expect(
      (screen.getByRole('button', { name: 'Add secret' }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
    fireEvent.click(screen.getByLabelText('File'));
    expect(screen.queryByText(/variable name: letters/)).toBeNull();
  });

  it('adds a file secret from a workspace file (base64 in one piece) or pasted content', async () => {
    const { api, sent } = fakeSecrets();
    const readFile = jest.fn(async () => 'LS0tLS1CRUdJTi\nBDRVJU\n');
    const model = new SecretsModel(api, readFile);
    render(
      <SecretsView model={model} selectedFile={() => 'certs/usercert.pem'} />
    );
    await screen.findByText('No secrets yet.');
    fireEvent.click(screen.getByLabelText('File'));
    fireEvent.click(screen.getByRole('button', { name: 'Use selected file' }));
    expect(
      (screen.getByLabelText('Secret name') as HTMLInputElement).value
    ).toBe('usercert.pem');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add secret' }));
    });
    await screen.findByText('usercert.pem added.');
    expect(readFile).toHaveBeenCalledWith('certs/usercert.pem');
    expect(sent[0]).toEqual({
      name: 'usercert.pem',
      type: 'file',
      value_base64: 'LS0tLS1CRUdJTiBDRVJU'
    });

    fireEvent.click(screen.getByLabelText('Paste the content'));
    fireEvent.change(screen.getByLabelText('Secret name'), {
      target: { value: 'x509up' }
    });
    fireEvent.change(screen.getByLabelText('Secret content'), {
      target: { value: '-----BEGIN-----' }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add secret' }));
    });
    await screen.findByText('x509up added.');
    expect(sent[1]).toEqual({
      name: 'x509up',
      type: 'file',
      value: '-----BEGIN-----'
    });
    expect(rows()).toEqual([
      'usercert.pemfilehiddenDelete…',
      'x509upfilehiddenDelete…'
    ]);
    expect(document.body.innerHTML).not.toContain('BEGIN');
  });

  it('deletes only after confirmation; a 404 is shown as written', async () => {
    const { api, store } = fakeSecrets([
      { name: 'A', type: 'env' },
      { name: 'B', type: 'env' }
    ]);
    const model = new SecretsModel(api);
    render(<SecretsView model={model} />);
    await screen.findByText('A');
    fireEvent.click(screen.getByRole('button', { name: 'Delete A' }));
    expect(api.deleteSecret).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.deleteSecret).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Delete A' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    });
    await screen.findByText('A deleted.');
    expect(api.deleteSecret).toHaveBeenCalledWith('A');
    expect(rows()).toEqual(['Benvironment variablehiddenDelete…']);

    store.delete('B'); // deleted elsewhere meanwhile
    fireEvent.click(screen.getByRole('button', { name: 'Delete B' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    });
    await until(() => model.error !== null);
    expect(screen.getByRole('alert').textContent).toContain(
      "REANA has no secret named 'B'."
    );
  });
});
