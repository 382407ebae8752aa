/**
 * A local SMTP server for email notifier tests (`smtp-server`, listening on 127.0.0.1): receives
 * and parses every message, optionally demands authentication and offers STARTTLS (with
 * smtp-server's built-in test certificate), and answers DATA as its `mode` says.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { findPart, parseMime, type ParsedPart } from './mime.js';

export type SmtpCaptureMode = 'ok' | 'transient' | 'permanent' | 'hang';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The authenticated user, if any. */
  readonly user?: string;
  /** Whether the session was encrypted (STARTTLS). */
  readonly secure: boolean;
  readonly raw: string;
  readonly message: ParsedPart;
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
}

export interface SmtpCaptureOptions {
  /** Required credentials; without them AUTH is not offered. */
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Offer STARTTLS. @default false */
  readonly starttls?: boolean;
}

class SmtpReplyError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

export class SmtpCaptureServer {
  mode: SmtpCaptureMode = 'ok';
  readonly mails: ReceivedMail[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: SmtpCaptureOptions = {}): Promise<SmtpCaptureServer> {
    const box: { self?: SmtpCaptureServer } = {};
    const server = new SMTPServer({
      logger: false,
      closeTimeout: 100,
      disabledCommands: [...(options.starttls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
      authOptional: options.auth === undefined,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        const want = options.auth;
        if (want && auth.username === want.user && auth.password === want.pass) {
          callback(null, { user: auth.username });
        } else {
          callback(new SmtpReplyError('Invalid username or password', 535));
        }
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const s = box.self!;
          const raw = Buffer.concat(chunks).toString('utf8');
          const message = parseMime(raw);
          const mailFrom = session.envelope.mailFrom;
          s.mails.push({
            from: mailFrom === false ? '' : mailFrom.address,
            to: session.envelope.rcptTo.map((a) => a.address),
            ...(typeof session.user === 'string' && { user: session.user }),
            secure: session.secure,
            raw,
            message,
            subject: message.headers.get('subject') ?? '',
            text: findPart(message, 'text/plain')?.body,
            html: findPart(message, 'text/html')?.body,
          });
          switch (s.mode) {
            case 'ok':
              callback();
              return;
            case 'transient':
              callback(new SmtpReplyError('Try again later', 451));
              return;
            case 'permanent':
              callback(new SmtpReplyError('Mailbox unavailable', 550));
              return;
            case 'hang':
              return;
          }
        });
      },
    });
    server.on('error', () => undefined);
    const port = await new Promise<number>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
    box.self = new SmtpCaptureServer(server, port);
    return box.self;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
