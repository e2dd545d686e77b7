// The shape of a request plan: what buildPlan returns and every concern module produces.

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One Firecracker API request, to be sent in plan order before the microVM starts. */
export interface PlanRequest {
  method: 'PUT' | 'PATCH';
  path: string;
  body: JsonObject;
}

/** Host paths the driver decides; the plan only puts them in request bodies. */
export interface PlanPaths {
  /** The host end of the vsock (required when the domain has a <vsock>). */
  vsockUdsPath?: string;
  /** Firecracker's log file (PUT /logger); no logger request without it. */
  logPath?: string;
  /** Firecracker's metrics file (PUT /metrics); no metrics request without it. */
  metricsPath?: string;
}
