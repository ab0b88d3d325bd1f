import { errorSentence } from "../errors/sentences";
import { useWhoAmI } from "../auth/useWhoAmI";
import { roleName } from "../tenants/roles";
import { Loading } from "./Loading";

/** Who the access token says the user is: email, active tenant, role. */
export function WhoAmIPanel() {
  const whoami = useWhoAmI();
  return (
    <section className="card whoami" aria-labelledby="whoami-heading" data-testid="whoami">
      <h2 id="whoami-heading">Who am I</h2>
      {whoami.isPending ? (
        <Loading label="Loading your account…" />
      ) : whoami.isError ? (
        <p role="alert">{`Your account could not be loaded. ${errorSentence(whoami.error)}`}</p>
      ) : (
        <dl>
          <dt>Email</dt>
          <dd data-testid="whoami-email">{whoami.data.user?.email}</dd>
          <dt>Tenant</dt>
          <dd data-testid="whoami-tenant">{whoami.data.tenantId}</dd>
          <dt>Role</dt>
          <dd data-testid="whoami-role">{roleName(whoami.data.role)}</dd>
        </dl>
      )}
    </section>
  );
}
