import { NativeSelect } from "@mantine/core";
import type { Ref } from "react";
import { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { roleName } from "./roles";

interface RoleSelectProps {
  label: string;
  hideLabel?: boolean;
  value: Role;
  roles: readonly Role[];
  onChange: (role: Role) => void;
  disabled?: boolean;
  error?: string;
  ref?: Ref<HTMLSelectElement>;
}

/** A native select of roles (keyboard and screen readers know it). */
export function RoleSelect({
  label,
  hideLabel,
  value,
  roles,
  onChange,
  disabled,
  error,
  ref,
}: RoleSelectProps) {
  return (
    <NativeSelect
      ref={ref}
      label={hideLabel ? undefined : label}
      aria-label={hideLabel ? label : undefined}
      value={String(value)}
      data={roles.map((role) => ({ value: String(role), label: roleName(role) }))}
      onChange={(event) => onChange(Number(event.currentTarget.value))}
      disabled={disabled}
      error={error}
    />
  );
}

/** The lowest role: what an invitation starts with, every time. */
export const LOWEST_ROLE = Role.VIEWER;
