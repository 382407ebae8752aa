/**
 * The notification inbox: receivers for what Watchkeeper's notifiers send, so that `npm start`
 * delivers its alert notifications somewhere a user can read them. One HTTP server (fastify) —
 * `POST /slack/<channel>`, `POST /pagerduty/v2/enqueue`, `POST /sms/send`, `POST /webhook/<name>`,
 * `GET /inbox` (JSON), `GET /` (HTML), `GET /healthz` — and one SMTP server (`smtp-server`, no
 * TLS, no AUTH) for `email_configs`. Both keep what they receive in one `NotificationInbox`.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { z } from 'zod';
import { renderInboxPage } from './html.js';
import { NOTIFICATION_KINDS, NotificationInbox, type InboxNotification, type NewNotification } from './inbox.js';
import { parseMail } from './mail.js';
import { fromMail, fromPagerduty, fromSlack, fromSms, fromWebhook } from './notifications.js';

/** The largest request body and mail accepted: 1 MiB (PagerDuty's own limit is 512 kB). */
export const INBOX_MAX_BYTES = 1024 * 1024;

export interface InboxServerOptions {
  /** Notifications kept (the oldest go first). @default 500 */
  capacity?: number;
  /** Largest HTTP body and mail, in bytes. @default INBOX_MAX_BYTES */
  maxBytes?: number;
  /** Unix ms of `receivedAt`. @default Date.now */
  now?: () => number;
  /** Called with each notification received (e.g. to log it). */
  onNotification?: (notification: InboxNotification) => void;
}

