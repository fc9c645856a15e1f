// A second OpenID Provider for authgate's interop tests: panva's oidc-provider (OpenID Certified),
// on loopback, configured from the environment. It is not ours: the gateway must log in through it
// exactly as it does through the embedded IdP.
//
//   OP_PORT                        port on 127.0.0.1 (issuer http://127.0.0.1:<port>)
//   OP_CLIENT_ID, OP_CLIENT_SECRET the one confidential client
//   OP_REDIRECT_URIS               space-separated redirect URIs of that client
//   OP_POST_LOGOUT_REDIRECT_URIS   space-separated post-logout redirect URIs
//   OP_AUTH_METHOD                 token_endpoint_auth_method (default client_secret_basic)
//   OP_USER_EMAIL, OP_USER_PASSWORD  the one test user
//   OP_ACCESS_TOKEN_TTL            access token lifetime in seconds (default 300)
//
// Every request is logged to stdout as "REQ <METHOD> <path>" so tests can count round trips.
import { generateKeyPairSync, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

function env(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) {
      console.error(`missing environment variable ${name}`);
      process.exit(2);
    }
    return fallback;
  }
  return value;
}

const port = Number(env('OP_PORT'));
const issuer = `http://127.0.0.1:${port}`;
const user = {
  accountId: 'user-' + createHash('sha256').update(env('OP_USER_EMAIL')).digest('hex').slice(0, 16),
  email: env('OP_USER_EMAIL'),
  password: env('OP_USER_PASSWORD'),
};
const client = {
  client_id: env('OP_CLIENT_ID'),
  client_secret: env('OP_CLIENT_SECRET'),
  redirect_uris: env('OP_REDIRECT_URIS').split(' '),
  post_logout_redirect_uris: env('OP_POST_LOGOUT_REDIRECT_URIS', '').split(' ').filter(Boolean),
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: env('OP_AUTH_METHOD', 'client_secret_basic'),
};

// RS256 signing key, new at every start.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

function sameSecret(given, expected) {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const configuration = {
  clients: [client],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  // Put the scope's claims in the ID token too (the access token is opaque to the gateway).
  conformIdTokenClaims: false,
  pkce: { required: () => true, methods: ['S256'] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // The OP asks before signing out (as oidc-provider does by default), without remote fonts.
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
  },
  // A first-party client: refresh tokens without offline_access, rotated at every use.
  issueRefreshToken: async (ctx, c) => c.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: {
    AccessToken: Number(env('OP_ACCESS_TOKEN_TTL', '300')),
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 86400,
    Grant: 86400,
    Interaction: 600,
    Session: 86400,
  },
  async findAccount(ctx, id) {
    if (id !== user.accountId) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id, email: user.email, email_verified: true,
          name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace',
        };
      },
    };
  },
  // Consent is implied for the one first-party client: grant what it asks for.
  async loadExistingGrant(ctx) {
    const { session, client: c, params } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(c.clientId);
    const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
    if (existing) return existing; // a revoked grant is gone: grant anew
    const grant = new ctx.oidc.provider.Grant({ clientId: c.clientId, accountId: session.accountId });
    grant.addOIDCScope(String(params.scope || 'openid'));
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<p role="alert">${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
  },
};

function escape(text) {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, email, error) {
  const alert = error ? `<p role="alert">${escape(error)}</p>` : '';
  return page('Third-party sign in', `${alert}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label for="email">Email</label> <input id="email" name="email" type="email" value="${escape(email)}" autocomplete="username">
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Cancel</button></form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function interaction(req, res, provider, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<p role="alert">Unknown interaction.</p>'));
  if (details.prompt.name !== 'login') {
    // Consent is implied (loadExistingGrant); any other prompt finishes with what we have.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }
  if (req.method === 'GET' && action === undefined) return send(res, 200, loginForm(uid, '', ''));
  if (req.method !== 'POST') return send(res, 405, page('Error', '<p role="alert">Method not allowed.</p>'));
  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  const form = await readForm(req);
  const email = form.get('email') || '';
  const ok = email === user.email && sameSecret(form.get('password') || '', user.password);
  if (!ok) return send(res, 200, loginForm(uid, email, 'Invalid email or password.'));
  return provider.interactionFinished(req, res, { login: { accountId: user.accountId } }, {
    mergeWithLastSubmission: false,
  });
}

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));
const callback = provider.callback();
const route = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/;

const server = http.createServer(async (req, res) => {
  const path = req.url.split('?')[0];
  console.log(`REQ ${req.method} ${path}`);
  const match = route.exec(path);
  if (!match) return callback(req, res);
  try {
    await interaction(req, res, provider, match[1], match[2]);
  } catch (err) {
    console.error('interaction failed:', err.message);
    if (!res.headersSent) send(res, 400, page('Error', `<p role="alert">${escape(err.message)}</p>`));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
