/**
 * The Songs page's imports (see importState.ts) and the calls that change
 * them: ImportSongs starts one, CancelOperation asks one to stop. The
 * tenant's unfinished imports come from ListOperations, on each visit of
 * the page and then every 30 s: they are followed from then on.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import type { Dispatch } from "react";
import { useEffect, useReducer } from "react";
import { useActing, useServices } from "../api/ServicesContext";
import { useOnDenied } from "../songs/songQueries";
import { toastFailed } from "../ui/toasts";
import type { ImportRequest } from "./importFile";
import { importSentence } from "./importErrors";
import type { ImportAction } from "./importState";
import { importsReducer } from "./importState";

const LIST_EVERY_MS = 30_000;

export function useImports() {
  const { operations } = useServices();
  const tenantId = useActing()?.tenantId ?? "";
  const [imports, dispatch] = useReducer(importsReducer, []);
  const listed = useQuery({
    queryKey: ["operations", tenantId],
    queryFn: ({ signal }) => operations.listOperations({}, { signal }),
    gcTime: 0, // a later visit asks again: what ran then may be done now
    // an import another member starts shows up while the page is open, too
    refetchInterval: LIST_EVERY_MS,
    refetchOnWindowFocus: true,
  });
  useEffect(() => {
    if (listed.data) dispatch({ type: "found", operations: listed.data.operations });
  }, [listed.data]);
  return [imports, dispatch] as const;
}

export function useStartImport(dispatch: Dispatch<ImportAction>) {
  const { songs } = useServices();
  const onError = useOnDenied();
  return useMutation({
    mutationFn: ({ request }: { request: ImportRequest; fileName: string }) => songs.importSongs(request),
    onSuccess: ({ operation }, { fileName }) => {
      if (operation) dispatch({ type: "started", operation, fileName });
    },
    onError,
  });
}

export function useCancelImport(dispatch: Dispatch<ImportAction>) {
  const { operations } = useServices();
  const onDenied = useOnDenied();
  return useMutation({
    mutationFn: (name: string) => operations.cancelOperation({ name }),
    onMutate: (name) => dispatch({ type: "cancelling", name, cancelling: true }),
    onSuccess: ({ operation }) => {
      if (operation) dispatch({ type: "updated", operation });
    },
    onError: (err, name) => {
      dispatch({ type: "cancelling", name, cancelling: false });
      toastFailed(`The import was not cancelled. ${importSentence(err)}`);
      onDenied(err);
    },
  });
}
