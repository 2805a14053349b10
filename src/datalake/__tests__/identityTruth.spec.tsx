/**
 * The Data Lake's header tells who Rucio takes us for now (#21): never a stale account or token
 * expiry after the identity changed or stopped working, and an expired sign-in's login address
 * is a link.
 */
import { render, screen } from '@testing-library/react';
import * as React from 'react';

import { ErrorBanner } from '../../common/ErrorBanner';
import { EscapeRequestError } from '../../request';
import { DatalakeModel } from '../model';
import { fakeApi, tick } from './fakeApi';

const LOGIN = 'http://127.0.0.1:18600/hub/login';
const expired = () =>
  new EscapeRequestError(
    401,
    'signin_expired',
    `Your sign-in expired at 10:32 and the hub could not renew it: sign in again at ${LOGIN}, then retry.`,
    'rucio',
    null,
    LOGIN
  );

describe('the Data Lake identity', () => {
  it('forgets the old account while reconnecting and when the new identity fails', async () => {
    const { api } = fakeApi();
    const model = new DatalakeModel(api);
    await model.connect();
    expect(model.whoami?.account.account).toBe('root');

    // Switching identity: until Rucio answers, nobody is shown.
    let answer: (v: unknown) => void = () => undefined;
    (api.whoami as jest.Mock).mockImplementationOnce(
      () => new Promise(resolve => (answer = resolve))
    );
    const switching = model.connect();
    await tick();
    expect(model.whoami).toBeNull();
    const jdoe = await api.whoami('other');
    answer(jdoe);
    await switching;
    expect(model.whoami?.account.account).toBe('jdoe');

    // The next identity refused: the header shows the refusal, not jdoe and its expiry.
    (api.whoami as jest.Mock).mockRejectedValueOnce(expired());
    await model.connect();
    expect(model.whoami).toBeNull();
    expect(model.identityError).toContain('sign in again at');
    expect(model.identityLoginUrl).toBe(LOGIN);
  });

  it('a listing refused for the identity (401) takes the stale account out of the header', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    await model.connect();
    expect(model.whoami?.account.account).toBe('root');
    model.update({ query: 'escape_cta' });
    const done = model.search();
    await tick();
    searches[0].feed.fail(expired());
    await done;
    expect(model.current?.error).toContain('Your sign-in expired');
    expect(model.current?.loginUrl).toBe(LOGIN);
    expect(model.whoami).toBeNull();
    expect(model.identityLoginUrl).toBe(LOGIN);
  });

  it('asks again who we are once the token expiry it shows has passed (the server renewed it)', async () => {
    const { api, searches } = fakeApi();
    const base = await api.whoami();
    (api.whoami as jest.Mock)
      .mockResolvedValueOnce({
        ...base,
        auth: { ...base.auth, token_expires_at: '2020-01-01T10:00:00Z' }
      })
      .mockResolvedValueOnce({
        ...base,
        auth: { ...base.auth, token_expires_at: '2999-01-01T11:00:00Z' }
      });
    const model = new DatalakeModel(api);
    await model.connect();
    expect(model.whoami?.auth.token_expires_at).toBe('2020-01-01T10:00:00Z');
    const calls = (api.whoami as jest.Mock).mock.calls.length;
    model.update({ query: 'escape_cta' });
    const done = model.search();
    await tick();
    expect((api.whoami as jest.Mock).mock.calls.length).toBe(calls + 1);
    expect(model.whoami?.auth.token_expires_at).toBe('2999-01-01T11:00:00Z');
    // A valid expiry is not asked again.
    searches[0].feed.end();
    await done;
    const again = model.search();
    await tick();
    expect((api.whoami as jest.Mock).mock.calls.length).toBe(calls + 1);
    searches[1].feed.end();
    await again;
  });

  it('a listing refused for another reason keeps the identity', async () => {
    const { api, searches } = fakeApi();
    const model = new DatalakeModel(api);
    await model.connect();
    model.update({ query: 'escape_cta' });
    const done = model.search();
    await tick();
    searches[0].feed.fail(
      new EscapeRequestError(400, 'bad_query', 'Bad filter.')
    );
    await done;
    expect(model.current?.error).toBe('Bad filter.');
    expect(model.whoami?.account.account).toBe('root');
  });
});

describe('ErrorBanner', () => {
  it('makes the sign-in address in the message a link that opens a new tab', () => {
    render(<ErrorBanner message={expired().message} loginUrl={LOGIN} />);
    const link = screen.getByRole('link', { name: LOGIN });
    expect(link.getAttribute('href')).toBe(LOGIN);
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(screen.getByRole('alert').textContent).toBe(expired().message);
  });

  it('adds a "Sign in again" link when the message does not name the address', () => {
    render(<ErrorBanner message="Your sign-in expired." loginUrl={LOGIN} />);
    expect(
      screen.getByRole('link', { name: 'Sign in again' }).getAttribute('href')
    ).toBe(LOGIN);
  });

  it('no link without an address', () => {
    render(<ErrorBanner message={expired().message} />);
    expect(screen.queryByRole('link')).toBeNull();
  });
});

describe('EscapeRequestError.fromEnvelope', () => {
  const envelope = (login_url: string) => ({
    error: {
      code: 'signin_expired',
      message: 'x',
      service: 'rucio',
      upstream_status: null,
      login_url
    }
  });
  it('keeps a web address and drops anything else', () => {
    expect(EscapeRequestError.fromEnvelope(401, envelope(LOGIN)).loginUrl).toBe(
      LOGIN
    );
    expect(
      EscapeRequestError.fromEnvelope(401, envelope('javascript:alert(1)'))
        .loginUrl
    ).toBeNull();
  });
});
