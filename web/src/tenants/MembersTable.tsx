import { Button, Table, Text } from "@mantine/core";
import { useState } from "react";
import type { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import type { Member } from "../gen/chorus/auth/v1/tenant_service_pb";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { toastDone, toastFailed } from "../ui/toasts";
import { RoleSelect } from "./RoleSelect";
import { assignableRoles, canManageMember, canManageMembers, roleName } from "./roles";
import { tenantErrorSentence } from "./tenantErrors";
import { useChangeMemberRole, useRemoveMember } from "./tenantQueries";
import { TableHead } from "../ui/TableHead";

interface MembersTableProps {
  tenantId: string;
  tenantName: string;
  members: readonly Member[];
  myUserId: string;
  myRole: Role;
}

/** The members and their roles; owners and admins change a role at once and remove (asked once more). */
export function MembersTable({ tenantId, tenantName, members, myUserId, myRole }: MembersTableProps) {
  const changeRole = useChangeMemberRole();
  const removeMember = useRemoveMember();
  const [removing, setRemoving] = useState<Member | null>(null);
  const managing = canManageMembers(myRole);

  async function change(member: Member, role: Role) {
    if (role === member.role) return;
    try {
      const { member: changed } = await changeRole.mutateAsync({ tenantId, userId: member.userId, role });
      toastDone(`${member.email} is now ${roleName(changed?.role ?? role)}.`);
    } catch (err) {
      toastFailed(`The role of ${member.email} was not changed. ${tenantErrorSentence("changeRole", err)}`);
    }
  }

  async function remove(member: Member) {
    try {
      await removeMember.mutateAsync({ tenantId, userId: member.userId });
      toastDone(`Removed ${member.email} from “${tenantName}”.`);
    } catch (err) {
      toastFailed(`${member.email} was not removed. ${tenantErrorSentence("remove", err)}`);
    } finally {
      setRemoving(null);
    }
  }

  return (
    <>
      <Table aria-label="Members" verticalSpacing="xs">
        <TableHead columns={["Email", "Role"]} actions={managing} />
        <Table.Tbody>
          {members.map((member) => {
            const me = member.userId === myUserId;
            const manageable = managing && !me && canManageMember(myRole, member.role);
            return (
              <Table.Tr key={member.userId} data-testid="member-row">
                <Table.Td className="wrap-anywhere">
                  {member.email}
                  {me && (
                    <Text span c="dimmed">
                      {" "}
                      (you)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {manageable ? (
                    <RoleSelect
                      label={`Role of ${member.email}`}
                      hideLabel
                      value={member.role}
                      roles={assignableRoles(myRole)}
                      disabled={changeRole.isPending}
                      onChange={(role) => void change(member, role)}
                    />
                  ) : (
                    roleName(member.role)
                  )}
                </Table.Td>
                {managing && (
                  <Table.Td>
                    {manageable && (
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${member.email}`}
                        onClick={() => setRemoving(member)}
                      >
                        Remove
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove ${removing?.email ?? ""}?`}
        body={`They lose access to the songs of “${tenantName}” at once. You can invite them again later.`}
        confirmLabel="Remove member"
        busy={removeMember.isPending}
        onConfirm={() => removing && void remove(removing)}
        onClose={() => setRemoving(null)}
      />
    </>
  );
}
