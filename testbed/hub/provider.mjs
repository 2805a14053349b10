// The testbed's OpenID Connect provider: npm `oidc-provider` (panva), configured like the ESCAPE
// IAM as far as the hub and the services see it. Not a home-made provider: this file only
// configures it.
//
//   - one confidential client, the hub (authorization_code + refresh_token + RFC 8693 token
//     exchange), first-party: no consent screen;
//   - one test user with a password login (ESCAPE_OIDC_USER / ESCAPE_OIDC_PASSWORD);
//   - short-lived access tokens (ESCAPE_OIDC_TOKEN_TTL seconds, default 120) and refresh tokens
//     (8 h); revocation and introspection endpoints;
//   - two resource servers, urn:rucio (aud "rucio") and urn:reana (aud "reana"), whose tokens are
//     JWTs signed with the provider's RSA key (published at /jwks);
//   - token exchange (grant_type urn:ietf:params:oauth:grant-type:token-exchange, not built into
//     oidc-provider: registered below with provider.registerGrantType) turning the user's access
//     token into a token for one audience, as the ESCAPE hub does for Rucio.
//
// Usage: node provider.mjs   (environment: ESCAPE_OIDC_PORT, ESCAPE_OIDC_STATE, ESCAPE_HUB_URL,
// ESCAPE_OIDC_CLIENT_SECRET, ESCAPE_OIDC_TOKEN_TTL, ESCAPE_OIDC_USER, ESCAPE_OIDC_PASSWORD)
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import querystring from 'node:querystring';

import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

const env = (name, fallback) => process.env[name] || fallback;
const PORT = Number(env('ESCAPE_OIDC_PORT', '18620'));
const HOST = '127.0.0.1';
// HTTPS when given a certificate (Rucio's OIDC code accepts only https issuers).
const TLS_CERT = env('ESCAPE_OIDC_TLS_CERT', '');
const TLS_KEY = env('ESCAPE_OIDC_TLS_KEY', '');
const ISSUER = env(
  'ESCAPE_OIDC_ISSUER',
  `${TLS_CERT ? 'https' : 'http'}://${HOST}:${PORT}`
);
const RUCIO_SECRET = env('ESCAPE_OIDC_RUCIO_SECRET', 'escape-rucio-secret');
const STATE = env('ESCAPE_OIDC_STATE', path.join(process.cwd(), '.run'));
const HUB_URL = env('ESCAPE_HUB_URL', 'http://127.0.0.1:18600').replace(
  /\/$/,
  ''
);
const TTL = Number(env('ESCAPE_OIDC_TOKEN_TTL', '120'));
const USER = env('ESCAPE_OIDC_USER', 'alice');
const PASSWORD = env('ESCAPE_OIDC_PASSWORD', 'escape-alice');
const CLIENT_SECRET = env('ESCAPE_OIDC_CLIENT_SECRET', 'escape-hub-secret');
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

// Resource servers: audience name (what the hub asks for) -> resource indicator.
const RESOURCES = {
  'urn:rucio': { audience: 'rucio', scope: 'openid profile' },
  'urn:reana': { audience: 'reana', scope: 'openid profile' }
};
const AUDIENCES = Object.fromEntries(
  Object.entries(RESOURCES).map(([indicator, r]) => [r.audience, indicator])
);

const ACCOUNTS = {
  [USER]: {
    password: PASSWORD,
    claims: {
      sub: USER,
      preferred_username: USER,
      name: 'Alice Escape',
      email: `${USER}@example.org`,
      email_verified: true
    }
  }
};

