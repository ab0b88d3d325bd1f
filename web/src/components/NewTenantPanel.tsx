import { useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { Tenant } from "../gen/chorus/auth/v1/tenant_service_pb";
import { NewTenantForm } from "./NewTenantForm";

interface NewTenantPanelProps {
  onCreated: (tenant: Tenant) => void;
}

/**
 * A "New tenant" button that opens the "New tenant" form, closed again after
 * creating or cancelling. Closed by default, so the songs' "Name" field is
 * the only one whose label says "name" most of the time.
 */
export function NewTenantPanel({ onCreated }: NewTenantPanelProps) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);

  function close() {
    flushSync(() => setOpen(false));
    toggle.current?.focus();
  }

  return (
    <div className="new-tenant-panel">
      {open ? (
        <NewTenantForm
          onCreated={(tenant) => {
            close();
            onCreated(tenant);
          }}
          onCancel={close}
        />
      ) : (
        <button type="button" ref={toggle} aria-expanded={false} onClick={() => setOpen(true)}>
          New tenant
        </button>
      )}
    </div>
  );
}
