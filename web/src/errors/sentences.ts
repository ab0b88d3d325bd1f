/** Plain sentences for failed calls, for people rather than programs. */
import { Code, ConnectError } from "@connectrpc/connect";

/** "must not be empty" -> "Must not be empty." */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "";
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * A field's problem as a sentence: "Name must not be empty." A description
 * that is already a sentence (it starts with a capital) is kept as it is.
 */
export function fieldSentence(label: string, description: string): string {
  // protovalidate's own wording starts with "value": "value length must be at most 200 characters"
  const text = description.trim().replace(/^value /, "");
  if (!text) return `${label} is not valid.`;
  if (/^[A-Z]/.test(text)) return asSentence(text);
  return asSentence(`${label} ${text}`);
}

/** True when the call never got an answer (offline, gateway down, CORS). */
export function isNetworkError(err: ConnectError): boolean {
  return err.code === Code.Unknown && err.cause instanceof TypeError;
}

/** A sentence for any error of a call, by its status code. */
export function errorSentence(reason: unknown): string {
  const err = ConnectError.from(reason);
  if (isNetworkError(err)) {
    return "The server can't be reached. Check your connection and try again.";
  }
  switch (err.code) {
    case Code.Unavailable:
      return "The service is not available right now. Please try again in a moment.";
    case Code.DeadlineExceeded:
      return "The server took too long to answer. Please try again.";
    case Code.Unauthenticated:
      return "Your session has ended. Please log in again.";
    case Code.PermissionDenied:
      return "You are not allowed to do that.";
    case Code.NotFound:
      return "It was not found. It may have been deleted.";
    case Code.AlreadyExists:
      return "It already exists.";
    case Code.ResourceExhausted:
      // e.g. the gateway's "too many sign-up or login attempts, try again in a minute"
      return asSentence(err.rawMessage) || "Too many requests. Please wait a moment and try again.";
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
    case Code.OutOfRange:
      return asSentence(err.rawMessage) || "The request was not valid.";
    case Code.Canceled:
      return "The request was cancelled.";
    default:
      return "Something went wrong. Please try again.";
  }
}
