import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { CredentialsUpdate, ICredentials } from '../api';

/** The fields of the credentials dialog; `onChange` receives the whole update each time. */
export function CredentialsForm(props: {
  initial: ICredentials;
  trans: TranslationBundle;
  onChange: (value: CredentialsUpdate) => void;
}): JSX.Element {
  const { initial, trans } = props;
  const [value, setValue] = React.useState<CredentialsUpdate>({
    auth_type: initial.auth_type || 'userpass',
    account: initial.account,
    username: initial.username,
    password: '',
    oidc_token_file: initial.oidc_token_file,
    client_cert: initial.client_cert,
    client_key: initial.client_key
  });
  const set = (patch: Partial<CredentialsUpdate>) => {
    const next = { ...value, ...patch };
    setValue(next);
    props.onChange(next);
  };
  const field = (
    name: keyof CredentialsUpdate,
    label: string,
    type = 'text',
    placeholder = ''
  ) => (
    <label className="jp-escape-Datalake-Credentials-field">
      <span>{label}</span>
      <input
        className="jp-mod-styled"
        name={name}
        aria-label={label}
        type={type}
        autoComplete="off"
        placeholder={placeholder}
        value={(value[name] as string) ?? ''}
        onChange={event => set({ [name]: event.target.value })}
      />
    </label>
  );
  return (
    <form
      className="jp-escape-Datalake-Credentials"
      onSubmit={event => event.preventDefault()}
    >
      <p className="jp-escape-muted">
        {trans.__(
          'Stored on the Jupyter server, readable by your user only; passwords are never shown again.'
        )}
      </p>
      <label className="jp-escape-Datalake-Credentials-field">
        <span>{trans.__('Method')}</span>
        <select
          className="jp-mod-styled"
          name="auth_type"
          aria-label={trans.__('Method')}
          value={value.auth_type}
          onChange={event =>
            set({
              auth_type: event.target.value as CredentialsUpdate['auth_type']
            })
          }
        >
          <option value="userpass">{trans.__('Username and password')}</option>
          <option value="oidc">{trans.__('Token file (OIDC)')}</option>
          <option value="x509">{trans.__('X.509 certificate')}</option>
          <option value="x509_proxy">{trans.__('X.509 proxy')}</option>
        </select>
      </label>
      {field(
        'account',
        trans.__('Account'),
        'text',
        trans.__('default of the identity')
      )}
      {value.auth_type === 'userpass' && (
        <>
          {field('username', trans.__('Username'))}
          {field(
            'password',
            trans.__('Password'),
            'password',
            initial.has_password
              ? trans.__('stored — leave empty to keep it')
              : ''
          )}
        </>
      )}
      {value.auth_type === 'oidc' &&
        field(
          'oidc_token_file',
          trans.__('Token file'),
          'text',
          '/tmp/rucio_oauth.token'
        )}
      {(value.auth_type === 'x509' || value.auth_type === 'x509_proxy') && (
        <>
          {field(
            'client_cert',
            trans.__('Certificate'),
            'text',
            '/home/me/.globus/usercert.pem'
          )}
          {value.auth_type === 'x509' &&
            field(
              'client_key',
              trans.__('Key'),
              'text',
              '/home/me/.globus/userkey.pem'
            )}
        </>
      )}
    </form>
  );
}
