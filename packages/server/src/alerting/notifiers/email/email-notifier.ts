/**
 * Email over SMTP, as Alertmanager 0.25 sends it: `from`/`to` templated and parsed as address
 * lists (exactly one sender), every header templated (`Subject` defaults to
 * `email.default.subject`, `To` and `From` to the configured addresses), a multipart/alternative
 * body with a text part and an HTML part. `smarthost` port 465 is TLS from the start; otherwise
 * `require_tls` (default true) demands STARTTLS and `require_tls: false` sends in clear, as
 * Alertmanager does. Authentication (when `auth_username` is set and the server offers AUTH):
 * PLAIN or LOGIN with `auth_password(_file)`, whichever the server lists first; CRAM-MD5 with
 * `auth_secret` when no password is configured. `auth_identity` is not sent.
 *
 * Differences from Alertmanager, on purpose: when `text` is not configured, the text part is
 * rendered from `email.default.text` (Alertmanager then sends HTML only); the acknowledge link
 * is added to both parts; SMTP replies are read as SMTP defines them (4xx transient → retried,
 * 5xx permanent → not retried; Alertmanager retries both).
 */
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { isIP } from 'node:net';
import type { ConnectionOptions, SecureVersion } from 'node:tls';
import type { EmailConfig } from '../../config/receivers.js';
import { readSecretFile } from '../http-client.js';
import type { Notifier, NotifyContext, NotifyOutcome } from '../notifier.js';
import { OK, TemplateRenderer, describeError, failed, neverThrow, prepareAlerts, templateData } from '../render.js';
import { SecretMasker } from '../secrets.js';

export interface EmailNotifierDeps {
  /** Reads `auth_password_file` and TLS files. */
  readonly readFile: (path: string) => Promise<string>;
}

const DEFAULT_TEXT = '{{ template "email.default.text" . }}';
const DEFAULT_SUBJECT = '{{ template "email.default.subject" . }}';
/** Nodemailer's own timeouts, as a backstop under the context's signal. */
const SMTP_TIMEOUT_MS = 60_000;

const TLS_VERSIONS: Readonly<Record<string, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML body with an "Acknowledge" link before `</body>` (or at the end). */
export function htmlWithAcknowledgeLink(html: string, url: string): string {
  const block =
    `<p style="margin:16px 0"><a href="${escapeHtml(url)}" style="display:inline-block;padding:8px 16px;` +
    `background:#1565c0;color:#fff;text-decoration:none;border-radius:4px">Acknowledge</a></p>\n`;
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at >= 0 ? html.slice(0, at) + block + html.slice(at) : html + block;
}

/** The text body with an `Acknowledge: <url>` line at the end. */
export function textWithAcknowledgeLink(text: string, url: string): string {
  return `${text.replace(/\s+$/, '')}\n\nAcknowledge: ${url}\n`;
}

interface SmtpFailure {
  readonly retry: boolean;
  readonly message: string;
}

/**
 * SMTP replies: 4xx transient, 5xx permanent. No reply (network, timeout) and TLS failures
 * (a server without STARTTLS answers it with 500) are retried, as Alertmanager retries them.
 */
function classify(err: unknown): SmtpFailure {
  const { responseCode, code } = err as { responseCode?: unknown; code?: unknown };
  const retry = code === 'ETLS' || typeof responseCode !== 'number' || responseCode < 500;
  return { retry, message: describeError(err) };
}

export class EmailNotifier implements Notifier {
  readonly kind = 'email' as const;
  readonly sendResolved: boolean;
  private readonly masker: SecretMasker;

  constructor(
    private readonly config: EmailConfig,
    /** Position among the receiver's email_configs. */
    readonly index: number,
    private readonly deps: EmailNotifierDeps,
  ) {
    this.sendResolved = config.send_resolved;
    this.masker = new SecretMasker().add(config.auth_password, config.auth_secret);
    if (config.auth_password !== '') this.masker.addBasicAuth(config.auth_username, config.auth_password);
  }

