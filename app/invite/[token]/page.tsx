import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/lib/db";
import { openInvitation } from "@/lib/engagements/auditors";
import { AcceptForm } from "./form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Engagement invitation", referrer: "no-referrer" };

/** The one-time link an auditor was sent: public, since the link itself is the credential. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const token = (await params).token;
  const invitation = await openInvitation(await getDb(), token);
  if (!invitation) {
    return (
      <>
        <h1>Invitation</h1>
        <p>This invitation link is unknown, already used or expired. Ask the compliance team for a new one, or <Link href="/sign-in">sign in</Link> if you accepted it already.</p>
      </>
    );
  }
  return (
    <>
      <h1>You are invited to an audit engagement</h1>
      <p className="lead">Your account <strong>{invitation.email}</strong> is limited to this one engagement and ends with it. The link works once.</p>
      <AcceptForm token={token} email={invitation.email} />
      <p className="muted">Where your organisation signs in through its identity provider, you may use <Link href="/sign-in">sign-in</Link> with it instead.</p>
    </>
  );
}
