/**
 * prometheus/common's HTTPClientConfig as Alertmanager 0.25 embeds it (`http_config:` of the global
 * section and of every notifier): authentication, TLS, proxy, with its validation messages.
 */
import { bool, fatal, list, map, optional, parsedString, secret, str, struct, type Infer } from './go-yaml.js';
import { parseGoUrl } from './go-types.js';

const TLS_VERSIONS = new Set(['TLS10', 'TLS11', 'TLS12', 'TLS13']);

const tlsVersion = parsedString(
  (s) => {
    if (!TLS_VERSIONS.has(s)) throw new Error(`unknown TLS version: ${s}`);
    return s;
  },
  () => '',
);

/** prometheus/common's URL (no scheme check): `proxy_url`. */
const commonUrl = optional(
  parsedString(
    (s) => parseGoUrl(s).href,
    () => '',
  ),
);

export const tlsConfigCodec = struct('config.plain', {
  ca_file: str(),
  cert_file: str(),
  key_file: str(),
  server_name: str(),
  insecure_skip_verify: bool(),
  min_version: tlsVersion,
  max_version: tlsVersion,
});
export type TlsConfig = Infer<typeof tlsConfigCodec>;

const basicAuthCodec = struct('config.plain', { username: str(), password: secret(), password_file: str() });

const authorizationCodec = struct('config.Authorization', {
  type: str(),
  credentials: secret(),
  credentials_file: str(),
});

const oauth2Codec = struct('config.OAuth2', {
  client_id: str(),
  client_secret: secret(),
  client_secret_file: str(),
  scopes: list(str(), '[]string'),
  token_url: str(),
  endpoint_params: map(str()),
  tls_config: tlsConfigCodec,
  proxy_url: commonUrl,
});

export const httpConfigCodec = struct(
  'config.plain',
  {
    basic_auth: optional(basicAuthCodec),
    authorization: optional(authorizationCodec),
    oauth2: optional(oauth2Codec),
    bearer_token: secret(),
    bearer_token_file: str(),
    tls_config: tlsConfigCodec,
    follow_redirects: bool(),
    enable_http2: bool(),
    proxy_url: commonUrl,
    proxy_connect_header: map(list(secret(), '[]config.Secret'), 'config.Header'),
  },
  {
    defaults: () => ({ follow_redirects: true, enable_http2: true }),
    validate(c, path) {
      const bearer = c.bearer_token !== '' || c.bearer_token_file !== '';
      if (c.bearer_token !== '' && c.bearer_token_file !== '') {
        fatal(path, 'at most one of bearer_token & bearer_token_file must be configured');
      }
      if ((c.basic_auth || c.oauth2) && bearer) {
        fatal(path, 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
      }
      if (c.basic_auth && c.basic_auth.password !== '' && c.basic_auth.password_file !== '') {
        fatal(`${path}.basic_auth`, 'at most one of basic_auth password & password_file must be configured');
      }
      if (c.authorization) {
        const a = c.authorization;
        if (bearer) fatal(path, 'authorization is not compatible with bearer_token & bearer_token_file');
        if (a.credentials !== '' && a.credentials_file !== '') {
          fatal(
            `${path}.authorization`,
            'at most one of authorization credentials & credentials_file must be configured',
          );
        }
        a.type = a.type.trim() === '' ? 'Bearer' : a.type.trim();
        if (a.type.toLowerCase() === 'basic') {
          fatal(`${path}.authorization.type`, 'authorization type cannot be set to "basic", use "basic_auth" instead');
        }
        if (c.basic_auth || c.oauth2)
          fatal(path, 'at most one of basic_auth, oauth2 & authorization must be configured');
      } else if (c.bearer_token !== '') {
        c.authorization = { type: 'Bearer', credentials: c.bearer_token, credentials_file: '' };
        c.bearer_token = '';
      } else if (c.bearer_token_file !== '') {
        c.authorization = { type: 'Bearer', credentials: '', credentials_file: c.bearer_token_file };
        c.bearer_token_file = '';
      }
      if (c.oauth2) {
        const o = c.oauth2;
        const p = `${path}.oauth2`;
        if (c.basic_auth) fatal(path, 'at most one of basic_auth, oauth2 & authorization must be configured');
        if (o.client_id === '') fatal(p, 'oauth2 client_id must be configured');
        if (o.client_secret === '' && o.client_secret_file === '') {
          fatal(p, 'either oauth2 client_secret or client_secret_file must be configured');
        }
        if (o.token_url === '') fatal(p, 'oauth2 token_url must be configured');
        if (o.client_secret !== '' && o.client_secret_file !== '') {
          fatal(p, 'at most one of oauth2 client_secret & client_secret_file must be configured');
        }
      }
      if (Object.keys(c.proxy_connect_header).length > 0 && c.proxy_url === undefined) {
        fatal(path, 'if proxy_connect_header is configured proxy_url must also be configured');
      }
    },
  },
);

/** An HTTP client configuration (authentication, TLS, proxy), validated; bearer tokens moved into `authorization`. */
export type HttpClientConfig = Infer<typeof httpConfigCodec>;

/** prometheus/common's DefaultHTTPClientConfig. */
export function defaultHttpConfig(): HttpClientConfig {
  return { ...httpConfigCodec.zero(), follow_redirects: true, enable_http2: true };
}
