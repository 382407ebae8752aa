/**
 * What the scrape manager logs through: pino's call shape (`logger.warn({ job, err }, 'message')`),
 * so the server's pino/fastify logger can be passed as it is.
 */
export interface ScrapeLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Discards everything. */
export const silentLogger: ScrapeLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
