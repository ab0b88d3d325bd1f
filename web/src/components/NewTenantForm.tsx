import type { FormEvent, KeyboardEvent } from "react";
import { useEffect, useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { FormErrors } from "../errors/formErrors";
import { noErrors } from "../errors/formErrors";
import type { Tenant } from "../gen/chorus/auth/v1/tenant_service_pb";
import type { TenantNameField } from "../tenants/tenantErrors";
import { newTenantErrors } from "../tenants/tenantErrors";
import { useCreateTenant } from "../tenants/tenantQueries";
import { FormError } from "./FormError";
import { TextField } from "./TextField";

interface NewTenantFormProps {
  onCreated: (tenant: Tenant) => void;
  /** Cancel button, and Escape. */
  onCancel: () => void;
}

/** "New tenant": a shared tenant that the caller owns. */
export function NewTenantForm({ onCreated, onCancel }: NewTenantFormProps) {
  const createTenant = useCreateTenant();
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<FormErrors<TenantNameField>>(noErrors);
  const titleId = useId();
  const nameInput = useRef<HTMLInputElement>(null);
  const formErrorRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    nameInput.current?.focus(); // opened by the "New tenant" button: type the name
  }, []);

  function cancelOnEscape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (createTenant.isPending) return;
    setErrors(noErrors);
    try {
      const { tenant } = await createTenant.mutateAsync(name);
      if (tenant) onCreated(tenant);
    } catch (err) {
      const found = newTenantErrors(err);
      flushSync(() => setErrors(found));
      if (found.fields.name) nameInput.current?.focus();
      else formErrorRef.current?.focus();
    }
  }

  return (
    <form
      className="new-tenant"
      aria-labelledby={titleId}
      aria-busy={createTenant.isPending}
      noValidate
      onSubmit={(e) => void submit(e)}
      onKeyDown={cancelOnEscape}
    >
      <h3 id={titleId}>New tenant</h3>
      <TextField
        ref={nameInput}
        label="Tenant name"
        required
        value={name}
        onChange={setName}
        hint="A band, a label: songs you share with its members."
        error={errors.fields.name}
      />
      <FormError ref={formErrorRef} message={errors.form} />
      <div className="form-actions">
        <button type="submit" className="primary">
          Create tenant
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
