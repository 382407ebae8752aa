/** The failures of incidents/, each with a stable code (http/ maps the codes to statuses). */

/** No incident with that id (HTTP 404). */
export class IncidentNotFoundError extends Error {
  readonly code = 'WK_INCIDENT_NOT_FOUND';
  constructor(id: number | string) {
    super(`no incident with id ${String(id)} (GET /api/wk/incidents lists them)`);
    this.name = 'IncidentNotFoundError';
  }
}

/** The incident is resolved: there is nothing left to acknowledge (HTTP 409). */
export class IncidentResolvedError extends Error {
  readonly code = 'WK_INCIDENT_RESOLVED';
  constructor(id: number) {
    super(`incident ${id} is already resolved; nothing to acknowledge`);
    this.name = 'IncidentResolvedError';
  }
}

/**
 * The escalation or suppression configuration refers to something that does not exist or does not
 * parse (a matcher, a target). `problems` carry the path in watchkeeper.yml.
 */
export class IncidentsConfigError extends Error {
  readonly code = 'WK_INCIDENTS_CONFIG_INVALID';
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`invalid escalation or suppression configuration:\n  ${problems.join('\n  ')}`, options);
    this.name = 'IncidentsConfigError';
  }
}
