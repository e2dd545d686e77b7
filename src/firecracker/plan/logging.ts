// PUT /logger and PUT /metrics, first in the plan so that every later refusal is logged.
import type { PlanPaths, PlanRequest } from './types.js';

export function planLogging(paths: PlanPaths): PlanRequest[] {
  const requests: PlanRequest[] = [];
  if (paths.logPath !== undefined) {
    requests.push({
      method: 'PUT',
      path: '/logger',
      body: { log_path: paths.logPath, level: 'Warning', show_level: true, show_log_origin: false },
    });
  }
  if (paths.metricsPath !== undefined) {
    requests.push({ method: 'PUT', path: '/metrics', body: { metrics_path: paths.metricsPath } });
  }
  return requests;
}
