import type { Ref } from "react";
import { FormError } from "./FormError";
import { StatusMessage } from "./StatusMessage";

/** The outcome of a tenant action: a status, or an error. */
export interface Notice {
  text: string;
  error?: boolean;
}

interface TenantNoticeProps {
  notice: Notice;
  ref?: Ref<HTMLParagraphElement>;
}

/** Shows a notice politely (status) or at once (alert); the status region is always there. */
export function TenantNotice({ notice, ref }: TenantNoticeProps) {
  return (
    <>
      <StatusMessage message={notice.error ? "" : notice.text} />
      <FormError ref={ref} message={notice.error ? notice.text : ""} />
    </>
  );
}