  notify(ctx: NotifyContext): Promise<NotifyOutcome> {
    return neverThrow(this.kind, this.masker, async () => {
      const prepared = prepareAlerts(ctx, this.sendResolved);
      if (!prepared) return OK;
      const c = this.config;
      const r = new TemplateRenderer(ctx.templates, templateData(ctx, prepared.alerts));
      // A function, not the getter: TypeScript would keep the getter narrowed after the first check.
      const renderError = () => r.error;
      const fail = (retry: boolean, error: string, masker = this.masker) => failed(this.kind, masker, retry, error);

      const from = r.text(c.from);
      const to = r.text(c.to);
      if (r.error) return fail(false, `failed to render 'from' or 'to': ${r.error.message}`);
      const fromAddrs = addressparser(from, { flatten: true }).filter((a) => a.address !== '');
      if (fromAddrs.length !== 1) return fail(false, `must be exactly one from address, got ${JSON.stringify(from)}`);
      const toAddrs = addressparser(to, { flatten: true }).filter((a) => a.address !== '');
      if (toAddrs.length === 0) return fail(false, `no to address in ${JSON.stringify(to)}`);

      const headerTemplates: Record<string, string> = { ...c.headers };
      headerTemplates['Subject'] ??= DEFAULT_SUBJECT;
      headerTemplates['To'] ??= c.to;
      headerTemplates['From'] ??= c.from;
      const headers: Record<string, string> = {};
      for (const [name, template] of Object.entries(headerTemplates)) {
        headers[name] = r.text(template);
        const e = renderError();
        if (e) return fail(false, `failed to render the ${JSON.stringify(name)} header: ${e.message}`);
      }
      let html = c.html !== '' ? r.html(c.html) : '';
      const htmlError = renderError();
      if (htmlError) return fail(false, `failed to render the HTML body: ${htmlError.message}`);
      let text = r.text(c.text !== '' ? c.text : DEFAULT_TEXT);
      const textError = renderError();
      if (textError) return fail(false, `failed to render the text body: ${textError.message}`);
      if (ctx.acknowledgeURL !== undefined && ctx.acknowledgeURL !== '') {
        if (html !== '') html = htmlWithAcknowledgeLink(html, ctx.acknowledgeURL);
        text = textWithAcknowledgeLink(text, ctx.acknowledgeURL);
      }

      const { From: fromHeader, To: toHeader, Subject: subject, ...otherHeaders } = headers;
      const message = await new MailComposer({
        from: fromHeader,
        to: toHeader,
        subject,
        headers: otherHeaders,
        date: new Date(ctx.nowMs),
        ...(text !== '' && { text }),
        ...(html !== '' && { html }),
      })
        .compile()
        .build();

      let password = c.auth_password;
      let masker = this.masker;
      if (password === '' && c.auth_password_file !== '') {
        const read = await readSecretFile(this.deps, c.auth_password_file);
        if (!read.ok) return fail(true, read.error);
        password = read.value;
        masker = masker.with(password);
        masker.addBasicAuth(c.auth_username, password);
      }
      const tls = await this.tlsOptions();
      if (!tls.ok) return fail(false, tls.error, masker);

      const where = `SMTP ${c.smarthost.host}:${c.smarthost.port}`;
      const result = await this.send(
        {
          envelope: { from: fromAddrs[0]!.address, to: toAddrs.map((a) => a.address) },
          message,
          password,
          tls: tls.value,
        },
        ctx.signal,
      );
      return result === undefined ? OK : fail(result.retry, `${where}: ${result.message}`, masker);
    });
  }

  private async tlsOptions(): Promise<{ ok: true; value: ConnectionOptions } | { ok: false; error: string }> {
    const t = this.config.tls_config;
    const servername = t.server_name !== '' ? t.server_name : this.config.smarthost.host;
    const value: ConnectionOptions = {
      rejectUnauthorized: !t.insecure_skip_verify,
      // SNI carries host names only (RFC 6066); an IP address is still checked against the certificate.
      ...(isIP(servername) === 0 && { servername }),
    };
    if (t.min_version !== '') value.minVersion = TLS_VERSIONS[t.min_version];
    if (t.max_version !== '') value.maxVersion = TLS_VERSIONS[t.max_version];
    for (const [field, key] of [
      ['ca_file', 'ca'],
      ['cert_file', 'cert'],
      ['key_file', 'key'],
    ] as const) {
      const path = t[field];
      if (path === '') continue;
      try {
        value[key] = await this.deps.readFile(path);
      } catch {
        return { ok: false, error: `tls_config: cannot read ${field} ${path}` };
      }
    }
    return { ok: true, value };
  }

  /** One SMTP session; `undefined` when the server accepted the message for every recipient. */
  private async send(
    mail: {
      envelope: { from: string; to: string[] };
      message: Buffer;
      password: string;
      tls: ConnectionOptions;
    },
    signal: AbortSignal,
  ): Promise<SmtpFailure | undefined> {
    const c = this.config;
    if (signal.aborted) return { retry: true, message: `aborted (${describeError(signal.reason)})` };
    const port = Number(c.smarthost.port) || 25;
    const conn = new SMTPConnection({
      host: c.smarthost.host,
      port,
      secure: c.smarthost.port === '465',
      requireTLS: c.require_tls !== false,
      ignoreTLS: c.require_tls === false,
      name: c.hello !== '' ? c.hello : undefined,
      tls: mail.tls,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
      // A relay on localhost or the internal network is a normal smarthost.
      allowInternalNetworkInterfaces: true,
      logger: false,
    });

    let onAbort: (() => void) | undefined;
    // Rejects on a connection error, the server closing, or the signal; raced with every step.
    const broken = new Promise<never>((_resolve, reject) => {
      conn.on('error', reject);
      conn.on('end', () => reject(new Error('connection closed by the server')));
      onAbort = () => reject(new Error(`aborted (${describeError(signal.reason)})`));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    broken.catch(() => undefined);
    const step = <T>(run: (done: (err: Error | null, value?: T) => void) => void): Promise<T> =>
      Promise.race([
        new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T)))),
        broken,
      ]);

    let quit = false;
    try {
      await step<void>((done) => conn.connect(() => done(null)));
      if (c.auth_username !== '' && conn.allowsAuth) {
        const cram = mail.password === '' && c.auth_secret !== '';
        await step<boolean | undefined>((done) =>
          conn.login(
            {
              credentials: { user: c.auth_username, pass: cram ? c.auth_secret : mail.password },
              ...(cram && { method: 'CRAM-MD5' }),
            },
            done,
          ),
        );
      }
      const info = await step<{ rejected: string[]; rejectedErrors?: unknown[] }>((done) =>
        conn.send(mail.envelope, mail.message, (err, value) => done(err, value)),
      );
      if (info.rejected.length > 0) {
        const first = info.rejectedErrors?.[0];
        return first !== undefined
          ? classify(first)
          : { retry: true, message: `${info.rejected.length} recipient(s) rejected` };
      }
      conn.quit();
      quit = true;
      return undefined;
    } catch (err) {
      return classify(err);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      if (!quit) conn.close();
    }
  }
}
