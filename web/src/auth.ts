// Sign-in with OpenID Connect (authorization code + PKCE) through oidc-client-ts, against the
// provider named in /config.json (the gateway's --web-oidc-authority). The session lives in
// sessionStorage: it ends with the tab, and no token is kept in a cookie or localStorage.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

interface SiteConfig {
  oidcAuthority: string;
  oidcClientId: string;
}

let manager: UserManager | null = null;

export async function initAuth(): Promise<void> {
  const response = await fetch('/config.json', { cache: 'no-cache' });
  const config = (await response.json()) as SiteConfig;
  manager = new UserManager({
    authority: config.oidcAuthority,
    client_id: config.oidcClientId,
    redirect_uri: `${location.origin}/inloggad`,
    post_logout_redirect_uri: `${location.origin}/`,
    response_type: 'code',
    // "kurs": the API's resource scope at the development provider; other providers ignore
    // scopes they do not know.
    scope: 'openid profile kurs',
    userStore: new WebStorageStateStore({ store: sessionStorage }),
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });
}

function users(): UserManager {
  if (!manager) throw new Error('initAuth() first');
  return manager;
}

export async function accessToken(): Promise<string | null> {
  const user = await users().getUser();
  return user && !user.expired ? user.access_token : null;
}

export async function signedIn(): Promise<boolean> {
  return (await accessToken()) !== null;
}

export async function signIn(returnTo: string): Promise<void> {
  await users().signinRedirect({ state: { returnTo } });
}

// On /inloggad: trades the code for tokens; the page to go back to.
export async function completeSignIn(): Promise<string> {
  const user = await users().signinRedirectCallback();
  const state = user.state as { returnTo?: string } | undefined;
  return state?.returnTo && state.returnTo.startsWith('/') ? state.returnTo : '/framsteg';
}

export async function signOut(): Promise<void> {
  await users().removeUser();
}
