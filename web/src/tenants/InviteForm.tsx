import { Button, Card, Group, Stack, TextInput, Title } from "@mantine/core";
import type { FormEvent } from "react";
import { useId, useState } from "react";
import { useFormErrors } from "../errors/useFormErrors";
import type { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { FormError } from "../ui/FormError";
import { toastDone } from "../ui/toasts";
import { LOWEST_ROLE, RoleSelect } from "./RoleSelect";
import { assignableRoles, roleName } from "./roles";
import { INVITE_FIELDS, inviteErrors } from "./tenantErrors";
import { useInviteMember } from "./tenantQueries";

interface InviteFormProps {
  tenantId: string;
  tenantName: string;
  /** Owners may invite with any role, admins below owner. */
  myRole: Role;
}

/**
 * "Invite a member": an email (who may not have an account yet) and a role
 * that starts at the lowest one every time, so no one gets more by mistake.
 */
export function InviteForm({ tenantId, tenantName, myRole }: InviteFormProps) {
  const inviteMember = useInviteMember();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(LOWEST_ROLE);
  const { errors, show, clear, fieldRef, formErrorRef } = useFormErrors(INVITE_FIELDS);
  const titleId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (inviteMember.isPending) return;
    clear();
    try {
      const { invitation } = await inviteMember.mutateAsync({ tenantId, email, role });
      toastDone(`Invited ${invitation?.email ?? email} as ${roleName(role)} to “${tenantName}”.`);
      setEmail("");
      setRole(LOWEST_ROLE);
    } catch (err) {
      show(inviteErrors(err));
    }
  }

  return (
    <Card withBorder component="section" aria-labelledby={titleId}>
      <Title order={2} size="h4" id={titleId} mb="xs">
        Invite a member
      </Title>
      <form
        aria-labelledby={titleId}
        noValidate
        aria-busy={inviteMember.isPending}
        onSubmit={(e) => void submit(e)}
      >
        <Stack gap="sm">
          <Group align="flex-start" gap="sm" grow preventGrowOverflow={false}>
            <TextInput
              ref={fieldRef("email")}
              label="Invite email"
              type="email"
              autoComplete="off"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={errors.fields.email}
              miw={200}
            />
            <RoleSelect
              ref={fieldRef("role")}
              label="Role"
              value={role}
              roles={assignableRoles(myRole)}
              onChange={setRole}
              error={errors.fields.role}
            />
          </Group>
          <FormError ref={formErrorRef} message={errors.form} />
          <Group>
            <Button type="submit" loading={inviteMember.isPending}>
              Invite
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
