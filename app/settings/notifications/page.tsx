import type { Metadata } from "next";
import { HelpLink } from "@/components/help-link";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { deliveryLog, listSubscriptions, topics } from "@/lib/notifications/targets";
import { SubscribeForm } from "./subscribe-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  await requireUser("settings:manage", "/settings/notifications");
  const db = await getDb();
  const [subscriptions, deliveries] = await Promise.all([listSubscriptions(db), deliveryLog(db, 100)]);
  return (
    <>
      <h1>
        Notifications <HelpLink page="/settings/notifications" />
      </h1>
      <p className="lead">Who Custody tells when a finding opens, a gate denies a change, a waiver is about to expire or an incident opens.</p>
      <table>
        <caption className="sr-only">Notification targets</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">URL</th>
            <th scope="col">Tells about</th>
            <th scope="col">Findings from</th>
            <th scope="col">Environments</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {subscriptions.length === 0 ? (
            <tr>
              <td colSpan={7}>No targets yet.</td>
            </tr>
          ) : null}
          {subscriptions.map((s) => (
            <tr key={s.id}>
              <th scope="row">{s.name}</th>
              <td>{s.kind}</td>
              <td>
                <code>{s.url}</code>
              </td>
              <td>{s.topics.join(", ")}</td>
              <td>{s.minSeverity}</td>
              <td>{s.environments.length > 0 ? s.environments.join(", ") : "all"}</td>
              <td>
                {s.enabled ? (
                  s.failingSince ? (
                    <>
                      <Status value="failing" /> since <Time value={s.failingSince} />
                    </>
                  ) : (
                    <Status value="active" />
                  )
                ) : (
                  <>
                    <Status value="disabled" /> {s.disabledReason}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <SubscribeForm topics={topics} />
      <h2>Delivery log</h2>
      <table>
        <caption className="sr-only">The last 100 deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Queued</th>
            <th scope="col">Target</th>
            <th scope="col">Message</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Next attempt</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.length === 0 ? (
            <tr>
              <td colSpan={7}>Nothing sent yet.</td>
            </tr>
          ) : null}
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td>
                <Time value={d.createdAt} />
              </td>
              <td>{d.target}</td>
              <td>
                <code>{d.messageId}</code>
              </td>
              <td>
                <Status value={d.status} />
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastError ?? (d.lastStatus !== null ? `HTTP ${d.lastStatus}` : "")}</td>
              <td>{d.status === "pending" ? <Time value={d.nextAttemptAt} /> : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
