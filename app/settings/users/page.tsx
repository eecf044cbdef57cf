import type { Metadata } from "next";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { listUsers } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { Status } from "@/components/status";
import { CreateUserForm } from "./create-user-form";
import { UserControls } from "./user-controls";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  await requireUser("users:manage", "/settings/users");
  const users = await listUsers(await getDb());
  return (
    <>
      <h1>Users</h1>
      <table>
        <caption className="sr-only">People who can sign in to Custody</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Sign-in</th>
            <th scope="col">Created</th>
            <th scope="col">Manage</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <th scope="row">{u.email}</th>
              <td>{u.name}</td>
              <td>{u.role}</td>
              <td>
                {u.oidcSubject ? "organisation account" : "password"}
                {u.lockedUntil && u.lockedUntil > new Date() ? " (locked)" : ""}
                {u.mustChangePassword ? " (must change password)" : ""}
                {u.disabledAt ? <> · <Status value="fail" label="disabled" /></> : null}
              </td>
              <td>
                <Time value={u.createdAt} />
              </td>
              <td>
                <UserControls id={u.id} email={u.email} role={u.role} disabled={u.disabledAt !== null} password={u.oidcSubject === null} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <CreateUserForm />
    </>
  );
}
