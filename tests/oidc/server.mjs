// A local, standards-compliant OpenID Provider for musicauth's tests, built on panva's
// oidc-provider (see package.json for the pinned version).
//
//   node tests/oidc/server.mjs [--port 0] [--client-secret S] [--access-token-ttl 3600] [--deny]
//                              [--always-issue-refresh-token] [--verbose]
//
// Listens on 127.0.0.1 (port 0 = ephemeral) and, once ready, prints exactly one JSON line on
// stdout: {"issuer": "http://127.0.0.1:<port>", "port": <port>}. Nothing else is written to
// stdout; oidc-provider's own notices are dropped (or sent to stderr with --verbose).
//
// Clients (all application_type "native", so any port on http://127.0.0.1/callback is accepted,
// RFC 8252 section 7.3; PKCE S256 required for every client):
//   musicauth-test    confidential, client_secret_post  (authorization_code, refresh_token, client_credentials)
//   musicauth-basic   confidential, client_secret_basic (authorization_code, refresh_token, client_credentials)
//   musicauth-public  public, none                      (authorization_code, refresh_token)
//   musicauth-device  public, none                      (device_code, refresh_token; RFC 8628, /device)
// Both confidential clients share the secret from --client-secret / $MUSICAUTH_OIDC_CLIENT_SECRET.
//
// The end-user interaction is automatic: every step is a plain GET that answers with a 303, so a
// cookie-carrying client that follows redirects ends at the redirect_uri with code, state and iss.
// With --deny the first interaction finishes with access_denied instead.
//
// Refresh tokens: only when offline_access is granted, which oidc-provider allows only when the
// authorization request also carries prompt=consent; see --always-issue-refresh-token below.
// Refresh tokens always rotate; replaying a rotated one revokes the whole grant.

import { generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';
import * as querystring from 'node:querystring';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-secret': { type: 'string' },
    'access-token-ttl': { type: 'string', default: '3600' },
    deny: { type: 'boolean', default: false },
    'always-issue-refresh-token': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
  allowPositionals: false,
});

const port = Number.parseInt(args.port, 10);
const accessTokenTTL = Number.parseInt(args['access-token-ttl'], 10);
const clientSecret = args['client-secret']
  || process.env.MUSICAUTH_OIDC_CLIENT_SECRET
  || 'musicauth-test-secret-0123456789abcdef';
const deny = args.deny || process.env.MUSICAUTH_OIDC_DENY === '1';
const alwaysIssueRefreshToken = args['always-issue-refresh-token'];
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`invalid --port ${args.port}`);
}
if (!Number.isInteger(accessTokenTTL) || accessTokenTTL <= 0) {
  throw new Error(`invalid --access-token-ttl ${args['access-token-ttl']}`);
}

// stdout carries only the ready line. oidc-provider prints its notices with console.info (stdout)
// and console.warn (stderr) -- including an "unsupported runtime" warning at import time on
// Node < 22 -- so quieten console before importing it. console.error (Koa's handler for
// unexpected server errors) stays on stderr.
const toStderr = (...parts) => process.stderr.write(`${parts.join(' ')}\n`);
const quiet = () => {};
console.log = args.verbose ? toStderr : quiet;
console.info = args.verbose ? toStderr : quiet;
console.warn = args.verbose ? toStderr : quiet;
console.debug = args.verbose ? toStderr : quiet;

const { default: Provider } = await import('oidc-provider');

const ACCOUNT_ID = 'test-user-1';
const CLIENT_IDS = {
  post: 'musicauth-test',
  basic: 'musicauth-basic',
  public: 'musicauth-public',
  device: 'musicauth-device',
};
const REDIRECT_URIS = ['http://127.0.0.1/callback'];

const account = {
  accountId: ACCOUNT_ID,
  async claims() {
    return {
      sub: ACCOUNT_ID,
      name: 'Test User',
      given_name: 'Test',
      family_name: 'User',
      preferred_username: 'test-user',
      email: 'test-user-1@example.test',
      email_verified: true,
    };
  },
};

// A fresh signing key per run (ID tokens are RS256); no fixed key material in the repo.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'musicauth-test-rs256', use: 'sig', alg: 'RS256' };

const nativeClient = {
  application_type: 'native',
  redirect_uris: REDIRECT_URIS,
  response_types: ['code'],
};

