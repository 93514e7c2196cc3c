// A real OpenID provider for the SSO tests: panva's OpenID-certified `oidc-provider`
// (npm, installed by `make setup` from package.json), with its own development login and
// consent pages. Started by tests/oidc/conftest.py on a free loopback port.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG: {"port": 9123, "client": {"client_id", "client_secret", "redirect_uris": [...],
//          "post_logout_redirect_uris": [...]}, "accounts": {"<login>": {claims...}}}
// A login name that is not in `accounts` signs in as a subject with only `sub` (an
// unknown person, as far as Upskill is concerned). Prints "ready <issuer>" once listening.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;

const accounts = config.accounts || {};

const provider = new Provider(issuer, {
  clients: [
    {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      ...config.client,
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name", "employee_id"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "profile", "groups", "offline_access"],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { IdToken: config.id_token_ttl || 3600, Session: 3600 },
  cookies: { keys: ["upskill-test-provider-cookie-key"] },
  async findAccount(ctx, id) {
    const claims = accounts[id] || {};
    return {
      accountId: id,
      async claims() {
        return { sub: claims.sub || id, ...claims };
      },
    };
  },
});
provider.proxy = false;

provider.listen(config.port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
