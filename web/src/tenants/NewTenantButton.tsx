import { Button, Modal, Stack, TextInput } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconPlus } from "../ui/icons";
import type { FormEvent } from "react";
import { useState } from "react";
import { useFormErrors } from "../errors/useFormErrors";
import { DialogActions } from "../ui/DialogActions";
import { FormError } from "../ui/FormError";
import { toastDone } from "../ui/toasts";
import type { TenantNameField } from "./tenantErrors";
import { newTenantErrors, tenantErrorSentence } from "./tenantErrors";
import { useCreateTenant, useSwitchTenant } from "./tenantQueries";

const FIELDS: readonly TenantNameField[] = ["name"];

/** "New tenant": a name in a dialog; the new tenant becomes the active one. */
export function NewTenantButton() {
  const [opened, { open, close }] = useDisclosure(false);
  const [name, setName] = useState("");
  const createTenant = useCreateTenant();
  const switchTenant = useSwitchTenant();
  const { errors, show, clear, fieldRef, formErrorRef } = useFormErrors(FIELDS);
  const busy = createTenant.isPending || switchTenant.isPending;

  function dismiss() {
    close();
    setName("");
    clear();
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    clear();
    let created;
    try {
      created = (await createTenant.mutateAsync(name)).tenant;
    } catch (err) {
      show(newTenantErrors(err));
      return;
    }
    if (!created) return;
    try {
      await switchTenant.mutateAsync(created.id);
      toastDone(`Created “${created.name}”. You are working in it now.`);
      dismiss();
    } catch (err) {
      show({ fields: {}, form: `Created “${created.name}”, but ${tenantErrorSentence("switch", err)}` });
    }
  }

  return (
    <>
      <Button leftSection={<IconPlus size={16} aria-hidden />} variant="light" onClick={open}>
        New tenant
      </Button>
      <Modal opened={opened} onClose={dismiss} title="New tenant" centered>
        <form aria-label="New tenant" noValidate aria-busy={busy} onSubmit={(e) => void submit(e)}>
          <Stack gap="sm">
            <TextInput
              ref={fieldRef("name")}
              label="Tenant name"
              description="A band, a label, a family: the people who share songs."
              inputWrapperOrder={["label", "input", "description", "error"]}
              required
              data-autofocus
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.fields.name}
            />
            <FormError ref={formErrorRef} message={errors.form} />
            <DialogActions label="Create tenant" busy={busy} onCancel={dismiss} />
          </Stack>
        </form>
      </Modal>
    </>
  );
}
