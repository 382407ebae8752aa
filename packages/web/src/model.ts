/**
 * The dashboard schema's types, shared with the server (@watchkeeper/model's dashboard.ts). Type-only:
 * nothing of zod reaches the bundle. (`npm run build` builds the model's declarations first.)
 */
export type { Dashboard, DashboardSummary, Panel, PanelQuery, PanelType, Unit, Variable } from '@watchkeeper/model';