const configuration = {
  clients: [
    {
      ...nativeClient,
      client_id: CLIENT_IDS.post,
      client_secret: clientSecret,
      client_name: 'musicauth test (client_secret_post)',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    },
    {
      ...nativeClient,
      client_id: CLIENT_IDS.basic,
      client_secret: clientSecret,
      client_name: 'musicauth test (client_secret_basic)',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    },
    {
      ...nativeClient,
      client_id: CLIENT_IDS.public,
      client_name: 'musicauth test (public)',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    },
    {
      // RFC 8628 only: no browser on the device, so no redirect URI and no response type.
      application_type: 'native',
      client_id: CLIENT_IDS.device,
      client_name: 'musicauth test (device)',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      redirect_uris: [],
      response_types: [],
    },
  ],
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    id_token_signed_response_alg: 'RS256',
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
  responseTypes: ['code'],
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  // oidc-provider 9 only implements S256; this makes it mandatory for confidential clients too.
  pkce: { required: () => true },
  cookies: {
    keys: ['musicauth-test-cookie-key-1', 'musicauth-test-cookie-key-0'],
  },
  jwks: { keys: [signingKey] },
  features: {
    devInteractions: { enabled: false },
    introspection: {
      enabled: true,
      // Same rule as the default, spelled out so oidc-provider does not print a notice: a public
      // client may only introspect its own tokens.
      async allowedPolicy(ctx, client, token) {
        return !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId);
      },
    },
    revocation: {
      enabled: true,
      async allowedPolicy(ctx, client, token) {
        if (token.clientId !== client.clientId) {
          if (client.clientAuthMethod === 'none') return false;
          throw new Provider.errors.InvalidRequest('client is not authorized to revoke the presented token');
        }
        return true;
      },
    },
    clientCredentials: { enabled: true },
    // RFC 8628. Plain pages a test can drive as a person would: the confirmation form (hidden
    // xsrf, user_code and confirm fields) is posted, then the usual automatic interactions run.
    deviceFlow: {
      enabled: true,
      async userCodeInputSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html><body>${form}<button type="submit" form="op.deviceInputForm">Continue</button></body></html>`;
      },
      async userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
        ctx.body = `<!DOCTYPE html><html><body><p>Confirm <code>${userCode}</code></p>${form}</body></html>`;
      },
      async successSource(ctx) {
        ctx.body = '<!DOCTYPE html><html><body>Sign-in Success</body></html>';
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html><body>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button></body></html>`;
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = '<!DOCTYPE html><html><body>Signed out.</body></html>';
      },
    },
  },
  async findAccount(ctx, sub) {
    return sub === ACCOUNT_ID ? account : undefined;
  },
  // OpenID Connect semantics by default: a refresh token only when offline_access was granted,
  // and oidc-provider drops offline_access from an authorization request unless it also has
  // prompt=consent (OIDC Core 1.0, section 11). --always-issue-refresh-token models a plain
  // OAuth 2.0 server instead: every code exchange of a refresh_token-capable client gets one.
  issueRefreshToken: async (ctx, client, code) => (
    client.grantTypeAllowed('refresh_token')
    && (alwaysIssueRefreshToken || code.scopes.has('offline_access'))
  ),
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: accessTokenTTL,
    ClientCredentials: accessTokenTTL,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 60 * 60,
    Interaction: 60 * 60,
    Session: 14 * 24 * 60 * 60,
    Grant: 14 * 24 * 60 * 60,
  },
  interactions: {
    url: async (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
};

// --- automatic interactions ----------------------------------------------------------------

async function finishInteraction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;

  if (deny) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The user denied access',
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT_ID } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }

  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    // Grant everything that was asked for (scope already has offline_access filtered by the
    // provider when it is not applicable), plus whatever the prompt says is still missing.
    if (params.scope) grant.addOIDCScope(params.scope);
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
    return;
  }

  throw new Error(`unexpected prompt ${prompt.name}`);
}

// --- strict client authentication ------------------------------------------------------------
// oidc-provider treats client_secret_basic and client_secret_post as interchangeable. For a test
// issuer it is more useful to insist on the registered method, so a client that sends its secret
// the wrong way gets invalid_client here.

const SECRET_ENDPOINTS = new Set(['/token', '/token/introspection', '/token/revocation']);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function basicClientId(header) {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i === -1) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, i).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

function wrongAuthMethod(req, body) {
  const form = querystring.parse(body.toString('utf8'));
  const headerClient = basicClientId(req.headers.authorization);
  const clientId = headerClient ?? (typeof form.client_id === 'string' ? form.client_id : undefined);
  if (clientId === CLIENT_IDS.post && headerClient !== undefined) {
    return `${CLIENT_IDS.post} is registered for client_secret_post, not client_secret_basic`;
  }
  if (clientId === CLIENT_IDS.basic && form.client_secret !== undefined) {
    return `${CLIENT_IDS.basic} is registered for client_secret_basic, not client_secret_post`;
  }
  return undefined;
}

function sendJson(res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

// --- server --------------------------------------------------------------------------------

// The issuer has to contain the port, so listen first, then build the provider.
let handler = (req, res) => sendJson(res, 503, { error: 'temporarily_unavailable' });
const server = http.createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 1000;

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const actualPort = server.address().port;
const issuer = `http://127.0.0.1:${actualPort}`;

const provider = new Provider(issuer, configuration);
provider.proxy = false;
const providerCallback = provider.callback();

if (args.verbose) {
  provider.on('server_error', (ctx, err) => toStderr('server_error', err?.stack || err));
  for (const event of ['authorization.error', 'grant.error', 'introspection.error', 'revocation.error']) {
    provider.on(event, (ctx, err) => toStderr(event, err?.message, err?.error_description ?? ''));
  }
}

handler = async (req, res) => {
  try {
    const { pathname } = new URL(req.url, issuer);

    if (req.method === 'GET' && pathname.startsWith('/interaction/')) {
      await finishInteraction(provider, req, res);
      return;
    }

    if (req.method === 'POST' && SECRET_ENDPOINTS.has(pathname)) {
      const body = await readBody(req);
      const problem = wrongAuthMethod(req, body);
      if (problem) {
        sendJson(res, 401, { error: 'invalid_client', error_description: problem });
        return;
      }
      // oidc-provider accepts an already-read body from req.body (it parses a Buffer as a form).
      req.body = body;
    }

    providerCallback(req, res);
  } catch (err) {
    if (args.verbose) toStderr('interaction error', err?.stack || err);
    if (!res.headersSent) {
      sendJson(res, 400, {
        error: err?.error || 'invalid_request',
        error_description: err?.error_description || String(err?.message || err),
      });
    } else {
      res.end();
    }
  }
};

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

process.stdout.write(`${JSON.stringify({ issuer, port: actualPort })}\n`);
