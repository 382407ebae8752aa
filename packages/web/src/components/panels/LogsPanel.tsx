/**
 * Logs: Watchkeeper does not collect logs yet, so a LogQL panel says so plainly instead of
 * pretending to be empty or failing.
 */
import { isLogQL } from '../../lib/panel-data';
import type { Panel } from '../../model';

export function LogsPanel({ panel }: { panel: Panel }) {
  const expr = panel.queries[0]?.expr ?? '';
  return (
    <div className="wk-panel-state wk-logs-empty">
      <p>
        <b>{isLogQL(expr) ? 'Logs are not collected yet' : 'No log source'}</b>
      </p>
      <p className="wk-muted">
        This panel will show log lines matching <code>{expr}</code> once Watchkeeper stores logs (the log pipeline of
        plan §5). Until then, errors are counted in metrics: see the error rate panels.
      </p>
    </div>
  );
}
