/**
 * @watchkeeper/model — shared types and schemas (configuration, metrics catalog, dashboards,
 * alerts). A leaf package: it depends on nothing else in the repository. Empty until the catalog
 * issue fills it.
 */
export const MODEL_VERSION = 1;
