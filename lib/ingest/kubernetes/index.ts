export { podsToSnapshot, type PodsToSnapshotOptions } from "./pods-to-snapshot";
export { parseAuditEventList, parseAuditLog, type ParseAuditLogOptions } from "./parse-audit-log";
export { digestFromImageId } from "./image-digest";
export { clusterSnapshot } from "./cluster-snapshot";
export { configDataHash } from "./config-hash";
