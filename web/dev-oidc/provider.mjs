// The development OpenID provider (npm oidc-provider) that `./dev up` and the browser tests run
// so that a learner can sign in to the web application with no external service. Local use
// only: any user name and password are accepted and become the token's subject. It signs with
// the suite's development key (.run/secrets/jwt_dev_key.pem), whose public half is already in
// the JWKS the gateway and the services trust, and issues access tokens in the shape they
// verify: EdDSA, the suite's issuer and audience, "sub" and "role": "learner".
//
// usage: node provider.mjs --port P --issuer URL --audience AUD --key-file PEM --kid KID
//                          --client-id ID --app-url URL [--ttl SECONDS]
import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
    'key-file': { type: 'string' },
    kid: { type: 'string' },
    'client-id': { type: 'string', default: 'kurs-web' },
    'app-url': { type: 'string' },
    ttl: { type: 'string', default: '3600' },
  },
});
for (const name of ['port', 'issuer', 'audience', 'key-file', 'kid', 'app-url']) {
  if (!opt[name]) {
    console.error(`dev-oidc: --${name} is required`);
    process.exit(2);
  }
}

// The resource the web application's access tokens are for; its audience is the suite's.
const resource = 'urn:integration-suite';
const resourceScope = 'kurs';
const jwk = createPrivateKey(readFileSync(opt['key-file'])).export({ format: 'jwk' });
if (jwk.crv !== 'Ed25519') {
  console.error('dev-oidc: the key file must hold an Ed25519 private key (openssl genpkey -algorithm ed25519)');
  process.exit(2);
}
const appUrl = opt['app-url'].replace(/\/$/, '');
const ttl = Number(opt.ttl);

const provider = new Provider(opt.issuer, {
  clients: [
    {
      client_id: opt['client-id'],
      token_endpoint_auth_method: 'none', // a browser application: public client with PKCE
      redirect_uris: [`${appUrl}/inloggad`],
      post_logout_redirect_uris: [`${appUrl}/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'EdDSA',
    },
  ],
  jwks: { keys: [{ ...jwk, kid: opt.kid, alg: 'EdDSA', use: 'sig' }] },
  enabledJWA: { idTokenSigningAlgValues: ['EdDSA'] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', resourceScope],
  claims: { openid: ['sub'], profile: ['name'] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  ttl: { AccessToken: ttl, IdToken: ttl, Session: 8 * 3600, Grant: 8 * 3600, Interaction: 3600 },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
        return {
          scope: resourceScope,
          audience: opt.audience,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'EdDSA' } },
        };
      },
    },
  },
  // The role the suite's access policies read (tests/authz/expected.tsv: the learner column).
  extraTokenClaims: (ctx, token) =>
    token.kind === 'AccessToken' ? { role: 'learner' } : undefined,
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, name: id }),
  }),
  // First-party application: no consent screen; the grant covers what it asks for.
  loadExistingGrant: async (ctx) => {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    // "kurs" is also listed among the provider's scopes, so it is granted on both sides.
    grant.addOIDCScope(`openid profile ${resourceScope}`);
    grant.addResourceScope(resource, resourceScope);
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, err) => console.error('dev-oidc: server_error', err));

const server = provider.listen(Number(opt.port), '127.0.0.1', () => {
  console.log(`dev-oidc: issuer ${opt.issuer} listening on 127.0.0.1:${server.address().port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