const InboxQuery = z
  .object({
    kind: z.enum(NOTIFICATION_KINDS).optional(),
    limit: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export class NotificationInboxServer {
  readonly inbox: NotificationInbox;
  readonly #app: FastifyInstance;
  readonly #smtp: SMTPServer;
  readonly #maxBytes: number;
  readonly #onNotification: ((notification: InboxNotification) => void) | undefined;
  #httpPort: number | undefined;
  #smtpPort: number | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: InboxServerOptions = {}) {
    this.inbox = new NotificationInbox(options.capacity ?? 500, options.now);
    this.#maxBytes = options.maxBytes ?? INBOX_MAX_BYTES;
    this.#onNotification = options.onNotification;
    this.#app = this.#createApp();
    this.#smtp = this.#createSmtp();
  }

  /** `http://127.0.0.1:<port>` once listening. */
  get url(): string {
    if (this.#httpPort === undefined) throw new Error('inbox: the HTTP side is not listening');
    return `http://127.0.0.1:${this.#httpPort}`;
  }

  /** `smtp://127.0.0.1:<port>` once listening. */
  get smtpUrl(): string {
    if (this.#smtpPort === undefined) throw new Error('inbox: the SMTP side is not listening');
    return `smtp://127.0.0.1:${this.#smtpPort}`;
  }

  get smtpPort(): number | undefined {
    return this.#smtpPort;
  }

  /** Listens on 127.0.0.1; resolves with the port (the OS's choice for 0). */
  async listenHttp(port: number): Promise<number> {
    await this.#app.listen({ host: '127.0.0.1', port });
    const address = this.#app.server.address();
    this.#httpPort = typeof address === 'object' && address !== null ? address.port : port;
    return this.#httpPort;
  }

  /** Listens on 127.0.0.1; resolves with the port (the OS's choice for 0). */
  async listenSmtp(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#smtp.once('error', onError);
      this.#smtp.listen(port, '127.0.0.1', () => {
        this.#smtp.off('error', onError);
        resolve();
      });
    });
    const address = this.#smtp.server.address();
    this.#smtpPort = typeof address === 'object' && address !== null ? address.port : port;
    return this.#smtpPort;
  }

  /** Closes both listeners (open SMTP sessions get a second to finish). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const smtpClosed = this.#smtp.server.listening
        ? new Promise<void>((resolve) => this.#smtp.close(resolve))
        : Promise.resolve();
      await Promise.all([this.#app.close(), smtpClosed]);
    })();
    return this.#closing;
  }

  #record(notification: NewNotification): void {
    const entry = this.inbox.add(notification);
    this.#onNotification?.(entry);
  }

  #createApp(): FastifyInstance {
    const app = Fastify({ logger: false, bodyLimit: this.#maxBytes });

    // Malformed JSON, bodies over the limit, unsupported content types: fastify's 4xx, one shape.
    app.setErrorHandler((err: FastifyError, _request, reply) => {
      const status =
        err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      return reply.code(status).send({
        error: status === 413 ? 'too_large' : status < 500 ? 'invalid_request' : 'internal_error',
        message: status < 500 ? err.message : 'Internal error',
      });
    });

    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/', async (request, reply) => {
      const query = InboxQuery.safeParse(request.query);
      const kind = query.success ? query.data.kind : undefined;
      const html = renderInboxPage({
        notifications: this.inbox.list({ kind }),
        received: this.inbox.received,
        capacity: this.inbox.capacity,
        kind,
        ...(this.#smtpPort === undefined ? {} : { smtpAddress: `127.0.0.1:${this.#smtpPort}` }),
      });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    });

    app.get('/inbox', async (request, reply) => {
      const query = InboxQuery.safeParse(request.query);
      if (!query.success)
        return invalid(
          reply,
          query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        );
      return {
        received: this.inbox.received,
        capacity: this.inbox.capacity,
        notifications: this.inbox.list(query.data),
      };
    });

    // The rest of the path names the channel or the webhook (`/webhook/callout/cto`).
    app.post<{ Params: { '*': string } }>('/slack/*', async (request, reply) => {
      const channel = request.params['*'];
      if (channel === '') return notFound(reply, 'POST /slack/<channel>');
      const result = fromSlack(channel, request.body);
      if (!result.ok) {
        // Slack answers a message without text `400 no_text`, a malformed one `400 invalid_payload`.
        return reply
          .code(400)
          .type('text/plain; charset=utf-8')
          .send(result.errors[0] === 'no_text' ? 'no_text' : 'invalid_payload');
      }
      this.#record(result.value);
      return reply.type('text/plain; charset=utf-8').send('ok');
    });

    app.post('/pagerduty/v2/enqueue', async (request, reply) => {
      const result = fromPagerduty(request.body);
      if (!result.ok) {
        return reply
          .code(400)
          .send({ status: 'invalid event', message: 'Event object is invalid', errors: result.errors });
      }
      this.#record(result.value.notification);
      return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: result.value.dedupKey });
    });

    app.post('/sms/send', async (request, reply) => {
      const result = fromSms(request.body);
      if (!result.ok) return invalid(reply, result.errors);
      this.#record(result.value);
      return { status: 'queued' };
    });

    app.post<{ Params: { '*': string } }>('/webhook/*', async (request, reply) => {
      const name = request.params['*'];
      if (name === '') return notFound(reply, 'POST /webhook/<name>');
      const result = fromWebhook(name, request.body);
      if (!result.ok) return invalid(reply, result.errors);
      this.#record(result.value);
      return { status: 'ok' };
    });

    return app;
  }

  #createSmtp(): SMTPServer {
    const smtp = new SMTPServer({
      banner: 'Watchkeeper demo notification inbox',
      // A local inbox: plain SMTP only (alertmanager.yml sets require_tls: false), anyone may send.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: this.#maxBytes,
      maxClients: 50,
      socketTimeout: 30_000,
      closeTimeout: 1_000,
      onData: (stream, session, callback) => this.#receiveMail(stream, session, callback),
    });
    // A client that resets its connection must not take the portal down.
    smtp.on('error', () => {});
    return smtp;
  }

  #receiveMail(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= this.#maxBytes) chunks.push(chunk);
    });
    stream.on('error', (err: Error) => callback(err));
    stream.on('end', () => {
      if (stream.sizeExceeded || bytes > this.#maxBytes) {
        callback(smtpError(552, `Message exceeds the inbox's limit of ${this.#maxBytes} bytes`));
        return;
      }
      let notification: NewNotification;
      try {
        const envelope = session.envelope;
        notification = fromMail(parseMail(Buffer.concat(chunks)), {
          ...(envelope.mailFrom === false ? {} : { mailFrom: envelope.mailFrom.address }),
          rcptTo: envelope.rcptTo.map((r) => r.address),
        });
      } catch {
        callback(smtpError(554, 'Message could not be read'));
        return;
      }
      this.#record(notification);
      callback(null, 'Message delivered to the inbox');
    });
  }
}

/** Starts both sides on 127.0.0.1 (0: a free port each). */
export async function startInbox(
  options: InboxServerOptions & { httpPort?: number; smtpPort?: number } = {},
): Promise<NotificationInboxServer> {
  const { httpPort = 0, smtpPort = 0, ...rest } = options;
  const server = new NotificationInboxServer(rest);
  try {
    await server.listenHttp(httpPort);
    await server.listenSmtp(smtpPort);
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}

function invalid(reply: FastifyReply, errors: readonly string[]): FastifyReply {
  return reply.code(400).send({ error: 'invalid_request', message: errors[0] ?? 'Invalid request', errors });
}

function notFound(reply: FastifyReply, route: string): FastifyReply {
  return reply.code(404).send({ error: 'not_found', message: `Expected ${route}` });
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
