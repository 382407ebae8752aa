import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS } from '../contract.js';
import { PortalOptionsError, portalPorts, startPortal } from './portal.js';
import { TEST_INTERNAL_TOKEN } from './test-kit.js';

describe('startPortal', () => {
  it('lays the ports out from the base port as contract.ts does', () => {
    expect(portalPorts(DEFAULT_PORTS.control)).toEqual(DEFAULT_PORTS);
    expect(portalPorts(10_000, { sync: 1234 })).toMatchObject({
      control: 10_000,
      auth: 10_001,
      sync: 1234,
      'host-exporter': 10_007,
    });
    expect(Object.values(portalPorts(0)).every((p) => p === 0)).toBe(true);
  });

  it.each([
    [{ internalMetricsToken: 'short' }, /internalMetricsToken/],
    [{ internalMetricsToken: TEST_INTERNAL_TOKEN, colour: 'blue' }, /Unrecognized key/],
    [{ internalMetricsToken: TEST_INTERNAL_TOKEN, basePort: 70_000 }, /basePort/],
  ])('refuses bad options %j', async (options, message) => {
    const err = await startPortal(options as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortalOptionsError);
    expect((err as Error).message).toMatch(message);
  });

  it('names the component whose port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const err = await startPortal({
        basePort: 0,
        ports: { vessels: taken },
        internalMetricsToken: TEST_INTERNAL_TOKEN,
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe(
        `vessels: port ${taken} on 127.0.0.1 is in use; choose other ports with --base-port`,
      );
    } finally {
      blocker.close();
    }
  });
});
