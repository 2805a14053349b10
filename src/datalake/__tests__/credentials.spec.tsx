import { nullTranslator } from '@jupyterlab/translation';
import { fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { ICredentials } from '../api';
import { CredentialsForm } from '../components/CredentialsForm';

const trans = nullTranslator.load('jupyterlab_escape');

const stored: ICredentials = {
  stored: true,
  auth_type: 'userpass',
  account: 'jdoe',
  username: 'jdoe',
  has_password: true,
  oidc_token_file: '',
  client_cert: '',
  client_key: ''
};

describe('CredentialsForm', () => {
  it('never shows a stored password, only that it is kept', () => {
    render(
      <CredentialsForm initial={stored} trans={trans} onChange={() => {}} />
    );
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    expect(password.type).toBe('password');
    expect(password.value).toBe('');
    expect(password.placeholder).toBe('stored — leave empty to keep it');
  });

  it('shows the fields of the chosen method and reports every change', () => {
    const onChange = jest.fn();
    render(
      <CredentialsForm initial={stored} trans={trans} onChange={onChange} />
    );
    fireEvent.change(screen.getByLabelText('Method'), {
      target: { value: 'oidc' }
    });
    expect(screen.queryByLabelText('Password')).toBeNull();
    fireEvent.change(screen.getByLabelText('Token file'), {
      target: { value: '/tmp/rucio_oauth.token' }
    });
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({
        auth_type: 'oidc',
        oidc_token_file: '/tmp/rucio_oauth.token'
      })
    );
    fireEvent.change(screen.getByLabelText('Method'), {
      target: { value: 'x509' }
    });
    expect(screen.getByLabelText('Certificate')).toBeTruthy();
    expect(screen.getByLabelText('Key')).toBeTruthy();
  });
});
