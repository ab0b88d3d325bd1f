import { useId } from "react";
import type { Role } from "../gen/chorus/auth/v1/auth_service_pb";
import { roleName } from "../tenants/roles";

interface RoleSelectProps {
  /** The accessible name, e.g. "Role" or "Role of john@example.com". */
  label: string;
  value: Role;
  roles: readonly Role[];
  onChange: (role: Role) => void;
  /** Keep the label for screen readers only (a row that says whose role it is). */
  hideLabel?: boolean;
  /** A sentence saying what is wrong; marks the select invalid. */
  error?: string;
}

/** A labelled choice of tenant role. */
export function RoleSelect({ label, value, roles, onChange, hideLabel = false, error }: RoleSelectProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={hideLabel ? "field inline" : "field"}>
      <label htmlFor={id} className={hideLabel ? "visually-hidden" : undefined}>
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(Number(event.target.value))}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      >
        {roles.map((role) => (
          <option key={role} value={role}>
            {roleName(role)}
          </option>
        ))}
      </select>
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
