/** What a batch of events changed, so evaluation re-runs only where evidence moved. */
export interface Touched {
  digests: Set<string>;
  commitShas: Set<string>;
  pullRequests: Set<string>;
  deploymentKeys: Set<string>;
  snapshotIds: Set<number>;
  environments: Set<string>;
  services: Set<string>;
  auditEvents: number;
  /** The newest source time among the events: when the evidence last moved. */
  latestEventAt: Date | null;
}

export function emptyTouched(): Touched {
  return {
    digests: new Set(),
    commitShas: new Set(),
    pullRequests: new Set(),
    deploymentKeys: new Set(),
    snapshotIds: new Set(),
    environments: new Set(),
    services: new Set(),
    auditEvents: 0,
    latestEventAt: null,
  };
}