// A signing key generated once per state folder, so the JWKS stays the same across restarts.
async function signingKeys() {
  fs.mkdirSync(STATE, { recursive: true, mode: 0o700 });
  const file = path.join(STATE, 'oidc-signing-key.json');
  if (!fs.existsSync(file)) {
    const { privateKey } = await generateKeyPair('RS256', {
      extractable: true
    });
    const jwk = await exportJWK(privateKey);
    jwk.kid = crypto.randomBytes(8).toString('hex');
    jwk.alg = 'RS256';
    jwk.use = 'sig';
    fs.writeFileSync(file, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const html = (title, body) => `<!doctype html><html><head><meta charset="utf-8">
<title>${title}</title><style>body{font-family:sans-serif;max-width:26em;margin:4em auto}
label{display:block;margin:.6em 0}input{width:100%;padding:.3em}.error{color:#b00}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;

const escapeHtml = s =>
  String(s).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return querystring.parse(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid, error = '') {
  return html(
    'ESCAPE test identity provider',
    `${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
<label>Username <input name="login" autofocus></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`
  );
}

// RFC 8693 token exchange: a valid access token of this provider (the subject) becomes a JWT for
// the requested audience, in the same grant (revoking the grant revokes it too).
async function tokenExchange(ctx) {
  const { params, client } = ctx.oidc;
  const provider = ctx.oidc.provider;
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest(
      `subject_token_type must be ${ACCESS_TOKEN_TYPE}`
    );
  }
  if (!params.subject_token)
    throw new errors.InvalidRequest('subject_token missing');
  if (
    params.requested_token_type &&
    params.requested_token_type !== ACCESS_TOKEN_TYPE
  ) {
    throw new errors.InvalidRequest('only access tokens can be requested');
  }
  const subject = await provider.AccessToken.find(params.subject_token);
  if (!subject)
    throw new errors.InvalidGrant('subject token is invalid or expired');
  if (subject.clientId !== client.clientId)
    throw new errors.InvalidGrant('client mismatch');
  const grant = await provider.Grant.find(subject.grantId);
  if (!grant) throw new errors.InvalidGrant('grant revoked');
  const indicator = params.resource || AUDIENCES[params.audience];
  if (!indicator || !RESOURCES[indicator])
    throw new errors.InvalidTarget('unknown audience');
  const info = resourceServerInfo(indicator);
  const at = new provider.AccessToken({
    accountId: subject.accountId,
    client,
    grantId: subject.grantId,
    gty: TOKEN_EXCHANGE
  });
  at.resourceServer = new provider.ResourceServer(indicator, info);
  const wanted = params.scope ? params.scope.split(' ') : info.scope.split(' ');
  at.scope = wanted.filter(s => info.scope.split(' ').includes(s)).join(' ');
  ctx.oidc.entity('AccessToken', at);
  const value = await at.save();
  ctx.body = {
    access_token: value,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: at.expiration,
    scope: at.scope
  };
}

function resourceServerInfo(indicator) {
  return {
    audience: RESOURCES[indicator].audience,
    scope: RESOURCES[indicator].scope,
    accessTokenFormat: 'jwt',
    accessTokenTTL: TTL
  };
}

const configuration = {
  clients: [
    {
      client_id: 'jupyterhub',
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${HUB_URL}/hub/oauth_callback`],
      post_logout_redirect_uris: [`${HUB_URL}/hub/login`],
      grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
      response_types: ['code']
    },
    {
      // Rucio's registration at this provider (its idpsecrets.json): it only reads the
      // discovery document and the keys to check the JWTs users bring.
      client_id: 'rucio',
      client_secret: RUCIO_SECRET,
      redirect_uris: ['http://127.0.0.1:18080/auth/oidc_token'],
      grant_types: ['authorization_code'],
      response_types: ['code']
    }
  ],
  jwks: await signingKeys(),
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified']
  },
  async findAccount(_ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => account.claims };
  },
  ttl: {
    AccessToken: TTL,
    IdToken: TTL,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
    RefreshToken: 8 * 3600
  },
  // Refresh tokens for the hub without an offline_access consent round trip.
  issueRefreshToken: async (_ctx, client) =>
    client.grantTypeAllowed('refresh_token'),
  // First-party client: the hub's grant is created without a consent screen.
  async loadExistingGrant(ctx) {
    const { provider, client, session } = ctx.oidc;
    const grantId =
      ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) {
      const existing = await provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new provider.Grant({
      clientId: client.clientId,
      accountId: session.accountId
    });
    grant.addOIDCScope('openid profile email offline_access');
    for (const [indicator, r] of Object.entries(RESOURCES))
      grant.addResourceScope(indicator, r.scope);
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      getResourceServerInfo: (_ctx, indicator) => {
        if (!RESOURCES[indicator]) throw new errors.InvalidTarget();
        return resourceServerInfo(indicator);
      }
    }
  },
  pkce: { required: () => false },
  cookies: {
    keys: [crypto.createHash('sha256').update(CLIENT_SECRET).digest('hex')]
  },
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = html(
      'Sign-in error',
      `<p class="error">${escapeHtml(out.error_description || out.error)}</p>`
    );
  }
};

const provider = new Provider(ISSUER, configuration);
provider.registerGrantType(TOKEN_EXCHANGE, tokenExchange, [
  'subject_token',
  'subject_token_type',
  'audience',
  'requested_token_type',
  'scope'
]);

// The login page: the one interaction this provider has (consent is skipped, see above).
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
  if (!match) return next();
  const { req, res } = ctx;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== match[1])
    throw new errors.SessionNotFound('interaction mismatch');
  if (details.prompt.name !== 'login') {
    // consent is never asked (loadExistingGrant); finish with the existing grant
    ctx.respond = false;
    return provider.interactionFinished(
      req,
      res,
      {},
      { mergeWithLastSubmission: true }
    );
  }
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = loginPage(details.uid);
    return undefined;
  }
  if (ctx.method === 'POST' && match[2]) {
    const form = await readForm(req);
    const account = ACCOUNTS[form.login];
    const given = Buffer.from(String(form.password || ''));
    const expected = Buffer.from(
      account ? account.password : crypto.randomBytes(16).toString('hex')
    );
    const ok =
      account &&
      given.length === expected.length &&
      crypto.timingSafeEqual(given, expected);
    if (!ok) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = loginPage(details.uid, 'Wrong username or password.');
      return undefined;
    }
    ctx.respond = false;
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: form.login } },
      { mergeWithLastSubmission: false }
    );
  }
  ctx.status = 405;
  return undefined;
});

provider.on('server_error', (_ctx, err) => console.error('server_error', err));
if (TLS_CERT) {
  https
    .createServer(
      { cert: fs.readFileSync(TLS_CERT), key: fs.readFileSync(TLS_KEY) },
      provider.callback()
    )
    .listen(PORT, HOST);
} else {
  provider.listen(PORT, HOST);
}
console.log(`oidc-provider ${ISSUER} (token TTL ${TTL} s)`);
