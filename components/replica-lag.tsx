import { readLagNotice } from "@/lib/read-replica";

/** Says how far behind the read replica is, when a page read from one that lags. */
export async function ReplicaLag() {
  const notice = await readLagNotice();
  if (!notice) return null;
  return (
    <p role="status" className="notice">
      {notice}
    </p>
  );
}
