/**
 * `watchkeeper token create|list|revoke` and `watchkeeper user create|list`: API tokens and users
 * from the command line. They open `<storage.path>/access.db` directly, so they work whether or
 * not the server runs (SQLite in WAL mode lets both have the file open; the server reads tokens
 * from the database on every request, so a new or revoked token counts at once). Whoever can
 * write the storage folder is an admin anyway; the audit log records these changes as
 * `admin-token` principal `cli:<os user>`.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { AccessError, AccessStore, generatePassword, ROLES, type Principal, type TokenInfo } from '../access/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { systemClock } from '../lib/clock.js';
import { processIo, type CommandIo } from './amtool.js';
import type { Command } from './main.js';

const WHERE = `  --storage.path DIR   the server's storage path (default: storage.path of --config, else ./data)
  --config FILE        watchkeeper.yml, to find storage.path`;

export const TOKEN_USAGE = `Usage: watchkeeper token <create|list|revoke> [options]

API tokens for machine clients (Grafana, scripts, Prometheus remote write), sent as
'Authorization: Bearer <token>'. Only a hash of each token is stored.

  watchkeeper token create --role ROLE [--role ROLE2] [--name NAME] [--comment TEXT]
      prints the new token on standard output (the only time it is shown)
  watchkeeper token list
  watchkeeper token revoke ID

Options:
${WHERE}
  -h, --help           show this help

Roles: ${ROLES.join(', ')}.
`;

export const USER_USAGE = `Usage: watchkeeper user <create|list> [options]

  watchkeeper user create NAME --role ROLE [--role ROLE2]
      creates a user with a generated password and prints the password on standard output
  watchkeeper user list

Options:
${WHERE}
  -h, --help           show this help

Roles: ${ROLES.join(', ')}. Users change their password with POST /api/wk/me/password; admins
manage users with /api/wk/users.
`;

const CLI_PRINCIPAL = (): Principal => {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (a container): keep 'unknown'
  }
  return { kind: 'admin-token', name: `cli:${name}`, roles: ['admin'] };
};

const OPTIONS = {
  role: { type: 'string', multiple: true },
  name: { type: 'string' },
  comment: { type: 'string' },
  'storage.path': { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

function openStore(values: Values): AccessStore {
  const config = loadConfig(values.config, {
    ...(values['storage.path'] !== undefined && { storagePath: values['storage.path'] }),
    // '' = none: not needed here, and a bad WATCHKEEPER_ADMIN_TOKEN in this shell must not stop the command.
    adminToken: '',
  });
  return AccessStore.open({ dir: config.storage.path, clock: systemClock });
}

function date(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

function tokenRow(t: TokenInfo): string[] {
  return [t.id, t.name, t.roles.join(','), date(t.createdAtMs), date(t.lastUsedAtMs), date(t.revokedAtMs)];
}

async function runSub(
  command: 'token' | 'user',
  args: string[],
  io: CommandIo,
  sub: (action: string, positionals: string[], values: Values) => Promise<number>,
): Promise<number> {
  const usage = command === 'token' ? TOKEN_USAGE : USER_USAGE;
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    io.stderr(`watchkeeper ${command}: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const [action, ...rest] = parsed.positionals;
  if (parsed.values.help || action === undefined) {
    (parsed.values.help ? io.stdout : io.stderr)(usage);
    return parsed.values.help ? 0 : 2;
  }
  try {
    return await sub(action, rest, parsed.values);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`watchkeeper ${command} ${action}: ${err.message}\n\n${usage}`);
      return 2;
    }
    if (err instanceof AccessError || err instanceof ConfigError) {
      io.stderr(`watchkeeper ${command} ${action}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** `watchkeeper token ...`; exported for tests (io collects the output). */
export async function runToken(args: string[], io: CommandIo = processIo): Promise<number> {
  return runSub('token', args, io, async (action, positionals, values) => {
    switch (action) {
      case 'create': {
        if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
        const roles = values.role ?? [];
        if (roles.length === 0) throw new UsageError('--role is required');
        const store = openStore(values);
        try {
          const { secret, token } = store.createToken({
            name: values.name ?? 'cli',
            roles,
            ...(values.comment !== undefined && { comment: values.comment }),
            createdBy: CLI_PRINCIPAL().name,
          });
          store.audit.record({
            action: 'token_create',
            decision: 'allowed',
            principal: CLI_PRINCIPAL(),
            resource: token.id,
            detail: `name=${token.name}; roles=${token.roles.join(',')}`,
          });
          io.stderr(
            `Created token ${token.id} (${token.name}; roles ${token.roles.join(', ')}). It is shown only now:\n`,
          );
          io.stdout(`${secret}\n`);
        } finally {
          store.close();
        }
        return 0;
      }
      case 'list': {
        const store = openStore(values);
        try {
          const tokens = store.listTokens();
          io.stdout(table([['ID', 'NAME', 'ROLES', 'CREATED', 'LAST USED', 'REVOKED'], ...tokens.map(tokenRow)]));
        } finally {
          store.close();
        }
        return 0;
      }
      case 'revoke': {
        if (positionals.length !== 1) throw new UsageError('give one token id (tok_...)');
        const store = openStore(values);
        try {
          const token = store.revokeToken(positionals[0]!);
          store.audit.record({
            action: 'token_revoke',
            decision: 'allowed',
            principal: CLI_PRINCIPAL(),
            resource: token.id,
            detail: `name=${token.name}`,
          });
          io.stdout(`Revoked ${token.id} (${token.name}).\n`);
        } finally {
          store.close();
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action}" (create, list or revoke)`);
    }
  });
}

/** `watchkeeper user ...`; exported for tests. */
export async function runUser(args: string[], io: CommandIo = processIo): Promise<number> {
  return runSub('user', args, io, async (action, positionals, values) => {
    switch (action) {
      case 'create': {
        if (positionals.length !== 1) throw new UsageError('give one user name');
        const roles = values.role ?? [];
        if (roles.length === 0) throw new UsageError('--role is required');
        const store = openStore(values);
        try {
          const password = generatePassword();
          const user = await store.createUser(positionals[0]!, password, roles);
          store.audit.record({
            action: 'user_create',
            decision: 'allowed',
            principal: CLI_PRINCIPAL(),
            resource: user.name,
            detail: `roles=${user.roles.join(',')}`,
          });
          io.stderr(`Created user ${user.name} (roles ${user.roles.join(', ')}). The password is shown only now:\n`);
          io.stdout(`${password}\n`);
        } finally {
          store.close();
        }
        return 0;
      }
      case 'list': {
        const store = openStore(values);
        try {
          const users = store.listUsers();
          io.stdout(
            table([
              ['NAME', 'ROLES', 'CREATED', 'DISABLED'],
              ...users.map((u) => [u.name, u.roles.join(','), date(u.createdAtMs), u.disabled ? 'yes' : 'no']),
            ]),
          );
        } finally {
          store.close();
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action}" (create or list)`);
    }
  });
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'create, list and revoke API tokens (in <storage.path>/access.db)',
  usage: TOKEN_USAGE,
  run: (args) => runToken(args),
};

export const userCommand: Command = {
  name: 'user',
  summary: 'create and list users',
  usage: USER_USAGE,
  run: (args) => runUser(args),
};
